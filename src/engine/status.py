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
from dataclasses import replace
from datetime import date

from engine.catalog.model import Catalog, Plan, Task
from engine.codes import Status
from engine.links import apply_links
from engine.memory import collector_paused
from engine.occurrence import (
    DELIVERABLE,
    DERIVED,
    FIELDS,
    OPEN,
    UNDATED,
    UPDATE,
    Occurrence,
    build,
    values_of,
)
from engine.progress import Progress, Trigger
from engine.recorded import Recorded
from engine.responsibility import Owners
from engine.rollup import derived
from engine.schedule import Schedule, schedule
from engine.shared import shared_occurrences
from engine.timeline import Timeline
from engine.timing.models import (
    CompositeTiming,
    DatedTiming,
    ExternalTiming,
    Milestone,
    RecurringTiming,
    TimingClass,
    TriggeredTiming,
)
from engine.verdict import Dates

__all__ = ["DELIVERABLE", "DERIVED", "UPDATE", "Occurrence", "Status", "evaluate"]

_HOLDER, _PARENT = FIELDS.index("holder"), FIELDS.index("parent")


def _held(occ: Occurrence, holder: str, parent: str | None) -> Occurrence:
    """``replace(occ, holder=holder, parent=parent)`` without ``dataclasses.replace``'s
    per-call introspection (it ran once per occurrence and took over half of evaluation)."""
    values = list(values_of(occ))
    values[_HOLDER], values[_PARENT] = holder, parent
    return build(*values)


