"""The ``engine`` command line (Vietnamese labels; see README.md for every command)."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from engine import clock, render
from engine.calendar import WorkingCalendar
from engine.catalog.errors import RuleErrors
from engine.catalog.loader import check as check_rules
from engine.catalog.loader import load_catalog
from engine.catalog.model import Catalog, Task
from engine.config import Settings, load_settings
from engine.status import Status, evaluate
from engine.store import database
from engine.store.tables import (
    CancellationRow,
    CompletionRow,
    ExtensionRow,
    PeriodUpdateRow,
    SuspensionRow,
    TriggerRow,
)
from engine.summary import CATEGORIES, tally
from engine.timing.models import DatedTiming, RecurringTiming, TimingClass
from engine.timing.parse import ParseContext, PhraseError

app = typer.Typer(help="Theo dõi, đôn đốc thực hiện các Kế hoạch (Đề án 06).", no_args_is_help=True)
progress_app = typer.Typer(
    help="Ghi nhận tiến độ: hoàn thành, cập nhật kỳ, tạm dừng, hủy, gia hạn."
)
app.add_typer(progress_app, name="progress")
# Piped output (files, CI logs) is not wrapped at 80 columns.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)


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


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]Lỗi:[/] {message}")
    return typer.Exit(code)


def _date(value: str | None, name: str) -> date:
    if value is None:
        return clock.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{name}: «{value}» không phải ngày dạng YYYY-MM-DD") from None


def _settings(rules: Path | None = None) -> Settings:
    return load_settings(rules_dir=rules)


def _catalog(settings: Settings) -> Catalog:
    try:
        return load_catalog(settings.rules_dir, settings.schedules_dir)
    except RuleErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        raise _fail(f"bộ quy tắc có {len(exc.errors)} lỗi; chạy «engine check» để xem", 1) from None


@app.command()
def check(rules: RulesOpt = None) -> None:
    """Kiểm tra mọi tệp quy tắc; in từng lỗi dạng tệp:dòng: trường: thông báo."""
    settings = _settings(rules)
    errors, warnings = check_rules(settings.rules_dir, settings.schedules_dir)
    for warning in warnings:
        err.print(f"[yellow]Cảnh báo:[/] {warning}", highlight=False)
    for error in errors:
        print(error)  # one plain line each: path:line: field: message
    if errors:
        err.print(f"[red]{len(errors)} lỗi.[/] Bộ quy tắc chưa được nạp.")
        raise typer.Exit(1)
    catalog = load_catalog(settings.rules_dir, settings.schedules_dir)
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
    """Cho biết máy hiểu một cụm từ thời hạn thế nào."""
    settings = _settings(rules)
    catalog = _catalog(settings)
    issued_on = _date(issued, "--issued") if issued else None
    year = plan_year or (issued_on.year if issued_on else clock.today().year)
    try:
        parsed = catalog.phrases.parse(phrase, ParseContext(year, issued_on))
    except PhraseError as exc:
        raise _fail(str(exc), 1) from None
    result = explain(parsed.timing, catalog.calendar, catalog)
    result["phrase"] = phrase
    result["patterns"] = list(parsed.patterns)
    if fmt == Format.json:
        out.print_json(json.dumps(result, ensure_ascii=False))
        return
    table = Table(title=f"«{phrase}»", show_header=False)
    for key, value in result.items():
        table.add_row(
            key, json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
        )
    out.print(table)


def explain(timing, calendar: WorkingCalendar, catalog: Catalog) -> dict:  # type: ignore[no-untyped-def]
    """A JSON-able account of a timing: class, due dates after the working-day roll, etc."""
    data = timing.model_dump(mode="json")
    data["class"] = str(timing.timing_class)
    if isinstance(timing, DatedTiming):
        data["due"] = [
            (calendar.roll_forward if m.roll == "forward" else calendar.roll_backward)(
                m.nominal_due
            ).isoformat()
            for m in timing.milestones
        ]
    if isinstance(timing, RecurringTiming):
        data["period_rule"] = (
            f"trước ngày {timing.before_day}"
            if timing.before_day
            else f"ngày {timing.due_day}"
            if timing.due_day
            else f"ngày {catalog.policy.update_cutoff_day} (hạn cập nhật)"
            if timing.timing_class != TimingClass.PERIODIC
            else "cuối kỳ"
        )
    return data


@app.command()
def status(
    as_of: AsOfOpt = None,
    plan: PlanFilterOpt = None,
    unit: UnitFilterOpt = None,
    state: Annotated[
        list[Status] | None, typer.Option("--status", help="Lọc theo tình trạng")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    rules: RulesOpt = None,
) -> None:
    """Tình trạng từng lần thực hiện (nhiệm vụ × đơn vị × mốc/kỳ) tính đến một ngày."""
    settings = _settings(rules)
    catalog = _catalog(settings)
    day = _date(as_of, "--as-of")
    occurrences = _filter(catalog, _evaluate(settings, catalog, day), plan, unit, state)
    _emit(catalog, occurrences, day, fmt)


def _filter(catalog: Catalog, occurrences, plan, unit, state):  # type: ignore[no-untyped-def]
    """Keep the occurrences of one plan, one unit, some statuses (each filter optional)."""
    if plan:
        found = catalog.find_plan(plan)
        if found is None:
            raise _fail(f"không có kế hoạch «{plan}»")
        occurrences = [o for o in occurrences if o.plan == found.id]
    if unit:
        unit_id = catalog.unit_id(unit)
        if unit_id is None:
            raise _fail(f"không có đơn vị «{unit}»")
        occurrences = [o for o in occurrences if o.unit == unit_id]
    if state:
        occurrences = [o for o in occurrences if o.status in state]
    return occurrences


def _evaluate(settings: Settings, catalog: Catalog, day: date):  # type: ignore[no-untyped-def]
    engine = database.make_engine(settings.database_url)
    return evaluate(catalog, database.load_progress(engine), day)


def _emit(catalog: Catalog, occurrences, day: date, fmt: Format) -> None:  # type: ignore[no-untyped-def]
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
    settings = _settings(rules)
    catalog = _catalog(settings)
    day = _date(as_of, "--as-of")
    occurrences = _filter(catalog, _evaluate(settings, catalog, day), plan, unit, None)
    by_plan = tally(occurrences, lambda o: o.plan)
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


# -- recording progress ---------------------------------------------------------------------


def _task(catalog: Catalog, plan: str, task: str) -> Task:
    found = catalog.find_plan(plan)
    if found is None:
        raise _fail(f"không có kế hoạch «{plan}»")
    result = found.task(task)
    if result is None:
        raise _fail(f"kế hoạch {found.number} không có nhiệm vụ «{task}»")
    return result


def _unit(catalog: Catalog, task: Task, unit: str | None, required: bool = False) -> str | None:
    if unit is None:
        if required and len(task.lead) != 1:
            raise _fail("nhiệm vụ có nhiều đơn vị chủ trì: hãy ghi --unit")
        return task.lead[0] if required else None
    unit_id = catalog.unit_id(unit)
    if unit_id is None:
        raise _fail(f"không có đơn vị «{unit}»")
    return unit_id


def _save(settings: Settings, row) -> None:  # type: ignore[no-untyped-def]
    engine = database.make_engine(settings.database_url)
    saved = database.record(engine, row)
    out.print(f"[green]Đã ghi nhận[/] (mã bản ghi {saved.id}).")  # type: ignore[attr-defined]


PlanArg = Annotated[
    str, typer.Argument(help="Mã hoặc số kế hoạch, ví dụ qd-522-btp hoặc 522/QĐ-BTP")
]
TaskArg = Annotated[str, typer.Argument(help="Mã nhiệm vụ, ví dụ 7 hoặc A12 hoặc 33.1")]
UnitOpt = Annotated[
    str | None, typer.Option("--unit", help="Mã hoặc tên đơn vị (bỏ trống: mọi đơn vị chủ trì)")
]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Lý do")]
DocOpt = Annotated[str | None, typer.Option("--document", help="Văn bản (số, ký hiệu)")]


@progress_app.command("done")
def progress_done(
    plan: PlanArg,
    task: TaskArg,
    on: DateOpt = None,
    unit: UnitOpt = None,
    milestone: Annotated[
        str | None, typer.Option("--milestone", help="Mốc hoặc kỳ (ví dụ 2023-05)")
    ] = None,
    evidence: Annotated[
        str | None, typer.Option("--evidence", help="Văn bản, sản phẩm chứng minh")
    ] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Ghi nhận một nhiệm vụ (hoặc một mốc/kỳ) đã hoàn thành."""
    settings = _settings()
    catalog = _catalog(settings)
    found = _task(catalog, plan, task)
    if (
        isinstance(found.timing, RecurringTiming)
        and found.timing.timing_class == TimingClass.PERIODIC
        and not milestone
    ):
        raise _fail("nhiệm vụ định kỳ: hãy ghi --milestone là kỳ, ví dụ 2023-05 hoặc 2023-Q2")
    row = CompletionRow(
        plan=found.plan,
        task=found.id,
        unit=_unit(catalog, found, unit),
        milestone=milestone,
        done_on=_date(on, "--date"),
        note=note,
        evidence=evidence,
    )
    _save(settings, row)


