"""Reading recorded progress without SQLAlchemy or Alembic, for the command line's start-up.

Rule: a SQLite database that exists and whose ``alembic_version`` is :data:`HEAD` (the newest
migration; ``tests/test_cli_startup.py`` keeps it equal to Alembic's real head) is read with
the stdlib ``sqlite3`` through the same row mapping as ``engine.store.database``
(:mod:`engine.store.progress_rows`). Anything else — PostgreSQL, a missing file, an older or
unknown schema, a URL with options — goes through :func:`engine.store.database.make_engine`,
which migrates first.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from engine.progress import Progress
from engine.store.progress_rows import progress_from_rows

#: The newest migration's revision id (``engine/store/migrations/versions``).
HEAD = "0004"
_SQLITE_SCHEMES = ("sqlite", "sqlite+pysqlite")


def sqlite_file(url: str) -> Path | None:
    """The file of a plain SQLite URL (``sqlite:///relative`` or ``sqlite:////absolute``);
    ``None`` for any other database, an in-memory one or a URL with options."""
    scheme, separator, rest = url.partition("://")
    if not separator or scheme not in _SQLITE_SCHEMES or not rest.startswith("/"):
        return None
    database = rest[1:]
    if database in ("", ":memory:") or "?" in database:
        return None
    return Path(database)


def read_progress(url: str) -> Progress | None:
    """The recorded progress of a SQLite database at :data:`HEAD`; ``None`` when the database
    is anything else (see the module rule) and must be opened the full way."""
    file = sqlite_file(url)
    if file is None or not file.is_file():
        return None
    connection = sqlite3.connect(file, timeout=10)
    try:
        try:
            found = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.Error:
            return None
        if found != [(HEAD,)]:
            return None
        return progress_from_rows(lambda query: connection.execute(query).fetchall())
    finally:
        connection.close()


def load_progress(url: str) -> Progress:
    """The recorded progress of the database at ``url``: the fast path when it applies, else
    through SQLAlchemy (which creates or migrates the schema first)."""
    progress = read_progress(url)
    if progress is not None:
        return progress
    from engine.store import database

    return database.load_progress(database.make_engine(url))
