"""Occurrences and their statuses as of a day: the heart of the engine, and pure.

``evaluate(catalog, progress, as_of)`` expands every task into occurrences — one per lead
unit and per milestone or period — and gives each exactly one :class:`Status`.

Rules applied (``docs/domain.md`` and ``docs/timing.md``):

* **Lead units.** A group is expanded to its members where the registry lists them; a unit
  that no longer exists on the as-of day is replaced by its successor (the chain is
  followed); duplicates collapse. A labelled milestone tied to units by ``milestone_units``
  belongs to those units only.
* **Due dates.** A period end or date on a non-working day rolls forward to the next working
  day; "before day X" rolls back to the last working day before X.
* **As of D** means the start of day D: due on D is still in time; D+1 is overdue. A record
  dated on or before D counts.
* **Plan not yet issued.** Before the signing date every occurrence is ``not_started``; a
  deadline earlier than the signing date is kept, flagged ``precedes_issue``, and is overdue
  from the signing date unless done.
* **Recurring tasks** produce one occurrence per period from their start (the plan's start,
  or "Từ tháng ...") up to the period containing D, never past the horizon; a period whose due
  date falls before the start is skipped. Continuous tasks owe an update per period
  (``reported`` / ``report_missing``); periodic tasks owe a deliverable per period.
* **External schedules** take the reference's milestones; with none, ``awaiting_schedule``.
* **Events and requests** make one occurrence per recorded trigger (a non-repeating event:
  the first only), due a policy number of working days after it (or the request's own date);
  with none, ``awaiting_event``.
* **Sub-tasks.** A parent with no completion of its own is done when all its sub-tasks are,
  on the last sub-task's date; a parent with no deadline is due with its last sub-task.
* **Extensions** move the date used for "overdue" but not the one used for on-time / late.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from engine.catalog.model import Catalog, Plan, Task
from engine.codes import Status
from engine.progress import Completion, Extension, Progress, Trigger
from engine.timing.models import (
    DatedTiming,
    ExternalTiming,
    Milestone,
    RecurringTiming,
    TimingClass,
    TriggeredTiming,
)

#: Kinds of occurrence: a deliverable with a deadline, a continuous task's period update,
#: or an obligation with no date yet. Only deliverables count in the completion rate.
DELIVERABLE, UPDATE, UNDATED = "deliverable", "update", "undated"


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One obligation of one lead unit, with its status as of the evaluation day."""

    plan: str
    task: str
    unit: str
    milestone: str
    label: str | None
    timing_class: str
    kind: str
    due: date | None
    original_due: date | None
    window_start: date | None
    status: Status
    done_on: date | None
    days_overdue: int
    working_days_overdue: int
    working_days_to_due: int | None
    precedes_issue: bool
    printed_unit: str | None
    missed_in_a_row: int = 0

    @property
    def key(self) -> str:
        """Stable identity: ``plan/task/unit/milestone``."""
        return "/".join((self.plan, self.task, self.unit, self.milestone))


