"""Vietnamese labels of the codes the pages would otherwise show (timing classes, delivery
states of the outbox, per-address SMTP outcomes). Status labels are :data:`engine.codes.
STATUS_LABELS`; escalation rules have their own ``name``."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.render import vn_date
from engine.timing.models import TimingClass

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
