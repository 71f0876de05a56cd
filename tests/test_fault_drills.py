"""Fault drills of the outbox against a real SMTP server with fault modes (tests/smtp_faults.py)
and real databases (SQLite file, PostgreSQL): every drill counts exactly what was delivered —
each message once to each address, nothing lost, nothing stuck — apart from the documented
window between the server's "250" and the sent mark (docs/escalation.md)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections import Counter
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from engine import mail
from engine.cli import app
from engine.escalation.matcher import PythonMatcher
from engine.mail import SmtpConfig, deliver
from engine.runner import run_day
from engine.store import claims, outbox
from engine.store.database import make_engine
from engine.store.tables import OutboxMessage
from tests import smtp_faults
from tests.conftest import ROOT
from tests.test_daemon_drills import DAY, MAILS

TEMPLATES = ROOT / "notifications"


@pytest.fixture
def server(unused_port: int):  # type: ignore[no-untyped-def]
    handler, controller = smtp_faults.start(unused_port)
    yield handler, SmtpConfig(host="127.0.0.1", port=unused_port, connections=3, timeout=5)
    controller.stop()


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claims, "FIRST_BACKOFF", timedelta(0))


@pytest.fixture(scope="module")
def matcher(catalog):  # type: ignore[no-untyped-def]
    return PythonMatcher(catalog.escalation.rules)


def _day(db) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    """The messages of DAY's run, which the test's database starts with (``day_run``)."""
    rows = outbox.messages(db, limit=1000)
    assert len(rows) == MAILS
    return rows


def _each_once(handler, rows) -> None:  # type: ignore[no-untyped-def]
    """Every address of every message delivered exactly once; every message sent."""
    expected = Counter((r.message_id, a) for r in rows for a in r.addresses.split(",") if a)
    assert Counter(handler.deliveries) == expected


def _send(db, config) -> mail.DeliveryReport:  # type: ignore[no-untyped-def]
    return asyncio.run(deliver(db, config))


def _plain(db, to: list[str]) -> OutboxMessage:  # type: ignore[no-untyped-def]
    from engine.mime import composer

    rendered = outbox.Rendered("[Đề án 06] Thử", "Nội dung", "<p>Nội dung</p>")
    (message,) = outbox.enqueue_plain(
        db, "admins", to, DAY, rendered, "drill", composer("VP <vp@btp.example>")
    )
    return next(m for m in outbox.messages(db) if m.id == message)


def test_greylisting_on_rcpt_is_retried_and_delivered_once(db, day_run, server) -> None:  # type: ignore[no-untyped-def]
    handler, config = server
    rows = _day(db)
    handler.fault("RCPT", "450 4.2.0 Greylisted, try again", times=1000)
    first = _send(db, config)
    assert (first.sent, first.retried, first.failed) == (0, MAILS, 0)
    assert outbox.counts(db) == {"pending": MAILS}
    handler.faults.clear()
    second = _send(db, config)
    assert (second.sent, second.retried, second.failed) == (MAILS, 0, 0)
    _each_once(handler, rows)
    message = handler.messages[0]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] in {r.message_id for r in rows}
    keys = {i["key"] for m in _json(db) for i in m["items"]}
    assert set(message["X-Idempotency-Key"].split(", ")) <= keys


@pytest.mark.parametrize(
    ("stage", "reply"),
    [("MAIL", "451 4.3.0 Busy"), ("DATA", "452 4.3.1 Full"), ("DATA", "421 4.3.2 Closing")],
)
def test_4xx_at_any_stage_is_temporary(db, day_run, server, stage, reply) -> None:  # type: ignore[no-untyped-def]
    handler, config = server
    rows = _day(db)
    handler.fault(stage, reply, times=5)
    first = _send(db, config)
    assert (first.sent, first.retried, first.failed) == (MAILS - 5, 5, 0)
    assert _send(db, config).sent == 5
    _each_once(handler, rows)


def test_one_of_two_addresses_refused_for_now_retries_that_address_only(db, server) -> None:  # type: ignore[no-untyped-def]
    handler, config = server
    message = _plain(db, ["a@btp.example", "b@btp.example"])
    handler.fault("RCPT", "451 4.7.1 Try later", address="b@btp.example")
    assert _send(db, config).retried == 1
    (row,) = _json(db)
    assert row["status"] == "pending"
    assert [(a["address"], a["state"], a["code"]) for a in row["addresses"]] == [
        ("a@btp.example", "accepted", 250),
        ("b@btp.example", "temporary", 451),
    ]
    assert _send(db, config).sent == 1
    assert handler.deliveries == [
        (message.message_id, "a@btp.example"),
        (message.message_id, "b@btp.example"),
    ]
    assert outbox.counts(db) == {"sent": 1}


def test_5xx_is_permanent_per_address(db, server) -> None:  # type: ignore[no-untyped-def]
    handler, config = server
    message = _plain(db, ["a@btp.example", "b@btp.example"])
    handler.refuse = {"b@btp.example": "550 5.1.1 No such mailbox"}
    assert _send(db, config).failed == 1
    (row,) = _json(db)
    assert row["status"] == "failed"
    assert [a["state"] for a in row["addresses"]] == ["accepted", "permanent"]
    assert handler.deliveries == [(message.message_id, "a@btp.example")]
    assert _send(db, config).sent == 0  # failed for good: nothing is sent again


def test_drop_after_data_is_the_documented_window(db, day_run, server) -> None:  # type: ignore[no-untyped-def]
    """The server keeps a message but the connection drops before its "250": the message is
    sent again, with the same Message-ID and keys, which is how receivers de-duplicate."""
    handler, config = server
    rows = _day(db)
    handler.drop_after_data = 1
    assert _send(db, config).retried == 1
    assert _send(db, config).sent == 1
    ids = Counter(m["Message-ID"] for m in handler.messages)
    assert set(ids) == {r.message_id for r in rows} and sorted(ids.values()) == [1] * (
        MAILS - 1
    ) + [2]
    twice = [m for m in handler.messages if ids[m["Message-ID"]] == 2]
    assert twice[0].as_bytes() == twice[1].as_bytes()
    assert outbox.counts(db) == {"sent": MAILS}


def test_database_locked_right_after_the_250(database_url, day_run, server) -> None:  # type: ignore[no-untyped-def]
    """The sent mark meets a locked database: it is retried, nothing is sent twice."""
    handler, config = server
    db = make_engine(database_url, busy_timeout_ms=50)
    rows = _day(db)
    held = threading.Event()

    def lock_once() -> None:
        if held.is_set():
            return
        held.set()
        if db.dialect.name == "sqlite":
            connection = sqlite3.connect(db.url.database, check_same_thread=False)
            connection.execute("BEGIN EXCLUSIVE")
        else:
            import psycopg

            connection = psycopg.connect(database_url.replace("+psycopg", ""))
            connection.execute("LOCK TABLE outbox_message IN EXCLUSIVE MODE")
        threading.Timer(1.0, lambda: (connection.rollback(), connection.close())).start()

    handler.after_accept = lock_once
    report = _send(db, config)
    assert (report.sent, report.retried, report.failed) == (MAILS, 0, 0)
    _each_once(handler, rows)
    db.dispose()


def test_slow_server_and_a_second_sender(database_url, day_run, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A pass longer than the lease keeps its claims by renewing them; a second sender takes
    only what is free."""
    monkeypatch.setattr(claims, "LEASE", timedelta(seconds=1))
    monkeypatch.setattr(mail, "RENEW_EVERY", timedelta(seconds=0.2))
    handler, config = server
    handler.delay = 0.1
    engines = [make_engine(database_url) for _ in range(2)]
    rows = _day(engines[0])
    slow = SmtpConfig(host=config.host, port=config.port, connections=1, timeout=5)
    reports: list = []
    threads = [threading.Thread(target=lambda e=e: reports.append(_send(e, slow))) for e in engines]
    threads[0].start()
    threading.Event().wait(1.5)  # the first pass outlives the lease
    threads[1].start()
    for thread in threads:
        thread.join()
    assert sum(r.sent for r in reports) == MAILS
    _each_once(handler, rows)
    for engine in engines:
        engine.dispose()


