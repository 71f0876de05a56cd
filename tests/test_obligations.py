"""Who owes what, to whom, over time (issue 8): the obligation model on the shipped plans."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from datetime import date as D
from pathlib import Path

import pytest
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from engine import clock
from engine.catalog.model import Catalog
from engine.cli import app
from engine.codes import Status as S
from engine.escalation.facts import build_facts
from engine.progress import Completion, Progress, Trigger
from engine.status import DERIVED, UPDATE, evaluate
from engine.summary import tally, tally_tasks
from tests.conftest import RULES, SCHEDULES, occurrences_of


def _units(catalog: Catalog, day: date, plan: str, task: str, progress=None) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted({o.unit for o in occurrences_of(catalog, day, plan, task, progress)})


# -- 1. responsibility by period ---------------------------------------------------------

# Top-level tasks as of 01/07/2025: the table rows and organisation-section duties. Issue 8
# counted 35 and 23 for 149 and 522 before the dated duties of their body text were encoded
# (149: TC-1a, TC-1b, TC-1c, TC-4; 522: TC-1a, TC-4).
TOTALS = {"ct-05-ttg": 73, "qd-149-btp": 39, "qd-522-btp": 25, "qd-910-btp": 50}

SEVEN = [
    "cuc-btnn",
    "cuc-bttp",
    "cuc-con-nuoi",
    "cuc-dkqggdbd",
    "cuc-htqtct",
    "ttlltpqg",
    "vu-pldskt",
]


@pytest.mark.parametrize("day", [D(2023, 10, 1), D(2025, 2, 15), D(2025, 6, 1), D(2026, 12, 2)])
def test_each_printed_lead_keeps_its_obligation_for_ever(catalog, day: date) -> None:  # type: ignore[no-untyped-def]
    """522 task 5 (Tháng 9/2023) has one obligation per printed lead unit, on any later day."""
    assert _units(catalog, day, "qd-522-btp", "5") == SEVEN


def test_open_obligations_of_a_ceased_unit_are_held_by_its_successor(catalog) -> None:  # type: ignore[no-untyped-def]
    found = {o.unit: o for o in occurrences_of(catalog, D(2025, 6, 1), "qd-522-btp", "5")}
    assert found["cuc-con-nuoi"].answerable == "cuc-hctp"  # ceased 28/02/2025
    assert found["cuc-btnn"].answerable == "cuc-dkgdbd-btnn"
    assert found["cuc-bttp"].answerable == "cuc-bttp"  # continues
    before = {o.unit: o for o in occurrences_of(catalog, D(2025, 2, 15), "qd-522-btp", "5")}
    assert before["cuc-con-nuoi"].answerable == "cuc-con-nuoi"
    facts = build_facts(catalog, found.values(), D(2025, 6, 1))
    unit_of = {f.occurrence.unit: f.fields["unit"] for f in facts if f.occurrence}
    assert unit_of["cuc-con-nuoi"] == "cuc-hctp"  # reminders go to the holder


def test_a_completion_closes_only_the_obligation_it_names(catalog) -> None:  # type: ignore[no-untyped-def]
    done = Progress(
        completions=[Completion("qd-522-btp", "5", D(2023, 9, 20), unit="cuc-con-nuoi")]
    )
    found = {
        o.unit: o.status for o in occurrences_of(catalog, D(2025, 6, 1), "qd-522-btp", "5", done)
    }
    assert found["cuc-con-nuoi"] == S.DONE_ON_TIME
    assert sorted(u for u, s in found.items() if s == S.OVERDUE) == [
        u for u in SEVEN if u != "cuc-con-nuoi"
    ]


def _without_changes_after(catalog: Catalog, day: date) -> Catalog:
    """The registry as it was known on ``day``: no unit ceasing on or after it, and no unit
    created after it among the groups' members."""
    units = {}
    for unit in catalog.units.values():
        if unit.valid_to is not None and unit.valid_to >= day:
            unit = dataclasses.replace(unit, valid_to=None, successor=None)
        units[unit.id] = unit
    for uid, unit in units.items():
        members = tuple(
            m for m in unit.members if units[m].valid_from is None or units[m].valid_from <= day
        )
        units[uid] = dataclasses.replace(unit, members=members)
    return dataclasses.replace(catalog, units=units, _unit_keys={})


