"""The draft of Văn phòng Bộ's monthly report on the Đề án 06 plans (due before the 22nd).

``build_monthly_report`` turns occurrences evaluated as of a day into a :class:`MonthlyReport`;
``to_docx`` and ``to_xlsx`` write it as a Word draft to edit and sign, and as a workbook.
Everything is pure: the report's month and day are parameters, nothing reads the clock, the
database or the files, and the same data always gives the same bytes.

Rules:

* **Figures are cumulative as of ``as_of``** (the caller passes
  ``evaluate(catalog, progress, as_of)``) and use the official tallies of
  :mod:`engine.summary`: deliverables count once per occurrence (each lead unit × milestone or
  period), continuous tasks, tasks awaiting a schedule or an event and tasks without a
  deadline once per task and unit ("Nhiệm vụ không có thời hạn"); the completion rate is done /
  (done + in progress + overdue) over deliverables.
* **Plans signed after ``as_of``** do not exist yet on the report's day: they and their
  occurrences are left out of every section.
* **I. Per plan**: plans in order of signing; a "Tổng cộng" column adds them up.
* **II. Per lead unit**: a task led by several units counts for each; units in the registry's
  order (``rules/units.yaml``).
* **III. Overdue list**: deliverables whose status is ``overdue`` as of ``as_of``, sorted by
  days overdue (most first), then plan, task (in the plan's order) and unit. Content is shortened to about 200
  characters; the deadline is the phrase as printed; the reason is ``notes[occurrence.key]``,
  or "Chưa có báo cáo lý do của đơn vị" when the unit has given none.
* **IV. Continuous tasks' updates of the month**: occurrences of kind ``update`` whose period
  is the report month (``"YYYY-MM"``), per lead unit: reported (``reported``) and not reported
  (``report_missing``, or not yet reported while the cut-off has not passed); updates not yet
  in force, suspended or cancelled are left out.
* **V. Đề xuất, kiến nghị** is a placeholder paragraph for the officer to complete.
* **Layout** (Nghị định số 30/2020/NĐ-CP): A4, Times New Roman 14 pt for the text and 13 pt
  in the tables; the heading block (BỘ TƯ PHÁP / VĂN PHÒNG beside the national motto), the
  place and date ("Hà Nội, ngày 20 tháng 7 năm 2023", the report's as-of day), the title, the
  sections, "Nơi nhận" and the signature block. The wide tables (II, III) sit on landscape
  pages.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from openpyxl import Workbook

from engine.catalog.model import Catalog
from engine.emails import period_label, vn_long_date
from engine.reports._shared import day_start, percent, shorten, stable_zip
from engine.reports._xlsx import add_table, workbook_bytes
from engine.status import DELIVERABLE, UPDATE, Occurrence, Status
from engine.summary import CATEGORIES, Tally, tally, tally_tasks

#: What the overdue list says when the unit has not reported why.
NO_REASON = "Chưa có báo cáo lý do của đơn vị"
#: Length of a task's content in the overdue list.
CONTENT_LIMIT = 200
TITLE = "BÁO CÁO"
ORGANISATION = "BỘ TƯ PHÁP"
OFFICE = "VĂN PHÒNG"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PLACE = "Hà Nội"
SIGNER = "CHÁNH VĂN PHÒNG"
TOTAL_LABEL = "Tổng cộng"
SECTION_TITLES = (
    "I. KẾT QUẢ THỰC HIỆN THEO TỪNG KẾ HOẠCH",
    "II. KẾT QUẢ THỰC HIỆN THEO ĐƠN VỊ CHỦ TRÌ",
    "III. DANH MỤC NHIỆM VỤ QUÁ HẠN",
    "IV. CẬP NHẬT TIẾN ĐỘ NHIỆM VỤ THƯỜNG XUYÊN {period}",
    "V. ĐỀ XUẤT, KIẾN NGHỊ",
)
PROPOSALS = (
    "[Cán bộ theo dõi hoàn thiện trước khi trình ký: đề nghị Lãnh đạo Bộ chỉ đạo các đơn vị "
    "có nhiệm vụ quá hạn khẩn trương hoàn thành và báo cáo rõ lý do chậm tiến độ; các đơn vị "
    "chưa cập nhật tiến độ nhiệm vụ thường xuyên thực hiện cập nhật chậm nhất ngày {cutoff} "
    "hằng tháng; các kiến nghị khác (nếu có).]"
)
RECIPIENTS = ("- Lãnh đạo Bộ (để báo cáo);", "- Các đơn vị thuộc Bộ;", "- Lưu: VT, VP.")

_DONE = (Status.DONE_ON_TIME, Status.DONE_LATE)
_OUT_OF_UPDATES = (Status.NOT_STARTED, Status.SUSPENDED, Status.CANCELLED)


@dataclass(frozen=True)
class CountRow:
    """One line of the official tallies: a plan, a unit, or the total."""

    key: str
    label: str
    counts: Mapping[str, int]
    total: int
    completion_rate: float | None


@dataclass(frozen=True)
class OverdueItem:
    """One overdue deliverable of the list in section III."""

    occurrence_key: str
    plan: str
    plan_number: str
    task: str
    content: str
    unit: str
    unit_name: str
    milestone: str
    deadline: str
    due: date
    days_overdue: int
    reason: str
    reason_reported: bool


@dataclass(frozen=True)
class UpdateRow:
    """A lead unit's continuous-task updates for the report month (section IV)."""

    unit: str
    unit_name: str
    total: int
    reported: int
    missing: int
    missing_tasks: str


