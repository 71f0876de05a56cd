"""The follow-up commands and the daemon: run-once, simulate, outbox, silence, health, serve."""

from __future__ import annotations

import email
import json
import shutil
from datetime import date
from email import policy
from pathlib import Path

import pytest
from freezegun import freeze_time
from typer.testing import CliRunner

from engine.cli import app
from engine.config import load_settings
from engine.scheduler import Daemon
from engine.store import outbox
from tests.conftest import RULES, SCHEDULES
from tests.test_outbox_delivery import Recorder

NOTICE_FIELDS = {"date", "rule", "level", "recipient", "template", "occurrences"}
OCCURRENCE_FIELDS = {"plan", "task", "unit", "milestone", "due", "status"}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("ENGINE_RULES_DIR", str(RULES))
    monkeypatch.setenv("ENGINE_SCHEDULES_DIR", str(SCHEDULES))
    monkeypatch.setenv("ENGINE_TEMPLATES_DIR", str(RULES.parent / "notifications"))
    monkeypatch.setenv("ENGINE_DATABASE_URL", f"sqlite:///{tmp_path / 'engine.db'}")
    monkeypatch.setenv("ENGINE_MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setenv("ENGINE_MATCHER", "python")
    return CliRunner()


def _json(result) -> object:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_simulate_2023_for_522(env: CliRunner) -> None:
    notices = _json(
        env.invoke(
            app,
            [
                "simulate",
                "--from",
                "2023-01-01",
                "--to",
                "2023-12-31",
                "--plan",
                "522",
                "--format",
                "json",
            ],
        )
    )
    assert notices and all(set(n) >= NOTICE_FIELDS for n in notices)
    assert all(set(o) >= OCCURRENCE_FIELDS for n in notices for o in n["occurrences"])
    rules = {n["rule"] for n in notices}
    assert {
        "nhac-truoc-7-ngay",
        "nhac-truoc-1-ngay",
        "thong-bao-qua-han",
        "bao-van-phong-bo",
        "bao-lanh-dao-bo",
    } <= rules
    report_months = sorted(
        n["date"][:7]
        for n in notices
        if n["rule"] == "bao-cao-thang-han-cuoi"
        and any(o["plan"] == "qd-522-btp" for o in n["occurrences"])
    )
    assert report_months == [f"2023-{m:02d}" for m in range(4, 13)]  # every month since the plan
    assert all(n["date"][8:] < "22" for n in notices if n["rule"] == "bao-cao-thang-han-cuoi")
    seen = set()
    for n in notices:
        for o in n["occurrences"]:
            marker = (
                n["date"],
                n["rule"],
                n["recipient"],
                o["plan"],
                o["task"],
                o["unit"],
                o["milestone"],
            )
            assert marker not in seen
            seen.add(marker)
    table = env.invoke(
        app, ["simulate", "--from", "2023-06-19", "--to", "2023-06-23", "--plan", "522"]
    )
    assert table.exit_code == 0 and "nhac-truoc-7-ngay" in table.output


def test_run_once_dry_run_writes_nothing(env: CliRunner) -> None:
    notices = _json(
        env.invoke(app, ["run-once", "--as-of", "2023-07-07", "--dry-run", "--format", "json"])
    )
    assert notices and all(set(n) >= NOTICE_FIELDS for n in notices)
    listing = env.invoke(app, ["outbox"])
    assert "Hộp thư đi trống" in listing.output


def test_run_once_sends_through_smtp_and_outbox_commands(
    env: CliRunner, monkeypatch, unused_port: int
) -> None:  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=unused_port)
    controller.start()
    monkeypatch.setenv("ENGINE_SMTP_PORT", str(unused_port))
    try:
        result = _json(env.invoke(app, ["run-once", "--as-of", "2023-07-07", "--format", "json"]))
        again = _json(env.invoke(app, ["run-once", "--as-of", "2023-07-07", "--format", "json"]))
    finally:
        controller.stop()
    assert result["sent"] == result["messages"] == len(handler.messages) > 0
    assert again["notices"] == [] and again["sent"] == 0
    listing = env.invoke(app, ["outbox", "--status", "sent", "--limit", "5"])
    assert listing.exit_code == 0 and "sent" in listing.output
    assert env.invoke(app, ["outbox", "retry", "1"]).exit_code == 2  # not failed
    health = _json(env.invoke(app, ["health", "--format", "json"]))
    assert (
        health["last_run_day"] == "2023-07-07"
        and health["pending"] == 0
        and health["rules"] == "ok"
    )


