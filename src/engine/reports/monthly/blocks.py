"""The fixed blocks of the monthly report (Nghị định số 30/2020/NĐ-CP): the heading, the
closing ("Nơi nhận" and the signature) and the heading of an annex (phụ lục).

Rules:

* **Heading.** Two borderless columns (62 and 103 mm): "BỘ TƯ PHÁP" (13 pt) above "VĂN
  PHÒNG" (13 pt bold), a line under it half as long as "VĂN PHÒNG", then the number "Số:
  /BC-VP"; beside it "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (13 pt bold) above "Độc lập - Tự do
  - Hạnh phúc" (14 pt bold), a line under it as long as the motto, then the place and date in
  italics.
* **Signature.** Beside "Nơi nhận", the signer's title lines (14 pt bold, centred), then
  :data:`SIGNATURE_SPACE` empty lines for the signature and the seal, then the signer's name
  (14 pt bold), or "[Họ và tên người ký]" highlighted in yellow when no name is configured.
  Defaults: title "CHÁNH VĂN PHÒNG", no name (settings ``report_signer_title``, where "|"
  separates lines such as "KT. CHÁNH VĂN PHÒNG|PHÓ CHÁNH VĂN PHÒNG", and
  ``report_signer_name``).
* **Annex heading.** "Phụ lục I" (bold), its title in capitals (bold), and "(Kèm theo Báo cáo
  số      /BC-VP ngày      tháng 7 năm 2023 của Văn phòng Bộ Tư pháp)" in italics, centred
  (number and day left blank for the office to fill in when the report is signed).
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.document import Document as DocxDocument
from docx.enum.text import WD_COLOR_INDEX

from engine.reports import _docx
from engine.reports._docx import CENTER, LEFT
from engine.reports.monthly.model import MonthlyReport

ORGANISATION = "BỘ TƯ PHÁP"
OFFICE = "VĂN PHÒNG"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NUMBER = "Số:        /BC-VP"
SIGNER_TITLE = "CHÁNH VĂN PHÒNG"
NAME_PLACEHOLDER = "[Họ và tên người ký]"
#: Empty 14 pt lines between the signer's title and name (about 3 cm).
SIGNATURE_SPACE = 5
RECIPIENTS = ("- Lãnh đạo Bộ (để báo cáo);", "- Các đơn vị thuộc Bộ;", "- Lưu: VT, VP.")
HEADING_WIDTHS = (62.0, 103.0)
CLOSING_WIDTHS = (80.0, 85.0)
_ROMAN = ("I", "II", "III", "IV", "V", "VI")


@dataclass(frozen=True)
class Signer:
    """Who signs: title lines separated by ``"|"`` ("" → :data:`SIGNER_TITLE`) and name
    ("" → a placeholder line for the officer to fill in)."""

    title: str = ""
    name: str = ""

    @property
    def title_lines(self) -> list[str]:
        return [line.strip() for line in self.title.split("|") if line.strip()] or [SIGNER_TITLE]


def heading(document: DocxDocument, report: MonthlyReport) -> None:
    """The Nghị định 30 heading block with its two rules."""
    table = _docx.borderless(document, HEADING_WIDTHS)
    left, right = table.rows[0].cells
    office_width = _docx.text_width_mm(OFFICE, 13, bold=True)
    _docx.lines(left, [(ORGANISATION, False, False, 13), (OFFICE, True, False, 13)], CENTER)
    _docx.rule(left, office_width / 2, HEADING_WIDTHS[0] - _docx.CELL_MARGINS_MM)
    _docx.paragraph(left, after=0, size=6)
    _docx.paragraph(left, NUMBER, size=13, align=CENTER, after=0)
    motto_width = _docx.text_width_mm(MOTTO, 14, bold=True)
    _docx.lines(right, [(NATION, True, False, 13), (MOTTO, True, False, 14)], CENTER)
    _docx.rule(right, motto_width, HEADING_WIDTHS[1] - _docx.CELL_MARGINS_MM)
    _docx.paragraph(right, after=0, size=6)
    _docx.paragraph(right, report.place_date, italic=True, align=CENTER, after=0)


def closing(document: DocxDocument, signer: Signer) -> None:
    """ "Nơi nhận" beside the signature block."""
    table = _docx.borderless(document, CLOSING_WIDTHS)
    receivers, signature = table.rows[0].cells
    _docx.lines(
        receivers,
        [("Nơi nhận:", True, True, 12), *((line, False, False, 11) for line in RECIPIENTS)],
        LEFT,
    )
    _docx.lines(
        signature,
        [
            *((line, True, False, 14) for line in signer.title_lines),
            *(("", False, False, 14) for _ in range(SIGNATURE_SPACE)),
            (signer.name or NAME_PLACEHOLDER, True, False, 14),
        ],
        CENTER,
    )
    if not signer.name:
        for run in signature.paragraphs[-1].runs:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def annex_heading(document: DocxDocument, report: MonthlyReport, number: int, title: str) -> None:
    """The heading of annex ``number`` (1 → "Phụ lục I")."""
    _docx.paragraph(document, f"Phụ lục {_ROMAN[number - 1]}", bold=True, align=CENTER, after=0)
    _docx.paragraph(document, title.upper(), bold=True, align=CENTER, after=0)
    month, year = report.as_of.month, report.as_of.year
    _docx.paragraph(
        document,
        f"(Kèm theo Báo cáo số      /BC-VP ngày      tháng {month} năm {year} của Văn phòng Bộ"
        " Tư pháp)",
        italic=True,
        align=CENTER,
        after=12,
    )
