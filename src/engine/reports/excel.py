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
  6/2023"; it may be empty when the task × unit has one occurrence, or exactly one that is not
  done, reported or cancelled.
* **Status.** "Đã hoàn thành", "Hoàn thành", "Đã hoàn thành đúng hạn", "Đã hoàn thành quá
  hạn" (case, Unicode form and diacritics ignored) mean done; for continuous tasks "Đã cập
  nhật" and the engine's "Thường xuyên — đã cập nhật kỳ này" too.
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

import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from openpyxl import Workbook
from openpyxl.utils.exceptions import InvalidFileException

from engine.catalog.model import Catalog, Plan
from engine.dates import DayError, parse_day
from engine.emails import period_label
from engine.render import vn_date
from engine.reports._xlsx import WorkbookTooLarge, add_table, read_rows, workbook_bytes
from engine.status import UPDATE, Occurrence, Status
from engine.text import collapse, normalize

SHEET = "Tình hình thực hiện"
GUIDE_SHEET = "Hướng dẫn"

PLAN_NUMBER = "Kế hoạch"
PLAN_ID = "Mã kế hoạch"
TASK_ID = "Mã nhiệm vụ"
CONTENT = "Nội dung"
UNIT_NAME = "Đơn vị chủ trì"
UNIT_ID = "Mã đơn vị"
MILESTONE = "Mốc / kỳ"
DEADLINE = "Thời hạn"
DUE = "Hạn"
STATUS = "Tình trạng"
DONE_ON = "Ngày hoàn thành"
EVIDENCE = "Văn bản / sản phẩm"
NOTE = "Ghi chú"

#: The columns of the status workbook, in order; the last three are filled in by units.
STATUS_COLUMNS: tuple[str, ...] = (
    PLAN_NUMBER,
    PLAN_ID,
    TASK_ID,
    CONTENT,
    UNIT_NAME,
    UNIT_ID,
    MILESTONE,
    DEADLINE,
    DUE,
    STATUS,
    DONE_ON,
    EVIDENCE,
    NOTE,
)
_WIDTHS = (14, 14, 10, 60, 30, 20, 12, 20, 12, 26, 14, 30, 30)

#: Status cell values that mean "done" (compared folded: see :func:`_fold`).
DONE_WORDS = ("Đã hoàn thành", "Hoàn thành", "Đã hoàn thành đúng hạn", "Đã hoàn thành quá hạn")
#: Further values that mean "updated" for a continuous task's period.
UPDATED_WORDS = ("Đã cập nhật", Status.REPORTED.label)

_HEADER_SCAN = 10
MAX_FILE_BYTES = 5 * 2**20
MAX_UNPACKED_BYTES = 60 * 2**20
MAX_ROWS = 30_000
MAX_COLUMNS = 30
MAX_ERRORS_SHOWN = 200
_CLOSED = (Status.DONE_ON_TIME, Status.DONE_LATE, Status.REPORTED, Status.CANCELLED)


@dataclass(frozen=True)
class Change:
    """One thing to record: a completion (``done``) or a continuous task's update."""

    row: int
    occurrence_key: str
    plan: str
    task: str
    unit: str
    milestone: str
    kind: Literal["done", "update"]
    on: date
    evidence: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class RowError:
    """A problem in the workbook: the Excel row number (0: the file itself), the column's
    header ("" when the problem is the whole row or the header), a Vietnamese message."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class ImportPreview:
    """What a returned workbook would record; apply ``changes`` only when ``ok``."""

    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS_SHOWN
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

    "Hạn" and "Ngày hoàn thành" are date cells; "Tình trạng" is the Vietnamese label as of
    ``as_of``; "Văn bản / sản phẩm" and "Ghi chú" are left for the unit. A second sheet,
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
                occ.milestone,
                task.deadline if task else "",
                occ.due,
                occ.status.label,
                occ.done_on,
                None,
                None,
            ]
        )
    add_table(
        sheet,
        STATUS_COLUMNS,
        _WIDTHS,
        rows,
        date_columns=(STATUS_COLUMNS.index(DUE) + 1, STATUS_COLUMNS.index(DONE_ON) + 1),
        wrap_columns=(4, 5, 8, 12, 13),
    )
    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 110
    for line in (
        f"Tình hình thực hiện nhiệm vụ tính đến ngày {vn_date(as_of)}.",
        "Mỗi dòng là một nhiệm vụ của một đơn vị chủ trì tại một mốc hoặc kỳ thực hiện.",
        "Khi hoàn thành: ghi “Đã hoàn thành” vào cột “Tình trạng” và ngày hoàn thành "
        "(dd/mm/yyyy) vào cột “Ngày hoàn thành”; ghi số, ký hiệu văn bản hoặc sản phẩm vào "
        "cột “Văn bản / sản phẩm”.",
        "Nhiệm vụ thường xuyên: ghi ngày cập nhật tiến độ của kỳ vào cột “Ngày hoàn thành” và "
        "nội dung vào cột “Ghi chú”.",
        "Không sửa các cột Kế hoạch, Mã kế hoạch, Mã nhiệm vụ, Mã đơn vị, Mốc / kỳ; "
        "không ghi ngày sau ngày gửi báo cáo.",
    ):
        guide.append([line])
    return workbook_bytes(workbook, as_of, SHEET)


# -- import ----------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """``normalize`` without diacritics ("Đã Hoàn Thành" → "da hoan thanh")."""
    decomposed = unicodedata.normalize("NFD", normalize(text).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_DONE = frozenset(_fold(w) for w in DONE_WORDS)
_UPDATED = _DONE | frozenset(_fold(w) for w in UPDATED_WORDS)
_HEADER_KEYS = {normalize(name).replace(" ", ""): name for name in STATUS_COLUMNS}


def _text(value: object) -> str:
    """A cell as text: numbers typed for ids ("4", 4, 4.0) read the same; dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    return collapse(str(value))