_ONE_DAY = timedelta(days=1)
_CONTINUOUS = (TimingClass.CONTINUOUS, TimingClass.START_FROM, TimingClass.WHOLE_YEAR)


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
        self._predecessors = _predecessors(catalog)
        self._roll_cache: dict[tuple[date, str], date] = {}
        self._soon_cache: dict[date, date] = {}
        self._schedules: dict[tuple[str, str], _Schedule] = {}
        self._leads: dict[tuple[str, ...], list[tuple[str, str | None]]] = {}
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

    # -- units ---------------------------------------------------------------------------

    def lead_units(self, task: Task) -> list[tuple[str, str | None]]:
        """(current unit id, printed unit id if different) for every lead unit.

        A group stands for its members that exist on the as-of day (a unit created by the 2025
        reorganisation is not a member of "Các đơn vị thuộc Bộ" in 2023); a unit named by the
        plan itself always counts, handed to its successor once it has ceased to exist.
        """
        cached = self._leads.get(task.lead)
        if cached is not None:
            return cached
        out: dict[str, str | None] = {}
        for printed in task.lead:
            members = self.catalog.members(printed)
            for member in members:
                unit = self.catalog.units[member]
                if (
                    member != printed
                    and unit.valid_from is not None
                    and unit.valid_from > self.as_of
                ):
                    continue
                current = self.catalog.current_unit(member, self.as_of)
                out.setdefault(current, member if current != member else None)
        result = list(out.items())
        self._leads[task.lead] = result
        return result

    def unit_matches(self, recorded: str | None, unit: str) -> bool:
        return recorded is None or recorded in self._predecessors.get(unit, (unit,))

    # -- occurrences ---------------------------------------------------------------------

    def plan(self, plan: Plan) -> Iterator[Occurrence]:
        """A plan's occurrences in task order; sub-tasks are evaluated before their parents."""
        self._subtask_results: dict[tuple[str, str], list[Occurrence]] = {}
        results: dict[str, list[Occurrence]] = {}
        for task in sorted(plan.tasks, key=lambda t: 0 if t.parent else 1):
            occurrences = list(self.task(plan, task))
            results[task.id] = occurrences
            if task.parent:
                for occ in occurrences:
                    self._subtask_results.setdefault((task.id, occ.unit), []).append(occ)
        for task in plan.tasks:
            yield from results[task.id]

    def task(self, plan: Plan, task: Task) -> Iterator[Occurrence]:
        timing = task.timing
        for unit, printed in self.lead_units(task):
            if isinstance(timing, DatedTiming):
                for milestone in timing.milestones:
                    owners = task.milestone_units.get(milestone.label or "")
                    if owners and not any(self.unit_matches(o, unit) for o in owners):
                        continue
                    yield self.deliverable(
                        plan, task, unit, printed, milestone, timing.timing_class
                    )
            elif isinstance(timing, RecurringTiming):
                yield from self.recurring(plan, task, unit, printed, timing)
            elif isinstance(timing, ExternalTiming):
                yield from self.external(plan, task, unit, printed, timing)
            elif isinstance(timing, TriggeredTiming):
                yield from self.triggered(plan, task, unit, printed, timing)
            elif task.subtasks:
                yield self.derived_parent(plan, task, unit, printed)
            else:
                yield self.undated(
                    plan, task, unit, printed, Status.NO_DEADLINE, timing.timing_class
                )

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
        if done_on is None and task.subtasks:
            done_on = self.subtasks_done(task, unit)
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
            working_days_to_due=(
                self.calendar.working_days_between(as_of, effective) if as_of <= effective else None
            ),
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
        """Cancelled or suspended on the as-of day, by an admin's record."""
        if self.no_progress:
            return None
        for record in self.progress.of("cancellations", plan.id, task.id):
            if record.effective <= self.as_of and self.unit_matches(record.unit, unit):
                return Status.CANCELLED
        for record in self.progress.of("suspensions", plan.id, task.id):
            if (
                record.start <= self.as_of
                and (record.end is None or self.as_of <= record.end)
                and self.unit_matches(record.unit, unit)
            ):
                return Status.SUSPENDED
        return None

    def completion(
        self, plan: Plan, task: Task, unit: str, key: str, *, dated: bool
    ) -> date | None:
        if self.no_progress:
            return None
        best: date | None = None
        records: list[Completion] = self.progress.of("completions", plan.id, task.id)
        for record in records:
            if record.done_on > self.as_of or not self.unit_matches(record.unit, unit):
                continue
            if record.milestone == key or (record.milestone is None and dated):
                best = record.done_on if best is None else min(best, record.done_on)
        return best

    def extension(self, plan: Plan, task: Task, unit: str, key: str) -> date | None:
        if self.no_progress:
            return None
        latest: Extension | None = None
        for record in self.progress.of("extensions", plan.id, task.id):
            if record.granted_on > self.as_of or not self.unit_matches(record.unit, unit):
                continue
            if record.milestone in (None, key) and (
                latest is None or record.granted_on >= latest.granted_on
            ):
                latest = record
        return latest.new_due if latest else None

    def subtasks_done(self, task: Task, unit: str) -> date | None:
        """The date all sub-tasks of ``task`` were done for ``unit``, if they all were."""
        dates: list[date] = []
        for sub_id in task.subtasks:
            occurrences = self._subtask_results.get((sub_id, unit), [])
            if not occurrences:
                return None
            for occ in occurrences:
                if occ.done_on is None:
                    return None
                dates.append(occ.done_on)
        return max(dates) if dates else None

    def derived_parent(self, plan: Plan, task: Task, unit: str, printed: str | None) -> Occurrence:
        """A parent with no deadline of its own is due with its last dated sub-task."""
        dues = [
            o.original_due
            for sub in task.subtasks
            for o in self._subtask_results.get((sub, unit), [])
            if o.original_due
        ]
        if not dues:
            return self.undated(
                plan, task, unit, printed, Status.NO_DEADLINE, TimingClass.UNSPECIFIED
            )
        due = max(dues)
        milestone = Milestone(key="sub-tasks", label="Theo nhiệm vụ con", nominal_due=due)
        return self.deliverable(
            plan, task, unit, printed, milestone, TimingClass.UNSPECIFIED, due=due
        )

    def schedule(self, plan: Plan, task: Task, timing: RecurringTiming) -> _Schedule:
        """A recurring task's periods up to the as-of day: the same for every lead unit."""
        cached = self._schedules.get((plan.id, task.id))
        if cached is not None:
            return cached
        cycle = self.catalog.cycle_for(task)
        before_day = cycle.before_day if cycle else timing.before_day
        due_day = cycle.due_day if cycle else timing.due_day
        period = cycle.period if cycle else timing.period
        continuous = cycle is None and timing.timing_class in _CONTINUOUS
        if continuous:
            due_day = self.policy.update_cutoff_day
        start = max(timing.start or plan.start, plan.start)
        ends = [d for d in (timing.end, plan.end) if d is not None]
        last_shown = min(self.as_of, *ends) if ends else self.as_of
        periods: list[tuple[str, date]] = []
        for first_day, last_day, key in _periods(period, start, max(last_shown, start)):
            nominal = _period_due(first_day, last_day, before_day, due_day)
            roll = "backward" if before_day else "forward"
            due = self.rolled(Milestone(key=key, nominal_due=nominal, roll=roll))
            if due < start:
                continue
            periods.append((key, due))
            if self.as_of < start:
                break  # not started yet: show the first period only
        window = start if self.as_of < start else None
        result = _Schedule(tuple(periods), window, UPDATE if continuous else DELIVERABLE)
        self._schedules[(plan.id, task.id)] = result
        return result

    def recurring(
        self, plan: Plan, task: Task, unit: str, printed: str | None, timing: RecurringTiming
    ) -> Iterator[Occurrence]:
        schedule = self.schedule(plan, task, timing)
        shown_from = 0
        if self.recent_periods is not None:
            shown_from = max(0, len(schedule.periods) - self.recent_periods)
        missed = 0  # consecutive missing updates up to the current period
        for index, (key, due) in enumerate(schedule.periods):
            if schedule.kind == UPDATE:
                reported = not self.no_progress and any(
                    u.reported_on <= self.as_of and self.unit_matches(u.unit, unit)
                    for u in self.progress.updates_for(plan.id, task.id, key)
                )
                missed = missed + 1 if not reported and self.as_of > due else 0
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
                missed=missed,
            )
        if not schedule.periods:
            yield self.undated(plan, task, unit, printed, Status.NOT_STARTED, timing.timing_class)
        if timing.final is not None:
            yield self.deliverable(plan, task, unit, printed, timing.final, timing.timing_class)

    def external(
        self, plan: Plan, task: Task, unit: str, printed: str | None, timing: ExternalTiming
    ) -> Iterator[Occurrence]:
        reference = self.catalog.references.get(timing.reference or "")
        milestones = reference.milestones_for(plan.id, task.id) if reference else []
        if not milestones:
            yield self.undated(
                plan, task, unit, printed, Status.AWAITING_SCHEDULE, TimingClass.EXTERNAL
            )
            return
        for spec in milestones:
            milestone = Milestone(
                key=f"{reference.id}:{spec.id}", label=spec.label, nominal_due=spec.due
            )  # type: ignore[union-attr]
            yield self.deliverable(plan, task, unit, printed, milestone, TimingClass.EXTERNAL)

    def triggered(
        self, plan: Plan, task: Task, unit: str, printed: str | None, timing: TriggeredTiming
    ) -> Iterator[Occurrence]:
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
            yield self.deliverable(plan, task, unit, printed, milestone, timing.timing_class)