@progress_app.command("update")
def progress_update(
    plan: PlanArg,
    task: TaskArg,
    period: Annotated[str, typer.Option("--period", help="Kỳ cập nhật, ví dụ 2023-05")],
    on: DateOpt = None,
    unit: UnitOpt = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Ghi nhận cập nhật tiến độ một kỳ của nhiệm vụ thường xuyên."""
    settings = _settings()
    catalog = _catalog(settings)
    found = _task(catalog, plan, task)
    if not isinstance(found.timing, RecurringTiming):
        raise _fail("chỉ nhiệm vụ thường xuyên / theo kỳ mới có cập nhật kỳ")
    unit_id = _unit(catalog, found, unit, required=True)
    assert unit_id is not None
    _save(
        settings,
        PeriodUpdateRow(
            plan=found.plan,
            task=found.id,
            unit=unit_id,
            period=period,
            reported_on=_date(on, "--date"),
            note=note,
        ),
    )


@progress_app.command("suspend")
def progress_suspend(
    plan: PlanArg,
    task: TaskArg,
    reason: ReasonOpt,
    start: Annotated[str | None, typer.Option("--from", help="Từ ngày")] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Đến ngày (bỏ trống: chưa rõ)")
    ] = None,
    unit: UnitOpt = None,
    document: DocOpt = None,
) -> None:
    """Tạm dừng một nhiệm vụ (kèm lý do và văn bản)."""
    settings = _settings()
    catalog = _catalog(settings)
    found = _task(catalog, plan, task)
    _save(
        settings,
        SuspensionRow(
            plan=found.plan,
            task=found.id,
            unit=_unit(catalog, found, unit),
            start=_date(start, "--from"),
            end=_date(until, "--until") if until else None,
            reason=reason,
            document=document,
        ),
    )


@progress_app.command("cancel")
def progress_cancel(
    plan: PlanArg,
    task: TaskArg,
    reason: ReasonOpt,
    on: DateOpt = None,
    unit: UnitOpt = None,
    document: DocOpt = None,
) -> None:
    """Không thực hiện một nhiệm vụ nữa (kèm lý do và văn bản)."""
    settings = _settings()
    catalog = _catalog(settings)
    found = _task(catalog, plan, task)
    _save(
        settings,
        CancellationRow(
            plan=found.plan,
            task=found.id,
            unit=_unit(catalog, found, unit),
            effective=_date(on, "--date"),
            reason=reason,
            document=document,
        ),
    )


@progress_app.command("extend")
def progress_extend(
    plan: PlanArg,
    task: TaskArg,
    reason: ReasonOpt,
    new_due: Annotated[str, typer.Option("--new-due", help="Thời hạn mới YYYY-MM-DD")],
    on: DateOpt = None,
    unit: UnitOpt = None,
    document: DocOpt = None,
    milestone: Annotated[str | None, typer.Option("--milestone")] = None,
) -> None:
    """Gia hạn (thời hạn gốc vẫn dùng để tính đúng hạn / quá hạn)."""
    settings = _settings()
    catalog = _catalog(settings)
    found = _task(catalog, plan, task)
    _save(
        settings,
        ExtensionRow(
            plan=found.plan,
            task=found.id,
            unit=_unit(catalog, found, unit),
            milestone=milestone,
            new_due=_date(new_due, "--new-due"),
            granted_on=_date(on, "--date"),
            reason=reason,
            document=document,
        ),
    )


@app.command()
def event(
    plan: PlanArg,
    task: TaskArg,
    on: DateOpt = None,
    key: Annotated[
        str | None, typer.Option("--key", help="Số hiệu sự kiện / văn bản yêu cầu")
    ] = None,
    due: Annotated[str | None, typer.Option("--due", help="Hạn do văn bản yêu cầu đặt")] = None,
    description: Annotated[str | None, typer.Option("--description", help="Mô tả")] = None,
) -> None:
    """Ghi nhận sự kiện (nhiệm vụ phát sinh khi có sự kiện) hoặc yêu cầu (nhiệm vụ theo yêu cầu)."""
    settings = _settings()
    catalog = _catalog(settings)
    found = _task(catalog, plan, task)
    cls = found.timing.timing_class
    if cls not in (TimingClass.EVENT, TimingClass.ON_REQUEST):
        raise _fail(
            f"nhiệm vụ {found.id} không phải loại theo sự kiện / theo yêu cầu (loại: {cls})"
        )
    occurred = _date(on, "--date")
    kind = "event" if cls == TimingClass.EVENT else "request"
    _save(
        settings,
        TriggerRow(
            plan=found.plan,
            task=found.id,
            kind=kind,
            key=key or occurred.isoformat(),
            occurred_on=occurred,
            due=_date(due, "--due") if due else None,
            description=description,
        ),
    )


if __name__ == "__main__":  # pragma: no cover
    app()
