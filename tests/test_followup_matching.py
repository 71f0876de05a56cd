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
from engine.followup import RECENT_PERIODS, notice_json, notices_of
from engine.notices import (
    HistoryKey,
    Notice,
    Reads,
    Targets,
    plan_notices,
    recipients,
    remember,
)
from engine.occurrence import Occurrence
from engine.progress import Completion, Extension, Progress
from engine.status import evaluate
from engine.timeline import Timeline
from tests.test_status_incremental import _progress


def _plain(
    catalog: Catalog,
    occurrences: list[Occurrence],
    day: date,
    history: dict[HistoryKey, date],
) -> list[Notice]:
    """One day the plain way: every fact of the day's occurrences built, its fields matched by
    a fresh matcher."""
    facts = build_facts(catalog, occurrences, day)
    matches = PythonMatcher(catalog.escalation.rules).match([f.fields for f in facts])
    return plan_notices(catalog, facts, matches, day, history)


def _runs(
    catalog: Catalog, progress: Progress, start: date, end: date
) -> tuple[list[dict], list[dict]]:
    """Day-by-day notices (each path's history carried) as their JSON, the byte-comparable
    form: the compact path's, then the plain path's. Each working day is evaluated once, as a
    catch-up does (one timeline for the run, ``runner.run_days``; held to fresh evaluations by
    ``tests/test_status_incremental.py``), and both paths get that evaluation: what they are
    compared on is what follows it, facts, matching and recipients (the compact path is
    ``notices_of``, what :func:`engine.followup.notices_for_day` does after evaluating, with
    one memo of notice targets for the run as a catch-up keeps; the plain path plans each day
    afresh)."""
    matcher = PythonMatcher(catalog.escalation.rules)
    timeline, targets = Timeline(catalog), Targets(catalog)
    compact_history: dict[HistoryKey, date] = {}
    plain_history: dict[HistoryKey, date] = {}
    compact: list[dict] = []
    plain: list[dict] = []
    day = start
    while day <= end:
        if catalog.calendar.is_working_day(day):
            occurrences = evaluate(catalog, progress, day, RECENT_PERIODS, timeline)
            notices = notices_of(catalog, occurrences, day, matcher, compact_history, (), targets)
            remember(compact_history, notices)
            compact.extend(notice_json(n) for n in notices)
            notices = _plain(catalog, occurrences, day, plain_history)
            remember(plain_history, notices)
            plain.extend(notice_json(n) for n in notices)
        day += timedelta(days=1)
    return compact, plain


@pytest.mark.slow(36)
def test_every_day_of_2023_and_2024_sends_what_the_plain_path_sends(catalog: Catalog) -> None:
    compact, plain = _runs(catalog, Progress(), date(2023, 1, 1), date(2024, 12, 31))
    assert sum(len(n["occurrences"]) for n in plain) > 10_000
    assert compact == plain


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
    compact, plain = _runs(catalog, progress, start, start + timedelta(days=45))
    assert compact == plain


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


def test_targets_are_the_top_rules_per_recipient_on_any_day(catalog: Catalog) -> None:
    """One memo of notice targets across days against every fact's targets worked out from its
    matched rules' recipients: per recipient, the highest-level rules reaching it."""
    rules = {rule.id: rule for rule in catalog.escalation.rules}
    targets = Targets(catalog)
    matcher = PythonMatcher(catalog.escalation.rules)
    progress = _progress(catalog)
    checked = 0
    for day in (date(2023, 2, 1) + timedelta(days=29 * i) for i in range(14)):
        facts = build_facts(catalog, evaluate(catalog, progress, day, RECENT_PERIODS), day)
        for fact, matched in matcher.fired(facts):
            reaching: dict[str, list] = {}
            for rule_id in sorted(matched):
                for recipient in recipients(catalog, rules[rule_id], fact):
                    reaching.setdefault(recipient, []).append(rules[rule_id])
            expected = [
                (rule, recipient)
                for recipient, found in reaching.items()
                for rule in found
                if rule.level == max(r.level for r in found)
            ]
            assert sorted(targets.of(fact, matched), key=_pair) == sorted(expected, key=_pair)
            checked += len(matched) > 1
    assert checked > 100  # facts matching several rules, where inhibition decides


def _pair(pair: tuple) -> tuple[str, str]:
    return pair[0].id, pair[1]
