"""The only place the current date enters the engine: today in Vietnam.

``ENGINE_TODAY=YYYY-MM-DD`` pins "today" for every command, the daemon included (its
scheduler, start-up catch-up, the dashboard's default day, unit link pages and feeds), so that a
demo or a drill behaves exactly as on that day. Without it, today is the wall-clock date in
Asia/Ho_Chi_Minh (the plans' calendar).
"""

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY_VARIABLE = "ENGINE_TODAY"


class ClockError(ValueError):
    """``ENGINE_TODAY`` holds something that is not a date."""


def pinned_today() -> date | None:
    """The day ``ENGINE_TODAY`` pins, or ``None`` when it is unset or empty."""
    raw = os.environ.get(TODAY_VARIABLE, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ClockError(
            f"{TODAY_VARIABLE}={raw!r} không phải là một ngày hợp lệ (cần dạng YYYY-MM-DD, "
            "ví dụ 2023-06-21)"
        ) from None


def today() -> date:
    """Today: the day ``ENGINE_TODAY`` pins, else the current date in Asia/Ho_Chi_Minh."""
    return pinned_today() or datetime.now(VN).date()


def now() -> datetime:
    """The current time in Asia/Ho_Chi_Minh, on the day ``ENGINE_TODAY`` pins when it is set
    (what an email's Date header says: a demo of 21/06/2023 sends mail dated that day)."""
    current = datetime.now(VN)
    pinned = pinned_today()
    return datetime.combine(pinned, current.timetz()) if pinned else current
