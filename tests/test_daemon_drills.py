"""Drills of the sender and the daemon as real processes and after downtime: SIGKILL mid-send,
two senders at once, days missed while the daemon was down (``ENGINE_TODAY``), a run that
crashed, two daemons on one database, and mail failing for hours. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlmodel import Session
from typer.testing import CliRunner

from engine import runner
from engine.cli import app
from engine.config import load_settings
from engine.mail import SmtpConfig, deliver
from engine.runner import run_day
from engine.scheduler import Daemon
from engine.store import claims, days, outbox
from engine.store.database import record
from engine.store.tables import DayRun, NoticeItemRow, OutboxMessage
from tests import smtp_faults
from tests.conftest import ROOT, RULES, SCHEDULES, seed_catalog_cache, shipped_rules_in_memory

TEMPLATES = ROOT / "notifications"
DAY = date(2023, 7, 3)
MAILS = 28  # emails of DAY on the shipped rules (one per recipient)
ENGINE = str(Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "engine")


def _env(database_url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "ENGINE_DATABASE_URL": database_url,
        "ENGINE_SMTP_PORT": str(port),
        "ENGINE_SMTP_CONNECTIONS": "2",
    }


def _sender(database_url: str, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [ENGINE, "outbox", "send"],
        cwd=ROOT,
        env=_env(database_url, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.fixture
def day_of_mail(db, day_run, unused_port):  # type: ignore[no-untyped-def]
    """DAY's run in the database (``day_run``) and a fault-mode SMTP server on a free port."""
    handler, controller = smtp_faults.start(unused_port)
    yield handler, outbox.messages(db, limit=1000)
    controller.stop()


