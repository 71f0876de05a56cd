"""Day runs: a day is done only when its run finished.

``day_run`` has one row per day. A process takes its days with one upsert (insert each day, or
take over a row that is unfinished and whose heartbeat is older than :data:`DAY_LEASE`), renews
the heartbeat while it runs, and sets ``finished_at`` at the end. So exactly one live process
evaluates a day at a time, a run that crashed is redone by the next process that looks (within
:data:`DAY_LEASE`), and a finished day is never evaluated again by the daemon.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engine.store.batches import chunks, insert_for, rows_per_statement
from engine.store.tables import DayRun

#: A run whose heartbeat is older than this is taken to have crashed.
DAY_LEASE = timedelta(minutes=2)
#: How far back the daemon catches up missed days at start-up.
CATCH_UP_DAYS = 31


def _now() -> datetime:
    return datetime.now(UTC)


def worker_token() -> str:
    """A token naming one run by one process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def start_days(engine: Engine, days: Iterable[date], mode: str, worker: str) -> set[date]:
    """Take ``days`` for ``worker``; the days taken (not those finished or run by a live process).

    One transaction: each day is inserted, or taken over when unfinished with an expired
    heartbeat, by a multi-row upsert (days in date order, so two processes lock them in the
    same order); each day is taken or not on its own, as with one statement per day.
    """
    now = _now()
    host = socket.gethostname()
    table = DayRun.__table__  # type: ignore[attr-defined]
    taken = {
        "mode": mode,
        "host": host,
        "started_at": now,
        "claimed_by": worker,
        "heartbeat_at": now,
    }
    rows = [{"day": day, **taken} for day in sorted(set(days))]
    held: set[date] = set()
    with engine.begin() as connection:
        for chunk in chunks(rows, rows_per_statement(table)):
            statement = insert_for(engine, table).values(chunk)
            statement = statement.on_conflict_do_update(
                index_elements=["day"],
                set_=taken,
                where=table.c.finished_at.is_(None)
                & (table.c.heartbeat_at.is_(None) | (table.c.heartbeat_at < now - DAY_LEASE)),
            ).returning(table.c.day)
            held.update(connection.execute(statement).scalars())
    return held


@contextmanager
def heartbeat(engine: Engine, worker: str) -> Iterator[None]:
    """Renew the heartbeat of the days ``worker`` holds, in a thread, while the block runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(DAY_LEASE.total_seconds() / 4):
            try:
                with Session(engine) as session, session.begin():
                    session.execute(
                        update(DayRun)
                        .where(DayRun.claimed_by == worker, DayRun.finished_at.is_(None))
                        .values(heartbeat_at=_now())
                    )
            except Exception:
                continue

    thread = threading.Thread(target=beat, name="day-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def finish_day(engine: Engine, day: date, worker: str, notices: int, messages: int) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(DayRun)
            .where(DayRun.day == day, DayRun.claimed_by == worker)
            .values(finished_at=_now(), notices=notices, messages=messages, claimed_by=None)
        )


def days_to_run(engine: Engine, today: date, bound: int = CATCH_UP_DAYS) -> list[date]:
    """The days the daemon owes, in date order: every day after the last finished run, and
    every unfinished run, within the last ``bound`` days up to ``today``."""
    first = today - timedelta(days=bound - 1)
    with Session(engine) as session:
        last = session.execute(
            select(func.max(DayRun.day)).where(DayRun.finished_at.is_not(None))
        ).scalar()
        finished = set(
            session.execute(
                select(DayRun.day).where(DayRun.day >= first, DayRun.finished_at.is_not(None))
            ).scalars()
        )
    start = max(first, last + timedelta(days=1)) if last else today
    start = min([start, *unfinished_days(engine, first)])
    return [
        start + timedelta(days=n)
        for n in range((today - start).days + 1)
        if start + timedelta(days=n) not in finished
    ]


def unfinished_days(engine: Engine, since: date) -> list[date]:
    """Days from ``since`` whose run started and never finished (crashed or still running)."""
    with Session(engine) as session:
        return list(
            session.execute(
                select(DayRun.day)
                .where(DayRun.day >= since, DayRun.finished_at.is_(None))
                .order_by(DayRun.day)
            ).scalars()
        )


def last_runs(engine: Engine, limit: int = 10) -> list[DayRun]:
    with Session(engine) as session:
        rows = list(
            session.execute(select(DayRun).order_by(DayRun.day.desc()).limit(limit)).scalars()
        )
        session.expunge_all()
        return rows
