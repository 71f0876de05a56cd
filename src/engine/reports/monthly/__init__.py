"""The draft of Văn phòng Bộ's monthly report on the Đề án 06 plans (due before the 22nd).

* :mod:`.model` — ``build_monthly_report``: what the report says, worded in Vietnamese;
* :mod:`.word` — ``to_docx``: the Word draft to complete and sign (body, signature, annexes);
* :mod:`.blocks` — the Nghị định 30/2020 heading, the signature block, annex headings;
* :mod:`.workbook` — ``to_xlsx``: the figures as a workbook.

Everything is pure: the report's month and day are parameters, nothing reads the clock, the
database or the files, and the same data always gives the same bytes.
"""

from engine.reports.monthly.blocks import Signer
from engine.reports.monthly.model import (
    NO_REASON,
    CountRow,
    MonthlyReport,
    OverdueItem,
    UpdateRow,
    build_monthly_report,
)
from engine.reports.monthly.word import to_docx
from engine.reports.monthly.workbook import SHEETS, to_xlsx

__all__ = [
    "NO_REASON",
    "SHEETS",
    "CountRow",
    "MonthlyReport",
    "OverdueItem",
    "Signer",
    "UpdateRow",
    "build_monthly_report",
    "to_docx",
    "to_xlsx",
]
