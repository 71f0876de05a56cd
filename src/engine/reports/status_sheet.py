"""The status workbook's layout, shared by the export and the import: its columns and the
words the import accepts in "Tình trạng" (the export's drop-down lists exactly these).

Rules:

* "Mốc / kỳ" is written as people say it (:func:`engine.periods.period_label`: "tháng
  6/2023", "quý II/2023", "năm 2023"), else the milestone's label, else its key; the import
  reads any of these, and the key too.
* "Tình trạng" means done for :data:`DONE_WORDS`, and updated for a continuous task's period
  for those and :data:`UPDATED_WORDS` (case, Unicode form and diacritics ignored);
  :data:`STATUS_CHOICES` is both, in that order.
"""

from __future__ import annotations

from engine.periods import milestone_text
from engine.status import Occurrence, Status

SHEET = "Tình hình thực hiện"
GUIDE_SHEET = "Hướng dẫn"
TITLE = "TÌNH HÌNH THỰC HIỆN NHIỆM VỤ CÁC KẾ HOẠCH TRIỂN KHAI ĐỀ ÁN 06"

PLAN_NUMBER = "Kế hoạch"
PLAN_ID = "Mã kế hoạch"
TASK_ID = "Mã nhiệm vụ"
CONTENT = "Nội dung"
UNIT_NAME = "Đơn vị chủ trì"
UNIT_ID = "Mã đơn vị"
MILESTONE = "Mốc / kỳ"
DEADLINE = "Thời hạn"
DUE = "Hạn"
STATUS = "Tình trạng"
DONE_ON = "Ngày hoàn thành"
EVIDENCE = "Văn bản / sản phẩm"
NOTE = "Ghi chú"

#: The columns of the status workbook, in order; the last three are filled in by units.
STATUS_COLUMNS: tuple[str, ...] = (
    PLAN_NUMBER,
    PLAN_ID,
    TASK_ID,
    CONTENT,
    UNIT_NAME,
    UNIT_ID,
    MILESTONE,
    DEADLINE,
    DUE,
    STATUS,
    DONE_ON,
    EVIDENCE,
    NOTE,
)
#: Column widths (characters) of the export.
WIDTHS = (14, 14, 10, 60, 30, 20, 18, 20, 12, 30, 14, 30, 30)

#: Status cell values that mean "done" (compared without case, Unicode form or diacritics).
DONE_WORDS = ("Đã hoàn thành", "Hoàn thành", "Đã hoàn thành đúng hạn", "Đã hoàn thành quá hạn")
#: Further values that mean "updated" for a continuous task's period.
UPDATED_WORDS = ("Đã cập nhật", Status.REPORTED.label)
#: What a unit may choose in "Tình trạng": every word the import reads as done or updated.
STATUS_CHOICES: tuple[str, ...] = (*DONE_WORDS, *UPDATED_WORDS)


def milestone_cell(occ: Occurrence) -> str:
    """The "Mốc / kỳ" cell of an occurrence: "tháng 6/2023", else its label, else its key."""
    return milestone_text(occ.milestone, occ.label)
