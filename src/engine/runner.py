"""The edge that runs a day: load progress, compute notices, enqueue, report failures.

``run_day`` is what the scheduler calls once a day and what ``engine run-once`` calls; it is
safe to call twice for the same day, from two processes at once, or after a crash: the
outbox's idempotency keys keep every notice to one email.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from markupsafe import escape
from sqlalchemy.engine import Engine

from engine.catalog.model import Catalog
from engine.config import Settings
from engine.emails import EmailRenderer, vn_long_date
from engine.escalation.matcher import DurableMatcher, Matcher, PythonMatcher
from engine.escalation.rules import Silence
from engine.followup import notices_for_day
from engine.mail import composer
from engine.notices import ADMINS, Notice
from engine.store import outbox
from engine.store.database import load_progress
from engine.store.outbox import Composer, Rendered
from engine.store.tables import OutboxMessage
from engine.web.security import Links, load_secret

log = logging.getLogger("engine.runner")
DEFAULT_FROM = Settings.model_fields["mail_from"].default


@dataclass
class DayResult:
    day: date
    notices: list[Notice]
    messages: list[int]
    first_run: bool


def make_matcher(catalog: Catalog, kind: str = "durable") -> Matcher:
    rules = catalog.escalation.rules
    return DurableMatcher(rules) if kind == "durable" else PythonMatcher(rules)


LinkBuilder = Callable[[str, dict[str, Any]], str | None]


def unit_links(settings: Settings) -> LinkBuilder:
    """Each email gets one signed link for its recipient unit (admins get none)."""
    links = Links(load_secret(Path(settings.data_dir) / "secret.key", settings.secret_key))
    made: dict[str, str] = {}

    def link_for(recipient: str, fields: dict[str, Any]) -> str | None:
        if recipient == ADMINS:
            return None
        if recipient not in made:
            made[recipient] = f"{settings.base_url.rstrip('/')}/u/{links.make(recipient)}"
        return made[recipient]

    return link_for


def load_silences(engine: Engine) -> list[Silence]:
    return [
        Silence(
            plan=s.plan, task=s.task, unit=s.unit, author=s.author, reason=s.reason, until=s.until
        )
        for s in outbox.silences(engine)
    ]


def compute(catalog: Catalog, engine: Engine, day: date, matcher: Matcher) -> list[Notice]:
    """The notices due on ``day`` given what the database holds (nothing is written)."""
    return notices_for_day(
        catalog, load_progress(engine), day, matcher, outbox.history(engine), load_silences(engine)
    )


def run_day(
    catalog: Catalog,
    engine: Engine,
    day: date,
    matcher: Matcher,
    templates: Path,
    mode: str = "manual",
    mail_from: str = DEFAULT_FROM,
    link_for: LinkBuilder | None = None,
) -> DayResult:
    first = outbox.start_day(engine, day, mode)
    notices = compute(catalog, engine, day, matcher)
    renderer = EmailRenderer(catalog, templates, link_for)
    compose = composer(mail_from)
    created = outbox.enqueue(engine, notices, renderer, renderer.addresses, compose)
    created += report_failures(catalog, engine, day, compose)
    outbox.finish_day(engine, day, sum(len(n.items) for n in notices), len(created))
    log.info(
        "day run",
        extra={
            "event": "day_run",
            "day": day.isoformat(),
            "mode": mode,
            "notices": len(notices),
            "messages": len(created),
        },
    )
    return DayResult(day, notices, created, first)


def report_failures(catalog: Catalog, engine: Engine, day: date, compose: Composer) -> list[int]:
    """One email to the admins listing messages that failed for good since the last report."""
    failed = outbox.unreported_failures(engine)
    if not failed or not catalog.escalation.admins:
        return []
    rendered = _failure_email(failed, day)
    ids = outbox.enqueue_plain(
        engine,
        ADMINS,
        list(catalog.escalation.admins),
        day,
        rendered,
        f"failures:{failed[-1].id}",
        compose,
        "failure_report",
    )
    outbox.mark_failures_reported(engine, [m.id for m in failed if m.id is not None])
    return ids


def _failure_email(failed: list[OutboxMessage], day: date) -> Rendered:
    lines = [
        f"- {m.message_id} gửi {m.recipient} <{m.addresses or 'không có địa chỉ'}>: {m.subject} — lỗi: {m.last_error}"
        for m in failed
    ]
    subject = f"[Đề án 06] {len(failed)} thư không gửi được ({vn_long_date(day)})"
    text = (
        "Kính gửi: Quản trị hệ thống\n\nCác thư sau không gửi được và đã dừng gửi lại:\n"
        + "\n".join(lines)
    )
    text += "\n\nXem và gửi lại: engine outbox --status failed; engine outbox retry <mã>.\n"
    html = "<p>Kính gửi: Quản trị hệ thống</p><p>Các thư sau không gửi được:</p><ul>"
    html += "".join(f"<li>{escape(line[2:])}</li>" for line in lines) + "</ul>"
    return Rendered(subject, text, html)
