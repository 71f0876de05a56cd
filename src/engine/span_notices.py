"""Notices of a sweep's spans (steps 2 and 3 of :mod:`engine.sweep`).

A fact's *span* is the run of working days over which it keeps its shape — every field but
its occurrence's counters (days and working days overdue, working days left) and its day. Within
a span the counters are monotone in the day, so a span is cut into *pieces* wherever a counter
a rule tests crosses a value some rule tests it against (found by bisection), the day of the
month moves to another bucket a rule tests, or a silence ends; each piece is matched once. Within
a run of pieces with the same match, recipients and inhibition are fixed, and the days each
(obligation, rule, recipient) is notified follow from its repeat interval
(:func:`engine.notices.next_due`): the first is found by bisection, then the next, and so on.
Each obligation's spans are planned in day order, so its history is always up to date.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from itertools import pairwise
from operator import attrgetter
from typing import Any

from engine.catalog.model import Catalog
from engine.codes import Status
from engine.escalation.facts import Fact, iter_facts
from engine.escalation.matcher import Matcher
from engine.escalation.rules import EscalationRule, Silence
from engine.notices import (
    HistoryKey,
    Notice,
    NoticeItem,
    Targets,
    digests,
    idempotency_key,
    next_due,
)
from engine.occurrence import FIELDS, Occurrence, Unfrozen, values_of
from engine.verdict import counters

_ONE_DAY = timedelta(days=1)
_COUNTERS = ("days_overdue", "working_days_overdue", "working_days_to_due")
_COUNTER_AT = tuple(FIELDS.index(name) for name in _COUNTERS)
#: Fact fields that move with the day (:func:`_reader` reads each on a day).
_DAY_FIELDS = ("days_overdue", "working_days_overdue", "working_days_to_due", "days_to_due")


def at_day(
    occ: Occurrence, day: date, working_days_between: Callable[[date, date], int]
) -> Occurrence:
    """``occ`` (evaluated on an earlier day of the same interval) as evaluated on ``day``:
    late obligations count their days and working days overdue from the (extended) due date,
    open ones the working days left until it (see :meth:`engine.verdict.Dates.verdict`)."""
    due = occ.due
    if due is None:
        return occ
    values = list(values_of(occ))
    moved = counters(occ.status, due, day, working_days_between)
    for at, value in zip(_COUNTER_AT, moved, strict=True):
        values[at] = value
    built = Unfrozen(*values)
    built.__class__ = Occurrence  # see engine.occurrence.build
    return built  # type: ignore[return-value]


class SpanPlanner:
    """The notices of a sweep's intervals (see the module): :meth:`interval` takes each
    interval's occurrences in day order, :meth:`finish` gives every notice."""

    def __init__(
        self,
        catalog: Catalog,
        matcher: Matcher,
        silences: Sequence[Silence],
        history: dict[HistoryKey, date],
        days: list[date],
    ):
        self.catalog, self.matcher, self.history, self.days = catalog, matcher, history, days
        self.silences = list(silences)
        self.between = catalog.calendar.working_days_between
        self.targets = Targets(catalog)
        self.limits = _critical_values(catalog.escalation.rules)
        self.everyone_cuts = self._everyone_cuts()
        self.counter_cuts: dict[tuple, list[int]] = {}
        self.open: dict[tuple, tuple[Fact, int]] = {}  # shape -> (fact, first day)
        self.ended: list[tuple[tuple[Fact, int], int]] = []  # (span, the day after its last)
        self.items: dict[date, dict[tuple[str, str], list[NoticeItem]]] = defaultdict(
            lambda: defaultdict(list)
        )

    # -- step 2: spans, and pieces with one match each -----------------------------------

    def interval(self, occurrences: list[Occurrence], first: int) -> None:
        """Take the occurrences of the interval starting at ``days[first]``: a fact with the
        shape it had goes on; every other span ends the day before. Open spans are keyed by
        their shape, which names the obligation (plan, task, unit, milestone), so a fact
        whose shape changed finds no span and its old one ends."""
        still: dict[tuple, tuple[Fact, int]] = {}
        pop = self.open.pop
        for fact in iter_facts(self.catalog, occurrences, self.days[first]):
            shape = _shape(fact)
            still[shape] = pop(shape, None) or (fact, first)
        self.ended.extend((span, first) for span in self.open.values())
        self.open = still

    def finish(self) -> list[Notice]:
        """Plan every span, those still open ending with the last day, in the order they
        ended (so each obligation's in day order), matching all their pieces at once (a
        matcher's fixed cost per call, durable-rules' sessions, is paid once); every notice,
        in order."""
        self.ended.extend((span, len(self.days)) for span in self.open.values())
        self.open = {}
        self._plan(self.ended)
        self.ended = []
        return self._notices()

    def _plan(self, spans: list[tuple[tuple[Fact, int], int]]) -> None:
        """Cut the spans into pieces, match each piece, and plan the notices of each run of
        pieces of a span with the same match (and not silenced)."""
        days, between = self.days, self.between
        pieces: list[tuple[Fact, int, int, int]] = []  # fact, first, stop, which span
        for number, ((fact, begin), end) in enumerate(spans):
            occ = fact.occurrence
            for first, stop in pairwise(self._cuts(occ, begin, end)):
                if occ is not None and first != begin:
                    day = days[first]
                    fact = Fact(at_day(occ, day, between), fact.static, day)
                pieces.append((fact, first, stop, number))
        matched = self.matcher.rule_sets([piece[0] for piece in pieces])
        run: tuple[Fact, frozenset[str], int, int] | None = None
        previous = -1
        for (fact, first, stop, number), rules in zip(pieces, matched, strict=True):
            if rules and self.silences and self._silenced(fact, days[first]):
                rules = frozenset()
            if run is not None and number == previous and run[1] == rules:
                run = (run[0], rules, run[2], stop)
                continue
            if run is not None and run[1]:
                self._notify(*run)
            run, previous = (fact, rules, first, stop), number
        if run is not None and run[1]:
            self._notify(*run)

    def _silenced(self, fact: Fact, day: date) -> bool:
        return any(s.covers(fact.plan, fact.task, fact.unit, day) for s in self.silences)

    def _everyone_cuts(self) -> list[int]:
        """Positions where every fact's piece ends: the bucket of the day of the month
        changes (when a rule tests it), or a silence ends."""
        days = self.days
        out = {bisect_left(days, s.until + _ONE_DAY) for s in self.silences}
        limits = self.limits.get("day_of_month")
        if limits:
            buckets = [bisect_right(limits, d.day) for d in days]
            out.update(i for i in range(1, len(days)) if buckets[i] != buckets[i - 1])
        return sorted(out)

    def _cuts(self, occ: Occurrence | None, begin: int, end: int) -> list[int]:
        """The pieces of the span ``days[begin:end]`` of a fact about ``occ``: its bounds,
        every fact's cuts, and where a counter the rules test crosses a value they test it
        against."""
        every = self.everyone_cuts
        found = set(every[bisect_left(every, begin + 1) : bisect_left(every, end)])
        if occ is not None and occ.due is not None:
            memo = (occ.due, occ.status, begin, end)
            counters = self.counter_cuts.get(memo)
            if counters is None:
                counters = self.counter_cuts[memo] = self._counter_cuts(*memo)
            found.update(counters)
        return sorted({begin, end, *found})

    def _counter_cuts(self, due: date, status: Status, begin: int, end: int) -> list[int]:
        days = self.days[begin:end]
        out: set[int] = set()
        for name in _DAY_FIELDS:
            limits = self.limits.get(name)
            if limits:
                readings = _reader(name, status, due, self.between)
                out.update(begin + i for i in _crossings(days, readings, limits))
        return sorted(out)

    # -- step 3: the days each (obligation, rule, recipient) is notified ------------------

    def _notify(self, fact: Fact, matched: frozenset[str], first: int, stop: int) -> None:
        key = fact.key
        for rule, recipient in self.targets.of(fact, matched):
            self._repeat(fact, rule, recipient, key, first, stop)

    def _repeat(
        self,
        fact: Fact,
        rule: EscalationRule,
        recipient: str,
        key: str,
        first: int,
        stop: int,
    ) -> None:
        history, catalog, days = self.history, self.catalog, self.days
        entry = (key, rule.id, recipient)
        while first < stop:
            earliest = next_due(rule, history.get(entry), catalog)
            if earliest is None:
                return
            first = bisect_left(days, earliest, first, stop)
            if first == stop:
                return
            day = days[first]
            occ = fact.occurrence
            if occ is not None and day != fact.day:
                occ = at_day(occ, day, self.between)
            item = NoticeItem(
                Fact(occ, fact.static, day), idempotency_key(key, rule.id, recipient, day)
            )
            self.items[day][(recipient, rule.id)].append(item)
            history[entry] = day
            first += 1

    def _notices(self) -> list[Notice]:
        """Every planned notice, day by day, each day's as :func:`plan_notices` gives them."""
        return [
            notice
            for day in sorted(self.items)
            for notice in digests(day, self.items[day], self.targets.rules)
        ]


