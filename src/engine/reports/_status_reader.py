"""Reading the rows of a returned status workbook (see :mod:`engine.reports.excel` for the
rules): cell values to text and dates, the header's columns, and each row against the
occurrences, collecting :class:`Change` and :class:`RowError` items."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from engine.catalog.model import Catalog, Plan
from engine.dates import DayError, parse_day
from engine.periods import period_label
from engine.render import vn_date
from engine.reports.status_sheet import (
    DONE_ON,
    DONE_WORDS,
    EVIDENCE,
    MILESTONE,
    NOTE,
    PLAN_ID,
    PLAN_NUMBER,
    STATUS,
    STATUS_COLUMNS,
    TASK_ID,
    UNIT_ID,
    UNIT_NAME,
    UPDATED_WORDS,
)
from engine.status import UPDATE, Occurrence, Status
from engine.text import collapse, normalize

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


def _fold(text: str) -> str:
    """``normalize`` without diacritics ("Đã Hoàn Thành" → "da hoan thanh")."""
    decomposed = unicodedata.normalize("NFD", normalize(text).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_DONE = frozenset(_fold(w) for w in DONE_WORDS)
_UPDATED = _DONE | frozenset(_fold(w) for w in UPDATED_WORDS)
_HEADER_KEYS = {normalize(name).replace(" ", ""): name for name in STATUS_COLUMNS}


def cell_text(value: object) -> str:
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
    text = cell_text(value)
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
    return cell_text(value)


def header_columns(header: Sequence[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(header):
        name = _HEADER_KEYS.get(normalize(cell_text(value)).replace(" ", ""))
        if name and name not in found:
            found[name] = index
    return found


def missing_columns(columns: dict[str, int]) -> list[str]:
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


class Reader:
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
        plan_id, number = cell_text(cells.get(PLAN_ID)), cell_text(cells.get(PLAN_NUMBER))
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
        unit_id, name = cell_text(cells.get(UNIT_ID)), cell_text(cells.get(UNIT_NAME))
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
        task_id = cell_text(cells.get(TASK_ID))
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
        status = _fold(cell_text(cells.get(STATUS)))
        evidence = cell_text(cells.get(EVIDENCE)) or None
        note = cell_text(cells.get(NOTE)) or None
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
            shown = cell_text(cells.get(STATUS)) or "(trống)"
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
