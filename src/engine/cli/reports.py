"""Reports: ``report monthly``."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from engine import clock
from engine.cli.base import app, fail, get_catalog, get_settings, out

report_app = typer.Typer(help="Báo cáo.")
app.add_typer(report_app, name="report")


@report_app.command("monthly")
def report_monthly(
    month: Annotated[str, typer.Option("--month", help="Tháng báo cáo YYYY-MM")],
    folder: Annotated[Path, typer.Option("--out", help="Thư mục ghi tệp")] = Path("."),
) -> None:
    """Dự thảo báo cáo định kỳ hằng tháng (gửi trước ngày 22): tệp .docx và .xlsx."""
    from engine.reports import monthly
    from engine.status import evaluate
    from engine.store import database

    found = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if not found or not 1 <= int(found[2]) <= 12:
        raise fail("--month dạng YYYY-MM, ví dụ 2023-06")
    settings = get_settings()
    catalog = get_catalog(settings)
    year, number = int(found[1]), int(found[2])
    as_of = min(clock.today(), date(year, number, 21))  # the report is due before the 22nd
    engine = database.make_engine(settings.database_url)
    occurrences = evaluate(catalog, database.load_progress(engine), as_of)
    report = monthly.build_monthly_report(
        catalog, occurrences, year, number, as_of, database.overdue_reasons(engine)
    )
    folder.mkdir(parents=True, exist_ok=True)
    signer = monthly.Signer(settings.report_signer_title, settings.report_signer_name)
    for suffix, data in (
        ("docx", monthly.to_docx(report, signer)),
        ("xlsx", monthly.to_xlsx(report)),
    ):
        path = folder / f"bao-cao-de-an-06-{month}.{suffix}"
        path.write_bytes(data)
        out.print(f"Đã ghi {path}")
