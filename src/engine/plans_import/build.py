"""Raw rows → draft tasks: units matched, deadlines parsed, findings recorded.

Deadlines are read with the catalog's own :class:`PhraseBook` and the plan's horizon, as
``engine check`` reads them, so a deadline the review passes is one the loader accepts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.catalog.model import Catalog
from engine.plans_import import review as r
from engine.plans_import.review import Finding
from engine.plans_import.rows import RawTask
from engine.plans_import.units import UnitRegistry
from engine.text import collapse
from engine.timing.models import ExternalTiming
from engine.timing.parse import ParseContext, PhraseError

Task = dict[str, Any]


class Builder:
    """Turns :class:`RawTask` rows into the task mappings of a plan file."""

    def __init__(self, catalog: Catalog, start: date, end: date | None):
        self.catalog = catalog
        self.registry = UnitRegistry(catalog.units.values())
        self.context = ParseContext(start.year, start, end)
        self.findings: list[Finding] = []
        self.unknown: dict[str, tuple[str, ...]] = {}

    def task(self, raw: RawTask) -> Task:
        out: Task = {"id": raw.id, "section": raw.section, "content": _text(raw.cells["content"])}
        out["lead"] = self.units(raw.id, raw.cells["lead"], "chủ trì")
        out["cooperating"] = self.units(raw.id, raw.cells["cooperating"], "phối hợp")
        if not out["lead"]:
            self.note(raw.id, r.NO_LEAD, "không có đơn vị chủ trì; điền lead", True)
        out["deadline"] = self.deadline(raw.id, raw.cells["deadline"])
        self.optional(out, raw)
        if raw.subtasks:
            out["subtasks"] = [self.subtask(sub, out) for sub in raw.subtasks]
        return out

    def subtask(self, raw: RawTask, parent: Task) -> Task:
        """A sub-item; a field it does not print (or prints as its parent) is inherited."""
        out: Task = {"id": raw.id, "content": _text(raw.cells["content"])}
        for role, label in (("lead", "chủ trì"), ("cooperating", "phối hợp")):
            if raw.cells[role]:
                units = self.units(raw.id, raw.cells[role], label)
                if units != parent[role]:
                    out[role] = units
        if raw.cells["deadline"]:
            deadline = self.deadline(raw.id, raw.cells["deadline"])
            if deadline != parent["deadline"]:
                out["deadline"] = deadline
        self.optional(out, raw)
        return out

    def optional(self, out: Task, raw: RawTask) -> None:
        for role in ("product", "funding", "note"):
            if raw.cells[role]:
                out[role] = _text(raw.cells[role])

    def note(self, task: str | None, kind: str, message: str, needs: bool = False) -> None:
        self.findings.append(Finding(task, kind, message, needs))

    def units(self, task_id: str, paragraphs: list[str], label: str) -> list[str]:
        entries = self.registry.split(paragraphs)
        joined = " ".join(paragraphs)
        if len(entries) > 1 and ";" not in joined and len(paragraphs) < len(entries):
            self.note(task_id, r.INFERRED, f"ô {label} được tách thành: {' | '.join(entries)}")
        for entry in entries:
            match = self.registry.match(entry)
            if match.unit_id is None:
                self.unknown.setdefault(entry, match.suggestions)
                close = (
                    "; gần nhất: " + ", ".join(f"«{s}»" for s in match.suggestions)
                    if match.suggestions
                    else ""
                )
                self.note(
                    task_id,
                    r.UNKNOWN_UNIT,
                    f"đơn vị {label} «{entry}» chưa có trong rules/units.yaml{close}",
                    True,
                )
        return entries

    def deadline(self, task_id: str, paragraphs: list[str]) -> str:
        """The deadline cell verbatim (lines kept apart), checked against the grammar."""
        text = "\n".join(collapse(p) for p in paragraphs if collapse(p))
        try:
            timing = self.catalog.phrases.parse(text, self.context).timing
        except PhraseError as exc:
            self.note(
                task_id,
                r.UNREAD_DEADLINE,
                f"{exc}; thêm mẫu vào rules/phrases.yaml hoặc khai báo timing",
                True,
            )
            return text
        if isinstance(timing, ExternalTiming) and timing.reference is None:
            self.note(
                task_id,
                r.UNREAD_DEADLINE,
                f"thời hạn «{text}» theo văn bản «{timing.reference_text}» chưa có trong "
                "rules/references/; thêm tệp văn bản tham chiếu",
                True,
            )
        elif not text:
            self.note(task_id, r.INFERRED, "ô thời gian để trống: nhiệm vụ không có hạn")
        return text


def _text(paragraphs: list[str]) -> str:
    """A text cell: its paragraphs joined by one space, as a wrapped line is."""
    return collapse(" ".join(paragraphs))
