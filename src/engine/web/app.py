"""The FastAPI app: server-rendered Vietnamese pages, no JavaScript.

Routes are grouped by audience: :mod:`officers` (signed-in officers' pages and downloads),
:mod:`units` (units' forms through signed links), :mod:`admin` (sign-in and admin actions),
:mod:`files` (Excel import, evidence files, calendar feeds), :mod:`plan_upload` (a plan
document → draft rule file). :mod:`guards` wraps every request
(security headers, body caps, link gate) and :mod:`sessions` keeps officers' sessions on the
server. docs/security.md lists the controls and the tests that show them.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute

from engine import clock
from engine.catalog.watch import RuleWatcher
from engine.config import Settings
from engine.store import outbox
from engine.store.database import make_engine
from engine.web import admin, errors, files, officers, plan_upload, units
from engine.web.common import make_templates
from engine.web.guards import Guard, redact_access_log, trusted_networks
from engine.web.security import Links, load_secret
from engine.web.state import WebState

ROUTES: tuple[BaseRoute, ...] = tuple(
    route for group in (officers, units, admin, files, plan_upload) for route in group.router.routes
)
"""Every page's route, built once per process and shared by the apps it creates.

``app.include_router`` would wrap each group again for every app, and FastAPI then builds each
route's request handling anew on that app's first request (about 60 ms of CPU; a test session
creates hundreds of apps, a server one). The routes hold no state of their own: what a request
needs comes from ``request.app.state``."""


def create_app(settings: Settings) -> FastAPI:
    secret = load_secret(Path(settings.data_dir) / "secret.key", settings.secret_key)
    state = WebState(
        settings,
        make_engine(settings.database_url),
        RuleWatcher(settings.rules_dir, settings.schedules_dir, settings.data_dir),
        Links(secret),
        secret,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        files.sweep_previews(state)
        plan_upload.sweep_uploads(state)
        # Warm today's statuses in the background so that the first visitor is served at once.
        threading.Thread(target=state.occurrences, args=(clock.today(),), daemon=True).start()
        yield

    app = FastAPI(
        title="Đề án 06 — theo dõi, đôn đốc",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        routes=list(ROUTES),
    )
    # The cookie only carries the session's random id and CSRF token; the session itself, its
    # lifetimes and its end are on the server (engine.web.sessions).
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="dean06_session",
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(Guard, state=state)  # outermost: headers on every response
    app.state.web = state
    app.state.templates = make_templates()
    app.state.trusted_proxies = trusted_networks(settings.trusted_proxies)
    redact_access_log()

    errors.install(app)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        runs = outbox.last_runs(state.engine, 1)
        counts = outbox.counts(state.engine)
        return {
            "last_run_day": runs[0].day.isoformat() if runs else None,
            "pending": counts.get("pending", 0),
            "failed": counts.get("failed", 0),
            "rules": "ok" if not state.rules_errors else "broken",
        }

    return app
