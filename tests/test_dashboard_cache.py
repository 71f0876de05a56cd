"""The dashboard's memo of computations over one evaluation (engine.web.state.derived) and
the task tallies' roll-up over distinct parts (engine.summary)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.catalog.model import Catalog
from engine.codes import Status
from engine.occurrence import DELIVERABLE, DERIVED, UNDATED, UPDATE
from engine.progress import Completion, Progress
from engine.rollup import Part, combine
from engine.status import evaluate
from engine.store.database import record
from engine.store.tables import CompletionRow
from engine.summary import task_status


def test_derived_is_computed_once_per_rules_progress_and_day(app) -> None:  # type: ignore[no-untyped-def]
    state = app.state.web
    calls: list[int] = []

    def count(occurrences: list) -> int:
        calls.append(len(occurrences))
        return len(occurrences)

    day = date(2024, 3, 1)
    first = state.derived(day, "count", count)
    assert state.derived(day, "count", count) == first and len(calls) == 1
    state.derived(day, "other", count)
    state.derived(date(2024, 3, 2), "count", count)
    assert len(calls) == 3
    plan = next(iter(state.catalog.plans.values()))
    record(
        state.engine,
        CompletionRow(plan=plan.id, task=plan.tasks[0].id, done_on=date(2024, 2, 1)),
    )
    state.derived(day, "count", count)  # recorded progress: computed again
    assert len(calls) == 4


_DONE = (Status.DONE_ON_TIME, Status.DONE_LATE)


def _realistic(row: tuple) -> tuple:
    """A done obligation has a completion date; no other has one."""
    status, kind, done_on, days = row
    if status in _DONE:
        return status, kind, done_on or date(2023, 6, 30), days
    return status, kind, None, days


_parts = st.tuples(
    st.sampled_from(list(Status)),
    st.sampled_from([DELIVERABLE, DERIVED, UPDATE, UNDATED]),
    st.one_of(st.none(), st.dates(date(2023, 1, 1), date(2023, 12, 31))),
    st.integers(0, 40),
).map(_realistic)


@settings(max_examples=300)
@given(st.lists(_parts, min_size=1, max_size=12))
def test_task_status_rolls_up_distinct_parts_like_all_parts(rows: list) -> None:
    class Row:
        def __init__(self, status, kind, done_on, days_overdue):  # type: ignore[no-untyped-def]
            self.status, self.kind, self.done_on = status, kind, done_on
            self.days_overdue = days_overdue

    occurrences = [Row(*r) for r in rows]
    parts = [
        Part(o.status, o.kind in (DELIVERABLE, DERIVED), o.done_on, o.days_overdue)
        for o in occurrences
    ]
    expected = combine(parts).status, any(p.deliverable for p in parts)
    assert task_status(occurrences) == expected  # type: ignore[arg-type]


def test_tallies_on_the_shipped_plans_with_progress(catalog: Catalog) -> None:
    """Every task's roll-up over distinct parts equals the roll-up of its full list of parts,
    with completions recorded on every third task (tasks awaiting a schedule included: an
    undated obligation closed by a completion used to make the roll-up fail)."""
    plan = (
        catalog.plans["ct-05-ttg"]
        if "ct-05-ttg" in catalog.plans
        else next(iter(catalog.plans.values()))
    )
    progress = Progress(
        completions=[Completion(plan.id, t.id, date(2023, 9, 1)) for t in plan.tasks[::3]]
    )
    occurrences = [o for o in evaluate(catalog, progress, date(2024, 1, 15)) if o.parent is None]
    by_task: dict = {}
    for o in occurrences:
        by_task.setdefault((o.plan, o.task), []).append(o)
    assert any(o.kind == UNDATED and o.status == Status.DONE_ON_TIME for o in occurrences)
    for found in by_task.values():
        parts = [
            Part(o.status, o.kind in (DELIVERABLE, DERIVED), o.done_on, o.days_overdue)
            for o in found
        ]
        assert task_status(found) == (combine(parts).status, any(p.deliverable for p in parts))
