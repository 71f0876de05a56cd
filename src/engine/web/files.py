"""Files in and out: the admin's Excel import, units' evidence for officers, calendar feeds.

Import rules: the upload is copied to ``imports/<random>.xlsx`` while counting its size (over
``excel.MAX_FILE_BYTES`` it is refused and deleted), read under the limits of
:mod:`engine.reports.excel`, and shown as a preview; the preview file is deleted when applied,
cancelled, or one hour old (stale previews are swept at start-up and on every import request).
Evidence files are served only to signed-in officers, as attachments with their stored type.
"""

from __future__ import annotations

import re
import shutil
import time
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from engine import clock
from engine.reports import excel, ics
from engine.store.security_tables import EvidenceFileRow
from engine.store.tables import progress_row
from engine.web import feeds
from engine.web.common import Admin, Officer, admin_form, page, web
from engine.web.state import WebState

router = APIRouter()
PREVIEW_SECONDS = 3600


def _imports(state: WebState) -> Path:
    return Path(state.settings.data_dir) / "imports"


def sweep_older(folder: Path) -> None:
    """Delete the entries of ``folder`` (files or upload folders) older than ``PREVIEW_SECONDS``:
    an upload nobody confirmed within the hour is forgotten."""
    if not folder.is_dir():
        return
    oldest = time.time() - PREVIEW_SECONDS
    for entry in folder.iterdir():
        if entry.stat().st_mtime < oldest:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def sweep_previews(state: WebState) -> None:
    """Delete workbook import previews older than ``PREVIEW_SECONDS``."""
    sweep_older(_imports(state))


def _preview_path(state: WebState, upload: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", upload):
        raise HTTPException(404)
    sweep_previews(state)
    path = _imports(state) / f"{upload}.xlsx"
    if not path.is_file():
        raise HTTPException(404, "Bản xem trước không còn (đã ghi, đã huỷ hoặc quá 1 giờ).")
    return path


@router.get("/admin/import", response_class=HTMLResponse)
def import_form(request: Request, user: Admin) -> HTMLResponse:
    sweep_previews(web(request))
    return page(request, "import.html", preview=None, upload=None)


@router.post("/admin/import", response_class=HTMLResponse)
async def import_preview(
    request: Request, csrf: Annotated[str, Form()], file: Annotated[UploadFile, File()]
) -> HTMLResponse:
    admin_form(request, csrf)
    state = web(request)
    sweep_previews(state)
    folder = _imports(state)
    folder.mkdir(parents=True, exist_ok=True)
    upload = uuid.uuid4().hex
    path = folder / f"{upload}.xlsx"
    size = 0
    with path.open("wb") as out:
        while chunk := await file.read(2**16):
            size += len(chunk)
            if size > excel.MAX_FILE_BYTES:
                break
            out.write(chunk)
    if size > excel.MAX_FILE_BYTES:
        path.unlink()
        raise HTTPException(413, excel.too_big_message(size))
    day = clock.today()
    preview = excel.parse_progress_xlsx(
        state.catalog, state.occurrences(day), path.read_bytes(), day
    )
    if not preview.ok or not preview.changes:
        path.unlink()  # nothing to apply: keep nothing
    return page(request, "import.html", preview=preview, upload=upload)


@router.post("/admin/import/{upload}/cancel")
def import_cancel(request: Request, upload: str, csrf: Annotated[str, Form()]) -> RedirectResponse:
    admin_form(request, csrf)
    _preview_path(web(request), upload).unlink()
    return RedirectResponse("/admin/import", status_code=303)


@router.post("/admin/import/{upload}/apply")
def import_apply(request: Request, upload: str, csrf: Annotated[str, Form()]) -> RedirectResponse:
    user = admin_form(request, csrf)
    state = web(request)
    path = _preview_path(state, upload)
    day = clock.today()
    preview = excel.parse_progress_xlsx(
        state.catalog, state.occurrences(day), path.read_bytes(), day
    )
    if not preview.ok:
        path.unlink()
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


@router.get("/files/{file_id}")
def evidence_file(request: Request, user: Officer, file_id: str) -> Response:
    """A unit's evidence file, as an attachment under its original name."""
    state = web(request)
    if not re.fullmatch(r"[0-9a-f]{32}", file_id):
        raise HTTPException(404)
    with Session(state.engine) as session:
        row = session.get(EvidenceFileRow, file_id)
    path = state.uploads / file_id
    if row is None or not path.is_file():
        raise HTTPException(404, "Không có tệp này")
    return FileResponse(
        path,
        media_type=row.content_type,
        filename=row.original_name,
        content_disposition_type="attachment",
    )


@router.get("/calendar/{token}.ics")
def calendar(request: Request, token: str) -> Response:
    """A stored feed token's calendar; refused (404) when unknown, revoked or the unit ceased.

    Generated at each request (``DTSTAMP`` is the request's time) over the window of the
    settings ``feed_months_back`` / ``feed_months_ahead`` (see :mod:`engine.reports.ics`).
    """
    state = web(request)
    subject = feeds.subject_of(state.engine, token)
    kind, _, key = (subject or "").partition(":")
    day = clock.today()
    if kind == "unit" and key in state.catalog.units and state.catalog.units[key].exists_on(day):
        rows = [o for o in state.occurrences(day) if o.unit == key]
        name = f"Đề án 06 — {state.catalog.units[key].name}"
    elif kind == "plan" and key in state.catalog.plans:
        rows = [o for o in state.occurrences(day) if o.plan == key]
        name = f"Đề án 06 — {state.catalog.plans[key].number}"
    else:
        raise HTTPException(404)
    settings = state.settings
    data = ics.calendar_feed(
        state.catalog,
        rows,
        name,
        feed=subject or "",
        now=clock.now(),
        base_url=settings.base_url,
        months_back=settings.feed_months_back,
        months_ahead=settings.feed_months_ahead,
    )
    return Response(data, media_type="text/calendar; charset=utf-8")
