"""Reports for people: the monthly report draft, the status workbook and the deadline feed.

* :mod:`engine.reports.monthly` — Văn phòng Bộ's monthly report (Word draft and workbook);
* :mod:`engine.reports.excel` — the status workbook units receive, and reading back the
  completions they fill in (a preview of changes and row errors; nothing is written);
* :mod:`engine.reports.ics` — an iCalendar feed of every dated occurrence.

All of it is pure: occurrences, the catalog and dates in; bytes or plain data out. Nothing
here reads the clock, the database or the network, and the same data gives the same bytes.
"""

from engine.reports.excel import (
    STATUS_COLUMNS,
    Change,
    ImportPreview,
    RowError,
    export_status_xlsx,
    parse_progress_xlsx,
)
from engine.reports.ics import calendar_feed
from engine.reports.monthly import MonthlyReport, build_monthly_report, to_docx, to_xlsx

__all__ = [
    "STATUS_COLUMNS",
    "Change",
    "ImportPreview",
    "MonthlyReport",
    "RowError",
    "build_monthly_report",
    "calendar_feed",
    "export_status_xlsx",
    "parse_progress_xlsx",
    "to_docx",
    "to_xlsx",
]
