"""Word building blocks for administrative documents (Nghị định số 30/2020/NĐ-CP layout).

Rules:

* **Pages.** A4; portrait margins 20/20/30/15 mm (top, bottom, left, right), landscape 20 mm
  all round. Times New Roman, 14 pt for the text, 13 pt in the tables.
* **Page numbers.** A ``PAGE`` field centred in the header, from the second page on (the
  first page of the document has an empty header; later sections show the number on every
  page), as Nghị định 30 prescribes.
* **Rules under heading lines** are an empty 1 pt paragraph with a single bottom border, its
  length set by equal left and right indents, centred under the line above.
* **Tables** are bordered, with a bold header row repeated on every page, a fixed layout
  (``w:tblLayout w:type="fixed"``) and an explicit width on every grid column and cell, so
  Word and LibreOffice never re-flow them.
* **Column widths** (:func:`fit_widths`) never break a word: each column is at least as wide
  as its longest word (header words in bold) in the table's font size, plus the cell margins;
  dates "dd/mm/yyyy" are one word, and a word may end after a hyphen ("149/QĐ-" "BTP"), where
  Word breaks lines too. What is left of the width available is shared among the
  columns in proportion to their weights (text columns such as the content or the reason).
* **Text width** (:func:`text_width_mm`) is measured with the Times New Roman advance widths
  (regular and bold, Adobe font metrics) of each character's base letter (diacritics do not
  widen a letter), unknown characters counting one em, plus a 5% margin.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass

from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tc
from docx.section import Section
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
TEXT_PT = 14
TABLE_PT = 13
CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
#: Word's default left + right cell margins (0.08 inch each).
CELL_MARGINS_MM = 2 * 1.905
_PT_MM = 25.4 / 72
_SAFETY = 1.05
_TEXT = f"{qn('w:p')}/{qn('w:r')}/{qn('w:t')}"  # a table cell's text (see _fill)

# Advance widths in thousandths of an em (Adobe Times-Roman / Times-Bold metrics).
_ROMAN = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        (
            444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500,
            333, 389, 278, 500, 500, 722, 500, 500, 444, 722, 667, 667, 722, 611, 556, 722, 722,
            333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722,
            611,
        ),
        strict=True,
    )
)  # fmt: skip
_BOLD = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        (
            500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556, 556,
            444, 389, 333, 556, 500, 722, 500, 500, 444, 722, 667, 722, 722, 667, 611, 778, 778,
            389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722, 722,
            667,
        ),
        strict=True,
    )
)  # fmt: skip
_COMMON = {
    **dict.fromkeys("0123456789", 500),
    " ": 250,
    ".": 250,
    ",": 250,
    ":": 278,
    ";": 278,
    "/": 278,
    "-": 333,
    "–": 500,
    "—": 1000,
    "(": 333,
    ")": 333,
    "%": 833,
    "…": 1000,
    "“": 444,
    "”": 444,
    "[": 333,
    "]": 333,
}


def text_width_mm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """The printed width of ``text`` on one line in Times New Roman ``size_pt``."""
    letters = _BOLD if bold else _ROMAN
    total = 0
    for char in text:
        base = unicodedata.normalize("NFD", char.replace("đ", "d").replace("Đ", "D"))[0]
        total += letters.get(base) or _COMMON.get(base, 1000)
    return total / 1000 * size_pt * _PT_MM * _SAFETY


def words(text: str) -> list[str]:
    """The pieces of ``text`` a line may not break inside: split at whitespace and after a
    hyphen or dash (where Word breaks a line too: "149/QĐ-" "BTP")."""
    return [piece for word in text.split() for piece in re.split(r"(?<=[-–—])", word) if piece]


def longest_word_mm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """The width of the widest of :func:`words` of ``text``."""
    return max((text_width_mm(w, size_pt, bold=bold) for w in words(text)), default=0.0)


@dataclass(frozen=True)
class Column:
    """A table column: its header and its share of the width left once every column holds
    its longest word (0: exactly as wide as its longest word)."""

    header: str
    weight: float = 0.0


def fit_widths(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    available_mm: float,
    size_pt: float = TABLE_PT,
) -> list[float]:
    """Column widths in mm that never break a word (see the module's rules).

    When the columns' minimum widths exceed ``available_mm`` the minimums are returned (the
    table is then wider than the text area, but no word breaks).
    """
    minimum = []
    for index, column in enumerate(columns):
        words = [longest_word_mm(column.header, size_pt, bold=True)]
        words += [longest_word_mm(row[index], size_pt) for row in rows]
        minimum.append(max(words) + CELL_MARGINS_MM)
    slack = available_mm - sum(minimum)
    weights = sum(c.weight for c in columns)
    if slack <= 0:
        return minimum
    if weights == 0:
        return [w + slack / len(columns) for w in minimum]
    return [w + slack * c.weight / weights for w, c in zip(minimum, columns, strict=True)]


def setup_styles(document: DocxDocument) -> None:
    """Normal text: Times New Roman 14 pt, Vietnamese, 6 pt after each paragraph."""
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(TEXT_PT)
    r_pr = style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "vi-VN")
    r_pr.append(language)
    paragraph = style.paragraph_format
    paragraph.space_before = Pt(0)
    paragraph.space_after = Pt(6)


def set_page(section: Section, landscape: bool) -> None:
    """A4 in the given orientation, with the margins of the module's rules."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.page_width, section.page_height = width, height
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin = Mm(20) if landscape else Mm(30)
    section.right_margin = Mm(20) if landscape else Mm(15)


def text_width(section: Section) -> float:
    """The width of a section's text area in mm."""
    return (section.page_width - section.left_margin - section.right_margin) / Mm(1)  # type: ignore[operator]


