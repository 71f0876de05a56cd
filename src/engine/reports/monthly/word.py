"""The monthly report as a Word draft to complete and sign (Nghị định số 30/2020/NĐ-CP).

Rules:

* **Body** (portrait A4): the heading block (:mod:`engine.reports.monthly.blocks`), the title,
  the introduction, I (the overview and the per-plan table), II and III as paragraphs that
  refer to the annexes, IV (the continuous tasks' updates and their table), V (the proposals,
  highlighted for the officer to complete), "Nơi nhận" and the signature block.
* **Annexes** (a landscape section after the signature): "Phụ lục I", the per-unit table;
  "Phụ lục II" on a new page, the overdue list (when there is one). Long lists never push the
  signature dozens of pages down.
* **Page numbers** centred at the top from page 2 (annex pages included).
* **Tables** have fixed column widths that never break a word or a date
  (:func:`engine.reports._docx.fit_widths`).
* Document properties carry the report's day, never the clock; the same report gives the same
  bytes.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_COLOR_INDEX

from engine.reports import _docx
from engine.reports._docx import CENTER, Column
from engine.reports._shared import day_start, percent, stable_zip
from engine.reports.monthly.blocks import Signer, annex_heading, closing, heading
from engine.reports.monthly.model import CountRow, MonthlyReport
from engine.summary import CATEGORIES

CLOSING_SENTENCE = "Văn phòng Bộ kính báo cáo Lãnh đạo Bộ xem xét, chỉ đạo./."
UNITS_ANNEX_TITLE = "Kết quả thực hiện theo đơn vị chủ trì"
OVERDUE_ANNEX_TITLE = "Danh mục nhiệm vụ quá hạn"
OVERDUE_COLUMNS = (
    Column("STT"),
    Column("Kế hoạch"),
    Column("Nhiệm vụ"),
    Column("Nội dung", 4),
    Column("Đơn vị chủ trì", 1.5),
    Column("Thời hạn", 1),
    Column("Hạn"),
    Column("Số ngày quá hạn"),
    Column("Lý do", 2),
)
UPDATE_COLUMNS = (
    Column("STT"),
    Column("Đơn vị", 2),
    Column("Số nhiệm vụ"),
    Column("Đã cập nhật"),
    Column("Chưa cập nhật"),
    Column("Nhiệm vụ chưa cập nhật", 3),
)


def _count_cells(row: CountRow) -> list[str]:
    return [str(row.total), *(str(row.counts[c]) for c in CATEGORIES), percent(row.completion_rate)]


def to_docx(report: MonthlyReport, signer: Signer | None = None) -> bytes:
    """The report as a Word draft (``.docx`` bytes); ``signer`` defaults to :class:`Signer`."""
    document = Document()
    _docx.setup_styles(document)
    properties = document.core_properties
    properties.title = f"{report.title} {report.subtitle}"
    properties.author = properties.last_modified_by = "Văn phòng Bộ Tư pháp"
    properties.language = "vi-VN"
    properties.revision = 1
    properties.created = properties.modified = day_start(report.as_of)
    body = document.sections[0]
    _docx.set_page(body, landscape=False)
    _docx.page_numbers(body, first_page=False)
    width = _docx.text_width(body)

    heading(document, report)
    _docx.paragraph(document, after=0)
    _docx.paragraph(document, report.title, bold=True, align=CENTER, after=0)
    _docx.paragraph(document, report.subtitle, bold=True, align=CENTER, after=12)
    _docx.paragraph(document, report.introduction, indent=True)

    titles = report.section_titles
    # I. per plan: categories down, plans across (fits a portrait page)
    _docx.paragraph(document, titles[0], bold=True)
    _docx.paragraph(document, report.overview, indent=True)
    columns = [*report.plans, report.total]
    rows: list[list[str]] = [["Tổng số nhiệm vụ", *(str(c.total) for c in columns)]]
    rows += [[label, *(str(c.counts[key]) for c in columns)] for key, label in CATEGORIES.items()]
    rows.append(["Tỷ lệ hoàn thành", *(percent(c.completion_rate) for c in columns)])
    _docx.grid(
        document,
        [Column("Nội dung", 2), *(Column(c.label, 1) for c in columns)],
        rows,
        width,
        left_columns=(0,),
    )
    _docx.paragraph(document, after=0)
    _docx.paragraph(document, titles[1], bold=True)
    _docx.paragraph(document, report.units_summary, indent=True)
    _docx.paragraph(document, titles[2], bold=True)
    _docx.paragraph(document, report.overdue_summary, indent=True)

    _docx.paragraph(document, titles[3], bold=True)
    _docx.paragraph(document, report.updates_summary, indent=True)
    if report.updates:
        _docx.grid(
            document,
            UPDATE_COLUMNS,
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
            width,
            left_columns=(1, 5),
        )
        _docx.paragraph(document, after=0)
    _docx.paragraph(document, titles[4], bold=True)
    proposal = _docx.paragraph(document, report.proposals, italic=True, indent=True)
    for run in proposal.runs:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    _docx.paragraph(document, CLOSING_SENTENCE, indent=True)
    closing(document, signer or Signer())

    _annexes(document, report)
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue())


def _annexes(document: DocxDocument, report: MonthlyReport) -> None:
    """The landscape section after the signature: the per-unit table, the overdue list."""
    annex = document.add_section(WD_SECTION.NEW_PAGE)
    _docx.set_page(annex, landscape=True)
    annex.different_first_page_header_footer = False  # numbered from its first page
    width = _docx.text_width(annex)
    annex_heading(document, report, 1, UNITS_ANNEX_TITLE)
    _docx.grid(
        document,
        [
            Column("STT"),
            Column("Đơn vị", 3),
            Column("Tổng số"),
            *(Column(label, 1) for label in CATEGORIES.values()),
            Column("Tỷ lệ hoàn thành", 1),
        ],
        [[str(i), row.label, *_count_cells(row)] for i, row in enumerate(report.units, start=1)],
        width,
        left_columns=(1,),
    )
    if not report.overdue:
        return
    document.add_page_break()
    annex_heading(document, report, 2, OVERDUE_ANNEX_TITLE)
    _docx.grid(
        document,
        OVERDUE_COLUMNS,
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
        width,
        left_columns=(3, 4, 8),
    )
