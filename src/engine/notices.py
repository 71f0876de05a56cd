"""From rule matches to notices: recipients, silences, repeat intervals, inhibition, digests.

Pure: a function of (catalog, facts, matches, silences, history of what was already sent, day).

* **Recipients**: ``lead`` is the unit that answers for the occurrence (its holder);
  ``cooperating`` the task's cooperating units; ``coordinating`` the plan's coordinating unit;
  ``coordinating_office`` and ``leadership`` those of the organisation the obligation escalates
  in (the plan's own organisation when followed, else the holder's: see
  ``Catalog.escalates_to``), never another organisation's; ``admins`` the addresses of
  ``rules/escalation.yaml``; anything else a unit id. A unit outside every followed
  organisation is never a recipient, and its obligations reach an office or the leadership
  only through a rule that tests ``followed``.
* **Silences** drop every match on the plan / task / unit they cover until their last day.
* **Repeat**: a (occurrence, rule, recipient) already notified is notified again only once its
  rule's interval has passed since the last notice: N working days, or N calendar months (the
  same day N months later, clamped to the month's end); a rule without ``repeat`` notifies once.
* **Inhibition**: for the same occurrence and recipient, only the highest-level matching rule
  may send (a higher level waiting for its repeat interval still mutes the lower ones).
* **Digest**: one notice per (recipient, rule) covers all its occurrences; the mail edge sends
  one email per recipient per run, made of that recipient's notices.
* **Idempotency key** of each (occurrence, rule, recipient) in a notice: a hash of those and of
  the day its repeat window opened (the day it fires), so re-running a day, or two processes
  running the same day, produce the same keys and the outbox stores each once.
"""

from __future__ import annotations

import calendar
import hashlib
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from engine.catalog.model import Catalog
from engine.escalation.facts import Fact
from engine.escalation.rules import EscalationRule, Silence

ADMINS = "admins"

HistoryKey = tuple[str, str, str]  # (occurrence key, rule id, recipient)


@dataclass(frozen=True)
class NoticeItem:
    fact: Fact
    idempotency_key: str


@dataclass(frozen=True)
class Notice:
    day: date
    rule: EscalationRule
    recipient: str
    items: tuple[NoticeItem, ...]

    @property
    def level(self) -> int:
        return self.rule.level

    @property
    def template(self) -> str:
        return self.rule.template


def idempotency_key(occurrence: str, rule: str, recipient: str, window: date) -> str:
    raw = f"{occurrence}|{rule}|{recipient}|{window.isoformat()}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]


def recipients(catalog: Catalog, rule: EscalationRule, fact: Fact) -> list[str]:
    out: list[str] = []
    plan = catalog.plans[fact.plan]
    for target in rule.to:
        if target == "lead":
            found = [fact.unit]
        elif target == "cooperating":
            task = plan.task(fact.task)
            found = list(task.cooperating) if task else []
        elif target == "coordinating":
            found = [plan.coordinating_unit]
        elif target in ("coordinating_office", "leadership"):
            org = catalog.escalates_to(plan, fact.unit)
            # an outside body's obligation reaches an office only when the rule asks for it
            asked = _asks_office(rule, fact)
            found = [getattr(org, target)] if org and asked else []
        elif target == ADMINS:
            found = [ADMINS]
        else:
            found = [target]
        out.extend(r for r in found if r not in out and (r == ADMINS or catalog.followed(r)))
    return out


def _asks_office(rule: EscalationRule, fact: Fact) -> bool:
    """An outside body's obligation reaches an office only when the rule asks for it (tests
    ``followed``); a unit-level issue always does."""
    return _office_concerned(fact) or "followed" in rule.when


def _office_concerned(fact: Fact) -> bool:
    """Whether a fact reaches an office whatever the rule tests: a unit-level issue, or an
    obligation of a followed unit."""
    return fact.occurrence is None or fact.static.followed


_OFFICES = ("coordinating_office", "leadership")


