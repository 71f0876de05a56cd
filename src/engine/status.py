"""Occurrences and their statuses as of a day: the heart of the engine, and pure.

``evaluate(catalog, progress, as_of)`` expands every task into occurrences — one per owing
unit and per milestone or period — and gives each exactly one :class:`Status`.

Rules applied (``docs/domain.md`` and ``docs/timing.md``):

* **Who owes it** (:mod:`engine.responsibility`): the unit responsible on the due date (capped
  at the as-of day); groups stand for their members of that day minus the row's cooperating
  units; an open obligation of a ceased unit is held by its successor (``holder``). A completion
  closes only the obligations of the unit it names (or of every unit when it names none). A
  labelled milestone tied to units by ``milestone_units`` belongs to those units only.
* **Due dates.** A period end or date on a non-working day rolls forward to the next working
  day; "before day X" rolls back to the last working day before X.
* **As of D** means the start of day D: due on D is still in time; D+1 is overdue. A record
  dated on or before D counts.
* **Plan not yet issued.** Before the signing date every occurrence is ``not_started``; a
  deadline earlier than the signing date is kept, flagged ``precedes_issue``, and is overdue
  from the signing date unless done. A task ``fulfilled_by_signing`` (the decision issuing the
  plan) is done on the signing date.
* **Recurring tasks** produce one occurrence per period from their start (the plan's start,
  or "Từ tháng ...") up to the period containing D, never past the horizon; a period whose due
  date falls before the start is skipped. Continuous tasks and reporting cycles of kind
  ``update`` owe an update per period (``reported`` / ``report_missing``); periodic tasks owe a
  deliverable per period.
* **External schedules** take the reference's milestones; with none, ``awaiting_schedule``.
* **Events and requests** make one occurrence per recorded trigger (a non-repeating event:
  the first only) for the units it names (all lead units when it names none), due a policy
  number of working days after it (or the request's own date); with none, ``awaiting_event``.
* **Several timings in one cell** (a composite timing): each part yields its own occurrences.
* **Sub-tasks.** A parent with sub-tasks is not a deliverable of its own: it gets one
  ``derived`` occurrence per unit whose status rolls up its sub-tasks (:mod:`engine.rollup`),
  due with the last of them. A completion recorded on the parent closes its sub-tasks.
* **Extensions** move the date used for "overdue" but not the one used for on-time / late.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from datetime import date
from operator import attrgetter

from engine.catalog.model import Catalog, Plan, Task
from engine.codes import Status
from engine.links import apply_links
from engine.occurrence import DELIVERABLE, DERIVED, UNDATED, UPDATE, Occurrence
from engine.periods import period_due, periods
from engine.progress import Completion, Extension, Progress, Trigger
from engine.responsibility import Responsibility
from engine.rollup import Part, combine
from engine.timing.models import (
    CompositeTiming,
    DatedTiming,
    ExternalTiming,
    Milestone,
    RecurringTiming,
    TimingClass,
    TriggeredTiming,
)

_OPEN = (
    Status.NOT_STARTED,
    Status.IN_PROGRESS,
    Status.DUE_SOON,
    Status.OVERDUE,
    Status.REPORT_MISSING,
)
_CONTINUOUS = (TimingClass.CONTINUOUS, TimingClass.START_FROM, TimingClass.WHOLE_YEAR)
_FIELDS = tuple(f.name for f in fields(Occurrence))
_VALUES = attrgetter(*_FIELDS)
_HOLDER, _PARENT = _FIELDS.index("holder"), _FIELDS.index("parent")


def _held(occ: Occurrence, holder: str, parent: str | None) -> Occurrence:
    """``replace(occ, holder=holder, parent=parent)`` without ``dataclasses.replace``'s
    per-call introspection (it ran once per occurrence and took over half of evaluation)."""
    values = list(_VALUES(occ))
    values[_HOLDER], values[_PARENT] = holder, parent
    return Occurrence(*values)


@dataclass(frozen=True, slots=True)
class _Schedule:
    periods: tuple[tuple[str, date], ...]
    window: date | None
    kind: str


class _Evaluator:
    """Evaluation of one catalog against one progress set on one day."""

    def __init__(
        self, catalog: Catalog, progress: Progress, as_of: date, recent_periods: int | None = None
    ):
        self.catalog, self.progress, self.as_of = catalog, progress, as_of
        self.recent_periods = recent_periods
        self.calendar = catalog.calendar
        self.policy = catalog.policy
        self.responsibility = Responsibility(catalog)
        self._roll_cache: dict[tuple[date, str], date] = {}
        self._soon_cache: dict[date, date] = {}
        self._schedules: dict[tuple[str, str], _Schedule] = {}
        self.no_progress = progress.empty

    # -- dates ---------------------------------------------------------------------------

    def rolled(self, milestone: Milestone) -> date:
        key = (milestone.nominal_due, milestone.roll)
        due = self._roll_cache.get(key)
        if due is None:
            if milestone.roll == "forward":
                due = self.calendar.roll_forward(milestone.nominal_due)
            else:
                due = self.calendar.roll_backward(milestone.nominal_due)
            self._roll_cache[key] = due
        return due

    def soon_from(self, due: date) -> date:
        start = self._soon_cache.get(due)
        if start is None:
            start = self.calendar.add_working_days(due, -self.policy.due_soon_working_days)
            self._soon_cache[due] = start
        return start

    def to_due(self, due: date | None) -> int | None:
        """Working days left until ``due``; None once it has passed (or with no due date)."""
        if due is None or self.as_of > due:
            return None
        return self.calendar.working_days_between(self.as_of, due)

    def owners(self, task: Task, due: date | None) -> tuple[tuple[str, str | None], ...]:
        """The units owing ``task``'s obligation due on ``due`` (undated: as of today)."""
        day = self.as_of if due is None else min(due, self.as_of)
        return self.responsibility.owners(task, day)

    # -- occurrences ---------------------------------------------------------------------

    def plan(self, plan: Plan) -> Iterator[Occurrence]:
        """A plan's occurrences in task order; sub-tasks are evaluated before their parents."""
        self._subtask_results: dict[str, list[Occurrence]] = {}
        results: dict[str, list[Occurrence]] = {}
        for task in sorted(plan.tasks, key=lambda t: 0 if t.parent else 1):
            occurrences = [self.held(o, task.parent) for o in self.task(plan, task)]
            results[task.id] = occurrences
            if task.parent:
                self._subtask_results.setdefault(task.parent, []).extend(occurrences)
        for task in plan.tasks:
            yield from results[task.id]

    def held(self, occ: Occurrence, parent: str | None) -> Occurrence:
        """Set who answers for an open obligation today (the owner, or its successor), and
        the parent task of a sub-task's obligation."""
        holder = (
            self.responsibility.holder(occ.unit, self.as_of) if occ.status in _OPEN else occ.unit
        )
        return _held(occ, holder, parent)

    def task(self, plan: Plan, task: Task) -> Iterator[Occurrence]:
        if task.subtasks:
            yield from self.derived_parent(plan, task)
            return
        timing = task.timing
        parts = timing.parts if isinstance(timing, CompositeTiming) else (timing,)
        seen: set[tuple[str, str]] = set()
        for index, part in enumerate(parts):
            for occ in self.part(plan, task, part):
                if index and occ.milestone == "-":  # a later part's undated obligation: "-2", ...
                    occ = replace(occ, milestone=f"-{index + 1}")
                if (occ.unit, occ.milestone) not in seen:  # two parts never owe one thing twice
                    seen.add((occ.unit, occ.milestone))
                    yield occ

    def part(self, plan: Plan, task: Task, timing: object) -> Iterator[Occurrence]:
        if isinstance(timing, DatedTiming):
            for milestone in timing.milestones:
                due = self.rolled(milestone)
                owners = task.milestone_units.get(milestone.label or "")
                for unit, printed in self.owners(task, due):
                    if owners and not self.names(owners, unit, due):
                        continue
                    yield self.deliverable(
                        plan, task, unit, printed, milestone, timing.timing_class
                    )
        elif isinstance(timing, RecurringTiming):
            yield from self.recurring(plan, task, timing)
        elif isinstance(timing, ExternalTiming):
            yield from self.external(plan, task, timing)
        elif isinstance(timing, TriggeredTiming):
            yield from self.triggered(plan, task, timing)
        else:
            for unit, printed in self.owners(task, None):
                yield self.undated(
                    plan, task, unit, printed, Status.NO_DEADLINE, TimingClass.UNSPECIFIED
                )

    def names(self, printed: tuple[str, ...], unit: str, day: date) -> bool:
        """Whether the printed units ``printed`` include ``unit`` (or its predecessor)."""
        current = self.catalog.current_unit
        return any(p == unit or current(p, min(day, self.as_of)) == unit for p in printed)

    def deliverable(
        self,
        plan: Plan,
        task: Task,
        unit: str,
        printed: str | None,
        milestone: Milestone,
        timing_class: str,
        due: date | None = None,
    ) -> Occurrence:
        due = due or self.rolled(milestone)
        done_on = self.completion(plan, task, unit, milestone.key, dated=True)
        extended = self.extension(plan, task, unit, milestone.key)
        return self.judge(
            plan,
            task,
            unit,
            printed,
            milestone.key,
            milestone.label,
            timing_class,
            DELIVERABLE,
            due,
            extended,
            milestone.window_start,
            done_on,
        )

    def judge(
        self,
        plan: Plan,
        task: Task,
        unit: str,
        printed: str | None,
        key: str,
        label: str | None,
        timing_class: str,
        kind: str,
        due: date,
        extended: date | None,
        window_start: date | None,
        done_on: date | None,
        reported: bool = False,
        missed: int = 0,
    ) -> Occurrence:
        as_of = self.as_of
        effective = extended or due
        status = self.administrative(plan, task, unit)
        if status is None:
            if reported:
                status = Status.REPORTED
            elif done_on is not None:
                status = Status.DONE_ON_TIME if done_on <= due else Status.DONE_LATE
            elif as_of < plan.signed or (window_start is not None and as_of < window_start):
                status = Status.NOT_STARTED
            elif as_of > effective:
                status = Status.REPORT_MISSING if kind == UPDATE else Status.OVERDUE
            elif as_of >= self.soon_from(effective):
                status = Status.DUE_SOON
            else:
                status = Status.IN_PROGRESS
        late = as_of > effective and status in (Status.OVERDUE, Status.REPORT_MISSING)
        return Occurrence(
            plan=plan.id,
            task=task.id,
            unit=unit,
            milestone=key,
            label=label,
            timing_class=timing_class,
            kind=kind,
            due=effective,
            original_due=due,
            window_start=window_start,
            status=status,
            done_on=done_on,
            days_overdue=(as_of - effective).days if late else 0,
            working_days_overdue=self.calendar.working_days_between(effective, as_of)
            if late
            else 0,
            working_days_to_due=self.to_due(effective),
            precedes_issue=due < plan.signed,
            printed_unit=printed,
            missed_in_a_row=missed,
        )

    def undated(
        self,
        plan: Plan,
        task: Task,
        unit: str,
        printed: str | None,
        status: Status,
        timing_class: str,
        key: str = "-",
    ) -> Occurrence:
        if self.as_of < plan.signed:
            status = Status.NOT_STARTED
        done_on = self.completion(plan, task, unit, key, dated=True)
        if done_on is not None:
            status = Status.DONE_ON_TIME
        status = self.administrative(plan, task, unit) or status
        return Occurrence(
            plan.id,
            task.id,
            unit,
            key,
            None,
            timing_class,
            UNDATED,
            None,
            None,
            None,
            status,
            done_on,
            0,
            0,
            None,
            False,
            printed,
        )

    def administrative(self, plan: Plan, task: Task, unit: str) -> Status | None:
        """Cancelled or suspended on the as-of day, by an admin's record (the task's or its
        parent's) naming the unit, its holder, or no unit."""
        if self.no_progress:
            return None
        holder = self.responsibility.holder(unit, self.as_of)
        for task_id in (task.id, task.parent) if task.parent else (task.id,):
            for record in self.progress.of("cancellations", plan.id, task_id):
                if record.effective <= self.as_of and record.unit in (None, unit, holder):
                    return Status.CANCELLED
            for record in self.progress.of("suspensions", plan.id, task_id):
                if (
                    record.start <= self.as_of
                    and (record.end is None or self.as_of <= record.end)
                    and record.unit in (None, unit, holder)
                ):
                    return Status.SUSPENDED
        return None

    def completion(
        self, plan: Plan, task: Task, unit: str, key: str, *, dated: bool
    ) -> date | None:
        """The earliest recorded completion of this obligation: one naming its milestone (or,
        for a dated one, no milestone), its unit or no unit, on the task or on its parent.
        A task fulfilled by the plan's signing is done on the signing date."""
        if task.fulfilled_by_signing and plan.signed <= self.as_of:
            return plan.signed
        if self.no_progress:
            return None
        best: date | None = None
        for task_id, whole in ((task.id, False), (task.parent, True)):
            if task_id is None:
                continue
            records: list[Completion] = self.progress.of("completions", plan.id, task_id)
            for record in records:
                if record.done_on > self.as_of or record.unit not in (None, unit):
                    continue
                if (
                    (whole and record.milestone is None)
                    or record.milestone == key
                    or (record.milestone is None and dated)
                ):
                    best = record.done_on if best is None else min(best, record.done_on)
        return best

    def extension(self, plan: Plan, task: Task, unit: str, key: str) -> date | None:
        if self.no_progress:
            return None
        latest: Extension | None = None
        for record in self.progress.of("extensions", plan.id, task.id):
            if record.granted_on > self.as_of or record.unit not in (None, unit):
                continue
            if record.milestone in (None, key) and (
                latest is None or record.granted_on >= latest.granted_on
            ):
                latest = record
        return latest.new_due if latest else None

    def derived_parent(self, plan: Plan, task: Task) -> Iterator[Occurrence]:
        """One occurrence per unit rolling up the unit's sub-task obligations."""
        by_unit: dict[str, list[Occurrence]] = {}
        for occ in self._subtask_results.get(task.id, []):
            by_unit.setdefault(occ.unit, []).append(occ)
        for unit, subs in by_unit.items():
            rolled = combine(
                [Part(o.status, o.kind == DELIVERABLE, o.done_on, o.days_overdue) for o in subs]
            )
            dues = [o.due for o in subs if o.due is not None]
            originals = [o.original_due for o in subs if o.original_due is not None]
            due = max(dues) if dues else None
            overdue = rolled.status in (Status.OVERDUE, Status.REPORT_MISSING)
            yield Occurrence(
                plan=plan.id,
                task=task.id,
                unit=unit,
                milestone="sub-tasks",
                label="Theo nhiệm vụ con",
                timing_class=task.timing.timing_class,
                kind=DERIVED,
                due=due,
                original_due=max(originals) if originals else None,
                window_start=None,
                status=rolled.status,
                done_on=rolled.done_on,
                days_overdue=rolled.days_overdue,
                working_days_overdue=max(o.working_days_overdue for o in subs) if overdue else 0,
                working_days_to_due=self.to_due(due),
                precedes_issue=any(o.precedes_issue for o in subs),
                printed_unit=subs[0].printed_unit,
                missed_in_a_row=max(o.missed_in_a_row for o in subs),
            )

    def schedule(self, plan: Plan, task: Task, timing: RecurringTiming) -> _Schedule:
        """A recurring task's periods up to the as-of day: the same for every owing unit."""
        cached = self._schedules.get((plan.id, task.id))
        if cached is not None:
            return cached
        cycle = self.catalog.cycle_for(task)
        before_day = cycle.before_day if cycle else timing.before_day
        due_day = cycle.due_day if cycle else timing.due_day
        period = cycle.period if cycle else timing.period
        update = cycle.kind == UPDATE if cycle else timing.timing_class in _CONTINUOUS
        if update and before_day is None and due_day is None:
            due_day = self.policy.update_cutoff_day
        start = max(timing.start or plan.start, plan.start)
        ends = [d for d in (timing.end, plan.end) if d is not None]
        last_shown = min(self.as_of, *ends) if ends else self.as_of
        found: list[tuple[str, date]] = []
        for first_day, last_day, key in periods(period, start, max(last_shown, start)):
            nominal = period_due(first_day, last_day, before_day, due_day)
            roll = "backward" if before_day else "forward"
            due = self.rolled(Milestone(key=key, nominal_due=nominal, roll=roll))
            if due < start:
                continue
            found.append((key, due))
            if self.as_of < start:
                break  # not started yet: show the first period only
        window = start if self.as_of < start else None
        result = _Schedule(tuple(found), window, UPDATE if update else DELIVERABLE)
        self._schedules[(plan.id, task.id)] = result
        return result

    def recurring(self, plan: Plan, task: Task, timing: RecurringTiming) -> Iterator[Occurrence]:
        schedule = self.schedule(plan, task, timing)
        shown_from = 0
        if self.recent_periods is not None:
            shown_from = max(0, len(schedule.periods) - self.recent_periods)
        missed: dict[str, int] = {}  # per unit: consecutive missing updates up to this period
        for index, (key, due) in enumerate(schedule.periods):
            for unit, printed in self.owners(task, due):
                if schedule.kind == UPDATE:
                    reported = not self.no_progress and any(
                        u.reported_on <= self.as_of and u.unit == unit
                        for u in self.progress.updates_for(plan.id, task.id, key)
                    )
                    gap = not reported and self.as_of > due
                    missed[unit] = missed.get(unit, 0) + 1 if gap else 0
                    done_on, extended = None, None
                else:
                    reported = False
                    if index < shown_from:
                        continue
                    done_on = self.completion(plan, task, unit, key, dated=False)
                    extended = self.extension(plan, task, unit, key)
                if index < shown_from:
                    continue
                yield self.judge(
                    plan,
                    task,
                    unit,
                    printed,
                    key,
                    None,
                    timing.timing_class,
                    schedule.kind,
                    due,
                    extended,
                    schedule.window,
                    done_on,
                    reported=reported,
                    missed=missed.get(unit, 0),
                )
        if not schedule.periods:
            for unit, printed in self.owners(task, None):
                yield self.undated(
                    plan, task, unit, printed, Status.NOT_STARTED, timing.timing_class
                )
        if timing.final is not None:
            due = self.rolled(timing.final)
            for unit, printed in self.owners(task, due):
                yield self.deliverable(plan, task, unit, printed, timing.final, timing.timing_class)

    def external(self, plan: Plan, task: Task, timing: ExternalTiming) -> Iterator[Occurrence]:
        reference = self.catalog.references.get(timing.reference or "")
        milestones = reference.milestones_for(plan.id, task.id) if reference else []
        if reference is None or not milestones:
            for unit, printed in self.owners(task, None):
                yield self.undated(
                    plan, task, unit, printed, Status.AWAITING_SCHEDULE, TimingClass.EXTERNAL
                )
            return
        for spec in milestones:
            milestone = Milestone(
                key=f"{reference.id}:{spec.id}", label=spec.label, nominal_due=spec.due
            )
            for unit, printed in self.owners(task, self.rolled(milestone)):
                yield self.deliverable(plan, task, unit, printed, milestone, TimingClass.EXTERNAL)

    def triggered(self, plan: Plan, task: Task, timing: TriggeredTiming) -> Iterator[Occurrence]:
        kind = "event" if timing.timing_class == TimingClass.EVENT else "request"
        records: list[Trigger] = sorted(
            (
                t
                for t in self.progress.of("triggers", plan.id, task.id)
                if t.kind == kind and t.occurred_on <= self.as_of
            ),
            key=lambda t: (t.occurred_on, t.key),
        )
        if kind == "event" and not timing.repeats:
            records = records[:1]
        if not records:
            for unit, printed in self.owners(task, None):
                yield self.undated(
                    plan, task, unit, printed, Status.AWAITING_EVENT, timing.timing_class
                )
            return
        grace = (
            self.policy.event_grace_working_days
            if kind == "event"
            else self.policy.request_default_working_days
        )
        for record in records:
            start = (
                max(record.occurred_on, timing.earliest) if timing.earliest else record.occurred_on
            )
            nominal = record.due or self.calendar.add_working_days(start, grace)
            milestone = Milestone(
                key=f"{kind}:{record.key}", label=record.description, nominal_due=nominal
            )
            for unit, printed in self.owners(task, self.rolled(milestone)):
                if record.units and unit not in record.units:
                    continue
                yield self.deliverable(plan, task, unit, printed, milestone, timing.timing_class)


def evaluate(
    catalog: Catalog, progress: Progress, as_of: date, recent_periods: int | None = None
) -> list[Occurrence]:
    """Every occurrence of every plan with its status as of ``as_of``.

    ``recent_periods`` keeps only the last N periods of each recurring task (follow-up uses
    it: a period missed long ago is no longer news); statuses are unchanged.
    """
    evaluator = _Evaluator(catalog, progress, as_of, recent_periods)
    out: list[Occurrence] = []
    for plan in catalog.plans.values():
        out.extend(evaluator.plan(plan))
    return apply_links(catalog, out)
