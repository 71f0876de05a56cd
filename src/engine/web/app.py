"""The FastAPI app: server-rendered Vietnamese pages, no JavaScript framework.

Read-only pages (overview, plans, tasks, units, notices, downloads) need a signed-in officer;
units act only through the signed link of their reminder emails; admin actions need the
admin role and a CSRF token on every form.
"""

import re
import secrets
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlmodel import Session
from starlette.middleware.sessions import SessionMiddleware

from engine import clock, render
from engine.catalog.watch import RuleWatcher
from engine.codes import STATUS_LABELS
from engine.config import Settings
from engine.emails import period_label, vn_long_date
from engine.explain import explain
from engine.status import UPDATE, Occurrence
from engine.store import outbox
from engine.store.database import make_engine, overdue_reasons, record
from engine.store.tables import (
    CancellationRow,
    CompletionRow,
    ExtensionRequestRow,
    ExtensionRow,
    NoticeItemRow,
    OutboxMessage,
    PeriodUpdateRow,
    SilenceRow,
    SubmissionRow,
    SuspensionRow,
    TriggerRow,
    UserRow,
    progress_row,
)
from engine.summary import CATEGORIES
from engine.timing.models import TimingClass
from engine.web import views
from engine.web.security import LinkError, Links, load_secret, verify_password
from engine.web.state import WebState

TEMPLATES = Path(__file__).parent / "templates"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class NeedLogin(Exception):
    pass


