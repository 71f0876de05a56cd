"""Helpers of the web tests: the test client, the CSRF token of a page, signing in, and a live
server on loopback with Debian's Chromium for the browser tests."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "mat-khau-du-dai"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "PASSWORD",
    "LiveServer",
    "TestClient",
    "cheap_password_hash",
    "csrf_of",
    "live_server",
    "login",
    "needs_chromium",
]


#: scrypt's cost for the tests' accounts: signing in checks a password at the cost its stored
#: hash names, and 2**14 (what the engine uses) takes a tenth of a second per sign-in.
TEST_COST = 2**4


@cache
def cheap_password_hash() -> str:
    """The stored hash of :data:`PASSWORD` at :data:`TEST_COST`, made once per process."""
    from engine.web.security import hash_password

    return hash_password(PASSWORD, TEST_COST)


def csrf_of(html: str) -> str:
    """The first CSRF token of a page (the session's, in the header's logout form)."""
    return re.search(r'name="csrf" value="([^"]+)"', html)[1]  # type: ignore[index]


def login(client: TestClient, username: str = "vp", password: str = PASSWORD) -> None:
    csrf = csrf_of(client.get("/admin/login").text)
    data = {"username": username, "password": password, "csrf": csrf, "next": "/"}
    response = client.post("/admin/login", data=data, follow_redirects=False)
    assert response.status_code == 303


@dataclass(frozen=True)
class LiveServer:
    """A running web app: its address, database, data folder and the app itself."""

    base: str
    engine: Any
    folder: Path
    app: Any


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(folder: Path) -> Iterator[LiveServer]:
    """The web app on the shipped rules served by uvicorn on loopback, with an admin "vp"
    (password :data:`PASSWORD`) and today's run done (the outbox holds its emails)."""
    import uvicorn

    from engine import clock
    from engine.config import load_settings
    from engine.runner import make_matcher, run_day, unit_links
    from engine.store.database import record
    from engine.store.tables import UserRow
    from engine.web.app import create_app
    from tests.conftest import RULES, SCHEDULES, load_catalog_memo, shipped_rules_in_memory

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    settings = load_settings(
        rules_dir=RULES,
        schedules_dir=SCHEDULES,
        database_url=f"sqlite:///{folder / 'engine.db'}",
        data_dir=folder,
        base_url=base,
        templates_dir=RULES.parent / "notifications",
        matcher="python",
    )
    with shipped_rules_in_memory():
        app = create_app(settings)
    engine = app.state.web.engine
    record(
        engine,
        UserRow(username="vp", full_name="Nguyễn Văn A", password_hash=cheap_password_hash()),
    )
    catalog = load_catalog_memo(RULES, SCHEDULES)
    run_day(
        catalog,
        engine,
        catalog.calendar.roll_backward(clock.today()),
        make_matcher(catalog, "python"),
        settings.templates_dir,
        "manual",
        settings.mail_from,
        unit_links(settings),
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        yield LiveServer(base, engine, folder, app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
