"""The persistent outbox: nothing lost, nothing twice.

* **Enqueue** (one transaction per recipient): insert the notice items with
  ``ON CONFLICT (idempotency_key) DO NOTHING``; only the items this call inserted go into a
  new message, rendered and stored in the same transaction. A re-run of a day, a catch-up, or
  a second process running at the same time therefore never enqueues an item twice; a crash
  before commit leaves nothing behind, and the next run enqueues it.
* **Claim**: ``UPDATE ... WHERE id IN (SELECT ... [FOR UPDATE SKIP LOCKED]) RETURNING`` marks
  due messages ``sending`` with a lease; a claim older than the lease (a crashed sender) is
  taken back. Select-then-update is not used: it duplicated sends in measurements.
* **Result**: sent; transient failure (4xx, disconnect, time-out) → pending again with
  exponential back-off; permanent failure (5xx, every recipient refused) → failed, listed by
  ``engine outbox`` and reported to the admins once.
* Every message keeps one Message-ID for its life, so a retry after a disconnect that may have
  delivered is recognisable by the receiving side.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engine.notices import HistoryKey, Notice
from engine.store.tables import DayRun, NoticeItemRow, OutboxMessage, SilenceRow

LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)
FIRST_BACKOFF = timedelta(minutes=1)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


#: Renders one recipient's notices (only the items newly enqueued) into an email.
Renderer = Callable[[str, Sequence[Notice]], Rendered]
#: Email addresses of a recipient (unit id or "admins").
AddressBook = Callable[[str], Sequence[str]]
#: The bytes sent over SMTP for (Message-ID, addresses, rendered email): built once, at
#: enqueue time, so that every attempt sends exactly the same message.
Composer = Callable[[str, Sequence[str], Rendered], bytes]


def _now() -> datetime:
    return datetime.now(UTC)


def _insert(engine: Engine, table):  # type: ignore[no-untyped-def]
    dialect = engine.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    return insert(table)  # pragma: no cover - only SQLite and PostgreSQL are supported


def history(engine: Engine) -> dict[HistoryKey, date]:
    """Last day each (occurrence, rule, recipient) was enqueued."""
    with Session(engine) as session:
        rows = session.execute(
            select(
                NoticeItemRow.occurrence,
                NoticeItemRow.rule,
                NoticeItemRow.recipient,
                func.max(NoticeItemRow.day),
            ).group_by(NoticeItemRow.occurrence, NoticeItemRow.rule, NoticeItemRow.recipient)
        )
        return {(o, r, p): d for o, r, p, d in rows}


def message_id_for(recipient: str, day: date, keys: Iterable[str]) -> str:
    digest = hashlib.sha256(
        "|".join([recipient, day.isoformat(), *sorted(keys)]).encode()
    ).hexdigest()
    return f"<{digest[:32]}@dean06.btp.example>"


def enqueue(
    engine: Engine,
    notices: Sequence[Notice],
    render: Renderer,
    addresses: AddressBook,
    compose: Composer,
) -> list[int]:
    """Store the notices; return the ids of the messages created (one per recipient)."""
    by_recipient: dict[str, list[Notice]] = {}
    for notice in notices:
        by_recipient.setdefault(notice.recipient, []).append(notice)
    created: list[int] = []
    for recipient, own in by_recipient.items():
        with Session(engine) as session, session.begin():
            fresh: set[str] = set()
            for notice in own:
                for item in notice.items:
                    fields = item.fact.fields
                    statement = (
                        _insert(engine, NoticeItemRow)
                        .values(
                            idempotency_key=item.idempotency_key,
                            day=notice.day,
                            rule=notice.rule.id,
                            level=notice.level,
                            recipient=recipient,
                            occurrence=item.fact.key,
                            plan=fields["plan"],
                            task=fields["task"],
                            unit=fields["unit"],
                            milestone=fields["milestone"],
                        )
                        .on_conflict_do_nothing(index_elements=["idempotency_key"])
                        .returning(NoticeItemRow.idempotency_key)
                    )
                    inserted = session.execute(statement).scalar()
                    if inserted:
                        fresh.add(inserted)
            if not fresh:
                continue
            kept = [
                Notice(
                    n.day,
                    n.rule,
                    n.recipient,
                    tuple(i for i in n.items if i.idempotency_key in fresh),
                )
                for n in own
            ]
            kept = [n for n in kept if n.items]
            rendered = render(recipient, kept)
            to = list(addresses(recipient))
            message_id = message_id_for(recipient, kept[0].day, fresh)
            message = OutboxMessage(
                message_id=message_id,
                raw=compose(message_id, to, rendered),
                recipient=recipient,
                addresses=",".join(to),
                run_day=kept[0].day,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                status="pending" if to else "failed",
                last_error=None if to else "đơn vị chưa có địa chỉ thư",
            )
            session.add(message)
            session.flush()
            session.execute(
                update(NoticeItemRow)
                .where(NoticeItemRow.idempotency_key.in_(fresh))
                .values(message=message.id)
            )
            assert message.id is not None
            created.append(message.id)
    return created


def enqueue_plain(
    engine: Engine,
    recipient: str,
    to: Sequence[str],
    day: date,
    rendered: Rendered,
    key: str,
    compose: Composer,
    kind: str = "other",
) -> list[int]:
    """A message that is not made of notices (the admins' failure report); ``key`` dedups it."""
    message_id = message_id_for(recipient, day, [key])
    statement = (
        _insert(engine, OutboxMessage)
        .values(
            message_id=message_id,
            raw=compose(message_id, to, rendered),
            kind=kind,
            recipient=recipient,
            addresses=",".join(to),
            run_day=day,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            status="pending",
            attempts=0,
            next_attempt_at=_now(),
            created_at=_now(),
            failure_reported=False,
        )
        .on_conflict_do_nothing(index_elements=["message_id"])
        .returning(OutboxMessage.id)
    )
    with Session(engine) as session, session.begin():
        inserted = session.execute(statement).scalar()
    return [inserted] if inserted else []


def claim(engine: Engine, limit: int = 100, worker: str | None = None) -> list[OutboxMessage]:
    """Take up to ``limit`` messages due for sending (and expired claims) for this worker."""
    worker = worker or f"{socket.gethostname()}:{id(engine)}"
    now = _now()
    due = (
        select(OutboxMessage.id)
        .where(
            ((OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now))
            | ((OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < now - LEASE))
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(
            status="sending", claimed_by=worker, claimed_at=now, attempts=OutboxMessage.attempts + 1
        )
        .returning(OutboxMessage)
    )
    with Session(engine) as session, session.begin():
        rows = list(session.execute(statement).scalars())
        session.expunge_all()
    return rows


def mark_sent(engine: Engine, message_id: int, note: str | None = None) -> None:
    _finish(engine, message_id, status="sent", sent_at=_now(), last_error=note)


def mark_failed(engine: Engine, message_id: int, error: str) -> None:
    _finish(engine, message_id, status="failed", last_error=error)


def mark_retry(engine: Engine, message_id: int, attempts: int, error: str) -> None:
    delay = min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)
    _finish(engine, message_id, status="pending", next_attempt_at=_now() + delay, last_error=error)


def _finish(engine: Engine, message_id: int, **values) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session, session.begin():
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "sending")
            .values(claimed_by=None, claimed_at=None, **values)
        )


