"""Running the service: ``health``, ``link``, ``serve``, ``mail-sink``, ``demo``."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from engine import clock
from engine.cli.base import (
    AsOfOpt,
    Format,
    app,
    as_date,
    fail,
    find_unit_id,
    get_catalog,
    get_settings,
    out,
)


@app.command()
def health(fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """Lần chạy gần nhất, số thư chờ gửi / lỗi, tình trạng bộ quy tắc; mã thoát 1 khi hộp thư
    đi suy giảm (có thư gửi không được quá ``outbox_alert_hours`` giờ)."""
    from engine import render
    from engine.catalog.loader import check as check_rules
    from engine.store import database, outbox

    settings = get_settings()
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
    from engine.runner import unit_links

    settings = get_settings()
    catalog = get_catalog(settings)
    unit_id = find_unit_id(catalog, unit)
    sys.stdout.write(f"{unit_links(settings)(unit_id, {})}\n")


@app.command()
def serve(
    no_web: Annotated[bool, typer.Option("--no-web", help="Không mở trang web")] = False,
    mail_sink: Annotated[
        bool, typer.Option("--mail-sink", help="Kèm máy chủ thư cục bộ lưu .eml (dùng thử)")
    ] = False,
) -> None:
    """Chạy thường trực: trang web, đánh giá hằng ngày, gửi hộp thư đi, nạp lại quy tắc khi sửa."""
    from engine import logs
    from engine.catalog.errors import RuleErrors
    from engine.scheduler import Daemon
    from engine.sink import start_sink

    logs.setup()
    settings = get_settings()
    try:
        daemon = Daemon.start(settings)
    except RuleErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        raise fail("bộ quy tắc có lỗi; chưa thể khởi động", 1) from None
    if mail_sink:
        start_sink(settings.mail_dir, host=settings.smtp_host, port=settings.smtp_port)
        out.print(f"Thư được lưu thành tệp .eml trong {settings.mail_dir}/")
    out.print(f"Trang web: {settings.base_url}/ (Ctrl+C để dừng)")
    daemon.serve(web=not no_web)


@app.command("mail-sink")
def mail_sink(
    port: Annotated[int, typer.Option("--port")] = 8025,
    folder: Annotated[Path | None, typer.Option("--dir", help="Thư mục lưu .eml")] = None,
) -> None:
    """Máy chủ thư cục bộ (127.0.0.1) lưu mỗi thư thành tệp .eml — dùng thử, không gửi ra ngoài."""
    import time

    from engine.sink import start_sink

    target = folder or get_settings().mail_dir
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
    import asyncio

    from engine import render
    from engine.config import load_settings
    from engine.mail import SmtpConfig, deliver
    from engine.runner import make_matcher, run_day, unit_links
    from engine.sink import start_sink
    from engine.store import database

    settings = load_settings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, smtp_tls=False, smtp_user=None
    )
    catalog = get_catalog(settings)
    day = as_date(as_of, "--as-of")
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
        report = asyncio.run(deliver(engine, SmtpConfig.of(settings)))
    finally:
        controller.stop()
    out.print(
        f"Ngày {render.vn_date(day)}: {len(result.notices)} thông báo, {len(result.messages)} thư mới, "
        f"đã gửi {report.sent} (lỗi {report.failed}); thư lưu tại {settings.mail_dir}/"
    )
