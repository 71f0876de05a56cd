"""Read a Word document (python-docx) into a :class:`SourceDocument`.

The body is walked in order, paragraphs and tables alike, so a table knows the lines printed
before it. Merged cells are resolved on the XML grid: a cell spanning columns (``gridSpan``)
fills each of them, the later ones marked ``horizontal``; a cell continuing a vertical merge
(``vMerge`` without ``restart``) takes the text of the cell above, marked ``vertical``.
Line breaks inside a paragraph split it, as the printed page does.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from engine.plans_import.table import Cell, SourceDocument, SourceTable


def read_docx(file: Path) -> SourceDocument:
    """The lines and tables of ``file``."""
    body = Document(str(file)).element.body
    lines: list[str] = []
    tables: list[SourceTable] = []
    since_table: list[str] = []
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            texts = _paragraph_lines(child)
            lines.extend(texts)
            since_table.extend(texts)
        elif child.tag == qn("w:tbl"):
            rows = _grid(child)
            tables.append(SourceTable(rows, since_table))
            since_table = []
            for row in rows:
                lines.extend(p for cell in row if cell.merge == "none" for p in cell.paragraphs)
    return SourceDocument(file.name, lines, tables)


def _paragraph_lines(p_element: object) -> list[str]:
    text = Paragraph(p_element, None).text  # type: ignore[arg-type]
    return [line.strip() for line in text.split("\n") if line.strip()]


def _cell_paragraphs(tc: object) -> tuple[str, ...]:
    out: list[str] = []
    for p in tc.iterchildren(qn("w:p")):  # type: ignore[attr-defined]
        out.extend(_paragraph_lines(p))
    return tuple(out)


def _grid(tbl: object) -> list[list[Cell]]:
    """The table as a full grid: every row as wide as the widest, merges resolved."""
    rows: list[list[Cell]] = []
    for row_index, tr in enumerate(tbl.iterchildren(qn("w:tr"))):  # type: ignore[attr-defined]
        row: list[Cell] = []
        for tc in tr.iterchildren(qn("w:tc")):
            column = len(row)
            v_merge = tc.vMerge
            if v_merge is not None and v_merge != "restart":
                above = rows[-1][column] if rows and column < len(rows[-1]) else Cell()
                cell = Cell(above.paragraphs, "vertical", above.origin)
            else:
                cell = Cell(_cell_paragraphs(tc), "none", row_index)
            row.append(cell)
            for _ in range(tc.grid_span - 1):
                row.append(Cell(cell.paragraphs, "horizontal", cell.origin))
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    return [r + [Cell(origin=i)] * (width - len(r)) for i, r in enumerate(rows)]