@dataclass(frozen=True)
class MonthlyReport:
    """Everything the monthly report prints, already worded in Vietnamese."""

    month_year: int
    month: int
    as_of: date
    place_date: str
    subtitle: str
    introduction: str
    overview: str
    plans: tuple[CountRow, ...]
    total: CountRow
    units: tuple[CountRow, ...]
    overdue: tuple[OverdueItem, ...]
    updates: tuple[UpdateRow, ...]
    updates_summary: str
    proposals: str
    title: str = TITLE

    @property
    def period_key(self) -> str:
        """The report month as a period key: ``"2023-07"``."""
        return f"{self.month_year}-{self.month:02d}"

    @property
    def period(self) -> str:
        """The report month as people write it: ``"tháng 7/2023"``."""
        return period_label(self.period_key) or self.period_key

    @property
    def section_titles(self) -> tuple[str, ...]:
        return tuple(t.format(period=self.period.upper()) for t in SECTION_TITLES)


def _row(tallied: Tally, label: str) -> CountRow:
    return CountRow(
        tallied.key, label, dict(tallied.counts), tallied.total, tallied.completion_rate
    )


def _empty_row(key: str, label: str) -> CountRow:
    return CountRow(key, label, dict.fromkeys(CATEGORIES, 0), 0, None)


def _overview(as_of: date, total: CountRow) -> str:
    counts = total.counts
    done = counts["done_on_time"] + counts["done_late"]
    parts = [
        f"đã hoàn thành {done} (đúng hạn {counts['done_on_time']}, quá hạn {counts['done_late']})",
        f"đang thực hiện trong hạn {counts['in_progress']}",
        f"đang thực hiện quá hạn {counts['overdue']}",
        f"nhiệm vụ không có thời hạn {counts['no_deadline']}",
        f"chưa đến thời gian thực hiện {counts['not_started']}",
        f"tạm dừng, không thực hiện {counts['stopped']}",
    ]
    rate = (
        f"Tỷ lệ hoàn thành đạt {percent(total.completion_rate)} (số nhiệm vụ đã hoàn thành trên "
        "tổng số nhiệm vụ có thời hạn đã triển khai)."
        if total.completion_rate is not None
        else "Chưa có nhiệm vụ có thời hạn đến kỳ thực hiện."
    )
    return (
        f"Tính đến {vn_long_date(as_of)}, tổng số nhiệm vụ được theo dõi (tính theo từng đơn vị "
        f"chủ trì và từng mốc, kỳ thực hiện) là {total.total}, trong đó: " + "; ".join(parts) + ". "
        f"{rate}"
    )


