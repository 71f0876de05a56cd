"""Start-up of the command line: what ``engine --help`` and a cached catalogue do not import
(each heavy library is imported inside the commands that need it), checked in a fresh
interpreter, and the consoles made on first use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from engine.cli import app
from tests.conftest import RULES, SCHEDULES

_HEAVY = ("rich", "holidays", "sqlalchemy", "alembic", "jinja2", "openpyxl", "fastapi")


def _imported(code: str, tmp_path: Path) -> list[str]:
    """The heavy top-level packages a fresh interpreter has imported after ``code``."""
    probe = f"""
import json, sys
{code}
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({_HEAVY!r}))))
"""
    env = {**os.environ, "ENGINE_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


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


def test_a_cached_catalogue_loads_without_the_holiday_tables(tmp_path: Path) -> None:
    load = f"""
from pathlib import Path
from engine.catalog.cache import cached_catalog
cached_catalog(Path({str(RULES)!r}), Path({str(SCHEDULES)!r}), Path({str(tmp_path)!r}))
"""
    _imported(load, tmp_path)  # fills the cache
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
