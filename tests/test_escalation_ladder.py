"""Time-frozen tests of the default ladder: the day each rule first fires, the days it repeats,
and the day it stops once progress is recorded."""

from __future__ import annotations

from datetime import date

import pytest
from freezegun import freeze_time

from engine import clock
from engine.escalation.facts import Fact, build_facts
from engine.escalation.matcher import DurableMatcher, PythonMatcher
from engine.escalation.rules import Silence
from engine.followup import notices_for_day, simulate
from engine.notices import plan_notices
from engine.progress import Completion, PeriodUpdate, Progress
from engine.status import evaluate

D = date
TASK4 = "qd-522-btp/4/cuc-htqtct/2023-06"  # "Tháng 6/2023", due Friday 30/06/2023


@pytest.fixture(scope="module")
def matcher(catalog):  # type: ignore[no-untyped-def]
    return PythonMatcher(catalog.escalation.rules)


def timeline(catalog, matcher, start, end, occurrence, progress=None, silences=()):  # type: ignore[no-untyped-def]
    notices = simulate(catalog, progress or Progress(), start, end, matcher, silences)
    return [
        (n.day, n.rule.id, n.recipient)
        for n in notices
        for item in n.items
        if item.fact.key == occurrence
    ]


def days_of(events, rule):  # type: ignore[no-untyped-def]
    return [day for day, rule_id, _ in events if rule_id == rule]


def test_fixed_deadline_ladder(catalog, matcher) -> None:  # type: ignore[no-untyped-def]
    events = timeline(catalog, matcher, D(2023, 6, 1), D(2023, 9, 30), TASK4)
    assert days_of(events, "nhac-truoc-7-ngay") == [D(2023, 6, 21)]
    assert days_of(events, "nhac-truoc-1-ngay") == [D(2023, 6, 29)]
    overdue = days_of(events, "thong-bao-qua-han")
    assert overdue[:4] == [D(2023, 7, 3), D(2023, 7, 10), D(2023, 7, 17), D(2023, 7, 24)]
    assert days_of(events, "bao-van-phong-bo")[:3] == [
        D(2023, 7, 7),
        D(2023, 7, 14),
        D(2023, 7, 21),
    ]
    # 30 days overdue: 30/07/2023 is a Sunday → Monday 31/07; then one month later
    assert days_of(events, "bao-lanh-dao-bo") == [D(2023, 7, 31), D(2023, 8, 31)]
    recipients = {rule: rcpt for _, rule, rcpt in events}
    assert recipients["thong-bao-qua-han"] == "cuc-htqtct"
    assert recipients["bao-van-phong-bo"] == "van-phong-bo"
    assert recipients["bao-lanh-dao-bo"] == "lanh-dao-bo"


def test_ladder_stops_once_done(catalog, matcher) -> None:  # type: ignore[no-untyped-def]
    progress = Progress(
        completions=[Completion("qd-522-btp", "4", D(2023, 7, 12), unit="cuc-htqtct")]
    )
    events = timeline(catalog, matcher, D(2023, 6, 1), D(2023, 9, 30), TASK4, progress)
    assert max(day for day, _, _ in events) == D(2023, 7, 10)
    early = Progress(completions=[Completion("qd-522-btp", "4", D(2023, 6, 26))])
    events = timeline(catalog, matcher, D(2023, 6, 1), D(2023, 9, 30), TASK4, early)
    assert [(d, r) for d, r, _ in events] == [(D(2023, 6, 21), "nhac-truoc-7-ngay")]


def test_no_notice_twice_in_a_year(catalog, matcher) -> None:  # type: ignore[no-untyped-def]
    notices = simulate(catalog, Progress(), D(2023, 1, 1), D(2023, 12, 31), matcher)
    keys = [item.idempotency_key for n in notices for item in n.items]
    assert len(keys) == len(set(keys))
    seen = set()
    for n in notices:
        for item in n.items:
            marker = (n.day, item.fact.key, n.rule.id, n.recipient)
            assert marker not in seen
            seen.add(marker)
    # one notice per recipient and rule per day
    pairs = [(n.day, n.recipient, n.rule.id) for n in notices]
    assert len(pairs) == len(set(pairs))
    # nothing on non-working days
    assert all(catalog.calendar.is_working_day(n.day) for n in notices)