@settings(max_examples=12, deadline=None)
@given(st.dates(min_value=D(2022, 1, 1), max_value=D(2025, 12, 31)))
def test_history_does_not_depend_on_later_registry_changes(catalog, day: date) -> None:  # type: ignore[no-untyped-def]
    """Statuses as of D are the same whether registry changes effective after D exist or not."""

    def rows(cat: Catalog) -> list[tuple[object, ...]]:
        return [
            (o.plan, o.task, o.unit, o.milestone, o.status, o.due, o.answerable)
            for o in evaluate(cat, Progress(), day)
        ]

    assert rows(catalog) == rows(_without_changes_after(catalog, day))


# -- 2. groups -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "task", "day", "cooperating"),
    [
        ("qd-910-btp", "16", D(2025, 6, 1), "van-phong-bo"),
        ("qd-910-btp", "47", D(2025, 6, 1), "cuc-khtc"),
        ("qd-149-btp", "22", D(2023, 6, 1), "van-phong-bo"),
        ("qd-149-btp", "22", D(2023, 6, 1), "vu-cvdc-xdpl"),
    ],
)
def test_a_group_lead_leaves_out_the_rows_cooperating_units(
    catalog, plan, task, day, cooperating
) -> None:  # type: ignore[no-untyped-def]
    units = _units(catalog, day, plan, task)
    assert units and cooperating not in units


def test_all_units_follow_nghi_dinh_39_2025(catalog) -> None:  # type: ignore[no-untyped-def]
    in_2025 = set(
        _units(catalog, D(2025, 6, 1), "qd-910-btp", "23", _requested("qd-910-btp", "23"))
    )
    assert {"vu-plqt", "vu-htqt", "vien-cl-khpl"} <= in_2025
    assert "vien-khpl" not in in_2025 and "cuc-con-nuoi" not in in_2025
    in_2023 = set(_units(catalog, D(2023, 6, 1), "qd-522-btp", "TC-1"))
    assert "vien-khpl" in in_2023 and "vien-cl-khpl" not in in_2023


# -- 3. requests name their units ---------------------------------------------------------


def _requested(plan: str, task: str, *units: str) -> Progress:
    return Progress(
        triggers=[Trigger(plan, task, "request", "CV-1", D(2025, 4, 1), units=tuple(units))]
    )


def test_a_request_to_a_group_led_task_concerns_the_units_it_names(catalog) -> None:  # type: ignore[no-untyped-def]
    one = _requested("qd-910-btp", "23", "cuc-cntt")
    found = occurrences_of(catalog, D(2025, 6, 1), "qd-910-btp", "23", one)
    assert [(o.unit, o.status) for o in found] == [("cuc-cntt", S.OVERDUE)]


