"""Plans: ``plan import`` (a plan document to a draft rule file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from engine.cli.base import RulesOpt, app, fail, get_catalog, get_settings, out

plan_app = typer.Typer(help="Kế hoạch: nhập từ văn bản (.docx, .xlsx, .pdf).")
app.add_typer(plan_app, name="plan")


@plan_app.command("import")
def plan_import(
    file: Annotated[
        Path, typer.Argument(help="Văn bản kế hoạch .docx, .xlsx hoặc .pdf (có lớp chữ)")
    ],
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
        raise fail(f"không có tệp «{file}»")
    try:
        code = run_import(file, get_catalog(get_settings(rules)), plan_id, out_path, out)
    except ImportError_ as exc:
        raise fail(str(exc)) from None
    raise typer.Exit(code)
