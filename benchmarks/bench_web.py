"""Benchmark: the dashboard's overview page over the synthetic national catalogue.

The app is built on the synthetic catalogue of ``bench_status.py`` (≥ 200,000 occurrences) and
the overview is requested through the ASGI test client by a signed-in officer. Printed: the
server time of a cold request (statuses evaluated for that day, then the page) and of warm
requests (statuses served from the app's cache, keyed by rules, recorded progress and day),
and the page size, each beside its baseline in the same run: the cold request beside the bare
due-date loop over the same catalogue (``bench_status.baseline_due_dates``), the warm ones
beside ``/healthz`` through the same client (the framework's and the client's own cost).
Targets: warm ≤ 150 ms, cold ≤ 1 s.

Run: .venv/bin/python benchmarks/bench_web.py   (figures recorded in docs/benchmarks.md)
"""

from __future__ import annotations

import statistics
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

from bench_status import ROOT, baseline_due_dates, national_catalogue

from engine.catalog.loader import load_catalog
from engine.config import load_settings
from engine.store.database import record
from engine.store.tables import UserRow
from engine.web.security import hash_password

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

    from engine.web.app import create_app


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    settings = load_settings(
        rules_dir=ROOT / "rules",
        schedules_dir=ROOT / "schedules",
        database_url=f"sqlite:///{folder / 'bench.db'}",
        data_dir=folder,
        secret_key="bench",
    )
    app = create_app(settings)
    state = app.state.web
    base = load_catalog(ROOT / "rules", ROOT / "schedules")
    state.rules.catalog, last = national_catalogue(base, 200_000)  # the files are unchanged: kept
    record(
        state.engine,
        UserRow(username="vp", full_name="Bench", password_hash=hash_password("benchmark")),
    )
    client = TestClient(app)
    login = client.get("/admin/login").text
    csrf = login.split('name="csrf" value="')[1].split('"')[0]
    client.post("/admin/login", data={"username": "vp", "password": "benchmark", "csrf": csrf})
    as_of = date(last.year, 12, 31).isoformat()
    start = time.perf_counter()
    response = client.get(f"/?as_of={as_of}")
    cold = time.perf_counter() - start
    assert response.status_code == 200
    count = len(state.occurrences(date.fromisoformat(as_of)))
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        client.get(f"/?as_of={as_of}")
        warm.append(time.perf_counter() - start)
    floor = []
    for _ in range(5):
        start = time.perf_counter()
        client.get("/healthz")
        floor.append(time.perf_counter() - start)
    start = time.perf_counter()
    looped = baseline_due_dates(state.rules.catalog, date.fromisoformat(as_of))
    loop = time.perf_counter() - start
    print(
        f"overview page over {count:,} occurrences: cold {cold:.2f} s (evaluation + page; "
        f"the bare due-date loop over {looped:,} due dates of the same catalogue: {loop:.2f} s, "
        f"{cold / loop:.1f}x), warm median {statistics.median(warm):.3f} s, min "
        f"{min(warm):.3f} s (/healthz through the same client: median "
        f"{statistics.median(floor):.4f} s); page {len(response.content) / 1024:,.0f} KiB "
        "(targets: warm <= 0.15 s, cold <= 1 s)"
    )


if __name__ == "__main__":
    main()
