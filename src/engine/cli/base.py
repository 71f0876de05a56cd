"""The ``engine`` application, its shared options and helpers.

Start-up rule: this module and every command module import only typer, rich's console and
light engine modules at the top; the rules loader, the database, mail, the web app and the
report writers are imported inside the commands that need them, so ``engine --help`` and a
command that needs none of them start in a fraction of a second.
"""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.main import get_command_name

from engine import clock

if TYPE_CHECKING:
    from rich.console import Console

    from engine.catalog.model import Catalog
    from engine.config import Settings


class _Engine(typer.Typer):
    """The application. Run as a program, it turns into click commands only the command or group
    its first argument names: typer inspects every command's signature and type hints to build
    it (~0.02 s for all of them), and the others can neither run nor appear in that command's
    help or errors. No argument, an option first (``engine --help``) or an unknown name (whose
    error suggests the closest commands) build them all, as the test runner always does."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        argv = args[0] if args else kwargs.get("args")
        first = next(iter(sys.argv[1:] if argv is None else argv), "")
        commands = [
            c
            for c in self.registered_commands
            if c.callback and (c.name or get_command_name(c.callback.__name__)) == first
        ]
        groups = [g for g in self.registered_groups if g.name == first]
        if not commands and not groups:
            return super().__call__(*args, **kwargs)
        every = self.registered_commands, self.registered_groups
        self.registered_commands, self.registered_groups = commands, groups
        try:
            return super().__call__(*args, **kwargs)
        finally:
            self.registered_commands, self.registered_groups = every


# Help and usage errors are click's plain text: Rich's help formatter (typer.rich_utils, which
# imports rich's markdown, tables and tracebacks) alone took longer than the target start-up.
app = _Engine(
    help="Theo dõi, đôn đốc thực hiện các Kế hoạch (Đề án 06).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _main() -> None:
    """Refuse a malformed ``ENGINE_TODAY`` before any command runs."""
    try:
        clock.pinned_today()
    except clock.ClockError as exc:
        raise fail(str(exc)) from None


class _LazyConsole:
    """A Rich console made on first use (importing rich's console costs a tenth of a second,
    which ``engine --help`` and silent commands need not pay). Piped output (files, CI logs)
    is not wrapped at 80 columns."""

    def __init__(self, stderr: bool):
        self._stderr = stderr
        self._console: Console | None = None

    def __getattr__(self, name: str) -> object:
        if self._console is None:
            from rich.console import Console

            stream = sys.stderr if self._stderr else sys.stdout
            width = None if stream.isatty() else 200
            self._console = Console(stderr=self._stderr, width=width)
        return getattr(self._console, name)


out: Console = _LazyConsole(stderr=False)  # type: ignore[assignment]
err: Console = _LazyConsole(stderr=True)  # type: ignore[assignment]


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


RulesOpt = Annotated[
    Path | None, typer.Option("--rules", help="Thư mục rules/ (mặc định ENGINE_RULES_DIR)")
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Tính đến ngày YYYY-MM-DD (mặc định: hôm nay)")
]
PlanFilterOpt = Annotated[str | None, typer.Option("--plan", help="Mã hoặc số kế hoạch")]
UnitFilterOpt = Annotated[str | None, typer.Option("--unit", help="Mã hoặc tên đơn vị")]
DateOpt = Annotated[str | None, typer.Option("--date", help="Ngày YYYY-MM-DD (mặc định: hôm nay)")]
PlanArg = Annotated[
    str, typer.Argument(help="Mã hoặc số kế hoạch, ví dụ qd-522-btp hoặc 522/QĐ-BTP")
]
TaskArg = Annotated[str, typer.Argument(help="Mã nhiệm vụ, ví dụ 7 hoặc A12 hoặc 33.1")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Lý do")]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``Lỗi: message`` on stderr and return the exit (code 2: bad input) to raise."""
    err.print(f"[red]Lỗi:[/] {message}")
    return typer.Exit(code)


def as_date(value: str | None, name: str) -> date:
    """The ISO date given to option ``name``; today (``ENGINE_TODAY`` honoured) when absent."""
    if value is None:
        return clock.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{name}: «{value}» không phải ngày dạng YYYY-MM-DD") from None


def get_settings(rules: Path | None = None) -> Settings:
    """The settings (environment, ``engine.toml``), with ``--rules`` overriding the rules dir."""
    from engine.config import load_settings

    return load_settings(rules_dir=rules)


def get_catalog(settings: Settings) -> Catalog:
    """The validated rules (cached under the data folder); on rule errors print each, exit 1."""
    from engine.catalog.cache import cached_catalog
    from engine.catalog.errors import RuleErrors

    try:
        return cached_catalog(settings.rules_dir, settings.schedules_dir, settings.data_dir)
    except RuleErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        raise fail(f"bộ quy tắc có {len(exc.errors)} lỗi; chạy «engine check» để xem", 1) from None


def find_plan_id(catalog: Catalog, plan: str) -> str:
    """The id of the plan named by id or number; exit 2 when there is none."""
    found = catalog.find_plan(plan)
    if found is None:
        raise fail(f"không có kế hoạch «{plan}»")
    return found.id


def find_unit_id(catalog: Catalog, unit: str) -> str:
    """The id of the unit named by id, name or short name; exit 2 when there is none."""
    unit_id = catalog.unit_id(unit)
    if unit_id is None:
        raise fail(f"không có đơn vị «{unit}»")
    return unit_id
