"""Units' forms, reached through the signed link of their reminder emails (no account).

Rules: the link must be genuine, unexpired, not revoked (:mod:`engine.web.guards` refuses
revoked links and ceased units before the body is read), and the obligation must be one of its
unit's open ones. A completion date lies between the obligation's window start (or the plan's
signing) and today; an extension asks for a date after the current due date (after today for an
undated obligation) with a reason, and an obligation has at most one pending request. Every
submission is recorded with the unit, the link id, the time and the client address.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlmodel import Session

from engine import clock
from engine.render import vn_date
from engine.status import UPDATE, Occurrence
from engine.store.database import record
from engine.store.tables import ExtensionRequestRow, SubmissionRow, progress_row
from engine.web import evidence, guards, views
from engine.web.common import form_date, page, web
from engine.web.pending import pending_extensions, pending_note
from engine.web.security import LinkClaims

router = APIRouter()


def _claims(request: Request, token: str) -> LinkClaims:
    return guards.link_claims(web(request), token)


def _check_form(request: Request, link: LinkClaims, csrf: str) -> None:
    if not web(request).links.check_csrf(link.link_id, csrf):
        raise HTTPException(403, "Biểu mẫu không hợp lệ (CSRF)")


def _occurrence(request: Request, unit: str, key: str, day: date) -> Occurrence:
    for occ in views.open_for_unit(web(request).occurrences(day), unit, day)[0]:
        if occ.key == key:
            return occ
    raise HTTPException(403, "Nhiệm vụ này không thuộc đơn vị của đường dẫn, hoặc không còn mở.")


def _submitted(request: Request, link: LinkClaims, action: str, key: str, detail: str) -> None:
    record(
        web(request).engine,
        SubmissionRow(
            unit=link.unit,
            link_id=link.link_id,
            action=action,
            occurrence=key,
            detail=detail,
            remote_addr=guards.client_address(request),
        ),
    )


def earliest_done(request: Request, occ: Occurrence) -> date:
    """The earliest acceptable completion date: the window's start, else the plan's signing."""
    return occ.window_start or web(request).catalog.plans[occ.plan].signed


@router.get("/u/{token}", response_class=HTMLResponse)
def unit_form(request: Request, token: str, ok: str | None = None) -> HTMLResponse:
    state = web(request)
    link = _claims(request, token)
    day = clock.today()
    occurrences, missed = views.open_for_unit(state.occurrences(day), link.unit, day)
    pending = pending_extensions(state.engine)
    return page(
        request,
        "unit_form.html",
        unit=state.catalog.units[link.unit],
        token=token,
        groups=views.task_groups(occurrences, missed, day),
        pending={o.key: note for o in occurrences if (note := pending_note(pending, o))},
        form_csrf=state.links.csrf(link.link_id),
        ok=ok,
        as_of=day,
        UPDATE=UPDATE,
        allowed=evidence.ALLOWED_TEXT,
    )


@router.post("/u/{token}/done")
async def unit_done(
    request: Request,
    token: str,
    occurrence: Annotated[str, Form()],
    done_on: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
    evidence_text: Annotated[str, Form(alias="evidence")] = "",
    note: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> RedirectResponse:
    link = _claims(request, token)
    _check_form(request, link, csrf)
    day = clock.today()
    occ = _occurrence(request, link.unit, occurrence, day)
    when = form_date(done_on, day)
    earliest = earliest_done(request, occ)
    if when < earliest:
        raise HTTPException(
            400, f"Ngày hoàn thành không được trước ngày {vn_date(earliest)} (bắt đầu thực hiện)."
        )
    stored = await evidence.store(web(request), file, occ, link.link_id)
    row = progress_row(
        update=occ.kind == UPDATE,
        plan=occ.plan,
        task=occ.task,
        unit=occ.unit,
        milestone=occ.milestone,
        on=when,
        recorded_by=f"link:{link.link_id}",
        evidence=evidence_text or None,
        note=note or None,
        evidence_file=stored,
    )
    record(web(request).engine, row)
    _submitted(
        request,
        link,
        "update" if occ.kind == UPDATE else "done",
        occ.key,
        f"{when.isoformat()} | {evidence_text} | {note} | {stored or ''}",
    )
    return RedirectResponse(f"/u/{token}?ok=done", status_code=303)


@router.post("/u/{token}/extension")
def unit_extension(
    request: Request,
    token: str,
    occurrence: Annotated[str, Form()],
    requested_due: Annotated[str, Form()],
    reason: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
) -> RedirectResponse:
    state = web(request)
    link = _claims(request, token)
    _check_form(request, link, csrf)
    day = clock.today()
    occ = _occurrence(request, link.unit, occurrence, day)
    wanted = form_date(requested_due)
    current = occ.due or day
    if wanted <= current:
        raise HTTPException(
            400, f"Thời hạn đề nghị phải sau thời hạn hiện tại ({vn_date(current)})."
        )
    if not reason.strip():
        raise HTTPException(400, "Cần ghi lý do đề nghị gia hạn")
    with Session(state.engine) as session:
        pending = session.execute(
            select(ExtensionRequestRow.id).where(
                ExtensionRequestRow.plan == occ.plan,
                ExtensionRequestRow.task == occ.task,
                ExtensionRequestRow.unit == occ.unit,
                ExtensionRequestRow.milestone == occ.milestone,
                ExtensionRequestRow.status == "pending",
            )
        ).first()
    if pending is not None:
        raise HTTPException(409, "Nhiệm vụ này đã có đề nghị gia hạn đang chờ xử lý.")
    record(
        state.engine,
        ExtensionRequestRow(
            plan=occ.plan,
            task=occ.task,
            unit=occ.unit,
            milestone=occ.milestone,
            requested_due=wanted,
            reason=reason.strip(),
            link_id=link.link_id,
        ),
    )
    _submitted(request, link, "extension", occ.key, f"{wanted.isoformat()} | {reason}")
    return RedirectResponse(f"/u/{token}?ok=extension", status_code=303)
