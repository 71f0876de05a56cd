"""One day of follow-up, and a simulated timeline: statuses → facts → matches → notices.

Pure, apart from the matcher's own state (durable-rules sessions). Notices are produced on
working days only: nobody reads a reminder sent on a Sunday, and the next working day's run
sends what is still relevant (conditions are windows, not exact days). Recurring tasks are
followed up on their last ``RECENT_PERIODS`` periods only: an update missed months ago was
notified then and is no longer news (and a restart after downtime must not flood anyone).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from engine.catalog.model import Catalog
from engine.escalation.facts import iter_facts
from engine.escalation.matcher import Matcher
from engine.escalation.rules import Silence
from engine.memory import collector_paused
from engine.notices import HistoryKey, Notice, Targets, plan_notices
from engine.occurrence import Occurrence
from engine.progress import Progress
from engine.status import evaluate
from engine.sweep import sweep
from engine.timeline import Timeline

RECENT_PERIODS = 3


def notices_for_day(
    catalog: Catalog,
    progress: Progress,
    day: date,
    matcher: Matcher,
    history: Mapping[HistoryKey, date],
    silences: Iterable[Silence] = (),
    plan: str | None = None,
    timeline: Timeline | None = None,
    targets: Targets | None = None,
) -> list[Notice]:
    """The notices of ``day``; with ``plan``, only that plan's obligations, digests included.
    ``timeline`` and ``targets``: what evaluations (see :mod:`engine.timeline`) and notice
    planning (:class:`engine.notices.Targets`) on other days of the same run computed."""
    if not catalog.calendar.is_working_day(day):
        return []
    occurrences = evaluate(catalog, progress, day, RECENT_PERIODS, timeline)
    if plan is not None:
        occurrences = [o for o in occurrences if o.plan == plan]
    return notices_of(catalog, occurrences, day, matcher, history, silences, targets)


def notices_of(
    catalog: Catalog,
    occurrences: Sequence[Occurrence],
    day: date,
    matcher: Matcher,
    history: Mapping[HistoryKey, date],
    silences: Iterable[Silence] = (),
    targets: Targets | None = None,
) -> list[Notice]:
    """The notices of ``day`` about ``occurrences`` (that day's evaluation): their facts
    matched, then the notices due planned (see :func:`engine.notices.plan_notices`)."""
    with collector_paused():  # facts, keys and items are acyclic (see engine.memory)
        fired = matcher.fired(iter_facts(catalog, occurrences, day))
        facts = [fact for fact, _ in fired]
        matches = [rules for _, rules in fired]
        del fired  # a pair per fact: not held through the planning (64 MB a million facts)
        return plan_notices(catalog, facts, matches, day, history, silences, targets)


def simulate(
    catalog: Catalog,
    progress: Progress,
    start: date,
    end: date,
    matcher: Matcher,
    silences: Iterable[Silence] = (),
    history: dict[HistoryKey, date] | None = None,
    plan: str | None = None,
) -> list[Notice]:
    """Every notice the rules would send from ``start`` to ``end`` (with ``plan``, about that
    plan's obligations only): what :func:`notices_for_day` gives day after day with the
    history carried over, computed span by span (:mod:`engine.sweep`)."""
    history = dict(history or {})
    return sweep(
        catalog, progress, start, end, matcher, list(silences), history, plan, RECENT_PERIODS
    )


def notice_json(notice: Notice) -> dict[str, Any]:
    """The stable JSON form of a notice (README: "The notice JSON")."""
    occurrences = []
    for item in notice.items:
        fields = item.fact.fields
        occ = item.fact.occurrence
        occurrences.append(
            {
                "plan": fields["plan"],
                "task": fields["task"],
                "unit": fields["unit"],
                "milestone": fields["milestone"],
                "due": occ.due.isoformat() if occ and occ.due else None,
                "status": occ.status.value if occ else fields.get("issue"),
                "days_overdue": occ.days_overdue if occ else 0,
                "idempotency_key": item.idempotency_key,
            }
        )
    return {
        "date": notice.day.isoformat(),
        "rule": notice.rule.id,
        "level": notice.level,
        "recipient": notice.recipient,
        "template": notice.template,
        "occurrences": occurrences,
    }
