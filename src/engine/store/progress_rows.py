"""Recorded progress from the rows of the six progress tables: one mapping for every reader.

Rule: each table is read with one plain SQL query (columns in the order of the matching
:mod:`engine.progress` record, rows by id), and a row becomes that record with its date
columns turned into dates (SQLite hands them over as ``YYYY-MM-DD`` text, PostgreSQL as
dates) and a trigger's space-separated units into a tuple. SQLAlchemy (``engine.store.database``)
and the stdlib ``sqlite3`` (``engine.store.light``, the command line's fast path) both read
through :func:`progress_from_rows`, so they give the same :class:`Progress`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.progress import (
    Cancellation,
    Completion,
    Extension,
    PeriodUpdate,
    Progress,
    Suspension,
    Trigger,
)


@dataclass(frozen=True)
class _Table:
    """How one table's rows become one kind of record of :class:`Progress`."""

    field: str
    name: str
    record: Callable[..., Any]
    columns: tuple[str, ...]
    dates: frozenset[int]

    @property
    def query(self) -> str:
        columns = ", ".join(f'"{column}"' for column in self.columns)
        return f'SELECT {columns} FROM "{self.name}" ORDER BY "id"'


def _trigger(*values: Any) -> Trigger:
    *head, units = values
    return Trigger(*head, tuple((units or "").split()))


TABLES = (
    _Table(
        "completions",
        "completion",
        Completion,
        ("plan", "task", "done_on", "unit", "milestone", "note", "evidence"),
        frozenset({2}),
    ),
    _Table(
        "updates",
        "period_update",
        PeriodUpdate,
        ("plan", "task", "unit", "period", "reported_on", "note"),
        frozenset({4}),
    ),
    _Table(
        "triggers",
        "trigger_record",
        _trigger,
        ("plan", "task", "kind", "key", "occurred_on", "due", "description", "units"),
        frozenset({4, 5}),
    ),
    _Table(
        "suspensions",
        "suspension",
        Suspension,
        ("plan", "task", "start", "reason", "end", "unit", "document"),
        frozenset({2, 4}),
    ),
    _Table(
        "cancellations",
        "cancellation",
        Cancellation,
        ("plan", "task", "effective", "reason", "unit", "document"),
        frozenset({2}),
    ),
    _Table(
        "extensions",
        "extension",
        Extension,
        ("plan", "task", "new_due", "granted_on", "reason", "unit", "milestone", "document"),
        frozenset({2, 3}),
    ),
)


def _day(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def progress_from_rows(rows: Callable[[str], Iterable[Sequence[Any]]]) -> Progress:
    """The :class:`Progress` of the rows that ``rows(query)`` returns for each table's query."""
    records: dict[str, list[Any]] = {}
    for table in TABLES:
        records[table.field] = [
            table.record(
                *(_day(value) if i in table.dates else value for i, value in enumerate(row))
            )
            for row in rows(table.query)
        ]
    return Progress(**records)
