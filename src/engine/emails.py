"""Rendering notices into emails with the Jinja2 templates of ``notifications/``.

Each notice is a section rendered with ``<template>.txt.j2`` / ``<template>.html.j2``; the
subject comes from the highest-level notice's ``<template>.subject.j2``; ``layout.*.j2`` wraps
the sections. Dates are written the administrative way (Nghị định số 30/2020/NĐ-CP): "ngày 07
tháng 02 năm 2023" — a leading zero for days below 10 and for January and February.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from engine.catalog.model import Catalog
from engine.collapse import collapse
from engine.notices import ADMINS, Notice
from engine.periods import period_label
from engine.store.outbox import Rendered

SENDER_NAME = "Văn phòng Bộ Tư pháp"


def vn_long_date(day: date) -> str:
    """ "ngày 21 tháng 6 năm 2023"; "ngày 07 tháng 02 năm 2023"."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def environment(folder: Path) -> Environment:
    def autoescape(name: str | None) -> bool:
        return bool(name and name.endswith(".html.j2"))

    return Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class EmailRenderer:
    """Renders one recipient's notices; callable as an outbox ``Renderer``."""

    def __init__(self, catalog: Catalog, folder: Path, link_for: Any = None):
        self.catalog = catalog
        self.env = environment(folder)
        self.link_for = link_for

    def recipient(self, recipient: str) -> dict[str, Any]:
        if recipient == ADMINS:
            return {
                "id": ADMINS,
                "name": "Quản trị hệ thống",
                "emails": list(self.catalog.escalation.admins),
            }
        unit = self.catalog.units[recipient]
        return {"id": unit.id, "name": unit.name, "emails": list(unit.emails)}

    def addresses(self, recipient: str) -> list[str]:
        return self.recipient(recipient)["emails"]

    def occurrence(self, notice: Notice, index: int) -> dict[str, Any]:
        item = notice.items[index]
        fields, occ = item.fact.fields, item.fact.occurrence
        plan = self.catalog.plans[fields["plan"]]
        task = plan.task(fields["task"])
        unit = self.catalog.units[fields["unit"]]
        # The unit the plan names for this obligation, when another unit now answers for it.
        named = (occ.unit if occ.answerable != occ.unit else occ.printed_unit) if occ else None
        printed = self.catalog.units[named].name if named else None
        return {
            "plan_number": plan.number,
            "plan_title": plan.title,
            "plan_issuer": plan.issuer,
            "plan_signed_vn": vn_long_date(plan.signed),
            "task": fields["task"],
            "content": task.content if task else "",
            "section": task.section if task else "",
            "deadline": task.deadline if task else "",
            "due_vn": vn_long_date(occ.due) if occ and occ.due else None,
            "status": occ.status.value if occ else "",
            "status_label": occ.status.label if occ else "",
            "days_overdue": occ.days_overdue if occ else 0,
            "working_days_overdue": occ.working_days_overdue if occ else 0,
            "working_days_to_due": occ.working_days_to_due if occ else None,
            "unit_name": unit.name,
            "printed_unit_name": printed,
            "cooperating": [self.catalog.units[c].name for c in task.cooperating] if task else [],
            "milestone_label": (
                occ.label if occ and occ.label else period_label(fields["milestone"])
            ),
            "missed_in_a_row": occ.missed_in_a_row if occ else 0,
            "issue": fields.get("issue") or None,
            "link": self.link_for(notice.recipient, fields) if self.link_for else None,
        }

    def rows(self, notice: Notice) -> list[dict[str, Any]]:
        """One row per item, except that a unit's older missing updates of one task fold into
        one row labelled "chưa cập nhật N kỳ, từ tháng M/YYYY" (``engine.collapse``)."""
        occs = [i.fact.occurrence for i in notice.items]
        kept, missed = collapse(o for o in occs if o is not None)
        shown = {o.key for o in kept}
        folded = {(m.plan, m.task, m.unit): m.label for m in missed}
        rows: list[dict[str, Any]] = []
        for index, occ in enumerate(occs):
            if occ is None or occ.key in shown:
                rows.append(self.occurrence(notice, index))
                continue
            label = folded.pop((occ.plan, occ.task, occ.unit), None)
            if label is not None:  # the first folded item stands for the whole line
                rows.append({**self.occurrence(notice, index), "milestone_label": label})
        return rows

    def context(self, notice: Notice) -> dict[str, Any]:
        occurrences = self.rows(notice)
        by_unit: dict[str, list[dict[str, Any]]] = {}
        for occ in occurrences:
            by_unit.setdefault(occ["unit_name"], []).append(occ)
        return {
            "notice": {
                "rule": {"id": notice.rule.id, "name": notice.rule.name, "level": notice.level},
                "template": notice.template,
            },
            "recipient": self.recipient(notice.recipient),
            "as_of_vn": vn_long_date(notice.day),
            "occurrences": occurrences,
            "by_unit": list(by_unit.items()),
            "count": len(occurrences),
        }

    def __call__(self, recipient: str, notices: Sequence[Notice]) -> Rendered:
        ordered = sorted(notices, key=lambda n: (-n.level, n.rule.id))
        contexts = [self.context(n) for n in ordered]
        subject = " ".join(
            self.env.get_template(f"{ordered[0].template}.subject.j2").render(contexts[0]).split()
        )
        if len(ordered) > 1:
            subject += f" (và {len(ordered) - 1} thông báo khác)"
        texts = [
            self.env.get_template(f"{n.template}.txt.j2").render(c)
            for n, c in zip(ordered, contexts, strict=True)
        ]
        htmls = [
            Markup(self.env.get_template(f"{n.template}.html.j2").render(c))
            for n, c in zip(ordered, contexts, strict=True)
        ]
        layout = {
            "recipient": self.recipient(recipient),
            "as_of_vn": vn_long_date(ordered[0].day),
            "subject": subject,
            "sender_name": SENDER_NAME,
            "footer_rule_ids": [n.rule.id for n in ordered],
        }
        text = self.env.get_template("layout.txt.j2").render(layout, sections_text=texts)
        html = self.env.get_template("layout.html.j2").render(layout, sections_html=htmls)
        return Rendered(subject, text, html)
