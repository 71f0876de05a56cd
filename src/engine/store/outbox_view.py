"""The stable JSON view of the outbox (``engine outbox --format json``, README "Outbox JSON").

One object per message: ``id``, ``message_id``, ``recipient``, ``status``, ``attempts``,
``run_day``, ``subject``, ``last_error``, ``addresses`` (each address with its outcome:
``pending`` until tried, then ``accepted``, ``temporary`` or ``permanent`` with the SMTP reply)
and ``items`` (the idempotency keys it carries, with plan, task, unit, milestone, rule and
recipient).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engine.store.tables import NoticeItemRow, OutboxMessage


def describe(engine: Engine, rows: Sequence[OutboxMessage]) -> list[dict[str, Any]]:
    ids = [r.id for r in rows]
    items: dict[int, list[dict[str, Any]]] = {}
    with Session(engine) as session:
        for item in session.execute(
            select(NoticeItemRow).where(NoticeItemRow.message.in_(ids)).order_by(NoticeItemRow.id)
        ).scalars():
            assert item.message is not None
            items.setdefault(item.message, []).append(
                {
                    "key": item.idempotency_key,
                    "plan": item.plan,
                    "task": item.task,
                    "unit": item.unit,
                    "milestone": item.milestone,
                    "rule": item.rule,
                    "recipient": item.recipient,
                    "day": item.day.isoformat(),
                }
            )
    return [
        {
            "id": r.id,
            "message_id": r.message_id,
            "recipient": r.recipient,
            "status": r.status,
            "attempts": r.attempts,
            "run_day": r.run_day.isoformat(),
            "subject": r.subject,
            "last_error": r.last_error,
            "addresses": [
                {"address": a, "state": "pending", "code": None, "text": None}
                | (r.outcomes or {}).get(a, {})
                for a in r.addresses.split(",")
                if a
            ],
            "items": items.get(r.id or 0, []),
        }
        for r in rows
    ]