def test_engine_event_asks_for_the_unit_of_a_group_led_task(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ENGINE_RULES_DIR", str(RULES))
    monkeypatch.setenv("ENGINE_SCHEDULES_DIR", str(SCHEDULES))
    monkeypatch.setenv("ENGINE_DATABASE_URL", f"sqlite:///{tmp_path / 'engine.db'}")
    runner = CliRunner()
    asked = runner.invoke(app, ["event", "910", "23", "--date", "2025-04-01"])
    assert asked.exit_code == 2 and "hãy ghi rõ từng đơn vị" in asked.output
    stranger = ["event", "910", "23", "--date", "2025-04-01", "--unit", "Bộ Công an"]
    assert runner.invoke(app, stranger).exit_code == 2
    done = runner.invoke(
        app,
        [
            "event",
            "910",
            "23",
            "--date",
            "2025-04-01",
            "--key",
            "CV-1",
            "--unit",
            "Cục Công nghệ thông tin",
        ],
    )
    assert done.exit_code == 0, done.output
    rows = json.loads(
        runner.invoke(
            app, ["status", "--as-of", "2025-06-01", "--plan", "910", "--format", "json"]
        ).output
    )
    assert [(r["unit"], r["milestone"]) for r in rows if r["task"] == "23"] == [
        ("cuc-cntt", "request:CV-1")
    ]


# -- 4. several timings in one cell -------------------------------------------------------


def test_every_part_of_a_composite_cell_lives(catalog) -> None:  # type: ignore[no-untyped-def]
    """910 task 17: "Theo Kế hoạch năm 2025 của Tổ Công tác ... và yêu cầu của các cơ quan"."""
    waiting = occurrences_of(catalog, D(2025, 6, 1), "qd-910-btp", "17")
    assert {o.status for o in waiting} == {S.AWAITING_SCHEDULE, S.AWAITING_EVENT}
    asked = occurrences_of(
        catalog, D(2025, 6, 1), "qd-910-btp", "17", _requested("qd-910-btp", "17")
    )
    assert {o.milestone for o in waiting} == {"-", "-2"}
    assert {o.milestone for o in asked} == {"-", "request:CV-1"}


# -- 5. parents and sub-tasks ----------------------------------------------------------------


def test_a_parent_is_derived_from_its_sub_tasks_and_counts_once(catalog) -> None:  # type: ignore[no-untyped-def]
    late = Progress(
        completions=[
            Completion("qd-910-btp", "33.1", D(2025, 7, 15)),
            Completion("qd-910-btp", "33.2", D(2025, 12, 1)),
        ]
    )
    (parent,) = occurrences_of(catalog, D(2026, 1, 5), "qd-910-btp", "33", late)
    assert (parent.kind, parent.status, parent.done_on) == (DERIVED, S.DONE_LATE, D(2025, 12, 1))
    for task in ("16", "36"):
        parents = occurrences_of(catalog, D(2025, 7, 1), "qd-910-btp", task)
        assert {o.kind for o in parents} == {DERIVED}
        assert len(parents) == len({o.unit for o in parents})  # one per unit
    rows = tally_tasks(evaluate(catalog, Progress(), D(2025, 7, 1)), lambda o: f"{o.plan}/{o.task}")
    assert [
        t.total for t in rows if t.key in ("qd-910-btp/16", "qd-910-btp/33", "qd-910-btp/36")
    ] == [1, 1, 1]


# -- 6. official tallies count tasks --------------------------------------------------------


def test_plan_totals_are_tasks(catalog) -> None:  # type: ignore[no-untyped-def]
    occurrences = evaluate(catalog, Progress(), D(2025, 7, 1))
    totals = {t.key: t.total for t in tally_tasks(occurrences, lambda o: o.plan)}
    tops = {p.id: sum(1 for t in p.tasks if t.parent is None) for p in catalog.plans.values()}
    assert totals == tops == TOTALS


def test_a_task_led_by_several_units_is_done_when_all_are(catalog) -> None:  # type: ignore[no-untyped-def]
    def category(progress: Progress) -> dict[str, int]:
        found = occurrences_of(catalog, D(2023, 12, 1), "qd-522-btp", "5", progress)
        (row,) = tally_tasks(found, lambda o: "")
        return {k: v for k, v in row.counts.items() if v}

    assert category(Progress()) == {"overdue": 1}
    some = [Completion("qd-522-btp", "5", D(2023, 9, 20), unit=u) for u in SEVEN[:6]]
    assert category(Progress(completions=some)) == {"overdue": 1}
    every = [*some, Completion("qd-522-btp", "5", D(2023, 10, 3), unit=SEVEN[6])]
    assert category(Progress(completions=every)) == {"done_late": 1}
    units = tally(occurrences_of(catalog, D(2023, 12, 1), "qd-522-btp", "5"), lambda o: o.unit)
    assert len(units) == 7 and all(t.total == 1 for t in units)  # unit rows: obligations


def test_summary_cli_prints_task_totals(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ENGINE_RULES_DIR", str(RULES))
    monkeypatch.setenv("ENGINE_SCHEDULES_DIR", str(SCHEDULES))
    monkeypatch.setenv("ENGINE_DATABASE_URL", f"sqlite:///{tmp_path / 'engine.db'}")
    result = CliRunner().invoke(app, ["summary", "--as-of", "2025-07-01", "--format", "json"])
    plans = {p["plan"]: p["total"] for p in json.loads(result.output)["plans"]}
    assert plans == TOTALS


# -- 7. plans that implement plans -----------------------------------------------------------


def test_recording_522_task_4_closes_directive_row_b34(catalog) -> None:  # type: ignore[no-untyped-def]
    done = Progress(completions=[Completion("qd-522-btp", "4", D(2023, 6, 20))])
    (b34,) = occurrences_of(catalog, D(2023, 7, 10), "ct-05-ttg", "B34", done)
    assert (b34.status, b34.done_on, b34.implemented_by) == (
        S.DONE_ON_TIME,
        D(2023, 6, 20),
        ("qd-522-btp:4",),
    )
    (open_b34,) = occurrences_of(catalog, D(2023, 7, 10), "ct-05-ttg", "B34")
    assert open_b34.status == S.OVERDUE


def test_a_completion_of_the_implemented_row_counts_for_the_implementing_one(catalog) -> None:  # type: ignore[no-untyped-def]
    done = Progress(completions=[Completion("ct-05-ttg", "B33", D(2023, 3, 30))])
    found = occurrences_of(catalog, D(2023, 7, 10), "qd-522-btp", "3", done)
    assert {o.status for o in found} == {S.DONE_ON_TIME}


def test_a_digest_never_lists_an_implemented_row_beside_its_implementing_row(catalog) -> None:  # type: ignore[no-untyped-def]
    occurrences = evaluate(catalog, Progress(), D(2023, 7, 10))
    facts = build_facts(catalog, occurrences, D(2023, 7, 10))
    tasks = {(f.fields["plan"], f.fields["task"]) for f in facts}
    assert ("qd-522-btp", "4") in tasks and ("ct-05-ttg", "B34") not in tasks


def test_engine_check_refuses_broken_links(rules_copy: Path) -> None:
    from engine.catalog.loader import check

    plan = rules_copy / "rules" / "plans" / "qd-522-btp.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace('["ct-05-ttg:B34"]', '["ct-05-ttg:B99"]'), encoding="utf-8")
    errors = [str(e) for e in check(rules_copy / "rules", rules_copy / "schedules")[0]]
    assert any(
        "nhiệm vụ 4, nhiệm vụ được thực hiện (implements)" in e and "«B99»" in e for e in errors
    )
    directive = rules_copy / "rules" / "plans" / "ct-05-ttg.yaml"
    text = directive.read_text(encoding="utf-8")
    directive.write_text(
        text.replace('  - id: "B34"\n', '  - id: "B34"\n    implements: ["qd-522-btp:4"]\n', 1),
        encoding="utf-8",
    )
    plan.write_text(plan.read_text(encoding="utf-8").replace("B99", "B34"), encoding="utf-8")
    errors = [str(e) for e in check(rules_copy / "rules", rules_copy / "schedules")[0]]
    assert any("vòng lặp" in e for e in errors)


# -- 8. the plan's own issuance; 9. reporting duties ------------------------------------------


@pytest.mark.parametrize(
    ("plan", "task", "signed"),
    [("qd-149-btp", "2", D(2022, 1, 28)), ("qd-910-btp", "1", D(2025, 3, 5))],
)
def test_the_decision_issuing_the_plan_is_done_on_its_signing(catalog, plan, task, signed) -> None:  # type: ignore[no-untyped-def]
    with freeze_time("2026-12-02"):
        found = occurrences_of(catalog, clock.today(), plan, task)
    assert {(o.status, o.done_on) for o in found} == {(S.DONE_ON_TIME, signed)}


def test_units_monthly_information_is_a_period_update(catalog) -> None:  # type: ignore[no-untyped-def]
    found = occurrences_of(catalog, D(2023, 12, 1), "qd-522-btp", "TC-1")
    assert {o.kind for o in found} == {UPDATE}
    assert {o.status for o in found} <= {S.REPORT_MISSING, S.REPORTED, S.IN_PROGRESS, S.DUE_SOON}
    assert S.REPORT_MISSING in {o.status for o in found}
    assert {o.due for o in found if o.milestone == "2023-05"} == {D(2023, 5, 15)}
    (report,) = occurrences_of(catalog, D(2023, 12, 1), "qd-522-btp", "TC-2")[:1]
    assert report.kind == "deliverable"  # the monthly report has a printed product


# -- 11. old periods collapse ----------------------------------------------------------------


def test_old_missing_updates_fold_into_one_line_per_task_and_unit(catalog) -> None:  # type: ignore[no-untyped-def]
    from engine.collapse import collapse

    found = occurrences_of(catalog, D(2024, 2, 20), "qd-522-btp", "TC-1")
    missing = [o for o in found if o.unit == "van-phong-bo" and o.status == S.REPORT_MISSING]
    assert len(missing) > 1  # the status JSON keeps one row per period
    kept, lines = collapse(found)
    (line,) = [m for m in lines if m.unit == "van-phong-bo"]
    assert line.label == f"chưa cập nhật {len(line.periods)} kỳ, từ tháng 4/2023"
    assert [o.milestone for o in kept if o.unit == "van-phong-bo"] == ["2024-02"]


def test_the_link_page_shows_the_folded_line(client, app) -> None:  # type: ignore[no-untyped-def]
    with freeze_time("2024-02-20"):
        token = app.state.web.links.make("vu-tccb")
        page = client.get(f"/u/{token}")
    assert page.status_code == 200
    assert "chưa cập nhật" in page.text and "kỳ, từ tháng 4/2023" in page.text


def test_an_email_folds_old_missing_updates(catalog) -> None:  # type: ignore[no-untyped-def]
    from engine.emails import EmailRenderer
    from engine.escalation.rules import EscalationRule
    from engine.notices import Notice, NoticeItem

    day = D(2024, 2, 20)
    found = [
        o
        for o in occurrences_of(catalog, day, "qd-522-btp", "TC-1")
        if o.unit == "van-phong-bo" and o.milestone >= "2023-11"
    ]
    facts = build_facts(catalog, found, day)
    rule = next(r for r in catalog.escalation.rules if r.template == "update_request")
    assert isinstance(rule, EscalationRule)
    notice = Notice(
        day, rule, "van-phong-bo", tuple(NoticeItem(f, f.key) for f in facts if f.occurrence)
    )
    rows = EmailRenderer(catalog, RULES.parent / "notifications").rows(notice)
    labels = [r["milestone_label"] for r in rows]
    assert labels == ["chưa cập nhật 3 kỳ, từ tháng 11/2023", "tháng 2/2024"]


# -- 12. what the plans' body text assigns; simulate --plan -----------------------------------


@pytest.mark.parametrize(
    ("plan", "task", "milestone", "due"),
    [
        ("qd-522-btp", "TC-1a", "2023", D(2024, 1, 2)),  # 31/12/2023 is a Sunday, 1/1 Tết
        ("qd-149-btp", "TC-1b", "2022", D(2023, 1, 3)),  # "trong năm 2022"; 2/1/2023 off
        ("qd-149-btp", "TC-1c", "2023", D(2024, 1, 2)),  # "Hàng năm"
    ],
)
def test_dated_duties_of_the_body_text_are_followed(catalog, plan, task, milestone, due) -> None:  # type: ignore[no-untyped-def]
    found = [
        o for o in occurrences_of(catalog, D(2024, 1, 15), plan, task) if o.milestone == milestone
    ]
    assert found and {o.original_due for o in found} == {due}
    assert {o.status for o in found} == {S.OVERDUE}


def test_simulate_for_one_plan_shows_only_its_obligations(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ENGINE_RULES_DIR", str(RULES))
    monkeypatch.setenv("ENGINE_SCHEDULES_DIR", str(SCHEDULES))
    monkeypatch.setenv("ENGINE_DATABASE_URL", f"sqlite:///{tmp_path / 'engine.db'}")
    monkeypatch.setenv("ENGINE_MATCHER", "python")
    args = [
        "simulate",
        "--from",
        "2023-07-03",
        "--to",
        "2023-07-14",
        "--plan",
        "522",
        "--format",
        "json",
    ]
    notices = json.loads(CliRunner().invoke(app, args).output)
    digests = [n for n in notices if n["recipient"] == "van-phong-bo"]
    assert notices and digests
    assert {o["plan"] for n in notices for o in n["occurrences"]} == {"qd-522-btp"}


def test_the_admin_form_records_a_request_for_the_units_it_names(app, admin_client) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import Session, select

    from engine.store.tables import TriggerRow
    from tests.webutil import csrf_of

    csrf = csrf_of(admin_client.get("/").text)
    request = {
        "csrf": csrf,
        "action": "event",
        "plan": "qd-910-btp",
        "task": "23",
        "on": "2025-04-01",
        "key": "CV-9",
    }
    asked = admin_client.post("/admin/record", data=request)
    assert asked.status_code == 400 and "ghi rõ từng đơn vị" in asked.text
    named = {**request, "unit": "Cục Công nghệ thông tin; Văn phòng Bộ"}
    assert admin_client.post("/admin/record", data=named, follow_redirects=False).status_code == 303
    with Session(app.state.web.engine) as session:
        row = session.execute(select(TriggerRow)).scalar_one()
    assert (row.kind, row.units) == ("request", "cuc-cntt van-phong-bo")


def test_status_json_shows_owner_and_holder(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ENGINE_RULES_DIR", str(RULES))
    monkeypatch.setenv("ENGINE_SCHEDULES_DIR", str(SCHEDULES))
    monkeypatch.setenv("ENGINE_DATABASE_URL", f"sqlite:///{tmp_path / 'engine.db'}")
    args = ["status", "--as-of", "2025-06-01", "--plan", "522", "--format", "json"]
    rows = json.loads(CliRunner().invoke(app, args).output)
    task5 = {r["unit"]: r["holder"] for r in rows if r["task"] == "5"}
    assert sorted(task5) == SEVEN and task5["cuc-con-nuoi"] == "cuc-hctp"
    directive = json.loads(
        CliRunner().invoke(app, [*args[:-4], "--plan", "ct-05-ttg", "--format", "json"]).output
    )
    (b34,) = [r for r in directive if r["task"] == "B34"]
    assert b34["implemented_by"] == "qd-522-btp:4"
