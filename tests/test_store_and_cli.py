"""Recorded progress in a real database (SQLite file and PostgreSQL) and through the CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.progress import Progress
from engine.status import Status, evaluate
from engine.store.database import load_progress, record
from engine.store.tables import (
    CancellationRow,
    CompletionRow,
    ExtensionRow,
    PeriodUpdateRow,
    SuspensionRow,
    TriggerRow,
)
from tests.conftest import RULES, SCHEDULES


def test_round_trip_of_every_record_type(db, catalog) -> None:  # type: ignore[no-untyped-def]
    record(
        db,
        CompletionRow(
            plan="qd-522-btp",
            task="4",
            unit="cuc-htqtct",
            done_on=date(2023, 6, 20),
            evidence="Công văn số 1/HTQTCT",
        ),
    )
    record(
        db,
        PeriodUpdateRow(
            plan="qd-149-btp",
            task="5",
            unit="vu-plhshc",
            period="2022-02",
            reported_on=date(2022, 2, 10),
        ),
    )
    record(
        db,
        TriggerRow(
            plan="qd-910-btp", task="2", kind="event", key="CT-07", occurred_on=date(2025, 3, 10)
        ),
    )
    record(
        db, SuspensionRow(plan="qd-522-btp", task="5", start=date(2023, 8, 1), reason="Chờ Luật")
    )
    record(
        db,
        CancellationRow(
            plan="qd-522-btp", task="6", effective=date(2023, 5, 1), reason="Không còn phù hợp"
        ),
    )
    record(
        db,
        ExtensionRow(
            plan="qd-522-btp",
            task="7",
            new_due=date(2023, 8, 31),
            granted_on=date(2023, 6, 1),
            reason="Chờ VPCP",
        ),
    )
    progress = load_progress(db)
    assert (len(progress.completions), len(progress.updates), len(progress.triggers)) == (1, 1, 1)
    assert progress.completions[0].evidence == "Công văn số 1/HTQTCT"
    occurrences = {o.key: o.status for o in evaluate(catalog, progress, date(2023, 9, 1))}
    assert occurrences["qd-522-btp/4/cuc-htqtct/2023-06"] == Status.DONE_ON_TIME
    assert occurrences["qd-522-btp/5/cuc-bttp/2023-09"] == Status.SUSPENDED
    assert all(
        s == Status.CANCELLED for k, s in occurrences.items() if k.startswith("qd-522-btp/6/")
    )


def test_duplicate_trigger_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import IntegrityError

    row = {
        "plan": "qd-910-btp",
        "task": "2",
        "kind": "event",
        "key": "CT-07",
        "occurred_on": date(2025, 3, 10),
    }
    record(db, TriggerRow(**row))
    with pytest.raises(IntegrityError):
        record(db, TriggerRow(**row))


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> CliRunner:
    monkeypatch.setenv("ENGINE_RULES_DIR", str(RULES))
    monkeypatch.setenv("ENGINE_SCHEDULES_DIR", str(SCHEDULES))
    monkeypatch.setenv("ENGINE_DATABASE_URL", database_url)
    return CliRunner()


def _status_json(runner: CliRunner, *args: str) -> list[dict]:
    result = runner.invoke(app, ["status", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_cli_records_progress_and_status_changes(cli_env: CliRunner) -> None:
    rows = _status_json(
        cli_env, "--as-of", "2023-07-10", "--plan", "522/QĐ-BTP", "--unit", "Cục HTQTCT"
    )
    row = next(r for r in rows if r["task"] == "4")
    assert row["status"] == "overdue" and row["due"] == "2023-06-30"
    for key in ("plan", "task", "unit", "milestone", "timing_class", "due", "status"):
        assert key in row
    done = cli_env.invoke(
        app,
        [
            "progress",
            "done",
            "522",
            "4",
            "--date",
            "2023-07-03",
            "--evidence",
            "Báo cáo số 12/BC-HTQTCT",
        ],
    )
    assert done.exit_code == 0, done.output
    rows = _status_json(
        cli_env, "--as-of", "2023-07-10", "--plan", "qd-522-btp", "--status", "done_late"
    )
    assert [r["task"] for r in rows] == ["4"]


def test_cli_event_update_extend_suspend_cancel(cli_env: CliRunner) -> None:
    invoke = cli_env.invoke
    assert (
        invoke(app, ["event", "910", "2", "--date", "2025-03-10", "--key", "CT-07"]).exit_code == 0
    )
    refused = invoke(app, ["event", "910", "1", "--date", "2025-03-10"])
    assert refused.exit_code == 2 and "không phải loại theo sự kiện" in refused.output
    assert (
        invoke(
            app, ["progress", "update", "149", "5", "--period", "2022-02", "--date", "2022-02-10"]
        ).exit_code
        == 0
    )
    assert (
        invoke(
            app,
            [
                "progress",
                "extend",
                "522",
                "7",
                "--new-due",
                "2023-08-31",
                "--reason",
                "Chờ VPCP",
                "--date",
                "2023-06-01",
            ],
        ).exit_code
        == 0
    )
    assert (
        invoke(
            app, ["progress", "suspend", "522", "5", "--reason", "Chờ Luật", "--from", "2023-08-01"]
        ).exit_code
        == 0
    )
    assert (
        invoke(
            app,
            [
                "progress",
                "cancel",
                "522",
                "6",
                "--reason",
                "Không còn phù hợp",
                "--date",
                "2023-05-01",
            ],
        ).exit_code
        == 0
    )
    statuses = {
        (r["plan"], r["task"], r["milestone"]): r["status"]
        for r in _status_json(cli_env, "--as-of", "2025-03-11")
    }
    assert statuses[("qd-910-btp", "2", "event:CT-07")] == "in_progress"
    assert statuses[("qd-149-btp", "5", "2022-02")] == "reported"
    assert statuses[("qd-522-btp", "5", "2023-09")] == "suspended"
    assert statuses[("qd-522-btp", "6", "2023-06")] == "cancelled"


def test_cli_input_errors_are_explained(cli_env: CliRunner) -> None:
    result = cli_env.invoke(app, ["progress", "done", "522", "99"])
    assert result.exit_code == 2 and "không có nhiệm vụ «99»" in result.output
    result = cli_env.invoke(app, ["status", "--as-of", "2023-02-30"])
    assert result.exit_code == 2 and "không phải ngày" in result.output
    result = cli_env.invoke(app, ["progress", "done", "522", "TC-2"])
    assert result.exit_code == 2 and "--milestone" in result.output


def test_cli_parse_json(cli_env: CliRunner) -> None:
    result = cli_env.invoke(app, ["parse", "Quý III-IV/2023", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["class"] == "quarter" and data["due"] == ["2024-01-02"]
    assert data["milestones"][0]["window_start"] == "2023-07-01"
    bad = cli_env.invoke(app, ["parse", "Khi nào xong"])
    assert bad.exit_code == 1 and "không đọc được" in bad.output


def test_cli_summary(cli_env: CliRunner) -> None:
    result = cli_env.invoke(app, ["summary", "--as-of", "2023-12-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    plans = {row["plan"]: row for row in data["plans"]}
    assert plans["qd-522-btp"]["overdue"] > 0 and plans["qd-522-btp"]["no_deadline"] > 0
    table = cli_env.invoke(app, ["summary", "--as-of", "2023-12-31"])
    assert "Tổng hợp theo kế hoạch" in table.output and "522/QĐ-BTP" in table.output


def test_cli_status_csv_and_table(cli_env: CliRunner) -> None:
    csv_out = cli_env.invoke(
        app, ["status", "--as-of", "2023-06-21", "--plan", "522", "--format", "csv"]
    )
    assert csv_out.exit_code == 0 and csv_out.output.startswith("plan,plan_number,task")
    table = cli_env.invoke(
        app, ["status", "--as-of", "2023-06-21", "--plan", "522", "--status", "due_soon"]
    )
    assert "Sắp đến hạn" in table.output


def test_progress_is_empty_on_a_new_database(db) -> None:  # type: ignore[no-untyped-def]
    assert load_progress(db) == Progress() or load_progress(db).empty


def test_cli_summary_filters(cli_env: CliRunner) -> None:
    result = cli_env.invoke(
        app,
        [
            "summary",
            "--as-of",
            "2023-12-31",
            "--plan",
            "522",
            "--unit",
            "Văn phòng Bộ",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [row["plan"] for row in data["plans"]] == ["qd-522-btp"]
    assert {row["unit"] for row in data["units"]} == {"van-phong-bo"}
