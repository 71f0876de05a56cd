"""The admin's plan upload: a plan document (.docx, .xlsx, .pdf) → preview, review, draft.

Rules:

- Only an admin, with the session's CSRF token, may upload, save or cancel; the body cap of
  the workbook import applies (:mod:`engine.web.guards`), and so do its file limits: at most
  ``excel.MAX_FILE_BYTES`` of file and, for the zip-based .docx/.xlsx, at most
  ``excel.MAX_UNPACKED_BYTES`` unpacked. The type is checked by suffix and by content
  (``PK`` for .docx/.xlsx, ``%PDF`` for .pdf); anything else is refused in Vietnamese.
- The document is read by :func:`engine.plans_import.importer.import_plan`, exactly as
  ``engine plan import`` reads it. The page shows the tasks as imported and the review (what a
  person must decide); the draft plan and the proposed units can be downloaded.
- Nothing is written into the rules folder until the admin confirms. A plan id that already
  exists is refused unless the admin ticks "ghi đè". The draft must pass the same validation
  as ``engine check`` (the whole rule set with the draft in it, checked in a scratch copy),
  else nothing is saved and the errors are shown. A saved plan is written atomically and the
  rules are reloaded at once (the daemon picks the change up from the folder).
- An upload is kept under ``<data_dir>/plan-imports/<random>/`` until saved, cancelled, or
  ``files.PREVIEW_SECONDS`` old (swept at start-up and on every request to the page).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import uuid
import zipfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.catalog.loader import check
from engine.plans_import.command import draft_paths
from engine.plans_import.importer import ImportError_, import_plan
from engine.plans_import.review import needs_person
from engine.reports import excel
from engine.web.common import Admin, admin_form, page, web
from engine.web.files import sweep_older
from engine.web.state import WebState

router = APIRouter()
PATH = "/admin/plans/import"
SIGNATURES = {".docx": b"PK", ".xlsx": b"PK", ".pdf": b"%PDF"}
_UPLOAD = re.compile(r"[0-9a-f]{32}")


def _folder(state: WebState) -> Path:
    return Path(state.settings.data_dir) / "plan-imports"


def sweep_uploads(state: WebState) -> None:
    """Delete plan uploads older than ``PREVIEW_SECONDS``."""
    sweep_older(_folder(state))


def _upload_dir(state: WebState, upload: str) -> Path:
    if not _UPLOAD.fullmatch(upload):
        raise HTTPException(404)
    sweep_uploads(state)
    folder = _folder(state) / upload
    if not (folder / "meta.json").is_file():
        raise HTTPException(404, "Bản xem trước không còn (đã lưu, đã huỷ hoặc quá 1 giờ).")
    return folder


def _refused(request: Request, message: str, status: int) -> HTMLResponse:
    response = page(request, "plan_import.html", error=message, result=None)
    response.status_code = status
    return response


def _unpacked_too_big(path: Path) -> bool:
    """A zip whose members unpack past ``excel.MAX_UNPACKED_BYTES`` (or no zip at all)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist()) > excel.MAX_UNPACKED_BYTES
    except zipfile.BadZipFile:
        return True


@router.get(PATH, response_class=HTMLResponse)
def upload_form(request: Request, user: Admin, saved: str = "") -> HTMLResponse:
    sweep_uploads(web(request))
    plan = web(request).catalog.plans.get(saved)
    return page(request, "plan_import.html", result=None, error=None, saved=plan)


