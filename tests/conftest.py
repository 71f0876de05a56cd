"""Shared fixtures: the shipped rules, databases (SQLite file and, when started, PostgreSQL)."""

from __future__ import annotations

import gc
import os
import pickle
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from functools import cache
from pathlib import Path

import freezegun
import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from engine.catalog.cache import cached_catalog
from engine.catalog.loader import load_catalog
from engine.catalog.model import Catalog
from engine.progress import Progress
from engine.status import Occurrence, evaluate
from engine.store.database import make_engine

ROOT = Path(__file__).resolve().parent.parent

# Tests write only into a temporary folder, never into the checkout: the engine's data folder
# (secret key, uploads, imports), its default database and mail folder, Hypothesis' examples.
# A pinned "today" of the caller's shell must not leak into time-frozen tests either.
_SCRATCH = Path(tempfile.mkdtemp(prefix="engine-tests-"))
os.environ.pop("ENGINE_TODAY", None)
os.environ["ENGINE_DATA_DIR"] = str(_SCRATCH / "var")
os.environ["ENGINE_MAIL_DIR"] = str(_SCRATCH / "var" / "mail")
os.environ["ENGINE_DATABASE_URL"] = f"sqlite:///{_SCRATCH / 'var' / 'engine.db'}"
# No per-example time limit: Hypothesis' default (200 ms) is wall time, measured while the other
# workers load both cores; a phrase-parsing property that holds on every input failed once in a
# full run (speed is what the benchmarks measure, docs/benchmarks.md).
settings.register_profile(
    "scratch",
    database=DirectoryBasedExampleDatabase(str(_SCRATCH / "hypothesis")),
    deadline=None,
)
settings.load_profile("scratch")
RULES = ROOT / "rules"
SCHEDULES = ROOT / "schedules"


def pytest_configure(config: pytest.Config) -> None:
    """Run the cyclic garbage collector far less often in the test processes.

    A test process holds hundreds of thousands of long-lived objects (the catalogue, the
    collected tests, Hypothesis, SQLAlchemy, FastAPI), and Python's default thresholds
    (700, 10, 10) walk them again and again while a differential test allocates millions of
    short-lived ones: about a sixth of the CPU time of the heavy test files measured (one
    process; docs/benchmarks.md, "sixth session"). Collections still run, just after 200,000
    allocations instead of 700; a worker's peak memory grew from 332 to 448 MiB there.

    freezegun is also told to leave the packages of :data:`_UNFROZEN` alone."""
    gc.set_threshold(200_000, 100, 1000)
    freezegun.configure(extend_ignore_list=list(_UNFROZEN))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Freeze what a test process still holds once pytest's unraisable-exception check has
    collected the session's garbage (its own ``pytest_unconfigure``, which runs before this
    one): all of it is live, and the check's second collection, at cleanup, then skips it
    instead of walking a worker's heap again (about 850,000 objects, half a second)."""
    gc.freeze()


#: Packages whose modules freezegun leaves alone: each ``freeze_time`` otherwise hashes every
#: loaded module's names to find its references to ``datetime`` and ``time`` (2,049 modules in
#: a worker: 26-28 ms a freeze, 15-22 ms without these 600). None of them asks the time of a
#: frozen test (the holiday tables, the test tools, pygments, PIL, Mako, OpenTelemetry); when
#: they ask it, they get the real one (Hypothesis and pytest time their own work).
_UNFROZEN = (
    "holidays", "hypothesis", "_pytest", "pluggy", "xdist", "execnet", "pygments", "PIL",
    "mako", "opentelemetry", "unittest", "attr",
)  # fmt: skip


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(RULES, SCHEDULES)


@cache
def _shipped_pickle() -> bytes:
    return pickle.dumps(load_catalog(RULES, SCHEDULES))


def load_catalog_memo(rules_dir: Path, schedules_dir: Path) -> Catalog:
    """``load_catalog``, except that the shipped rules (which no test edits: edits go to
    copies) are validated once per session and each caller gets its own copy of the result
    (unpickling takes a few milliseconds, validating the rules a third of a second)."""
    if (Path(rules_dir), Path(schedules_dir)) == (RULES, SCHEDULES):
        return pickle.loads(_shipped_pickle())  # type: ignore[no-any-return]
    return load_catalog(rules_dir, schedules_dir)