def build_monthly_report(
    catalog: Catalog,
    occurrences: Sequence[Occurrence],
    month_year: int,
    month: int,
    as_of: date,
    notes: Mapping[str, str] | None = None,
) -> MonthlyReport:
    """The monthly report for ``month``/``month_year`` from occurrences evaluated as of ``as_of``.

    ``notes`` maps an occurrence key to the unit's reason or latest note, printed in the
    overdue list. Raises ``ValueError`` for a month outside 1–12.
    """
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    notes = notes or {}
    period_key = f"{month_year}-{month:02d}"
    unit_order = {uid: index for index, uid in enumerate(catalog.units)}

    plans = sorted(
        (p for p in catalog.plans.values() if p.signed <= as_of),
        key=lambda p: (p.signed, p.number),
    )
    in_force = {p.id for p in plans}
    occurrences = [o for o in occurrences if o.plan in in_force]
    by_plan = {t.key: t for t in tally_tasks(occurrences, lambda o: o.plan)}
    plan_rows = tuple(
        _row(by_plan[p.id], p.number) if p.id in by_plan else _empty_row(p.id, p.number)
        for p in plans
    )
    totals = tally_tasks(occurrences, lambda o: "")
    total = _row(totals[0], TOTAL_LABEL) if totals else _empty_row("", TOTAL_LABEL)

    unit_rows = tuple(
        _row(t, catalog.units[t.key].name)
        for t in sorted(
            tally(occurrences, lambda o: o.unit),
            key=lambda t: (unit_order.get(t.key, len(unit_order)), t.key),
        )
    )

    overdue: list[OverdueItem] = []
    for occ in occurrences:
        if occ.kind != DELIVERABLE or occ.status != Status.OVERDUE or occ.due is None:
            continue
        plan = catalog.plans[occ.plan]
        task = plan.task(occ.task)
        note = (notes.get(occ.key) or "").strip()
        overdue.append(
            OverdueItem(
                occurrence_key=occ.key,
                plan=occ.plan,
                plan_number=plan.number,
                task=occ.task,
                content=shorten(task.content, CONTENT_LIMIT) if task else "",
                unit=occ.unit,
                unit_name=catalog.units[occ.unit].name,
                milestone=occ.milestone,
                deadline=task.deadline if task else "",
                due=occ.due,
                days_overdue=occ.days_overdue,
                reason=note or NO_REASON,
                reason_reported=bool(note),
            )
        )
    plan_order = {p.id: index for index, p in enumerate(plans)}
    task_order = {(p.id, t.id): index for p in plans for index, t in enumerate(p.tasks)}
    overdue.sort(
        key=lambda i: (
            -i.days_overdue,
            plan_order.get(i.plan, len(plan_order)),
            task_order.get((i.plan, i.task), 0),
            unit_order.get(i.unit, len(unit_order)),
            i.milestone,
        )
    )

    per_unit: dict[str, list[Occurrence]] = {}
    for occ in occurrences:
        in_period = occ.kind == UPDATE and occ.milestone == period_key
        if in_period and occ.status not in _OUT_OF_UPDATES:
            per_unit.setdefault(occ.unit, []).append(occ)
    updates: list[UpdateRow] = []
    for unit in sorted(per_unit, key=lambda u: (unit_order.get(u, len(unit_order)), u)):
        items = per_unit[unit]
        missing = [o for o in items if o.status != Status.REPORTED]
        by_plan_tasks: dict[str, list[str]] = {}
        for occ in sorted(missing, key=lambda o: plan_order.get(o.plan, len(plan_order))):
            by_plan_tasks.setdefault(catalog.plans[occ.plan].number, []).append(occ.task)
        updates.append(
            UpdateRow(
                unit=unit,
                unit_name=catalog.units[unit].name,
                total=len(items),
                reported=len(items) - len(missing),
                missing=len(missing),
                missing_tasks="; ".join(
                    f"{number}: nhiệm vụ {', '.join(tasks)}"
                    for number, tasks in by_plan_tasks.items()
                ),
            )
        )
    period = period_label(period_key) or period_key
    if updates:
        owed = sum(u.total for u in updates)
        reported = sum(u.reported for u in updates)
        updates_summary = (
            f"Trong {period}, có {owed} lượt nhiệm vụ thường xuyên của {len(updates)} đơn vị "
            "chủ trì phải cập nhật tiến độ (hạn cập nhật: ngày "
            f"{catalog.policy.update_cutoff_day} hằng tháng); đã cập nhật {reported} lượt, chưa "
            f"cập nhật {owed - reported} lượt."
        )
    else:
        updates_summary = f"Trong {period}, không có nhiệm vụ thường xuyên phải cập nhật tiến độ."

    numbers = ", ".join(p.number for p in plans)
    introduction = (
        "Thực hiện nhiệm vụ theo dõi, đôn đốc việc triển khai các Kế hoạch thực hiện Đề án 06 "
        f"({numbers}), Văn phòng Bộ báo cáo tình hình thực hiện {period} "
        f"(số liệu tính đến {vn_long_date(as_of)}) như sau:"
    )
    return MonthlyReport(
        month_year=month_year,
        month=month,
        as_of=as_of,
        place_date=f"{PLACE}, {vn_long_date(as_of)}",
        subtitle=f"Tình hình thực hiện các Kế hoạch triển khai Đề án 06 {period}",
        introduction=introduction,
        overview=_overview(as_of, total),
        plans=plan_rows,
        total=total,
        units=unit_rows,
        overdue=tuple(overdue),
        updates=tuple(updates),
        updates_summary=updates_summary,
        proposals=PROPOSALS.format(cutoff=catalog.policy.update_cutoff_day),
    )


