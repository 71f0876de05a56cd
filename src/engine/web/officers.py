"""Officers' pages: overview, plans, tasks, units, notices, and the status and report downloads.

Every route needs a signed-in officer (viewer or admin); nothing here writes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlmodel import Session

from engine import clock
from engine.collapse import collapse
from engine.explain import explain
from engine.status import Occurrence
from engine.store.database import overdue_reasons
from engine.store.tables import (
    CompletionRow,
    ExtensionRequestRow,
    ExtensionRow,
    NoticeItemRow,
    OutboxMessage,
    PeriodUpdateRow,
    TriggerRow,
)
from engine.web import evidence, feeds, listing, sent, views
from engine.web.common import DOCX, XLSX, Officer, as_of_of, page, task_of, web
from engine.web.labels import describe_timing
from engine.web.pending import pending_extensions, pending_note

router = APIRouter()
router.include_router(sent.router)

UPCOMING_SHOWN = 10  # rows of the overview's "due in the next 30 days" before "see all"


def _list_page(
    request: Request, name: str, filters: listing.Filters, **context: Any
) -> HTMLResponse:
    """A list page; wrong filter values are said on the page, answered with status 400."""
    catalog = web(request).catalog
    response = page(
        request,
        name,
        view=filters,
        options=listing.options(catalog),
        status_label=listing.status_label,
        **context,
    )
    if filters.errors:
        response.status_code = 400
    return response


def _day_kept(as_of: str | None, day: date) -> str:
    """The ``as_of`` the page's links carry: the day asked for, written dd/mm/yyyy."""
    return f"{day:%d/%m/%Y}" if as_of else ""


def _pending_notes(request: Request, rows: Iterable[Occurrence]) -> dict[str, str]:
    """The pending extension request of each listed obligation that has one, by key."""
    pending = pending_extensions(web(request).engine)
    notes = {o.key: pending_note(pending, o) for o in rows} if pending else {}
    return {key: note for key, note in notes.items() if note}


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request, user: Officer, as_of: str | None = None, outside: str | None = None
) -> HTMLResponse:
    """The official tallies of everything; the list (overdue obligations unless the query
    asks for others, see :mod:`engine.web.listing`) leaves out bodies outside every followed
    organisation unless ``?outside=1`` asks for them."""
    state = web(request)
    day = as_of_of(as_of)
    catalog = state.catalog
    occurrences = state.occurrences(day)
    if outside == "1":
        listed = occurrences
    else:  # one look-up per unit, not per obligation
        followed = {u: catalog.followed(u) for u in {o.answerable for o in occurrences}}
        listed = [o for o in occurrences if followed[o.answerable]]
    filters = listing.read_filters(
        request.query_params,
        catalog,
        default_status="overdue",
        keep=[("as_of", _day_kept(as_of, day)), ("outside", outside or "")],
    )
    rows = listing.paginate(listing.select(listed, filters, catalog, day), filters.page)
    upcoming = (
        []
        if filters.narrowed
        else listing.select(listed, listing.Filters(status="upcoming"), catalog, day)
    )
    model = views.overview(occurrences, day)
    return _list_page(
        request,
        "overview.html",
        filters,
        model=model,
        chart=views.chart_svg(model.chart),
        rows=rows,
        upcoming=upcoming,
        pending=_pending_notes(request, [*rows.rows, *upcoming[:UPCOMING_SHOWN]]),
        upcoming_shown=UPCOMING_SHOWN,
        as_of=day,
        outside=outside == "1",
        toggle=filters.url(
            "/", keep=(("as_of", _day_kept(as_of, day)), ("outside", "" if outside else "1"))
        ),
    )


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request, user: Officer, plan_id: str, as_of: str | None = None
) -> HTMLResponse:
    """A plan: its obligations (filtered, sorted by task, paged) and its tasks as written."""
    state = web(request)
    plan = state.catalog.plans.get(plan_id)
    if plan is None:
        raise HTTPException(404, "Không có kế hoạch này")
    day = as_of_of(as_of)
    own = [o for o in state.occurrences(day) if o.plan == plan_id]
    filters = listing.read_filters(
        request.query_params,
        state.catalog,
        default_sort="plan",
        keep=[("as_of", _day_kept(as_of, day))],
    )
    chosen = listing.select(own, replace(filters, plan=""), state.catalog, day)
    counts: dict[str, Counter[str]] = {}
    for occ in chosen:
        counts.setdefault(occ.task, Counter())[occ.status.value] += 1
    rows = listing.paginate(chosen, filters.page)
    return _list_page(
        request,
        "plan.html",
        filters,
        plan=plan,
        counts=counts,
        rows=rows,
        pending=_pending_notes(request, rows.rows),
        as_of=day,
        feed=feeds.token_for(state.engine, f"plan:{plan_id}"),
    )


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
            "requests": [r for r in rows(ExtensionRequestRow) if r.status == "pending"],
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
        timing=describe_timing(explain(task.timing, state.catalog)),
        rules={r.id: r.name for r in state.catalog.escalation.rules},
        pending=_pending_notes(request, occurrences),
        as_of=day,
    )


@router.get("/units/{unit_id}", response_class=HTMLResponse)
def unit_page(
    request: Request, user: Officer, unit_id: str, as_of: str | None = None
) -> HTMLResponse:
    """A unit: what it owes this month, then all its obligations (filtered, paged) with its
    older missing period updates folded into one line per task."""
    state = web(request)
    unit = state.catalog.units.get(unit_id)
    if unit is None:
        raise HTTPException(404, "Không có đơn vị này")
    day = as_of_of(as_of)
    occurrences, missed = collapse(
        o for o in state.occurrences(day) if unit_id in (o.unit, o.answerable)
    )
    filters = listing.read_filters(
        request.query_params, state.catalog, keep=[("as_of", _day_kept(as_of, day))]
    )
    rows = listing.paginate(
        listing.select(occurrences, replace(filters, unit=""), state.catalog, day), filters.page
    )
    owes = views.unit_owes(occurrences, unit_id, day)
    return _list_page(
        request,
        "unit.html",
        filters,
        unit=unit,
        rows=rows,
        missed=missed,
        owes=owes,
        pending=_pending_notes(request, [*rows.rows, *owes]),
        as_of=day,
        feed=feeds.token_for(state.engine, f"unit:{unit_id}"),
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
def export(request: Request, user: Officer, as_of: str | None = None) -> Response:
    """The status workbook of the obligations the list filters choose (all by default)."""
    from engine.reports import excel

    state = web(request)
    day = as_of_of(as_of)
    filters = listing.read_filters(request.query_params, state.catalog, default_sort="plan")
    if filters.errors:
        raise HTTPException(400, " ".join(filters.errors))
    rows = listing.select(state.occurrences(day), filters, state.catalog, day)
    return Response(
        excel.export_status_xlsx(state.catalog, rows, day),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="tinh-hinh-{day.isoformat()}.xlsx"'},
    )
