"""The follow-up's compact path (keyed matching of lazy facts, recipients memoised per what
they read) against the plain path (every fact's fields matched, recipients asked per fact)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.catalog.model import Catalog
from engine.escalation.facts import build_facts, fact_key
from engine.escalation.matcher import DurableMatcher, PythonMatcher, used_fields
from engine.followup import RECENT_PERIODS, notice_json, notices_for_day
from engine.notices import HistoryKey, Notice, Reads, plan_notices, recipients, remember
from engine.progress import Completion, Extension, Progress
from engine.status import evaluate
from engine.timeline import Timeline
from tests.test_status_incremental import _progress


def _plain(
    catalog: Catalog,
    progress: Progress,
    day: date,
    history: dict[HistoryKey, date],
    timeline: Timeline,
) -> list[Notice]:
    """One day the plain way: every fact built, its fields matched by a fresh matcher (the
    day's statuses through the run's timeline, held to fresh evaluations by
    ``tests/test_status_incremental.py``)."""
    if not catalog.calendar.is_working_day(day):
        return []
    occurrences = evaluate(catalog, progress, day, RECENT_PERIODS, timeline)
    facts = build_facts(catalog, occurrences, day)
    matches = PythonMatcher(catalog.escalation.rules).match([f.fields for f in facts])
    return plan_notices(catalog, facts, matches, day, history)


def _run(catalog: Catalog, progress: Progress, start: date, end: date, plain: bool) -> list[dict]:
    """Day-by-day notices (history carried) as their JSON, the byte-comparable form; both
    paths evaluate through one timeline per run, as a catch-up does (``runner.run_days``)."""
    matcher = PythonMatcher(catalog.escalation.rules)
    timeline = Timeline(catalog)
    history: dict[HistoryKey, date] = {}
    out: list[dict] = []
    day = start
    while day <= end:
        if plain:
            notices = _plain(catalog, progress, day, history, timeline)
        else:
            notices = notices_for_day(catalog, progress, day, matcher, history, timeline=timeline)
        remember(history, notices)
        out.extend(notice_json(n) for n in notices)
        day += timedelta(days=1)
    return out


@pytest.mark.slow(36)
def test_every_day_of_2023_and_2024_sends_what_the_plain_path_sends(catalog: Catalog) -> None:
    start, end = date(2023, 1, 1), date(2024, 12, 31)
    expected = _run(catalog, Progress(), start, end, plain=True)
    assert sum(len(n["occurrences"]) for n in expected) > 10_000
    assert _run(catalog, Progress(), start, end, plain=False) == expected


_records = st.lists(
    st.tuples(
        st.integers(0, 10_000),  # which task
        st.sampled_from(["completion", "extension"]),
        st.integers(-200, 200),  # days from the window's start
        st.integers(1, 120),  # extension length
    ),
    max_size=40,
)


@pytest.mark.slow(18)
@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.dates(date(2023, 1, 1), date(2025, 10, 1)),
    every=st.integers(1, 9),
    records=_records,
)
def test_any_progress_sends_what_the_plain_path_sends(
    catalog: Catalog, start: date, every: int, records: list[tuple[int, str, int, int]]
) -> None:
    tasks = [(plan.id, task) for plan in catalog.plans.values() for task in plan.tasks]
    base = _progress(catalog, every)
    completions, extensions = list(base.completions), list(base.extensions)
    for index, kind, shift, length in records:
        plan, task = tasks[index % len(tasks)]
        on = start + timedelta(days=shift)
        if kind == "completion":
            completions.append(
                Completion(plan, task.id, on, unit=task.lead[0] if task.lead else None)
            )
        else:
            extensions.append(Extension(plan, task.id, on + timedelta(days=length), on, "gia hạn"))
    progress = Progress(
        completions=completions,
        extensions=extensions,
        suspensions=base.suspensions,
        cancellations=base.cancellations,
        updates=base.updates,
    )
    end = start + timedelta(days=45)
    assert _run(catalog, progress, start, end, plain=False) == _run(
        catalog, progress, start, end, plain=True
    )


@pytest.mark.parametrize("matcher_type", [PythonMatcher, DurableMatcher])
def test_fired_keeps_exactly_the_facts_that_match(catalog: Catalog, matcher_type: type) -> None:
    """One matcher across days (its key memo carried) against a fresh match of every fact."""
    rules = catalog.escalation.rules
    matcher = matcher_type(rules)
    progress = _progress(catalog)
    for day in (date(2023, 3, 1) + timedelta(days=17 * i) for i in range(12)):
        facts = build_facts(catalog, evaluate(catalog, progress, day, RECENT_PERIODS), day)
        expected = [
            (fact, frozenset(m))
            for fact, m in zip(
                facts, PythonMatcher(rules).match([f.fields for f in facts]), strict=True
            )
            if m
        ]
        assert expected
        assert matcher.fired(facts) == expected


def test_equal_keys_mean_equal_projections(catalog: Catalog) -> None:
    names = used_fields(catalog.escalation.rules)
    for every_name in (names, tuple(sorted({"plan", "unit", "days_to_due", "timing_class"}))):
        key = fact_key(every_name)
        seen: dict = {}
        for day in (date(2023, 1, 2), date(2023, 6, 30), date(2024, 1, 31)):
            facts = build_facts(catalog, evaluate(catalog, _progress(catalog), day, 3), day)
            for fact in facts:
                fields = fact.fields
                projection = {n: fields[n] for n in every_name if n in fields}
                assert seen.setdefault(key(fact), projection) == projection
        assert len(seen) < 20_000


def test_recipients_depend_only_on_what_the_rule_reads(catalog: Catalog) -> None:
    day = date(2023, 9, 15)
    facts = build_facts(catalog, evaluate(catalog, _progress(catalog), day, 3), day)
    for rule in catalog.escalation.rules:
        reads = Reads(rule)
        seen: dict = {}
        for fact in facts:
            found = recipients(catalog, rule, fact)
            assert seen.setdefault(reads.of(fact), found) == found