class Reads:
    """What :func:`recipients` reads of a fact for one rule (see :meth:`of`)."""

    def __init__(self, rule: EscalationRule):
        to = rule.to
        self.rule = rule
        self.offices = any(t in _OFFICES for t in to)
        self.plan = self.offices or "cooperating" in to or "coordinating" in to
        self.task = "cooperating" in to
        self.unit = self.offices or "lead" in to
        self.tests_followed = "followed" in rule.when

    def of(self, fact: Fact) -> tuple:
        """Equal tuples, equal recipients (the last part is :func:`_asks_office`)."""
        static = fact.static
        return (
            self.rule.id,
            self.plan and static.plan,
            self.task and static.task,
            self.unit and static.unit,
            self.offices and (self.tests_followed or _office_concerned(fact)),
        )


def next_due(rule: EscalationRule, last: date | None, catalog: Catalog) -> date | None:
    """The first day an (occurrence, rule, recipient) last notified on ``last`` may be notified
    again, or None for never: any day if never notified; never for a rule without ``repeat``;
    else the N-th working day after ``last`` (``working_days: N``), or the same day N months
    later, clamped to the month's end (``months: N``). Every later day may be too."""
    if last is None:
        return date.min
    if rule.repeat is None:
        return None
    if rule.repeat.working_days is not None:
        return catalog.calendar.add_working_days(last, rule.repeat.working_days)
    return add_months(last, rule.repeat.months or 0)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31/1 + 1 → 28 or 29/2)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


class Targets:
    """The (rule, recipient) pairs a fact may notify, memoised per what decides them.

    A fact's recipients for a rule depend only on what the rule's :class:`Reads` reads of it;
    so, given the rules it matches, do the pairs left after inhibition (per recipient, the
    highest-level matching rules only). A fact's signature is therefore the rules it matches
    and what any of them reads (see :meth:`of`). One instance serves one run: a day's
    :func:`plan_notices`, a catch-up's days, or a sweep's spans (:mod:`engine.span_notices`)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.rules = {rule.id: rule for rule in catalog.escalation.rules}
        self.reads = {rule_id: Reads(rule) for rule_id, rule in self.rules.items()}
        self.addressed: dict[tuple, list[str]] = {}  # Reads.of -> recipients
        self.memo: dict[tuple, list[tuple[EscalationRule, str]]] = {}
        # per set of matched rules: whether any of them reads the plan, task, unit, office
        self.parts: dict[frozenset[str], tuple[bool, bool, bool, bool]] = {}

    def of(self, fact: Fact, matched: frozenset[str]) -> list[tuple[EscalationRule, str]]:
        """Per recipient, the highest-level rules of ``matched`` that reach it."""
        parts = self.parts.get(matched)
        if parts is None:
            reads = [self.reads[rule_id] for rule_id in matched]
            parts = self.parts[matched] = (
                any(r.plan for r in reads),
                any(r.task for r in reads),
                any(r.unit for r in reads),
                any(r.offices for r in reads),
            )
        plan, task, unit, offices = parts
        static = fact.static
        signature = (
            matched,
            plan and static.plan,
            task and static.task,
            unit and static.unit,
            offices and _office_concerned(fact),
        )
        found = self.memo.get(signature)
        if found is None:
            ((_, found),) = _inhibited([(fact, self.options(fact, matched))])
            self.memo[signature] = found
        return found

    def options(self, fact: Fact, matched: frozenset[str]) -> dict[str, list[EscalationRule]]:
        """Per recipient, every rule of ``matched`` that reaches it (rules in id order)."""
        out: dict[str, list[EscalationRule]] = {}
        for rule_id in sorted(matched) if len(matched) > 1 else matched:
            reads = self.reads[rule_id]
            read = reads.of(fact)
            found = self.addressed.get(read)
            if found is None:
                found = self.addressed[read] = recipients(self.catalog, reads.rule, fact)
            for recipient in found:
                if recipient in out:
                    out[recipient].append(reads.rule)
                else:
                    out[recipient] = [reads.rule]
        return out


def plan_notices(
    catalog: Catalog,
    facts: Sequence[Fact],
    matches: Sequence[Collection[str]],
    day: date,
    history: Mapping[HistoryKey, date],
    silences: Iterable[Silence] = (),
    targets: Targets | None = None,
) -> list[Notice]:
    """The notices due on ``day``, sorted by recipient, then level (highest first), then rule.

    Facts are taken per occurrence key (one fact each but in rare cells that owe one thing
    twice); inhibition looks at every rule matching the key's facts for a recipient, sent
    before or not: a higher level waiting for its repeat interval still mutes the lower ones.
    ``targets``: the memo of the run's other days (a catch-up keeps one), else a new one."""
    targets = targets or Targets(catalog)
    active = [s for s in silences if s.until >= day]
    # Per occurrence key its first fact, and the further ones of the rare keys that have some
    # (no list per key: a million facts are a million keys).
    first: dict[str, tuple[Fact, frozenset[str]]] = {}
    more: dict[str, list[tuple[Fact, frozenset[str]]]] = {}
    for fact, matched in zip(facts, matches, strict=True):
        if not matched:
            continue
        if active and any(s.covers(fact.plan, fact.task, fact.unit, day) for s in active):
            continue
        key, entry = fact.key, (fact, frozenset(matched))
        if key not in first:
            first[key] = entry
        elif key in more:
            more[key].append(entry)
        else:
            more[key] = [first[key], entry]
    grouped: dict[tuple[str, str], list[NoticeItem]] = defaultdict(list)
    earliest: dict[tuple[str, date], date | None] = {}  # next_due per (rule id, last notice)
    for key, head in first.items():
        group = more.get(key)
        each = (
            ((head[0], targets.of(*head)),)
            if group is None
            else _inhibited([(fact, targets.options(fact, matched)) for fact, matched in group])
        )
        for fact, pairs in each:
            for rule, recipient in pairs:
                last = history.get((key, rule.id, recipient))
                if last is not None:  # never notified: due (next_due is date.min)
                    if (rule.id, last) not in earliest:
                        earliest[(rule.id, last)] = next_due(rule, last, catalog)
                    first = earliest[(rule.id, last)]
                    if first is None or day < first:
                        continue
                item = NoticeItem(fact, idempotency_key(key, rule.id, recipient, day))
                grouped[(recipient, rule.id)].append(item)
    return digests(day, grouped, targets.rules)


