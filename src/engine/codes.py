"""Status codes and their Vietnamese labels (the categories of Vietnamese follow-up reports).

Kept apart from :mod:`engine.status` so that rule schemas can name statuses without importing
the evaluation code.
"""

from enum import StrEnum


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    REPORTED = "reported"
    REPORT_MISSING = "report_missing"
    AWAITING_SCHEDULE = "awaiting_schedule"
    AWAITING_EVENT = "awaiting_event"
    NO_DEADLINE = "no_deadline"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.NOT_STARTED: "Chưa đến thời gian thực hiện",
    Status.IN_PROGRESS: "Đang thực hiện, trong hạn",
    Status.DUE_SOON: "Sắp đến hạn",
    Status.OVERDUE: "Đang thực hiện, quá hạn",
    Status.DONE_ON_TIME: "Đã hoàn thành đúng hạn",
    Status.DONE_LATE: "Đã hoàn thành quá hạn",
    Status.REPORTED: "Thường xuyên — đã cập nhật kỳ này",
    Status.REPORT_MISSING: "Thường xuyên — chưa cập nhật kỳ này",
    Status.AWAITING_SCHEDULE: "Chờ lịch của văn bản tham chiếu",
    Status.AWAITING_EVENT: "Chưa phát sinh",
    Status.NO_DEADLINE: "Chưa xác định thời hạn",
    Status.SUSPENDED: "Tạm dừng",
    Status.CANCELLED: "Không thực hiện",
}
