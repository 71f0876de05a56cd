"""Task tables are found by the words of their header row, whatever the column order.

A header row names at least the content, the lead unit and the time; a two-row header
("Đơn vị thực hiện" over "Chủ trì | Phối hợp") is read as one. A row of column numbers
("(1) (2) (3)") under the header is skipped.
"""

from __future__ import annotations

import re

from engine.plans_import.table import Cell
from engine.text import normalize

# Tested in this order: the first rule whose words appear in a header cell names its column.
_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("stt", ("stt", "tt", "số tt", "số thứ tự")),
    ("cooperating", ("phối hợp",)),
    ("lead", ("chủ trì", "đơn vị thực hiện", "cơ quan thực hiện")),
    ("deadline", ("thời gian", "thời hạn", "tiến độ")),
    ("product", ("sản phẩm", "kết quả")),
    ("funding", ("kinh phí",)),
    ("note", ("ghi chú", "căn cứ")),
    ("content", ("nội dung", "nhiệm vụ", "công việc", "hoạt động")),
)
REQUIRED = {"content", "lead", "deadline"}
_NUMBERS = re.compile(r"^\(?\d+\)?$")

Columns = dict[str, int]


def role_of(text: str) -> str | None:
    key = normalize(text)
    if not key:
        return None
    for role, words in _ROLES:
        if role == "stt":
            if key.rstrip(".") in words:
                return role
        elif any(word in key for word in words):
            return role
    return None


def columns_of(row: list[Cell]) -> Columns:
    """Role → column index for one row (the first column wins when two share a role)."""
    found: Columns = {}
    for index, cell in enumerate(row):
        if cell.merge == "horizontal":
            continue
        role = role_of(cell.text)
        if role is not None:
            found.setdefault(role, index)
    return found


def find_header(rows: list[list[Cell]], start: int = 0) -> tuple[int, int, Columns] | None:
    """(first row, rows used, columns) of the first header at or after ``start``."""
    for index in range(start, len(rows)):
        columns = columns_of(rows[index])
        if columns.keys() >= REQUIRED:
            return index, 1, columns
        if index + 1 < len(rows) and "content" in columns:
            below = columns_of(rows[index + 1])
            merged = {**below, **columns}
            if merged.keys() >= REQUIRED:
                merged.update({r: i for r, i in below.items() if r in ("lead", "cooperating")})
                return index, 2, merged
    return None


def is_header_like(row: list[Cell], columns: Columns) -> bool:
    """A repeated header row (same roles in the same columns) or a column-number row."""
    texts = [c.text for c in row if c.text]
    if texts and all(_NUMBERS.match(t) for t in texts):
        return True
    found = columns_of(row)
    return len(found) >= 3 and all(columns.get(role) == i for role, i in found.items())
