"""The monthly report's figures as a workbook, one sheet per section.

Rules: sheets "Tổng hợp", "Theo đơn vị", "Quá hạn", "Thường xuyên", each opening with its
title and "Tính đến ngày dd/mm/yyyy" above a bold, frozen header row, printed landscape one
page wide with the header repeated (:mod:`engine.reports._xlsx`); dates are date cells shown
dd/mm/yyyy, rates percentages, periods written as people say them ("tháng 6/2023").
"""

from __future__ import annotations

from openpyxl import Workbook

from engine.periods import period_label
from engine.reports._xlsx import add_table, workbook_bytes
from engine.reports.monthly.model import TOTAL_LABEL, CountRow, MonthlyReport
from engine.summary import CATEGORIES

SHEETS = ("Tổng hợp", "Theo đơn vị", "Quá hạn", "Thường xuyên")
#: Each sheet's title (the report's period follows).
SHEET_TITLES = (
    "KẾT QUẢ THỰC HIỆN THEO TỪNG KẾ HOẠCH",
    "KẾT QUẢ THỰC HIỆN THEO ĐƠN VỊ CHỦ TRÌ",
    "DANH MỤC NHIỆM VỤ QUÁ HẠN",
    "CẬP NHẬT TIẾN ĐỘ NHIỆM VỤ THƯỜNG XUYÊN",
)


def to_xlsx(report: MonthlyReport) -> bytes:
    """The report's figures as a workbook (see the module's rules)."""
    workbook = Workbook()
    titles = [f"{title} {report.period.upper()}" for title in SHEET_TITLES]
    counts_headers = ["Tổng số", *CATEGORIES.values(), "Tỷ lệ hoàn thành"]
    rate_column = 4 + len(CATEGORIES) + 1

    def counts(row: CountRow) -> list[object]:
        return [row.total, *(row.counts[c] for c in CATEGORIES), row.completion_rate]

    summary = workbook.active
    assert summary is not None
    summary.title = SHEETS[0]
    add_table(
        summary,
        ["STT", "Kế hoạch", "Mã kế hoạch", *counts_headers],
        [6, 16, 14, 10, *([16] * len(CATEGORIES)), 14],
        [
            *([i, row.label, row.key, *counts(row)] for i, row in enumerate(report.plans, 1)),
            ["", TOTAL_LABEL, "", *counts(report.total)],
        ],
        percent_columns=(rate_column,),
        bold_last_row=True,
        title=titles[0],
        as_of=report.as_of,
    )

    units = workbook.create_sheet(SHEETS[1])
    add_table(
        units,
        ["STT", "Đơn vị", "Mã đơn vị", *counts_headers],
        [6, 45, 22, 10, *([16] * len(CATEGORIES)), 14],
        ([i, row.label, row.key, *counts(row)] for i, row in enumerate(report.units, 1)),
        percent_columns=(rate_column,),
        wrap_columns=(2,),
        title=titles[1],
        as_of=report.as_of,
    )

    overdue = workbook.create_sheet(SHEETS[2])
    add_table(
        overdue,
        [
            "STT",
            "Kế hoạch",
            "Mã nhiệm vụ",
            "Nội dung",
            "Đơn vị chủ trì",
            "Mốc / kỳ",
            "Thời hạn",
            "Hạn",
            "Số ngày quá hạn",
            "Lý do",
        ],
        [6, 14, 10, 60, 30, 18, 20, 12, 10, 40],
        (
            [
                i,
                item.plan_number,
                item.task,
                item.content,
                item.unit_name,
                period_label(item.milestone) or item.milestone,
                item.deadline,
                item.due,
                item.days_overdue,
                item.reason,
            ]
            for i, item in enumerate(report.overdue, 1)
        ),
        date_columns=(8,),
        wrap_columns=(4, 5, 7, 10),
        title=titles[2],
        as_of=report.as_of,
    )

    updates = workbook.create_sheet(SHEETS[3])
    add_table(
        updates,
        [
            "STT",
            "Đơn vị",
            "Mã đơn vị",
            "Kỳ",
            "Số nhiệm vụ",
            "Đã cập nhật",
            "Chưa cập nhật",
            "Nhiệm vụ chưa cập nhật",
        ],
        [6, 45, 22, 14, 12, 12, 12, 50],
        (
            [
                i,
                u.unit_name,
                u.unit,
                report.period,
                u.total,
                u.reported,
                u.missing,
                u.missing_tasks,
            ]
            for i, u in enumerate(report.updates, 1)
        ),
        wrap_columns=(2, 8),
        title=titles[3],
        as_of=report.as_of,
    )
    return workbook_bytes(workbook, report.as_of, f"{report.title} {report.subtitle}")
