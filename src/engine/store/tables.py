"""SQLModel tables of recorded progress.

Each table mirrors one record type of :mod:`engine.progress` plus who recorded it and when.
Dates are calendar dates in Vietnam; ``recorded_at`` is an aware UTC timestamp.
"""

from datetime import UTC, date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class _Recorded(SQLModel):
    plan: str = Field(index=True)
    task: str = Field(index=True)
    recorded_at: datetime = Field(default_factory=_now)
    recorded_by: str = "cli"


class CompletionRow(_Recorded, table=True):
    __tablename__ = "completion"
    id: int | None = Field(default=None, primary_key=True)
    unit: str | None = None
    milestone: str | None = None
    done_on: date
    note: str | None = None
    evidence: str | None = None


class PeriodUpdateRow(_Recorded, table=True):
    __tablename__ = "period_update"
    id: int | None = Field(default=None, primary_key=True)
    unit: str
    period: str
    reported_on: date
    note: str | None = None


class TriggerRow(_Recorded, table=True):
    __tablename__ = "trigger_record"
    __table_args__ = (UniqueConstraint("plan", "task", "kind", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str
    key: str
    occurred_on: date
    due: date | None = None
    description: str | None = None


class SuspensionRow(_Recorded, table=True):
    __tablename__ = "suspension"
    id: int | None = Field(default=None, primary_key=True)
    unit: str | None = None
    start: date
    end: date | None = None
    reason: str
    document: str | None = None


class CancellationRow(_Recorded, table=True):
    __tablename__ = "cancellation"
    id: int | None = Field(default=None, primary_key=True)
    unit: str | None = None
    effective: date
    reason: str
    document: str | None = None


class ExtensionRow(_Recorded, table=True):
    __tablename__ = "extension"
    id: int | None = Field(default=None, primary_key=True)
    unit: str | None = None
    milestone: str | None = None
    new_due: date
    granted_on: date
    reason: str
    document: str | None = None