class _Evaluator:
    """Evaluation of one catalog against one progress set on one day."""

    #: Whether tasks no record concerns take the shared path (:mod:`engine.shared`); the
    #: general path gives the same results, as ``tests/test_status_incremental.py`` checks.
    share = True

    def __init__(
        self,
        catalog: Catalog,
        progress: Progress,
        as_of: date,
        recent_periods: int | None,
        timeline: Timeline,
    ):
        self.catalog, self.progress, self.as_of = catalog, progress, as_of
        self.recent_periods = recent_periods
        self.calendar = catalog.calendar
        self.policy = catalog.policy
        self.responsibility = timeline.responsibility
        self.dates = Dates(catalog.calendar, catalog.policy, as_of, timeline.rolled, timeline.soon)
        self.epoch = timeline.responsibility.epoch(as_of)
        self.holders = timeline.responsibility.holders(as_of)
        self.milestones = timeline.milestones
        self.records = Recorded(progress, as_of, self.holders.__getitem__)
        self._schedules = timeline.schedules

    # -- who -----------------------------------------------------------------------------

    def owners(self, task: Task, due: date | None) -> Owners:
        """The units owing ``task``'s obligation due on ``due`` (undated: as of today)."""
        day = self.as_of if due is None else min(due, self.as_of)
        return self.responsibility.owners(task, day)

    def names(self, printed: tuple[str, ...], unit: str, day: date) -> bool:
        """Whether the printed units ``printed`` include ``unit`` (or its predecessor)."""
        current = self.catalog.current_unit
        return any(p == unit or current(p, min(day, self.as_of)) == unit for p in printed)

    def schedule(self, plan: Plan, task: Task, timing: RecurringTiming) -> Schedule:
        """A recurring task's periods up to the as-of day: the same for every owing unit."""
        return schedule(
            self.catalog, self.dates, plan, task, timing, self._schedules, self.responsibility
        )

    # -- occurrences ---------------------------------------------------------------------

    def plan(self, plan: Plan) -> list[Occurrence]:
        """A plan's occurrences in task order; sub-tasks are evaluated before their parents."""
        self._subtask_results: dict[str, list[Occurrence]] = {}
        results: dict[str, list[Occurrence]] = {}
        for task in sorted(plan.tasks, key=lambda t: 0 if t.parent else 1):
            occurrences = None
            if self.share and self.records.quiet(plan, task):
                occurrences = shared_occurrences(self, plan, task)
            if occurrences is None:
                occurrences = list(self.task(plan, task))
            results[task.id] = occurrences
            if task.parent:
                self._subtask_results.setdefault(task.parent, []).extend(occurrences)
        out: list[Occurrence] = []
        for task in plan.tasks:
            out.extend(results[task.id])
        return out

    def answering(self, unit: str, status: Status) -> str:
        """Who answers today for ``unit``'s obligation: for an open one, the unit or its
        successor (its holder); else the unit."""
        return self.holders[unit] if status in OPEN else unit

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
                due = self.dates.rolled(milestone)
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

    def deliverable(
        self,
        plan: Plan,
        task: Task,
        unit: str,
        printed: str | None,
        milestone: Milestone,
        timing_class: str,
    ) -> Occurrence:
        done_on = self.records.completion(plan, task, unit, milestone.key, dated=True)
        extended = self.records.extension(plan, task, unit, milestone.key)
        return self.judge(
            plan,
            task,
            unit,
            printed,
            milestone.key,
            milestone.label,
            timing_class,
            DELIVERABLE,
            self.dates.rolled(milestone),
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
        status, effective, days, working_days, to_due = self.dates.verdict(
            plan.signed,
            kind,
            due,
            extended,
            window_start,
            done_on,
            reported,
            self.records.administrative(plan, task, unit),
        )
        return build(
            plan.id,
            task.id,
            unit,
            key,
            label,
            timing_class,
            kind,
            effective,
            due,
            window_start,
            status,
            done_on,
            days,
            working_days,
            to_due,
            due < plan.signed,
            printed,
            missed,
            self.answering(unit, status),
            task.parent,
            (),
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
        done_on = self.records.completion(plan, task, unit, key, dated=True)
        if done_on is not None:
            status = Status.DONE_ON_TIME
        status = self.records.administrative(plan, task, unit) or status
        return build(
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
            0,
            self.answering(unit, status),
            task.parent,
            (),
        )

    def derived_parent(self, plan: Plan, task: Task) -> Iterator[Occurrence]:
        """One occurrence per unit rolling up the unit's sub-task obligations."""
        by_unit: dict[str, list[Occurrence]] = {}
        for occ in self._subtask_results.get(task.id, []):
            by_unit.setdefault(occ.unit, []).append(occ)
        for subs in by_unit.values():
            occ = derived(plan.id, task.id, task.timing.timing_class, subs, self.dates.to_due)
            yield _held(occ, self.answering(occ.unit, occ.status), task.parent)

    def recurring(self, plan: Plan, task: Task, timing: RecurringTiming) -> Iterator[Occurrence]:
        schedule = self.schedule(plan, task, timing)
        shown_from = 0
        if self.recent_periods is not None:
            shown_from = max(0, len(schedule.periods) - self.recent_periods)
        missed: dict[str, int] = {}  # per unit: consecutive missing updates up to this period
        records = self.records
        for index, (key, due) in enumerate(schedule.periods):
            for unit, printed in schedule.owners[index]:
                if schedule.kind == UPDATE:
                    reported = records.reported(plan, task, unit, key)
                    gap = not reported and self.as_of > due
                    missed[unit] = missed.get(unit, 0) + 1 if gap else 0
                    done_on, extended = None, None
                else:
                    reported = False
                    if index < shown_from:
                        continue
                    done_on = records.completion(plan, task, unit, key, dated=False)
                    extended = records.extension(plan, task, unit, key)
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
                    schedule.windows[index],
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
            due = self.dates.rolled(timing.final)
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
            for unit, printed in self.owners(task, self.dates.rolled(milestone)):
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
            for unit, printed in self.owners(task, self.dates.rolled(milestone)):
                if record.units and unit not in record.units:
                    continue
                yield self.deliverable(plan, task, unit, printed, milestone, timing.timing_class)


def evaluate(
    catalog: Catalog,
    progress: Progress,
    as_of: date,
    recent_periods: int | None = None,
    timeline: Timeline | None = None,
) -> list[Occurrence]:
    """Every occurrence of every plan with its status as of ``as_of``.

    ``recent_periods`` keeps only the last N periods of each recurring task (follow-up uses
    it: a period missed long ago is no longer news); statuses are unchanged. ``timeline``
    carries what evaluations of the same catalog on other days computed (a simulation passes
    one to every day); the results are the same without it.
    """
    timeline = timeline if timeline is not None else Timeline(catalog)
    if timeline.catalog is not catalog:
        raise ValueError("the timeline belongs to another catalog")
    evaluator = _Evaluator(catalog, progress, as_of, recent_periods, timeline)
    out: list[Occurrence] = []
    spans: dict[str, range] = {}
    with collector_paused():
        for plan in catalog.plans.values():
            first = len(out)
            out.extend(evaluator.plan(plan))
            spans[plan.id] = range(first, len(out))
        return apply_links(catalog, out, timeline.links, spans)