@pytest.mark.parametrize(
    ("month", "first", "last", "due"),
    [
        ("2023-05", D(2023, 5, 15), D(2023, 5, 19), D(2023, 5, 19)),  # 21/05 Sunday → Friday 19
        ("2023-06", D(2023, 6, 15), D(2023, 6, 21), D(2023, 6, 21)),  # ordinary month
        ("2023-10", D(2023, 10, 16), D(2023, 10, 20), D(2023, 10, 20)),  # 15 and 21 on weekends
        ("2024-01", D(2024, 1, 15), D(2024, 1, 19), D(2024, 1, 19)),  # 21/01/2024 Sunday
        ("2026-02", D(2026, 2, 23), D(2026, 2, 13), D(2026, 2, 13)),  # Tết: due before the 15th
    ],
)
def test_monthly_report_before_the_22nd(catalog, matcher, month, first, last, due) -> None:  # type: ignore[no-untyped-def]
    occurrence = f"qd-522-btp/TC-2/van-phong-bo/{month}"
    start = D(due.year, due.month, 1)
    events = timeline(catalog, matcher, start, D(due.year, due.month, 28), occurrence)
    han_cuoi = days_of(events, "bao-cao-thang-han-cuoi")
    assert han_cuoi == [last]
    escalation = [(d, r) for d, rule, r in events if rule == "bao-cao-thang-qua-han"]
    day_after = catalog.calendar.add_working_days(due, 1)
    assert escalation == [(day_after, "lanh-dao-bo"), (day_after, "van-phong-bo")]
    ngay_15 = days_of(events, "bao-cao-thang-ngay-15")
    assert ngay_15 == ([first] if first < last else [])  # in Tết the due day comes first


def test_monthly_report_recorded_means_no_escalation(catalog, matcher) -> None:  # type: ignore[no-untyped-def]
    progress = Progress(
        completions=[Completion("qd-522-btp", "TC-2", D(2023, 5, 18), milestone="2023-05")]
    )
    events = timeline(
        catalog,
        matcher,
        D(2023, 5, 1),
        D(2023, 5, 31),
        "qd-522-btp/TC-2/van-phong-bo/2023-05",
        progress,
    )
    assert [rule for _, rule, _ in events] == ["bao-cao-thang-ngay-15"]


def test_quarterly_seminar(catalog, matcher) -> None:  # type: ignore[no-untyped-def]
    occurrence = "qd-910-btp/6/van-phong-bo/2025-Q2"
    events = timeline(catalog, matcher, D(2025, 6, 1), D(2025, 7, 31), occurrence)
    assert days_of(events, "toa-dam-quy") == [D(2025, 6, 16)]  # 15/06 is a Sunday
    assert sorted((d, r) for d, rule, r in events if rule == "toa-dam-quy-qua-han") == [
        (D(2025, 7, 1), "van-phong-bo")
    ]


def test_continuous_update_ladder(catalog, matcher) -> None:  # type: ignore[no-untyped-def]
    key = "qd-149-btp/5/vu-plhshc/{}"
    events = simulate(catalog, Progress(), D(2022, 2, 1), D(2022, 4, 30), matcher)
    mine = [
        (n.day, n.rule.id, n.recipient, i.fact.key)
        for n in events
        for i in n.items
        if i.fact.fields["task"] == "5"
        and i.fact.fields["plan"] == "qd-149-btp"
        and i.fact.fields["unit"] == "vu-plhshc"
    ]
    assert (D(2022, 2, 8), "de-nghi-cap-nhat", "vu-plhshc", key.format("2022-02")) in mine
    assert (D(2022, 2, 16), "thieu-cap-nhat", "vu-plhshc", key.format("2022-02")) in mine
    # the second missed period in a row escalates to Văn phòng Bộ
    assert (D(2022, 3, 16), "thieu-cap-nhat-hai-ky", "van-phong-bo", key.format("2022-03")) in mine
    updated = Progress(
        updates=[PeriodUpdate("qd-149-btp", "5", "vu-plhshc", "2022-03", D(2022, 3, 10))]
    )
    events = simulate(catalog, updated, D(2022, 3, 1), D(2022, 3, 31), matcher)
    assert not [
        n
        for n in events
        for i in n.items
        if i.fact.key == key.format("2022-03")
        and n.rule.id in ("thieu-cap-nhat", "thieu-cap-nhat-hai-ky")
    ]


