"""SQLModel tables of recorded progress.

Each table mirrors one record type of :mod:`engine.progress` plus who recorded it and when.
Dates are calendar dates in Vietnam; ``recorded_at`` is an aware UTC timestamp.
"""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, LargeBinary, UniqueConstraint
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
    evidence_file: str | None = None


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
    units: str | None = None  # the unit ids it concerns, space-separated; None: every lead


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


class OutboxMessage(SQLModel, table=True):
    """One email to one recipient, made of the notice items enqueued with it."""

    __tablename__ = "outbox_message"
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(unique=True)
    recipient: str = Field(index=True)
    kind: str = "notices"  # notices | failure_report | rules_error | other
    addresses: str
    run_day: date = Field(index=True)
    subject: str
    body_text: str
    body_html: str
    raw: bytes = Field(sa_type=LargeBinary)
    status: str = Field(default="pending", index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=_now)
    claimed_by: str | None = None
    claimed_at: datetime | None = None  # renewed by the live sender (the lease)
    claim_token: str | None = None  # fencing token: a sender only writes what it still holds
    last_error: str | None = None
    created_at: datetime = Field(default_factory=_now)
    sent_at: datetime | None = None
    failure_reported: bool = False
    # per address: {"state": accepted|temporary|permanent, "code": SMTP reply, "text": ...}
    outcomes: dict[str, dict[str, Any]] = Field(default_factory=dict, sa_type=JSON)
    first_failure_at: datetime | None = None  # start of the current run of failed attempts


#: The outbox table for Core statements (enqueue, claims: cheaper than the ORM's bulk paths).
OUTBOX_MESSAGES = OutboxMessage.__table__  # type: ignore[attr-defined]


class NoticeItemRow(SQLModel, table=True):
    """One (occurrence, rule, repeat window, recipient): the unit of "never twice"."""

    __tablename__ = "notice_item"
    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True)
    message: int | None = Field(default=None, foreign_key="outbox_message.id", index=True)
    day: date
    rule: str
    level: int
    recipient: str
    occurrence: str = Field(index=True)
    plan: str
    task: str
    unit: str
    milestone: str
    superseded_by: str | None = None  # key of a later item of a catch-up that replaced it


class DayRun(SQLModel, table=True):
    """The daily evaluation of a day, recorded so that it happens once."""

    __tablename__ = "day_run"
    day: date = Field(primary_key=True)
    mode: str
    started_at: datetime = Field(default_factory=_now)
    finished_at: datetime | None = None
    notices: int = 0
    messages: int = 0
    host: str = ""
    claimed_by: str | None = None  # the process running it, while it runs
    heartbeat_at: datetime | None = None  # renewed while it runs; a stale one is taken over


class SilenceRow(SQLModel, table=True):
    __tablename__ = "silence"
    id: int | None = Field(default=None, primary_key=True)
    plan: str | None = None
    task: str | None = None
    unit: str | None = None
    author: str
    reason: str
    until: date
    created_at: datetime = Field(default_factory=_now)


class UserRow(SQLModel, table=True):
    """An officer of Văn phòng Bộ who can sign in (units use signed links instead)."""

    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True)
    full_name: str
    password_hash: str
    role: str = "admin"  # admin | viewer
    active: bool = True  # a disabled account cannot sign in; its sessions end
    created_at: datetime = Field(default_factory=_now)


class SubmissionRow(SQLModel, table=True):
    """Every submission through a unit's signed link: who, when, from which link, what."""

    __tablename__ = "submission"
    id: int | None = Field(default=None, primary_key=True)
    unit: str = Field(index=True)
    link_id: str = Field(index=True)
    action: str  # done | update | extension
    occurrence: str
    detail: str
    remote_addr: str | None = None
    submitted_at: datetime = Field(default_factory=_now)


class ExtensionRequestRow(SQLModel, table=True):
    """A unit's request for more time, reviewed by Văn phòng Bộ."""

    __tablename__ = "extension_request"
    id: int | None = Field(default=None, primary_key=True)
    plan: str
    task: str
    unit: str
    milestone: str
    requested_due: date
    reason: str
    status: str = "pending"  # pending | approved | rejected
    link_id: str | None = None
    requested_at: datetime = Field(default_factory=_now)
    decided_by: str | None = None
    decided_at: datetime | None = None


def progress_row(
    *,
    update: bool,
    plan: str,
    task: str,
    unit: str,
    milestone: str,
    on: date,
    recorded_by: str,
    evidence: str | None = None,
    note: str | None = None,
    evidence_file: str | None = None,
) -> PeriodUpdateRow | CompletionRow:
    """What a unit reports for one occurrence: a period update of a continuous task, or a
    completion (milestone "-" of an undated occurrence is stored as "the whole task")."""
    if update:
        return PeriodUpdateRow(
            plan=plan,
            task=task,
            unit=unit,
            period=milestone,
            reported_on=on,
            note=note or evidence,
            recorded_by=recorded_by,
        )
    return CompletionRow(
        plan=plan,
        task=task,
        unit=unit,
        milestone=None if milestone == "-" else milestone,
        done_on=on,
        evidence=evidence,
        note=note,
        evidence_file=evidence_file,
        recorded_by=recorded_by,
    )
