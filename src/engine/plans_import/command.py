"""``engine plan import``: write the draft, the review and the proposed units; print the review.

Files written (``--out`` defaults to ``<document folder>/<plan id>.yaml``):
``<out>`` the draft plan, ``<out stem>.review.md`` the review, and, when some units are not
registered, ``<out stem>.units.yaml`` the proposed registry entries. Exit code 0 when the
draft is clean, 1 when the review lists something a person must decide.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from engine.catalog.model import Catalog
from engine.plans_import.importer import import_plan
from engine.plans_import.review import needs_person, render_terminal


def draft_paths(out: Path) -> tuple[Path, Path, Path]:
    """(draft, review, proposed units) for a draft path."""
    return out, out.with_name(f"{out.stem}.review.md"), out.with_name(f"{out.stem}.units.yaml")


def run_import(
    file: Path, catalog: Catalog, plan_id: str | None, out: Path | None, console: Console
) -> int:
    """Import ``file``; return the exit code (0 clean, 1 needs a person)."""
    result = import_plan(file, catalog, plan_id)
    draft, review, units = draft_paths(out or file.parent / f"{result.meta['id']}.yaml")
    draft.write_text(result.plan_text(), encoding="utf-8")
    review.write_text(result.review_text(draft.name), encoding="utf-8")
    if result.unknown_units:
        units.write_text(result.units_text(), encoding="utf-8")
    elif units.exists():
        units.unlink()
    count = sum(1 + len(t.get("subtasks", [])) for t in result.tasks)
    console.print(
        f"Đã đọc {count} nhiệm vụ của {escape(result.meta['number'] or file.name)} → {draft}",
        highlight=False,
    )
    for line in render_terminal(result.findings):
        console.print(escape(line), highlight=False)
    todo = len(needs_person(result.findings))
    if todo:
        console.print(f"[red]{todo} mục cần người quyết định[/] — xem {review}", highlight=False)
        if result.unknown_units:
            console.print(f"Đề xuất đơn vị mới: {units}", highlight=False)
        return 1
    console.print("[green]Bản nháp sạch.[/] Chép vào rules/plans/ rồi chạy «engine check».")
    return 0
