"""Start-up of the command line: what ``engine --help``, a cached catalogue and each common
command do not import (each heavy library is imported inside the commands that need it),
checked in a fresh interpreter; the consoles made on first use; and the JSON status output
unchanged byte for byte by the start-up work."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.models
from typer.testing import CliRunner

from engine.cli import app
from tests.conftest import RULES, SCHEDULES

_HEAVY = ("rich", "holidays", "sqlalchemy", "alembic", "jinja2", "openpyxl", "fastapi")


def _imported(
    code: str, tmp_path: Path, heavy: tuple[str, ...] = _HEAVY, env: dict[str, str] | None = None
) -> list[str]:
    """The ``heavy`` modules (each with its submodules) a fresh interpreter has imported after
    ``code``."""
    probe = f"""
import json, sys
{code}
heavy = {heavy!r}
print(json.dumps(sorted({{h for h in heavy for m in sys.modules if (m + ".").startswith(h + ".")}})))
"""
    env = {**os.environ, "ENGINE_DATA_DIR": str(tmp_path), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


_SHIPPED = {"ENGINE_RULES_DIR": str(RULES), "ENGINE_SCHEDULES_DIR": str(SCHEDULES)}


@pytest.fixture(scope="session")
def filled_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogue cache ``engine check`` leaves on the shipped rules, made once: its key is
    the rules' (and the engine's) bytes, the same for every test of the session."""
    data_dir = tmp_path_factory.mktemp("filled-cache")
    _imported(_command("check"), data_dir, env=_SHIPPED)
    return data_dir / "cache"


def test_help_imports_no_heavy_library(tmp_path: Path) -> None:
    code = """
sys.argv = ["engine", "--help"]
from engine.cli import app
try:
    app()
except SystemExit:
    pass
"""
    assert _imported(code, tmp_path) == []


def test_a_cached_catalogue_loads_without_the_holiday_tables(
    tmp_path: Path, filled_cache: Path
) -> None:
    shutil.copytree(filled_cache, tmp_path / "cache")
    load = f"""
from pathlib import Path
from engine.catalog.cache import cached_catalog
cached_catalog(Path({str(RULES)!r}), Path({str(SCHEDULES)!r}), Path({str(tmp_path)!r}))
"""
    assert "holidays" not in _imported(load, tmp_path)


def test_help_is_plain_text_in_vietnamese() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Theo dõi, đôn đốc thực hiện các Kế hoạch" in result.output
    assert "parse" in result.output and "─" not in result.output


def test_errors_still_print_through_the_console() -> None:
    result = CliRunner().invoke(app, ["parse", "Tháng 9/2023", "--issued", "hôm qua"])
    assert result.exit_code == 2
    assert "Lỗi:" in result.output and "--issued" in result.output


#: What no command that only reads needs: the database toolkit and its migrations, the rule
#: files' parser (a cached catalogue is read instead), the holiday tables.
_READ_ONLY_HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "yaml", "holidays")


def _command(*argv: str) -> str:
    return f"""
sys.argv = ["engine", *{list(argv)!r}]
from engine.cli import app
try:
    app()
except SystemExit:
    pass
"""


@pytest.fixture
def migrated_env(tmp_path: Path, migrated_sqlite: Path, filled_cache: Path) -> dict[str, str]:
    """The shipped rules, a cached catalogue and a SQLite database at the newest revision."""
    shutil.copyfile(migrated_sqlite, tmp_path / "engine.db")
    shutil.copytree(filled_cache, tmp_path / "cache")
    return {**_SHIPPED, "ENGINE_DATABASE_URL": f"sqlite:///{tmp_path / 'engine.db'}"}


@pytest.mark.parametrize(
    "argv",
    [
        ("parse", "Tháng 9/2023"),
        ("check",),
        ("status", "--as-of", "2026-11-30", "--plan", "qd-522-btp", "--format", "json"),
        ("summary", "--as-of", "2026-11-30"),
    ],
)
def test_read_only_commands_import_no_database_toolkit(
    argv: tuple[str, ...], tmp_path: Path, migrated_env: dict[str, str]
) -> None:
    """``status`` and ``summary`` read a migrated SQLite database with the stdlib sqlite3
    (``engine.store.light``); pydantic is still imported (typer 0.29 validates every option
    through it, and the cached catalogue holds pydantic models)."""
    assert _imported(_command(*argv), tmp_path, _READ_ONLY_HEAVY, migrated_env) == []