def test_one_failing_message_never_stops_the_pass(db, day_run, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, config = server
    rows = _day(db)
    broken = rows[-1].id
    real = claims.to_send

    def to_send(row):  # type: ignore[no-untyped-def]
        if row.id == broken:
            raise RuntimeError("hỏng")
        return real(row)

    monkeypatch.setattr(claims, "to_send", to_send)
    report = _send(db, config)
    assert report.sent == MAILS - 1 and len(report.errors) == 1
    assert outbox.counts(db) == {"sent": MAILS - 1, "sending": 1}


def _json(db) -> list[dict]:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(
        app,
        ["outbox", "--format", "json"],
        env={"ENGINE_DATABASE_URL": str(db.url.render_as_string(hide_password=False))},
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_admins_report_is_retried_like_any_message(
    catalog, db, day_run, matcher, server
) -> None:  # type: ignore[no-untyped-def]
    handler, config = server
    _day(db)
    handler.fault("DATA", "554 5.7.1 Rejected")
    assert _send(db, config).failed == 1
    run_day(catalog, db, DAY + timedelta(days=1), matcher, TEMPLATES)
    (report,) = [m for m in outbox.messages(db) if m.kind == "failure_report"]
    handler.fault("RCPT", "451 4.7.1 Try later", address="quan-tri@btp.example")
    _send(db, config)
    assert next(m for m in outbox.messages(db) if m.id == report.id).status == "pending"
    _send(db, config)
    assert handler.delivered(report.message_id) == ["quan-tri@btp.example"]