@router.post(PATH, response_class=HTMLResponse)
async def upload(
    request: Request,
    csrf: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    plan_id: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Read the document and show the preview and the review; keep the draft for saving."""
    admin_form(request, csrf)
    state = web(request)
    sweep_uploads(state)
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in SIGNATURES:
        return _refused(request, "Chỉ nhận tệp .docx, .xlsx hoặc .pdf (có lớp chữ).", 400)
    upload_id = uuid.uuid4().hex
    folder = _folder(state) / upload_id
    folder.mkdir(parents=True)
    source = folder / f"van-ban{suffix}"
    size = 0
    with source.open("wb") as out:
        while chunk := await file.read(2**16):
            size += len(chunk)
            if size > excel.MAX_FILE_BYTES:
                break
            out.write(chunk)
    refusal = None
    if size > excel.MAX_FILE_BYTES:
        refusal = (excel.too_big_message(size), 413)
    elif not source.read_bytes()[:4].startswith(SIGNATURES[suffix]):
        refusal = (f"Tệp «{file.filename}» không phải tệp {suffix} hợp lệ.", 400)
    elif suffix != ".pdf" and _unpacked_too_big(source):
        refusal = ("Tệp giải nén ra quá lớn hoặc hỏng; không đọc.", 400)
    if refusal is not None:
        shutil.rmtree(folder)
        return _refused(request, *refusal)
    try:
        result = import_plan(source, state.catalog, plan_id.strip() or None)
    except ImportError_ as exc:
        shutil.rmtree(folder)
        return _refused(request, f"Không nhập được: {exc}", 400)
    draft, review, units = draft_paths(folder / "draft.yaml")
    draft.write_text(result.plan_text(), encoding="utf-8")
    review.write_text(result.review_text(f"{result.meta['id']}.yaml"), encoding="utf-8")
    if result.unknown_units:
        units.write_text(result.units_text(), encoding="utf-8")
    plan = result.meta["id"]
    meta = {"id": plan, "name": file.filename}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return page(
        request,
        "plan_import.html",
        result=result,
        todo=needs_person(result.findings),
        upload=upload_id,
        error=None,
        exists=(Path(state.settings.rules_dir) / "plans" / f"{plan}.yaml").exists(),
    )


@router.get(PATH + "/{upload_id}/{name}")
def download(request: Request, user: Admin, upload_id: str, name: str) -> Response:
    """The draft plan (``ke-hoach.yaml``) or the proposed units (``don-vi.yaml``)."""
    folder = _upload_dir(web(request), upload_id)
    plan = json.loads((folder / "meta.json").read_text(encoding="utf-8"))["id"]
    draft, _, units = draft_paths(folder / "draft.yaml")
    files = {"ke-hoach.yaml": (draft, f"{plan}.yaml"), "don-vi.yaml": (units, f"{plan}.units.yaml")}
    if name not in files or not files[name][0].is_file():
        raise HTTPException(404)
    path, filename = files[name]
    return Response(
        path.read_bytes(),
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post(PATH + "/{upload_id}/cancel")
def cancel(request: Request, upload_id: str, csrf: Annotated[str, Form()]) -> RedirectResponse:
    admin_form(request, csrf)
    shutil.rmtree(_upload_dir(web(request), upload_id))
    return RedirectResponse(PATH, status_code=303)


@router.post(PATH + "/{upload_id}/save", response_model=None)
def save(
    request: Request,
    upload_id: str,
    csrf: Annotated[str, Form()],
    overwrite: Annotated[str, Form()] = "",
) -> Response:
    """Write the draft into ``rules/plans/`` once it passes ``engine check``; reload the rules."""
    admin_form(request, csrf)
    state = web(request)
    folder = _upload_dir(state, upload_id)
    plan = json.loads((folder / "meta.json").read_text(encoding="utf-8"))["id"]
    text = (folder / "draft.yaml").read_text(encoding="utf-8")
    target = Path(state.settings.rules_dir) / "plans" / f"{plan}.yaml"
    if target.exists() and overwrite != "1":
        return _refused(
            request,
            f"Kế hoạch mã «{plan}» đã có trong rules/plans/. Tải lên lại và chọn «Ghi đè kế hoạch "
            "đã có» nếu muốn thay thế.",
            409,
        )
    errors = validate(state, plan, text)
    if errors:
        response = page(
            request,
            "plan_import.html",
            result=None,
            error=None,
            check_errors=errors,
            upload=upload_id,
        )
        response.status_code = 400
        return response
    partial = target.with_name(f".{plan}.{upload_id}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)
    state.refresh_rules()
    shutil.rmtree(folder)
    return RedirectResponse(f"{PATH}?saved={plan}", status_code=303)


def validate(state: WebState, plan: str, text: str) -> list[str]:
    """``engine check`` of the rule set with the draft as ``plans/<plan>.yaml``, in a copy."""
    rules = Path(state.settings.rules_dir)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "rules"
        shutil.copytree(rules, copy)
        (copy / "plans" / f"{plan}.yaml").write_text(text, encoding="utf-8")
        errors, _ = check(copy, Path(state.settings.schedules_dir))
        shown = str(copy.absolute())
        return [str(e).replace(shown, "rules") for e in errors]
