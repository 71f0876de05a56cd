"""Extension requests not yet decided, shown on the obligations they are about."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engine.render import vn_date
from engine.status import Occurrence
from engine.store.tables import ExtensionRequestRow

Key = tuple[str, str, str, str]


def pending_extensions(engine: Engine) -> dict[Key, ExtensionRequestRow]:
    """Pending requests by (plan, task, unit, milestone); an obligation has at most one."""
    with Session(engine) as session:
        rows = list(
            session.execute(
                select(ExtensionRequestRow).where(ExtensionRequestRow.status == "pending")
            ).scalars()
        )
        session.expunge_all()
    return {(r.plan, r.task, r.unit, r.milestone): r for r in rows}


def pending_note(pending: dict[Key, ExtensionRequestRow], occ: Occurrence) -> str:
    """ "Đã đề nghị gia hạn đến 15/03/2024, chờ Văn phòng Bộ xem xét" or ""."""
    row = pending.get((occ.plan, occ.task, occ.unit, occ.milestone))
    if row is None:
        return ""
    return f"Đã đề nghị gia hạn đến {vn_date(row.requested_due)}, chờ Văn phòng Bộ xem xét"