def _inhibited(
    options: list[tuple[Fact, dict[str, list[EscalationRule]]]],
) -> list[tuple[Fact, list[tuple[EscalationRule, str]]]]:
    """Inhibition: facts of one occurrence key, each with the rules reaching each recipient
    (:meth:`Targets.options`), and the (rule, recipient) pairs each may notify: per recipient,
    only the highest-level rules matching any of the facts."""
    top: dict[str, int] = {}
    for _, reaching in options:
        for recipient, rules in reaching.items():
            top[recipient] = max(top.get(recipient, 0), *(rule.level for rule in rules))
    return [
        (
            fact,
            [(rule, r) for r, rules in reaching.items() for rule in rules if rule.level == top[r]],
        )
        for fact, reaching in options
    ]


def digests(
    day: date,
    grouped: Mapping[tuple[str, str], Sequence[NoticeItem]],
    rules: Mapping[str, EscalationRule],
) -> list[Notice]:
    """The notices of ``day``: one per (recipient, rule id) of ``grouped``, its items in
    occurrence-key order; sorted by recipient, then level (highest first), then rule."""
    notices = [
        Notice(day, rules[rule_id], recipient, tuple(sorted(items, key=_item_key)))
        for (recipient, rule_id), items in grouped.items()
    ]
    notices.sort(key=lambda n: (n.recipient, -n.level, n.rule.id))
    return notices


def _item_key(item: NoticeItem) -> str:
    return item.fact.key


def remember(history: dict[HistoryKey, date], notices: Iterable[Notice]) -> None:
    """Add sent notices to an in-memory history (what the outbox table holds in production)."""
    for notice in notices:
        for item in notice.items:
            history[(item.fact.key, notice.rule.id, notice.recipient)] = notice.day