def create_app(settings: Settings) -> FastAPI:
    secret = load_secret(Path(settings.data_dir) / "secret.key", settings.secret_key)
    state = WebState(
        settings,
        make_engine(settings.database_url),
        RuleWatcher(settings.rules_dir, settings.schedules_dir),
        Links(secret),
        secret,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Warm today's statuses in the background so that the first visitor is served at once.
        threading.Thread(target=state.occurrences, args=(clock.today(),), daemon=True).start()
        yield

    app = FastAPI(
        title="Đề án 06 — theo dõi, đôn đốc",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="dean06_session",
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.state.web = state
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.globals.update(
        vn_date=render.vn_date,
        vn_long_date=vn_long_date,
        period_label=period_label,
        CATEGORIES=CATEGORIES,
        STATUS_LABELS=STATUS_LABELS,
    )

    @app.exception_handler(NeedLogin)
    async def need_login(request: Request, exc: NeedLogin) -> Response:
        return RedirectResponse(f"/admin/login?next={request.url.path}", status_code=303)

    # -- helpers ---------------------------------------------------------------------------

    def page(request: Request, name: str, **context: Any) -> HTMLResponse:
        context.setdefault("user", request.session.get("user"))
        context.setdefault("csrf", _csrf(request))
        context.setdefault("catalog", state.catalog)
        return templates.TemplateResponse(request, name, context)

    def as_of_of(value: str | None) -> date:
        if not value:
            return clock.today()
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise HTTPException(400, "Ngày không hợp lệ (YYYY-MM-DD)") from None

    def officer(request: Request) -> dict[str, str]:
        user = request.session.get("user")
        if not user:
            raise NeedLogin()
        return user

    def admin(request: Request) -> dict[str, str]:
        user = officer(request)
        if user.get("role") != "admin":
            raise HTTPException(403, "Cần quyền quản trị")
        return user

    def check_csrf(request: Request, token: str | None) -> None:
        expected = request.session.get("csrf")
        if not expected or not token or not secrets.compare_digest(expected, token):
            raise HTTPException(403, "Phiên làm việc không hợp lệ (CSRF); tải lại trang và thử lại")

    Officer = Annotated[dict, Depends(officer)]
    Admin = Annotated[dict, Depends(admin)]

    def task_of(plan_id: str, task_id: str):  # type: ignore[no-untyped-def]
        plan = state.catalog.plans.get(plan_id)
        task = plan.task(task_id) if plan else None
        if task is None:
            raise HTTPException(404, "Không có nhiệm vụ này")
        return plan, task

    # -- pages -------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request, user: Officer, as_of: str | None = None) -> HTMLResponse:
        day = as_of_of(as_of)
        model = views.overview(state.occurrences(day), day)
        return page(
            request, "overview.html", model=model, chart=views.chart_svg(model.chart), as_of=day
        )

    @app.get("/plans/{plan_id}", response_class=HTMLResponse)
    def plan_page(
        request: Request, user: Officer, plan_id: str, as_of: str | None = None
    ) -> HTMLResponse:
        plan = state.catalog.plans.get(plan_id)
        if plan is None:
            raise HTTPException(404, "Không có kế hoạch này")
        day = as_of_of(as_of)
        counts: dict[str, dict[str, int]] = {}
        for occ in state.occurrences(day):
            if occ.plan == plan_id:
                counts.setdefault(occ.task, {}).setdefault(occ.status.value, 0)
                counts[occ.task][occ.status.value] += 1
        feed = state.links.make_feed(f"plan:{plan_id}")
        return page(request, "plan.html", plan=plan, counts=counts, as_of=day, feed=feed)

    @app.get("/plans/{plan_id}/tasks/{task_id}", response_class=HTMLResponse)
    def task_page(
        request: Request, user: Officer, plan_id: str, task_id: str, as_of: str | None = None
    ) -> HTMLResponse:
        plan, task = task_of(plan_id, task_id)
        day = as_of_of(as_of)
        occurrences = [o for o in state.occurrences(day) if o.plan == plan_id and o.task == task_id]
        with Session(state.engine) as session:
            history = {
                "completions": session.execute(
                    select(CompletionRow).where(
                        CompletionRow.plan == plan_id, CompletionRow.task == task_id
                    )
                )
                .scalars()
                .all(),
                "updates": session.execute(
                    select(PeriodUpdateRow).where(
                        PeriodUpdateRow.plan == plan_id, PeriodUpdateRow.task == task_id
                    )
                )
                .scalars()
                .all(),
                "triggers": session.execute(
                    select(TriggerRow).where(TriggerRow.plan == plan_id, TriggerRow.task == task_id)
                )
                .scalars()
                .all(),
                "extensions": session.execute(
                    select(ExtensionRow).where(
                        ExtensionRow.plan == plan_id, ExtensionRow.task == task_id
                    )
                )
                .scalars()
                .all(),
                "notices": session.execute(
                    select(NoticeItemRow, OutboxMessage)
                    .join(OutboxMessage, NoticeItemRow.message == OutboxMessage.id, isouter=True)
                    .where(NoticeItemRow.plan == plan_id, NoticeItemRow.task == task_id)
                    .order_by(NoticeItemRow.day.desc())
                ).all(),
            }
        return page(
            request,
            "task.html",
            plan=plan,
            task=task,
            occurrences=occurrences,
            history=history,
            timing=explain(task.timing, state.catalog),
            as_of=day,
        )

    @app.get("/units/{unit_id}", response_class=HTMLResponse)
    def unit_page(
        request: Request, user: Officer, unit_id: str, as_of: str | None = None
    ) -> HTMLResponse:
        unit = state.catalog.units.get(unit_id)
        if unit is None:
            raise HTTPException(404, "Không có đơn vị này")
        day = as_of_of(as_of)
        occurrences = [o for o in state.occurrences(day) if o.unit == unit_id]
        feed = state.links.make_feed(f"unit:{unit_id}")
        return page(
            request,
            "unit.html",
            unit=unit,
            occurrences=occurrences,
            owes=views.unit_owes(occurrences, unit_id, day),
            as_of=day,
            feed=feed,
        )

    @app.get("/notices", response_class=HTMLResponse)
    def notices_page(request: Request, user: Officer, status: str | None = None) -> HTMLResponse:
        return page(
            request,
            "notices.html",
            messages=outbox.messages(state.engine, status, 500),
            counts=outbox.counts(state.engine),
            status=status,
        )

    # -- unit forms through signed links -------------------------------------------------------

    def claims(token: str):  # type: ignore[no-untyped-def]
        try:
            found = state.links.read(token)
        except LinkError as exc:
            raise HTTPException(403, str(exc)) from None
        if found.unit not in state.catalog.units:
            raise HTTPException(403, "Đường dẫn không hợp lệ.")
        return found

    def unit_occurrence(unit: str, key: str, day: date) -> Occurrence:
        for occ in views.open_for_unit(state.occurrences(day), unit, day):
            if occ.key == key:
                return occ
        raise HTTPException(
            403, "Nhiệm vụ này không thuộc đơn vị của đường dẫn, hoặc không còn mở."
        )

    def submitted(
        request: Request, unit: str, link_id: str, action: str, key: str, detail: str
    ) -> None:
        record(
            state.engine,
            SubmissionRow(
                unit=unit,
                link_id=link_id,
                action=action,
                occurrence=key,
                detail=detail,
                remote_addr=request.client.host if request.client else None,
            ),
        )

    @app.get("/u/{token}", response_class=HTMLResponse)
    def unit_form(request: Request, token: str, ok: str | None = None) -> HTMLResponse:
        link = claims(token)
        day = clock.today()
        return page(
            request,
            "unit_form.html",
            unit=state.catalog.units[link.unit],
            token=token,
            occurrences=views.open_for_unit(state.occurrences(day), link.unit, day),
            form_csrf=state.links.csrf(link.link_id),
            ok=ok,
            as_of=day,
            UPDATE=UPDATE,
        )

    @app.post("/u/{token}/done")
    async def unit_done(
        request: Request,
        token: str,
        occurrence: Annotated[str, Form()],
        done_on: Annotated[str, Form()],
        csrf: Annotated[str, Form()],
        evidence: Annotated[str, Form()] = "",
        note: Annotated[str, Form()] = "",
        file: Annotated[UploadFile | None, File()] = None,
    ) -> RedirectResponse:
        link = claims(token)
        if not state.links.check_csrf(link.link_id, csrf):
            raise HTTPException(403, "Biểu mẫu không hợp lệ (CSRF)")
        day = clock.today()
        occ = unit_occurrence(link.unit, occurrence, day)
        when = _form_date(done_on, day)
        stored = await _store_upload(state, file)
        row = progress_row(
            update=occ.kind == UPDATE,
            plan=occ.plan,
            task=occ.task,
            unit=occ.unit,
            milestone=occ.milestone,
            on=when,
            recorded_by=f"link:{link.link_id}",
            evidence=evidence or None,
            note=note or None,
            evidence_file=stored,
        )
        record(state.engine, row)
        submitted(
            request,
            link.unit,
            link.link_id,
            "update" if occ.kind == UPDATE else "done",
            occ.key,
            f"{when.isoformat()} | {evidence} | {note} | {stored or ''}",
        )
        return RedirectResponse(f"/u/{token}?ok=done", status_code=303)

    @app.post("/u/{token}/extension")
    def unit_extension(
        request: Request,
        token: str,
        occurrence: Annotated[str, Form()],
        requested_due: Annotated[str, Form()],
        reason: Annotated[str, Form()],
        csrf: Annotated[str, Form()],
    ) -> RedirectResponse:
        link = claims(token)
        if not state.links.check_csrf(link.link_id, csrf):
            raise HTTPException(403, "Biểu mẫu không hợp lệ (CSRF)")
        day = clock.today()
        occ = unit_occurrence(link.unit, occurrence, day)
        wanted = _form_date(requested_due, None)
        if not reason.strip():
            raise HTTPException(400, "Cần ghi lý do đề nghị gia hạn")
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
        submitted(
            request,
            link.unit,
            link.link_id,
            "extension",
            occ.key,
            f"{wanted.isoformat()} | {reason}",
        )
        return RedirectResponse(f"/u/{token}?ok=extension", status_code=303)

    # -- admin -----------------------------------------------------------------------------------

    @app.get("/admin/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/", error: str | None = None) -> HTMLResponse:
        return page(request, "login.html", next=next if next.startswith("/") else "/", error=error)

    @app.post("/admin/login")
    def login(
        request: Request,
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        csrf: Annotated[str, Form()],
        next: Annotated[str, Form()] = "/",
    ) -> RedirectResponse:
        check_csrf(request, csrf)
        with Session(state.engine) as session:
            user = session.execute(
                select(UserRow).where(UserRow.username == username)
            ).scalar_one_or_none()
        if user is None or not verify_password(password, user.password_hash):
            return RedirectResponse("/admin/login?error=1", status_code=303)
        request.session.clear()
        request.session["user"] = {
            "username": user.username,
            "name": user.full_name,
            "role": user.role,
        }
        request.session["csrf"] = secrets.token_urlsafe(24)
        return RedirectResponse(
            next if next.startswith("/") and not next.startswith("//") else "/", status_code=303
        )

    @app.post("/admin/logout")
    def logout(request: Request, csrf: Annotated[str, Form()]) -> RedirectResponse:
        check_csrf(request, csrf)
        request.session.clear()
        return RedirectResponse("/admin/login", status_code=303)

    @app.get("/admin", response_class=HTMLResponse)
    def admin_page(request: Request, user: Admin) -> HTMLResponse:
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
        )

    def admin_form(request: Request, csrf: str) -> dict:
        user = admin(request)
        check_csrf(request, csrf)
        return user

    @app.post("/admin/extensions/{request_id}/{decision}")
    def decide_extension(
        request: Request, request_id: int, decision: str, csrf: Annotated[str, Form()]
    ) -> RedirectResponse:
        user = admin_form(request, csrf)
        if decision not in ("approve", "reject"):
            raise HTTPException(404)
        with Session(state.engine) as session, session.begin():
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

    @app.post("/admin/record")
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
        _, found = task_of(plan, task)
        when = _form_date(on, clock.today()) if on else clock.today()
        unit_id = state.catalog.unit_id(unit) if unit else None
        if unit and unit_id is None:
            raise HTTPException(400, f"Không có đơn vị «{unit}»")
        by = user["username"]
        scope = {"plan": plan, "task": task, "unit": unit_id}
        if action == "event":
            cls = found.timing.timing_class
            if cls not in (TimingClass.EVENT, TimingClass.ON_REQUEST):
                raise HTTPException(400, "Nhiệm vụ không phải loại theo sự kiện / theo yêu cầu")
            kind = "event" if cls == TimingClass.EVENT else "request"
            row: Any = TriggerRow(
                plan=plan,
                task=task,
                kind=kind,
                key=key or when.isoformat(),
                occurred_on=when,
                due=_form_date(due, None) if due else None,
                description=reason or None,
                recorded_by=by,
            )
        elif action in ("suspend", "cancel", "silence") and not reason.strip():
            raise HTTPException(400, "Cần ghi lý do")
        elif action == "suspend":
            end = _form_date(until, None) if until else None
            row = SuspensionRow(
                **scope,
                start=when,
                end=end,
                reason=reason,
                document=document or None,
                recorded_by=by,
            )
        elif action == "cancel":
            row = CancellationRow(
                **scope, effective=when, reason=reason, document=document or None, recorded_by=by
            )
        elif action == "silence":
            row = SilenceRow(**scope, author=by, reason=reason, until=_form_date(until, None))
        else:
            raise HTTPException(400, "Thao tác không hợp lệ")
        record(state.engine, row)
        return RedirectResponse(f"/plans/{plan}/tasks/{task}", status_code=303)

    # -- downloads ---------------------------------------------------------------------------------

    @app.get("/reports/monthly.{fmt}")
    def monthly_report(request: Request, user: Officer, fmt: str, month: str) -> Response:
        from engine.reports import monthly

        found = re.fullmatch(r"(\d{4})-(\d{2})", month)
        if not found or fmt not in ("docx", "xlsx") or not 1 <= int(found[2]) <= 12:
            raise HTTPException(400, "Tháng dạng YYYY-MM; định dạng docx hoặc xlsx")
        year, number = int(found[1]), int(found[2])
        as_of = min(clock.today(), date(year, number, 21))  # the report is due before the 22nd
        report = monthly.build_monthly_report(
            state.catalog,
            state.occurrences(as_of),
            year,
            number,
            as_of,
            overdue_reasons(state.engine),
        )
        data = monthly.to_docx(report) if fmt == "docx" else monthly.to_xlsx(report)
        name = f"bao-cao-de-an-06-{month}.{fmt}"
        return Response(
            data,
            media_type=DOCX if fmt == "docx" else XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.get("/export.xlsx")
    def export(
        request: Request,
        user: Officer,
        as_of: str | None = None,
        plan: str | None = None,
        unit: str | None = None,
        status: str | None = None,
    ) -> Response:
        from engine.reports import excel

        day = as_of_of(as_of)
        rows = [
            o
            for o in state.occurrences(day)
            if (not plan or o.plan == plan)
            and (not unit or o.unit == unit)
            and (not status or o.status.value == status)
        ]
        return Response(
            excel.export_status_xlsx(state.catalog, rows, day),
            media_type=XLSX,
            headers={
                "Content-Disposition": f'attachment; filename="tinh-hinh-{day.isoformat()}.xlsx"'
            },
        )

    @app.get("/admin/import", response_class=HTMLResponse)
    def import_form(request: Request, user: Admin) -> HTMLResponse:
        return page(request, "import.html", preview=None, upload=None)

    @app.post("/admin/import", response_class=HTMLResponse)
    async def import_preview(
        request: Request, csrf: Annotated[str, Form()], file: Annotated[UploadFile, File()]
    ) -> HTMLResponse:
        from engine.reports import excel

        admin_form(request, csrf)
        data = await file.read()
        upload = uuid.uuid4().hex
        folder = Path(state.settings.data_dir) / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{upload}.xlsx").write_bytes(data)
        day = clock.today()
        preview = excel.parse_progress_xlsx(state.catalog, state.occurrences(day), data, day)
        return page(request, "import.html", preview=preview, upload=upload)

    @app.post("/admin/import/{upload}/apply")
    def import_apply(
        request: Request, upload: str, csrf: Annotated[str, Form()]
    ) -> RedirectResponse:
        from engine.reports import excel

        user = admin_form(request, csrf)
        if not re.fullmatch(r"[0-9a-f]{32}", upload):
            raise HTTPException(404)
        path = Path(state.settings.data_dir) / "imports" / f"{upload}.xlsx"
        if not path.is_file():
            raise HTTPException(404, "Không còn tệp đã tải lên")
        day = clock.today()
        preview = excel.parse_progress_xlsx(
            state.catalog, state.occurrences(day), path.read_bytes(), day
        )
        if not preview.ok:
            raise HTTPException(400, "Tệp còn lỗi; không ghi gì")
        by = f"import:{user['username']}"
        with Session(state.engine) as session, session.begin():  # all rows, or none
            for change in preview.changes:
                session.add(
                    progress_row(
                        update=change.kind == "update",
                        plan=change.plan,
                        task=change.task,
                        unit=change.unit,
                        milestone=change.milestone,
                        on=change.on,
                        recorded_by=by,
                        evidence=change.evidence,
                        note=change.note,
                    )
                )
        path.unlink()
        return RedirectResponse(f"/?imported={len(preview.changes)}", status_code=303)

    @app.get("/calendar/{token}.ics")
    def calendar(token: str) -> Response:
        from engine.reports import ics

        try:
            kind, _, key = state.links.read_feed(token).partition(":")
        except LinkError:
            raise HTTPException(404) from None
        day = clock.today()
        if kind == "unit" and key in state.catalog.units:
            rows = [o for o in state.occurrences(day) if o.unit == key]
            name = f"Đề án 06 — {state.catalog.units[key].name}"
        elif kind == "plan" and key in state.catalog.plans:
            rows = [o for o in state.occurrences(day) if o.plan == key]
            name = f"Đề án 06 — {state.catalog.plans[key].number}"
        else:
            raise HTTPException(404)
        return Response(
            ics.calendar_feed(state.catalog, rows, name), media_type="text/calendar; charset=utf-8"
        )

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        runs = outbox.last_runs(state.engine, 1)
        counts = outbox.counts(state.engine)
        return {
            "last_run_day": runs[0].day.isoformat() if runs else None,
            "pending": counts.get("pending", 0),
            "failed": counts.get("failed", 0),
            "rules": "ok" if not state.rules_errors else "broken",
        }

    return app


def _csrf(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return token


def _form_date(value: str, latest: date | None) -> date:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise HTTPException(400, f"Ngày «{value}» không hợp lệ") from None
    if latest is not None and day > latest:
        raise HTTPException(400, "Ngày hoàn thành không được sau hôm nay")
    return day


async def _store_upload(state: WebState, file: UploadFile | None) -> str | None:
    if file is None or not file.filename:
        return None
    data = await file.read()
    if len(data) > 10 * 2**20:
        raise HTTPException(413, "Tệp đính kèm quá 10 MB")
    state.uploads.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", file.filename)[-80:]
    name = f"{uuid.uuid4().hex}_{safe}"
    (state.uploads / name).write_bytes(data)
    return name