_SHAPE_FIELDS = attrgetter(*(name for name in FIELDS if name not in _COUNTERS))


def _shape(fact: Fact) -> tuple:
    """Everything of a fact but its day and its occurrence's counters."""
    occ = fact.occurrence
    return (fact.static, None if occ is None else _SHAPE_FIELDS(occ))


def _crossings(
    days: list[date], value: Callable[[date], int | None], limits: Sequence[int]
) -> Iterator[int]:
    """The positions in ``days`` where ``value`` (monotone over ``days``; None counts as below
    every limit) goes from one side of a limit to the other."""
    first, last = value(days[0]), value(days[-1])
    for limit in limits:
        below = first is None or first < limit
        if below == (last is None or last < limit):
            continue
        low, high = 1, len(days) - 1  # the flip is after 0 and at the latest at the end
        while low < high:
            middle = (low + high) // 2
            found = value(days[middle])
            if (found is None or found < limit) == below:
                low = middle + 1
            else:
                high = middle
        yield low


def _reader(
    name: str, status: Status, due: date, between: Callable[[date, date], int]
) -> Callable[[date], int | None]:
    """A fact field that moves with the day, as a function of the day: one of the verdict's
    counters (:func:`engine.verdict.counters`), or the calendar days left until the due date
    (``days_to_due``, read by facts while working days are left)."""
    if name == "days_to_due":
        return lambda d: (due - d).days if d <= due else None
    index = _COUNTERS.index(name)
    return lambda d: counters(status, due, d, between)[index]


def _critical_values(rules: Sequence[EscalationRule]) -> dict[str, list[int]]:
    """Per numeric field, the values at which some rule's test on it may change its answer:
    for every number ``v`` a rule compares the field with, ``v`` and ``v + 1``."""
    out: dict[str, set[int]] = defaultdict(set)
    for rule in rules:
        for name, test in rule.when.items():
            for operand in _operands(test):
                if isinstance(operand, int) and not isinstance(operand, bool):
                    out[name].update((operand, operand + 1))
    return {name: sorted(values) for name, values in out.items()}


def _operands(test: Any) -> Iterator[Any]:
    if isinstance(test, dict):
        for value in test.values():
            yield from _operands(value)
    elif isinstance(test, list | tuple):
        yield from test
    else:
        yield test
