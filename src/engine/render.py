"""Occurrences as rows for people (Rich tables, Vietnamese) and programs (JSON, CSV).

The JSON/CSV row is a stable interface (documented in README.md): field names never change
meaning; new fields may be added.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from rich.cells import cell_len
from rich.table import Table

from engine.catalog.model import Catalog
from engine.periods import milestone_text, vn_date
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

_SCALARS = frozenset((str, int, bool, type(None)))
_LITERALS: dict[Any, str] = {None: "null", True: "true", False: "false"}

_STYLES = {
    Status.OVERDUE: "bold red",
    Status.REPORT_MISSING: "red",
    Status.DUE_SOON: "yellow",
    Status.DONE_ON_TIME: "green",
    Status.DONE_LATE: "dark_orange",
    Status.REPORTED: "green",
    Status.NOT_STARTED: "dim",
}


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
    """``json.dumps(rows, ensure_ascii=False, indent=2)``, character for character.

    Flat rows (string keys; strings, integers, booleans, None) are written with json's C string
    encoder, as the standard indenting encoder is pure Python and took seconds on thousands of
    rows; anything else goes through ``json.dumps``.
    """
    items = list(rows)
    if not all(
        all(isinstance(key, str) and type(value) in _SCALARS for key, value in row.items())
        for row in items
    ):
        return json.dumps(items, ensure_ascii=False, indent=2)
    if not items:
        return "[]"
    blocks = [
        "  {\n"
        + ",\n".join(
            f"    {encode_basestring(key)}: {_scalar(value)}" for key, value in row.items()
        )
        + "\n  }"
        if row
        else "  {}"
        for row in items
    ]
    return "[\n" + ",\n".join(blocks) + "\n]"


def _scalar(value: str | int | bool | None) -> str:
    """One JSON scalar, as ``json.dumps`` writes it."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)  # type: ignore[no-any-return]
    if kind is int:
        return int.__repr__(value)  # type: ignore[arg-type]
    return _LITERALS[value]  # None, True, False


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROW_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


_STATUS_HEADERS = (
    "Kế hoạch",
    "Nhiệm vụ",
    "Đơn vị chủ trì",
    "Mốc / kỳ",
    "Thời hạn",
    "Hạn",
    "Tình trạng",
    "Quá hạn",
)
PLAIN_STATUS_ROWS = 300
"""Beyond this many rows ``engine status`` prints plain aligned text instead of a Rich table."""


def _status_title(as_of: date) -> str:
    return f"Tình hình thực hiện nhiệm vụ đến ngày {vn_date(as_of)}"


def _status_cells(catalog: Catalog, occ: Occurrence) -> list[str]:
    """The cells of one status row, in the order of ``_STATUS_HEADERS`` (status unstyled)."""
    plan = catalog.plans[occ.plan]
    task = plan.task(occ.task)
    assert task is not None
    return [
        plan.number,
        occ.task,
        catalog.units[occ.unit].name,
        milestone_text(occ.milestone, occ.label),
        task.deadline.replace("\n", " / ") or "(trống)",
        vn_date(occ.due),
        occ.status.label,
        f"{occ.days_overdue} ngày" if occ.days_overdue else "",
    ]


def status_table(catalog: Catalog, occurrences: list[Occurrence], as_of: date) -> Table:
    table = Table(title=_status_title(as_of), show_lines=False)
    for header in _STATUS_HEADERS:
        table.add_column(header, overflow="fold")
    for occ in occurrences:
        cells = _status_cells(catalog, occ)
        if occ.status in _STYLES:
            cells[6] = f"[{_STYLES[occ.status]}]{cells[6]}[/]"
        table.add_row(*cells)
    return table


def status_lines(catalog: Catalog, occurrences: list[Occurrence], as_of: date) -> Iterator[str]:
    """The status rows as plain text: the title, the headers, a rule, then one line per row,
    columns padded to their widest cell (in terminal cells) and two spaces apart."""
    rows = [list(_STATUS_HEADERS), *(_status_cells(catalog, occ) for occ in occurrences)]
    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(_STATUS_HEADERS))]
    rows.insert(1, ["-" * width for width in widths])
    yield _status_title(as_of)
    for row in rows:
        yield "  ".join(
            cell + " " * (width - cell_len(cell)) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
