"""The status workbook units receive and return: export, and reading back what they filled in.

``export_status_xlsx`` writes one row per occurrence; units fill in the last columns
("Tình trạng", "Ngày hoàn thành", "Văn bản / sản phẩm", "Ghi chú") and send the workbook
back; ``parse_progress_xlsx`` reads it into an :class:`ImportPreview` of changes and row
errors. Nothing is written anywhere: the caller applies the changes only when the preview is
``ok``. Both functions are pure (bytes in, bytes or data out; the day is a parameter).

Reading rules:

* **Sheet and header.** The sheet "Tình hình thực hiện" (else the first sheet); the header is
  the first of the first 10 rows that names the needed columns (compared after
  :func:`engine.text.normalize`, spaces ignored), so a title above the table is fine. Needed:
  "Mã nhiệm vụ", "Tình trạng", "Ngày hoàn thành", "Mã kế hoạch" or "Kế hoạch", "Mã đơn vị" or
  "Đơn vị chủ trì". Otherwise one error names the missing columns and no row is read.
* **Rows** are numbered as Excel shows them; empty rows are skipped and not counted.
* **Identification.** Plan by "Mã kế hoạch" (id) or else "Kế hoạch" (printed number, e.g.
  "522/QĐ-BTP" or "522"); task by "Mã nhiệm vụ"; unit by "Mã đơn vị" or else "Đơn vị chủ trì"
  (name or alias, :meth:`Catalog.unit_id`), matching the occurrence's unit, the unit printed in
  the plan, or the unit that now holds its tasks; when both columns of a pair are filled they
  must agree. "Mốc / kỳ" is the milestone or period key ("2023-06"), its label or "tháng
  6/2023" (what the export writes); it may be empty when the task × unit has one occurrence, or exactly one that is not
  done, reported or cancelled.
* **Status.** "Đã hoàn thành", "Hoàn thành", "Đã hoàn thành đúng hạn", "Đã hoàn thành quá
  hạn" (case, Unicode form and diacritics ignored) mean done; for continuous tasks "Đã cập
  nhật" and the engine's "Thường xuyên — đã cập nhật kỳ này" too
  (:data:`engine.reports.status_sheet.STATUS_CHOICES`, the export's drop-down).
* **Dates** are Excel date cells or text "dd/mm/yyyy" (also "d/m/yyyy", "dd-mm-yyyy",
  "dd.mm.yyyy", "yyyy-mm-dd"); a date after ``as_of`` is an error.
* **Deliverables** (and undated obligations): done + date → a ``done`` change, unless the
  occurrence is already done on that date (ignored); done without a date → error; a date with a
  status that is not done → error (contradiction), unless it repeats the recorded date; not
  done and no date → ignored (a note alone records nothing).
* **Continuous tasks' updates** (kind ``update``): a row with a date → an ``update`` change
  for that period, unless the period is already reported (ignored); done without a date →
  error; no date → ignored.
* **Duplicates.** Two rows changing the same occurrence: the second is an error.
* **Limits.** At most ``MAX_FILE_BYTES`` of file, ``MAX_UNPACKED_BYTES`` unpacked,
  ``MAX_ROWS`` rows and ``MAX_COLUMNS`` columns, read streaming with the sheet's declared size
  ignored (:func:`engine.reports._xlsx.read_rows`); a file over a limit gets one error and no
  row is read. At most ``MAX_ERRORS_SHOWN`` row errors are kept; ``error_count`` counts all.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook
from openpyxl.utils.exceptions import InvalidFileException

from engine.catalog.model import Catalog
from engine.render import vn_date
from engine.reports._status_reader import (
    Change,
    Reader,
    RowError,
    cell_text,
    header_columns,
    missing_columns,
)
from engine.reports._xlsx import (
    WorkbookTooLarge,
    add_date_validation,
    add_list_validation,
    add_table,
    read_rows,
    workbook_bytes,
)
from engine.reports.status_sheet import (
    DONE_ON,
    DUE,
    GUIDE_SHEET,
    SHEET,
    STATUS,
    STATUS_CHOICES,
    STATUS_COLUMNS,
    TITLE,
    WIDTHS,
    milestone_cell,
)
from engine.status import Occurrence

__all__ = [
    "DONE_ON",
    "STATUS",
    "STATUS_COLUMNS",
    "Change",
    "ImportPreview",
    "RowError",
    "export_status_xlsx",
    "parse_progress_xlsx",
    "too_big_message",
]

_HEADER_SCAN = 10
MAX_FILE_BYTES = 5 * 2**20
MAX_UNPACKED_BYTES = 60 * 2**20
MAX_ROWS = 30_000
MAX_COLUMNS = 30


@dataclass(frozen=True)
class ImportPreview:
    """What a returned workbook would record; apply ``changes`` only when ``ok``."""

    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(
        default_factory=list
    )  # the first _status_reader.MAX_ERRORS_SHOWN
    rows_read: int = 0
    error_count: int = 0  # all errors, shown or not

    @property
    def ok(self) -> bool:
        return not self.errors and not self.error_count

    @property
    def errors_total(self) -> int:
        return max(self.error_count, len(self.errors))


# -- export ----------------------------------------------------------------------------------


def export_status_xlsx(catalog: Catalog, occurrences: Sequence[Occurrence], as_of: date) -> bytes:
    """One row per occurrence in :data:`STATUS_COLUMNS` order, on sheet "Tình hình thực hiện".

    The sheet opens with its title and "Tính đến ngày dd/mm/yyyy" (the header is row 3) and
    prints landscape, one page wide, the header repeated (:mod:`engine.reports._xlsx`).
    "Mốc / kỳ" is written as people say it (:func:`status_sheet.milestone_cell`); "Hạn" and
    "Ngày hoàn thành" are date cells shown dd/mm/yyyy; "Tình trạng" is the Vietnamese label as
    of ``as_of``, with a drop-down of exactly :data:`status_sheet.STATUS_CHOICES` (the words
    the import reads); "Ngày hoàn thành" accepts only a date not after ``as_of`` (as the
    import); "Văn bản / sản phẩm" and "Ghi chú" are left for the unit. A second sheet,
    "Hướng dẫn", tells units how to fill the workbook in.
    """
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    rows: list[list[object]] = []
    for occ in occurrences:
        plan = catalog.plans[occ.plan]
        task = plan.task(occ.task)
        rows.append(
            [
                plan.number,
                plan.id,
                occ.task,
                task.content if task else "",
                catalog.units[occ.unit].name,
                occ.unit,
                milestone_cell(occ),
                task.deadline if task else "",
                occ.due,
                occ.status.label,
                occ.done_on,
                None,
                None,
            ]
        )
    table = add_table(
        sheet,
        STATUS_COLUMNS,
        WIDTHS,
        rows,
        date_columns=(STATUS_COLUMNS.index(DUE) + 1, STATUS_COLUMNS.index(DONE_ON) + 1),
        wrap_columns=(4, 5, 8, 12, 13),
        title=TITLE,
        as_of=as_of,
    )
    add_list_validation(sheet, STATUS_COLUMNS.index(STATUS) + 1, table, STATUS_CHOICES, STATUS)
    add_date_validation(sheet, STATUS_COLUMNS.index(DONE_ON) + 1, table, as_of, DONE_ON)
    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 110
    for line in (
        f"Tình hình thực hiện nhiệm vụ tính đến ngày {vn_date(as_of)}.",
        "Mỗi dòng là một nhiệm vụ của một đơn vị chủ trì tại một mốc hoặc kỳ thực hiện.",
        "Khi hoàn thành: chọn “Đã hoàn thành” trong danh sách của cột “Tình trạng” và ghi ngày "
        "hoàn thành (dd/mm/yyyy) vào cột “Ngày hoàn thành”; ghi số, ký hiệu văn bản hoặc sản "
        "phẩm vào cột “Văn bản / sản phẩm”.",
        "Nhiệm vụ thường xuyên: chọn “Đã cập nhật” và ghi ngày cập nhật tiến độ của kỳ vào cột "
        "“Ngày hoàn thành”, nội dung vào cột “Ghi chú”.",
        "Cột “Tình trạng” chỉ nhận các giá trị trong danh sách: "
        + "; ".join(f"“{word}”" for word in STATUS_CHOICES)
        + ".",
        "Không sửa các cột Kế hoạch, Mã kế hoạch, Mã nhiệm vụ, Mã đơn vị, Mốc / kỳ; "
        "không ghi ngày sau ngày gửi báo cáo.",
    ):
        guide.append([line])
    return workbook_bytes(workbook, as_of, SHEET)


# -- import ----------------------------------------------------------------------------------


def parse_progress_xlsx(
    catalog: Catalog, occurrences: Sequence[Occurrence], data: bytes, as_of: date
) -> ImportPreview:
    """Read a returned status workbook into changes and row errors (see the module's rules).

    ``occurrences`` are those evaluated as of ``as_of`` (what the unit was sent, or today's).
    """
    if len(data) > MAX_FILE_BYTES:
        return ImportPreview(errors=[RowError(0, "", too_big_message(len(data)))])
    try:
        rows = read_rows(
            data,
            SHEET,
            max_rows=MAX_ROWS,
            max_columns=MAX_COLUMNS,
            max_unpacked=MAX_UNPACKED_BYTES,
        )
    except WorkbookTooLarge as exc:
        return ImportPreview(errors=[RowError(0, "", str(exc))])
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return ImportPreview(
            errors=[RowError(0, "", "Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.")]
        )

    best: tuple[int, dict[str, int]] | None = None
    for number, values in enumerate(rows[:_HEADER_SCAN], start=1):
        columns = header_columns(values)
        if not missing_columns(columns):
            best = (number, columns)
            break
        if columns and (best is None or len(columns) > len(best[1])):
            best = (number, columns)
    if best is None or missing_columns(best[1]):
        number, columns = best or (1, {})
        return ImportPreview(
            errors=[
                RowError(
                    number,
                    "",
                    "Dòng tiêu đề không đúng mẫu, thiếu cột: "
                    + ", ".join(missing_columns(columns))
                    + ".",
                )
            ]
        )
    header_row, columns = best

    reader = Reader(catalog, occurrences, as_of)
    rows_read = 0
    for number, values in enumerate(rows[header_row:], start=header_row + 1):
        if all(cell_text(v) == "" for v in values):
            continue
        rows_read += 1
        cells = {name: values[i] if i < len(values) else None for name, i in columns.items()}
        reader.row(number, cells)
    return ImportPreview(reader.changes, reader.errors, rows_read, reader.error_count)


def too_big_message(size: int) -> str:
    """The refusal of a file over ``MAX_FILE_BYTES``."""
    return (
        f"Tệp dung lượng {size / 2**20:.1f} MB, vượt giới hạn {MAX_FILE_BYTES // 2**20} MB "
        "của một tệp nhập.".replace(".", ",", 1)
    )
