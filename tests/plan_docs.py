"""Build Word plan documents (python-docx) the way agencies publish them, for import tests.

``PlanDoc`` writes the national header table, the title, the focal-point sentence and a task
table with the awkward parts of real documents: section rows merged across the table, cells
merged down over rows sharing a value, several paragraphs in one cell, a header row repeated
after a page break, and sub-items as unnumbered rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_BREAK
from docx.table import Table

HEADERS = {
    "stt": "TT",
    "content": "TÊN NHIỆM VỤ",
    "lead": "ĐƠN VỊ CHỦ TRÌ",
    "cooperating": "CƠ QUAN, ĐƠN VỊ PHỐI HỢP",
    "deadline": "THỜI GIAN THỰC HIỆN/HOÀN THÀNH",
    "product": "SẢN PHẨM CHÍNH",
    "funding": "NGUỒN KINH PHÍ",
    "note": "GHI CHÚ",
}


@dataclass
class Row:
    """One printed row: role → paragraphs; ``section`` rows span the table."""

    cells: dict[str, list[str]] = field(default_factory=dict)
    section: str | None = None
    header: bool = False
    page_break: bool = False
    merge_down: tuple[str, ...] = ()  # roles continuing the cell above (left empty here)
    merge_right: tuple[str, str] | None = None  # (role, role to its right) merged


def task_rows(tasks: Sequence[dict[str, Any]], repeat_header_after: int = 0) -> list[Row]:
    """The rows of a shipped plan's tasks: sections, tasks, sub-items, merges."""
    rows: list[Row] = []
    section = None
    previous: dict[str, list[str]] | None = None
    for count, task in enumerate(tasks, 1):
        if task["section"] != section:
            section = task["section"]
            if section[:2] in ("I.", "II", "IV", "V.", "VI") and not section.startswith("PHỤ"):
                rows.append(Row(section=section))
                previous = None
        cells = _cells(task, f"{task['id']}.")
        merge = tuple(
            role
            for role in ("lead", "cooperating", "funding")
            if previous is not None and cells[role] and cells[role] == previous[role]
        )
        rows.append(Row(cells, merge_down=merge))
        previous = cells
        for index, sub in enumerate(task.get("subtasks", [])):
            sub_cells = _cells(sub, "")
            if index == 0 and task["id"] == "16":
                sub_cells["content"] = ["- " + sub_cells["content"][0], *sub_cells["content"][1:]]
            elif task["id"] == "16":
                sub_cells["content"] = ["- " + sub_cells["content"][0]]
            rows.append(Row(sub_cells))
            previous = None
        if repeat_header_after and count == repeat_header_after:
            rows.append(Row(header=True, page_break=True))
            previous = None
    return rows


def _cells(task: dict[str, Any], number: str) -> dict[str, list[str]]:
    content = task["content"]
    # a long content cell printed as two paragraphs, split after a semicolon
    head, sep, tail = content.partition("; ")
    return {
        "stt": [number] if number else [],
        "content": [head + ";", tail] if sep and len(content) > 200 else [content],
        "lead": list(task.get("lead") or []),
        "cooperating": list(task.get("cooperating") or []),
        "deadline": task.get("deadline", "").split("\n") if task.get("deadline") else [],
        "product": [task["product"]] if task.get("product") else [],
        "funding": [task["funding"]] if task.get("funding") else [],
        "note": [task["note"]] if task.get("note") else [],
    }


