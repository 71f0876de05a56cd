"""Plans that implement plans: one piece of work, followed at both ends.

A task may name the task(s) of another plan it carries out (``implements`` in its rule file:
522/QĐ-BTP task 4 carries out row B34 of Chỉ thị 05/CT-TTg). Rules (``docs/timing.md``,
"Plans that implement plans"):

* **A link speaks for the implementing plan's organisation**: it concerns the implemented
  row's obligations owed by units of that organisation (05/CT-TTg's B34 is Bộ Tư pháp's;
  522/QĐ-BTP, Bộ Tư pháp's plan, carries it out), never another body's share of the row.
* **The implemented row is done when its implementing rows are**: when every top-level
  obligation of every implementing task is done, each open obligation of the implemented task
  is done on the last of their dates (on time if that date is within its own due date).
* **A completion recorded once counts for both ends**: an obligation of the implemented task
  done by its own record closes the open obligations of the tasks implementing it, on that date.
* **Never twice in a digest**: every obligation of an implemented task carries
  ``implemented_by``; follow-up leaves it to the implementing rows, whose own notices stand for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import NamedTuple

from engine.catalog.model import Catalog
from engine.codes import Status
from engine.occurrence import Occurrence

_DONE = (Status.DONE_ON_TIME, Status.DONE_LATE)
_CLOSED = (*_DONE, Status.SUSPENDED, Status.CANCELLED)

TaskRef = tuple[str, str]


def implementers(catalog: Catalog) -> dict[TaskRef, tuple[TaskRef, ...]]:
    """For each implemented task, the tasks that carry it out."""
    found: dict[TaskRef, list[TaskRef]] = {}
    for plan in catalog.plans.values():
        for task in plan.tasks:
            for target in task.implements:
                found.setdefault(target, []).append((plan.id, task.id))
    return {target: tuple(sources) for target, sources in found.items()}


class Link(NamedTuple):
    """An implemented task, the tasks carrying it out, their ``implemented_by`` label, and
    the organisations whose units' obligations of the implemented task the link concerns."""

    target: TaskRef
    sources: tuple[TaskRef, ...]
    label: tuple[str, ...]
    organisations: frozenset[str]


def links(catalog: Catalog) -> tuple[Link, ...]:
    """The catalog's links (the same on every day: a timeline keeps them)."""
    return tuple(
        Link(
            target,
            sources,
            tuple(f"{plan}:{task}" for plan, task in sources),
            frozenset(catalog.plans[plan].organisation for plan, _ in sources),
        )
        for target, sources in implementers(catalog).items()
    )


def apply_links(
    catalog: Catalog,
    occurrences: Iterable[Occurrence],
    known: tuple[Link, ...] | None = None,
    spans: dict[str, range] | None = None,
) -> list[Occurrence]:
    """The occurrences with the rules of the module applied (a pure function); ``known``:
    the catalog's :func:`links`, when already computed; ``spans``: where each plan's
    occurrences lie, when known (only the linked plans' are then looked at)."""
    out = list(occurrences)
    known = links(catalog) if known is None else known
    if not known:
        return out
    linked: dict[str, set[str]] = {}  # per plan: its tasks at either end of a link
    for link in known:
        for plan, task in (link.target, *link.sources):
            linked.setdefault(plan, set()).add(task)
    by_task: dict[TaskRef, list[int]] = {}
    where = range(len(out)) if spans is None else [i for p in linked for i in spans.get(p, ())]
    for index in where:
        occ = out[index]
        tasks = linked.get(occ.plan)
        if tasks and occ.task in tasks and occ.parent is None:
            by_task.setdefault((occ.plan, occ.task), []).append(index)
    units = catalog.units
    for target, sources, label, organisations in known:
        targets = [
            i for i in by_task.get(target, []) if units[out[i].unit].organisation in organisations
        ]
        own_done = [out[i].done_on for i in targets if out[i].status in _DONE]
        if own_done:  # recorded at the implemented end: counts for the implementing rows
            for source in sources:
                for i in by_task.get(source, []):
                    out[i] = _closed(out[i], min(d for d in own_done if d))
        source_rows = [out[i] for s in sources for i in by_task.get(s, [])]
        finished = [o.done_on for o in source_rows if o.status in _DONE and o.done_on]
        all_done = bool(source_rows) and len(finished) == len(source_rows)
        for i in targets:
            occ = replace(out[i], implemented_by=label)
            out[i] = _closed(occ, max(finished)) if all_done else occ
    return out


def _closed(occ: Occurrence, done_on: date) -> Occurrence:
    """``occ`` done on ``done_on``, unless it is closed already."""
    if occ.status in _CLOSED:
        return occ
    due = occ.original_due
    on_time = due is None or done_on <= due
    return replace(
        occ,
        status=Status.DONE_ON_TIME if on_time else Status.DONE_LATE,
        done_on=done_on,
        days_overdue=0,
        working_days_overdue=0,
        holder=occ.unit,
    )
