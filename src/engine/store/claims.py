"""Claims and results of the sender: a live sender's work is never taken, results per address.

* **Claim**: ``UPDATE ... WHERE id IN (SELECT ... [FOR UPDATE SKIP LOCKED]) RETURNING`` marks
  due messages ``sending`` with a lease and a fresh fencing token (select-then-update is not
  used: it duplicated sends in measurements). The live sender renews the lease of what it holds
  (:func:`renew`) and confirms it still holds a message right before sending it (:func:`hold`);
  a lease not renewed for :data:`LEASE` (a crashed sender) is taken back by the next claim.
  Every write of a result is fenced by the token.
* **Result** (:func:`record_outcomes`), per address: accepted addresses are never sent to again;
  the message is sent when every address accepted, pending again with exponential back-off
  while any address was refused temporarily (4xx, disconnect, time-out), failed when the only
  refusals left are permanent (5xx) — listed by ``engine outbox`` and reported to the admins.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engine.store.tables import OUTBOX_MESSAGES as _MESSAGES
from engine.store.tables import OutboxMessage

#: A claim not renewed for this long belongs to a crashed sender and is taken back.
LEASE = timedelta(seconds=90)
MAX_BACKOFF = timedelta(hours=1)
FIRST_BACKOFF = timedelta(minutes=1)


def _now() -> datetime:
    return datetime.now(UTC)


def claim(engine: Engine, limit: int = 100, worker: str | None = None) -> list[OutboxMessage]:
    """Take up to ``limit`` messages due for sending (and expired claims) under one new token."""
    worker = worker or f"{socket.gethostname()}:{os.getpid()}"
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
            status="sending",
            claimed_by=worker,
            claimed_at=now,
            claim_token=uuid.uuid4().hex,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage)
    )
    with Session(engine) as session, session.begin():
        rows = list(session.execute(statement).scalars())
        session.expunge_all()
    return rows


def renew(engine: Engine, tokens: Iterable[str]) -> int:
    """Extend the lease of the messages still held under ``tokens``; how many."""
    with engine.begin() as connection:
        return connection.execute(
            update(_MESSAGES)
            .where(_MESSAGES.c.claim_token.in_(list(tokens)), _MESSAGES.c.status == "sending")
            .values(claimed_at=_now())
        ).rowcount


def hold(engine: Engine, message_id: int, token: str) -> bool:
    """Renew one message's lease; False when it is no longer held under ``token``."""
    return _fenced(engine, message_id, token, claimed_at=_now())


def to_send(row: OutboxMessage) -> list[str]:
    """The addresses of a message still to be tried: neither accepted nor refused for good."""
    return [
        a
        for a in row.addresses.split(",")
        if a and (row.outcomes or {}).get(a, {}).get("state") not in ("accepted", "permanent")
    ]


def record_outcomes(
    engine: Engine, row: OutboxMessage, outcomes: dict[str, dict[str, Any]]
) -> str | None:
    """Store one attempt's per-address outcomes and the message's resulting status (returned;
    None when the claim was lost, i.e. another sender holds the message now)."""
    assert row.id is not None and row.claim_token is not None
    merged = {**(row.outcomes or {}), **outcomes}
    states = [merged.get(a, {}).get("state") for a in row.addresses.split(",") if a]
    refused = {a: o for a, o in merged.items() if o["state"] != "accepted"}
    error = "; ".join(f"{a}: {o['code']} {o['text']}" for a, o in refused.items()) or None
    now = _now()
    if states and all(state == "accepted" for state in states):
        values: dict[str, Any] = {"status": "sent", "sent_at": now, "last_error": None}
    elif "temporary" in states or not states:
        delay = min(FIRST_BACKOFF * 2 ** max(row.attempts - 1, 0), MAX_BACKOFF)
        values = {
            "status": "pending",
            "next_attempt_at": now + delay,
            "first_failure_at": row.first_failure_at or now,
            "last_error": error,
        }
    else:
        values = {"status": "failed", "last_error": "người nhận bị từ chối: " + (error or "")}
    written = _fenced(
        engine,
        row.id,
        row.claim_token,
        outcomes=merged,
        claimed_by=None,
        claimed_at=None,
        claim_token=None,
        **values,
    )
    return values["status"] if written else None


def _fenced(engine: Engine, message_id: int, token: str, **values: Any) -> bool:
    """Write ``values`` to the message if it is still held under ``token``. A Core statement:
    through the ORM's bulk update path, delivery ran at 140-145 emails/s instead of 215-221
    (``benchmarks/bench_followup.py``, ``docs/benchmarks.md``)."""
    with engine.begin() as connection:
        result = connection.execute(
            update(_MESSAGES)
            .where(
                _MESSAGES.c.id == message_id,
                _MESSAGES.c.claim_token == token,
                _MESSAGES.c.status == "sending",
            )
            .values(**values)
        )
        return result.rowcount == 1