def _date(value: object) -> date | str | None:
    """A date cell or "dd/mm/yyyy" text → date; empty → None; anything else → the text."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        return parse_day(text)
    except DayError:
        return text


def _milestone_text(value: object) -> str:
    """The "Mốc / kỳ" cell: a month Excel turned into a date (1/6/2023) reads "2023-06"."""
    if isinstance(value, datetime | date):
        return f"{value.year}-{value.month:02d}"
    return _text(value)


def _columns(header: Sequence[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(header):
        name = _HEADER_KEYS.get(normalize(_text(value)).replace(" ", ""))
        if name and name not in found:
            found[name] = index
    return found


def _missing(columns: dict[str, int]) -> list[str]:
    """The needed columns a header lacks, in the workbook's order."""
    needs: list[tuple[str, ...]] = [
        (PLAN_ID, PLAN_NUMBER),
        (TASK_ID,),
        (UNIT_ID, UNIT_NAME),
        (STATUS,),
        (DONE_ON,),
    ]
    return [
        " hoặc ".join(f"“{name}”" for name in names)
        for names in needs
        if not any(name in columns for name in names)
    ]


class _Reader:
    """Reads the data rows of one workbook against the occurrences."""

    def __init__(self, catalog: Catalog, occurrences: Sequence[Occurrence], as_of: date):
        self.catalog, self.as_of = catalog, as_of
        self.by_task: dict[tuple[str, str], list[Occurrence]] = {}
        for occ in occurrences:
            self.by_task.setdefault((occ.plan, occ.task), []).append(occ)
        self.errors: list[RowError] = []
        self.error_count = 0
        self.changes: list[Change] = []
        self.claimed: dict[str, int] = {}

    def error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_SHOWN:
            self.errors.append(RowError(row, column, message))

    def plan(self, row: int, cells: dict[str, object]) -> Plan | None:
        plan_id, number = _text(cells.get(PLAN_ID)), _text(cells.get(PLAN_NUMBER))
        by_id = self.catalog.plans.get(plan_id) if plan_id else None
        by_number = self.catalog.find_plan(number) if number else None
        if plan_id and by_id is None:
            self.error(row, PLAN_ID, f"Không có kế hoạch mã “{plan_id}”.")
            return None
        if number and by_number is None and by_id is None:
            self.error(row, PLAN_NUMBER, f"Không có kế hoạch số “{number}”.")
            return None
        if by_id and by_number and by_id.id != by_number.id:
            self.error(
                row,
                PLAN_NUMBER,
                f"Kế hoạch “{number}” không khớp với mã kế hoạch “{plan_id}” ({by_id.number}).",
            )
            return None
        plan = by_id or by_number
        if plan is None:
            self.error(row, PLAN_ID, "Thiếu mã kế hoạch và số kế hoạch.")
        return plan

    def unit(self, row: int, cells: dict[str, object]) -> str | None:
        unit_id, name = _text(cells.get(UNIT_ID)), _text(cells.get(UNIT_NAME))
        by_id = self.catalog.unit_id(unit_id) if unit_id else None
        by_name = self.catalog.unit_id(name) if name else None
        if unit_id and by_id is None:
            self.error(row, UNIT_ID, f"Không có đơn vị mã “{unit_id}”.")
            return None
        if name and by_name is None and by_id is None:
            self.error(row, UNIT_NAME, f"Không có đơn vị “{name}” trong danh mục đơn vị.")
            return None
        if by_id and by_name and self.current(by_id) != self.current(by_name):
            self.error(row, UNIT_NAME, f"Đơn vị “{name}” không khớp với mã đơn vị “{unit_id}”.")
            return None
        unit = by_id or by_name
        if unit is None:
            self.error(row, UNIT_ID, "Thiếu mã đơn vị và tên đơn vị chủ trì.")
        return unit

    def current(self, unit: str) -> str:
        return self.catalog.current_unit(unit, self.as_of)

    def occurrence(self, row: int, cells: dict[str, object]) -> Occurrence | None:
        plan = self.plan(row, cells)
        unit = self.unit(row, cells)
        task_id = _text(cells.get(TASK_ID))
        if plan is None:
            return None
        if not task_id:
            self.error(row, TASK_ID, "Thiếu mã nhiệm vụ.")
            return None
        if plan.task(task_id) is None:
            self.error(row, TASK_ID, f"Kế hoạch {plan.number} không có nhiệm vụ “{task_id}”.")
            return None
        if unit is None:
            return None
        holders = {unit, self.current(unit)}
        candidates = [
            o
            for o in self.by_task.get((plan.id, task_id), [])
            if o.unit in holders or o.printed_unit == unit
        ]
        unit_name = self.catalog.units[unit].name
        if not candidates:
            self.error(
                row,
                UNIT_NAME,
                f"{unit_name} không chủ trì nhiệm vụ {task_id} của Kế hoạch {plan.number}.",
            )
            return None
        wanted = _milestone_text(cells.get(MILESTONE))
        if wanted:
            key = normalize(wanted)
            chosen = [
                o
                for o in candidates
                if key
                in {
                    normalize(o.milestone),
                    normalize(o.label or ""),
                    normalize(period_label(o.milestone) or ""),
                }
            ]
            if len(chosen) == 1:
                return chosen[0]
            known = ", ".join(o.milestone for o in candidates[:12])
            self.error(
                row,
                MILESTONE,
                f"Nhiệm vụ {task_id} ({plan.number}) của {unit_name} không có mốc / kỳ "
                f"“{wanted}” (có: {known}).",
            )
            return None
        if len(candidates) == 1:
            return candidates[0]
        open_ = [o for o in candidates if o.status not in _CLOSED]
        if len(open_) == 1:
            return open_[0]
        listed = ", ".join(o.milestone for o in (open_ or candidates)[:12])
        self.error(
            row,
            MILESTONE,
            f"Nhiệm vụ {task_id} ({plan.number}) của {unit_name} có nhiều mốc / kỳ chưa hoàn "
            f"thành ({listed}): ghi rõ cột “{MILESTONE}”.",
        )
        return None

    def row(self, row: int, cells: dict[str, object]) -> None:
        raw_date = cells.get(DONE_ON)
        on = _date(raw_date)
        if isinstance(on, str):
            self.error(row, DONE_ON, f"“{on}” không phải là ngày (ghi theo dạng dd/mm/yyyy).")
        elif on is not None and on > self.as_of:
            self.error(
                row,
                DONE_ON,
                f"Ngày {vn_date(on)} sau ngày báo cáo {vn_date(self.as_of)}.",
            )
        occ = self.occurrence(row, cells)
        if occ is None or isinstance(on, str) or (on is not None and on > self.as_of):
            return
        status = _fold(_text(cells.get(STATUS)))
        evidence = _text(cells.get(EVIDENCE)) or None
        note = _text(cells.get(NOTE)) or None
        if occ.kind == UPDATE:
            if on is None:
                if status in _UPDATED and occ.status != Status.REPORTED:
                    self.error(row, DONE_ON, "Đã cập nhật nhưng chưa ghi ngày cập nhật.")
                return
            if occ.status == Status.REPORTED:
                return
            self.add(row, occ, "update", on, evidence, note)
            return
        done = status in _DONE
        if on is None:
            if done and occ.done_on is None:
                self.error(row, DONE_ON, "Đã hoàn thành nhưng chưa ghi ngày hoàn thành.")
            return
        if on == occ.done_on:
            return
        if not done:
            shown = _text(cells.get(STATUS)) or "(trống)"
            self.error(
                row,
                STATUS,
                f"Có ngày hoàn thành {vn_date(on)} nhưng tình trạng là “{shown}”: ghi “Đã "
                "hoàn thành” hoặc xoá ngày.",
            )
            return
        self.add(row, occ, "done", on, evidence, note)

    def add(
        self,
        row: int,
        occ: Occurrence,
        kind: Literal["done", "update"],
        on: date,
        evidence: str | None,
        note: str | None,
    ) -> None:
        first = self.claimed.get(occ.key)
        if first is not None:
            self.error(row, "", f"Trùng với dòng {first} (cùng nhiệm vụ, đơn vị và mốc / kỳ).")
            return
        self.claimed[occ.key] = row
        self.changes.append(
            Change(
                row=row,
                occurrence_key=occ.key,
                plan=occ.plan,
                task=occ.task,
                unit=occ.unit,
                milestone=occ.milestone,
                kind=kind,
                on=on,
                evidence=evidence,
                note=note,
            )
        )


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
        columns = _columns(values)
        if not _missing(columns):
            best = (number, columns)
            break
        if columns and (best is None or len(columns) > len(best[1])):
            best = (number, columns)
    if best is None or _missing(best[1]):
        number, columns = best or (1, {})
        return ImportPreview(
            errors=[
                RowError(
                    number,
                    "",
                    "Dòng tiêu đề không đúng mẫu, thiếu cột: " + ", ".join(_missing(columns)) + ".",
                )
            ]
        )
    header_row, columns = best

    reader = _Reader(catalog, occurrences, as_of)
    rows_read = 0
    for number, values in enumerate(rows[header_row:], start=header_row + 1):
        if all(_text(v) == "" for v in values):
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
