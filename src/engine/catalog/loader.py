"""Load and validate every rule file at once.

``load_catalog`` reads ``rules/`` and ``schedules/``, validates each file with its pydantic
model, then checks what spans files (unit names, deadline phrases, references, ids). It
returns a :class:`Catalog` only when there is no error at all; otherwise it raises
:class:`RuleErrors` with every error found, each with file, line and field. A half-valid
rule set is never used.

This module ties the loaders together and reads the schedules and escalation files; the
registries (units, references, phrases) are read by :mod:`engine.catalog.registry_loader`,
the plan files by :mod:`engine.catalog.plan_loader`, both through the shared
:class:`~engine.catalog.loadstate.LoadState`.
"""

from __future__ import annotations

from pathlib import Path

from engine.calendar import CalendarOverride, WorkingCalendar
from engine.catalog.errors import RuleError, RuleErrors
from engine.catalog.loadstate import LoadState, M, display_path, read_required
from engine.catalog.model import Catalog, Plan, Unit
from engine.catalog.plan_loader import check_links, load_plans
from engine.catalog.registry_loader import load_phrases, load_references, load_units
from engine.catalog.schema import (
    CalendarFile,
    JobsFile,
    ReportingFile,
)
from engine.catalog.yamlfile import load_yaml
from engine.escalation.rules import RECIPIENT_KEYWORDS, EscalationFile


def load_catalog(rules_dir: Path, schedules_dir: Path) -> Catalog:
    """Read and validate all rule files; raise :class:`RuleErrors` listing every problem."""
    state = LoadState()
    catalog = _build(Path(rules_dir), Path(schedules_dir), state)
    if state.errors or catalog is None:
        raise RuleErrors(state.errors)
    catalog.warnings.extend(state.warnings)
    return catalog


def check(rules_dir: Path, schedules_dir: Path) -> tuple[list[RuleError], list[str]]:
    """Every error and warning of a rule set, without raising."""
    state = LoadState()
    _build(Path(rules_dir), Path(schedules_dir), state)
    return sorted(set(state.errors)), state.warnings


def _build(rules: Path, schedules: Path, state: LoadState) -> Catalog | None:
    state.rules_dir = rules
    calendar = _load_calendar(schedules / "calendar.yaml", state)
    reporting = _load_optional(schedules / "reporting.yaml", ReportingFile, state)
    jobs = _load_optional(schedules / "jobs.yaml", JobsFile, state)
    if reporting is not None:
        _check_cycles(schedules / "reporting.yaml", reporting, state)
    units, organisations = load_units(rules / "units.yaml", state)
    references = load_references(rules / "references", state)
    book = load_phrases(rules / "phrases.yaml", references, calendar, state)
    plans = load_plans(rules / "plans", units, references, book, state)
    escalation = _load_escalation(rules / "escalation.yaml", units, plans, state)
    if plans is not None:
        check_links(plans, state)
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


def _load_escalation(
    file: Path, units: dict[str, Unit] | None, plans: dict[str, Plan] | None, state: LoadState
) -> EscalationFile | None:
    """The escalation rules; recipients and tested plan/unit ids must exist."""
    found = read_required(state, file, EscalationFile)
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


def _load_optional(file: Path, model: type[M], state: LoadState) -> M | None:
    if not file.is_file():
        return model()
    return state.read(file, model)[1]


def _load_calendar(file: Path, state: LoadState) -> WorkingCalendar | None:
    spec = _load_optional(file, CalendarFile, state)
    if spec is None:
        return None
    overrides = [
        CalendarOverride(o.date, o.kind == "working_day", o.name, o.source) for o in spec.overrides
    ]
    return WorkingCalendar(overrides)


def _check_cycles(file: Path, reporting: ReportingFile, state: LoadState) -> None:
    document, _ = load_yaml(file, display_path(file))
    for tag, name in reporting.tag_cycles.items():
        if name not in reporting.cycles and document is not None:
            state.errors.append(
                document.error(("tag_cycles", tag), f"chu kỳ «{name}» chưa được khai báo ở cycles")
            )
