"""Statements over many rows, on SQLite and PostgreSQL alike.

Rule: an upsert (``ON CONFLICT``) is built with the database's own INSERT construct
(:func:`insert_for`), and a statement carrying many rows is cut into chunks of at most
:func:`rows_per_statement` rows, so that no statement binds more than :data:`MAX_VARIABLES`
parameters: the smallest limit SQLite was ever built with (``SQLITE_MAX_VARIABLE_NUMBER``
before 3.32), so that no build refuses a batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from sqlalchemy import Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

MAX_VARIABLES = 999
_T = TypeVar("_T")


def insert_for(engine: Engine, table: Table) -> Any:
    """``table``'s INSERT in the dialect of ``engine`` (with ``on_conflict_do_*``)."""
    dialect = engine.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    return insert(table)  # pragma: no cover - only SQLite and PostgreSQL are supported


def rows_per_statement(table: Table) -> int:
    """How many rows of ``table`` (every column bound) one statement may carry."""
    return MAX_VARIABLES // len(table.columns)


def chunks(values: list[_T], size: int) -> Iterator[list[_T]]:
    """``values`` in consecutive slices of at most ``size``."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
