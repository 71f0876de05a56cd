"""``engine serve``: APScheduler (3.x) in Vietnam time around the pure core.

Jobs: the daily evaluation at ``schedules/jobs.yaml``'s time, the outbox sender every few
minutes, and a rule-file watcher. The scheduler only triggers: ``day_run`` (see
:mod:`engine.store.days`) keeps every day to one evaluation, even with two daemons on one
PostgreSQL. At start-up every day missed since the last finished run is run, in date order,
at most ``catch_up_days`` back (a later notice about the same occurrence and recipient
supersedes an earlier one, which is logged); the sender's job also redoes any run that
crashed. Messages failing for ``outbox_alert_hours`` are reported to the admins once.

Edited rule files are reloaded when they change; a broken edit is refused with its errors
logged and mailed once to the admins, and the daemon keeps running on the last good rules.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from engine import clock
from engine.catalog.errors import RuleErrors
from engine.catalog.model import Catalog
from engine.catalog.watch import RuleWatcher
from engine.config import Settings
from engine.escalation.matcher import Matcher
from engine.mail import SmtpConfig, deliver
from engine.mime import composer
from engine.runner import make_matcher, run_days, unit_links
from engine.store import days as days_store
from engine.store import outbox
from engine.store.database import make_engine
from engine.store.outbox import Rendered

log = logging.getLogger("engine.scheduler")


@dataclass
class Daemon:
    settings: Settings
    rules: RuleWatcher
    matcher: Matcher
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    engine: Engine = field(init=False)

    @classmethod
    def start(cls, settings: Settings) -> Daemon:
        rules = RuleWatcher(settings.rules_dir, settings.schedules_dir, settings.data_dir)
        daemon = cls(settings, rules, make_matcher(rules.catalog, settings.matcher))
        daemon.engine = make_engine(settings.database_url)
        return daemon

    @property
    def catalog(self) -> Catalog:
        return self.rules.catalog

    @property
    def rules_state(self) -> str:
        return "broken" if self.rules.errors else "ok"

    @property
    def rules_errors(self) -> list[str]:
        return self.rules.errors

    def reload_if_changed(self) -> bool:
        """Swap in edited rules if they are valid; keep the last good ones otherwise."""
        outcome = self.rules.refresh()
        if outcome == "rejected":
            assert self.rules.rejected is not None
            log.error(
                "rules rejected", extra={"event": "rules_rejected", "errors": self.rules.errors}
            )
            self._tell_admins(self.rules.rejected)
        elif outcome == "reloaded":
            self.matcher = make_matcher(self.catalog, self.settings.matcher)
            self.loaded_at = datetime.now(UTC)
            log.info("rules reloaded", extra={"event": "rules_reloaded"})
        return outcome == "reloaded"

    def _tell_admins(self, exc: RuleErrors) -> None:
        admins = list(self.catalog.escalation.admins)
        if not admins:
            return
        errors = "\n".join(str(e) for e in exc.errors)
        text = (
            "Kính gửi: Quản trị hệ thống\n\nBộ quy tắc vừa sửa có lỗi nên chưa được nạp; hệ thống "
            f"tiếp tục chạy với bộ quy tắc hợp lệ gần nhất.\n\n{errors}\n"
        )
        rendered = Rendered(
            "[Đề án 06] Bộ quy tắc vừa sửa có lỗi, chưa được nạp",
            text,
            f"<pre>{_escape(text)}</pre>",
        )
        compose = composer(self.settings.mail_from)
        outbox.enqueue_plain(
            self.engine,
            "admins",
            admins,
            clock.today(),
            rendered,
            f"rules:{self.rules.seen}",
            compose,
            "rules_error",
        )

    def daily(self, mode: str = "scheduled") -> None:
        """Evaluate today (unless it is finished or another daemon runs it), then send."""
        self._run([clock.today()], mode)
        self.send()

    def catch_up(self) -> None:
        """Run every day owed since the last finished run (bounded), in date order."""
        days = days_store.days_to_run(self.engine, clock.today(), self.settings.catch_up_days)
        self._run(days, "catch-up")

    def _run(self, days: list[date], mode: str) -> None:
        if days:
            run_days(
                self.catalog,
                self.engine,
                days,
                self.matcher,
                self.settings.templates_dir,
                mode,
                self.settings.mail_from,
                unit_links(self.settings),
            )

    def send(self) -> None:
        """One sender pass, after redoing crashed day runs; then tell the admins about mail
        failing for longer than ``outbox_alert_hours``."""
        since = clock.today() - timedelta(days=self.settings.catch_up_days)
        self._run(days_store.unfinished_days(self.engine, since), "catch-up")
        report = asyncio.run(deliver(self.engine, SmtpConfig.of(self.settings)))
        if report.sent or report.retried or report.failed:
            log.info(
                "outbox sent",
                extra={
                    "event": "outbox",
                    "sent": report.sent,
                    "retried": report.retried,
                    "failed": report.failed,
                },
            )
        self.alert_stuck()

    def alert_stuck(self) -> None:
        stuck = outbox.failing_since(self.engine, timedelta(hours=self.settings.outbox_alert_hours))
        admins = list(self.catalog.escalation.admins)
        if not stuck or not admins:
            return
        log.error("outbox degraded", extra={"event": "outbox_degraded", "stuck": len(stuck)})
        first = min(m.first_failure_at for m in stuck if m.first_failure_at)
        lines = "\n".join(f"- {m.message_id} gửi {m.recipient}: {m.last_error}" for m in stuck)
        text = (
            "Kính gửi: Quản trị hệ thống\n\n"
            f"{len(stuck)} thư chưa gửi được từ {first.astimezone(clock.VN):%H:%M %d/%m/%Y}; "
            f"hệ thống vẫn đang thử gửi lại.\n\n{lines}\n"
        )
        outbox.enqueue_plain(
            self.engine,
            "admins",
            admins,
            clock.today(),
            Rendered(
                f"[Đề án 06] {len(stuck)} thư chưa gửi được quá "
                f"{self.settings.outbox_alert_hours:g} giờ",
                text,
                f"<pre>{_escape(text)}</pre>",
            ),
            f"stuck:{stuck[0].id}:{first.isoformat()}",
            composer(self.settings.mail_from),
            "outbox_alert",
        )

    def serve(self, web: bool = True) -> None:
        """Run the jobs; with ``web`` the dashboard is served in the foreground beside them."""
        jobs = self.catalog.jobs
        hour, minute = (int(x) for x in jobs.daily_evaluation.split(":"))
        scheduler = (
            BackgroundScheduler(timezone=clock.VN) if web else BlockingScheduler(timezone=clock.VN)
        )
        scheduler.add_job(
            self.daily,
            CronTrigger(hour=hour, minute=minute, timezone=clock.VN),
            id="daily",
            misfire_grace_time=6 * 3600,
            coalesce=True,
            max_instances=1,
        )
        scheduler.add_job(
            self.send,
            IntervalTrigger(minutes=jobs.outbox_interval_minutes),
            id="send",
            coalesce=True,
            max_instances=1,
        )
        scheduler.add_job(
            self.reload_if_changed, IntervalTrigger(seconds=30), id="reload", coalesce=True
        )
        self.catch_up()
        self.send()
        log.info("serving", extra={"event": "serve", "daily_at": jobs.daily_evaluation})
        scheduler.start()
        if web:
            import uvicorn

            from engine.web.app import create_app

            try:
                uvicorn.run(
                    create_app(self.settings),
                    host=self.settings.web_host,
                    port=self.settings.web_port,
                    log_config=None,
                    proxy_headers=False,  # the app believes proxies from ENGINE_TRUSTED_PROXIES only
                )
            finally:
                scheduler.shutdown(wait=False)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
