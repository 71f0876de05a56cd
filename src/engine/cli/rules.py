"""Commands on the rules and the statuses: ``check``, ``parse``, ``status``, ``summary``."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from engine import clock
from engine.cli.base import (
    AsOfOpt,
    Format,
    PlanFilterOpt,
    RulesOpt,
    UnitFilterOpt,
    app,
    as_date,
    err,
    fail,
    find_plan_id,
    find_unit_id,
    get_catalog,
    get_settings,
    out,
)
from engine.codes import Status

if TYPE_CHECKING:
    from collections.abc import Sequence

    from engine.catalog.model import Catalog
    from engine.config import Settings
    from engine.status import Occurrence


@app.command()
def check(rules: RulesOpt = None) -> None:
    """Kiểm tra mọi tệp quy tắc; in từng lỗi dạng tệp:dòng: trường: thông báo."""
    from engine.catalog.cache import cached_catalog
    from engine.catalog.errors import RuleErrors

    settings = get_settings(rules)
    catalog: Catalog | None
    try:
        catalog = cached_catalog(settings.rules_dir, settings.schedules_dir, settings.data_dir)
        errors, warnings = [], catalog.warnings
    except RuleErrors:
        from engine.catalog.loader import check as check_rules

        catalog = None
        errors, warnings = check_rules(settings.rules_dir, settings.schedules_dir)
    for warning in warnings:
        err.print(f"[yellow]Cảnh báo:[/] {warning}", highlight=False)
    for error in errors:
        print(error)  # one plain line each: path:line: field: message
    if errors or catalog is None:
        err.print(f"[red]{len(errors)} lỗi.[/] Bộ quy tắc chưa được nạp.")
        raise typer.Exit(1)
    tasks = sum(len(p.tasks) for p in catalog.plans.values())
    out.print(
        f"[green]Hợp lệ:[/] {len(catalog.plans)} kế hoạch, {tasks} nhiệm vụ, "
        f"{len(catalog.units)} đơn vị, {len(catalog.references)} văn bản tham chiếu, "
        f"{len(catalog.phrases.grammar.patterns)} mẫu cụm từ thời hạn, "
        f"{len(catalog.escalation.rules)} quy tắc đôn đốc."
    )


@app.command()
def parse(
    phrase: Annotated[str, typer.Argument(help="Cụm từ thời hạn, ví dụ «Quý III-IV/2023»")],
    plan_year: Annotated[int | None, typer.Option("--plan-year", help="Năm của Kế hoạch")] = None,
    issued: Annotated[str | None, typer.Option("--issued", help="Ngày ban hành YYYY-MM-DD")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    rules: RulesOpt = None,
) -> None:
    """Cho biết máy hiểu một cụm từ thời hạn thế nào: hạn, kỳ lặp lại và cách đọc từng phần."""
    from rich.table import Table

    from engine.explain import describe_reading, describe_timing, explain, explain_reading
    from engine.timing.builders import SigningDateNeeded
    from engine.timing.parse import ParseContext, PhraseError

    settings = get_settings(rules)
    catalog = get_catalog(settings)
    issued_on = as_date(issued, "--issued") if issued else None
    year = plan_year or (issued_on.year if issued_on else clock.today().year)
    try:
        parsed = catalog.phrases.parse(phrase, ParseContext(year, issued_on))
    except SigningDateNeeded as exc:
        raise fail(f"{exc}; hãy ghi --issued YYYY-MM-DD", 1) from None
    except PhraseError as exc:
        raise fail(str(exc), 1) from None
    if fmt == Format.json:
        result = explain(parsed.timing, catalog)
        result["phrase"] = phrase
        result["patterns"] = list(parsed.patterns)
        result["reading"] = explain_reading(parsed.parts)
        out.print_json(json.dumps(result, ensure_ascii=False))
        return
    table = Table(title=f"«{phrase}» (năm của Kế hoạch: {year})", show_header=False)
    table.add_row("Hạn", "\n".join(describe_timing(parsed.timing, catalog)))
    table.add_row("Cách đọc", "\n".join(describe_reading(part) for part in parsed.parts))
    out.print(table)


@app.command()
def status(
    as_of: AsOfOpt = None,
    plan: PlanFilterOpt = None,
    unit: UnitFilterOpt = None,
    state: Annotated[
        list[Status] | None, typer.Option("--status", help="Lọc theo tình trạng")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="Chỉ in N dòng đầu (quá hạn lâu nhất trước)"),
    ] = None,
    rules: RulesOpt = None,
) -> None:
    """Tình trạng từng lần thực hiện (nhiệm vụ × đơn vị × mốc/kỳ) tính đến một ngày."""
    settings = get_settings(rules)
    catalog = get_catalog(settings)
    day = as_date(as_of, "--as-of")
    occurrences = _filter(catalog, _evaluate(settings, catalog, day), plan, unit, state)
    if limit is None:
        _emit(catalog, occurrences, day, fmt)
        return
    longest_first = sorted(occurrences, key=lambda o: -o.days_overdue)
    _emit(catalog, longest_first[:limit], day, fmt)
    if len(occurrences) > limit:
        err.print(
            f"… và {len(occurrences) - limit} dòng nữa trong tổng số {len(occurrences)} "
            "(bỏ --limit để xem tất cả)."
        )


def _filter(
    catalog: Catalog,
    occurrences: list[Occurrence],
    plan: str | None,
    unit: str | None,
    state: Sequence[Status] | None,
) -> list[Occurrence]:
    """Keep the occurrences of one plan, one unit, some statuses (each filter optional)."""
    if plan:
        plan_id = find_plan_id(catalog, plan)
        occurrences = [o for o in occurrences if o.plan == plan_id]
    if unit:
        unit_id = find_unit_id(catalog, unit)
        occurrences = [o for o in occurrences if o.unit == unit_id]
    if state:
        occurrences = [o for o in occurrences if o.status in state]
    return occurrences


def _evaluate(settings: Settings, catalog: Catalog, day: date) -> list[Occurrence]:
    from engine.status import evaluate
    from engine.store.light import load_progress

    return evaluate(catalog, load_progress(settings.database_url), day)


def _emit(catalog: Catalog, occurrences: list[Occurrence], day: date, fmt: Format) -> None:
    """Print the rows: a Rich table, or plain aligned text when there are more than
    ``render.PLAIN_STATUS_ROWS`` (a Rich layout of thousands of rows takes seconds); JSON; CSV."""
    from engine import render

    if fmt == Format.table and len(occurrences) > render.PLAIN_STATUS_ROWS:
        sys.stdout.write("\n".join(render.status_lines(catalog, occurrences, day)) + "\n")
        return
    if fmt == Format.table:
        out.print(render.status_table(catalog, occurrences, day))
        return
    rows = [render.row(catalog, o) for o in occurrences]
    text = render.to_json(rows) if fmt == Format.json else render.to_csv(rows)
    sys.stdout.write(text + ("\n" if fmt == Format.json else ""))


@app.command()
def summary(
    as_of: AsOfOpt = None,
    plan: PlanFilterOpt = None,
    unit: UnitFilterOpt = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    rules: RulesOpt = None,
) -> None:
    """Số liệu tổng hợp theo kế hoạch và theo đơn vị, theo các nhóm của báo cáo."""
    from rich.table import Table

    from engine import render
    from engine.summary import CATEGORIES, tally, tally_tasks

    settings = get_settings(rules)
    catalog = get_catalog(settings)
    day = as_date(as_of, "--as-of")
    occurrences = _filter(catalog, _evaluate(settings, catalog, day), plan, unit, None)
    by_plan = tally_tasks(occurrences, lambda o: o.plan)
    by_unit = tally(occurrences, lambda o: f"{o.plan}\t{o.unit}")
    if fmt != Format.table:
        data = {
            "as_of": day.isoformat(),
            "plans": [{"plan": t.key, **t.counts, "total": t.total} for t in by_plan],
            "units": [
                {
                    "plan": t.key.split("\t")[0],
                    "unit": t.key.split("\t")[1],
                    **t.counts,
                    "total": t.total,
                }
                for t in by_unit
            ],
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    for title, tallies, name in (
        ("theo kế hoạch", by_plan, lambda k: catalog.plans[k].number),
        (
            "theo đơn vị",
            by_unit,
            lambda k: (
                f"{catalog.plans[k.split(chr(9))[0]].number} — {catalog.units[k.split(chr(9))[1]].name}"
            ),
        ),
    ):
        table = Table(title=f"Tổng hợp {title} đến ngày {render.vn_date(day)}")
        table.add_column("Kế hoạch / đơn vị", overflow="fold")
        for label in CATEGORIES.values():
            table.add_column(label, justify="right")
        table.add_column("Tỷ lệ hoàn thành", justify="right")
        for t in tallies:
            rate = f"{t.completion_rate:.0%}" if t.completion_rate is not None else "—"
            table.add_row(name(t.key), *(str(t.counts[c]) for c in CATEGORIES), rate)
        out.print(table)
