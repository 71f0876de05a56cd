"""The only place the current date enters the engine: today in Vietnam."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> date:
    """Today's date in Asia/Ho_Chi_Minh (the plans' calendar)."""
    return datetime.now(VN).date()
