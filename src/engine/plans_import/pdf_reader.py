"""Read a PDF with a text layer (pdfplumber) into a :class:`SourceDocument`.

Tables are found by their ruling lines (pdfplumber's table finder). On each page:

- a grid position no cell covers belongs to a merged cell: ``vertical`` (with its text) when
  the covering cell starts on an earlier row, ``horizontal`` otherwise;
- a cell's lines become paragraphs: a line is joined to the one before it when that line was
  wrapped (the next line's first word would not have fitted after it), as the printed page
  reads; a line that ends short of the cell's right edge ends its paragraph.

A table that continues on the next page (first table on that page, as wide as the last table
of the page before) is joined to it, its repeated header rows kept for the task reader to skip.
When the first data row of the continuation has an empty STT cell, it is the rest of a row
split by the page break and is merged into that row (noted for the review). The text lines
above the first table of the document are its header (number, date, title). A file of more
than ``MAX_PAGES`` pages is refused before any page is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber

from engine.plans_import.columns import columns_of, find_header, is_header_like
from engine.plans_import.table import Cell, SourceDocument, SourceTable

BBox = tuple[float, float, float, float]
_EPSILON = 1.0  # points: tolerance for "fits on the line"
MAX_PAGES = 300  # a plan's appendix is tens of pages; more is refused before any is read


@dataclass
class _Part:
    """A table as found on one page: its grid and, per cell, whether its last line was full."""

    rows: list[list[Cell]]
    full: list[list[bool]]
    page: int
    first_on_page: bool
    last_on_page: bool


def read_pdf(file: Path) -> SourceDocument:
    """The lines and tables of ``file``; ValueError when it has no text layer or too many pages."""
    lines: list[str] = []
    parts: list[_Part] = []
    before: dict[int, list[str]] = {}
    with pdfplumber.open(str(file)) as pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise ValueError(f"tệp PDF có {len(pdf.pages)} trang, vượt giới hạn {MAX_PAGES} trang")
        for number, page in enumerate(pdf.pages, 1):
            found = sorted(page.find_tables(), key=lambda t: t.bbox[1])
            top = 0.0
            for index, table in enumerate(found):
                above = _text_lines(page.within_bbox((0, top, page.width, table.bbox[1])))
                lines.extend(above)
                rows, full = _grid(page.within_bbox(table.bbox), table)
                before[len(parts)] = above
                parts.append(_Part(rows, full, number, index == 0, index == len(found) - 1))
                top = table.bbox[3]
            if found and top < page.height:
                lines.extend(_text_lines(page.within_bbox((0, top, page.width, page.height))))
            elif not found:
                lines.extend(_text_lines(page))
    if not lines and not parts:
        raise ValueError("tệp PDF không có lớp chữ (bản quét?)")
    notes: list[str] = []
    tables = _join(parts, before, notes)
    for table in tables:
        lines.extend(
            p for row in table.rows for c in row if c.merge == "none" for p in c.paragraphs
        )
    return SourceDocument(file.name, lines, tables, notes)


def _text_lines(page: Any) -> list[str]:
    return [line["text"].strip() for line in page.extract_text_lines() if line["text"].strip()]


def _grid(area: Any, table: Any) -> tuple[list[list[Cell]], list[list[bool]]]:
    """The table as a full grid, merges resolved, with each cell's "last line full" flag.

    ``area`` is the page cropped to the table. Each cell's text is taken from its row's crop
    of that area (a cell lies within its row, a row within the table): the characters of a
    cell are then found among the row's, not among the whole page's for every cell."""
    width = max(len(row.cells) for row in table.rows)
    boxes: list[list[BBox | None]] = [
        list(row.cells) + [None] * (width - len(row.cells)) for row in table.rows
    ]
    rows: list[list[Cell]] = []
    full: list[list[bool]] = []
    for r, row in enumerate(boxes):
        cells: list[Cell] = []
        flags: list[bool] = []
        row_area = area.within_bbox(table.rows[r].bbox)
        for c, box in enumerate(row):
            if box is not None:
                paragraphs, last_full = _paragraphs(row_area, box)
                cells.append(Cell(paragraphs, "none", r))
                flags.append(last_full)
                continue
            origin = _covering(boxes, r, c)
            if origin is not None and origin[0] < r:
                above = rows[origin[0]][origin[1]]
                cells.append(Cell(above.paragraphs, "vertical", above.origin))
            elif origin is not None:
                left = cells[origin[1]]
                cells.append(Cell(left.paragraphs, "horizontal", r))
            else:
                cells.append(Cell(origin=r))
            flags.append(False)
        rows.append(cells)
        full.append(flags)
    return rows, full


def _covering(boxes: list[list[BBox | None]], r: int, c: int) -> tuple[int, int] | None:
    """The (row, column) of the cell whose box covers the empty grid position (r, c).

    The position's row is known from any cell of that row, its column from any cell of that
    column; the covering cell is the nearest one up or left whose box reaches over it.
    """
    row_box = next((b for b in boxes[r] if b is not None), None)
    column_box = next((row[c] for row in boxes if c < len(row) and row[c] is not None), None)
    if row_box is None or column_box is None:
        return None
    x = (column_box[0] + column_box[2]) / 2
    y = (row_box[1] + row_box[3]) / 2
    for rr in range(r, -1, -1):
        for cc in range(c, -1, -1):
            box = boxes[rr][cc]
            if box is not None and box[0] <= x <= box[2] and box[1] <= y <= box[3]:
                return rr, cc
    return None


def _paragraphs(page: Any, box: BBox) -> tuple[tuple[str, ...], bool]:
    """A cell's paragraphs: wrapped lines joined; and whether its last line was full."""
    lines = page.within_bbox(box).extract_text_lines(return_chars=True)
    if not lines:
        return (), False
    padding = max(lines[0]["x0"] - box[0], 0.0)
    right = box[2] - padding
    paragraphs: list[str] = []
    previous: dict[str, Any] | None = None
    for line in lines:
        text = line["text"].strip()
        if previous is not None and _wrapped(previous, line, right):
            paragraphs[-1] = f"{paragraphs[-1]} {text}"
        else:
            paragraphs.append(text)
        previous = line
    last = lines[-1]
    return tuple(paragraphs), _fills(last, right)


