"""The span-by-span simulation (``engine.sweep``) against day-by-day runs.

The reference is what the daemon does when it catches up: :func:`notices_for_day` on every
day with one timeline, the history of the days before carried over (the timeline's statuses
are held to fresh evaluations by ``tests/test_status_incremental.py``). The sweep must give the same notices, item for item (the
occurrence of each item as evaluated that day, its idempotency key), on the shipped plans over
years, with records of every kind, silences, an earlier history, one plan only, and both
matchers.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.catalog.model import Catalog
from engine.escalation.matcher import DurableMatcher, Matcher, PythonMatcher
from engine.escalation.rules import Silence
from engine.followup import notices_for_day, simulate
from engine.notices import HistoryKey, Notice, remember
from engine.progress import (
    Cancellation,
    Completion,
    Extension,
    PeriodUpdate,
    Progress,
    Suspension,
    Trigger,
)
from engine.timeline import Timeline
from engine.timing.models import CompositeTiming, TriggeredTiming
from tests.test_status_incremental import _progress


def _day_by_day(
    catalog: Catalog,
    progress: Progress,
    start: date,
    end: date,
    matcher: Matcher,
    silences: list[Silence] | None = None,
    history: dict[HistoryKey, date] | None = None,
    plan: str | None = None,
) -> list[Notice]:
    history = dict(history or {})
    timeline = Timeline(catalog)
    out: list[Notice] = []
    day = start
    while day <= end:
        notices = notices_for_day(
            catalog, progress, day, matcher, history, silences or [], plan, timeline
        )
        remember(history, notices)
        out.extend(notices)
        day += timedelta(days=1)
    return out


@pytest.mark.slow(15)
def test_a_year_with_records_of_every_kind(catalog: Catalog) -> None:
    """2024 on the shipped plans with completions, extensions, suspensions, cancellations
    and period updates on every third task (2023 without records:
    ``tests/test_status_incremental.py``)."""
    progress = _progress(catalog)
    start, end = date(2024, 1, 1), date(2024, 12, 31)
    rules = catalog.escalation.rules
    expected = _day_by_day(catalog, progress, start, end, PythonMatcher(rules))
    assert sum(len(n.items) for n in expected) > 10_000
    assert simulate(catalog, progress, start, end, PythonMatcher(rules)) == expected


def test_plans_signed_within_the_range_and_registry_changes(catalog: Catalog) -> None:
    """Across the first plan's signing (28/01/2022) with the durable-rules matcher, and across the
    registry's reorganisation of 01/03/2025 for one plan only, without records."""
    rules = catalog.escalation.rules
    start, end = date(2021, 12, 1), date(2022, 3, 31)
    assert simulate(catalog, Progress(), start, end, DurableMatcher(rules)) == _day_by_day(
        catalog, Progress(), start, end, DurableMatcher(rules)
    )
    start, end = date(2025, 1, 15), date(2025, 5, 31)
    plan = "qd-522-btp"
    expected = _day_by_day(catalog, Progress(), start, end, PythonMatcher(rules), plan=plan)
    assert expected and all(i.fact.plan == plan for n in expected for i in n.items)
    assert simulate(catalog, Progress(), start, end, PythonMatcher(rules), plan=plan) == expected


def _triggered(catalog: Catalog) -> list[tuple[str, str, str]]:
    """(plan, task, kind) of every task with an event or request timing."""
    out = []
    for plan in catalog.plans.values():
        for task in plan.tasks:
            timing = task.timing
            for part in timing.parts if isinstance(timing, CompositeTiming) else (timing,):
                if isinstance(part, TriggeredTiming):
                    kind = "event" if part.timing_class == "event" else "request"
                    out.append((plan.id, task.id, kind))
    return out


_KINDS = ["completion", "extension", "suspension", "cancellation", "update", "trigger"]


@pytest.mark.slow(9)
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.dates(date(2022, 1, 1), date(2026, 6, 1)),
    length=st.integers(1, 60),
    records=st.lists(
        st.tuples(
            st.integers(0, 10_000),  # which task
            st.sampled_from(_KINDS),
            st.integers(-120, 120),  # days from the range's start
            st.integers(1, 90),  # a length (extension, suspension)
        ),
        max_size=30,
    ),
    silenced=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 80)), max_size=3),
    earlier=st.integers(0, 10_000),
)
def test_any_records_silences_and_history(
    catalog: Catalog,
    start: date,
    length: int,
    records: list[tuple[int, str, int, int]],
    silenced: list[tuple[int, int]],
    earlier: int,
) -> None:
    tasks = [(plan.id, task) for plan in catalog.plans.values() for task in plan.tasks]
    triggered = _triggered(catalog)
    made: dict[str, list] = {kind: [] for kind in _KINDS}
    for index, kind, shift, span in records:
        plan, task = tasks[index % len(tasks)]
        unit = task.lead[0] if task.lead and index % 2 else None
        on = start + timedelta(days=shift)
        if kind == "completion":
            made[kind].append(Completion(plan, task.id, on, unit=unit))
        elif kind == "extension":
            made[kind].append(Extension(plan, task.id, on + timedelta(days=span), on, "gia hạn"))
        elif kind == "suspension":
            made[kind].append(
                Suspension(plan, task.id, on, "tạm dừng", on + timedelta(days=span), unit=unit)
            )
        elif kind == "cancellation":
            made[kind].append(Cancellation(plan, task.id, on, "hủy", unit=unit))
        elif kind == "update" and task.lead:
            period = f"{on.year}-{on.month:02d}"
            made[kind].append(PeriodUpdate(plan, task.id, task.lead[0], period, on))
        elif kind == "trigger" and triggered:
            plan, task_id, trigger = triggered[index % len(triggered)]
            made[kind].append(Trigger(plan, task_id, trigger, f"K-{index}", on))  # type: ignore[arg-type]
    progress = Progress(
        completions=made["completion"],
        extensions=made["extension"],
        suspensions=made["suspension"],
        cancellations=made["cancellation"],
        updates=made["update"],
        triggers=made["trigger"],
    )
    silences = [
        Silence(
            plan=tasks[i % len(tasks)][0],
            unit=None if i % 3 else (tasks[i % len(tasks)][1].lead or (None,))[0],
            author="Văn phòng Bộ",
            reason="đã trao đổi trực tiếp",
            until=start + timedelta(days=days),
        )
        for i, days in silenced
    ]
    end = start + timedelta(days=length)
    rules = catalog.escalation.rules
    # an earlier history (any history is a valid input): what the weeks before the range sent
    history: dict[HistoryKey, date] = {}
    before = start - timedelta(days=7 + earlier % 30)
    remember(
        history,
        simulate(catalog, progress, before, start - timedelta(days=1), PythonMatcher(rules)),
    )
    expected = _day_by_day(catalog, progress, start, end, PythonMatcher(rules), silences, history)
    simulated = simulate(catalog, progress, start, end, PythonMatcher(rules), silences, history)
    assert simulated == expected


@pytest.mark.parametrize("start", [date(2023, 1, 1), date(2024, 2, 1)])
def test_history_passed_in_is_not_changed(catalog: Catalog, start: date) -> None:
    history: dict[HistoryKey, date] = {}
    rules = catalog.escalation.rules
    simulate(
        catalog,
        Progress(),
        start,
        start + timedelta(days=40),
        PythonMatcher(rules),
        history=history,
    )
    assert history == {}