@contextmanager
def shipped_rules_in_memory() -> Iterator[None]:
    """Within the block, a web app or daemon started on the shipped rules reads them through
    :func:`load_catalog_memo` (an app on a copy of the rules still validates that copy), not
    through the catalogue cache of its data folder (which starts empty in a test)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("engine.catalog.watch.load_catalog", load_catalog_memo)
        patch.setattr(
            "engine.catalog.watch.cached_catalog",
            lambda rules, schedules, _cache_dir: load_catalog_memo(rules, schedules),
        )
        yield


@cache
def _shipped_cache() -> bytes:
    """The catalogue cache file the engine keeps for the shipped rules (its catalogue from
    :func:`load_catalog_memo`): the same bytes for every data folder of the session, since
    its key is the working directory's, the rules' and the engine's."""
    folder = _SCRATCH / "shipped-cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("engine.catalog.loader.load_catalog", load_catalog_memo)
        cached_catalog(RULES, SCHEDULES, folder)
    return (folder / "cache" / "catalog.pickle").read_bytes()


def seed_catalog_cache(data_dir: Path) -> None:
    """Give a data folder the catalogue cache of the shipped rules, so that an engine process
    started on it (from the repository's root) reads the validated catalogue at once."""
    (data_dir / "cache").mkdir(parents=True, exist_ok=True)
    (data_dir / "cache" / "catalog.pickle").write_bytes(_shipped_cache())


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A writable copy of rules/ and schedules/ side by side under tmp_path."""
    shutil.copytree(RULES, tmp_path / "rules")
    shutil.copytree(SCHEDULES, tmp_path / "schedules")
    return tmp_path


def occurrences_of(
    catalog: Catalog, as_of: date, plan: str, task: str, progress: Progress | None = None
) -> list[Occurrence]:
    return [
        o
        for o in evaluate(catalog, progress or Progress(), as_of)
        if o.plan == plan and o.task == task
    ]


def _postgres_url() -> str | None:
    return os.environ.get("ENGINE_TEST_POSTGRES_URL")


# The fixtures that migrate the database they are handed: a test using one of them gets its
# PostgreSQL database cloned from the migrated template (Alembic on PostgreSQL took about half a
# second per test); any other test gets an empty one.
_MIGRATING_FIXTURES = frozenset({"db", "app"})


@pytest.fixture(scope="session")
def migrated_postgres() -> Iterator[str]:
    """The name of a PostgreSQL database migrated to the newest revision, made once per session
    (per xdist worker: a template must have no other connection while it is cloned)."""
    base = _postgres_url()
    assert base
    name = f"tpl_{uuid.uuid4().hex[:12]}"
    _create_database(base, name)
    make_engine(base.rsplit("/", 1)[0] + "/" + name).dispose()
    yield name
    _drop_database(base, name)


#: What a test asking for ``day_run`` finds in its database: the day that was run and, when
#: the run's clock was frozen, the moment it was frozen at.
DayRun = tuple[date, str | None]


def _day_run_of(module: object) -> DayRun:
    """A module's run: its ``DAY_RUN`` (and ``DAY_RUN_AT``, the frozen clock) when it has one,
    else its ``DAY`` on the real clock."""
    if hasattr(module, "DAY_RUN"):
        return module.DAY_RUN, getattr(module, "DAY_RUN_AT", None)
    return module.DAY, None  # type: ignore[attr-defined]


class DayRuns:
    """Databases holding one day's run of the shipped rules (``run_day`` in ``manual`` mode with
    a fresh Python matcher and the templates of ``notifications/``), made once per session
    (per worker) for each run and backend and then copied for every test that asks for
    ``day_run``: a day's run takes a second or more, a copy a few milliseconds (SQLite) or a
    tenth of a second (PostgreSQL)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.files: dict[DayRun, Path] = {}
        self.databases: dict[DayRun, str] = {}

    def _run(self, url: str, run: DayRun) -> Engine:
        from freezegun import freeze_time

        from engine.escalation.matcher import PythonMatcher
        from engine.runner import run_day

        engine = make_engine(url)
        matcher = PythonMatcher(self.catalog.escalation.rules)
        day, frozen_at = run
        with freeze_time(frozen_at) if frozen_at else nullcontext():
            run_day(self.catalog, engine, day, matcher, ROOT / "notifications", "manual")
        return engine

    def sqlite(self, run: DayRun, migrated: Path) -> Path:
        if run not in self.files:
            file = _SCRATCH / f"day-run-{len(self.files)}.db"
            shutil.copyfile(migrated, file)
            engine = self._run(f"sqlite:///{file}", run)
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            self.files[run] = file
        return self.files[run]

    def postgres(self, run: DayRun, migrated: str, base: str) -> str:
        if run not in self.databases:
            name = f"tpl_{uuid.uuid4().hex[:12]}"
            _create_database(base, name, migrated)
            self._run(base.rsplit("/", 1)[0] + "/" + name, run).dispose()
            self.databases[run] = name
        return self.databases[run]