def _first_word_width(line: dict[str, Any]) -> float:
    chars = line["chars"]
    end = next((c for c in chars if c["text"].isspace()), None)
    if end is None:
        return line["x1"] - line["x0"]
    return end["x0"] - line["x0"]


def _space(line: dict[str, Any]) -> float:
    chars = line["chars"]
    return float(chars[0]["size"]) * 0.28 if chars else 2.0


def _wrapped(previous: dict[str, Any], line: dict[str, Any], right: float) -> bool:
    """``previous`` ended because ``line``'s first word would not have fitted after it."""
    room = right - previous["x1"]
    return _first_word_width(line) + _space(previous) > room - _EPSILON


def _fills(line: dict[str, Any], right: float) -> bool:
    """The line reaches (almost) the right edge: a word of the next line would not fit."""
    return right - line["x1"] < 6 * _space(line)


def _join(parts: list[_Part], before: dict[int, list[str]], notes: list[str]) -> list[SourceTable]:
    """Join each table continued on the next page to the part before it."""
    tables: list[SourceTable] = []
    last: _Part | None = None
    for index, part in enumerate(parts):
        continues = (
            last is not None
            and tables
            and part.first_on_page
            and last.last_on_page
            and part.page == last.page + 1
            and len(part.rows[0]) == len(last.rows[0])
        )
        if not continues:
            tables.append(SourceTable([list(r) for r in part.rows], before.get(index, [])))
            last = part
            continue
        assert last is not None
        if _continue(tables[-1], last, part):
            notes.append(
                f"dòng đầu trang {part.page} (ô STT trống) là phần còn lại của dòng cuối trang "
                f"{last.page}, bị ngắt trang: đã nối lại"
            )
        last = part
    return tables


def _continue(table: SourceTable, last: _Part, part: _Part) -> bool:
    """Append ``part`` to ``table``; a split row (empty STT on top) joins the row before.

    True when a split row was joined.
    """
    found = find_header(table.rows)
    header_rows = 0
    if found is not None:
        columns = found[2]
        while header_rows < len(part.rows) and is_header_like(part.rows[header_rows], columns):
            header_rows += 1
    else:
        columns = columns_of(table.rows[0])
    rows = part.rows[header_rows:]
    stt = columns.get("stt", 0)
    merged = 0
    previous_full = last.full[-1] if last.full else []
    if rows and table.rows and _split_row(rows[0], stt, previous_full):
        table.rows[-1] = [
            _merge_cell(above, below, previous_full[i] if i < len(previous_full) else False)
            for i, (above, below) in enumerate(zip(table.rows[-1], rows[0], strict=False))
        ]
        merged = 1
    # part row j lands at len(table.rows) + j - merged (the merged row takes no place)
    offset = len(table.rows) - merged
    table.rows.extend(_shift(part.rows[:header_rows], len(table.rows)))
    table.rows.extend(_shift(rows[merged:], offset))
    return bool(merged)


def _shift(rows: list[list[Cell]], offset: int) -> list[list[Cell]]:
    """Rows of a continued part, their origins counted in the joined table."""
    return [[Cell(c.paragraphs, c.merge, c.origin + offset) for c in row] for row in rows]


def _split_row(row: list[Cell], stt: int, previous_full: list[bool]) -> bool:
    """The first row of a page is the rest of the row before the break.

    Its STT cell is empty and either a cell of the row before ended on a full line (the page
    broke inside a paragraph) or its text starts in lower case (inside a sentence). An
    unnumbered row that starts a sentence is left to the task reader (a sub-item).
    """
    if row[stt].text or not any(c.text for c in row):
        return False
    first = next((c.text for c in row if c.text and c.merge == "none"), "")
    full = any(i < len(previous_full) and previous_full[i] and c.text for i, c in enumerate(row))
    return full or first[:1].islower()


def _merge_cell(above: Cell, below: Cell, above_full: bool) -> Cell:
    """One cell of a row split by a page break: its paragraph continues when the line was full."""
    if not below.paragraphs or below.merge != "none":
        return above
    if not above.paragraphs:
        return Cell(below.paragraphs, above.merge, above.origin)
    if above_full:
        joined = (*above.paragraphs[:-1], f"{above.paragraphs[-1]} {below.paragraphs[0]}")
        return Cell((*joined, *below.paragraphs[1:]), above.merge, above.origin)
    return Cell((*above.paragraphs, *below.paragraphs), above.merge, above.origin)
