"""Normalisation of Vietnamese text typed by admins or transcribed from PDFs.

Two spellings are the same key when they are equal after Unicode NFC composition,
case folding, dash unification and whitespace collapsing. Diacritics are kept: "Tháng"
and "Thang" are different words in Vietnamese.
"""

from __future__ import annotations

import re
import unicodedata

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Return the matching key of ``text``: NFC, case-folded, one space, ASCII dashes.

    ``casefold`` is applied before re-composing because folding can decompose letters
    (for example "İ"); the final NFC makes NFD and NFC inputs identical.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_DASHES).replace("\u00a0", " ")
    text = unicodedata.normalize("NFC", text.casefold())
    return _SPACES.sub(" ", text).strip()


def search_key(text: str) -> str:
    """Return the key of a search without diacritics: ``normalize`` without combining marks,
    "đ" read as "d", so that "bao cao" finds "Báo cáo" (for searching, never for matching)."""
    decomposed = unicodedata.normalize("NFD", normalize(text).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def collapse(text: str) -> str:
    """Return ``text`` in NFC with runs of whitespace collapsed, case and dashes kept."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
