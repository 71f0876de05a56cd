"""The command line's fast read of recorded progress (``engine.store.light``): the same
:class:`Progress` as SQLAlchemy's, only on a SQLite file at the newest revision."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from engine.progress import Cancellation, Completion, Extension, PeriodUpdate, Suspension, Trigger
from engine.store import database, light, migrate
from engine.store.tables import (
    CancellationRow,
    CompletionRow,
    ExtensionRow,
    PeriodUpdateRow,
    SuspensionRow,
    TriggerRow,
)


def test_the_head_constant_is_alembics_head() -> None:
    assert migrate.head() == light.HEAD


@pytest.mark.parametrize(
    ("url", "file"),
    [
        ("sqlite:///var/engine.db", Path("var/engine.db")),
        ("sqlite:////srv/engine/engine.db", Path("/srv/engine/engine.db")),
        ("sqlite+pysqlite:////srv/e.db", Path("/srv/e.db")),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("sqlite:///e.db?timeout=5", None),
        ("postgresql+psycopg://engine@localhost/engine", None),
        ("engine.db", None),
    ],
)
def test_only_plain_sqlite_urls_name_a_file(url: str, file: Path | None) -> None:
    assert light.sqlite_file(url) == file


def _record_every_kind(db: Engine) -> None:
    for row in (
        CompletionRow(
            plan="qd-522-btp",
            task="4",
            unit="cuc-htqtct",
            milestone="2023-06",
            done_on=date(2023, 6, 20),
            note="Ghi chú",
            evidence="Công văn số 1/HTQTCT",
        ),
        CompletionRow(plan="qd-522-btp", task="3", done_on=date(2023, 5, 2)),
        PeriodUpdateRow(
            plan="qd-149-btp",
            task="5",
            unit="vu-plhshc",
            period="2022-02",
            reported_on=date(2022, 2, 10),
            note="Báo cáo tháng 2",
        ),
        TriggerRow(
            plan="qd-910-btp",
            task="2",
            kind="event",
            key="CT-07",
            occurred_on=date(2025, 3, 10),
            due=date(2025, 4, 10),
            description="Chỉ thị 07",
            units="cuc-cntt vu-pldskt",
        ),
        TriggerRow(
            plan="qd-910-btp", task="2", kind="request", key="CV-1", occurred_on=date(2025, 5, 1)
        ),
        SuspensionRow(
            plan="qd-522-btp",
            task="5",
            start=date(2023, 8, 1),
            end=date(2023, 10, 1),
            reason="Chờ Luật",
            unit="cuc-bttp",
            document="CV 12",
        ),
        CancellationRow(
            plan="qd-522-btp",
            task="6",
            effective=date(2023, 5, 1),
            reason="Không còn phù hợp",
            document="QĐ 99",
        ),
        ExtensionRow(
            plan="qd-522-btp",
            task="7",
            unit="cuc-htqtct",
            milestone="2023-06",
            new_due=date(2023, 8, 31),
            granted_on=date(2023, 6, 1),
            reason="Chờ VPCP",
            document="CV 3",
        ),
    ):
        database.record(db, row)


def test_both_readers_give_the_same_progress(db: Engine, database_url: str) -> None:
    _record_every_kind(db)
    progress = database.load_progress(db)
    assert progress.completions[0] == Completion(
        "qd-522-btp",
        "4",
        date(2023, 6, 20),
        "cuc-htqtct",
        "2023-06",
        "Ghi chú",
        "Công văn số 1/HTQTCT",
    )
    assert progress.updates == [
        PeriodUpdate(
            "qd-149-btp", "5", "vu-plhshc", "2022-02", date(2022, 2, 10), "Báo cáo tháng 2"
        )
    ]
    assert progress.triggers == [
        Trigger(
            "qd-910-btp",
            "2",
            "event",
            "CT-07",
            date(2025, 3, 10),
            date(2025, 4, 10),
            "Chỉ thị 07",
            ("cuc-cntt", "vu-pldskt"),
        ),
        Trigger("qd-910-btp", "2", "request", "CV-1", date(2025, 5, 1)),
    ]
    assert progress.suspensions == [
        Suspension(
            "qd-522-btp",
            "5",
            date(2023, 8, 1),
            "Chờ Luật",
            date(2023, 10, 1),
            "cuc-bttp",
            "CV 12",
        )
    ]
    assert progress.cancellations == [
        Cancellation("qd-522-btp", "6", date(2023, 5, 1), "Không còn phù hợp", None, "QĐ 99")
    ]
    assert progress.extensions == [
        Extension(
            "qd-522-btp",
            "7",
            date(2023, 8, 31),
            date(2023, 6, 1),
            "Chờ VPCP",
            "cuc-htqtct",
            "2023-06",
            "CV 3",
        )
    ]
    fast = light.read_progress(database_url)
    if database_url.startswith("sqlite"):
        assert fast == progress
    else:  # PostgreSQL is always read through SQLAlchemy
        assert fast is None
    assert light.load_progress(database_url) == progress


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    note=st.none() | _TEXT,
    unit=st.none() | _TEXT,
    done_on=st.dates(date(1900, 1, 1), date(2200, 12, 31)),
)
def test_any_completion_reads_the_same_both_ways(
    tmp_path: Path, migrated_sqlite: Path, note: str | None, unit: str | None, done_on: date
) -> None:
    url = f"sqlite:///{tmp_path / 'engine.db'}"
    if not (tmp_path / "engine.db").exists():
        (tmp_path / "engine.db").write_bytes(migrated_sqlite.read_bytes())
    db = database.make_engine(url)
    database.record(db, CompletionRow(plan="p", task="t", unit=unit, done_on=done_on, note=note))
    assert light.read_progress(url) == database.load_progress(db)
    db.dispose()


def test_anything_but_a_migrated_sqlite_file_is_left_to_sqlalchemy(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    assert light.read_progress(f"sqlite:///{missing}") is None
    assert not missing.exists()
    legacy = tmp_path / "legacy.db"
    sqlite3.connect(legacy).close()
    assert light.read_progress(f"sqlite:///{legacy}") is None
    older = tmp_path / "older.db"
    with sqlite3.connect(older) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO alembic_version VALUES ('0001')")
    connection.close()
    assert light.read_progress(f"sqlite:///{older}") is None


def test_a_new_database_is_created_at_the_newest_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'engine.db'}"
    assert light.load_progress(url).empty
    with sqlite3.connect(tmp_path / "new" / "engine.db") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (light.HEAD,)
        ]
    connection.close()
    assert light.read_progress(url) is not None
