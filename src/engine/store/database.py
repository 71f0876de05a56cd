"""Database engines and the few queries the rest of the engine needs.

SQLite files get WAL and a busy timeout so that a CLI command and a running daemon can share
one file; PostgreSQL is reached through ``postgresql+psycopg://`` URLs (a plain
``postgresql://`` URL is accepted and given the psycopg driver).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from sqlalchemy import event, func
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, create_engine, select

from engine.progress import Progress
from engine.store import migrate
from engine.store.progress_rows import progress_from_rows
from engine.store.tables import (
    CancellationRow,
    CompletionRow,
    ExtensionRow,
    PeriodUpdateRow,
    SuspensionRow,
    TriggerRow,
)


def make_engine(url: str, busy_timeout_ms: int = 10_000) -> Engine:
    """An engine for ``url`` with the schema migrated to the newest revision; SQLite parent
    folders are created. ``busy_timeout_ms`` is how long SQLite waits for another writer."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, pool_pre_ping=True)
    if parsed.drivername.startswith("sqlite"):
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_timeout_ms))
    migrate.upgrade(engine)
    return engine


def _sqlite_pragmas(busy_timeout_ms: int, connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable with WAL, without an fsync per commit
    cursor.close()


def load_progress(engine: Engine) -> Progress:
    """Every recorded fact, as the pure :class:`Progress` the status computation reads."""
    with engine.connect() as connection:
        return progress_from_rows(lambda query: connection.exec_driver_sql(query).all())


def record(engine: Engine, row: SQLModel) -> SQLModel:
    """Insert one record and return it with its id."""
    with Session(engine) as session:
        session.add(row)
        session.commit()
        session.refresh(row)
        return row


_PROGRESS_TABLES = (
    CompletionRow,
    PeriodUpdateRow,
    TriggerRow,
    SuspensionRow,
    CancellationRow,
    ExtensionRow,
)
#: (row count, highest id) of every progress table, in one statement (one round trip).
_REVISION = select(
    *(
        part
        for table in _PROGRESS_TABLES
        for part in (
            select(func.count()).select_from(table).scalar_subquery(),
            select(func.max(table.id)).scalar_subquery(),  # type: ignore[attr-defined]
        )
    )
)


def progress_revision(engine: Engine) -> tuple:
    """Changes whenever progress is recorded: (row count, highest id) of every progress table."""
    with engine.connect() as connection:
        row = tuple(connection.execute(_REVISION).one())
    return tuple(zip(row[::2], row[1::2], strict=True))


def overdue_reasons(engine: Engine) -> dict[str, str]:
    """Occurrence key → the latest reason a unit or an admin gave (extension requests, extensions)."""
    from engine.store.tables import ExtensionRequestRow

    reasons: dict[str, str] = {}
    with Session(engine) as session:
        for row in session.execute(
            select(ExtensionRequestRow).order_by(ExtensionRequestRow.id)
        ).scalars():
            reasons[f"{row.plan}/{row.task}/{row.unit}/{row.milestone}"] = (
                f"Đề nghị gia hạn: {row.reason}"
            )
        for row in session.execute(select(ExtensionRow).order_by(ExtensionRow.id)).scalars():
            if row.unit and row.milestone:
                reasons[f"{row.plan}/{row.task}/{row.unit}/{row.milestone}"] = (
                    f"Đã gia hạn: {row.reason}"
                )
    return reasons
