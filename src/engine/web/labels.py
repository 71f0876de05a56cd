"""What the pages show instead of stored codes: Vietnamese labels (run modes, request and
delivery states, timing classes), plan numbers, unit names, milestones as people say them,
times in Vietnam's local time as dd/mm/yyyy HH:MM. Status labels are
:data:`engine.codes.STATUS_LABELS`; escalation rules have their own ``name``.

Rules: a code without a label is shown as stored (a new code must get a label here); a plan or
unit no longer in the rules is shown by its id.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from engine import clock
from engine.catalog.model import Catalog
from engine.dates import DayError, parse_day
from engine.notices import ADMINS
from engine.periods import period_label
from engine.render import vn_date
from engine.timing.models import TimingClass

RUN_MODES = {
    "scheduled": "theo lịch hằng ngày",
    "catch-up": "chạy bù ngày bị lỡ",
    "manual": "chạy bằng lệnh",
    "demo": "chạy thử (demo)",
}
REQUEST_STATES = {
    "pending": "đang chờ xử lý",
    "approved": "đã đồng ý",
    "rejected": "không đồng ý",
}
SUBMISSION_ACTIONS = {
    "done": "báo cáo hoàn thành",
    "update": "cập nhật kỳ",
    "extension": "đề nghị gia hạn",
}
TIMING_LABELS: dict[str, str] = {
    TimingClass.FIXED_MONTH: "hạn trong một tháng",
    TimingClass.SEVERAL_MONTHS: "hạn theo nhiều tháng",
    TimingClass.LABELLED_MILESTONES: "các mốc có ghi tên",
    TimingClass.QUARTER: "hạn theo quý",
    TimingClass.YEAR: "hạn theo năm",
    TimingClass.DATE: "hạn vào một ngày",
    TimingClass.WHOLE_YEAR: "thực hiện cả năm",
    TimingClass.CONTINUOUS: "thường xuyên",
    TimingClass.PERIODIC: "định kỳ",
    TimingClass.START_FROM: "thực hiện từ một thời điểm",
    TimingClass.EXTERNAL: "theo lịch của văn bản khác",
    TimingClass.EVENT: "khi phát sinh sự việc",
    TimingClass.ON_REQUEST: "khi có yêu cầu",
    TimingClass.UNSPECIFIED: "chưa xác định thời hạn",
}
#: Delivery state of an outbox message (see :func:`delivery_state`).
DELIVERY_LABELS = {
    "pending": "đang gửi",
    "retrying": "lỗi tạm thời, sẽ gửi lại",
    "sent": "đã gửi",
    "failed": "lỗi vĩnh viễn",
    "cancelled": "đã huỷ",
}
#: The answer of the mail server for one address.
OUTCOME_LABELS = {
    "accepted": "đã nhận",
    "temporary": "lỗi tạm thời, sẽ gửi lại",
    "permanent": "lỗi vĩnh viễn",
}
_STORED_FILE = re.compile(r"[0-9a-f]{32}")


def delivery_state(status: str, last_error: str | None) -> str:
    """The delivery state of an outbox status: a message queued or being sent is "pending",
    or "retrying" when its last attempt failed; "sent", "failed" and "cancelled" are final."""
    if status in ("pending", "sending"):
        return "retrying" if last_error else "pending"
    return status


def describe_timing(explained: dict[str, Any]) -> str:
    """What the engine makes of a task's deadline, in Vietnamese (from :func:`engine.explain.
    explain`): the class, due dates as dd/mm/yyyy, the period rule, the reference document;
    a composite deadline lists its parts."""
    if explained.get("parts"):
        return "; ".join(describe_timing(part) for part in explained["parts"])
    words = [TIMING_LABELS.get(explained["class"], explained["class"])]
    if explained.get("due"):
        dates = ", ".join(vn_date(date.fromisoformat(d)) for d in explained["due"])
        words.append(f"hạn {dates}")
    if explained.get("period_rule"):
        words.append(f"mỗi kỳ: {explained['period_rule']}")
    if explained.get("reference"):
        words.append(f"theo văn bản {explained['reference']}")
    return " — ".join(words)


def vn_datetime(moment: datetime | None) -> str:
    """A stored time (naive ones are UTC) in Vietnam's local time: ``dd/mm/yyyy HH:MM``."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(clock.VN).strftime("%d/%m/%Y %H:%M")


def milestone_text(milestone: str | None) -> str:
    """A milestone key as people say it: "tháng 6/2023", "sự kiện HD-01", or the label itself."""
    if not milestone or milestone == "-":
        return ""
    kind, _, key = milestone.partition(":")
    if key and kind in ("event", "request"):
        return f"{'sự kiện' if kind == 'event' else 'yêu cầu'} {key}"
    return period_label(milestone) or milestone


def plan_number(catalog: Catalog, plan: str | None) -> str:
    """The plan's number as printed (``522/QĐ-BTP``); "tất cả" for no plan."""
    if not plan:
        return "tất cả"
    return catalog.plans[plan].number if plan in catalog.plans else plan


def unit_name(catalog: Catalog, unit: str | None) -> str:
    """The unit's name; "tất cả" for no unit."""
    if not unit:
        return "tất cả"
    return catalog.units[unit].name if unit in catalog.units else unit


def recipient_name(catalog: Catalog, recipient: str) -> str:
    """Who a notice went to: the unit's name, or the admins."""
    return "Quản trị hệ thống" if recipient == ADMINS else unit_name(catalog, recipient)


def occurrence_text(catalog: Catalog, key: str) -> str:
    """An occurrence key ``plan/task/unit/milestone`` as "522/QĐ-BTP, nhiệm vụ 16, tháng 6/2023"."""
    parts = key.split("/", 3)
    if len(parts) != 4:
        return key
    plan, task, _, milestone = parts
    return ", ".join(
        p for p in (plan_number(catalog, plan), f"nhiệm vụ {task}", milestone_text(milestone)) if p
    )


def submission_detail(detail: str) -> str:
    """A submission's recorded detail ("2024-01-19 | số văn bản | ghi chú | file id") for people:
    dates dd/mm/yyyy, empty parts and stored file ids left out."""
    shown = []
    for part in (p.strip() for p in detail.split("|")):
        if not part or _STORED_FILE.fullmatch(part):
            continue
        try:
            shown.append(vn_date(parse_day(part)))
        except DayError:
            shown.append(part)
    return " · ".join(shown)


JINJA_GLOBALS = {
    "RUN_MODES": RUN_MODES,
    "REQUEST_STATES": REQUEST_STATES,
    "SUBMISSION_ACTIONS": SUBMISSION_ACTIONS,
    "vn_datetime": vn_datetime,
    "milestone_text": milestone_text,
    "plan_number": plan_number,
    "unit_name": unit_name,
    "recipient_name": recipient_name,
    "occurrence_text": occurrence_text,
    "submission_detail": submission_detail,
    "DELIVERY_LABELS": DELIVERY_LABELS,
    "delivery_state": delivery_state,
}
