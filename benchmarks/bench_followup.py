"""Benchmark: a daily follow-up run over 200,000 occurrences, a year's simulation of the seed
plans, and email delivery to a local SMTP server.

* Daily run: statuses + facts + matching + notices for the synthetic national catalogue of
  ``bench_status.py`` (≥ 200,000 occurrences, then ≥ 1,000,000), with durable-rules and with
  the plain-Python matcher in the same run, beside the bare due-date loop of ``bench_status.py``
  on the same catalogue (targets: 200,000 under 10 s; 1,000,000 under 20 s and 1 GB).
* Simulation: every day of 2023 for all seed plans (target: under 1 s).
* Delivery: 2,000 digest emails enqueued in a SQLite outbox and sent to ``engine mail-sink``
  running in a separate process on 127.0.0.1 (target: at least 200 emails/s); the enqueue
  time, and the CPU time of writing each email's bytes (``engine.mime``) beside the same
  email built by Python's ``email`` package (``tests/test_mime.py``'s reference).

Run: .venv/bin/python benchmarks/bench_followup.py [--sizes 200000 1000000] [--parts daily ...]
(every figure with its CPU time beside the wall time: the machine is shared)
(figures recorded in docs/benchmarks.md)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench_status import MINISTRIES, PROVINCES, ROOT, baseline_due_dates, national_catalogue

from engine.catalog.loader import load_catalog
from engine.escalation.matcher import DurableMatcher, PythonMatcher
from engine.followup import RECENT_PERIODS, notices_for_day, simulate
from engine.mail import SmtpConfig, deliver
from engine.mime import composer
from engine.notices import remember
from engine.progress import Progress
from engine.status import evaluate
from engine.store import outbox
from engine.store.database import make_engine
from engine.store.outbox import Rendered


def daily_run(target: int) -> None:
    """Ministries and provinces with 4 lead units each (the body and three departments; 4 more
    per further 200,000 occurrences, so that the plans stay within the years the grammar
    reads), as units the ladder reminds, one plan a year until the follow-up evaluation itself
    (recent periods only) holds ``target`` occurrences; the run is on 21/06 of the last year."""
    base = load_catalog(ROOT / "rules", ROOT / "schedules")
    per_body = 4 * max(1, target // 200_000)
    size = target
    while True:
        catalog, last = national_catalogue(base, size, role="unit", units_per_body=per_body)
        as_of = date(last.year, 6, 21)
        start = time.perf_counter()
        count = len(evaluate(catalog, Progress(), as_of, RECENT_PERIODS))
        evaluation = time.perf_counter() - start
        if count >= target:
            break
        size = int(size * target / count) + 1
    print(
        f"synthetic catalogue: {len(catalog.plans)} plans x 19 tasks x "
        f"{(MINISTRIES + PROVINCES) * per_body} units"
    )
    print(f"statuses alone (follow-up evaluation): {count:,} occurrences in {evaluation:.2f} s")
    for name, matcher_type in (("durable-rules", DurableMatcher), ("plain Python", PythonMatcher)):
        matcher = matcher_type(base.escalation.rules)
        start, cpu = time.perf_counter(), time.process_time()
        notices = notices_for_day(catalog, Progress(), as_of, matcher, {})
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        items = sum(len(n.items) for n in notices)
        print(
            f"daily run ({name}): {count:,} occurrences -> {len(notices):,} notices / {items:,} items "
            f"in {elapsed:.2f} s ({cpu:.2f} s CPU)"
        )
    start, cpu = time.perf_counter(), time.process_time()
    loop = baseline_due_dates(catalog, as_of)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"baseline due dates, same catalogue: {loop:,} occurrences in {elapsed:.2f} s "
        f"({cpu:.2f} s CPU); process max RSS so far {rss:,.0f} MiB"
    )


def year_simulation() -> None:
    """2023 on the seed plans: the span-by-span simulation beside the day-by-day runs it
    replaces (``notices_for_day`` on every day, history carried over) and a bare loop over the
    year's days, all in this run; the notices are checked equal."""
    catalog = load_catalog(ROOT / "rules", ROOT / "schedules")
    start_day, end_day = date(2023, 1, 1), date(2023, 12, 31)
    for name, matcher_type in (("durable-rules", DurableMatcher), ("plain Python", PythonMatcher)):
        matcher = matcher_type(catalog.escalation.rules)
        start, cpu = time.perf_counter(), time.process_time()
        notices = simulate(catalog, Progress(), start_day, end_day, matcher)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        matcher = matcher_type(catalog.escalation.rules)
        start, daily_cpu = time.perf_counter(), time.process_time()
        history: dict = {}
        daily = []
        day = start_day
        while day <= end_day:
            found = notices_for_day(catalog, Progress(), day, matcher, history)
            remember(history, found)
            daily.extend(found)
            day += timedelta(days=1)
        daily_elapsed, daily_cpu = time.perf_counter() - start, time.process_time() - daily_cpu
        assert daily == notices, "the simulation and the day-by-day runs differ"
        print(
            f"simulate 2023, all seed plans ({name}): {len(notices):,} notices in {elapsed:.2f} s "
            f"({cpu:.2f} s CPU; target < 1 s); day by day in the same run: "
            f"{daily_elapsed:.2f} s ({daily_cpu:.2f} s CPU) -> {daily_cpu / cpu:.1f}x"
        )
    start, cpu = time.perf_counter(), time.process_time()
    day, days = start_day, 0
    while day <= end_day:
        days += catalog.calendar.is_working_day(day)
        day += timedelta(days=1)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"baseline: {days} working days of 2023 counted in {elapsed:.4f} s ({cpu:.4f} s CPU)")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _compose_figures(body: str, html: str, count: int = 300) -> None:
    """CPU per email: its bytes written by ``engine.mime`` and by the ``email`` package."""
    sys.path.insert(0, str(ROOT))
    try:
        from tests.test_mime import _package
    finally:
        sys.path.remove(str(ROOT))
    sender = "Văn phòng Bộ <van-phong-bo@btp.example>"
    compose = composer(sender)
    keys = [f"{i:040x}" for i in range(40)]  # a digest's idempotency keys
    emails = [
        (f"<{i}@btp.example>", [f"unit-{i}@btp.example"], Rendered(f"Nhắc việc ({i})", body, html))
        for i in range(count)
    ]
    start = time.process_time()
    for message_id, to, rendered in emails:
        compose(message_id, to, rendered, keys)
    ours = (time.process_time() - start) / count * 1000
    start = time.process_time()
    for message_id, to, rendered in emails:
        _package(sender, None, message_id, to, rendered, keys)
    package = (time.process_time() - start) / count * 1000
    print(
        f"email bytes: engine.mime {ours:.2f} ms CPU per email; the email package "
        f"{package:.2f} ms (ratio {package / ours:.1f})"
    )


