"""Load and validate every rule file at once.

``load_catalog`` reads ``rules/`` and ``schedules/``, validates each file with its pydantic
model, then checks what spans files (unit names, deadline phrases, references, ids). It
returns a :class:`Catalog` only when there is no error at all; otherwise it raises
:class:`RuleErrors` with every error found, each with file, line and field. A half-valid
rule set is never used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from engine.calendar import CalendarOverride, WorkingCalendar
from engine.catalog.errors import RuleError, RuleErrors, pydantic_message
from engine.catalog.model import Catalog, Organisation, Plan, Reference, Task, Unit
from engine.catalog.schema import (
    CalendarFile,
    JobsFile,
    PhrasesFile,
    PlanFile,
    PlanMeta,
    ReferenceFile,
    ReportingFile,
    SubtaskSpec,
    TaskSpec,
    UnitsFile,
)
from engine.catalog.yamlfile import YamlDocument, load_yaml
from engine.escalation.rules import RECIPIENT_KEYWORDS, EscalationFile
from engine.text import normalize
from engine.timing.grammar import TemplateError, compile_search, compile_template
from engine.timing.models import DatedTiming, ExternalTiming, Timing, UnspecifiedTiming
from engine.timing.parse import ParseContext, PhraseBook, PhraseError, examples_problems

M = TypeVar("M", bound=BaseModel)


@dataclass
class _Load:
    """Accumulates errors and warnings while a rule set is read."""

    errors: list[RuleError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reference_files: dict[str, YamlDocument] = field(default_factory=dict)
    references_ok: bool = True
    rules_dir: Path = Path("rules")

    def read(self, file: Path, model: type[M]) -> tuple[YamlDocument | None, M | None]:
        document, errors = load_yaml(file, _display(file))
        self.errors.extend(errors)
        if document is None:
            return None, None
        try:
            return document, model.model_validate(document.data)
        except ValidationError as exc:
            for error in exc.errors():
                loc = [p for p in error["loc"] if not _is_union_tag(p)]
                self.errors.append(document.error(loc, pydantic_message(error)))
            return document, None


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part in {
        "dated",
        "recurring",
        "external",
        "triggered",
        "unspecified",
    }


def _display(file: Path) -> str:
    """The path as an admin typed it: relative to the working directory when inside it."""
    absolute = file.absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def load_catalog(rules_dir: Path, schedules_dir: Path) -> Catalog:
    """Read and validate all rule files; raise :class:`RuleErrors` listing every problem."""
    state = _Load()
    catalog = _build(Path(rules_dir), Path(schedules_dir), state)
    if state.errors or catalog is None:
        raise RuleErrors(state.errors)
    catalog.warnings.extend(state.warnings)
    return catalog


def check(rules_dir: Path, schedules_dir: Path) -> tuple[list[RuleError], list[str]]:
    """Every error and warning of a rule set, without raising."""
    state = _Load()
    _build(Path(rules_dir), Path(schedules_dir), state)
    return sorted(set(state.errors)), state.warnings


def _read_required(state: _Load, file: Path, model: type[M]) -> tuple[YamlDocument, M] | None:
    """A file that must exist and be well-formed; None (with its errors recorded) otherwise."""
    if not file.is_file():
        state.errors.append(RuleError(_display(file), None, "", "thiếu tệp bắt buộc"))
        return None
    document, spec = state.read(file, model)
    if document is None or spec is None:
        return None
    return document, spec


def _build(rules: Path, schedules: Path, state: _Load) -> Catalog | None:
    state.rules_dir = rules
    calendar = _load_calendar(schedules / "calendar.yaml", state)
    reporting = _load_optional(schedules / "reporting.yaml", ReportingFile, state)
    jobs = _load_optional(schedules / "jobs.yaml", JobsFile, state)
    if reporting is not None:
        _check_cycles(schedules / "reporting.yaml", reporting, state)
    units, organisations = _load_units(rules / "units.yaml", state)
    references = _load_references(rules / "references", state)
    book = _load_phrases(rules / "phrases.yaml", references, calendar, state)
    plans = _load_plans(rules / "plans", units, references, book, state)
    escalation = _load_escalation(rules / "escalation.yaml", units, plans, state)
    if plans is not None:
        _check_links(plans, state)
    parts = (calendar, reporting, jobs, units, book, plans, escalation)
    if None in parts or not state.references_ok:
        return None
    assert calendar and reporting and jobs and units is not None and book and plans is not None
    assert escalation is not None
    catalog = Catalog(units, plans, references, book, calendar, reporting, jobs, escalation)
    catalog.organisations = organisations
    for unit in units.values():
        if not unit.emails and unit.kind == "unit" and unit.role != "external":
            state.warnings.append(f"đơn vị «{unit.name}» ({unit.id}) chưa có địa chỉ thư")
    return catalog


def _check_links(plans: dict[str, Plan], state: _Load) -> None:
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
                    field = f"nhiệm vụ {task.id}: implements"
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
                field = f"nhiệm vụ {task.id}: implements"
                state.errors.append(RuleError(task.file, task.line, field, f"vòng lặp {cycle}"))
            elif step not in finished:
                visit([*path, step])
        finished.add(path[-1])

    for start in links:
        if start not in finished:
            visit([start])


def _load_escalation(
    file: Path, units: dict[str, Unit] | None, plans: dict[str, Plan] | None, state: _Load
) -> EscalationFile | None:
    """The escalation rules; recipients and tested plan/unit ids must exist."""
    found = _read_required(state, file, EscalationFile)
    if found is None:
        return None
    document, spec = found
    ok = True
    ids = [rule.id for rule in spec.rules]
    for index, rule in enumerate(spec.rules):
        where = ("rules", index)
        if ids.index(rule.id) != index:
            state.errors.append(document.error((*where, "id"), f"mã quy tắc «{rule.id}» bị trùng"))
            ok = False
        for to_index, recipient in enumerate(rule.to):
            if recipient not in RECIPIENT_KEYWORDS and units is not None and recipient not in units:
                keywords = ", ".join(RECIPIENT_KEYWORDS)
                message = f"người nhận «{recipient}» không phải mã đơn vị hay một trong: {keywords}"
                state.errors.append(document.error((*where, "to", to_index), message))
                ok = False
        for name, known in (("plan", plans), ("unit", units)):
            test = rule.when.get(name)
            values = test if isinstance(test, list) else [] if test is None else [test]
            if isinstance(test, dict):
                values = [
                    v
                    for value in test.values()
                    for v in (value if isinstance(value, list) else [value])
                ]
            for value in values:
                if known is not None and value not in known:
                    message = f"không có {'kế hoạch' if name == 'plan' else 'đơn vị'} mã «{value}»"
                    state.errors.append(document.error((*where, "when", name), message))
                    ok = False
    return spec if ok else None


def _load_optional(file: Path, model: type[M], state: _Load) -> M | None:
    if not file.is_file():
        return model()
    return state.read(file, model)[1]


def _load_calendar(file: Path, state: _Load) -> WorkingCalendar | None:
    spec = _load_optional(file, CalendarFile, state)
    if spec is None:
        return None
    overrides = [
        CalendarOverride(o.date, o.kind == "working_day", o.name, o.source) for o in spec.overrides
    ]
    return WorkingCalendar(overrides)


def _check_cycles(file: Path, reporting: ReportingFile, state: _Load) -> None:
    document, _ = load_yaml(file, _display(file))
    for tag, name in reporting.tag_cycles.items():
        if name not in reporting.cycles and document is not None:
            state.errors.append(
                document.error(("tag_cycles", tag), f"chu kỳ «{name}» chưa được khai báo ở cycles")
            )


def _load_units(file: Path, state: _Load) -> tuple[dict[str, Unit] | None, dict[str, Organisation]]:
    found = _read_required(state, file, UnitsFile)
    if found is None:
        return None, {}
    document, spec = found
    units: dict[str, Unit] = {}
    keys: dict[str, str] = {}
    ok = True
    for index, u in enumerate(spec.units):
        if u.id in units:
            state.errors.append(
                document.error(("units", index, "id"), f"mã đơn vị «{u.id}» bị trùng")
            )
            ok = False
        for alias_index, spelling in enumerate((u.name, *u.aliases)):
            key = normalize(spelling)
            owner = keys.setdefault(key, u.id)
            if owner != u.id:
                where = (
                    ("units", index, "name")
                    if alias_index == 0
                    else ("units", index, "aliases", alias_index - 1)
                )
                state.errors.append(
                    document.error(where, f"tên «{spelling}» đã dùng cho đơn vị «{owner}»")
                )
                ok = False
        units[u.id] = Unit(
            u.id,
            u.name,
            tuple(u.aliases),
            u.organisation,
            u.kind,
            u.role,
            tuple(u.emails),
            u.valid_from,
            u.valid_to,
            u.successor,
            tuple(u.members),
        )
    for index, u in enumerate(spec.units):
        if u.successor and u.successor not in units:
            state.errors.append(
                document.error(("units", index, "successor"), f"không có đơn vị mã «{u.successor}»")
            )
            ok = False
        if u.successor and u.valid_to is None:
            state.errors.append(
                document.error(
                    ("units", index, "valid_to"),
                    "đơn vị có đơn vị kế thừa phải có ngày hết hiệu lực",
                )
            )
            ok = False
        for member_index, member in enumerate(u.members):
            if member not in units:
                state.errors.append(
                    document.error(
                        ("units", index, "members", member_index), f"không có đơn vị mã «{member}»"
                    )
                )
                ok = False
        if u.valid_from and u.valid_to and u.valid_to < u.valid_from:
            state.errors.append(
                document.error(
                    ("units", index, "valid_to"), "ngày hết hiệu lực đứng trước ngày hiệu lực"
                )
            )
            ok = False
    organisations: dict[str, Organisation] = {}
    for index, org in enumerate(spec.organisations):
        for field_name_, unit_id in (
            ("coordinating_office", org.coordinating_office),
            ("leadership", org.leadership),
        ):
            if unit_id not in units:
                where = ("organisations", index, field_name_)
                state.errors.append(document.error(where, f"không có đơn vị mã «{unit_id}»"))
                ok = False
        organisations[org.name] = Organisation(
            org.name, tuple(org.aliases), org.coordinating_office, org.leadership
        )
    return (units if ok else None), organisations


def _load_references(folder: Path, state: _Load) -> dict[str, Reference]:
    references: dict[str, Reference] = {}
    ok = True
    for file in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        document, spec = state.read(file, ReferenceFile)
        if document is None or spec is None:
            ok = False
            stub = _reference_stub(document.data if document else None)
            if stub is not None:
                # Still resolve phrases that name it, so one broken file does not make
                # every task that follows the document fail too.
                references.setdefault(stub.id, stub)
            continue
        ref = spec.reference
        if ref.id in references:
            state.errors.append(
                document.error(("reference", "id"), f"mã văn bản «{ref.id}» bị trùng")
            )
            ok = False
        ids = [m.id for m in ref.milestones]
        for index, milestone_id in enumerate(ids):
            if ids.index(milestone_id) != index:
                where = ("reference", "milestones", index, "id")
                state.errors.append(document.error(where, f"mốc «{milestone_id}» bị trùng"))
                ok = False
        references[ref.id] = Reference(
            ref.id, ref.title, tuple(ref.match), tuple(ref.milestones), ref.note
        )
        state.reference_files[ref.id] = document
    state.references_ok = ok
    return references


def _reference_stub(data: Any) -> Reference | None:
    ref_id, match = _raw(data, "reference", "id"), _raw(data, "reference", "match")
    if not isinstance(ref_id, str) or not isinstance(match, list):
        return None
    needles = tuple(m for m in match if isinstance(m, str))
    return Reference(ref_id, ref_id, needles, (), None)


def _check_reference_scopes(
    references: dict[str, Reference], plans: dict[str, Plan], declared: set[str], state: _Load
) -> None:
    """Milestones scoped to a plan/task name ones that exist (unloadable plans: plan only)."""
    for ref in references.values():
        document = state.reference_files.get(ref.id)
        if document is None:
            continue
        for index, milestone in enumerate(ref.milestones):
            where = ("reference", "milestones", index)
            if milestone.plan and milestone.plan not in declared:
                message = f"không có kế hoạch «{milestone.plan}»"
                state.errors.append(document.error((*where, "plan"), message))
            elif milestone.task and not milestone.plan:
                state.errors.append(
                    document.error((*where, "task"), "ghi task thì phải ghi cả plan")
                )
            elif (
                milestone.plan
                and milestone.task
                and plans[milestone.plan].task(milestone.task) is None
            ):
                message = f"kế hoạch «{milestone.plan}» không có nhiệm vụ «{milestone.task}»"
                state.errors.append(document.error((*where, "task"), message))


def _load_phrases(
    file: Path,
    references: dict[str, Reference],
    calendar: WorkingCalendar | None,
    state: _Load,
) -> PhraseBook | None:
    found = _read_required(state, file, PhrasesFile)
    if found is None:
        return None
    document, spec = found
    ok = True
    for index, pattern in enumerate(spec.patterns):
        for template_index, template in enumerate(pattern.match):
            try:
                compile_template(template)
            except TemplateError as exc:
                state.errors.append(
                    document.error(("patterns", index, "match", template_index), str(exc))
                )
                ok = False
    ids = [p.id for p in spec.patterns]
    for index, pattern_id in enumerate(ids):
        if ids.index(pattern_id) != index:
            state.errors.append(
                document.error(("patterns", index, "id"), f"mã mẫu «{pattern_id}» bị trùng")
            )
            ok = False
    for index, template in enumerate(spec.labels):
        try:
            compile_template(template)
        except TemplateError as exc:
            state.errors.append(document.error(("labels", index), str(exc)))
            ok = False
    for index, wording in enumerate(spec.vague):
        for template_index, template in enumerate(wording.match):
            try:
                compile_search(template)
            except TemplateError as exc:
                where = ("vague", index, "match", template_index)
                state.errors.append(document.error(where, str(exc)))
                ok = False
    if not ok:
        return None
    book = PhraseBook(spec, _reference_keys(references), calendar)
    for index, example_index, message in examples_problems(book):
        state.errors.append(document.error(("patterns", index, "examples", example_index), message))
    return book


def _reference_keys(references: dict[str, Reference]) -> dict[str, str]:
    return {needle: ref.id for ref in references.values() for needle in ref.match}


def _load_plans(
    folder: Path,
    units: dict[str, Unit] | None,
    references: dict[str, Reference],
    book: PhraseBook | None,
    state: _Load,
) -> dict[str, Plan] | None:
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        state.errors.append(RuleError(_display(folder), None, "", "không có tệp kế hoạch nào"))
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
        raw_id = _raw(document.data, "plan", "id")
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
    _check_reference_scopes(references, plans, declared, state)
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
        state: _Load,
    ):
        self.document, self.meta, self.tasks, self.unit_keys = document, meta, tasks, unit_keys
        self.book, self.state = book, state
        start = meta.horizon.start if meta else _raw_start(document.data)
        self.context = ParseContext(start.year, start, meta.horizon.end if meta else None)
        self.plan_id = meta.id if meta else str(_raw(document.data, "plan", "id") or "")
        self.ok = True

    @classmethod
    def partial(
        cls,
        document: YamlDocument,
        unit_keys: dict[str, str] | None,
        book: PhraseBook | None,
        state: _Load,
    ) -> None:
        """Cross-check the well-formed parts of a file that failed validation."""
        data = document.data if isinstance(document.data, dict) else {}
        meta = _valid(PlanMeta, data.get("plan"))
        raw_tasks = data.get("tasks") if isinstance(data.get("tasks"), list) else []
        tasks = [(i, t) for i, raw in enumerate(raw_tasks) if (t := _valid(TaskSpec, raw))]
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


def _valid(model: type[M], data: Any) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _raw(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _raw_start(data: Any) -> date:
    """A plausible plan start from a malformed file, for checking its phrases anyway."""
    for path in (("plan", "horizon", "start"), ("plan", "signed")):
        value = _raw(data, *path)
        if isinstance(value, date):
            return value
    return date(2000, 1, 1)
