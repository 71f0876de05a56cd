"""Rendering notices into emails with the Jinja2 templates of ``notifications/``.

Each notice is a section rendered with ``<template>.txt.j2`` / ``<template>.html.j2``;
``layout.*.j2`` wraps the sections. Dates are written the administrative way (Nghị định số
30/2020/NĐ-CP): "ngày 07 tháng 02 năm 2023" — a leading zero for days below 10 and for January
and February. Rules of an email read at real volume:

* **Summary first**: the email opens with the counts of each section (most urgent level first)
  and by unit (the units with the most urgent, then the most items first), and names each plan
  once by number and short title; items then name plans by number only.
* **At most** ``SECTION_LIMIT`` **items per section** and ``EMAIL_LIMIT`` per email (the most
  urgent sections fill first), the most overdue (then the nearest due) first, and a link to the
  dashboard filtered to the rest: an email stays under 150 KB on the heaviest seed day.
* **Links**: on an item the recipient answers for, the recipient's own signed link page; on any
  other item (the office's, the leadership's, another unit's, the admins'), the task's page.
* **Subject**: the most urgent section's subject, then the counts of the other sections.
* **Footer**: the contact officer and the Reply-To address when configured.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from engine.catalog.model import Catalog, Plan
from engine.collapse import collapse
from engine.compiled_templates import bytecode_cache
from engine.notices import ADMINS, Notice
from engine.periods import period_label
from engine.store.outbox import Rendered

SENDER_NAME = "Văn phòng Bộ Tư pháp"
SECTION_LIMIT = 30
EMAIL_LIMIT = 40  # items shown in one email, most urgent sections first (about 150 KB sent)
SHORT_TITLE = 70  # characters of a plan's short title

#: How the subject counts a section that is not the most urgent one.
NOUNS = {
    "reminder": "nhiệm vụ sắp đến hạn",
    "overdue": "nhiệm vụ quá hạn",
    "update_request": "nhiệm vụ cần cập nhật tiến độ",
    "escalation_digest": "nhiệm vụ quá hạn từ 5 ngày làm việc",
    "leadership": "nhiệm vụ quá hạn từ 30 ngày",
    "monthly_report": "báo cáo tháng",
    "quarterly_seminar": "tọa đàm quý",
    "data_quality": "trường hợp dữ liệu cần rà soát",
    "report_missing": "nhiệm vụ chưa cập nhật tiến độ",
}
#: The dashboard status a section's "the rest" link filters on.
VIEW_STATUS = {"overdue": "overdue", "report_missing": "report_missing", "due_soon": "due_soon"}


def vn_long_date(day: date) -> str:
    """ "ngày 21 tháng 6 năm 2023"; "ngày 07 tháng 02 năm 2023"."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_title(plan: Plan) -> str:
    """The plan's title in sentence case when written in capitals (words with digits keep
    their case), cut after a whole word at ``SHORT_TITLE`` characters with "…"."""
    title = " ".join(plan.title.split())
    if title.upper() == title:
        words = [w if re.search(r"\d", w) else w.lower() for w in title.split()]
        title = " ".join(words)
        title = title[:1].upper() + title[1:]
    if len(title) <= SHORT_TITLE:
        return title
    return title[: title.rfind(" ", 0, SHORT_TITLE)].rstrip(" ,;:-–") + "…"


@dataclass(frozen=True)
class MailContext:
    """What an email knows of its deployment: the web app's address, how to sign a unit's link
    page, the Reply-To address and the contact officer named in the footer."""

    base_url: str
    signed: Callable[[str], str]
    reply_to: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None

    def __call__(self, recipient: str, fields: dict[str, Any]) -> str | None:
        """The recipient unit's own signed link page (admins have none)."""
        return None if recipient == ADMINS else self.signed(recipient)

    def item(self, recipient: str, fields: dict[str, Any]) -> tuple[str, str]:
        """(link, label) of an item: the recipient's signed page on the items it answers
        for (``fields["unit"]`` is the answerable unit), the task's page on any other."""
        if recipient != ADMINS and fields.get("unit") == recipient:
            return self.signed(recipient), "Cập nhật tiến độ"
        task = fields.get("task")
        path = f"/plans/{fields['plan']}" + (f"/tasks/{task}" if task and task != "-" else "")
        return self.base_url.rstrip("/") + path, "Xem nhiệm vụ"

    def view(self, recipient: str, status: str | None, own: bool) -> str:
        """Where the rest of a section is: the recipient's own link page when every item is
        its own, else the dashboard filtered by the section's status."""
        if own and recipient != ADMINS:
            return self.signed(recipient)
        query = f"?{urlencode({'status': status})}" if status else ""
        return f"{self.base_url.rstrip('/')}/{query}"


@cache
def environment(folder: Path) -> Environment:
    """The Jinja2 environment of a templates folder, one per folder and process: templates are
    compiled once (or loaded compiled: :mod:`engine.compiled_templates`), and recompiled when
    their file changes (the loader checks its time)."""

    def autoescape(name: str | None) -> bool:
        return bool(name and name.endswith(".html.j2"))

    return Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache(),
    )


