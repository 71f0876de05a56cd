"""Writing styled tables into openpyxl workbooks and saving them as stable bytes.

Rules: a data sheet given a title opens with the title (bold, 14 pt) in row 1 and "Tính đến
ngày dd/mm/yyyy" (italic) in row 2, so the header is row 3 (row 1 without a title). The
header row is bold on a grey fill, wrapped and centred; it is frozen (the sheet scrolls under
it) and carries an auto-filter; columns get fixed widths; date cells are real dates shown
``dd/mm/yyyy``; rates are numbers shown as percentages.

Print setup of every table sheet: A4 landscape, fitted to one page wide and as many pages tall
as needed (``fitToWidth=1``, ``fitToHeight=0``), narrow margins, the header row repeated at the
top of every printed page (``print_title_rows``), the page number "Trang n/N" in the footer.

Drop-downs (:func:`add_list_validation`, :func:`add_date_validation`) cover a column's data
rows: a list of allowed words (stop on anything else; an empty cell is allowed) or a date not
after a day; the messages are in Vietnamese.

The workbook's creation and modification dates are the report's date (never the clock), and
the archive's entries carry a fixed timestamp, so the same data always gives the same bytes.

No formulas from data: the engine writes no formula of its own, so before saving, every text
cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is forced to a text cell
with Excel's quote prefix (shown as typed, never evaluated, even after editing the cell).

Reading (``read_rows``) streams the sheet and ignores its declared dimensions: only rows and
cells present are read, and the read stops with :class:`WorkbookTooLarge` (a Vietnamese
message) at the first row past ``max_rows`` or cell past ``max_columns``, or before opening
when the archive would unpack to more than ``max_unpacked`` bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from engine.render import vn_date
from engine.reports._shared import day_start, stable_zip

FONT_NAME = "Times New Roman"
DATE_FORMAT = "DD/MM/YYYY"
PERCENT_FORMAT = "0.0%"
AUTHOR = "Văn phòng Bộ Tư pháp"

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FONT = Font(name=FONT_NAME, size=12, bold=True)
_BODY_FONT = Font(name=FONT_NAME, size=12)
_BOLD_FONT = Font(name=FONT_NAME, size=12, bold=True)
_TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True)
_AS_OF_FONT = Font(name=FONT_NAME, size=12, italic=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_TOP = Alignment(vertical="top")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Rows above the header of a titled table: the title and the as-of day.
TITLE_ROWS = 2


class WorkbookTooLarge(ValueError):
    """A workbook over the reading limits; the message is for the person who sent it."""


@dataclass(frozen=True)
class TableRows:
    """Where a table landed: its header row and its last row (the header's when empty)."""

    header: int
    last: int

    @property
    def first(self) -> int:
        """The first data row."""
        return self.header + 1


def add_table(
    sheet: Worksheet,
    headers: Sequence[str],
    widths: Sequence[float],
    rows: Iterable[Sequence[object]],
    *,
    date_columns: Iterable[int] = (),
    percent_columns: Iterable[int] = (),
    wrap_columns: Iterable[int] = (),
    bold_last_row: bool = False,
    title: str | None = None,
    as_of: date | None = None,
) -> TableRows:
    """Write the title rows (when ``title`` is given), a header row and ``rows``.

    Column numbers in ``date_columns`` / ``percent_columns`` / ``wrap_columns`` are 1-based.
    ``as_of`` is the day of the "Tính đến ngày" row (required with ``title``).
    """
    dates, percents, wraps = set(date_columns), set(percent_columns), set(wrap_columns)
    top = 0
    if title is not None:
        if as_of is None:
            raise ValueError("a titled table needs its as-of day")
        sheet.cell(row=1, column=1, value=title).font = _TITLE_FONT
        sheet.cell(row=2, column=1, value=f"Tính đến ngày {vn_date(as_of)}").font = _AS_OF_FONT
        top = TITLE_ROWS
    header_row = top + 1
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=header)
        cell.font, cell.fill, cell.alignment, cell.border = (
            _HEADER_FONT,
            _HEADER_FILL,
            _HEADER_ALIGN,
            _BORDER,
        )
    # Styles are set once per column through the public API, then copied: assigning fonts and
    # borders cell by cell hashes them every time (seconds for a few thousand rows).
    styles: dict[int, StyleArray] = {}
    count = 0
    for count, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=top + count + 1, column=column, value=value)
            style = styles.get(column)
            if style is not None:
                cell._style = copy(style)
                continue
            cell.font = _BODY_FONT
            cell.border = _BORDER
            cell.alignment = _WRAP if column in wraps else _TOP
            if column in dates:
                cell.number_format = DATE_FORMAT
            elif column in percents:
                cell.number_format = PERCENT_FORMAT
            styles[column] = copy(cell._style)
    last = header_row + count
    if bold_last_row and count:
        for column in range(1, len(headers) + 1):
            sheet.cell(row=last, column=column).font = _BOLD_FONT
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{last}"
    _print_setup(sheet, header_row)
    return TableRows(header_row, last)


