"""What every group of routes shares: page rendering, the signed-in officer, CSRF, parsing.

Rules: a page needs a signed-in officer (else a redirect to the login page); admin actions
need the admin role and the session's CSRF token; dates in forms and queries are read by
:func:`engine.dates.parse_day` (dd/mm/yyyy, or ISO from links) and wrong ones are refused with
a Vietnamese message (shown on the error page of :mod:`engine.web.errors`).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from engine import clock, render
from engine.catalog.model import Plan, Task
from engine.codes import STATUS_LABELS
from engine.dates import DayError, parse_day
from engine.emails import period_label, vn_long_date
from engine.summary import CATEGORIES
from engine.web import labels, sessions
from engine.web.state import WebState

TEMPLATES = Path(__file__).parent / "templates"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class NeedLogin(Exception):
    """Raised by :func:`officer` when no valid session is present (answered by a redirect)."""


@cache
def make_templates() -> Jinja2Templates:
    """The pages' templates with their globals, one set per process: every app of the process
    shares it (Jinja2 compiles a template once and reloads it when its file changes)."""
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.globals.update(
        vn_date=render.vn_date,
        vn_long_date=vn_long_date,
        period_label=period_label,
        CATEGORIES=CATEGORIES,
        STATUS_LABELS=STATUS_LABELS,
        vn_time=vn_time,
    )
    templates.env.globals.update(labels.JINJA_GLOBALS)
    return templates


def vn_time(seconds: float) -> str:
    """POSIX seconds as Vietnam's local time, ``dd/mm/yyyy HH:MM:SS``."""
    return datetime.fromtimestamp(seconds, clock.VN).strftime("%d/%m/%Y %H:%M:%S")


def web(request: Request) -> WebState:
    return request.app.state.web


def page(request: Request, name: str, **context: Any) -> HTMLResponse:
    """Render a template with the signed-in user, the session's CSRF token and the catalog."""
    state = web(request)
    context.setdefault("user", sessions.user_of(request))
    context.setdefault("csrf", session_csrf(request))
    context.setdefault("catalog", state.catalog)
    return request.app.state.templates.TemplateResponse(request, name, context)


def session_csrf(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return token


def check_csrf(request: Request, token: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not token or not secrets.compare_digest(expected, token):
        raise HTTPException(
            403, "Biểu mẫu đã cũ hoặc phiên làm việc đã hết; tải lại trang rồi thử lại"
        )


def officer(request: Request) -> dict[str, str]:
    """The signed-in officer of a live server-side session (see :mod:`engine.web.sessions`)."""
    user = sessions.user_of(request)
    if not user:
        raise NeedLogin()
    return user


def admin(request: Request) -> dict[str, str]:
    user = officer(request)
    if user.get("role") != "admin":
        raise HTTPException(403, "Cần quyền quản trị")
    return user


def admin_form(request: Request, csrf: str) -> dict[str, str]:
    """An admin posting a form of this session."""
    user = admin(request)
    check_csrf(request, csrf)
    return user


Officer = Annotated[dict, Depends(officer)]
Admin = Annotated[dict, Depends(admin)]


def as_of_of(value: str | None) -> date:
    """The ``as_of`` query parameter (dd/mm/yyyy or ISO), or today."""
    if not value:
        return clock.today()
    return _day(value)


def form_date(value: str, latest: date | None = None) -> date:
    """A date typed in a form (dd/mm/yyyy), not after ``latest`` when given."""
    day = _day(value)
    if latest is not None and day > latest:
        raise HTTPException(400, "Ngày hoàn thành không được sau hôm nay")
    return day


def _day(value: str) -> date:
    try:
        return parse_day(value)
    except DayError as exc:
        raise HTTPException(400, str(exc)) from None


def task_of(state: WebState, plan_id: str, task_id: str) -> tuple[Plan, Task]:
    plan = state.catalog.plans.get(plan_id)
    task = plan.task(task_id) if plan else None
    if plan is None or task is None:
        raise HTTPException(404, "Không có nhiệm vụ này")
    return plan, task
