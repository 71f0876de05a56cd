"""The outbox against a real SMTP server (aiosmtpd on loopback) and real databases:
nothing lost, nothing twice — across re-runs, catch-ups, concurrent runs, SMTP failures,
an SMTP outage and a crash in the middle of sending."""

from __future__ import annotations

import asyncio
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update
from sqlmodel import Session

from engine.escalation.matcher import PythonMatcher
from engine.mail import SmtpConfig, deliver
from engine.runner import run_day
from engine.store import claims, outbox
from engine.store.database import make_engine
from engine.store.tables import NoticeItemRow, OutboxMessage
from tests.conftest import ROOT
from tests.smtp_faults import Received

TEMPLATES = ROOT / "notifications"
DAY = date(2023, 7, 7)


class Recorder:
    """An SMTP server's handler that records messages and can misbehave on demand."""

    def __init__(self) -> None:
        self.messages = Received()
        self.data_replies: list[str] = []  # replies to use, in order, before accepting
        self.refuse: set[str] = set()
        self.drop_next = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        if address in self.refuse:
            return "550 5.1.1 Không có hộp thư này"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        with self.lock:
            if self.drop_next:
                self.drop_next -= 1
                server.transport.close()
                return "421 closing"
            if self.data_replies:
                return self.data_replies.pop(0)
            self.messages.add(envelope.original_content)
        return "250 OK"


@pytest.fixture
def smtp(unused_port: int):  # type: ignore[no-untyped-def]
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=unused_port)
    controller.start()
    yield handler, SmtpConfig(host="127.0.0.1", port=unused_port, connections=3, timeout=5)
    controller.stop()


@pytest.fixture
def fast_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claims, "FIRST_BACKOFF", timedelta(0))


@pytest.fixture(scope="module")
def matcher(catalog):  # type: ignore[no-untyped-def]
    return PythonMatcher(catalog.escalation.rules)


def _items(db) -> list[NoticeItemRow]:  # type: ignore[no-untyped-def]
    with Session(db) as session:
        return list(session.execute(select(NoticeItemRow).order_by(NoticeItemRow.id)).scalars())


def _messages(db) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with Session(db) as session:
        return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def test_one_email_per_recipient_and_rerun_adds_nothing(catalog, db, matcher) -> None:  # type: ignore[no-untyped-def]
    first = run_day(catalog, db, DAY, matcher, TEMPLATES)
    recipients = [m.recipient for m in _messages(db)]
    assert len(recipients) == len(set(recipients)) == len(first.messages) > 5
    items = len(_items(db))
    assert items == sum(len(n.items) for n in first.notices)
    again = run_day(catalog, db, DAY, matcher, TEMPLATES)
    assert again.notices == [] and again.messages == []
    assert len(_items(db)) == items


def test_catch_up_over_several_days_never_repeats_an_item(catalog, db, matcher) -> None:  # type: ignore[no-untyped-def]
    day = date(2023, 6, 19)
    while day <= date(2023, 7, 14):
        run_day(catalog, db, day, matcher, TEMPLATES, mode="catch-up")
        run_day(catalog, db, day, matcher, TEMPLATES, mode="catch-up")  # a re-run changes nothing
        day += timedelta(days=1)
    items = _items(db)
    triples = [(i.occurrence, i.rule, i.recipient, i.day) for i in items]
    assert len(triples) == len(set(triples))
    reminders = [i for i in items if i.occurrence == "qd-522-btp/4/cuc-htqtct/2023-06"]
    assert [(i.day, i.rule) for i in reminders][:3] == [
        (date(2023, 6, 21), "nhac-truoc-7-ngay"),
        (date(2023, 6, 29), "nhac-truoc-1-ngay"),
        (date(2023, 7, 3), "thong-bao-qua-han"),
    ]


@pytest.fixture(scope="module")
def items_of_one_run(catalog, matcher) -> int:  # type: ignore[no-untyped-def]
    """How many items a run of DAY makes on its own (in memory; the same for both databases)."""
    single = run_day(catalog, make_engine("sqlite://"), DAY, matcher, TEMPLATES)
    return sum(len(n.items) for n in single.notices)


