"""Time-frozen, table-driven statuses for every timing class, with the plans' own phrases.

Each row freezes the clock on a day, evaluates the shipped rules with no progress recorded
(unless the row says otherwise), and checks one occurrence's due date and status. Days are
chosen around every boundary: the due day, the day after, a due date on a weekend, on Tết,
on 30/4–1/5, and a "before the 22nd" that falls on a Sunday.
"""

from __future__ import annotations

from datetime import date

import pytest
from freezegun import freeze_time

from engine import clock
from engine.progress import (
    Cancellation,
    Completion,
    Extension,
    PeriodUpdate,
    Progress,
    Suspension,
    Trigger,
)
from engine.status import Status
from tests.conftest import occurrences_of

S = Status
D = date

# (case, plan, task, unit, milestone, frozen day, status, due)
ROWS = [
    # fixed month, deadline before the plan (522 signed 07/04/2023 repeats "Tháng 3/2023")
    (
        "before issue: not in force",
        "qd-522-btp",
        "1",
        "cuc-cntt",
        "2023-03",
        D(2023, 4, 6),
        S.NOT_STARTED,
        D(2023, 3, 31),
    ),
    (
        "before issue: overdue on signing",
        "qd-522-btp",
        "1",
        "cuc-cntt",
        "2023-03",
        D(2023, 4, 7),
        S.OVERDUE,
        D(2023, 3, 31),
    ),
    # fixed month "Tháng 6/2023": 30/06/2023 is a Friday
    (
        "month: 8 working days before",
        "qd-522-btp",
        "4",
        "cuc-htqtct",
        "2023-06",
        D(2023, 6, 20),
        S.IN_PROGRESS,
        D(2023, 6, 30),
    ),
    (
        "month: 7 working days before",
        "qd-522-btp",
        "4",
        "cuc-htqtct",
        "2023-06",
        D(2023, 6, 21),
        S.DUE_SOON,
        D(2023, 6, 30),
    ),
    (
        "month: due day",
        "qd-522-btp",
        "4",
        "cuc-htqtct",
        "2023-06",
        D(2023, 6, 30),
        S.DUE_SOON,
        D(2023, 6, 30),
    ),
    (
        "month: day after",
        "qd-522-btp",
        "4",
        "cuc-htqtct",
        "2023-06",
        D(2023, 7, 1),
        S.OVERDUE,
        D(2023, 6, 30),
    ),
    # "Tháng 9/2023": 30/09/2023 is a Saturday → Monday 02/10/2023
    (
        "weekend: due rolls to Monday",
        "qd-522-btp",
        "5",
        "cuc-bttp",
        "2023-09",
        D(2023, 10, 2),
        S.DUE_SOON,
        D(2023, 10, 2),
    ),
    (
        "weekend: overdue the day after",
        "qd-522-btp",
        "5",
        "cuc-bttp",
        "2023-09",
        D(2023, 10, 3),
        S.OVERDUE,
        D(2023, 10, 2),
    ),
    # "Tháng 4/2023": 30/04 Sunday, 29/4–3/5 holidays → Thursday 04/05/2023
    (
        "30/4-1/5: due after the holidays",
        "ct-05-ttg",
        "B1",
        "bo-cong-an",
        "2023-04",
        D(2023, 5, 3),
        S.DUE_SOON,
        D(2023, 5, 4),
    ),
    (
        "30/4-1/5: overdue after",
        "ct-05-ttg",
        "B1",
        "bo-cong-an",
        "2023-04",
        D(2023, 5, 5),
        S.OVERDUE,
        D(2023, 5, 4),
    ),
    # year "Năm 2022": 31/12/2022 Saturday, 02/01/2023 observed New Year → 03/01/2023
    (
        "year: rolls past New Year",
        "qd-149-btp",
        "16",
        "cuc-cntt",
        "2022",
        D(2023, 1, 3),
        S.DUE_SOON,
        D(2023, 1, 3),
    ),
    (
        "year: overdue",
        "qd-149-btp",
        "16",
        "cuc-cntt",
        "2022",
        D(2023, 1, 4),
        S.OVERDUE,
        D(2023, 1, 3),
    ),
    # monthly report "trước ngày 22": 21/05/2023 is a Sunday → Friday 19/05/2023
    (
        "before 22nd on a Sunday",
        "qd-522-btp",
        "TC-2",
        "van-phong-bo",
        "2023-05",
        D(2023, 5, 19),
        S.DUE_SOON,
        D(2023, 5, 19),
    ),
    (
        "before 22nd: overdue on the 20th",
        "qd-522-btp",
        "TC-2",
        "van-phong-bo",
        "2023-05",
        D(2023, 5, 20),
        S.OVERDUE,
        D(2023, 5, 19),
    ),
    (
        "before 22nd: ordinary month",
        "qd-522-btp",
        "TC-2",
        "van-phong-bo",
        "2023-06",
        D(2023, 6, 21),
        S.DUE_SOON,
        D(2023, 6, 21),
    ),
    # before the 22nd in Tết 2026 (21/02 Saturday, 16–20/02 Tết) → Friday 13/02/2026
    (
        "before 22nd during Tết",
        "qd-522-btp",
        "TC-2",
        "van-phong-bo",
        "2026-02",
        D(2026, 2, 13),
        S.DUE_SOON,
        D(2026, 2, 13),
    ),
    (
        "before 22nd during Tết: overdue",
        "qd-522-btp",
        "TC-2",
        "van-phong-bo",
        "2026-02",
        D(2026, 2, 14),
        S.OVERDUE,
        D(2026, 2, 13),
    ),
    # 149's own monthly summary (Cục CNTT), January 2023: 21/01 is Tết → 19/01/2023
    (
        "149 report before Tết",
        "qd-149-btp",
        "TC-3",
        "cuc-cntt",
        "2023-01",
        D(2023, 1, 20),
        S.OVERDUE,
        D(2023, 1, 19),
    ),
    # quarter range "Quý III-IV/2023": window from 01/07; 31/12/2023 Sunday, 01/01 holiday → 02/01/2024
    (
        "quarter: window not open",
        "qd-522-btp",
        "21",
        "hoc-vien-tu-phap",
        "2023-Q3-Q4",
        D(2023, 6, 30),
        S.NOT_STARTED,
        D(2024, 1, 2),
    ),
    (
        "quarter: window open",
        "qd-522-btp",
        "21",
        "hoc-vien-tu-phap",
        "2023-Q3-Q4",
        D(2023, 7, 1),
        S.IN_PROGRESS,
        D(2024, 1, 2),
    ),
    (
        "quarter: due day",
        "qd-522-btp",
        "21",
        "hoc-vien-tu-phap",
        "2023-Q3-Q4",
        D(2024, 1, 2),
        S.DUE_SOON,
        D(2024, 1, 2),
    ),
    (
        "quarter: overdue",
        "qd-522-btp",
        "21",
        "hoc-vien-tu-phap",
        "2023-Q3-Q4",
        D(2024, 1, 3),
        S.OVERDUE,
        D(2024, 1, 2),
    ),
    # month without year "Tháng 3" in 910 (2025) → 31/03/2025, a Monday; task 1 is the
    # decision that issues the plan itself (fulfilled_by_signing): done on 05/03/2025
    (
        "month without year",
        "qd-910-btp",
        "1",
        "van-phong-bo",
        "2025-03",
        D(2025, 4, 1),
        S.DONE_ON_TIME,
        D(2025, 3, 31),
    ),
    # several months "Tháng 6 và Tháng 12"
    (
        "several months: June",
        "qd-910-btp",
        "8",
        "van-phong-bo",
        "2025-06",
        D(2025, 7, 1),
        S.OVERDUE,
        D(2025, 6, 30),
    ),
    (
        "several months: December",
        "qd-910-btp",
        "8",
        "van-phong-bo",
        "2025-12",
        D(2025, 7, 1),
        S.IN_PROGRESS,
        D(2025, 12, 31),
    ),
    # labelled milestones: each label belongs to its own unit
    (
        "label Hộ tịch",
        "qd-149-btp",
        "23",
        "cuc-htqtct",
        "Hộ tịch",
        D(2022, 4, 1),
        S.OVERDUE,
        D(2022, 3, 31),
    ),
    (
        "label LLTP",
        "qd-149-btp",
        "23",
        "ttlltpqg",
        "LLTP",
        D(2022, 4, 1),
        S.IN_PROGRESS,
        D(2022, 5, 31),
    ),
    # continuous "Thường xuyên" (149, signed 28/01/2022): updates due on the 15th from February
    (
        "continuous: update due",
        "qd-149-btp",
        "5",
        "vu-plhshc",
        "2022-02",
        D(2022, 2, 15),
        S.DUE_SOON,
        D(2022, 2, 15),
    ),
    (
        "continuous: update missing",
        "qd-149-btp",
        "5",
        "vu-plhshc",
        "2022-02",
        D(2022, 2, 16),
        S.REPORT_MISSING,
        D(2022, 2, 15),
    ),
    # whole year "Cả năm" (910): update for March 2025 due 15/03 (Saturday) → 17/03/2025
    (
        "whole year: update rolls",
        "qd-910-btp",
        "11",
        "van-phong-bo",
        "2025-03",
        D(2025, 3, 17),
        S.DUE_SOON,
        D(2025, 3, 17),
    ),
    (
        "whole year: update missing",
        "qd-910-btp",
        "11",
        "van-phong-bo",
        "2025-03",
        D(2025, 3, 18),
        S.REPORT_MISSING,
        D(2025, 3, 17),
    ),
    (
        "whole year: year-end result",
        "qd-910-btp",
        "11",
        "van-phong-bo",
        "2025",
        D(2026, 1, 2),
        S.OVERDUE,
        D(2025, 12, 31),
    ),
    (
        "continuous (910 task 5)",
        "qd-910-btp",
        "5",
        "van-phong-bo",
        "2025-04",
        D(2025, 4, 16),
        S.REPORT_MISSING,
        D(2025, 4, 15),
    ),
    # periodic "Hàng Quý" seminar: due at quarter end
    (
        "quarterly seminar",
        "qd-910-btp",
        "6",
        "van-phong-bo",
        "2025-Q2",
        D(2025, 6, 30),
        S.DUE_SOON,
        D(2025, 6, 30),
    ),
    (
        "quarterly seminar missed",
        "qd-910-btp",
        "6",
        "van-phong-bo",
        "2025-Q2",
        D(2025, 7, 1),
        S.OVERDUE,
        D(2025, 6, 30),
    ),
    # "Hàng tháng" tagged monthly_report → before the 22nd
    (
        "910 monthly report",
        "qd-910-btp",
        "7",
        "van-phong-bo",
        "2025-06",
        D(2025, 6, 23),
        S.OVERDUE,
        D(2025, 6, 20),
    ),
    # start-from "Từ tháng 5/2023" (05/CT-TTg B46) and "Từ ngày 01/6/2022" (149 task 28)
    (
        "start-from: before start",
        "ct-05-ttg",
        "B46",
        "bo-cong-an",
        "2023-05",
        D(2023, 4, 30),
        S.NOT_STARTED,
        D(2023, 5, 15),
    ),
    (
        "start-from: first period",
        "ct-05-ttg",
        "B46",
        "bo-cong-an",
        "2023-05",
        D(2023, 5, 15),
        S.DUE_SOON,
        D(2023, 5, 15),
    ),
    (
        "start-from date: before",
        "qd-149-btp",
        "28",
        "cuc-htqtct",
        "2022-06",
        D(2022, 5, 31),
        S.NOT_STARTED,
        D(2022, 6, 15),
    ),
    # external schedule with no milestones recorded
    (
        "external: awaiting schedule",
        "qd-522-btp",
        "9",
        "cuc-bttp",
        "-",
        D(2023, 6, 1),
        S.AWAITING_SCHEDULE,
        None,
    ),
    # event-triggered and on-request with nothing recorded
    (
        "event: nothing yet",
        "qd-910-btp",
        "2",
        "van-phong-bo",
        "-",
        D(2025, 4, 1),
        S.AWAITING_EVENT,
        None,
    ),
    (
        "request: nothing yet",
        "qd-910-btp",
        "9",
        "van-phong-bo",
        "-",
        D(2025, 4, 1),
        S.AWAITING_EVENT,
        None,
    ),
    # unspecified parent (910 task 33) is due with its last sub-task (Tháng 12/2025) and
    # overdue while any sub-task is (33.1, Tháng 6/2025)
    (
        "parent due with last sub-task",
        "qd-910-btp",
        "33",
        "cuc-ql-thads",
        "sub-tasks",
        D(2025, 7, 1),
        S.OVERDUE,
        D(2025, 12, 31),
    ),
    (
        "sub-task overdue",
        "qd-910-btp",
        "33.1",
        "cuc-ql-thads",
        "2025-06",
        D(2025, 7, 1),
        S.OVERDUE,
        D(2025, 6, 30),
    ),
    # unspecified, nothing to derive from
    ("no deadline", "qd-910-btp", "TC-1", "van-phong-bo", "-", D(2025, 4, 1), S.NO_DEADLINE, None),
    # an obligation of Cục Hộ tịch, quốc tịch, chứng thực due in 2023 stays its own after the
    # 2025 reorganisation (Cục Hành chính tư pháp answers for it: see test_obligations.py)
    (
        "printed unit keeps its obligation",
        "qd-522-btp",
        "4",
        "cuc-htqtct",
        "2023-06",
        D(2025, 3, 1),
        S.OVERDUE,
        D(2023, 6, 30),
    ),
]


