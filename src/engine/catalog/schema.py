"""Pydantic models of the rule files, as admins write them (see ``docs/rule-files.md``).

These models check shapes and types only; cross-file facts (a unit name that exists, a
deadline phrase that parses, a reference that is known) are checked by the loader, which
reports them with the same file, line and field.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.timing.models import Period, Timing
from engine.timing.parse import PhraseGrammar

Tag = Literal["monthly_report", "progress_update", "quarterly_seminar"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


def _id_text(value: object) -> object:
    """Ids may be written unquoted (``id: 7``); they are always text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Horizon(_Strict):
    text: str
    start: date
    end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.end is not None and self.end < self.start:
            raise ValueError("ngày kết thúc (end) đứng trước ngày bắt đầu (start)")
        return self


class PlanMeta(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    number: str = Field(min_length=1)
    title: str = Field(min_length=1)
    issuer: str = Field(min_length=1)
    signed: date
    horizon: Horizon
    coordinating_unit: str
    implements: list[str] = []
    source: str | None = None
    closed: date | None = None
    organisation: str | None = None


class SubtaskSpec(_Strict):
    id: str = Field(min_length=1)
    content: str = Field(min_length=1)
    lead: list[str] | None = None
    cooperating: list[str] | None = None
    deadline: str | None = None
    product: str | None = None
    funding: str | None = None
    note: str | None = None
    timing: Timing | None = None

    _coerce_id = field_validator("id", mode="before")(_id_text)


class TaskSpec(_Strict):
    id: str = Field(min_length=1)
    section: str = Field(min_length=1)
    content: str = Field(min_length=1)
    lead: list[str] = Field(min_length=1)
    cooperating: list[str] = []
    deadline: str = ""
    product: str | None = None
    funding: str | None = None
    note: str | None = None
    tags: list[Tag] = []
    milestone_units: dict[str, list[str]] = {}
    subtasks: list[SubtaskSpec] = []
    timing: Timing | None = None
    fulfilled_by_signing: bool = False
    implements: list[str] = []

    _coerce_id = field_validator("id", mode="before")(_id_text)

    @field_validator("implements")
    @classmethod
    def _task_references(cls, value: list[str]) -> list[str]:
        for ref in value:
            if ref.count(":") != 1 or not all(ref.split(":")):
                raise ValueError(
                    f"«{ref}» phải có dạng mã-kế-hoạch:mã-nhiệm-vụ (ví dụ ct-05-ttg:B34)"
                )
        return value

    @field_validator("deadline", mode="before")
    @classmethod
    def _empty_deadline(cls, value: object) -> object:
        return "" if value is None else value


class PlanFile(_Strict):
    plan: PlanMeta
    tasks: list[TaskSpec] = Field(min_length=1)


Role = Literal["unit", "coordinating_office", "leadership", "external"]


class UnitSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    aliases: list[str] = []
    organisation: str = Field(min_length=1)
    kind: Literal["unit", "group"] = "unit"
    role: Role = "unit"
    emails: list[str] = []
    valid_from: date | None = None
    valid_to: date | None = None
    successor: str | None = None
    members: list[str] = []
    source: str | None = None

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        for email in value:
            local, _, domain = email.partition("@")
            if not local or "." not in domain or " " in email:
                raise ValueError(f"địa chỉ thư «{email}» không hợp lệ")
        return value


class OrganisationSpec(_Strict):
    """An organisation whose plans the deployment follows: its office and leadership."""

    name: str = Field(min_length=1)
    aliases: list[str] = []
    coordinating_office: str = Field(min_length=1)
    leadership: str = Field(min_length=1)
    source: str | None = None


class UnitsFile(_Strict):
    organisations: list[OrganisationSpec] = []
    units: list[UnitSpec] = Field(min_length=1)


class MilestoneSpec(_Strict):
    id: str = Field(min_length=1)
    label: str | None = None
    due: date
    plan: str | None = None
    task: str | None = None
    source: str | None = None

    _coerce_id = field_validator("id", "task", mode="before")(_id_text)


class ReferenceSpec(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$")
    title: str = Field(min_length=1)
    match: list[str] = Field(min_length=1)
    milestones: list[MilestoneSpec] = []
    note: str | None = None


class ReferenceFile(_Strict):
    reference: ReferenceSpec


class PhrasesFile(PhraseGrammar):
    """``rules/phrases.yaml``: the grammar itself (see :mod:`engine.timing.parse`)."""


class CalendarOverrideSpec(_Strict):
    date: date
    kind: Literal["day_off", "working_day"]
    name: str = Field(min_length=1)
    source: str = Field(min_length=1)


class CalendarFile(_Strict):
    country: Literal["VN"] = "VN"
    timezone: Literal["Asia/Ho_Chi_Minh"] = "Asia/Ho_Chi_Minh"
    overrides: list[CalendarOverrideSpec] = []


class CycleSpec(_Strict):
    """A named reporting cycle: when a period's obligation falls due."""

    period: Period
    before_day: int | None = Field(default=None, ge=1, le=31)
    due_day: int | None = Field(default=None, ge=1, le=31)
    kind: Literal["deliverable", "update"] = "deliverable"
    description: str | None = None


class Policy(_Strict):
    update_cutoff_day: int = Field(default=15, ge=1, le=28)
    due_soon_working_days: int = Field(default=7, ge=0, le=60)
    event_grace_working_days: int = Field(default=10, ge=0, le=120)
    request_default_working_days: int = Field(default=10, ge=0, le=120)


class ReportingFile(_Strict):
    policy: Policy = Policy()
    cycles: dict[str, CycleSpec] = {}
    tag_cycles: dict[Tag, str] = {}


class JobsFile(_Strict):
    timezone: Literal["Asia/Ho_Chi_Minh"] = "Asia/Ho_Chi_Minh"
    daily_evaluation: str = Field(default="07:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    outbox_interval_minutes: int = Field(default=5, ge=1, le=1440)