def messages(engine: Engine, status: str | None = None, limit: int = 200) -> list[OutboxMessage]:
    with Session(engine) as session:
        statement = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
        if status:
            statement = statement.where(OutboxMessage.status == status)
        rows = list(session.execute(statement).scalars())
        session.expunge_all()
        return rows


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        rows = session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        return {status: n for status, n in rows}


def retry(engine: Engine, message_id: int) -> bool:
    """Put a failed message back in the queue."""
    return _set_status(
        engine,
        message_id,
        "failed",
        status="pending",
        next_attempt_at=_now(),
        failure_reported=False,
    )


def cancel(engine: Engine, message_id: int) -> bool:
    return _set_status(engine, message_id, "pending", "failed", status="cancelled")


def _set_status(engine: Engine, message_id: int, *from_status: str, **values) -> bool:  # type: ignore[no-untyped-def]
    with Session(engine) as session, session.begin():
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(from_status))
            .values(**values)
        )
        return result.rowcount == 1


def unreported_failures(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        rows = list(
            session.execute(
                select(OutboxMessage).where(
                    OutboxMessage.status == "failed",
                    OutboxMessage.failure_reported.is_(False),
                    OutboxMessage.kind != "failure_report",  # no report about a report
                )
            ).scalars()
        )
        session.expunge_all()
        return rows


def mark_failures_reported(engine: Engine, ids: Iterable[int]) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)))
            .values(failure_reported=True)
        )


def start_day(engine: Engine, day: date, mode: str) -> bool:
    """Record that ``day`` is being run; False when it was already run (by anyone)."""
    statement = (
        _insert(engine, DayRun)
        .values(day=day, mode=mode, host=socket.gethostname(), started_at=_now())
        .on_conflict_do_nothing(index_elements=["day"])
        .returning(DayRun.day)
    )
    with Session(engine) as session, session.begin():
        return session.execute(statement).scalar() is not None


def day_started(engine: Engine, day: date) -> bool:
    with Session(engine) as session:
        return session.get(DayRun, day) is not None


def finish_day(engine: Engine, day: date, notices: int, messages_created: int) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(DayRun)
            .where(DayRun.day == day)
            .values(finished_at=_now(), notices=notices, messages=messages_created)
        )


def last_runs(engine: Engine, limit: int = 10) -> list[DayRun]:
    with Session(engine) as session:
        rows = list(
            session.execute(select(DayRun).order_by(DayRun.day.desc()).limit(limit)).scalars()
        )
        session.expunge_all()
        return rows


def add_silence(engine: Engine, row: SilenceRow) -> SilenceRow:
    with Session(engine) as session:
        session.add(row)
        session.commit()
        session.refresh(row)
        session.expunge(row)
        return row


def silences(engine: Engine) -> list[SilenceRow]:
    with Session(engine) as session:
        rows = list(session.execute(select(SilenceRow).order_by(SilenceRow.id)).scalars())
        session.expunge_all()
        return rows


def remove_silence(engine: Engine, silence_id: int) -> bool:
    with Session(engine) as session, session.begin():
        row = session.get(SilenceRow, silence_id)
        if row is None:
            return False
        session.delete(row)
        return True