@pytest.mark.parametrize(
    ("plan", "task", "unit", "milestone", "day", "status", "due"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_status_on_frozen_day(catalog, plan, task, unit, milestone, day, status, due) -> None:  # type: ignore[no-untyped-def]
    with freeze_time(day.isoformat()):
        as_of = clock.today()
    assert as_of == day
    found = [
        o
        for o in occurrences_of(catalog, as_of, plan, task)
        if o.unit == unit and o.milestone == milestone
    ]
    assert len(found) == 1, [
        (o.unit, o.milestone) for o in occurrences_of(catalog, as_of, plan, task)
    ]
    (occ,) = found
    assert (occ.status, occ.due) == (status, due)


def _one(catalog, day, plan, task, unit, milestone, progress):  # type: ignore[no-untyped-def]
    (occ,) = [
        o
        for o in occurrences_of(catalog, day, plan, task, progress)
        if o.unit == unit and o.milestone == milestone
    ]
    return occ


# (case, completion day, as-of day, status) for 522 task 4, due 30/06/2023
COMPLETIONS = [
    ("done before due", D(2023, 6, 15), D(2023, 7, 10), S.DONE_ON_TIME),
    ("done on due day", D(2023, 6, 30), D(2023, 7, 10), S.DONE_ON_TIME),
    ("done the day after", D(2023, 7, 1), D(2023, 7, 10), S.DONE_LATE),
    ("recorded later than as-of", D(2023, 7, 20), D(2023, 7, 10), S.OVERDUE),
]


@pytest.mark.parametrize(
    ("done_on", "day", "status"), [r[1:] for r in COMPLETIONS], ids=[r[0] for r in COMPLETIONS]
)
def test_completion(catalog, done_on, day, status) -> None:  # type: ignore[no-untyped-def]
    progress = Progress(completions=[Completion("qd-522-btp", "4", done_on, unit="cuc-htqtct")])
    occ = _one(catalog, day, "qd-522-btp", "4", "cuc-htqtct", "2023-06", progress)
    assert occ.status == status
    assert occ.done_on == (done_on if done_on <= day else None)


def test_completion_recorded_under_the_old_unit_closes_its_own_obligation(catalog) -> None:  # type: ignore[no-untyped-def]
    progress = Progress(
        completions=[Completion("qd-522-btp", "4", D(2023, 6, 20), unit="cuc-htqtct")]
    )
    occ = _one(catalog, D(2025, 6, 1), "qd-522-btp", "4", "cuc-htqtct", "2023-06", progress)
    assert (occ.status, occ.printed_unit, occ.answerable) == (
        S.DONE_ON_TIME,
        None,
        "cuc-htqtct",
    )


def test_extension_delays_overdue_but_not_lateness(catalog) -> None:  # type: ignore[no-untyped-def]
    extension = Extension(
        "qd-522-btp", "4", D(2023, 7, 31), D(2023, 6, 25), "Chờ ý kiến Bộ Công an"
    )
    progress = Progress(extensions=[extension])
    occ = _one(catalog, D(2023, 7, 10), "qd-522-btp", "4", "cuc-htqtct", "2023-06", progress)
    assert (occ.status, occ.due, occ.original_due) == (
        S.IN_PROGRESS,
        D(2023, 7, 31),
        D(2023, 6, 30),
    )
    progress = Progress(
        extensions=[extension], completions=[Completion("qd-522-btp", "4", D(2023, 7, 20))]
    )
    occ = _one(catalog, D(2023, 8, 1), "qd-522-btp", "4", "cuc-htqtct", "2023-06", progress)
    assert occ.status == S.DONE_LATE


def test_suspension_and_cancellation(catalog) -> None:  # type: ignore[no-untyped-def]
    suspended = Progress(
        suspensions=[
            Suspension("qd-522-btp", "4", D(2023, 6, 1), "Chờ sửa Luật", end=D(2023, 8, 31))
        ]
    )
    assert (
        _one(catalog, D(2023, 7, 10), "qd-522-btp", "4", "cuc-htqtct", "2023-06", suspended).status
        == S.SUSPENDED
    )
    assert (
        _one(catalog, D(2023, 9, 1), "qd-522-btp", "4", "cuc-htqtct", "2023-06", suspended).status
        == S.OVERDUE
    )
    cancelled = Progress(
        cancellations=[Cancellation("qd-522-btp", "4", D(2023, 6, 10), "Không còn phù hợp")]
    )
    assert (
        _one(catalog, D(2023, 7, 10), "qd-522-btp", "4", "cuc-htqtct", "2023-06", cancelled).status
        == S.CANCELLED
    )


def test_period_update_reported(catalog) -> None:  # type: ignore[no-untyped-def]
    progress = Progress(
        updates=[PeriodUpdate("qd-149-btp", "5", "vu-plhshc", "2022-02", D(2022, 2, 14))]
    )
    assert (
        _one(catalog, D(2022, 3, 1), "qd-149-btp", "5", "vu-plhshc", "2022-02", progress).status
        == S.REPORTED
    )
    assert (
        _one(catalog, D(2022, 3, 16), "qd-149-btp", "5", "vu-plhshc", "2022-03", progress).status
        == S.REPORT_MISSING
    )


def test_event_due_after_grace_days(catalog) -> None:  # type: ignore[no-untyped-def]
    progress = Progress(triggers=[Trigger("qd-910-btp", "2", "event", "CT-07", D(2025, 3, 10))])
    occ = _one(catalog, D(2025, 3, 20), "qd-910-btp", "2", "van-phong-bo", "event:CT-07", progress)
    assert (occ.status, occ.due) == (S.DUE_SOON, D(2025, 3, 24))  # 10 working days later
    occ = _one(catalog, D(2025, 3, 11), "qd-910-btp", "2", "van-phong-bo", "event:CT-07", progress)
    assert occ.status == S.IN_PROGRESS
    occ = _one(catalog, D(2025, 3, 25), "qd-910-btp", "2", "van-phong-bo", "event:CT-07", progress)
    assert occ.status == S.OVERDUE


def test_event_before_earliest_counts_from_earliest(catalog) -> None:  # type: ignore[no-untyped-def]
    progress = Progress(triggers=[Trigger("qd-149-btp", "26", "event", "HD-1", D(2022, 1, 29))])
    occ = _one(catalog, D(2022, 2, 10), "qd-149-btp", "26", "cuc-cntt", "event:HD-1", progress)
    assert occ.due == D(2022, 2, 18)  # 01/02/2022 (Tết until 04/02) + 10 working days


def test_repeating_events_make_one_occurrence_each(catalog) -> None:  # type: ignore[no-untyped-def]
    triggers = [
        Trigger("qd-910-btp", "4", "event", "NS-1", D(2025, 4, 1)),
        Trigger("qd-910-btp", "4", "event", "NS-2", D(2025, 8, 1)),
    ]
    occ = occurrences_of(catalog, D(2025, 9, 1), "qd-910-btp", "4", Progress(triggers=triggers))
    assert sorted(o.milestone for o in occ) == ["event:NS-1", "event:NS-2"]
    single = [Trigger("qd-910-btp", "2", "event", f"E{i}", D(2025, 4, i)) for i in (1, 2)]
    assert (
        len(occurrences_of(catalog, D(2025, 9, 1), "qd-910-btp", "2", Progress(triggers=single)))
        == 1
    )


def test_request_with_its_own_due_date(catalog) -> None:  # type: ignore[no-untyped-def]
    request = Trigger("qd-910-btp", "9", "request", "123/VPCP", D(2025, 5, 5), due=D(2025, 5, 10))
    occ = _one(
        catalog,
        D(2025, 5, 12),
        "qd-910-btp",
        "9",
        "van-phong-bo",
        "request:123/VPCP",
        Progress(triggers=[request]),
    )
    assert (occ.due, occ.status) == (D(2025, 5, 12), S.DUE_SOON)  # Saturday 10/5 → Monday 12/5


def test_parent_done_when_all_sub_tasks_are(catalog) -> None:  # type: ignore[no-untyped-def]
    completions = [
        Completion("qd-910-btp", "33.1", D(2025, 6, 20)),
        Completion("qd-910-btp", "33.2", D(2025, 11, 5)),
    ]
    occ = _one(
        catalog,
        D(2025, 12, 1),
        "qd-910-btp",
        "33",
        "cuc-ql-thads",
        "sub-tasks",
        Progress(completions=completions),
    )
    assert (occ.status, occ.done_on) == (S.DONE_ON_TIME, D(2025, 11, 5))
    occ = _one(
        catalog,
        D(2025, 12, 1),
        "qd-910-btp",
        "33",
        "cuc-ql-thads",
        "sub-tasks",
        Progress(completions=completions[:1]),
    )
    assert occ.status == S.IN_PROGRESS


def test_group_lead_is_expanded_to_members(catalog) -> None:  # type: ignore[no-untyped-def]
    units = {o.unit for o in occurrences_of(catalog, D(2023, 6, 1), "qd-522-btp", "TC-1")}
    assert len(units) > 5 and "van-phong-bo" in units


def test_horizon_stops_recurring_periods(catalog) -> None:  # type: ignore[no-untyped-def]
    periods = {o.milestone for o in occurrences_of(catalog, D(2026, 6, 1), "qd-149-btp", "5")}
    assert "2025-12" in periods and not any(p.startswith("2026") for p in periods)


def test_open_ended_plan_keeps_producing_periods(catalog) -> None:  # type: ignore[no-untyped-def]
    periods = {o.milestone for o in occurrences_of(catalog, D(2026, 6, 1), "qd-522-btp", "TC-2")}
    assert {"2023-04", "2026-06"} <= periods and "2023-03" not in periods


def test_group_members_follow_the_reorganisation(catalog) -> None:  # type: ignore[no-untyped-def]
    before = {o.unit for o in occurrences_of(catalog, D(2023, 6, 1), "qd-522-btp", "TC-1")}
    after = occurrences_of(catalog, D(2025, 6, 1), "qd-522-btp", "TC-1")
    assert "cuc-htqtct" in before and "cuc-hctp" not in before  # created on 01/03/2025
    owners_2023 = {o.unit for o in after if o.milestone == "2023-06"}
    owners_2025 = {o.unit for o in after if o.milestone == "2025-05"}
    assert "cuc-htqtct" in owners_2023 and "cuc-hctp" not in owners_2023  # history kept
    assert "cuc-hctp" in owners_2025 and "cuc-htqtct" not in owners_2025  # ceased 28/02/2025