# -- Word ------------------------------------------------------------------------------------

_FONT = "Times New Roman"
_TEXT_PT = 14
_TABLE_PT = 13
_CENTER = WD_ALIGN_PARAGRAPH.CENTER
_LEFT = WD_ALIGN_PARAGRAPH.LEFT
_JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
_RIGHT = WD_ALIGN_PARAGRAPH.RIGHT


def _setup_styles(document: DocxDocument) -> None:
    style = document.styles["Normal"]
    style.font.name = _FONT
    style.font.size = Pt(_TEXT_PT)
    r_pr = style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), _FONT)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "vi-VN")
    r_pr.append(language)
    paragraph = style.paragraph_format
    paragraph.space_before = Pt(0)
    paragraph.space_after = Pt(6)


def _page(section: Section, landscape: bool) -> None:
    """A4; portrait margins 20/20/30/15 mm (top, bottom, left, right), landscape 20 mm."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.page_width, section.page_height = width, height
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin = Mm(20) if landscape else Mm(30)
    section.right_margin = Mm(20) if landscape else Mm(15)


def _paragraph(
    container: DocxDocument | _Cell,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: int = _TEXT_PT,
    align: WD_ALIGN_PARAGRAPH = _JUSTIFY,
    indent: bool = False,
    after: int = 6,
) -> Paragraph:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(after)
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return paragraph


def _set_cell(
    cell: _Cell,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int = _TABLE_PT,
    align: WD_ALIGN_PARAGRAPH = _CENTER,
) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _table(
    document: DocxDocument,
    headers: Sequence[str],
    widths_mm: Sequence[float],
    rows: Sequence[Sequence[str]],
    *,
    left_columns: Sequence[int] = (),
    bold_last_row: bool = False,
) -> Table:
    """A bordered table: a bold header row repeated on every page, then ``rows``."""
    table = document.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, text in zip(header.cells, headers, strict=True):
        _set_cell(cell, text, bold=True)
    for index, values in enumerate(rows, start=1):
        bold = bold_last_row and index == len(rows)
        for column, (cell, text) in enumerate(zip(table.rows[index].cells, values, strict=True)):
            _set_cell(cell, text, bold=bold, align=_LEFT if column in left_columns else _CENTER)
    _widths(table, widths_mm)
    return table


def _borderless(document: DocxDocument, widths_mm: Sequence[float]) -> Table:
    """A table without borders, for the heading and signature blocks."""
    table = document.add_table(rows=1, cols=len(widths_mm))
    table.autofit = False
    _widths(table, widths_mm)
    return table


def _widths(table: Table, widths_mm: Sequence[float]) -> None:
    """Column widths in the grid (used by fixed layouts) and on every cell (used by Word)."""
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _lines(
    cell: _Cell, lines: Sequence[tuple[str, bool, bool, int]], align: WD_ALIGN_PARAGRAPH
) -> None:
    """Fill a cell with (text, bold, italic, size) lines."""
    for index, (text, bold, italic, size) in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)


def _count_cells(row: CountRow) -> list[str]:
    return [str(row.total), *(str(row.counts[c]) for c in CATEGORIES), percent(row.completion_rate)]


def to_docx(report: MonthlyReport) -> bytes:
    """The report as a Word draft (``.docx`` bytes), ready for the officer to complete."""
    document = Document()
    _setup_styles(document)
    properties = document.core_properties
    properties.title = f"{report.title} {report.subtitle}"
    properties.author = properties.last_modified_by = "Văn phòng Bộ Tư pháp"
    properties.language = "vi-VN"
    properties.revision = 1
    properties.created = properties.modified = day_start(report.as_of)
    _page(document.sections[0], landscape=False)

    heading = _borderless(document, (62, 103))
    left, right = heading.rows[0].cells
    _lines(
        left,
        [
            (ORGANISATION, False, False, 13),
            (OFFICE, True, False, 13),
            ("", False, False, 6),
            ("Số:        /BC-VP", False, False, 13),
        ],
        _CENTER,
    )
    _lines(
        right,
        [
            (NATION, True, False, 13),
            (MOTTO, True, False, 14),
            ("", False, False, 6),
            (report.place_date, False, True, 14),
        ],
        _CENTER,
    )
    _paragraph(document, after=0)
    _paragraph(document, report.title, bold=True, align=_CENTER, after=0)
    _paragraph(document, report.subtitle, bold=True, align=_CENTER, after=12)
    _paragraph(document, report.introduction, indent=True)

    titles = report.section_titles
    # I. per plan: categories down, plans across (fits a portrait page)
    _paragraph(document, titles[0], bold=True)
    _paragraph(document, report.overview, indent=True)
    columns = [*report.plans, report.total]
    rows: list[list[str]] = [["Tổng số nhiệm vụ", *(str(c.total) for c in columns)]]
    rows += [[label, *(str(c.counts[key]) for c in columns)] for key, label in CATEGORIES.items()]
    rows.append(["Tỷ lệ hoàn thành", *(percent(c.completion_rate) for c in columns)])
    side = (165 - 55) / len(columns)
    _table(
        document,
        ["Nội dung", *(c.label for c in columns)],
        [55, *([side] * len(columns))],
        rows,
        left_columns=(0,),
    )

    # II and III: landscape pages
    _page(document.add_section(WD_SECTION.NEW_PAGE), landscape=True)
    _paragraph(document, titles[1], bold=True)
    _paragraph(
        document,
        "Số liệu theo từng đơn vị chủ trì (nhiệm vụ giao nhiều đơn vị chủ trì được tính cho "
        "từng đơn vị):",
        indent=True,
    )
    unit_rows = [
        [str(i), row.label, *_count_cells(row)] for i, row in enumerate(report.units, start=1)
    ]
    _table(
        document,
        ["STT", "Đơn vị", "Tổng số", *CATEGORIES.values(), "Tỷ lệ hoàn thành"],
        [10, 62, 17, *([21] * len(CATEGORIES)), 21],
        unit_rows,
        left_columns=(1,),
    )
    _paragraph(document, after=0)
    _paragraph(document, titles[2], bold=True)
    if report.overdue:
        _paragraph(
            document,
            f"Có {len(report.overdue)} nhiệm vụ đang thực hiện quá hạn (sắp xếp theo số ngày quá "
            "hạn, nhiều nhất trước):",
            indent=True,
        )
        _table(
            document,
            [
                "STT",
                "Kế hoạch",
                "Nhiệm vụ",
                "Nội dung",
                "Đơn vị chủ trì",
                "Thời hạn",
                "Hạn",
                "Số ngày quá hạn",
                "Lý do",
            ],
            [10, 24, 16, 70, 35, 25, 22, 17, 38],
            [
                [
                    str(i),
                    item.plan_number,
                    item.task,
                    item.content,
                    item.unit_name,
                    item.deadline,
                    item.due.strftime("%d/%m/%Y"),
                    str(item.days_overdue),
                    item.reason,
                ]
                for i, item in enumerate(report.overdue, start=1)
            ],
            left_columns=(3, 4, 8),
        )
    else:
        _paragraph(document, "Không có nhiệm vụ quá hạn.", indent=True)

    # IV and V, signature: portrait again
    _page(document.add_section(WD_SECTION.NEW_PAGE), landscape=False)
    _paragraph(document, titles[3], bold=True)
    _paragraph(document, report.updates_summary, indent=True)
    if report.updates:
        _table(
            document,
            [
                "STT",
                "Đơn vị",
                "Số nhiệm vụ",
                "Đã cập nhật",
                "Chưa cập nhật",
                "Nhiệm vụ chưa cập nhật",
            ],
            [10, 50, 20, 20, 20, 45],
            [
                [
                    str(i),
                    u.unit_name,
                    str(u.total),
                    str(u.reported),
                    str(u.missing),
                    u.missing_tasks,
                ]
                for i, u in enumerate(report.updates, start=1)
            ],
            left_columns=(1, 5),
        )
        _paragraph(document, after=0)
    _paragraph(document, titles[4], bold=True)
    proposal = _paragraph(document, report.proposals, italic=True, indent=True)
    for run in proposal.runs:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    _paragraph(
        document,
        "Văn phòng Bộ kính báo cáo Lãnh đạo Bộ xem xét, chỉ đạo./.",
        indent=True,
    )

    closing = _borderless(document, (80, 85))
    receivers, signer = closing.rows[0].cells
    _lines(
        receivers,
        [("Nơi nhận:", True, True, 12), *((line, False, False, 11) for line in RECIPIENTS)],
        _LEFT,
    )
    _lines(signer, [(SIGNER, True, False, 14)], _CENTER)

    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue())


# -- Excel -----------------------------------------------------------------------------------

SHEETS = ("Tổng hợp", "Theo đơn vị", "Quá hạn", "Thường xuyên")


def to_xlsx(report: MonthlyReport) -> bytes:
    """The report's figures as a workbook: sheets "Tổng hợp", "Theo đơn vị", "Quá hạn",
    "Thường xuyên", each with a bold, frozen header row."""
    workbook = Workbook()
    counts_headers = ["Tổng số", *CATEGORIES.values(), "Tỷ lệ hoàn thành"]
    rate_column = 4 + len(CATEGORIES) + 1

    def counts(row: CountRow) -> list[object]:
        return [row.total, *(row.counts[c] for c in CATEGORIES), row.completion_rate]

    summary = workbook.active
    assert summary is not None
    summary.title = SHEETS[0]
    add_table(
        summary,
        ["STT", "Kế hoạch", "Mã kế hoạch", *counts_headers],
        [6, 16, 14, 10, *([16] * len(CATEGORIES)), 14],
        [
            *([i, row.label, row.key, *counts(row)] for i, row in enumerate(report.plans, 1)),
            ["", TOTAL_LABEL, "", *counts(report.total)],
        ],
        percent_columns=(rate_column,),
        bold_last_row=True,
    )

    units = workbook.create_sheet(SHEETS[1])
    add_table(
        units,
        ["STT", "Đơn vị", "Mã đơn vị", *counts_headers],
        [6, 45, 22, 10, *([16] * len(CATEGORIES)), 14],
        ([i, row.label, row.key, *counts(row)] for i, row in enumerate(report.units, 1)),
        percent_columns=(rate_column,),
        wrap_columns=(2,),
    )

    overdue = workbook.create_sheet(SHEETS[2])
    add_table(
        overdue,
        [
            "STT",
            "Kế hoạch",
            "Mã nhiệm vụ",
            "Nội dung",
            "Đơn vị chủ trì",
            "Mốc / kỳ",
            "Thời hạn",
            "Hạn",
            "Số ngày quá hạn",
            "Lý do",
        ],
        [6, 14, 10, 60, 30, 12, 20, 12, 10, 40],
        (
            [
                i,
                item.plan_number,
                item.task,
                item.content,
                item.unit_name,
                item.milestone,
                item.deadline,
                item.due,
                item.days_overdue,
                item.reason,
            ]
            for i, item in enumerate(report.overdue, 1)
        ),
        date_columns=(8,),
        wrap_columns=(4, 5, 7, 10),
    )

    updates = workbook.create_sheet(SHEETS[3])
    add_table(
        updates,
        [
            "STT",
            "Đơn vị",
            "Mã đơn vị",
            "Kỳ",
            "Số nhiệm vụ",
            "Đã cập nhật",
            "Chưa cập nhật",
            "Nhiệm vụ chưa cập nhật",
        ],
        [6, 45, 22, 10, 12, 12, 12, 50],
        (
            [
                i,
                u.unit_name,
                u.unit,
                report.period_key,
                u.total,
                u.reported,
                u.missing,
                u.missing_tasks,
            ]
            for i, u in enumerate(report.updates, 1)
        ),
        wrap_columns=(2, 8),
    )
    return workbook_bytes(workbook, report.as_of, f"{report.title} {report.subtitle}")