def test_two_processes_at_once_enqueue_each_item_once(
    catalog, database_url, items_of_one_run
) -> None:  # type: ignore[no-untyped-def]
    engines = [make_engine(database_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(engine) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            run_day(catalog, engine, DAY, PythonMatcher(catalog.escalation.rules), TEMPLATES)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    keys = [i.idempotency_key for i in _items(engines[0])]
    assert len(keys) == len(set(keys)) == items_of_one_run
    for engine in engines:
        engine.dispose()


def test_delivery_to_a_real_smtp_server(db, day_run, smtp) -> None:  # type: ignore[no-untyped-def]
    handler, config = smtp
    report = asyncio.run(deliver(db, config))
    rows = _messages(db)
    assert report.sent == len(rows) == len(handler.messages)
    assert {m["Message-ID"] for m in handler.messages} == {r.message_id for r in rows}
    digest = next(m for m in handler.messages if "van-phong-bo@btp.example" in m["To"])
    assert "Đề án 06" in digest["Subject"]
    assert "Kính gửi: Văn phòng Bộ" in digest.get_body(("plain",)).get_content()
    assert "<table" in digest.get_body(("html",)).get_content()
    assert asyncio.run(deliver(db, config)).sent == 0  # nothing left, nothing twice


def test_transient_4xx_is_retried_and_delivered_once(db, day_run, smtp, fast_retry) -> None:  # type: ignore[no-untyped-def]
    handler, config = smtp
    total = len(_messages(db))
    handler.data_replies = ["451 4.3.0 Hệ thống bận"] * 3
    first = asyncio.run(deliver(db, config))
    assert first.retried == 3 and first.sent == total - 3
    second = asyncio.run(deliver(db, config))
    assert second.sent == 3
    ids = [m["Message-ID"] for m in handler.messages]
    assert len(ids) == len(set(ids)) == total


def test_permanent_5xx_fails_and_is_reported_to_admins(catalog, db, day_run, matcher, smtp) -> None:  # type: ignore[no-untyped-def]
    handler, config = smtp
    handler.data_replies = ["554 5.7.1 Từ chối nội dung"]
    report = asyncio.run(deliver(db, config))
    assert report.failed == 1
    failed = outbox.messages(db, "failed")
    assert len(failed) == 1 and "554" in (failed[0].last_error or "")
    run_day(catalog, db, DAY + timedelta(days=3), matcher, TEMPLATES)
    asyncio.run(deliver(db, config))
    admin_mail = [m for m in handler.messages if "thư không gửi được" in m["Subject"]]
    assert (
        len(admin_mail) == 1
        and failed[0].message_id in admin_mail[0].get_body(("plain",)).get_content()
    )
    assert outbox.retry(db, failed[0].id)
    assert asyncio.run(deliver(db, config)).sent == 1


def test_refused_recipients(db, day_run, smtp) -> None:  # type: ignore[no-untyped-def]
    handler, config = smtp
    handler.refuse = {"van-phong-bo@btp.example"}
    report = asyncio.run(deliver(db, config))
    assert report.failed == 1  # its only recipient was refused: permanent
    assert "từ chối" in (outbox.messages(db, "failed")[0].last_error or "")


def test_disconnect_is_transient(db, day_run, smtp, fast_retry) -> None:  # type: ignore[no-untyped-def]
    handler, config = smtp
    total = len(_messages(db))
    handler.drop_next = 2
    first = asyncio.run(deliver(db, config))
    assert first.retried == 2
    asyncio.run(deliver(db, config))
    assert len({m["Message-ID"] for m in handler.messages}) == len(handler.messages) == total


def test_server_down_then_up(db, day_run, unused_port, fast_retry) -> None:  # type: ignore[no-untyped-def]
    config = SmtpConfig(host="127.0.0.1", port=unused_port, timeout=2)
    total = len(_messages(db))
    down = asyncio.run(deliver(db, config))
    assert down.retried == total and down.sent == 0
    assert outbox.counts(db) == {"pending": total}
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=unused_port)
    controller.start()
    try:
        up = asyncio.run(deliver(db, config))
    finally:
        controller.stop()
    assert up.sent == total == len(handler.messages)


def test_restart_in_the_middle_of_sending(db, day_run, smtp) -> None:  # type: ignore[no-untyped-def]
    handler, config = smtp
    total = len(_messages(db))
    crashed = claims.claim(db, limit=5, worker="crashed-process")  # claimed, then the process died
    assert len(crashed) == 5
    report = asyncio.run(deliver(db, config))
    assert report.sent == total - 5  # the claimed ones are leased to the dead worker
    with Session(db) as session, session.begin():  # the lease expires
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "sending")
            .values(claimed_at=OutboxMessage.created_at - claims.LEASE * 2)
        )
    report = asyncio.run(deliver(db, config))
    assert report.sent == 5
    ids = [m["Message-ID"] for m in handler.messages]
    assert len(ids) == len(set(ids)) == total
    assert outbox.counts(db) == {"sent": total}


def test_message_ids_are_stable(catalog, db, day_run, matcher, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = {m.id: m.message_id for m in _messages(db)}
    run_day(catalog, db, DAY, matcher, TEMPLATES)
    assert {m.id: m.message_id for m in _messages(db)} == before
