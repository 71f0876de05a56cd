"""The schema comes from Alembic migrations: they agree with the SQLModel tables, are applied
once under a lock, and any number of processes may start on an empty database at once."""

from __future__ import annotations

import subprocess
import sys

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from engine.store import migrate
from engine.store.database import make_engine
from tests.conftest import ROOT


def test_migrations_and_tables_agree(database_url: str) -> None:
    """Fails when a table or column was added to tables.py without a new revision:
    add one with ``alembic revision --autogenerate`` (see docs/escalation.md, "Schema")."""
    migrate.import_tables()
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
        assert migrate.current(connection) == migrate.head()
    engine.dispose()
    assert diff == []


def test_a_database_made_before_migrations_is_brought_up_to_date(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Tables of the baseline without ``alembic_version`` (the old ``create_all``): stamped at
    the baseline, then upgraded to the newest revision."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = create_engine(url)
    with old.connect() as connection:
        command.upgrade(migrate.config(connection), migrate.BASELINE)
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(
            text(
                "INSERT INTO silence (author, reason, until, created_at) "
                "VALUES ('a', 'b', '2023-07-01', '2023-06-01 00:00:00')"
            )
        )
        connection.commit()
    old.dispose()
    engine = make_engine(url)
    with engine.connect() as connection:
        assert migrate.current(connection) == migrate.head()
        assert connection.execute(text("SELECT count(*) FROM silence")).scalar() == 1
    engine.dispose()


_START = """
import sys
from engine.store.database import make_engine
from engine.store import outbox
engine = make_engine(sys.argv[1])
print(outbox.counts(engine))
"""


def test_processes_starting_at_once_on_an_empty_database(database_url: str) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _START, database_url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0] * 4, [err for _, err in results]
    assert [out.strip() for out, _ in results] == ["{}"] * 4
    engine = make_engine(database_url)
    with engine.connect() as connection:
        assert migrate.current(connection) == migrate.head()
        assert "outbox_message" in inspect(connection).get_table_names()
    engine.dispose()
