"""The ``engine`` command line (Vietnamese labels; see README.md for every command)."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from engine import clock, logs, render
from engine.catalog.errors import RuleErrors
from engine.catalog.loader import check as check_rules
from engine.catalog.loader import load_catalog
from engine.catalog.model import Catalog, Task
from engine.config import Settings, load_settings
from engine.explain import describe_reading, explain, explain_reading
from engine.followup import notice_json
from engine.followup import simulate as run_simulation
from engine.mail import deliver
from engine.runner import compute, load_silences, make_matcher, run_day, unit_links
from engine.scheduler import smtp_config
from engine.sink import start_sink
from engine.status import Status, evaluate
from engine.store import database, outbox, outbox_view
from engine.store.tables import (
    CancellationRow,
    CompletionRow,
    ExtensionRow,
    PeriodUpdateRow,
    SilenceRow,
    SuspensionRow,
    TriggerRow,
)
from engine.summary import CATEGORIES, tally, tally_tasks
from engine.timing.models import RecurringTiming, TimingClass
from engine.timing.parse import ParseContext, PhraseError
from engine.triggers import TriggerError, concerned_units, trigger_kind

app = typer.Typer(
    help="Theo dõi, đôn đốc thực hiện các Kế hoạch (Đề án 06).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
progress_app = typer.Typer(
    help="Ghi nhận tiến độ: hoàn thành, cập nhật kỳ, tạm dừng, hủy, gia hạn."
)
app.add_typer(progress_app, name="progress")


@app.callback()
def _main() -> None:
    """Refuse a malformed ``ENGINE_TODAY`` before any command runs."""
    try:
        clock.pinned_today()
    except clock.ClockError as exc:
        raise _fail(str(exc)) from None


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
    result = explain(parsed.timing, catalog)
    result["phrase"] = phrase
    result["patterns"] = list(parsed.patterns)
    result["reading"] = explain_reading(parsed.parts)
    if fmt == Format.json:
        out.print_json(json.dumps(result, ensure_ascii=False))
        return
    table = Table(title=f"«{phrase}»", show_header=False)
    for key, value in result.items():
        if key == "reading":
            value = "\n".join(describe_reading(part) for part in parsed.parts)
        table.add_row(
            key, json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
        )
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
    settings = _settings(rules)
    catalog = _catalog(settings)
    day = _date(as_of, "--as-of")
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


@dataclass(frozen=True)
class _Target:
    """The plan task (and unit) a progress command is about, resolved against the rules."""

    settings: Settings
    catalog: Catalog
    task: Task
    unit: str | None

    def fields(self) -> dict[str, str | None]:
        return {"plan": self.task.plan, "task": self.task.id, "unit": self.unit}


def _target(plan: str, task: str, unit: str | None, unit_required: bool = False) -> _Target:
    settings = _settings()
    catalog = _catalog(settings)
    found = _task(catalog, plan, task)
    return _Target(settings, catalog, found, _unit(catalog, found, unit, unit_required))


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
    target = _target(plan, task, unit)
    found = target.task
    if (
        isinstance(found.timing, RecurringTiming)
        and found.timing.timing_class == TimingClass.PERIODIC
        and not milestone
    ):
        raise _fail("nhiệm vụ định kỳ: hãy ghi --milestone là kỳ, ví dụ 2023-05 hoặc 2023-Q2")
    row = CompletionRow(
        **target.fields(),
        milestone=milestone,
        done_on=_date(on, "--date"),
        note=note,
        evidence=evidence,
    )
    _save(target.settings, row)


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
    target = _target(plan, task, unit, unit_required=True)
    if not isinstance(target.task.timing, RecurringTiming):
        raise _fail("chỉ nhiệm vụ thường xuyên / theo kỳ mới có cập nhật kỳ")
    row = PeriodUpdateRow(
        **target.fields(), period=period, reported_on=_date(on, "--date"), note=note
    )
    _save(target.settings, row)


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
    target = _target(plan, task, unit)
    end = _date(until, "--until") if until else None
    row = SuspensionRow(
        **target.fields(), start=_date(start, "--from"), end=end, reason=reason, document=document
    )
    _save(target.settings, row)


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
    target = _target(plan, task, unit)
    row = CancellationRow(
        **target.fields(), effective=_date(on, "--date"), reason=reason, document=document
    )
    _save(target.settings, row)


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
    target = _target(plan, task, unit)
    row = ExtensionRow(
        **target.fields(),
        milestone=milestone,
        new_due=_date(new_due, "--new-due"),
        granted_on=_date(on, "--date"),
        reason=reason,
        document=document,
    )
    _save(target.settings, row)


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
    units: Annotated[
        list[str] | None,
        typer.Option("--unit", help="Đơn vị được yêu cầu (ghi nhiều lần cho nhiều đơn vị)"),
    ] = None,
) -> None:
    """Ghi nhận sự kiện (nhiệm vụ phát sinh khi có sự kiện) hoặc yêu cầu (nhiệm vụ theo yêu cầu)."""
    target = _target(plan, task, None)
    found = target.task
    occurred = _date(on, "--date")
    try:
        kind = trigger_kind(found)
        chosen = concerned_units(target.catalog, found, occurred, units or ())
    except TriggerError as exc:
        raise _fail(str(exc)) from None
    _save(
        target.settings,
        TriggerRow(
            plan=found.plan,
            task=found.id,
            kind=kind,
            key=key or occurred.isoformat(),
            occurred_on=occurred,
            due=_date(due, "--due") if due else None,
            description=description,
            units=" ".join(chosen) or None,
        ),
    )


# -- follow-up: notices, outbox, silences, daemon ------------------------------------------

outbox_app = typer.Typer(help="Hộp thư đi: xem, gửi lại, hủy.", invoke_without_command=True)
silence_app = typer.Typer(help="Tạm ngưng thông báo cho một kế hoạch / nhiệm vụ / đơn vị.")
app.add_typer(outbox_app, name="outbox")
app.add_typer(silence_app, name="silence")


def _notices_output(catalog: Catalog, notices, fmt: Format) -> None:  # type: ignore[no-untyped-def]
    if fmt == Format.json:
        sys.stdout.write(
            json.dumps([notice_json(n) for n in notices], ensure_ascii=False, indent=2) + "\n"
        )
        return
    table = Table(title=f"{len(notices)} thông báo")
    for header in ("Ngày", "Quy tắc", "Cấp", "Người nhận", "Mẫu thư", "Số nhiệm vụ", "Nhiệm vụ"):
        table.add_column(header, overflow="fold")
    for n in notices:
        recipient = "Quản trị" if n.recipient == "admins" else catalog.units[n.recipient].name
        tasks = ", ".join(
            f"{catalog.plans[i.fact.fields['plan']].number} #{i.fact.fields['task']}"
            for i in n.items[:6]
        )
        more = f" … (+{len(n.items) - 6})" if len(n.items) > 6 else ""
        table.add_row(
            render.vn_date(n.day),
            n.rule.id,
            str(n.level),
            recipient,
            n.template,
            str(len(n.items)),
            tasks + more,
        )
    out.print(table)


@app.command("run-once")
def run_once(
    as_of: AsOfOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Chỉ in các thông báo, không ghi, không gửi")
    ] = False,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Chạy đôn đốc một ngày: tính tình trạng, lập thông báo, đưa vào hộp thư đi và gửi."""
    settings = _settings()
    catalog = _catalog(settings)
    day = _date(as_of, "--as-of")
    engine = database.make_engine(settings.database_url)
    matcher = make_matcher(catalog, settings.matcher)
    if dry_run:
        _notices_output(catalog, compute(catalog, engine, day, matcher), fmt)
        return
    result = run_day(
        catalog,
        engine,
        day,
        matcher,
        settings.templates_dir,
        "manual",
        settings.mail_from,
        unit_links(settings),
    )
    report = asyncio.run(deliver(engine, smtp_config(settings)))
    if fmt == Format.json:
        data = {
            "date": day.isoformat(),
            "notices": [notice_json(n) for n in result.notices],
            "messages": len(result.messages),
            "sent": report.sent,
            "retried": report.retried,
            "failed": report.failed,
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    out.print(
        f"Ngày {render.vn_date(day)}: {len(result.notices)} thông báo, {len(result.messages)} thư mới; "
        f"đã gửi {report.sent}, chờ gửi lại {report.retried}, lỗi {report.failed}."
    )


@app.command()
def simulate(
    start: Annotated[str, typer.Option("--from", help="Từ ngày YYYY-MM-DD")],
    end: Annotated[str, typer.Option("--to", help="Đến ngày YYYY-MM-DD")],
    plan: PlanFilterOpt = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Diễn tập: các thông báo quy tắc sẽ gửi từng ngày (không gửi thư, không ghi gì)."""
    settings = _settings()
    catalog = _catalog(settings)
    first, last = _date(start, "--from"), _date(end, "--to")
    if last < first:
        raise _fail("--to đứng trước --from")
    only = None
    if plan:
        found = catalog.find_plan(plan)
        if found is None:
            raise _fail(f"không có kế hoạch «{plan}»")
        only = found.id
    engine = database.make_engine(settings.database_url)
    notices = run_simulation(
        catalog,
        database.load_progress(engine),
        first,
        last,
        make_matcher(catalog, settings.matcher),
        load_silences(engine),
        plan=only,
    )
    _notices_output(catalog, notices, fmt)


@outbox_app.callback()
def outbox_list(
    ctx: typer.Context,
    status_filter: Annotated[
        str | None, typer.Option("--status", help="pending, sending, sent, failed, cancelled")
    ] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Liệt kê thư trong hộp thư đi (mới nhất trước)."""
    if ctx.invoked_subcommand:
        return
    settings = _settings()
    engine = database.make_engine(settings.database_url)
    if fmt == Format.json:
        rows = outbox.messages(engine, status_filter, limit)
        data = outbox_view.describe(engine, rows)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    counts = outbox.counts(engine)
    out.print(
        "Hộp thư đi: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        if counts
        else "Hộp thư đi trống."
    )
    table = Table()
    for header in ("Mã", "Ngày", "Người nhận", "Tiêu đề", "Trạng thái", "Lần gửi", "Lỗi gần nhất"):
        table.add_column(header, overflow="fold")
    for m in outbox.messages(engine, status_filter, limit):
        table.add_row(
            str(m.id),
            render.vn_date(m.run_day),
            m.recipient,
            m.subject,
            m.status,
            str(m.attempts),
            m.last_error or "",
        )
    out.print(table)


@outbox_app.command("retry")
def outbox_retry(message: Annotated[int, typer.Argument(help="Mã thư")]) -> None:
    """Đưa một thư lỗi trở lại hàng đợi."""
    engine = database.make_engine(_settings().database_url)
    if not outbox.retry(engine, message):
        raise _fail(f"thư {message} không ở trạng thái lỗi (failed)")
    out.print(f"Thư {message} sẽ được gửi lại.")


@outbox_app.command("cancel")
def outbox_cancel(message: Annotated[int, typer.Argument(help="Mã thư")]) -> None:
    """Hủy một thư đang chờ hoặc bị lỗi."""
    engine = database.make_engine(_settings().database_url)
    if not outbox.cancel(engine, message):
        raise _fail(f"thư {message} không còn chờ gửi")
    out.print(f"Đã hủy thư {message}.")


@outbox_app.command("send")
def outbox_send() -> None:
    """Gửi ngay các thư đến lượt."""
    settings = _settings()
    report = asyncio.run(
        deliver(database.make_engine(settings.database_url), smtp_config(settings))
    )
    out.print(f"Đã gửi {report.sent}, chờ gửi lại {report.retried}, lỗi {report.failed}.")


@silence_app.command("add")
def silence_add(
    author: Annotated[str, typer.Option("--author", help="Người tạo")],
    reason: ReasonOpt,
    until: Annotated[str, typer.Option("--until", help="Đến hết ngày YYYY-MM-DD")],
    plan: Annotated[str | None, typer.Option("--plan")] = None,
    task: Annotated[str | None, typer.Option("--task")] = None,
    unit: Annotated[str | None, typer.Option("--unit")] = None,
) -> None:
    """Tạm ngưng thông báo (theo kế hoạch, nhiệm vụ và/hoặc đơn vị) đến một ngày."""
    settings = _settings()
    catalog = _catalog(settings)
    if not (plan or task or unit):
        raise _fail("ghi ít nhất một trong --plan, --task, --unit")
    plan_id = None
    if plan:
        found = catalog.find_plan(plan)
        if found is None:
            raise _fail(f"không có kế hoạch «{plan}»")
        plan_id = found.id
        if task and found.task(task) is None:
            raise _fail(f"kế hoạch {found.number} không có nhiệm vụ «{task}»")
    elif task:
        raise _fail("--task cần đi kèm --plan")
    unit_id = catalog.unit_id(unit) if unit else None
    if unit and unit_id is None:
        raise _fail(f"không có đơn vị «{unit}»")
    row = outbox.add_silence(
        database.make_engine(settings.database_url),
        SilenceRow(
            plan=plan_id,
            task=task,
            unit=unit_id,
            author=author,
            reason=reason,
            until=_date(until, "--until"),
        ),
    )
    out.print(f"Đã tạm ngưng (mã {row.id}) đến hết {render.vn_date(row.until)}.")


@silence_app.command("list")
def silence_list() -> None:
    """Các lệnh tạm ngưng thông báo."""
    table = Table()
    for header in ("Mã", "Kế hoạch", "Nhiệm vụ", "Đơn vị", "Đến hết", "Người tạo", "Lý do"):
        table.add_column(header, overflow="fold")
    for s in outbox.silences(database.make_engine(_settings().database_url)):
        table.add_row(
            str(s.id),
            s.plan or "*",
            s.task or "*",
            s.unit or "*",
            render.vn_date(s.until),
            s.author,
            s.reason,
        )
    out.print(table)


@silence_app.command("remove")
def silence_remove(silence: Annotated[int, typer.Argument(help="Mã lệnh tạm ngưng")]) -> None:
    """Bỏ một lệnh tạm ngưng."""
    if not outbox.remove_silence(database.make_engine(_settings().database_url), silence):
        raise _fail(f"không có lệnh tạm ngưng mã {silence}")
    out.print(f"Đã bỏ lệnh tạm ngưng {silence}.")


@app.command()
def health(fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """Lần chạy gần nhất, số thư chờ gửi / lỗi, tình trạng bộ quy tắc; mã thoát 1 khi hộp thư
    đi suy giảm (có thư gửi không được quá ``outbox_alert_hours`` giờ)."""
    settings = _settings()
    engine = database.make_engine(settings.database_url)
    runs = outbox.last_runs(engine, 1)
    errors, _ = check_rules(settings.rules_dir, settings.schedules_dir)
    counts = outbox.counts(engine)
    stuck = outbox.failing_since(engine, timedelta(hours=settings.outbox_alert_hours))
    data = {
        "today": clock.today().isoformat(),
        "last_run_day": runs[0].day.isoformat() if runs else None,
        "last_run_finished_at": runs[0].finished_at.isoformat()
        if runs and runs[0].finished_at
        else None,
        "pending": counts.get("pending", 0) + counts.get("sending", 0),
        "failed": counts.get("failed", 0),
        "sent": counts.get("sent", 0),
        "rules": "ok" if not errors else f"{len(errors)} lỗi",
        "outbox": "degraded" if stuck else "ok",
        "failing": len(stuck),
    }
    if fmt == Format.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        last = render.vn_date(runs[0].day) if runs else "chưa có"
        out.print(
            f"Hôm nay: {render.vn_date(clock.today())}; lần chạy gần nhất: {last}; "
            f"thư chờ gửi: {data['pending']}; "
            f"lỗi: {data['failed']}; đã gửi: {data['sent']}; bộ quy tắc: {data['rules']}."
        )
        if stuck:
            out.print(
                f"Hộp thư đi SUY GIẢM: {len(stuck)} thư gửi không được đã quá "
                f"{settings.outbox_alert_hours:g} giờ."
            )
    if stuck:
        raise typer.Exit(1)


@app.command()
def link(
    unit: Annotated[str, typer.Argument(help="Mã, tên hoặc tên viết tắt của đơn vị")],
) -> None:
    """In đường dẫn có chữ ký của một đơn vị (như trong thư nhắc) để gửi lại cho đơn vị."""
    settings = _settings()
    catalog = _catalog(settings)
    unit_id = catalog.unit_id(unit)
    if unit_id is None:
        raise _fail(f"không có đơn vị «{unit}»")
    sys.stdout.write(f"{unit_links(settings)(unit_id, {})}\n")


@app.command()
def serve(
    no_web: Annotated[bool, typer.Option("--no-web", help="Không mở trang web")] = False,
    mail_sink: Annotated[
        bool, typer.Option("--mail-sink", help="Kèm máy chủ thư cục bộ lưu .eml (dùng thử)")
    ] = False,
) -> None:
    """Chạy thường trực: trang web, đánh giá hằng ngày, gửi hộp thư đi, nạp lại quy tắc khi sửa."""
    from engine.scheduler import Daemon

    logs.setup()
    settings = _settings()
    try:
        daemon = Daemon.start(settings)
    except RuleErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        raise _fail("bộ quy tắc có lỗi; chưa thể khởi động", 1) from None
    if mail_sink:
        start_sink(settings.mail_dir, host=settings.smtp_host, port=settings.smtp_port)
        out.print(f"Thư được lưu thành tệp .eml trong {settings.mail_dir}/")
    out.print(f"Trang web: {settings.base_url}/ (Ctrl+C để dừng)")
    daemon.serve(web=not no_web)


report_app = typer.Typer(help="Báo cáo.")
app.add_typer(report_app, name="report")


@report_app.command("monthly")
def report_monthly(
    month: Annotated[str, typer.Option("--month", help="Tháng báo cáo YYYY-MM")],
    folder: Annotated[Path, typer.Option("--out", help="Thư mục ghi tệp")] = Path("."),
) -> None:
    """Dự thảo báo cáo định kỳ hằng tháng (gửi trước ngày 22): tệp .docx và .xlsx."""
    import re

    from engine.reports import monthly

    found = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if not found or not 1 <= int(found[2]) <= 12:
        raise _fail("--month dạng YYYY-MM, ví dụ 2023-06")
    settings = _settings()
    catalog = _catalog(settings)
    year, number = int(found[1]), int(found[2])
    as_of = min(clock.today(), date(year, number, 21))  # the report is due before the 22nd
    engine = database.make_engine(settings.database_url)
    occurrences = evaluate(catalog, database.load_progress(engine), as_of)
    report = monthly.build_monthly_report(
        catalog, occurrences, year, number, as_of, database.overdue_reasons(engine)
    )
    folder.mkdir(parents=True, exist_ok=True)
    for suffix, data in (("docx", monthly.to_docx(report)), ("xlsx", monthly.to_xlsx(report))):
        path = folder / f"bao-cao-de-an-06-{month}.{suffix}"
        path.write_bytes(data)
        out.print(f"Đã ghi {path}")


user_app = typer.Typer(help="Tài khoản đăng nhập của Văn phòng Bộ.")
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Option("--username")],
    full_name: Annotated[str, typer.Option("--full-name", help="Họ và tên")],
    role: Annotated[str, typer.Option("--role", help="admin hoặc viewer")] = "admin",
    password: Annotated[
        str | None, typer.Option("--password", help="Bỏ trống để nhập (hoặc ENGINE_NEW_PASSWORD)")
    ] = None,
) -> None:
    """Tạo (hoặc đặt lại mật khẩu) tài khoản đăng nhập."""
    import os

    from engine.web.security import hash_password

    if role not in ("admin", "viewer"):
        raise _fail("--role là admin hoặc viewer")
    secret = (
        password
        or os.environ.get("ENGINE_NEW_PASSWORD")
        or typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    )
    if len(secret) < 8:
        raise _fail("mật khẩu cần ít nhất 8 ký tự")
    engine = database.make_engine(_settings().database_url)
    from sqlmodel import Session, select

    from engine.store.tables import UserRow

    with Session(engine) as session, session.begin():
        row = session.execute(
            select(UserRow).where(UserRow.username == username)
        ).scalar_one_or_none()
        if row is None:
            session.add(
                UserRow(
                    username=username,
                    full_name=full_name,
                    role=role,
                    password_hash=hash_password(secret),
                )
            )
        else:
            row.full_name, row.role, row.password_hash = full_name, role, hash_password(secret)
    out.print(f"Đã lưu tài khoản «{username}» ({role}).")


@user_app.command("disable")
def user_disable(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập")],
    enable: Annotated[bool, typer.Option("--enable", help="Mở lại tài khoản")] = False,
) -> None:
    """Khoá tài khoản (mọi phiên đăng nhập của tài khoản kết thúc ngay) hoặc mở lại."""
    from sqlmodel import Session, select

    from engine.store.tables import UserRow

    engine = database.make_engine(_settings().database_url)
    with Session(engine) as session, session.begin():
        row = session.execute(
            select(UserRow).where(UserRow.username == username)
        ).scalar_one_or_none()
        if row is None:
            raise _fail(f"không có tài khoản «{username}»")
        row.active = enable
    out.print(f"Đã {'mở lại' if enable else 'khoá'} tài khoản «{username}».")


@app.command("mail-sink")
def mail_sink(
    port: Annotated[int, typer.Option("--port")] = 8025,
    folder: Annotated[Path | None, typer.Option("--dir", help="Thư mục lưu .eml")] = None,
) -> None:
    """Máy chủ thư cục bộ (127.0.0.1) lưu mỗi thư thành tệp .eml — dùng thử, không gửi ra ngoài."""
    import time

    target = folder or _settings().mail_dir
    controller = start_sink(target, port=port)
    out.print(f"Đang nhận thư tại 127.0.0.1:{port}, lưu vào {target}/ (Ctrl+C để dừng).")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()


@app.command()
def demo(
    as_of: AsOfOpt = None,
    port: Annotated[int, typer.Option("--port")] = 8025,
) -> None:
    """Chạy thử trọn vẹn: máy chủ thư cục bộ + đôn đốc một ngày; thư lưu thành .eml trong var/mail."""
    settings = load_settings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, smtp_tls=False, smtp_user=None
    )
    catalog = _catalog(settings)
    day = _date(as_of, "--as-of")
    controller = start_sink(settings.mail_dir, port=port)
    try:
        engine = database.make_engine(settings.database_url)
        matcher = make_matcher(catalog, settings.matcher)
        result = run_day(
            catalog,
            engine,
            day,
            matcher,
            settings.templates_dir,
            "demo",
            settings.mail_from,
            unit_links(settings),
        )
        report = asyncio.run(deliver(engine, smtp_config(settings)))
    finally:
        controller.stop()
    out.print(
        f"Ngày {render.vn_date(day)}: {len(result.notices)} thông báo, {len(result.messages)} thư mới, "
        f"đã gửi {report.sent} (lỗi {report.failed}); thư lưu tại {settings.mail_dir}/"
    )


plan_app = typer.Typer(help="Kế hoạch: nhập từ văn bản (.docx, .xlsx).")
app.add_typer(plan_app, name="plan")


@plan_app.command("import")
def plan_import(
    file: Annotated[Path, typer.Argument(help="Văn bản kế hoạch .docx hoặc .xlsx")],
    plan_id: Annotated[
        str | None, typer.Option("--id", help="Mã kế hoạch (mặc định: từ số hiệu)")
    ] = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="Tệp bản nháp .yaml")] = None,
    rules: RulesOpt = None,
) -> None:
    """Đọc văn bản kế hoạch, ghi bản nháp tệp quy tắc và bản rà soát; mã thoát 1 khi cần người quyết định."""
    from engine.plans_import.command import run_import
    from engine.plans_import.importer import ImportError_

    if not file.is_file():
        raise _fail(f"không có tệp «{file}»")
    try:
        code = run_import(file, _catalog(_settings(rules)), plan_id, out_path, out)
    except ImportError_ as exc:
        raise _fail(str(exc)) from None
    raise typer.Exit(code)


if __name__ == "__main__":  # pragma: no cover
    app()
