"""Officers' pages: overview, plans, tasks, units, notices, and the status and report downloads.

Every route needs a signed-in officer (viewer or admin); nothing here writes.
"""

from __future__ import annotations

import re
from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlmodel import Session

from engine import clock
from engine.collapse import collapse
from engine.explain import explain
from engine.store import outbox
from engine.store.database import overdue_reasons
from engine.store.tables import (
    CompletionRow,
    ExtensionRow,
    NoticeItemRow,
    OutboxMessage,
    PeriodUpdateRow,
    TriggerRow,
)
from engine.web import evidence, feeds, views
from engine.web.common import DOCX, XLSX, Officer, as_of_of, page, task_of, web

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request, user: Officer, as_of: str | None = None, outside: str | None = None
) -> HTMLResponse:
    """The official tallies; the overdue and upcoming lists leave out bodies outside every
    followed organisation unless ``?outside=1`` asks for them."""
    state = web(request)
    day = as_of_of(as_of)
    keep = None if outside == "1" else state.catalog.followed
    model = views.overview(state.occurrences(day), day, followed=keep)
    return page(
        request,
        "overview.html",
        model=model,
        chart=views.chart_svg(model.chart),
        as_of=day,
        outside=outside == "1",
    )


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request, user: Officer, plan_id: str, as_of: str | None = None
) -> HTMLResponse:
    state = web(request)
    plan = state.catalog.plans.get(plan_id)
    if plan is None:
        raise HTTPException(404, "Không có kế hoạch này")
    day = as_of_of(as_of)
    counts: dict[str, dict[str, int]] = {}
    for occ in state.occurrences(day):
        if occ.plan == plan_id:
            counts.setdefault(occ.task, {}).setdefault(occ.status.value, 0)
            counts[occ.task][occ.status.value] += 1
    feed = feeds.token_for(state.engine, f"plan:{plan_id}")
    return page(request, "plan.html", plan=plan, counts=counts, as_of=day, feed=feed)


@router.get("/plans/{plan_id}/tasks/{task_id}", response_class=HTMLResponse)
def task_page(
    request: Request, user: Officer, plan_id: str, task_id: str, as_of: str | None = None
) -> HTMLResponse:
    state = web(request)
    plan, task = task_of(state, plan_id, task_id)
    day = as_of_of(as_of)
    occurrences = [o for o in state.occurrences(day) if o.plan == plan_id and o.task == task_id]
    with Session(state.engine) as session:

        def rows(table):  # type: ignore[no-untyped-def]
            return (
                session.execute(select(table).where(table.plan == plan_id, table.task == task_id))
                .scalars()
                .all()
            )

        history = {
            "completions": rows(CompletionRow),
            "updates": rows(PeriodUpdateRow),
            "triggers": rows(TriggerRow),
            "extensions": rows(ExtensionRow),
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
        files=evidence.files_of(state.engine, plan=plan_id, task=task_id),
        timing=explain(task.timing, state.catalog),
        as_of=day,
    )


@router.get("/units/{unit_id}", response_class=HTMLResponse)
def unit_page(
    request: Request, user: Officer, unit_id: str, as_of: str | None = None
) -> HTMLResponse:
    state = web(request)
    unit = state.catalog.units.get(unit_id)
    if unit is None:
        raise HTTPException(404, "Không có đơn vị này")
    day = as_of_of(as_of)
    occurrences, missed = collapse(
        o for o in state.occurrences(day) if unit_id in (o.unit, o.answerable)
    )
    return page(
        request,
        "unit.html",
        unit=unit,
        occurrences=occurrences,
        missed=missed,
        owes=views.unit_owes(occurrences, unit_id, day),
        as_of=day,
        feed=feeds.token_for(state.engine, f"unit:{unit_id}"),
    )


@router.get("/notices", response_class=HTMLResponse)
def notices_page(request: Request, user: Officer, status: str | None = None) -> HTMLResponse:
    state = web(request)
    return page(
        request,
        "notices.html",
        messages=outbox.messages(state.engine, status, 500),
        counts=outbox.counts(state.engine),
        status=status,
    )


@router.get("/reports/monthly.{fmt}")
def monthly_report(request: Request, user: Officer, fmt: str, month: str) -> Response:
    from engine.reports import monthly

    state = web(request)
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
    settings = state.settings
    signer = monthly.Signer(settings.report_signer_title, settings.report_signer_name)
    data = monthly.to_docx(report, signer) if fmt == "docx" else monthly.to_xlsx(report)
    name = f"bao-cao-de-an-06-{month}.{fmt}"
    return Response(
        data,
        media_type=DOCX if fmt == "docx" else XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/export.xlsx")
def export(
    request: Request,
    user: Officer,
    as_of: str | None = None,
    plan: str | None = None,
    unit: str | None = None,
    status: str | None = None,
) -> Response:
    from engine.reports import excel

    state = web(request)
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
        headers={"Content-Disposition": f'attachment; filename="tinh-hinh-{day.isoformat()}.xlsx"'},
    )
