"""ENGINE_TODAY pins "today" for every command, the daemon and the web app included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine import clock
from engine.cli import app as cli
from engine.config import load_settings
from engine.scheduler import Daemon
from engine.store import outbox
from tests.conftest import RULES, SCHEDULES
from tests.webutil import TestClient, login

DAY = date(2023, 6, 21)


def _engine(*args: str, env: dict[str, str]) -> str:
    """Run the real ``engine`` command in a new process and return its standard output."""
    command = [sys.executable, "-m", "engine.cli", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def test_status_with_engine_today_equals_as_of(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ENGINE_RULES_DIR": str(RULES),
        "ENGINE_SCHEDULES_DIR": str(SCHEDULES),
        "ENGINE_DATABASE_URL": f"sqlite:///{tmp_path / 'engine.db'}",
    }
    pinned = _engine("status", "--format", "json", env={**env, "ENGINE_TODAY": "2023-06-21"})
    explicit = _engine("status", "--as-of", "2023-06-21", "--format", "json", env=env)
    assert pinned == explicit
    assert json.loads(pinned)


def test_clock_reads_engine_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_TODAY", "2023-06-21")
    assert clock.today() == DAY
    monkeypatch.setenv("ENGINE_TODAY", "")
    assert clock.today() != DAY  # empty: the wall clock


def test_malformed_engine_today_is_refused_in_vietnamese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_TODAY", "21/06/2023")
    result = CliRunner().invoke(cli, ["summary"])
    assert result.exit_code == 2
    assert "ENGINE_TODAY" in result.output and "không phải là một ngày hợp lệ" in result.output


def _settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    return load_settings(
        rules_dir=RULES,
        schedules_dir=SCHEDULES,
        database_url=f"sqlite:///{tmp_path / 'engine.db'}",
        templates_dir=RULES.parent / "notifications",
        data_dir=tmp_path,
        matcher="python",
        smtp_port=1,  # nothing listens: mail waits in the outbox
        secret_key="khoa-bi-mat-cho-kiem-thu",
    )


def test_daemon_catch_up_and_health_use_the_pinned_day(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ENGINE_TODAY", "2023-06-21")
    settings = _settings(tmp_path)
    daemon = Daemon.start(settings)
    daemon.daily(mode="catch-up")
    assert [(r.day, r.mode) for r in outbox.last_runs(daemon.engine)] == [(DAY, "catch-up")]
    assert {m.run_day for m in outbox.messages(daemon.engine)} == {DAY}
    daemon.daily()  # the scheduled run of the pinned day: nothing new
    assert [r.day for r in outbox.last_runs(daemon.engine)] == [DAY]

    monkeypatch.setenv("ENGINE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ENGINE_RULES_DIR", str(RULES))
    monkeypatch.setenv("ENGINE_SCHEDULES_DIR", str(SCHEDULES))
    health = CliRunner().invoke(cli, ["health", "--format", "json"])
    data = json.loads(health.output)
    assert (data["today"], data["last_run_day"]) == ("2023-06-21", "2023-06-21")
    table = CliRunner().invoke(cli, ["health"])
    assert "Hôm nay: 21/06/2023" in table.output


def test_dashboard_and_unit_link_page_default_to_the_pinned_day(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from engine.runner import unit_links
    from engine.store.database import record
    from engine.store.tables import UserRow
    from engine.web.app import create_app
    from tests.webutil import cheap_password_hash

    monkeypatch.setenv("ENGINE_TODAY", "2023-06-21")
    settings = _settings(tmp_path)
    application = create_app(settings)
    record(
        application.state.web.engine,
        UserRow(username="vp", full_name="Nguyễn Văn A", password_hash=cheap_password_hash()),
    )
    client = TestClient(application)
    link = unit_links(settings)("van-phong-bo", {}).split("/u/", 1)[1]
    page = client.get(f"/u/{link}")
    assert page.status_code == 200 and "21/06/2023" in page.text
    login(client)
    overview = client.get("/")
    assert overview.status_code == 200 and "21/06/2023" in overview.text
    application.state.web.engine.dispose()


def test_now_keeps_the_time_of_day_on_the_pinned_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_TODAY", "2023-06-21")
    moment = clock.now()
    assert moment.date() == DAY and moment.utcoffset() is not None
    assert moment.utcoffset().total_seconds() == 7 * 3600  # type: ignore[union-attr]


def test_emails_are_dated_the_pinned_day(monkeypatch: pytest.MonkeyPatch) -> None:
    import email
    from email.utils import parsedate_to_datetime

    from engine.mime import composer
    from engine.store.outbox import Rendered

    monkeypatch.setenv("ENGINE_TODAY", "2023-06-21")
    raw = composer("Văn phòng Bộ <vp@btp.example>")(
        "<m@x.example>", ["a@x.example"], Rendered("Nhắc việc", "nội dung", "<p>nội dung</p>"), []
    )
    sent = parsedate_to_datetime(email.message_from_bytes(raw)["Date"])
    assert sent.date() == DAY and sent.utcoffset().total_seconds() == 7 * 3600  # type: ignore[union-attr]