def test_sigkill_mid_send(db, database_url, unused_port, day_of_mail, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Killed after some deliveries: its messages come back after the lease (at most 2 min,
    shortened here) and are sent once; the only repeats are messages the server accepted
    and the dead process had not yet marked sent (the documented window)."""
    assert timedelta(minutes=2) >= claims.LEASE
    handler, rows = day_of_mail
    handler.delay = 0.05
    process = _sender(database_url, unused_port)
    deadline = time.monotonic() + 30
    while len(handler.deliveries) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(0.3)  # the server finishes a DATA already received: it keeps that message too
    accepted = {m for m, _ in handler.deliveries}
    marked = {m.message_id for m in outbox.messages(db, "sent", 1000)}
    window = accepted - marked
    monkeypatch.setattr(claims, "LEASE", timedelta(seconds=0.5))
    time.sleep(0.6)

    report = asyncio.run(deliver(db, SmtpConfig(port=unused_port)))
    assert report.sent == MAILS - len(marked)
    counts = Counter(m for m, _ in handler.deliveries)
    assert set(counts) == {r.message_id for r in rows}
    assert {m for m, n in counts.items() if n > 1} == window
    assert outbox.counts(db) == {"sent": MAILS}


def test_two_sender_processes_at_once(db, database_url, unused_port, day_of_mail) -> None:  # type: ignore[no-untyped-def]
    handler, rows = day_of_mail
    handler.delay = 0.02
    processes = [_sender(database_url, unused_port) for _ in range(2)]
    for process in processes:
        assert process.wait(timeout=60) == 0, process.stderr.read()
    assert Counter(handler.deliveries) == Counter(
        (r.message_id, a) for r in rows for a in r.addresses.split(",")
    )
    assert outbox.counts(db) == {"sent": MAILS}


def _daemon(tmp_path: Path, database_url: str, **overrides) -> Daemon:  # type: ignore[no-untyped-def]
    settings = load_settings(
        rules_dir=RULES,
        schedules_dir=SCHEDULES,
        database_url=database_url,
        data_dir=tmp_path,
        templates_dir=TEMPLATES,
        matcher="python",
        smtp_port=1,  # nothing listens: mail waits in the outbox
        **overrides,
    )
    with shipped_rules_in_memory():
        return Daemon.start(settings)


def _daily_keys(folder: Path, first: date, last: date) -> set[str]:
    """The idempotency keys of the items that daily runs from ``first`` to ``last`` make (on
    their own SQLite database): the reference of the downtime drills."""
    daily = _daemon(folder, f"sqlite:///{folder / 'daily.db'}")
    day = first
    while day <= last:
        run_day(daily.catalog, daily.engine, day, daily.matcher, TEMPLATES)
        day += timedelta(days=1)
    keys = {i.idempotency_key for i in _items(daily.engine)}
    daily.engine.dispose()
    return keys


@pytest.fixture(scope="module")
def daily_from_19_06(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Daily runs from 19/06/2023 to 03/07/2023 (made once for both databases)."""
    return _daily_keys(tmp_path_factory.mktemp("daily"), date(2023, 6, 19), date(2023, 7, 3))


@pytest.fixture(scope="module")
def daily_from_29_06(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Daily runs from 29/06/2023 to 03/07/2023 (made once for both databases)."""
    return _daily_keys(tmp_path_factory.mktemp("daily"), date(2023, 6, 29), date(2023, 7, 3))


def _items(engine) -> list[NoticeItemRow]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.execute(select(NoticeItemRow)).scalars())


def test_daemon_after_days_of_downtime(
    tmp_path, database_url, monkeypatch, caplog, daily_from_19_06
) -> None:  # type: ignore[no-untyped-def]
    """Down from 20/06 to 02/07, started on 03/07: every missed day is run in date order and
    every item a daily run would have made exists, sent or superseded (and logged)."""
    monkeypatch.setenv("ENGINE_TODAY", "2023-06-19")
    daemon = _daemon(tmp_path, database_url)
    daemon.catch_up()
    monkeypatch.setenv("ENGINE_TODAY", "2023-07-03")
    with caplog.at_level(logging.INFO, logger="engine.runner"):
        daemon.catch_up()
    logged = [r for r in caplog.records if getattr(r, "event", None) == "superseded"]
    runs = sorted(r.day for r in days.last_runs(daemon.engine, 100) if r.finished_at)
    assert runs == [date(2023, 6, 19) + timedelta(days=n) for n in range(15)]
    items = {i.idempotency_key: i for i in _items(daemon.engine)}
    assert set(items) == daily_from_19_06  # nothing lost, nothing added
    superseded = [i for i in items.values() if i.superseded_by]
    assert superseded and all(i.message is None for i in superseded)
    assert len(logged) == len(superseded)
    assert all(items[i.superseded_by].day > i.day for i in superseded)
    assert all(i.message is not None for i in items.values() if not i.superseded_by)
    assert any(i.rule == "bao-cao-thang-han-cuoi" for i in items.values())
    daemon.engine.dispose()


def test_a_crashed_run_is_redone_and_a_live_one_left_alone(
    tmp_path, database_url, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ENGINE_TODAY", DAY.isoformat())
    daemon = _daemon(tmp_path, database_url)
    now = datetime.now(UTC)
    record(daemon.engine, DayRun(day=DAY, mode="scheduled", claimed_by="other", heartbeat_at=now))
    daemon.catch_up()  # a live run (fresh heartbeat) of another process: left alone
    assert outbox.counts(daemon.engine) == {}
    with Session(daemon.engine) as session, session.begin():
        session.execute(update(DayRun).values(heartbeat_at=now - days.DAY_LEASE * 2))
    daemon.send()  # the sender's job redoes the crashed run
    assert sum(outbox.counts(daemon.engine).values()) == MAILS
    assert days.days_to_run(daemon.engine, DAY) == []
    daemon.engine.dispose()


def test_two_daemons_exactly_one_evaluates(tmp_path, database_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ENGINE_TODAY", DAY.isoformat())
    daemons = [_daemon(tmp_path, database_url) for _ in range(2)]
    evaluated: list[date] = []
    real = runner.notices_for_day
    monkeypatch.setattr(
        runner, "notices_for_day", lambda *a, **k: evaluated.append(a[2]) or real(*a, **k)
    )
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=lambda d=d: (barrier.wait(), d.catch_up())) for d in daemons]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert evaluated == [DAY]
    assert sum(outbox.counts(daemons[0].engine).values()) == MAILS
    for daemon in daemons:
        daemon.engine.dispose()


def test_mail_failing_for_hours_tells_the_admins(tmp_path, database_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ENGINE_TODAY", DAY.isoformat())
    daemon = _daemon(tmp_path, database_url)
    daemon.catch_up()
    daemon.send()  # the server is down: every message waits
    assert outbox.counts(daemon.engine) == {"pending": MAILS}
    env = {"ENGINE_DATABASE_URL": database_url, "ENGINE_RULES_DIR": str(RULES)}
    health = CliRunner().invoke(app, ["health", "--format", "json"], env=env)
    assert health.exit_code == 0 and json.loads(health.stdout)["outbox"] == "ok"
    with Session(daemon.engine) as session, session.begin():
        session.execute(
            update(OutboxMessage).values(
                first_failure_at=datetime.now(UTC) - timedelta(hours=6, minutes=1)
            )
        )
    daemon.send()
    daemon.send()  # told once
    alerts = [m for m in outbox.messages(daemon.engine) if m.kind == "outbox_alert"]
    assert len(alerts) == 1 and alerts[0].addresses == "quan-tri@btp.example"
    assert f"{MAILS} thư chưa gửi được" in alerts[0].subject
    health = CliRunner().invoke(app, ["health", "--format", "json"], env=env)
    assert health.exit_code == 1
    assert json.loads(health.stdout)["outbox"] == "degraded"
    daemon.engine.dispose()


def test_engine_serve_after_downtime(
    db, database_url, tmp_path, unused_port, daily_from_29_06
) -> None:  # type: ignore[no-untyped-def]
    """The real daemon (``engine serve``) started on 03/07/2023 after its last finished run on
    28/06: it runs 29/06 to 03/07 in date order and sends every message once."""
    record(db, DayRun(day=date(2023, 6, 28), mode="scheduled", finished_at=datetime.now(UTC)))
    handler, controller = smtp_faults.start(unused_port)
    env = _env(database_url, unused_port) | {
        "ENGINE_TODAY": "2023-07-03",
        "ENGINE_RULES_DIR": str(RULES),
        "ENGINE_SCHEDULES_DIR": str(SCHEDULES),
        "ENGINE_TEMPLATES_DIR": str(TEMPLATES),
        "ENGINE_DATA_DIR": str(tmp_path),
        "ENGINE_MATCHER": "python",
    }
    seed_catalog_cache(tmp_path)  # the daemon starts from the validated catalogue
    process = subprocess.Popen(
        [ENGINE, "serve", "--no-web"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            finished = [r.day for r in days.last_runs(db, 10) if r.finished_at]
            counts = outbox.counts(db)
            if date(2023, 7, 3) in finished and counts and set(counts) == {"sent"}:
                break
            time.sleep(0.2)
    finally:
        process.kill()
        process.wait()
        controller.stop()
    assert sorted(finished) == [date(2023, 6, 28) + timedelta(days=n) for n in range(6)]
    rows = outbox.messages(db, limit=1000)
    assert Counter(handler.deliveries) == Counter(
        (r.message_id, a) for r in rows for a in r.addresses.split(",")
    )
    assert {i.idempotency_key for i in _items(db)} == daily_from_29_06
    assert {i.rule for i in _items(db) if i.superseded_by}  # what gave way is recorded
