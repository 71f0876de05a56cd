"""The schema, by Alembic migrations, applied once under a lock.

Any number of processes may start on the same database at once, even an empty one: each checks
whether the schema is at the newest revision and, if not, takes a lock (a PostgreSQL advisory
lock; on SQLite an exclusive ``flock`` on a file beside the database), applies what is still
missing and releases the lock; the others then find the schema up to date. A database created
before migrations existed (tables, no ``alembic_version``) is stamped at the baseline first, and
the revisions after the baseline bring it up to date.

Tables live in the modules ``engine.store.*tables``; a change to them needs a new revision: ``tests/test_migrations.py`` fails
while the metadata and the migrations disagree (see ``docs/escalation.md``, "Schema").
"""

from __future__ import annotations

import fcntl
import importlib
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from engine.store.light import HEAD

if TYPE_CHECKING:
    from alembic.config import Config

BASELINE = "0001"
#: PostgreSQL advisory lock key held while migrating ("06" of Đề án 06).
LOCK_KEY = 606_0001


def import_tables() -> None:
    """Register every table on ``SQLModel.metadata``: the modules ``engine.store.*tables``."""
    import engine.store

    for module in pkgutil.iter_modules(engine.store.__path__):
        if module.name.endswith("tables"):
            importlib.import_module(f"engine.store.{module.name}")


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, on the migrations shipped in the package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "engine.store:migrations")
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision, as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(config()).get_current_head()
    assert revision is not None
    return revision


def current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision (a no-op when it is there already).

    A database at :data:`~engine.store.light.HEAD` is recognised with one query, without
    importing Alembic; anything else is compared with Alembic's own head under the lock.
    """
    with engine.connect() as connection:
        if _stored_revision(connection) == HEAD:
            return
    from alembic import command

    target = head()
    with _locked(engine) as connection:
        revision = current(connection)
        if revision != target:
            cfg = config(connection)
            if revision is None and inspect(connection).has_table("outbox_message"):
                command.stamp(cfg, BASELINE)
            command.upgrade(cfg, "head")
        connection.commit()


def _stored_revision(connection: Connection) -> str | None:
    """The revision recorded in ``alembic_version`` (``None``: no table, or not one row).

    One query, no catalogue lookup: a database without the table (or that cannot be read)
    fails it and is handed to the locked path, which decides with Alembic. The failed query
    leaves the caller's transaction unusable; the caller only closes the connection."""
    try:
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        return None
    return rows[0][0] if len(rows) == 1 else None


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            try:
                yield connection
            finally:
                connection.rollback()
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        with engine.connect() as connection:  # private to this process: nobody to wait for
            yield connection
        return
    with open(Path(database).with_name(Path(database).name + ".migrate-lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