@dataclass
class PlanDoc:
    issuer: Sequence[str]
    number: str
    place_date: str
    title: Sequence[str]
    focal: str
    columns: Sequence[str]
    rows: list[Row]
    appendix: Sequence[str] = ()

    def save(self, path: Path) -> Path:
        doc = Document()
        head = doc.add_table(rows=1, cols=2)
        left, right = head.rows[0].cells
        _fill(left, [*self.issuer, f"Số: {self.number}"])
        _fill(right, ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"])
        right.add_paragraph(self.place_date)
        for line in self.title:
            doc.add_paragraph(line)
        doc.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
        doc.add_paragraph(self.focal)
        for line in self.appendix:
            doc.add_paragraph(line)
        table = doc.add_table(rows=0, cols=len(self.columns))
        self._header(table)
        for row in self.rows:
            self._row(table, row)
        doc.save(str(path))
        return path

    def _header(self, table: Table) -> None:
        cells = table.add_row().cells
        for cell, role in zip(cells, self.columns, strict=True):
            cell.text = HEADERS[role]

    def _row(self, table: Table, row: Row) -> None:
        if row.header:
            self._header(table)
            if row.page_break:
                table.rows[-1].cells[0].paragraphs[0].runs[0].add_break(WD_BREAK.PAGE)
            return
        cells = table.add_row().cells
        if row.section is not None:
            merged = cells[0].merge(cells[-1])
            merged.text = row.section
            return
        skip = (*row.merge_down, *(row.merge_right or ())[1:])
        for cell, role in zip(cells, self.columns, strict=True):
            if role not in skip:
                _fill(cell, row.cells.get(role, []))
        above = table.rows[-2].cells
        for role in row.merge_down:
            index = self.columns.index(role)
            above[index].merge(cells[index])
        if row.merge_right:
            left, right = (self.columns.index(r) for r in row.merge_right)
            cells[left].merge(cells[right])


def _fill(cell: Any, paragraphs: Sequence[str]) -> None:
    if not paragraphs:
        return
    cell.text = paragraphs[0]
    for paragraph in paragraphs[1:]:
        cell.add_paragraph(paragraph)


def save_workbook(doc: PlanDoc, path: Path) -> Path:
    """The same plan as a sheet: header lines in the first rows, then the task table."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    width = len(doc.columns)
    for line in [*doc.issuer, f"Số: {doc.number}", doc.place_date, *doc.title, doc.focal]:
        sheet.append([line])
    sheet.append([HEADERS[role] for role in doc.columns])
    for row in doc.rows:
        if row.header:
            sheet.append([HEADERS[role] for role in doc.columns])
            continue
        if row.section is not None:
            sheet.append([row.section])
            sheet.merge_cells(
                start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width
            )
            continue
        skip = (*row.merge_down, *(row.merge_right or ())[1:])
        sheet.append(
            ["\n".join(row.cells.get(r, [])) if r not in skip else None for r in doc.columns]
        )
        for role in row.merge_down:
            column = doc.columns.index(role) + 1
            top = sheet.max_row - 1
            while top > 1 and sheet.cell(top, column).value is None:
                top -= 1
            for merged in list(sheet.merged_cells.ranges):
                if merged.min_col == column and merged.max_row == sheet.max_row - 1:
                    top = merged.min_row
                    sheet.unmerge_cells(str(merged))
            sheet.merge_cells(
                start_row=top, start_column=column, end_row=sheet.max_row, end_column=column
            )
        if row.merge_right:
            left, right = (doc.columns.index(r) + 1 for r in row.merge_right)
            sheet.merge_cells(
                start_row=sheet.max_row, start_column=left, end_row=sheet.max_row, end_column=right
            )
    workbook.save(str(path))
    return path


FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian's fonts-dejavu-core
_WIDTHS = {"stt": 1.0, "content": 6.0, "lead": 3.0, "cooperating": 3.5, "deadline": 2.6}


def save_pdf(doc: PlanDoc, path: Path) -> Path:
    """The same plan as a PDF with a text layer (reportlab), drawn as a ruled table.

    The header row repeats on every page and section rows span the table, as a Word document
    printed to PDF shows them. Rows are not split across pages here (reportlab repeats the
    header above the first part of a split row); ``split_row_pdf`` draws that case.
    """
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT)))
    style = ParagraphStyle("cell", fontName="DejaVuSans", fontSize=8, leading=10)

    def paragraphs(lines: Sequence[str]) -> list[Paragraph]:
        return [Paragraph(escape(line), style) for line in lines]

    width = len(doc.columns)
    data: list[list[Any]] = [[paragraphs([HEADERS[role]]) for role in doc.columns]]
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, "black"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for row in doc.rows:
        if row.header:
            continue  # the header repeats on every page by itself (repeatRows)
        at = len(data)
        if row.section is not None:
            data.append([paragraphs([row.section])] + [""] * (width - 1))
            commands.append(("SPAN", (0, at), (-1, at)))
            continue
        # a value shared with the row above is printed again: reportlab cannot split a cell
        # spanning rows across a page break the way Word does
        skip = (row.merge_right or ())[1:]
        data.append(
            [paragraphs(row.cells.get(r, [])) if r not in skip else "" for r in doc.columns]
        )
        if row.merge_right:
            left, right = (doc.columns.index(r) for r in row.merge_right)
            commands.append(("SPAN", (left, at), (right, at)))
    page = landscape(A4)
    unit = (page[0] - 72) / sum(_WIDTHS.get(role, 2.2) for role in doc.columns)
    table = Table(
        data,
        colWidths=[unit * _WIDTHS.get(role, 2.2) for role in doc.columns],
        repeatRows=1,
        style=TableStyle(commands),
    )
    heading = [*doc.issuer, f"Số: {doc.number}", doc.place_date, *doc.title]
    story = [
        *paragraphs(heading),
        *paragraphs(["I. MỤC ĐÍCH, YÊU CẦU", doc.focal]),
        *paragraphs(doc.appendix),
    ]
    SimpleDocTemplate(str(path), pagesize=page, leftMargin=36, rightMargin=36).build(
        [*story, table]
    )
    return path


Page = Sequence[Sequence[Sequence[str] | None]]  # rows → cells (None: merged down) → lines


def draw_pdf(path: Path, heading: Sequence[str], pages: Sequence[Page]) -> Path:
    """A PDF whose table is drawn line by line: each page's rows, each cell's printed lines.

    Every column is as wide as its longest printed line (plus padding), so that line fills
    its cell the way a wrapped line does; each page's part of the table is closed by a rule,
    as Word closes a row it splits across a page break. A cell given as None continues the
    cell above it (no rule between them: a vertical merge). ``heading`` is printed on page 1.
    """
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT)))
    size, leading, pad = 9, 11, 4
    columns = len(pages[0][0])
    widths = [
        max(
            pdfmetrics.stringWidth(line, "DejaVuSans", size)
            for page in pages
            for row in page
            for line in (row[index] or [""])
        )
        + 2 * pad
        + 1
        for index in range(columns)
    ]
    canvas = Canvas(str(path), pagesize=landscape(A4))
    height = landscape(A4)[1]
    for number, page in enumerate(pages):
        y = height - 40
        canvas.setFont("DejaVuSans", size)
        for line in heading if number == 0 else ():
            canvas.drawString(36, y, line)
            y -= leading + 2
        top = y
        for row in page:
            lines = max(len(cell or ()) for cell in row) or 1
            bottom = top - lines * leading - 2 * pad
            x = 36.0
            for cell, width in zip(row, widths, strict=True):
                for index, line in enumerate(cell or ()):
                    canvas.drawString(x + pad, top - pad - (index + 1) * leading + 2, line)
                if cell is not None:
                    canvas.line(x, top, x + width, top)
                canvas.line(x, top, x, bottom)
                canvas.line(x + width, top, x + width, bottom)
                x += width
            top = bottom
        canvas.line(36.0, top, 36.0 + sum(widths), top)
        canvas.showPage()
    canvas.save()
    return path