def _predecessors(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """For each unit, itself and every unit whose successor chain leads to it."""
    result: dict[str, list[str]] = {uid: [uid] for uid in catalog.units}
    for unit in catalog.units.values():
        seen = {unit.id}
        successor = unit.successor
        while successor and successor not in seen:
            result[successor].append(unit.id)
            seen.add(successor)
            successor = catalog.units[successor].successor
    return {k: tuple(v) for k, v in result.items()}


def _month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


def _periods(period: str, start: date, until: date) -> Iterator[tuple[date, date, str]]:
    """(first day, last day, key) of every month or quarter from ``start``'s to ``until``'s."""
    step = 1 if period == "month" else 3
    month = start.month if step == 1 else 3 * ((start.month - 1) // 3) + 1
    year = start.year
    while date(year, month, 1) <= until:
        last_month = month + step - 1
        key = f"{year}-{month:02d}" if step == 1 else f"{year}-Q{(month + 2) // 3}"
        yield date(year, month, 1), _month_end(year, last_month), key
        month += step
        if month > 12:
            month -= 12
            year += 1


def _period_due(first: date, last: date, before_day: int | None, due_day: int | None) -> date:
    """A period's nominal due date (see :class:`RecurringTiming`)."""
    if before_day is not None:
        return date(last.year, last.month, min(before_day, last.day)) - _ONE_DAY
    if due_day is not None:
        return date(last.year, last.month, min(due_day, last.day))
    return last


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
    return out
