"""Plan files: unit spellings, deadline phrases and sub-task inheritance resolved per task.

``load_plans`` reads every file of ``rules/plans``; a plan is loaded only when all of its
tasks are valid, but every task of every file is checked so the admin sees all errors at
once. ``check_links`` checks ``implements`` across plans (targets exist, no cycle).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from engine.catalog.errors import RuleError, task_field
from engine.catalog.loadstate import LoadState, display_path, raw_value, valid_or_none
from engine.catalog.model import Plan, Reference, Task, Unit
from engine.catalog.registry_loader import check_reference_scopes
from engine.catalog.schema import (
    PlanFile,
    PlanMeta,
    SubtaskSpec,
    TaskSpec,
)
from engine.catalog.yamlfile import YamlDocument
from engine.text import normalize
from engine.timing.models import DatedTiming, ExternalTiming, Timing, UnspecifiedTiming
from engine.timing.parse import ParseContext, PhraseBook, PhraseError


def load_plans(
    folder: Path,
    units: dict[str, Unit] | None,
    references: dict[str, Reference],
    book: PhraseBook | None,
    state: LoadState,
) -> dict[str, Plan] | None:
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        state.errors.append(RuleError(display_path(folder), None, "", "không có tệp kế hoạch nào"))
        return None
    unit_keys: dict[str, str] = {}
    for unit in (units or {}).values():
        for spelling in (unit.name, *unit.aliases, unit.id):
            unit_keys.setdefault(normalize(spelling), unit.id)
    plans: dict[str, Plan] = {}
    declared: set[str] = set()  # plan ids of every file, loaded or not
    ok = True
    for file in files:
        document, spec = state.read(file, PlanFile)
        if document is None:
            ok = False
            continue
        keys = unit_keys if units is not None else None
        raw_id = raw_value(document.data, "plan", "id")
        if isinstance(raw_id, str):
            if raw_id != file.stem:
                message = f"mã kế hoạch phải trùng tên tệp «{file.stem}»"
                state.errors.append(document.error(("plan", "id"), message))
                ok = False
            if raw_id in declared:
                message = f"mã kế hoạch «{raw_id}» bị trùng"
                state.errors.append(document.error(("plan", "id"), message))
                ok = False
            declared.add(raw_id)
        if spec is None:
            # The file's shape is wrong: still check every task that is well-formed, so the
            # admin sees all errors at once; the plan itself is not loaded.
            _PlanReader.partial(document, keys, book, state)
            ok = False
            continue
        plan = _PlanReader(
            document, spec.plan, list(enumerate(spec.tasks)), keys, book, state
        ).plan()
        if plan is None:
            ok = False
            continue
        plans.setdefault(plan.id, plan)
    for plan in plans.values():
        for implemented in plan.implements:
            if implemented not in declared:
                ok = False
                message = f"không có kế hoạch «{implemented}»"
                state.errors.append(RuleError(plan.file, None, "plan.implements", message))
    check_reference_scopes(references, plans, declared, state)
    return plans if ok else None


class _PlanReader:
    """Resolves one plan file: unit spellings, phrases, inheritance of sub-tasks."""

    def __init__(
        self,
        document: YamlDocument,
        meta: PlanMeta | None,
        tasks: list[tuple[int, TaskSpec]],
        unit_keys: dict[str, str] | None,
        book: PhraseBook | None,
        state: LoadState,
    ):
        self.document, self.meta, self.tasks, self.unit_keys = document, meta, tasks, unit_keys
        self.book, self.state = book, state
        start = meta.horizon.start if meta else raw_start(document.data)
        self.context = ParseContext(start.year, start, meta.horizon.end if meta else None)
        self.plan_id = meta.id if meta else str(raw_value(document.data, "plan", "id") or "")
        self.ok = True

    @classmethod
    def partial(
        cls,
        document: YamlDocument,
        unit_keys: dict[str, str] | None,
        book: PhraseBook | None,
        state: LoadState,
    ) -> None:
        """Cross-check the well-formed parts of a file that failed validation."""
        data = document.data if isinstance(document.data, dict) else {}
        meta = valid_or_none(PlanMeta, data.get("plan"))
        raw_tasks = data.get("tasks") if isinstance(data.get("tasks"), list) else []
        tasks = [(i, t) for i, raw in enumerate(raw_tasks) if (t := valid_or_none(TaskSpec, raw))]
        cls(document, meta, tasks, unit_keys, book, state).plan()

    def error(self, where: tuple[str | int, ...], message: str) -> None:
        self.state.errors.append(self.document.error(where, message))
        self.ok = False

    def plan(self) -> Plan | None:
        meta = self.meta
        coordinating = (
            self.units([meta.coordinating_unit], ("plan", "coordinating_unit")) if meta else ()
        )
        self.check_ids()
        if meta is not None and meta.source is not None:
            self.check_source(meta.source)
        tasks: list[Task] = []
        for index, task_spec in self.tasks:
            where: tuple[str | int, ...] = ("tasks", index)
            parent = self.task(task_spec, where, None)
            if parent is None:
                continue
            children = [
                self.task(sub, (*where, "subtasks", sub_index), parent)
                for sub_index, sub in enumerate(task_spec.subtasks)
            ]
            tasks.append(_with_subtasks(parent, tuple(c.id for c in children if c)))
            tasks.extend(c for c in children if c)
        if not self.ok or self.unit_keys is None or self.book is None or meta is None:
            return None
        return Plan(
            meta.id,
            meta.number,
            meta.title,
            meta.issuer,
            meta.signed,
            meta.horizon.text,
            meta.horizon.start,
            meta.closed or meta.horizon.end,
            coordinating[0],
            tuple(meta.implements),
            meta.source,
            tuple(tasks),
            self.document.path,
            meta.organisation or meta.issuer,
        )

    def check_source(self, source: str) -> None:
        """``source`` names the plan's text, relative to the rules folder, inside it."""
        rules_dir = self.state.rules_dir.resolve()
        path = (rules_dir / source).resolve()
        if not path.is_relative_to(rules_dir) or not path.is_file():
            self.error(
                ("plan", "source"),
                f"không tìm thấy tệp văn bản nguồn «{source}» trong thư mục {rules_dir.name}/ "
                "(đường dẫn tính từ thư mục rules, ví dụ sources/qd-522-btp.txt)",
            )

    def check_ids(self) -> None:
        """Task and sub-task ids are unique in a plan."""
        seen: dict[str, int] = {}
        for index, spec in self.tasks:
            entries = [(spec.id, ("tasks", index))] + [
                (sub.id, ("tasks", index, "subtasks", i)) for i, sub in enumerate(spec.subtasks)
            ]
            for task_id, where in entries:
                line = self.document.line_of((*where, "id"))
                if task_id in seen:
                    self.error(
                        (*where, "id"),
                        f"mã nhiệm vụ «{task_id}» bị trùng (đã có ở dòng {seen[task_id]})",
                    )
                seen.setdefault(task_id, line)

    def units(self, spellings: Iterable[str], where: tuple[str | int, ...]) -> tuple[str, ...]:
        if self.unit_keys is None:
            return ()
        ids: list[str] = []
        for index, spelling in enumerate(spellings):
            unit_id = self.unit_keys.get(normalize(spelling))
            if unit_id is None:
                path = where if where[-1] == "coordinating_unit" else (*where, index)
                self.error(
                    path,
                    f"không có đơn vị «{spelling}» trong rules/units.yaml (tên hoặc tên gọi khác)",
                )
            elif unit_id not in ids:
                ids.append(unit_id)
        return tuple(ids)

    def task(
        self, spec: TaskSpec | SubtaskSpec, where: tuple[str | int, ...], parent: Task | None
    ) -> Task | None:
        lead_printed = (
            spec.lead if spec.lead is not None else (parent.lead_printed if parent else [])
        )
        lead = (
            self.units(spec.lead, (*where, "lead"))
            if spec.lead is not None
            else parent.lead
            if parent
            else ()
        )
        cooperating = (
            self.units(spec.cooperating, (*where, "cooperating"))
            if spec.cooperating is not None
            else parent.cooperating
            if parent
            else ()
        )
        inherits = spec.deadline is None and spec.timing is None and parent is not None
        deadline = parent.deadline if inherits and parent else (spec.deadline or "")
        timing, patterns = (
            (parent.timing, parent.patterns)
            if inherits and parent
            else self.timing(spec, deadline, where)
        )
        if timing is None:
            return None
        milestone_units: dict[str, tuple[str, ...]] = {}
        if isinstance(spec, TaskSpec):
            labels = (
                {m.label for m in timing.milestones} if isinstance(timing, DatedTiming) else set()
            )
            for label, spellings in spec.milestone_units.items():
                if label not in labels:
                    self.error(
                        (*where, "milestone_units", label),
                        f"thời hạn không có mốc mang nhãn «{label}»",
                    )
                milestone_units[label] = self.units(spellings, (*where, "milestone_units", label))
        elif parent is not None:
            milestone_units = parent.milestone_units
        return Task(
            plan=self.plan_id,
            id=spec.id,
            parent=parent.id if parent else None,
            section=parent.section if parent else spec.section,  # type: ignore[union-attr]
            content=spec.content,
            lead=lead,
            lead_printed=tuple(lead_printed),
            cooperating=cooperating,
            deadline=deadline,
            timing=timing,
            patterns=patterns,
            explicit_timing=spec.timing is not None
            or (inherits and parent is not None and parent.explicit_timing),
            product=spec.product,
            funding=spec.funding if spec.funding is not None or parent is None else parent.funding,
            note=spec.note,
            tags=tuple(getattr(spec, "tags", ())) or (parent.tags if parent else ()),
            milestone_units=milestone_units,
            subtasks=(),
            file=self.document.path,
            line=self.document.line_of(where),
            fulfilled_by_signing=getattr(spec, "fulfilled_by_signing", False),
            implements=tuple(
                (ref.split(":")[0], ref.split(":")[1]) for ref in getattr(spec, "implements", ())
            ),
        )

    def timing(
        self, spec: TaskSpec | SubtaskSpec, deadline: str, where: tuple[str | int, ...]
    ) -> tuple[Timing | None, tuple[str, ...]]:
        if self.book is None:
            return UnspecifiedTiming(), ()
        if spec.timing is not None:
            self.state.warnings.append(
                f"{self.document.path}:{self.document.line_of((*where, 'timing'))}: "
                f"nhiệm vụ «{spec.id}» dùng thời hạn khai báo tường minh (timing) thay cho cụm từ «{deadline}»"
            )
            return spec.timing, ("timing",)
        try:
            parsed = self.book.parse(deadline, self.context)
        except PhraseError as exc:
            self.error(
                (*where, "deadline"), f"{exc}; thêm mẫu vào rules/phrases.yaml hoặc khai báo timing"
            )
            return None, ()
        timing = parsed.timing
        if isinstance(timing, ExternalTiming) and timing.reference is None:
            self.error(
                (*where, "deadline"),
                f"không rõ văn bản tham chiếu «{timing.reference_text}»; "
                "thêm tệp vào rules/references/ với trường match chứa tên văn bản",
            )
            return None, ()
        return timing, parsed.patterns