#: What reading one phrase needs none of: the status evaluation and its table writers, the
#: settings library and its dotenv parser.
_NOT_FOR_PARSE = ("engine.status", "engine.render", "pydantic_settings", "dotenv")


def test_parse_imports_neither_the_status_evaluation_nor_pydantic_settings(
    tmp_path: Path, migrated_env: dict[str, str]
) -> None:
    for fmt in ("table", "json"):
        command = _command("parse", "Tháng 9/2023", "--format", fmt)
        assert _imported(command, tmp_path, _NOT_FOR_PARSE, migrated_env) == []


def test_run_as_a_program_the_app_builds_only_the_command_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Typer inspects a command to build it; the others are left out when the first argument
    names one, and all are built for an unknown name (whose error suggests the closest)."""
    built: list[str] = []
    real = typer.main.get_command_from_info

    def spy(command_info: typer.models.CommandInfo, **kwargs: Any) -> object:
        built.append(command_info.callback.__name__ if command_info.callback else "")
        return real(command_info, **kwargs)

    monkeypatch.setattr(typer.main, "get_command_from_info", spy)
    every = (list(app.registered_commands), list(app.registered_groups))
    with pytest.raises(SystemExit) as done:
        app(["parse", "--help"])
    assert done.value.code == 0 and built == ["parse"]
    assert "Cụm từ thời hạn" in capsys.readouterr().out
    assert (app.registered_commands, app.registered_groups) == every
    built.clear()
    with pytest.raises(SystemExit) as done:
        app(["pars", "x"])
    assert done.value.code == 2 and "Did you mean 'parse'?" in capsys.readouterr().err
    assert set(built) >= {c.callback.__name__ for c in every[0] if c.callback}


def test_sending_the_outbox_imports_neither_the_scheduler_nor_the_rules(
    tmp_path: Path, migrated_env: dict[str, str]
) -> None:
    """``engine outbox send`` (run by cron, by an admin, by the drills) needs the outbox, the
    claims and SMTP: not the scheduler, the day's run, the rule catalogue or its loaders."""
    heavy = ("apscheduler", "engine.scheduler", "engine.runner", "engine.catalog", "jinja2")
    heavy += ("holidays", "alembic", "yaml")
    assert _imported(_command("outbox", "send"), tmp_path, heavy, migrated_env) == []


def test_an_engine_at_the_newest_revision_skips_alembic(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    shutil.copyfile(migrated_sqlite, tmp_path / "engine.db")
    code = f"""
from engine.store.database import load_progress, make_engine
load_progress(make_engine({f"sqlite:///{tmp_path / 'engine.db'}"!r}))
"""
    assert _imported(code, tmp_path, ("alembic",)) == []


#: SHA-256 of ``engine status --as-of D --format json`` on the shipped rules with no recorded
#: progress, computed on main (f85f2d2) before the start-up work of issue 14 (second pass).
_STATUS_JSON_SHA256 = {
    "2026-11-30": "a8f6eaf62b96c5e83ffcc220d7bde89f328083bc529d8c35dc00f9bc943b00d2",
    "2024-06-15": "6938700605da651ac88b2ede128600424beb1fd2813a437c3482f4f2f481b422",
}


@pytest.mark.parametrize("as_of", sorted(_STATUS_JSON_SHA256))
def test_status_json_is_byte_identical_to_before(
    as_of: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENGINE_RULES_DIR", str(RULES))
    monkeypatch.setenv("ENGINE_SCHEDULES_DIR", str(SCHEDULES))
    monkeypatch.setenv("ENGINE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ENGINE_DATABASE_URL", f"sqlite:///{tmp_path / 'engine.db'}")
    result = CliRunner().invoke(app, ["status", "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0
    assert hashlib.sha256(result.stdout_bytes).hexdigest() == _STATUS_JSON_SHA256[as_of]
