"""Recording an event or a request: which kind, and which units it concerns (pure).

Rules (``docs/timing.md``, "Requests and events name their units"): a task can take a trigger
when its timing, or one part of a composite timing, is event-triggered or on request. A
trigger concerns the units it names, each of which must lead the task on the trigger's day;
naming none is allowed only when one unit leads the task (it then concerns every lead).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from engine.catalog.model import Catalog, Task
from engine.responsibility import Responsibility
from engine.timing.models import CompositeTiming, TimingClass


class TriggerError(ValueError):
    """A trigger that cannot be recorded, with the reason in Vietnamese."""


def trigger_kind(task: Task) -> str:
    """``event`` or ``request``: the first triggered part of the task's timing."""
    timing = task.timing
    parts = timing.parts if isinstance(timing, CompositeTiming) else (timing,)
    classes = [p.timing_class for p in parts]
    for cls in classes:
        if cls in (TimingClass.EVENT, TimingClass.ON_REQUEST):
            return "event" if cls == TimingClass.EVENT else "request"
    raise TriggerError(
        f"nhiệm vụ {task.id} không phải loại theo sự kiện / theo yêu cầu "
        f"(loại: {', '.join(classes)})"
    )


def concerned_units(
    catalog: Catalog, task: Task, day: date, named: Sequence[str]
) -> tuple[str, ...]:
    """The unit ids a trigger on ``day`` concerns; empty means every lead unit."""
    owners = [unit for unit, _ in Responsibility(catalog).owners(task, day)]
    chosen: list[str] = []
    for spelling in named:
        unit_id = catalog.unit_id(spelling)
        if unit_id is None:
            raise TriggerError(f"không có đơn vị «{spelling}»")
        if unit_id not in owners:
            name = catalog.units[unit_id].name
            raise TriggerError(f"{name} không chủ trì nhiệm vụ {task.id} vào ngày {day:%d/%m/%Y}")
        if unit_id not in chosen:
            chosen.append(unit_id)
    if not chosen and len(owners) > 1:
        raise TriggerError(
            f"nhiệm vụ {task.id} do {len(owners)} đơn vị chủ trì: hãy ghi rõ từng đơn vị được "
            'yêu cầu (--unit "Văn phòng Bộ" trên dòng lệnh; ô «Đơn vị» trên trang, cách nhau '
            "bằng dấu ;)"
        )
    return tuple(chosen)
