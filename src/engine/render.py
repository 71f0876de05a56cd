"""Occurrences as rows for people (Rich tables, Vietnamese) and programs (JSON, CSV).

The JSON/CSV row is a stable interface (documented in README.md): field names never change
meaning; new fields may be added.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from rich.table import Table

from engine.catalog.model import Catalog
from engine.status import Occurrence, Status

ROW_FIELDS = (
    "plan",
    "plan_number",
    "task",
    "parent",
    "unit",
    "unit_name",
    "printed_unit",
    "milestone",
    "label",
    "timing_class",
    "kind",
    "deadline",
    "due",
    "original_due",
    "window_start",
    "status",
    "status_label",
    "done_on",
    "days_overdue",
    "working_days_overdue",
    "working_days_to_due",
    "precedes_issue",
    "missed_in_a_row",
    "holder",
    "implemented_by",
)

_STYLES = {
    Status.OVERDUE: "bold red",
    Status.REPORT_MISSING: "red",
    Status.DUE_SOON: "yellow",
    Status.DONE_ON_TIME: "green",
    Status.DONE_LATE: "dark_orange",
    Status.REPORTED: "green",
    Status.NOT_STARTED: "dim",
}


def vn_date(day: date | None) -> str:
    """dd/mm/yyyy, the short form used in Vietnamese tables."""
    return day.strftime("%d/%m/%Y") if day else "—"


def row(catalog: Catalog, occ: Occurrence) -> dict[str, Any]:
    plan = catalog.plans[occ.plan]
    task = plan.task(occ.task)
    assert task is not None
    return {
        "plan": occ.plan,
        "plan_number": plan.number,
        "task": occ.task,
        "parent": task.parent,
        "unit": occ.unit,
        "unit_name": catalog.units[occ.unit].name,
        "printed_unit": occ.printed_unit,
        "milestone": occ.milestone,
        "label": occ.label,
        "timing_class": str(occ.timing_class),
        "kind": occ.kind,
        "deadline": task.deadline,
        "due": occ.due.isoformat() if occ.due else None,
        "original_due": occ.original_due.isoformat() if occ.original_due else None,
        "window_start": occ.window_start.isoformat() if occ.window_start else None,
        "status": occ.status.value,
        "status_label": occ.status.label,
        "done_on": occ.done_on.isoformat() if occ.done_on else None,
        "days_overdue": occ.days_overdue,
        "working_days_overdue": occ.working_days_overdue,
        "working_days_to_due": occ.working_days_to_due,
        "precedes_issue": occ.precedes_issue,
        "missed_in_a_row": occ.missed_in_a_row,
        "holder": occ.answerable,
        "implemented_by": " ".join(occ.implemented_by) or None,
    }


def to_json(rows: Iterable[dict[str, Any]]) -> str:
    return json.dumps(list(rows), ensure_ascii=False, indent=2)


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROW_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def status_table(catalog: Catalog, occurrences: list[Occurrence], as_of: date) -> Table:
    table = Table(title=f"Tình hình thực hiện nhiệm vụ đến ngày {vn_date(as_of)}", show_lines=False)
    for header in (
        "Kế hoạch",
        "Nhiệm vụ",
        "Đơn vị chủ trì",
        "Mốc / kỳ",
        "Thời hạn",
        "Hạn",
        "Tình trạng",
        "Quá hạn",
    ):
        table.add_column(header, overflow="fold")
    for occ in occurrences:
        plan = catalog.plans[occ.plan]
        task = plan.task(occ.task)
        assert task is not None
        overdue = f"{occ.days_overdue} ngày" if occ.days_overdue else ""
        table.add_row(
            plan.number,
            occ.task,
            catalog.units[occ.unit].name,
            occ.label or occ.milestone,
            task.deadline.replace("\n", " / ") or "(trống)",
            vn_date(occ.due),
            f"[{_STYLES.get(occ.status, '')}]{occ.status.label}[/]"
            if occ.status in _STYLES
            else occ.status.label,
            overdue,
        )
    return table
