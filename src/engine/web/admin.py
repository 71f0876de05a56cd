"""Sign-in and the admin role's pages and actions (each form with the session's CSRF token).

Sign-in goes through :func:`engine.web.sessions.attempt` (throttled, audited); the admin page
shows the sign-in audit log, the units' evidence files, the calendar feeds (rotate, revoke) and
lets an admin revoke all links of a unit at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlmodel import Session

from engine import clock
from engine.store import outbox
from engine.store.database import record
from engine.store.tables import (
    CancellationRow,
    ExtensionRequestRow,
    ExtensionRow,
    SilenceRow,
    SubmissionRow,
    SuspensionRow,
    TriggerRow,
)
from engine.triggers import TriggerError, concerned_units, trigger_kind
from engine.web import evidence, feeds, guards, sessions
from engine.web.common import Admin, admin_form, check_csrf, form_date, page, task_of, web

router = APIRouter()


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/admin/login", response_class=HTMLResponse)
def login_form(
    request: Request, next: str = "/", error: str | None = None, wait: int = 0
) -> HTMLResponse:
    return page(request, "login.html", next=_safe_next(next), error=error, wait=wait)


@router.post("/admin/login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> RedirectResponse:
    check_csrf(request, csrf)
    verdict = sessions.attempt(request, username, password, guards.client_address(request))
    if verdict.wait:
        return RedirectResponse(f"/admin/login?error=wait&wait={verdict.wait}", status_code=303)
    if verdict.user is None:
        return RedirectResponse("/admin/login?error=1", status_code=303)
    sessions.start(request, verdict.user)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/admin/logout")
def logout(request: Request, csrf: Annotated[str, Form()]) -> RedirectResponse:
    check_csrf(request, csrf)
    sessions.end(request)
    return RedirectResponse("/admin/login", status_code=303)


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, user: Admin) -> HTMLResponse:
    state = web(request)
    state.refresh_rules()
    with Session(state.engine) as session:
        requests_ = (
            session.execute(select(ExtensionRequestRow).order_by(ExtensionRequestRow.id.desc()))
            .scalars()
            .all()
        )
        submissions = (
            session.execute(select(SubmissionRow).order_by(SubmissionRow.id.desc()).limit(50))
            .scalars()
            .all()
        )
    return page(
        request,
        "admin.html",
        rules_errors=state.rules_errors,
        runs=outbox.last_runs(state.engine, 10),
        requests=requests_,
        submissions=submissions,
        silences=outbox.silences(state.engine),
        attempts=sessions.recent_attempts(state.engine),
        files=evidence.files_of(state.engine),
        feed_tokens=feeds.all_tokens(state.engine),
    )


@router.post("/admin/feeds/{kind}/{key}/{action}")
def feed_action(
    request: Request, kind: str, key: str, action: str, csrf: Annotated[str, Form()]
) -> RedirectResponse:
    """Rotate (new link, old one refused) or revoke a unit's or a plan's calendar feed."""
    admin_form(request, csrf)
    state = web(request)
    known = state.catalog.units if kind == "unit" else state.catalog.plans if kind == "plan" else {}
    if key not in known or action not in ("rotate", "revoke"):
        raise HTTPException(404)
    subject = f"{kind}:{key}"
    if action == "rotate":
        feeds.rotate(state.engine, subject)
    else:
        feeds.revoke(state.engine, subject)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/units/{unit}/revoke-links")
def revoke_links(request: Request, unit: str, csrf: Annotated[str, Form()]) -> RedirectResponse:
    """Refuse at once every link already sent to ``unit`` (new reminders carry new links)."""
    user = admin_form(request, csrf)
    state = web(request)
    if unit not in state.catalog.units:
        raise HTTPException(404, "Không có đơn vị này")
    guards.revoke_links(state, unit, user["username"])
    return RedirectResponse(f"/units/{unit}", status_code=303)


@router.post("/admin/extensions/{request_id}/{decision}")
def decide_extension(
    request: Request, request_id: int, decision: str, csrf: Annotated[str, Form()]
) -> RedirectResponse:
    user = admin_form(request, csrf)
    if decision not in ("approve", "reject"):
        raise HTTPException(404)
    with Session(web(request).engine) as session, session.begin():
        row = session.get(ExtensionRequestRow, request_id)
        if row is None or row.status != "pending":
            raise HTTPException(409, "Đề nghị không còn chờ xử lý")
        row.status = "approved" if decision == "approve" else "rejected"
        row.decided_by, row.decided_at = user["username"], datetime.now(UTC)
        if decision == "approve":
            session.add(
                ExtensionRow(
                    plan=row.plan,
                    task=row.task,
                    unit=row.unit,
                    milestone=row.milestone,
                    new_due=row.requested_due,
                    granted_on=clock.today(),
                    reason=row.reason,
                    document=f"Đề nghị #{row.id}",
                    recorded_by=user["username"],
                )
            )
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/record")
def admin_record(
    request: Request,
    csrf: Annotated[str, Form()],
    action: Annotated[str, Form()],
    plan: Annotated[str, Form()],
    task: Annotated[str, Form()],
    on: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    document: Annotated[str, Form()] = "",
    key: Annotated[str, Form()] = "",
    until: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Events and requests, suspensions, cancellations and silences, with a reason."""
    user = admin_form(request, csrf)
    state = web(request)
    _, found = task_of(state, plan, task)
    when = form_date(on, clock.today()) if on else clock.today()
    names = [n.strip() for n in unit.split(";") if n.strip()]
    by = user["username"]
    scope = {"plan": plan, "task": task, "unit": state.catalog.unit_id(unit) if unit else None}
    if action == "event":
        try:
            kind = trigger_kind(found)
            concerned = concerned_units(state.catalog, found, when, names)
        except TriggerError as exc:
            raise HTTPException(400, str(exc)) from None
        row: Any = TriggerRow(
            plan=plan,
            task=task,
            kind=kind,
            key=key or when.isoformat(),
            occurred_on=when,
            due=form_date(due) if due else None,
            description=reason or None,
            recorded_by=by,
            units=" ".join(concerned) or None,
        )
    elif unit and state.catalog.unit_id(unit) is None:
        raise HTTPException(400, f"Không có đơn vị «{unit}»")
    elif action in ("suspend", "cancel", "silence") and not reason.strip():
        raise HTTPException(400, "Cần ghi lý do")
    elif action == "suspend":
        end = form_date(until) if until else None
        row = SuspensionRow(
            **scope, start=when, end=end, reason=reason, document=document or None, recorded_by=by
        )
    elif action == "cancel":
        row = CancellationRow(
            **scope, effective=when, reason=reason, document=document or None, recorded_by=by
        )
    elif action == "silence":
        row = SilenceRow(**scope, author=by, reason=reason, until=form_date(until))
    else:
        raise HTTPException(400, "Thao tác không hợp lệ")
    record(state.engine, row)
    return RedirectResponse(f"/plans/{plan}/tasks/{task}", status_code=303)
