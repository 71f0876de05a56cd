"""A simulation swept span by span: the notices of every day from start to end, without
evaluating every day.

With the rules and the recorded progress fixed, what a day's evaluation gives changes only on
a few days; in between, every obligation keeps its status, due date, owner and holder, and
only its counters move with the day (days and working days overdue, working days left). The
sweep therefore:

1. **Evaluates on change days only.** A change day is a day on which some obligation may
   change, a superset of the real ones: for every obligation of the last evaluation, the
   day its window opens, the day it becomes due soon, the day after its (extended) due date;
   and the days the catalogue or the records name — the first of every month (a recurring
   task's new period), signing, start and end days of plans and recurring timings, registry
   changes (a unit starting or ceasing), every date of every record, and the day after a
   silence ends. Between two change days (an *interval*) the obligations are those of the
   interval's first working day with their counters recomputed for the day
   (:func:`at_day`, the same arithmetic as :mod:`engine.verdict`).
2. **Matches once per sub-span.** A fact's projection changes daily, but whether a rule
   matches changes only where a counter crosses a value a rule tests: each fact's interval
   is cut where any tested counter crosses such a value (the counters are monotone within an
   interval, so each crossing is found by bisection) or the day of the month does; each piece
   is matched once, through the matcher's memo.
3. **Plans notices by arithmetic.** Within a piece the matched rules, recipients and
   inhibition are fixed, so the days an (obligation, rule, recipient) is notified follow from
   its repeat interval alone: the first day it is due again is found by bisection over the
   piece's working days, then the next after that, and so on.

The result is the list :func:`engine.followup.notices_for_day` gives day after day with the
history carried over, item for item (``tests/test_simulation_sweep.py`` holds the two
together on the shipped plans over several years and on generated records).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta

from engine.catalog.model import Catalog
from engine.escalation.matcher import Matcher
from engine.escalation.rules import Silence
from engine.memory import collector_paused
from engine.notices import HistoryKey, Notice
from engine.occurrence import Occurrence
from engine.progress import Progress
from engine.span_notices import SpanPlanner
from engine.status import evaluate
from engine.timeline import Timeline
from engine.timing.models import CompositeTiming, RecurringTiming
from engine.verdict import Dates

_ONE_DAY = timedelta(days=1)


def sweep(
    catalog: Catalog,
    progress: Progress,
    start: date,
    end: date,
    matcher: Matcher,
    silences: Sequence[Silence],
    history: dict[HistoryKey, date],
    plan: str | None,
    recent_periods: int,
) -> list[Notice]:
    """Every notice from ``start`` to ``end`` (see the module); ``history`` is updated."""
    calendar = catalog.calendar
    days = [d for d in _each_day(start, end) if calendar.is_working_day(d)]
    if not days:
        return []
    timeline = Timeline(catalog)
    fixed = sorted(d for d in _named_days(catalog, progress, silences, timeline) if d > start)
    planner = SpanPlanner(catalog, matcher, silences, history, days)
    index = 0
    with collector_paused():
        while index < len(days):
            day = days[index]
            occurrences = evaluate(catalog, progress, day, recent_periods, timeline)
            following = min(
                _next_after(fixed, day),
                _next_change(occurrences, day, catalog, timeline),
            )
            stop = bisect_left(days, following, index + 1)
            if plan is not None:
                occurrences = [o for o in occurrences if o.plan == plan]
            planner.interval(occurrences, index)
            index = stop
        return planner.finish()


def _each_day(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += _ONE_DAY


def _named_days(
    catalog: Catalog, progress: Progress, silences: Iterable[Silence], timeline: Timeline
) -> set[date]:
    """Days the catalogue, the records and the silences name (see the module, step 1)."""
    out: set[date] = set(timeline.responsibility.boundaries)
    for plan in catalog.plans.values():
        out.update((plan.signed, plan.start))
        if plan.end is not None:
            out.add(plan.end + _ONE_DAY)
        for task in plan.tasks:
            timing = task.timing
            for part in timing.parts if isinstance(timing, CompositeTiming) else (timing,):
                if isinstance(part, RecurringTiming):
                    out.update(d for d in (part.start,) if d is not None)
                    if part.end is not None:
                        out.add(part.end + _ONE_DAY)
    for kind in (
        "completions",
        "updates",
        "triggers",
        "suspensions",
        "cancellations",
        "extensions",
    ):
        for record in getattr(progress, kind):
            for value in vars(record).values():
                if isinstance(value, date):
                    out.update((value, value + _ONE_DAY))
    out.update(s.until + _ONE_DAY for s in silences)
    return out


def _next_after(fixed: Sequence[date], day: date) -> date:
    """The first named day after ``day``, or the first of the next month if sooner."""
    month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    position = bisect_left(fixed, day + _ONE_DAY)
    return min(month, fixed[position]) if position < len(fixed) else month


def _next_change(
    occurrences: Iterable[Occurrence], day: date, catalog: Catalog, timeline: Timeline
) -> date:
    """The first day after ``day`` on which one of ``occurrences`` may change status: its
    window opens, it becomes due soon, or its due date passes."""
    dates = Dates(catalog.calendar, catalog.policy, day, timeline.rolled, timeline.soon)
    found = date.max
    dues: set[date] = set()
    for occ in occurrences:
        if occ.window_start is not None and day < occ.window_start < found:
            found = occ.window_start
        if occ.due is not None:
            dues.add(occ.due)
    for due in dues:
        after = due + _ONE_DAY
        if day < after < found:
            found = after
        opens = dates.soon_from(due)
        if day < opens < found:
            found = opens
    return found