class EmailRenderer:
    """Renders one recipient's notices; callable as an outbox ``Renderer``."""

    def __init__(self, catalog: Catalog, folder: Path, links: MailContext | None = None):
        self.catalog = catalog
        self.env = environment(folder)
        self.links = links

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
        link, label = self.links.item(notice.recipient, fields) if self.links else (None, "")
        return {
            "plan_id": plan.id,
            "plan_number": plan.number,
            "task": fields["task"],
            "content": task.content if task else "",
            "section": task.section if task else "",
            "deadline": task.deadline if task else "",
            "due_vn": vn_long_date(occ.due) if occ and occ.due else None,
            "due": occ.due if occ else None,
            "status": occ.status.value if occ else "",
            "status_label": occ.status.label if occ else "",
            "days_overdue": occ.days_overdue if occ else 0,
            "working_days_overdue": occ.working_days_overdue if occ else 0,
            "working_days_to_due": occ.working_days_to_due if occ else None,
            "unit_id": unit.id,
            "unit_name": unit.name,
            "printed_unit_name": printed,
            "cooperating": [self.catalog.units[c].name for c in task.cooperating] if task else [],
            "milestone_label": (
                occ.label if occ and occ.label else period_label(fields["milestone"])
            ),
            "missed_in_a_row": occ.missed_in_a_row if occ else 0,
            "issue": fields.get("issue") or None,
            "link": link,
            "link_label": label,
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

    def context(self, notice: Notice, room: int = SECTION_LIMIT) -> dict[str, Any]:
        """A section: all its rows counted, the ``room`` (at most ``SECTION_LIMIT``) most
        urgent shown."""
        rows = sorted(
            self.rows(notice),
            key=lambda r: (-r["days_overdue"], r["due"] or date.max, r["unit_name"]),
        )
        shown = rows[: min(room, SECTION_LIMIT)]
        by_unit: dict[str, list[dict[str, Any]]] = {}
        for row in shown:
            by_unit.setdefault(row["unit_name"], []).append(row)
        units = Counter(r["unit_name"] for r in rows)
        longest: dict[str, int] = {}
        for row in rows:
            longest[row["unit_name"]] = max(longest.get(row["unit_name"], 0), row["days_overdue"])
        recipient = self.recipient(notice.recipient)
        own = all(r["unit_id"] == notice.recipient for r in rows)
        statuses = {r["status"] for r in rows}
        status = VIEW_STATUS.get(next(iter(statuses))) if len(statuses) == 1 else None
        return {
            "notice": {
                "rule": {"id": notice.rule.id, "name": notice.rule.name, "level": notice.level},
                "template": notice.template,
            },
            "recipient": recipient,
            "is_admin": notice.recipient == ADMINS,
            "as_of_vn": vn_long_date(notice.day),
            "occurrences": shown,
            "by_unit": list(by_unit.items()),
            "unit_count": len(units),
            "units": [(name, n, longest[name]) for name, n in units.most_common()],
            "unit_totals": dict(units),
            "count": len(rows),
            "more": len(rows) - len(shown),
            "missing_only": statuses == {"report_missing"},
            "more_link": self.links.view(notice.recipient, status, own) if self.links else None,
            "plans": sorted({r["plan_id"] for r in rows}),
        }

    def subject(self, ordered: Sequence[Notice], contexts: Sequence[dict[str, Any]]) -> str:
        """The most urgent section's subject, then "kèm N <noun>" for each other section."""
        top = self.env.get_template(f"{ordered[0].template}.subject.j2").render(contexts[0])
        others = [
            f"{c['count']} {NOUNS['report_missing' if c['missing_only'] else n.template]}"
            for n, c in zip(ordered[1:], contexts[1:], strict=True)
        ]
        return " ".join(top.split()) + (f"; kèm {', '.join(others)}" if others else "")

    def summary(
        self, ordered: Sequence[Notice], contexts: Sequence[dict[str, Any]]
    ) -> dict[str, Any]:
        """Counts by section (most urgent first) and by unit (most urgent level, then most
        items first); the plans the email names, each by number and short title."""
        by_unit: dict[str, list[int]] = {}
        for notice, ctx in zip(ordered, contexts, strict=True):
            for name, n, _ in ctx["units"]:
                level, total = by_unit.get(name, [notice.level, 0])
                by_unit[name] = [max(level, notice.level), total + n]
        units = sorted(by_unit.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        plan_ids = sorted({p for c in contexts for p in c["plans"]})
        plans = [self.catalog.plans[p] for p in plan_ids]
        return {
            "sections": [
                {"name": n.rule.name, "level": n.level, "count": c["count"], "more": c["more"]}
                for n, c in zip(ordered, contexts, strict=True)
            ],
            "units": [(name, total) for name, (_, total) in units],
            "plans": [
                {"number": p.number, "title": short_title(p), "signed_vn": vn_long_date(p.signed)}
                for p in plans
            ],
        }

    def __call__(self, recipient: str, notices: Sequence[Notice]) -> Rendered:
        ordered = sorted(notices, key=lambda n: (-n.level, n.rule.id))
        contexts, room = [], EMAIL_LIMIT
        for notice in ordered:
            contexts.append(self.context(notice, room))
            room -= len(contexts[-1]["occurrences"])
        subject = self.subject(ordered, contexts)
        texts = [
            self.env.get_template(f"{n.template}.txt.j2").render(c)
            for n, c in zip(ordered, contexts, strict=True)
        ]
        htmls = [
            Markup(self.env.get_template(f"{n.template}.html.j2").render(c))
            for n, c in zip(ordered, contexts, strict=True)
        ]
        links = self.links
        layout = {
            "recipient": self.recipient(recipient),
            "as_of_vn": vn_long_date(ordered[0].day),
            "subject": subject,
            "sender_name": SENDER_NAME,
            "footer_rule_ids": [n.rule.id for n in ordered],
            "summary": self.summary(ordered, contexts),
            "reply_to": links.reply_to if links else None,
            "contact_name": links.contact_name if links else None,
            "contact_phone": links.contact_phone if links else None,
        }
        text = self.env.get_template("layout.txt.j2").render(layout, sections_text=texts)
        html = self.env.get_template("layout.html.j2").render(layout, sections_html=htmls)
        return Rendered(subject, text, html)