def delivery(count: int, connections: int) -> None:
    folder = Path(tempfile.mkdtemp())
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    body = "Kính gửi: Cục Công nghệ thông tin\n\n" + "Nhiệm vụ quá hạn: Xây dựng báo cáo ...\n" * 40
    html = (
        "<table>"
        + "<tr><td>Nhiệm vụ quá hạn</td><td>ngày 30 tháng 6 năm 2023</td></tr>" * 40
        + "</table>"
    )
    compose = composer("Văn phòng Bộ <van-phong-bo@btp.example>")
    _compose_figures(body, html)
    enqueue_start = time.perf_counter(), time.process_time()
    for i in range(count):
        rendered = Rendered(f"[Đề án 06] Báo cáo Văn phòng Bộ: nhiệm vụ quá hạn ({i})", body, html)
        outbox.enqueue_plain(
            engine,
            f"unit-{i}",
            [f"unit-{i}@btp.example"],
            date(2023, 7, 7),
            rendered,
            str(i),
            compose,
        )
    print(
        f"enqueue: {count:,} emails in {time.perf_counter() - enqueue_start[0]:.2f} s "
        f"({time.process_time() - enqueue_start[1]:.2f} s CPU)"
    )
    port = _port()
    sink = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine.cli",
            "mail-sink",
            "--port",
            str(port),
            "--dir",
            str(folder / "mail"),
        ],
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        config = SmtpConfig(host="127.0.0.1", port=port, connections=connections)
        start = time.perf_counter()
        sent = 0
        while sent < count:
            report = asyncio.run(deliver(engine, config, limit=count))
            sent += report.sent
            if not report.sent:
                break
        elapsed = time.perf_counter() - start
        time.sleep(0.5)
        saved = len(list((folder / "mail").glob("*.eml")))
        print(
            f"delivery: {sent:,} emails over {connections} connections in {elapsed:.2f} s "
            f"-> {sent / elapsed:,.0f} emails/s (target >= 200/s); {saved:,} .eml files written by the sink"
        )
    finally:
        sink.terminate()
        sink.wait(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=["daily", "simulation", "delivery"],
        default=["daily", "simulation", "delivery"],
        help="what to run (a size alone in its own process gives its own peak RSS)",
    )
    args = parser.parse_args()
    if "daily" in args.parts:
        for size in args.sizes:
            daily_run(size)
    if "simulation" in args.parts:
        year_simulation()
    if "delivery" in args.parts:
        delivery(2_000, connections=4)
