"""The edge that runs a day: load progress, compute notices, enqueue, report failures.

``run_days`` is what the scheduler calls (the day, or the missed days at start-up) and
``run_day`` what ``engine run-once`` calls; both are safe to call twice for the same day, from
two processes at once, or after a crash: the outbox's idempotency keys keep every notice to
one email, and ``day_run`` keeps every day to one evaluation by the daemon.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from markupsafe import escape
from sqlalchemy.engine import Engine

from engine.catalog.model import Catalog
from engine.config import Settings
from engine.emails import EmailRenderer, MailContext, vn_long_date
from engine.escalation.matcher import DurableMatcher, Matcher, PythonMatcher
from engine.escalation.rules import Silence
from engine.followup import notices_for_day
from engine.mime import composer
from engine.notices import ADMINS, Notice, Targets, remember
from engine.store import days as days_store
from engine.store import outbox
from engine.store.database import load_progress
from engine.store.outbox import Composer, Rendered
from engine.store.tables import OutboxMessage
from engine.timeline import Timeline
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


LinkBuilder = MailContext


def unit_links(settings: Settings) -> MailContext:
    """What emails link to and name: the web app, each recipient unit's signed link page (one
    per recipient per run; admins get none), the Reply-To address and the contact officer."""
    links = Links(load_secret(Path(settings.data_dir) / "secret.key", settings.secret_key))
    made: dict[str, str] = {}

    def signed(recipient: str) -> str:
        if recipient not in made:
            made[recipient] = f"{settings.base_url.rstrip('/')}/u/{links.make(recipient)}"
        return made[recipient]

    return MailContext(
        settings.base_url,
        signed,
        settings.reply_to,
        settings.contact_name,
        settings.contact_phone,
    )


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
    """Run one day (see :func:`run_days`)."""
    results = run_days(catalog, engine, [day], matcher, templates, mode, mail_from, link_for)
    return results[0] if results else DayResult(day, [], [], False)


def run_days(
    catalog: Catalog,
    engine: Engine,
    days: Sequence[date],
    matcher: Matcher,
    templates: Path,
    mode: str = "manual",
    mail_from: str = DEFAULT_FROM,
    link_for: LinkBuilder | None = None,
) -> list[DayResult]:
    """Run ``days`` in date order, as one catch-up.

    The daemon's runs (``scheduled``, ``catch-up``) evaluate only the days this process could
    take (see :mod:`engine.store.days`); a ``manual`` run evaluates every day given (the
    outbox's keys make that harmless). Each day's notices are planned with the history of the
    days before it; an item is then superseded when a later day of the same catch-up notifies
    the same occurrence to the same recipient (a reminder whose due date passed meanwhile gives
    way to the overdue notice): it is recorded, logged, and put in no email. A day is marked
    finished only after everything it enqueues is committed.
    """
    worker = days_store.worker_token()
    held = days_store.start_days(engine, days, mode, worker)
    todo = sorted(days) if mode == "manual" else sorted(held)
    if not todo:
        return []
    renderer = EmailRenderer(catalog, templates, link_for)
    compose = composer(mail_from, link_for.reply_to if link_for else None)
    with days_store.heartbeat(engine, worker):
        history, silences = outbox.history(engine), load_silences(engine)
        progress = load_progress(engine)
        planned = []
        timeline, targets = Timeline(catalog), Targets(catalog)
        for day in todo:
            notices = notices_for_day(
                catalog, progress, day, matcher, history, silences, None, timeline, targets
            )
            remember(history, notices)
            planned.append((day, notices))
        superseded = supersession(planned)
        results = []
        for day, notices in planned:
            created = outbox.enqueue(
                engine, notices, renderer, renderer.addresses, compose, superseded
            )
            if day == todo[-1]:
                created += report_failures(catalog, engine, day, compose)
            if day in held:
                days_store.finish_day(
                    engine, day, worker, sum(len(n.items) for n in notices), len(created)
                )
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
            results.append(DayResult(day, notices, created, day in held))
    return results


def supersession(planned: Sequence[tuple[date, Sequence[Notice]]]) -> dict[str, str]:
    """Key of each item → key of the last later item about the same (occurrence, recipient);
    every superseded item is logged."""
    last: dict[tuple[str, str], tuple[date, str]] = {}
    for day, notices in planned:
        for notice in notices:
            for item in notice.items:
                last[(item.fact.key, notice.recipient)] = (day, item.idempotency_key)
    superseded: dict[str, str] = {}
    for day, notices in planned:
        for notice in notices:
            for item in notice.items:
                later_day, later = last[(item.fact.key, notice.recipient)]
                if later_day > day:
                    superseded[item.idempotency_key] = later
                    log.info(
                        "notice superseded",
                        extra={
                            "event": "superseded",
                            "day": day.isoformat(),
                            "rule": notice.rule.id,
                            "recipient": notice.recipient,
                            "occurrence": item.fact.key,
                            "by_day": later_day.isoformat(),
                        },
                    )
    return superseded


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
