"""Read a workbook (openpyxl, read-only streaming) into a :class:`SourceDocument`.

Each sheet is one table; the rows above its task header are the document's lines (a sheet
often carries the plan's number and title in its first rows). Read-only sheets do not expose
merged ranges, so the ``<mergeCells>`` of the sheet's XML are read with a streaming parser:
a cell inside a range takes the range's text, marked ``vertical`` when the range starts on an
earlier row and ``horizontal`` otherwise. A cell's line breaks (Alt+Enter) separate its
paragraphs.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import iterparse

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from engine.plans_import.table import Cell, SourceDocument, SourceTable

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read_xlsx(file: Path) -> SourceDocument:
    workbook = load_workbook(str(file), read_only=True, data_only=True)
    lines: list[str] = []
    tables: list[SourceTable] = []
    try:
        for sheet in workbook.worksheets:
            merges = _merges(sheet)
            rows = [_row(values) for values in sheet.iter_rows(values_only=True)]
            grid = _resolve(rows, merges)
            tables.append(SourceTable(grid, label=sheet.title))
            for row in grid:
                lines.extend(p for cell in row if cell.merge == "none" for p in cell.paragraphs)
    finally:
        workbook.close()
    return SourceDocument(file.name, lines, tables)


def _row(values: tuple[object, ...]) -> list[Cell]:
    cells = []
    for value in values:
        text = "" if value is None else str(value)
        paragraphs = tuple(p.strip() for p in text.splitlines() if p.strip())
        cells.append(Cell(paragraphs))
    return cells


def _merges(sheet: object) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range, 1-based."""
    path = getattr(sheet, "_worksheet_path", None)
    if path is None:
        return []
    found = []
    with sheet.parent._archive.open(path) as source:  # type: ignore[attr-defined]
        for _, element in iterparse(source):
            if element.tag == f"{_MAIN}mergeCell":
                found.append(range_boundaries(element.get("ref", "")))
            element.clear()
    return [b for b in found if None not in b]  # type: ignore[misc]


def _resolve(rows: list[list[Cell]], merges: list[tuple[int, int, int, int]]) -> list[list[Cell]]:
    width = max((len(r) for r in rows), default=0)
    grid = [
        [Cell(c.paragraphs, "none", i) for c in r] + [Cell(origin=i)] * (width - len(r))
        for i, r in enumerate(rows)
    ]
    for min_col, min_row, max_col, max_row in merges:
        top = min_row - 1
        if top >= len(grid) or min_col - 1 >= width:
            continue
        anchor = grid[top][min_col - 1]
        for row in range(top, min(max_row, len(grid))):
            for col in range(min_col - 1, min(max_col, width)):
                if (row, col) != (top, min_col - 1):
                    kind = "vertical" if row > top else "horizontal"
                    grid[row][col] = Cell(anchor.paragraphs, kind, top)
    return grid
