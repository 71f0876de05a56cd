"""Follow-up commands: ``run-once``, ``simulate``, ``outbox …`` and ``silence …``."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from engine.cli.base import (
    AsOfOpt,
    Format,
    PlanFilterOpt,
    ReasonOpt,
    app,
    as_date,
    fail,
    find_plan_id,
    get_catalog,
    get_settings,
    out,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from engine.catalog.model import Catalog
    from engine.notices import Notice

outbox_app = typer.Typer(help="Hộp thư đi: xem, gửi lại, hủy.", invoke_without_command=True)
silence_app = typer.Typer(help="Tạm ngưng thông báo cho một kế hoạch / nhiệm vụ / đơn vị.")
app.add_typer(outbox_app, name="outbox")
app.add_typer(silence_app, name="silence")


def _notices_output(catalog: Catalog, notices: Sequence[Notice], fmt: Format) -> None:
    from rich.table import Table

    from engine import render
    from engine.followup import notice_json

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
    import asyncio

    from engine import render
    from engine.followup import notice_json
    from engine.mail import SmtpConfig, deliver
    from engine.runner import compute, make_matcher, run_day, unit_links
    from engine.store import database

    settings = get_settings()
    catalog = get_catalog(settings)
    day = as_date(as_of, "--as-of")
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
    report = asyncio.run(deliver(engine, SmtpConfig.of(settings)))
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
    from engine.followup import simulate as run_simulation
    from engine.runner import load_silences, make_matcher
    from engine.store import database

    settings = get_settings()
    catalog = get_catalog(settings)
    first, last = as_date(start, "--from"), as_date(end, "--to")
    if last < first:
        raise fail("--to đứng trước --from")
    only = find_plan_id(catalog, plan) if plan else None
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
    from rich.table import Table

    from engine import render
    from engine.store import database, outbox, outbox_view

    settings = get_settings()
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
    from engine.store import database, outbox

    engine = database.make_engine(get_settings().database_url)
    if not outbox.retry(engine, message):
        raise fail(f"thư {message} không ở trạng thái lỗi (failed)")
    out.print(f"Thư {message} sẽ được gửi lại.")


@outbox_app.command("cancel")
def outbox_cancel(message: Annotated[int, typer.Argument(help="Mã thư")]) -> None:
    """Hủy một thư đang chờ hoặc bị lỗi."""
    from engine.store import database, outbox

    engine = database.make_engine(get_settings().database_url)
    if not outbox.cancel(engine, message):
        raise fail(f"thư {message} không còn chờ gửi")
    out.print(f"Đã hủy thư {message}.")


@outbox_app.command("send")
def outbox_send() -> None:
    """Gửi ngay các thư đến lượt."""
    import asyncio

    from engine.mail import SmtpConfig, deliver
    from engine.store import database

    settings = get_settings()
    report = asyncio.run(
        deliver(database.make_engine(settings.database_url), SmtpConfig.of(settings))
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
    from engine import render
    from engine.store import database, outbox
    from engine.store.tables import SilenceRow

    settings = get_settings()
    catalog = get_catalog(settings)
    if not (plan or task or unit):
        raise fail("ghi ít nhất một trong --plan, --task, --unit")
    plan_id = None
    if plan:
        found = catalog.find_plan(plan)
        if found is None:
            raise fail(f"không có kế hoạch «{plan}»")
        plan_id = found.id
        if task and found.task(task) is None:
            raise fail(f"kế hoạch {found.number} không có nhiệm vụ «{task}»")
    elif task:
        raise fail("--task cần đi kèm --plan")
    unit_id = catalog.unit_id(unit) if unit else None
    if unit and unit_id is None:
        raise fail(f"không có đơn vị «{unit}»")
    row = outbox.add_silence(
        database.make_engine(settings.database_url),
        SilenceRow(
            plan=plan_id,
            task=task,
            unit=unit_id,
            author=author,
            reason=reason,
            until=as_date(until, "--until"),
        ),
    )
    out.print(f"Đã tạm ngưng (mã {row.id}) đến hết {render.vn_date(row.until)}.")


@silence_app.command("list")
def silence_list() -> None:
    """Các lệnh tạm ngưng thông báo."""
    from rich.table import Table

    from engine import render
    from engine.store import database, outbox

    table = Table()
    for header in ("Mã", "Kế hoạch", "Nhiệm vụ", "Đơn vị", "Đến hết", "Người tạo", "Lý do"):
        table.add_column(header, overflow="fold")
    for s in outbox.silences(database.make_engine(get_settings().database_url)):
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
    from engine.store import database, outbox

    if not outbox.remove_silence(database.make_engine(get_settings().database_url), silence):
        raise fail(f"không có lệnh tạm ngưng mã {silence}")
    out.print(f"Đã bỏ lệnh tạm ngưng {silence}.")