def test_digest_groups_occurrences_per_recipient_and_rule(catalog, matcher) -> None:  # type: ignore[no-untyped-def]
    notices = notices_for_day(catalog, Progress(), D(2023, 7, 7), matcher, {})
    digest = [n for n in notices if n.rule.id == "bao-van-phong-bo"]
    assert len(digest) == 1 and digest[0].recipient == "van-phong-bo"
    units = {i.fact.fields["unit"] for i in digest[0].items}
    assert len(digest[0].items) > 10 and len(units) > 3


def test_silence_mutes_until_its_last_day(catalog, matcher) -> None:  # type: ignore[no-untyped-def]
    silence = Silence(
        plan="qd-522-btp",
        task="4",
        author="Nguyễn Văn A",
        reason="Đang trình Bộ trưởng",
        until=D(2023, 7, 12),
    )
    events = timeline(catalog, matcher, D(2023, 6, 1), D(2023, 7, 31), TASK4, silences=[silence])
    assert min(day for day, _, _ in events) == D(2023, 7, 13)
    unit_silence = Silence(unit="cuc-htqtct", author="A", reason="B", until=D(2023, 12, 31))
    assert (
        timeline(catalog, matcher, D(2023, 6, 1), D(2023, 7, 31), TASK4, silences=[unit_silence])
        == []
    )


def test_inhibition_keeps_the_highest_level_per_recipient(catalog, matcher) -> None:  # type: ignore[no-untyped-def]
    # Starting on the due day with no history, the day-15 reminder (level 1) and the due-day
    # reminder (level 2) both match the same report: only the higher one is sent.
    notices = notices_for_day(catalog, Progress(), D(2023, 6, 21), matcher, {})
    rules = {
        n.rule.id
        for n in notices
        for i in n.items
        if i.fact.key == "qd-522-btp/TC-2/van-phong-bo/2023-06"
    }
    assert rules == {"bao-cao-thang-han-cuoi"}


def test_inhibition_across_facts_sharing_an_occurrence_key(catalog) -> None:  # type: ignore[no-untyped-def]
    """A cell owing one thing twice gives two facts with one key: per recipient, only the
    highest-level rule matching either of them sends; a recipient only a lower rule reaches
    keeps it."""
    day = D(2023, 6, 21)
    key = "qd-522-btp/TC-2/van-phong-bo/2023-06"
    (fact,) = [
        f for f in build_facts(catalog, evaluate(catalog, Progress(), day, 3), day) if f.key == key
    ]
    twin = Fact(fact.occurrence, fact.static, day)
    matches = [{"bao-cao-thang-han-cuoi", "chat-luong-du-lieu"}, {"bao-cao-thang-qua-han"}]
    notices = plan_notices(catalog, [fact, twin], matches, day, {})
    sent = {(n.rule.id, n.recipient, i.fact is twin) for n in notices for i in n.items}
    # the plan's coordinating unit is the lead here: the level-4 rule mutes both lower ones
    assert sent == {
        ("chat-luong-du-lieu", "admins", False),
        ("bao-cao-thang-qua-han", "lanh-dao-bo", True),
        ("bao-cao-thang-qua-han", "van-phong-bo", True),
    }


def test_durable_matcher_in_the_ladder(catalog) -> None:  # type: ignore[no-untyped-def]
    events = timeline(
        catalog, DurableMatcher(catalog.escalation.rules), D(2023, 6, 19), D(2023, 7, 10), TASK4
    )
    assert [(d, r) for d, r, _ in events][:3] == [
        (D(2023, 6, 21), "nhac-truoc-7-ngay"),
        (D(2023, 6, 29), "nhac-truoc-1-ngay"),
        (D(2023, 7, 3), "thong-bao-qua-han"),
    ]


def test_frozen_clock_run(catalog, matcher) -> None:  # type: ignore[no-untyped-def]
    with freeze_time("2023-06-21"):
        day = clock.today()
    notices = notices_for_day(catalog, Progress(), day, matcher, {})
    assert any(n.rule.id == "bao-cao-thang-han-cuoi" for n in notices)
    with freeze_time("2023-06-24"):  # a Saturday: nothing is sent
        assert notices_for_day(catalog, Progress(), clock.today(), matcher, {}) == []
