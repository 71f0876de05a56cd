"""Escalation rules as admins write them in ``rules/escalation.yaml``.

A rule has an id, a level, a condition (``when``) over an occurrence's fact fields, the
recipients (``to``), a template and a repeat interval. Conditions are a mapping of field to
test: a scalar means "equals", a list means "one of", a mapping gives operators
(``gte``, ``gt``, ``lte``, ``lt``, ``eq``, ``ne``, ``in``, ``not_in``). A field missing from a
fact (for example ``working_days_to_due`` once the due date has passed) never matches.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.codes import Status
from engine.timing.models import TimingClass

#: Fact fields and their type: what a condition may test (see ``facts.py``).
FIELDS: dict[str, type] = {
    "plan": str,
    "task": str,
    "unit": str,
    "milestone": str,
    "timing_class": str,
    "kind": str,
    "status": str,
    "tag": str,
    "unit_role": str,
    "working_days_to_due": int,
    "working_days_overdue": int,
    "days_to_due": int,
    "days_overdue": int,
    "missed_in_a_row": int,
    "day_of_month": int,
    "has_email": bool,
    "followed": bool,
    "issue": str,
}

#: Recipient keywords; anything else must be a unit id of ``rules/units.yaml``.
RECIPIENT_KEYWORDS = (
    "lead",
    "cooperating",
    "coordinating",
    "coordinating_office",
    "leadership",
    "admins",
)

TemplateName = Literal[
    "reminder",
    "overdue",
    "escalation_digest",
    "leadership",
    "update_request",
    "monthly_report",
    "quarterly_seminar",
    "data_quality",
]
TEMPLATES: tuple[str, ...] = get_args(TemplateName)

Operator = Literal["gte", "gt", "lte", "lt", "eq", "ne", "in", "not_in"]
Scalar = str | int | bool
Test = Scalar | list[Scalar] | dict[Operator, Scalar | list[Scalar]]

_CHOICES: dict[str, set[str]] = {
    "status": {s.value for s in Status},
    "timing_class": {c.value for c in TimingClass},
    "kind": {"deliverable", "update", "undated"},
    "unit_role": {"unit", "coordinating_office", "leadership", "external"},
    "tag": {"", "monthly_report", "progress_update", "quarterly_seminar"},
    "issue": {"", "no_email"},
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Repeat(_Strict):
    """Send again after this many working days (or calendar months) while still matching."""

    working_days: int | None = Field(default=None, ge=1, le=260)
    months: int | None = Field(default=None, ge=1, le=12)

    @model_validator(mode="after")
    def _one(self) -> Repeat:
        if (self.working_days is None) == (self.months is None):
            raise ValueError("ghi đúng một trong hai: working_days hoặc months")
        return self


class EscalationRule(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    level: int = Field(ge=0, le=9)
    when: dict[str, Test] = Field(min_length=1)
    to: list[str] = Field(min_length=1)
    template: TemplateName
    repeat: Repeat | None = None
    description: str | None = None

    @field_validator("when")
    @classmethod
    def _known_fields(cls, when: dict[str, Test]) -> dict[str, Test]:
        for name, test in when.items():
            if name not in FIELDS:
                known = ", ".join(FIELDS)
                raise ValueError(f"trường điều kiện «{name}» không có; dùng một trong: {known}")
            for value in _values(test):
                _check_value(name, value)
        return when


def _values(test: Test) -> list[Scalar]:
    if isinstance(test, dict):
        out: list[Scalar] = []
        for value in test.values():
            out.extend(value if isinstance(value, list) else [value])
        return out
    return list(test) if isinstance(test, list) else [test]


def _check_value(name: str, value: Scalar) -> None:
    kind = FIELDS[name]
    if kind is int and (not isinstance(value, int) or isinstance(value, bool)):
        raise ValueError(f"«{name}» so sánh với số nguyên, không phải «{value}»")
    if kind is bool and not isinstance(value, bool):
        raise ValueError(f"«{name}» nhận true hoặc false, không phải «{value}»")
    if kind is str and not isinstance(value, str):
        raise ValueError(f"«{name}» so sánh với chuỗi văn bản, không phải «{value}»")
    choices = _CHOICES.get(name)
    if choices is not None and value not in choices:
        raise ValueError(
            f"«{value}» không phải giá trị của «{name}»; chọn trong: {', '.join(sorted(choices))}"
        )


class EscalationFile(_Strict):
    admins: list[str] = []
    rules: list[EscalationRule] = Field(min_length=1)


class Silence(_Strict):
    """Mute notices about a plan, a task or a unit until a day (inclusive)."""

    plan: str | None = None
    task: str | None = None
    unit: str | None = None
    author: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    until: date

    def covers(self, plan: str, task: str, unit: str, day: date) -> bool:
        return (
            day <= self.until
            and self.plan in (None, plan)
            and self.task in (None, task)
            and self.unit in (None, unit)
        )
