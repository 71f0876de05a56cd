"""The outbox for officers: the list of emails (filtered, paged) and each email as it was sent.

Rules: officers and admins only. The list filters by delivery state (``status``), recipient
(``unit``), run day (``from`` / ``to``, ``dd/mm/yyyy``) and words of the subject (``q``,
diacritics ignored), newest first. An email's page shows its recipients, subject, the time it
was sent (``dd/mm/yyyy HH:MM``, +07:00), its delivery state and each address's answer in
Vietnamese, and the text and HTML bodies read back from the stored MIME message (the bytes
that went over SMTP); the HTML is shown in a sandboxed frame with no scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlmodel import Session

from engine.store.tables import NoticeItemRow, OutboxMessage
from engine.web import listing
from engine.web.common import Officer, page, web
from engine.web.labels import DELIVERY_LABELS, OUTCOME_LABELS, delivery_state

router = APIRouter()

SORTS = {"new": "Mới nhất trước", "old": "Cũ nhất trước", "recipient": "Người nhận"}


@dataclass(frozen=True)
class Sent:
    """One email in the list: no bodies, only what the list shows."""

    id: int
    run_day: date
    recipient: str
    addresses: str
    subject: str
    state: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None


def _listed(request: Request, f: listing.Filters) -> list[Sent]:
    columns = (
        OutboxMessage.id,
        OutboxMessage.run_day,
        OutboxMessage.recipient,
        OutboxMessage.addresses,
        OutboxMessage.subject,
        OutboxMessage.status,
        OutboxMessage.attempts,
        OutboxMessage.last_error,
        OutboxMessage.sent_at,
    )
    statement = select(*columns)
    if f.status in ("pending", "retrying"):
        statement = statement.where(OutboxMessage.status.in_(["pending", "sending"]))
    elif f.status:
        statement = statement.where(OutboxMessage.status == f.status)
    if f.unit:
        statement = statement.where(OutboxMessage.recipient == f.unit)
    if f.start:
        statement = statement.where(OutboxMessage.run_day >= f.start)
    if f.end:
        statement = statement.where(OutboxMessage.run_day <= f.end)
    with Session(web(request).engine) as session:
        rows = session.execute(statement).all()
    found = [
        Sent(i, day, who, to, subject, delivery_state(status, error), tries, error, at)
        for i, day, who, to, subject, status, tries, error, at in rows
        if listing.contains(subject, f.q)
    ]
    if f.status:
        found = [m for m in found if m.state == f.status]
    if f.order == "recipient":
        found.sort(key=lambda m: (m.recipient, -m.id))
    else:
        found.sort(key=lambda m: m.id, reverse=f.order != "old")
    return found


def _state_counts(request: Request) -> dict[str, int]:
    """How many emails are in each delivery state."""
    failed_last = OutboxMessage.last_error.is_not(None)
    with Session(web(request).engine) as session:
        rows = session.execute(
            select(OutboxMessage.status, failed_last, func.count()).group_by(
                OutboxMessage.status, failed_last
            )
        ).all()
    counts: dict[str, int] = {}
    for status, failed, n in rows:
        state = delivery_state(status, "x" if failed else None)
        counts[state] = counts.get(state, 0) + n
    return {s: counts[s] for s in DELIVERY_LABELS if s in counts}


@router.get("/notices", response_class=HTMLResponse)
def notices_page(request: Request, user: Officer) -> HTMLResponse:
    state = web(request)
    filters = listing.read_filters(
        request.query_params,
        state.catalog,
        statuses=DELIVERY_LABELS,
        sorts=SORTS,
        default_sort="new",
    )
    counts = _state_counts(request)
    rows = listing.paginate(_listed(request, filters), filters.page)
    response = page(
        request,
        "notices.html",
        view=filters,
        options=listing.options(
            state.catalog, statuses=DELIVERY_LABELS, sorts=SORTS, dates="Ngày chạy"
        ),
        rows=rows,
        counts=counts,
    )
    if filters.errors:
        response.status_code = 400
    return response


def _bodies(raw: bytes) -> tuple[EmailMessage, str, str]:
    """The parsed message and its text and HTML bodies as sent."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return (
        message,
        text.get_content() if text is not None else "",
        html.get_content() if html is not None else "",
    )


@router.get("/notices/{message_id}", response_class=HTMLResponse)
def notice_page(request: Request, user: Officer, message_id: int) -> HTMLResponse:
    """One email as it was sent, and the obligations it was about."""
    state = web(request)
    with Session(state.engine) as session:
        row = session.get(OutboxMessage, message_id)
        if row is None:
            raise HTTPException(404, "Không có thư này")
        items = list(
            session.execute(
                select(NoticeItemRow)
                .where(NoticeItemRow.message == message_id)
                .order_by(NoticeItemRow.plan, NoticeItemRow.task, NoticeItemRow.unit)
            ).scalars()
        )
        session.expunge_all()
    message, text, html = _bodies(row.raw)
    recipients = [address for _, address in getaddresses(message.get_all("To", []))]
    return page(
        request,
        "notice.html",
        message=row,
        headers=message,
        recipients=recipients or row.addresses.split(","),
        text=text,
        html=html,
        items=items,
        rules={r.id: r.name for r in state.catalog.escalation.rules},
        state=DELIVERY_LABELS.get(delivery_state(row.status, row.last_error), row.status),
        outcomes={a: OUTCOME_LABELS.get(o.get("state", ""), "") for a, o in row.outcomes.items()},
    )