def test_silence_commands(env: CliRunner) -> None:
    added = env.invoke(
        app,
        [
            "silence",
            "add",
            "--plan",
            "522",
            "--task",
            "4",
            "--author",
            "Nguyễn Văn A",
            "--reason",
            "Đang trình Lãnh đạo Bộ",
            "--until",
            "2023-07-31",
        ],
    )
    assert added.exit_code == 0, added.output
    listed = env.invoke(app, ["silence", "list"])
    assert "Nguyễn Văn A" in listed.output
    notices = _json(
        env.invoke(app, ["run-once", "--as-of", "2023-07-07", "--dry-run", "--format", "json"])
    )
    assert not [
        o
        for n in notices
        for o in n["occurrences"]
        if o["plan"] == "qd-522-btp" and o["task"] == "4"
    ]
    assert env.invoke(app, ["silence", "remove", "1"]).exit_code == 0
    bad = env.invoke(
        app,
        [
            "silence",
            "add",
            "--task",
            "4",
            "--author",
            "A",
            "--reason",
            "B",
            "--until",
            "2023-07-31",
        ],
    )
    assert bad.exit_code == 2 and "--plan" in bad.output


def test_demo_writes_eml_files(env: CliRunner, tmp_path: Path, unused_port: int) -> None:
    result = env.invoke(app, ["demo", "--as-of", "2023-06-21", "--port", str(unused_port)])
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert files
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert "Đề án 06" in message["Subject"]
    assert "ngày 21 tháng 6 năm 2023" in message.get_body(("plain",)).get_content()


def test_daemon_keeps_last_good_rules_and_runs_a_day_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(RULES, tmp_path / "rules")
    shutil.copytree(SCHEDULES, tmp_path / "schedules")
    settings = load_settings(
        rules_dir=tmp_path / "rules",
        schedules_dir=tmp_path / "schedules",
        database_url=f"sqlite:///{tmp_path / 'engine.db'}",
        templates_dir=RULES.parent / "notifications",
        matcher="python",
        smtp_port=1,  # nothing listens: mail waits in the outbox
    )
    daemon = Daemon.start(settings)
    good = daemon.catalog
    plan = tmp_path / "rules" / "plans" / "qd-522-btp.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace('deadline: "Quý III-IV/2023"', 'deadline: "Sớm"'),
        encoding="utf-8",
    )
    assert daemon.reload_if_changed() is False
    assert daemon.catalog is good and daemon.rules_state == "broken"
    assert any("«Sớm»" in e for e in daemon.rules_errors)
    admin = [m for m in outbox.messages(daemon.engine) if m.recipient == "admins"]
    assert len(admin) == 1 and "Sớm" in admin[0].body_text
    assert daemon.reload_if_changed() is False  # unchanged broken files: no second email
    plan.write_text(
        plan.read_text(encoding="utf-8").replace('deadline: "Sớm"', 'deadline: "Quý III-IV/2023"'),
        encoding="utf-8",
    )
    assert daemon.reload_if_changed() is True and daemon.rules_state == "ok"
    with freeze_time("2023-07-07 01:00:00"):
        daemon.daily(mode="catch-up")
        first = outbox.counts(daemon.engine)
        daemon.daily()  # the scheduled run of the same day does nothing
        assert outbox.counts(daemon.engine) == first
    runs = outbox.last_runs(daemon.engine)
    assert [(r.day, r.mode) for r in runs] == [(date(2023, 7, 7), "catch-up")]
