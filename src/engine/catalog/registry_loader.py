"""Units, reference documents and deadline phrases: the registries plans are checked against."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.calendar import WorkingCalendar
from engine.catalog.loadstate import LoadState, raw_value, read_required
from engine.catalog.model import Organisation, Plan, Reference, Unit
from engine.catalog.schema import (
    PhrasesFile,
    ReferenceFile,
    UnitsFile,
)
from engine.text import normalize
from engine.timing.grammar import TemplateError, compile_search, compile_template
from engine.timing.parse import PhraseBook, examples_problems


def load_units(
    file: Path, state: LoadState
) -> tuple[dict[str, Unit] | None, dict[str, Organisation]]:
    found = read_required(state, file, UnitsFile)
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


def load_references(folder: Path, state: LoadState) -> dict[str, Reference]:
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
    ref_id, match = raw_value(data, "reference", "id"), raw_value(data, "reference", "match")
    if not isinstance(ref_id, str) or not isinstance(match, list):
        return None
    needles = tuple(m for m in match if isinstance(m, str))
    return Reference(ref_id, ref_id, needles, (), None)


def check_reference_scopes(
    references: dict[str, Reference], plans: dict[str, Plan], declared: set[str], state: LoadState
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


def load_phrases(
    file: Path,
    references: dict[str, Reference],
    calendar: WorkingCalendar | None,
    state: LoadState,
) -> PhraseBook | None:
    found = read_required(state, file, PhrasesFile)
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
        for key in ("match", "unless"):
            for template_index, template in enumerate(getattr(wording, key)):
                try:
                    compile_search(template)
                except TemplateError as exc:
                    where = ("vague", index, key, template_index)
                    state.errors.append(document.error(where, str(exc)))
                    ok = False
    if not ok:
        return None
    book = PhraseBook(spec, reference_keys(references), calendar)
    for index, example_index, message in examples_problems(book):
        state.errors.append(document.error(("patterns", index, "examples", example_index), message))
    return book


def reference_keys(references: dict[str, Reference]) -> dict[str, str]:
    return {needle: ref.id for ref in references.values() for needle in ref.match}