@cache
def _admin(base: str) -> Engine:
    """One connection pool per session to the server's own test database, for creating and
    dropping the tests' databases (that database is never migrated or written)."""
    return create_engine(base, isolation_level="AUTOCOMMIT", pool_size=1)


def _create_database(base: str, name: str, template: str | None = None) -> None:
    """Create database ``name``, empty or as a copy of ``template``. From PostgreSQL 15 on, the
    copy is made file by file (``STRATEGY FILE_COPY``) rather than page by page through the
    shared buffers: on the server of ``scripts/postgres.sh`` (``wal_level=minimal``) the whole
    suite's clones then cost the server about 6–10 s less CPU (33–36 s → 25–27 s a run)."""
    clause = ""
    with _admin(base).connect() as connection:
        if template:
            clause = f' TEMPLATE "{template}"'
            if connection.dialect.server_version_info >= (15,):
                clause += " STRATEGY FILE_COPY"
        connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))


def _drop_database(base: str, name: str) -> None:
    with _admin(base).connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def day_runs(catalog: Catalog) -> Iterator[DayRuns]:
    runs = DayRuns(catalog)
    yield runs
    base = _postgres_url()
    for name in runs.databases.values():
        assert base
        _drop_database(base, name)


@pytest.fixture
def day_run(request: pytest.FixtureRequest) -> DayRun:
    """The test's databases (``database_url``, ``db``, ``app``) start with its module's day
    already run (see :func:`_day_run_of`), as ``run_day(catalog, db, DAY, PythonMatcher(rules),
    notifications/, "manual")`` leaves them."""
    return _day_run_of(request.module)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a real SQLite file, or a new database on PostgreSQL (schema-less, or a
    clone of the migrated template when the test also uses a fixture that migrates it, or of
    a day's run when it asks for ``day_run``)."""
    run = _day_run_of(request.module) if "day_run" in request.fixturenames else None
    if request.param == "sqlite":
        if run is not None:
            migrated = request.getfixturevalue("migrated_sqlite")
            runs = request.getfixturevalue("day_runs")
            shutil.copyfile(runs.sqlite(run, migrated), tmp_path / "engine.db")
        yield f"sqlite:///{tmp_path / 'engine.db'}"
        return
    base = _postgres_url()
    if not base:
        pytest.skip("PostgreSQL not started (scripts/postgres.sh sets ENGINE_TEST_POSTGRES_URL)")
    name = f"t_{uuid.uuid4().hex[:12]}"
    template = None
    if run is not None:
        migrated = request.getfixturevalue("migrated_postgres")
        template = request.getfixturevalue("day_runs").postgres(run, migrated, base)
    elif _MIGRATING_FIXTURES & set(request.fixturenames):
        template = request.getfixturevalue("migrated_postgres")
    _create_database(base, name, template)
    yield base.rsplit("/", 1)[0] + "/" + name
    _dispose_all()
    _drop_database(base, name)


_ENGINES: list[Engine] = []


def _dispose_all() -> None:
    while _ENGINES:
        _ENGINES.pop().dispose()


@pytest.fixture(scope="session")
def migrated_sqlite() -> Path:
    """One SQLite file migrated to the newest revision, made once per session: the fixtures
    that hand a test a migrated database copy it (running the migrations took a tenth of a
    second or more per test). ``database_url`` itself stays schema-less."""
    file = _SCRATCH / "migrated-template.db"
    engine = make_engine(f"sqlite:///{file}")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return file


def _from_template(database_url: str, template: Path) -> None:
    """Start a not yet created SQLite database as a copy of the migrated template."""
    if database_url.startswith("sqlite:///"):
        file = Path(database_url.removeprefix("sqlite:///"))
        if not file.exists():
            shutil.copyfile(template, file)


@pytest.fixture
def db(database_url: str, migrated_sqlite: Path) -> Engine:
    _from_template(database_url, migrated_sqlite)
    engine = make_engine(database_url)
    _ENGINES.append(engine)
    return engine


@pytest.fixture
def unused_port() -> int:
    """A free TCP port on loopback for a test SMTP server."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def web_rules() -> tuple[Path, Path]:
    """The rules and schedules the web app serves; a module may override it with a copy."""
    return RULES, SCHEDULES


@pytest.fixture(scope="session")
def password_hash() -> str:
    """The stored hash of the test users' password (see ``tests.webutil.cheap_password_hash``)."""
    from tests.webutil import cheap_password_hash

    return cheap_password_hash()


@pytest.fixture
def app(  # type: ignore[no-untyped-def]
    tmp_path: Path,
    database_url: str,
    web_rules: tuple[Path, Path],
    migrated_sqlite: Path,
    password_hash: str,
):
    """The web app on the shipped rules, with an admin "vp" and a viewer "xem"."""
    from engine.config import load_settings
    from engine.store.database import record
    from engine.store.tables import UserRow
    from engine.web.app import create_app

    settings = load_settings(
        rules_dir=web_rules[0],
        schedules_dir=web_rules[1],
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="khoa-bi-mat-cho-kiem-thu",
    )
    _from_template(database_url, migrated_sqlite)
    with shipped_rules_in_memory():
        application = create_app(settings)
    engine = application.state.web.engine
    record(
        engine,
        UserRow(username="vp", full_name="Nguyễn Văn A", password_hash=password_hash),
    )
    record(
        engine,
        UserRow(
            username="xem",
            full_name="Trần Thị B",
            role="viewer",
            password_hash=password_hash,
        ),
    )
    yield application
    engine.dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from tests.webutil import TestClient

    return TestClient(app)


@pytest.fixture
def admin_client(client):  # type: ignore[no-untyped-def]
    from tests.webutil import login

    login(client)
    return client


def _slow_seconds(item: pytest.Item) -> float:
    marker = item.get_closest_marker("slow")
    return float(marker.args[0]) if marker else 0.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist, the tests marked ``slow(seconds)`` open the workers' first shares.

    ``--dist worksteal`` first hands each of the W workers an equal slice of the collection in
    order (what is left divided by the workers still without one), and an idle worker later
    steals from the back of another's queue. A long test near the end of a slice would then
    end the run alone; so the marked tests, longest first, each go to the front of the slice
    with the fewest marked seconds so far, and the other tests fill the slices in their order.
    Every worker computes the same order (xdist requires equal collections)."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    slow = sorted((i for i in items if _slow_seconds(i)), key=_slow_seconds, reverse=True)
    if workers < 2 or not slow:
        return
    rest = [item for item in items if not _slow_seconds(item)]
    shares: list[list[pytest.Item]] = [[] for _ in range(workers)]
    loads = [0.0] * workers
    for item in slow:
        lightest = loads.index(min(loads))
        shares[lightest].append(item)
        loads[lightest] += _slow_seconds(item)
    ordered: list[pytest.Item] = []
    remaining = len(items)
    for index, share in enumerate(shares):
        size = remaining // (workers - index)
        remaining -= size
        fill = max(0, size - len(share))
        ordered += share + rest[:fill]
        del rest[:fill]
    items[:] = ordered + rest


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove the scratch folder the tests wrote into."""
    shutil.rmtree(_SCRATCH, ignore_errors=True)