def _print_setup(sheet: Worksheet, header_row: int) -> None:
    """A4 landscape, one page wide, the header row repeated on every printed page."""
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "Trang &P/&N"


def add_list_validation(
    sheet: Worksheet, column: int, rows: TableRows, choices: Sequence[str], what: str
) -> DataValidation:
    """A drop-down of ``choices`` on ``column`` (1-based) of the data rows; ``what`` names the
    column in the messages. Choices must not contain commas (Excel's list separator)."""
    if any("," in choice or '"' in choice for choice in choices):
        raise ValueError("drop-down choices cannot contain commas or quotes")
    listed = ",".join(choices)
    if len(listed) > 255:  # Excel's limit for a written-out list
        raise ValueError("drop-down list longer than 255 characters")
    validation = DataValidation(
        type="list",
        formula1=f'"{listed}"',
        allow_blank=True,
        showDropDown=False,  # sic: False shows the in-cell arrow
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="Giá trị không hợp lệ",
        error=f"Chọn “{what}” trong danh sách: " + "; ".join(choices) + ".",
        showInputMessage=True,
        promptTitle=what,
        prompt="Chọn trong danh sách.",
    )
    return _cover(sheet, validation, column, rows)


def add_date_validation(
    sheet: Worksheet, column: int, rows: TableRows, latest: date, what: str
) -> DataValidation:
    """Only a date between 01/01/2000 and ``latest`` in ``column`` (1-based) of the data rows."""
    validation = DataValidation(
        type="date",
        operator="between",
        formula1=str(_serial(date(2000, 1, 1))),
        formula2=str(_serial(latest)),
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="Ngày không hợp lệ",
        error=f"“{what}” là một ngày dạng dd/mm/yyyy, không sau ngày {vn_date(latest)}.",
        showInputMessage=True,
        promptTitle=what,
        prompt=f"Ngày dạng dd/mm/yyyy, không sau ngày {vn_date(latest)}.",
    )
    return _cover(sheet, validation, column, rows)


def _cover(
    sheet: Worksheet, validation: DataValidation, column: int, rows: TableRows
) -> DataValidation:
    letter = get_column_letter(column)
    validation.add(f"{letter}{rows.first}:{letter}{max(rows.last, rows.first)}")
    sheet.add_data_validation(validation)
    return validation


def _serial(day: date) -> int:
    """A date as Excel's serial day number (1900 date system)."""
    return (day - date(1899, 12, 30)).days


def workbook_bytes(workbook: Workbook, day: date, title: str) -> bytes:
    """The workbook as ``.xlsx`` bytes, dated ``day``, byte-stable for the same content."""
    properties = workbook.properties
    properties.creator = AUTHOR
    properties.lastModifiedBy = AUTHOR
    properties.title = title
    properties.language = "vi-VN"
    properties.created = properties.modified = day_start(day)
    for sheet in workbook.worksheets:
        _neutralise_formulas(sheet)
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(workbook, archive).save()  # save_workbook() would stamp the clock's time
    return stable_zip(buffer.getvalue())


def _neutralise_formulas(sheet: Worksheet) -> None:
    """Write every text cell that a spreadsheet could take for a formula as plain text."""
    for row in sheet.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
                cell._style.quotePrefix = 1


def read_rows(
    data: bytes, sheet_name: str, *, max_rows: int, max_columns: int, max_unpacked: int
) -> list[tuple[object, ...]]:
    """The values of sheet ``sheet_name`` (else the first sheet), row by row from row 1.

    Each row is cut to ``max_columns`` values. Raises :class:`WorkbookTooLarge` (see the
    module's rules), and the reader's own errors for a file that is not a workbook.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > max_unpacked:
        raise WorkbookTooLarge(
            f"Tệp giải nén ra {_vn(unpacked // 2**20)} MB dữ liệu, vượt giới hạn "
            f"{_vn(max_unpacked // 2**20)} MB; hãy chỉ giữ lại bảng tình hình thực hiện."
        )
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = (
            workbook[sheet_name] if sheet_name in workbook.sheetnames else workbook.worksheets[0]
        )
        sheet.reset_dimensions()  # type: ignore[union-attr]  # the declared size is not trusted
        rows: list[tuple[object, ...]] = []
        for number, values in enumerate(
            sheet.iter_rows(max_col=max_columns + 1, values_only=True), start=1
        ):
            if number > max_rows:
                raise WorkbookTooLarge(
                    f"Bảng tính có dữ liệu quá {_vn(max_rows)} dòng (từ dòng {_vn(number)}); "
                    "hãy xoá các dòng thừa hoặc chia thành nhiều tệp."
                )
            if len(values) > max_columns and values[max_columns] is not None:
                raise WorkbookTooLarge(
                    f"Dòng {_vn(number)} có dữ liệu quá cột thứ {max_columns}; "
                    "hãy xoá các cột thừa."
                )
            rows.append(tuple(values[:max_columns]))
        return rows
    finally:
        workbook.close()


def _vn(number: int) -> str:
    """An integer the Vietnamese way: 1.048.576."""
    return f"{number:,}".replace(",", ".")