def _with_subtasks(task: Task, subtasks: tuple[str, ...]) -> Task:
    return replace(task, subtasks=subtasks)


def raw_start(data: Any) -> date:
    """A plausible plan start from a malformed file, for checking its phrases anyway."""
    for path in (("plan", "horizon", "start"), ("plan", "signed")):
        value = raw_value(data, *path)
        if isinstance(value, date):
            return value
    return date(2000, 1, 1)


def check_links(plans: dict[str, Plan], state: LoadState) -> None:
    """``implements`` names tasks that exist, in another plan, without a cycle."""
    links: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
    for plan in plans.values():
        for task in plan.tasks:
            for target_plan, target_task in task.implements:
                target = plans.get(target_plan)
                message = None
                if target is None:
                    message = f"không có kế hoạch «{target_plan}»"
                elif target.task(target_task) is None:
                    message = f"kế hoạch {target.number} không có nhiệm vụ «{target_task}»"
                elif target_plan == plan.id:
                    message = "một nhiệm vụ chỉ thực hiện nhiệm vụ của kế hoạch khác"
                if message:
                    field = task_field(f"nhiệm vụ {task.id}", ("implements",))
                    state.errors.append(RuleError(task.file, task.line, field, message))
            if task.implements:
                links[(plan.id, task.id)] = task.implements
    finished: set[tuple[str, str]] = set()

    def visit(path: list[tuple[str, str]]) -> None:
        for step in links.get(path[-1], ()):
            if step in path:
                task = plans[path[0][0]].task(path[0][1])
                assert task is not None
                cycle = " → ".join(f"{p}:{t}" for p, t in (*path[path.index(step) :], step))
                field = task_field(f"nhiệm vụ {task.id}", ("implements",))
                state.errors.append(RuleError(task.file, task.line, field, f"vòng lặp {cycle}"))
            elif step not in finished:
                visit([*path, step])
        finished.add(path[-1])

    for start in links:
        if start not in finished:
            visit([start])
