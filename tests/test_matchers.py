"""Differential test: durable-rules and the plain-Python matcher give the same matches."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from engine.escalation.facts import build_facts, fact_key
from engine.escalation.matcher import DurableMatcher, PythonMatcher, used_fields
from engine.escalation.rules import FIELDS, EscalationRule
from engine.followup import RECENT_PERIODS
from engine.progress import Progress
from engine.status import evaluate
from engine.timeline import Timeline


def _seed_projections(catalog) -> tuple[int, list[dict]]:  # type: ignore[no-untyped-def]
    """How many facts the seed plans give on the days of 2022 to 2025, and their distinct
    projections onto the fields the rules test.

    Both matchers see a fact only through that projection (``engine.escalation.matcher``: a
    fact's other fields, such as its key, are never read), so matching each distinct
    projection once is matching every fact of every day. Facts are first told apart by
    ``fact_key`` (equal keys, equal projections: held by
    ``tests/test_followup_matching.py::test_equal_keys_mean_equal_projections``), so that one
    fact per key has its fields built. One timeline carries the day-independent work across
    the days (held to fresh evaluations by ``tests/test_status_incremental.py``)."""
    names = used_fields(catalog.escalation.rules)
    key = fact_key(names)
    timeline = Timeline(catalog)
    count, keyed = 0, {}
    day = date(2022, 1, 1)
    while day <= date(2025, 12, 31):
        occurrences = evaluate(catalog, Progress(), day, RECENT_PERIODS, timeline)
        facts = build_facts(catalog, occurrences, day)
        keyed.update(zip(map(key, facts), facts, strict=True))
        count += len(facts)
        day += timedelta(days=1)
    distinct = {}
    for fact in keyed.values():
        fields = fact.fields
        distinct[tuple((n, fields[n]) for n in names if n in fields)] = None
    return count, [dict(projection) for projection in distinct]


@pytest.mark.slow(33)
def test_same_matches_on_every_day_of_2022_to_2025(catalog) -> None:  # type: ignore[no-untyped-def]
    count, facts = _seed_projections(catalog)
    python = PythonMatcher(catalog.escalation.rules).match(facts)
    durable = DurableMatcher(catalog.escalation.rules).match(facts)
    assert count > 500_000
    assert python == durable
    fired = {rule for matched in python for rule in matched}
    # every rule is exercised (every unit of the ministry has an address: no "no_email" fact)
    assert fired == {rule.id for rule in catalog.escalation.rules} - {"don-vi-chua-co-thu"}


def _synthetic_facts(count: int, seed: int = 6) -> list[dict]:
    """``count`` random facts over every field the rules may test (a tenth without an email
    address, two fifths without the fields that only apply before the due date)."""
    rng = random.Random(seed)

    def column(options: Sequence[object]) -> list:
        return rng.choices(options, k=count)

    statuses = [
        "in_progress",
        "due_soon",
        "overdue",
        "report_missing",
        "awaiting_schedule",
        "no_deadline",
    ]
    columns = {
        "plan": column(["p1", "p2"]),
        "task": column([str(n) for n in range(1, 31)]),
        "unit": column(["u1", "u2", "u3"]),
        "milestone": ["m"] * count,
        "timing_class": column(["fixed_month", "continuous", "periodic", "quarter"]),
        "kind": column(["deliverable", "update", "undated"]),
        "status": column(statuses),
        "tag": column(["", "monthly_report", "quarterly_seminar", "progress_update"]),
        "unit_role": column(["unit", "coordinating_office", "external"]),
        "working_days_overdue": column(range(61)),
        "days_overdue": column(range(91)),
        "missed_in_a_row": column(range(5)),
        "day_of_month": column(range(1, 32)),
        "has_email": column([True] * 9 + [False]),
        "issue": column(["", "", "no_email"]),
    }
    before_due = column([True] * 3 + [False] * 2)
    to_due, days_to_due = column(range(21)), column(range(31))
    facts = []
    for index, values in enumerate(zip(*columns.values(), strict=True)):
        fact = {"key": f"k{index}", **dict(zip(columns, values, strict=True))}
        if before_due[index]:
            fact["working_days_to_due"] = to_due[index]
            fact["days_to_due"] = days_to_due[index]
        facts.append(fact)
    return facts


SYNTHETIC_RULES = [
    EscalationRule(
        id="a",
        name="a",
        level=1,
        to=["lead"],
        template="reminder",
        when={"status": ["in_progress", "due_soon"], "working_days_to_due": {"gte": 2, "lte": 7}},
    ),
    EscalationRule(
        id="b",
        name="b",
        level=2,
        to=["lead"],
        template="overdue",
        when={"status": {"ne": "overdue"}, "tag": {"not_in": ["monthly_report"]}},
    ),
    EscalationRule(
        id="c",
        name="c",
        level=3,
        to=["lead"],
        template="overdue",
        when={"has_email": False, "days_overdue": {"gt": 10, "lt": 50}},
    ),
    EscalationRule(
        id="d",
        name="d",
        level=0,
        to=["admins"],
        template="data_quality",
        when={"plan": "p1", "unit": {"in": ["u1", "u2"]}, "missed_in_a_row": {"eq": 2}},
    ),
    EscalationRule(
        id="e",
        name="e",
        level=1,
        to=["lead"],
        template="reminder",
        when={"days_to_due": {"lte": 0}, "kind": "deliverable"},
    ),
]


@pytest.mark.slow(10)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_matches_on_a_synthetic_catalogue(catalog, seed: int) -> None:  # type: ignore[no-untyped-def]
    facts = _synthetic_facts(30_000, seed)
    for rules in (catalog.escalation.rules, SYNTHETIC_RULES):
        python = PythonMatcher(rules).match(facts)
        durable = DurableMatcher(rules).match(facts)
        assert python == durable
        assert sum(1 for m in python if m) > 1000


def test_facts_durable_rules_would_hash_alike_are_both_matched() -> None:
    """durable-rules names a fact that has no ``id`` by a hash of its content: these two facts,
    the 15,974th and 18,416th distinct ones of a call (the fourth batch of 5,000), hashed alike,
    and durable refused the second ("Message has already been observed"). Each fact of a
    batch now carries its own ``id``."""
    first = {
        "days_overdue": 79,
        "has_email": True,
        "kind": "deliverable",
        "missed_in_a_row": 2,
        "plan": "p2",
        "status": "due_soon",
        "tag": "",
        "unit": "u2",
    }
    second = {
        "days_overdue": 14,
        "days_to_due": 15,
        "has_email": False,
        "kind": "undated",
        "missed_in_a_row": 2,
        "plan": "p2",
        "status": "due_soon",
        "tag": "progress_update",
        "unit": "u1",
        "working_days_to_due": 8,
    }
    facts: list[dict] = [{"plan": "p9", "days_overdue": n} for n in range(20_000)]
    facts[15_973], facts[18_415] = first, second
    expected = PythonMatcher(SYNTHETIC_RULES).match(facts)
    assert expected[15_973] and expected[18_415]
    assert DurableMatcher(SYNTHETIC_RULES).match(facts) == expected


def test_a_missing_field_never_matches() -> None:
    rules = [
        EscalationRule(
            id="x",
            name="x",
            level=1,
            to=["lead"],
            template="reminder",
            when={"working_days_to_due": {"ne": 3}},
        )
    ]
    facts = [{"key": "a", "working_days_to_due": 2}, {"key": "b"}]
    assert PythonMatcher(rules).match(facts) == DurableMatcher(rules).match(facts) == [{"x"}, set()]


@pytest.mark.parametrize(
    ("name", "test", "value", "matches"),
    [
        ("days_overdue", {"gte": 2}, 3, True),
        ("days_overdue", {"gte": 2}, "3", False),  # a string is not a number here
        ("days_overdue", {"eq": 1}, True, False),  # nor a bool an int
        ("has_email", False, 0, False),
        ("has_email", False, False, True),
        ("missed_in_a_row", [1, 2], 2, True),
        ("missed_in_a_row", [1, 2], 2.0, False),
        ("status", ["overdue", "due_soon"], "overdue", True),
        ("status", {"in": []}, "overdue", False),  # no option
        ("tag", {"not_in": []}, "x", True),  # nothing excluded
        ("tag", {"not_in": ["monthly_report"]}, 5, False),
        ("tag", {"not_in": ["monthly_report"]}, None, False),  # None is absent
    ],
)
def test_values_are_compared_with_their_own_type_only(
    name: str, test: object, value: object, matches: bool
) -> None:
    """The plain-Python matcher never compares across types. durable-rules does (3 >= "2"),
    so the two are held to each other on values of the field's own type only: those are the
    only values facts carry (``engine.escalation.facts``)."""
    rules = [
        EscalationRule(
            id="x", name="x", level=1, to=["lead"], template="reminder", when={name: test}
        )
    ]
    facts = [{"key": "a", name: value}, {"key": "b"}]
    expected = [{"x"} if matches else set(), set()]
    assert PythonMatcher(rules).match(facts) == expected
    if type(value) is FIELDS[name] or value is None:
        assert DurableMatcher(rules).match(facts) == expected
