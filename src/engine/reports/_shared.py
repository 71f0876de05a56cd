"""Helpers shared by the report writers: text shortening, numbers, dates, stable packages.

Rules:

* **Shortening** collapses whitespace and cuts at the last word boundary before the limit,
  ending with "…"; text within the limit is returned whole (whitespace collapsed).
* **Rates** are written the Vietnamese way, with a decimal comma: ``45,5%``; no rate
  (nothing due yet) is ``—``.
* **Stable packages.** ``.docx`` and ``.xlsx`` files are zip archives whose entries carry the
  time they were written; :func:`stable_zip` rewrites every entry with a fixed timestamp so the
  same data always gives the same bytes (the writers also set the document properties' dates
  from the report's own date, never from the clock).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from engine.text import collapse

#: The timestamp written on every entry of a generated package (the zip format's epoch).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters."""
    flat = collapse(text)
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–") + "…"


def percent(rate: float | None) -> str:
    """``0.4545`` → ``"45,5%"``; ``None`` → ``"—"``."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}".replace(".", ",") + "%"


def day_start(day: date) -> datetime:
    """Midnight of ``day`` (naive), used for document properties instead of the clock."""
    return datetime(day.year, day.month, day.day)


def stable_zip(data: bytes) -> bytes:
    """The same archive with every entry dated :data:`ZIP_EPOCH` (entry order kept)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
