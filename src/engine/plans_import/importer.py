"""``import_plan``: one document → a draft plan file, proposed units and the review.

The document format is chosen by its suffix (.docx, .xlsx, .pdf with a text layer). The coordinating unit is
the registered unit named in the sentence that makes it the focal point ("đầu mối", "theo
dõi, đôn đốc"); failing that, the issuer's coordinating office in the registry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from engine.catalog.model import Catalog
from engine.plans_import import review as r
from engine.plans_import.build import Builder
from engine.plans_import.draft import render_plan, render_units
from engine.plans_import.header import Header, read_header
from engine.plans_import.review import Finding, render_markdown
from engine.plans_import.rows import TableReader
from engine.plans_import.table import SourceDocument
from engine.plans_import.units import UnitRegistry
from engine.text import normalize

_FOCAL = ("đầu mối", "theo dõi, đôn đốc", "theo dõi đôn đốc")


class ImportError_(Exception):
    """The document cannot be read at all (Vietnamese message)."""


@dataclass
class ImportResult:
    header: Header
    meta: dict[str, Any]
    tasks: list[dict[str, Any]]
    findings: list[Finding] = field(default_factory=list)
    unknown_units: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source_name: str = ""

    @property
    def clean(self) -> bool:
        return not r.needs_person(self.findings)

    def plan_text(self) -> str:
        return render_plan(self.meta, self.tasks, self.source_name)

    def units_text(self) -> str:
        return render_units(self.unknown_units, self.meta["issuer"])

    def review_text(self, draft: str) -> str:
        count = sum(1 + len(t.get("subtasks", [])) for t in self.tasks)
        return render_markdown(self.meta["number"] or self.source_name, self.findings, count, draft)


def read_document(file: Path) -> SourceDocument:
    """The document's lines and tables, by suffix."""
    suffix = file.suffix.lower()
    if suffix == ".docx":
        from engine.plans_import.docx_reader import read_docx

        return read_docx(file)
    if suffix == ".xlsx":
        from engine.plans_import.xlsx_reader import read_xlsx

        return read_xlsx(file)
    if suffix == ".pdf":
        from engine.plans_import.pdf_reader import read_pdf

        return read_pdf(file)
    raise ImportError_(f"không đọc được loại tệp «{file.suffix}»; dùng .docx, .xlsx hoặc .pdf")


def import_plan(file: Path, catalog: Catalog, plan_id: str | None = None) -> ImportResult:
    """Read ``file`` and build the draft; raise :class:`ImportError_` when it has no task table."""
    try:
        document = read_document(file)
    except ImportError_:
        raise
    except Exception as exc:  # a corrupt file: python-docx/openpyxl/pdfplumber errors vary
        raise ImportError_(f"không mở được tệp «{file.name}»: {exc}") from exc
    return build_result(document, catalog, plan_id)


def build_result(document: SourceDocument, catalog: Catalog, plan_id: str | None) -> ImportResult:
    organisations = sorted({u.organisation for u in catalog.units.values()})
    header, problems = read_header(document.lines, organisations)
    findings = [Finding(None, r.HEADER_MISSING, p, True) for p in problems]
    reader = TableReader()
    tables = [t for t in document.tables if reader.read(t)]
    if not tables or not reader.tasks:
        raise ImportError_(
            f"«{document.name}» không có bảng nhiệm vụ (cần dòng tiêu đề có các cột "
            "Nội dung/Nhiệm vụ, Đơn vị chủ trì, Thời gian)"
        )
    start = header.signed or date.today()
    builder = Builder(catalog, start, header.horizon_end)
    tasks = [builder.task(raw) for raw in reader.tasks]
    registry = builder.registry
    coordinating = _coordinating(document.lines, registry, header.issuer, catalog)
    if not coordinating:
        findings.append(
            Finding(
                None,
                r.HEADER_MISSING,
                "không xác định được đơn vị đầu mối; điền coordinating_unit",
                True,
            )
        )
    derived = plan_id or header.plan_id()
    if not derived or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", derived):
        findings.append(
            Finding(None, r.HEADER_MISSING, "không đặt được mã kế hoạch; dùng --id", True)
        )
        derived = (
            derived if derived and re.fullmatch(r"[a-z0-9][a-z0-9-]*", derived) else "ke-hoach-moi"
        )
    meta = {
        "id": derived,
        "number": header.number,
        "title": header.title,
        "issuer": header.issuer,
        "signed": header.signed,
        "horizon": {"text": header.horizon_text, "start": header.signed, "end": header.horizon_end},
        "coordinating_unit": coordinating,
    }
    findings += [Finding(None, r.CONTINUED_ROW, note, False) for note in document.notes]
    findings += reader.findings + builder.findings
    return ImportResult(header, meta, tasks, findings, builder.unknown, document.name)


def _coordinating(lines: list[str], registry: UnitRegistry, issuer: str, catalog: Catalog) -> str:
    spellings = sorted(registry.spellings.values(), key=len, reverse=True)
    for line in lines:
        key = normalize(line)
        if not any(word in key for word in _FOCAL):
            continue
        found = [
            (key.find(normalize(s)), s)
            for s in spellings
            if re.search(rf"(?<!\w){re.escape(normalize(s))}(?!\w)", key)
        ]
        if found:
            return min(found)[1]
    for unit in catalog.units.values():
        if unit.role == "coordinating_office" and normalize(unit.organisation) == normalize(issuer):
            return unit.name
    return ""
