"""Dates as people type them: day, month, year, in the Vietnamese order.

Rules: ``dd/mm/yyyy`` with or without leading zeros (``22/01/2024``, ``2/1/2024``), the
separator "/", "-" or "." (Excel users type all three), spaces around the text ignored; the
ISO form ``yyyy-mm-dd`` is read as well (links and bookmarks carry it). A well-formed date that
does not exist is refused with «Ngày 31/02/2023 không tồn tại»; anything else with a message
showing the expected form. Web forms, query parameters and the workbook importer all read dates
with :func:`parse_day`.
"""

from __future__ import annotations

import re
from datetime import date

FORM = "dd/mm/yyyy"
EXAMPLE = "22/01/2024"
_PATTERNS = (
    re.compile(r"(?P<d>\d{1,2})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})"),
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
)


class DayError(ValueError):
    """The text is not a date, or names a day that does not exist (message in Vietnamese)."""


def parse_day(text: str) -> date:
    """The day written in ``text`` (see the module's rules); :class:`DayError` otherwise."""
    typed = text.strip()
    if not typed:
        raise DayError(f"Chưa ghi ngày (ghi theo dạng {FORM}, ví dụ {EXAMPLE})")
    for pattern in _PATTERNS:
        if found := pattern.fullmatch(typed):
            try:
                return date(int(found["y"]), int(found["m"]), int(found["d"]))
            except ValueError:
                raise DayError(f"Ngày {typed} không tồn tại") from None
    raise DayError(f"«{typed}» không phải là ngày (ghi theo dạng {FORM}, ví dụ {EXAMPLE})")
