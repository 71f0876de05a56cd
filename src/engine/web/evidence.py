"""Evidence files units attach through their links: stored safely, listed and served to officers.

Rules: at most ``MAX_BYTES`` (10 MB), counted while the file is copied (the request body itself
is capped by :mod:`engine.web.guards` before it is read); only the types of ``ALLOWED`` (by
extension, and the file must start with that type's signature); stored under ``uploads/<random
id>`` with no part of the sender's name in the path; the original (Vietnamese) file name is kept
in the ``evidence_file`` table for display and for the download's name. Officers download a file
as an attachment with its type (and ``nosniff`` from the security headers).
"""

from __future__ import annotations

import re
import secrets
import time
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from fastapi import HTTPException, UploadFile
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engine.status import Occurrence
from engine.store.database import record
from engine.store.security_tables import EvidenceFileRow
from engine.web.state import WebState

MAX_BYTES = 10 * 2**20
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
#: extension → (content type, signature the file must start with)
ALLOWED: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", b"%PDF-"),
    "doc": ("application/msword", _OLE),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ZIP,
    ),
    "xls": ("application/vnd.ms-excel", _OLE),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}
ALLOWED_TEXT = "PDF, Word (.doc, .docx), Excel (.xls, .xlsx), OpenDocument (.odt), JPG, PNG"


def display_name(filename: str) -> str:
    """The sender's file name without folders or control characters, NFC, at most 200 chars."""
    name = PureWindowsPath(PurePosixPath(filename).name).name
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[-200:] or "tep-dinh-kem"


async def store(
    state: WebState, file: UploadFile | None, occ: Occurrence, link_id: str
) -> str | None:
    """Check and keep an attached file; return its id (None when no file was attached)."""
    if file is None or not file.filename:
        return None
    name = display_name(file.filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise HTTPException(415, f"Loại tệp không được nhận. Chỉ nhận: {ALLOWED_TEXT}.")
    content_type, signature = ALLOWED[extension]
    head = await file.read(len(signature))
    if head != signature:
        raise HTTPException(415, f"Nội dung tệp «{name}» không đúng định dạng .{extension}.")
    state.uploads.mkdir(parents=True, exist_ok=True)
    file_id = secrets.token_hex(16)
    path = state.uploads / file_id
    size = len(head)
    with path.open("wb") as out:
        out.write(head)
        while chunk := await file.read(2**16):
            size += len(chunk)
            if size > MAX_BYTES:
                out.close()
                path.unlink()
                raise HTTPException(413, "Tệp đính kèm quá 10 MB.")
            out.write(chunk)
    record(
        state.engine,
        EvidenceFileRow(
            id=file_id,
            original_name=name,
            content_type=content_type,
            size=size,
            unit=occ.unit,
            plan=occ.plan,
            task=occ.task,
            milestone=occ.milestone,
            link_id=link_id,
            uploaded_at=time.time(),
        ),
    )
    return file_id


def files_of(engine: Engine, **where: str) -> list[EvidenceFileRow]:
    """Stored files, newest first, filtered by column values (``plan=..., task=...``)."""
    query = select(EvidenceFileRow).order_by(EvidenceFileRow.uploaded_at.desc())
    for column, value in where.items():
        query = query.where(getattr(EvidenceFileRow, column) == value)
    with Session(engine) as session:
        return list(session.execute(query.limit(200)).scalars())