def page_numbers(section: Section, *, first_page: bool) -> None:
    """A centred ``PAGE`` field in the section's header; ``first_page=False`` leaves the
    section's first page without one (the document's first page)."""
    section.different_first_page_header_footer = not first_page
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.alignment = CENTER
    for part in ("begin", "instruction", "separate", "shown", "end"):
        run = paragraph.add_run()
        run.font.size = Pt(TEXT_PT)
        if part == "shown":
            run.text = "2"  # what a reader shows before updating the field
        elif part == "instruction":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = " PAGE "
            run._r.append(instruction)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), part)
            run._r.append(char)


def paragraph(
    container: DocxDocument | _Cell,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = TEXT_PT,
    align: WD_ALIGN_PARAGRAPH = JUSTIFY,
    indent: bool = False,
    after: float = 6,
) -> Paragraph:
    """A paragraph of one run (none when ``text`` is empty)."""
    added = container.add_paragraph()
    added.alignment = align
    added.paragraph_format.space_after = Pt(after)
    if indent:
        added.paragraph_format.first_line_indent = Mm(10)
    if text:
        run = added.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return added


def rule(container: DocxDocument | _Cell, length_mm: float, width_mm: float) -> Paragraph:
    """A centred horizontal line ``length_mm`` long in a space ``width_mm`` wide."""
    line = container.add_paragraph()
    line.alignment = CENTER
    fmt = line.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    side = max(0.0, (width_mm - length_mm) / 2)
    fmt.left_indent = fmt.right_indent = Mm(side)
    run = line.add_run()
    run.font.size = Pt(1)
    p_pr = line._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (
        ("w:val", "single"),
        ("w:sz", "6"),
        ("w:space", "1"),
        ("w:color", "000000"),
    ):
        bottom.set(qn(name), value)
    borders.append(bottom)
    # w:pBdr comes before w:spacing, w:ind and w:jc (the paragraph has no w:pStyle)
    p_pr.insert(0, borders)
    mark = OxmlElement("w:rPr")  # the paragraph mark's size sets the line's height
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    mark.append(size)
    p_pr.append(mark)
    return line


def lines(
    cell: _Cell,
    items: Sequence[tuple[str, bool, bool, float]],
    align: WD_ALIGN_PARAGRAPH,
) -> list[Paragraph]:
    """Fill a cell with (text, bold, italic, size) lines; returns their paragraphs."""
    out = []
    for index, (text, bold, italic, size) in enumerate(items):
        added = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        added.alignment = align
        added.paragraph_format.space_after = Pt(0)
        if text:
            run = added.add_run(text)
            run.bold, run.italic, run.font.size = bold, italic, Pt(size)
        out.append(added)
    return out


def set_widths(table: Table, widths_mm: Sequence[float]) -> None:
    """A fixed layout: the table's width, every grid column's and every cell's width."""
    table.autofit = False  # w:tblLayout w:type="fixed"
    tbl_pr = table._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(sum(round(Mm(w).twips) for w in widths_mm)))
    for column, value in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(value)
    for row in table.rows:
        for cell, value in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(value)


def borderless(document: DocxDocument, widths_mm: Sequence[float]) -> Table:
    """A table without borders, for the heading and signature blocks."""
    table = document.add_table(rows=1, cols=len(widths_mm))
    set_widths(table, widths_mm)
    return table


def _set_cell(cell: _Cell, text: str, *, bold: bool, align: WD_ALIGN_PARAGRAPH) -> None:
    added = cell.paragraphs[0]
    added.alignment = align
    added.paragraph_format.space_after = Pt(0)
    run = added.add_run(text)
    run.bold, run.font.size = bold, Pt(TABLE_PT)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _fill(
    cell: _Cell,
    text: str,
    *,
    bold: bool,
    align: WD_ALIGN_PARAGRAPH,
    made: dict[tuple[bool, WD_ALIGN_PARAGRAPH], CT_Tc],
) -> None:
    """What :func:`_set_cell` makes of a new cell, faster for plain text (not empty, no tab,
    line break or space at either end: one ``w:t`` without ``xml:space``): a copy of the
    first such cell of the table with the same weight and alignment (``made``), its text
    replaced. python-docx builds a cell's properties element by element, which took most of
    the time of a report with long annexes; the copy is the same XML."""
    plain = bool(text) and text == text.strip() and not any(c in text for c in "\t\r\n")
    prototype = made.get((bold, align)) if plain else None
    if prototype is None:
        _set_cell(cell, text, bold=bold, align=align)
        if plain:
            made[(bold, align)] = cell._tc
        return
    copy = deepcopy(prototype)
    copy.find(_TEXT).text = text
    cell._tc.getparent().replace(cell._tc, copy)


def grid(
    document: DocxDocument,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    available_mm: float,
    *,
    left_columns: Sequence[int] = (),
    bold_last_row: bool = False,
) -> Table:
    """A bordered table: a bold header row repeated on every page, then ``rows``, with
    :func:`fit_widths` widths in a fixed layout."""
    table = document.add_table(rows=1 + len(rows), cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    for cell, column in zip(header.cells, columns, strict=True):
        _set_cell(cell, column.header, bold=True, align=CENTER)
    made: dict[tuple[bool, WD_ALIGN_PARAGRAPH], CT_Tc] = {}
    for index, (row, values) in enumerate(zip(table.rows[1:], rows, strict=True), start=1):
        bold = bold_last_row and index == len(rows)
        for column, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            align = LEFT if column in left_columns else CENTER
            _fill(cell, text, bold=bold, align=align, made=made)
    set_widths(table, fit_widths(columns, rows, available_mm))
    return table
