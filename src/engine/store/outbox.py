"""The persistent outbox: nothing lost, nothing twice.

* **Enqueue** (one transaction per recipient): insert the notice items with
  ``ON CONFLICT (idempotency_key) DO NOTHING``, many rows per statement; only the items this
  call inserted go into a new message, rendered and stored in the same transaction. A re-run
  of a day, a catch-up, or a second process running at the same time therefore never
  enqueues an item twice; a crash before commit leaves nothing behind, and the next run
  enqueues it. Items a catch-up found superseded are recorded (history) with
  ``superseded_by`` and put in no message.
* **Claim** and **result**: see :mod:`engine.store.claims`.
* Every message keeps one Message-ID for its life, so a retry after a disconnect that may have
  delivered is recognisable by the receiving side.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from engine.notices import HistoryKey, Notice
from engine.store.batches import MAX_VARIABLES, chunks, insert_for, rows_per_statement
from engine.store.days import last_runs as last_runs  # re-exported for the web app
from engine.store.tables import OUTBOX_MESSAGES as _MESSAGES
from engine.store.tables import NoticeItemRow, OutboxMessage, SilenceRow

_ITEMS = NoticeItemRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


#: Renders one recipient's notices (only the items newly enqueued) into an email.
Renderer = Callable[[str, Sequence[Notice]], Rendered]
#: Email addresses of a recipient (unit id or "admins").
AddressBook = Callable[[str], Sequence[str]]
#: The bytes sent over SMTP for (Message-ID, addresses, rendered email, idempotency keys of
#: its items): built once, at enqueue time, so that every attempt sends the same message.
Composer = Callable[[str, Sequence[str], Rendered, Sequence[str]], bytes]


def _now() -> datetime:
    return datetime.now(UTC)


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
    superseded: Mapping[str, str] | None = None,
) -> list[int]:
    """Store the notices; return the ids of the messages created (one per recipient). Items
    whose key is in ``superseded`` are stored with the key that replaced them, in no message."""
    superseded = superseded or {}
    by_recipient: dict[str, list[Notice]] = {}
    for notice in notices:
        by_recipient.setdefault(notice.recipient, []).append(notice)
    created: list[int] = []
    for recipient, own in by_recipient.items():
        with engine.begin() as connection:
            fresh = _insert_items(connection, engine, own, superseded) - superseded.keys()
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
            to = list(addresses(recipient))
            message = _message_values(
                recipient,
                to,
                kept[0].day,
                render(recipient, kept),
                fresh,
                compose,
                status="pending" if to else "failed",
                last_error=None if to else "đơn vị chưa có địa chỉ thư",
            )
            message_id = connection.execute(
                insert(_MESSAGES).returning(_MESSAGES.c.id), message
            ).scalar_one()
            for keys in chunks(sorted(fresh), MAX_VARIABLES - 1):
                connection.execute(
                    update(_ITEMS)
                    .where(_ITEMS.c.idempotency_key.in_(keys))
                    .values(message=message_id)
                )
            created.append(message_id)
    return created


def _message_values(
    recipient: str,
    to: Sequence[str],
    day: date,
    rendered: Rendered,
    keys: Iterable[str],
    compose: Composer,
    **fields: Any,
) -> dict[str, Any]:
    """The column values of a new message to ``to`` made of the items ``keys`` (its
    Message-ID and raw bytes derive from them); ``fields`` override the table's defaults."""
    keys = sorted(keys)
    message_id = message_id_for(recipient, day, keys)
    return OutboxMessage(
        message_id=message_id,
        raw=compose(message_id, to, rendered, keys),
        recipient=recipient,
        addresses=",".join(to),
        run_day=day,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        **fields,
    ).model_dump(exclude={"id"})


def _insert_items(
    connection: Connection, engine: Engine, notices: Sequence[Notice], superseded: Mapping[str, str]
) -> set[str]:
    """Insert the items of one recipient's notices, in the caller's transaction; return the
    keys this call inserted (an item already stored, by an earlier run or by another process
    at the same time, is skipped by ``ON CONFLICT DO NOTHING``).

    Rule: one multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING idempotency_key`` per
    chunk of rows (every chunk within :data:`MAX_VARIABLES`), rows in key order so that two
    processes inserting the same keys lock them in the same order (no deadlock on PostgreSQL);
    a key repeated within the notices is inserted once, by its first item.
    """
    rows: dict[str, dict[str, object]] = {}
    for notice in notices:
        for item in notice.items:
            fields = item.fact.fields
            rows.setdefault(
                item.idempotency_key,
                {
                    "idempotency_key": item.idempotency_key,
                    "day": notice.day,
                    "rule": notice.rule.id,
                    "level": notice.level,
                    "recipient": notice.recipient,
                    "occurrence": item.fact.key,
                    "plan": fields["plan"],
                    "task": fields["task"],
                    "unit": fields["unit"],
                    "milestone": fields["milestone"],
                    "superseded_by": superseded.get(item.idempotency_key),
                },
            )
    statement = (
        insert_for(engine, _ITEMS)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(_ITEMS.c.idempotency_key)
    )
    inserted: set[str] = set()
    for chunk in chunks([rows[key] for key in sorted(rows)], rows_per_statement(_ITEMS)):
        inserted.update(connection.execute(statement, chunk).scalars())
    return inserted


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
    statement = (
        insert_for(engine, _MESSAGES)
        .values(_message_values(recipient, to, day, rendered, [key], compose, kind=kind))
        .on_conflict_do_nothing(index_elements=["message_id"])
        .returning(_MESSAGES.c.id)
    )
    with engine.begin() as connection:
        inserted = connection.execute(statement).scalar()
    return [inserted] if inserted else []


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
    """Put a failed message back in the queue, for the addresses not yet accepted."""
    with Session(engine) as session, session.begin():
        row = session.get(OutboxMessage, message_id)
        if row is None or row.status != "failed":
            return False
        row.outcomes = {a: o for a, o in row.outcomes.items() if o["state"] == "accepted"}
        row.status, row.next_attempt_at, row.failure_reported = "pending", _now(), False
        row.first_failure_at = None
        return True


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


def failing_since(engine: Engine, older_than: timedelta) -> list[OutboxMessage]:
    """Messages still not sent that have been failing (temporarily) for at least ``older_than``."""
    with Session(engine) as session:
        rows = list(
            session.execute(
                select(OutboxMessage)
                .where(
                    OutboxMessage.status.in_(["pending", "sending"]),
                    OutboxMessage.first_failure_at <= _now() - older_than,
                )
                .order_by(OutboxMessage.id)
            ).scalars()
        )
        session.expunge_all()
        return rows


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
