"""Recording progress: ``progress done|update|suspend|cancel|extend`` and ``event``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from engine.cli.base import (
    DateOpt,
    PlanArg,
    ReasonOpt,
    TaskArg,
    app,
    as_date,
    fail,
    find_unit_id,
    get_catalog,
    get_settings,
    out,
)

if TYPE_CHECKING:
    from engine.catalog.model import Catalog, Task
    from engine.config import Settings

progress_app = typer.Typer(
    help="Ghi nhận tiến độ: hoàn thành, cập nhật kỳ, tạm dừng, hủy, gia hạn."
)
app.add_typer(progress_app, name="progress")

UnitOpt = Annotated[
    str | None, typer.Option("--unit", help="Mã hoặc tên đơn vị (bỏ trống: mọi đơn vị chủ trì)")
]
DocOpt = Annotated[str | None, typer.Option("--document", help="Văn bản (số, ký hiệu)")]


def _task(catalog: Catalog, plan: str, task: str) -> Task:
    found = catalog.find_plan(plan)
    if found is None:
        raise fail(f"không có kế hoạch «{plan}»")
    result = found.task(task)
    if result is None:
        raise fail(f"kế hoạch {found.number} không có nhiệm vụ «{task}»")
    return result


def _unit(catalog: Catalog, task: Task, unit: str | None, required: bool = False) -> str | None:
    if unit is None:
        if required and len(task.lead) != 1:
            raise fail("nhiệm vụ có nhiều đơn vị chủ trì: hãy ghi --unit")
        return task.lead[0] if required else None
    return find_unit_id(catalog, unit)


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
    settings = get_settings()
    catalog = get_catalog(settings)
    found = _task(catalog, plan, task)
    return _Target(settings, catalog, found, _unit(catalog, found, unit, unit_required))


def _save(settings: Settings, row: Any) -> None:
    from engine.store import database

    engine = database.make_engine(settings.database_url)
    saved = database.record(engine, row)
    out.print(f"[green]Đã ghi nhận[/] (mã bản ghi {saved.id}).")


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
    from engine.store.tables import CompletionRow
    from engine.timing.models import RecurringTiming, TimingClass

    target = _target(plan, task, unit)
    found = target.task
    if (
        isinstance(found.timing, RecurringTiming)
        and found.timing.timing_class == TimingClass.PERIODIC
        and not milestone
    ):
        raise fail("nhiệm vụ định kỳ: hãy ghi --milestone là kỳ, ví dụ 2023-05 hoặc 2023-Q2")
    row = CompletionRow(
        **target.fields(),
        milestone=milestone,
        done_on=as_date(on, "--date"),
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
    from engine.store.tables import PeriodUpdateRow
    from engine.timing.models import RecurringTiming

    target = _target(plan, task, unit, unit_required=True)
    if not isinstance(target.task.timing, RecurringTiming):
        raise fail("chỉ nhiệm vụ thường xuyên / theo kỳ mới có cập nhật kỳ")
    row = PeriodUpdateRow(
        **target.fields(), period=period, reported_on=as_date(on, "--date"), note=note
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
    from engine.store.tables import SuspensionRow

    target = _target(plan, task, unit)
    end = as_date(until, "--until") if until else None
    row = SuspensionRow(
        **target.fields(), start=as_date(start, "--from"), end=end, reason=reason, document=document
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
    from engine.store.tables import CancellationRow

    target = _target(plan, task, unit)
    row = CancellationRow(
        **target.fields(), effective=as_date(on, "--date"), reason=reason, document=document
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
    from engine.store.tables import ExtensionRow

    target = _target(plan, task, unit)
    row = ExtensionRow(
        **target.fields(),
        milestone=milestone,
        new_due=as_date(new_due, "--new-due"),
        granted_on=as_date(on, "--date"),
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
    from engine.store.tables import TriggerRow
    from engine.triggers import TriggerError, concerned_units, trigger_kind

    target = _target(plan, task, None)
    found = target.task
    occurred = as_date(on, "--date")
    try:
        kind = trigger_kind(found)
        chosen = concerned_units(target.catalog, found, occurred, units or ())
    except TriggerError as exc:
        raise fail(str(exc)) from None
    _save(
        target.settings,
        TriggerRow(
            plan=found.plan,
            task=found.id,
            kind=kind,
            key=key or occurred.isoformat(),
            occurred_on=occurred,
            due=as_date(due, "--due") if due else None,
            description=description,
            units=" ".join(chosen) or None,
        ),
    )
