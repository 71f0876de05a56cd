"""Rows of a task table → tasks, sub-tasks and sections, verbatim.

- A section row: a Roman numeral in the number column ("I" + "XÂY DỰNG ..." → "I. XÂY DỰNG
  ..."), or one text spanning the whole row. Tasks before any section row take the heading
  printed just above the table (the appendix title).
- A task row: an Arabic number ("1", "1.") → task id "1". A number that repeats an earlier
  id (a second appendix numbered from 1) gets the prefix "PL<n>-", n = 2, 3, ...
- A sub-item: a number column "1.1" / "a)" / "a", or a row without number whose content
  starts with "a)", "-" or "+" (marker removed) → sub-task "<parent>.<n>". A row without
  number or marker whose content starts with a capital is also read as a sub-item, but that
  is a guess the review asks a person to confirm.
- A continuation: a row without number whose texts start in lower case (a row broken by a
  page in a PDF) is appended to the row before it.
Cells merged vertically give each row the same text; merged horizontally across two data
columns, the text goes to the first and the review asks a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from engine.plans_import import review as r
from engine.plans_import.columns import Columns, find_header, is_header_like
from engine.plans_import.review import Finding
from engine.plans_import.table import Cell, SourceTable
from engine.text import collapse

FIELDS = ("content", "lead", "cooperating", "deadline", "product", "funding", "note")
_LABELS = {
    "content": "Nội dung",
    "lead": "Chủ trì",
    "cooperating": "Phối hợp",
    "deadline": "Thời gian",
    "product": "Sản phẩm",
    "funding": "Kinh phí",
    "note": "Ghi chú",
    "stt": "STT",
}
_ROMAN = re.compile(
    r"^(?=[IVXLC]+\.?$)(M{0,3})(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})\.?$"
)
_NUMBER = re.compile(r"^(\d+)\.?$")
_SUB_NUMBER = re.compile(r"^(\d+(?:\.\d+)+)\.?$|^([a-zđ])[).]?$")
_MARKER = re.compile(r"^\s*(?:[a-zđ]\)|[-+•])\s*")


@dataclass
class RawTask:
    """One task or sub-task as printed: ``cells`` holds each field's paragraphs."""

    id: str
    section: str
    cells: dict[str, list[str]]
    row: int
    subtasks: list[RawTask] = field(default_factory=list)


def _section_title(lines: list[str]) -> str:
    """The heading printed just before a table, used until its first section row."""
    heading: list[str] = []
    for line in reversed(lines):
        if line.isupper() and not line.startswith("("):
            heading.insert(0, line)
        elif heading or not line.startswith("("):
            break
    return collapse(" ".join(heading))


class TableReader:
    """Reads the task tables of one document, in order, into :class:`RawTask` lists."""

    def __init__(self) -> None:
        self.tasks: list[RawTask] = []
        self.findings: list[Finding] = []
        self.section = ""
        self.ids: set[str] = set()
        self.appendix = 1
        self.prefix: str | None = None

    def read(self, table: SourceTable) -> bool:
        """Read one table; False when it has no task header."""
        found = find_header(table.rows)
        if found is None:
            return False
        start, height, columns = found
        self.section = _section_title(table.before) or self.section
        self.prefix = None
        for index in range(start + height, len(table.rows)):
            row = table.rows[index]
            if is_header_like(row, columns):
                self.note(
                    None,
                    r.REPEATED_HEADER,
                    f"bỏ qua dòng tiêu đề lặp lại (dòng {index + 1} của bảng)",
                )
                continue
            self.row(row, index, columns)
        return True

    def note(self, task: str | None, kind: str, message: str, needs: bool = False) -> None:
        self.findings.append(Finding(task, kind, message, needs))

    def row(self, row: list[Cell], index: int, columns: Columns) -> None:
        def text(role: str) -> str:
            return row[columns[role]].text if role in columns else ""

        number = collapse(text("stt"))
        content = text("content")
        distinct = {c.text for c in row if c.text}
        if row[0].text and all(c.merge == "horizontal" for c in row[1:]):
            self.section = collapse(row[0].text)
            return
        if _ROMAN.match(number):
            self.section = f"{number.rstrip('.')}. {collapse(content)}"
            return
        if (
            not number
            and len(distinct) == 1
            and all(c.merge != "vertical" for c in row)
            and _spans(row)
        ):
            self.section = collapse(distinct.pop())
            return
        if not distinct:
            return
        cells = self.cells(row, index, columns)
        parent = self.tasks[-1] if self.tasks else None
        main = _NUMBER.match(number)
        if main:
            if self.prefix is None:
                self.prefix = ""
                if main[1] in self.ids:
                    self.appendix += 1
                    self.prefix = f"PL{self.appendix}-"
                    self.note(
                        None,
                        r.INFERRED,
                        f"bảng thứ {self.appendix} đánh số lại từ đầu: mã nhiệm vụ có tiền tố «{self.prefix}»",
                    )
            task_id = self.prefix + main[1]
            if task_id in self.ids:
                self.note(task_id, r.UNSURE_ROW, f"số thứ tự «{number}» lặp lại; đặt mã khác", True)
            self.ids.add(task_id)
            self.tasks.append(RawTask(task_id, self.section, cells, index))
            self.report_merges(task_id, row, columns)
            return
        if parent is None:
            self.note(
                None,
                r.UNSURE_ROW,
                f"dòng {index + 1} đứng trước nhiệm vụ đầu tiên: «{collapse(' '.join(distinct))[:80]}»",
                True,
            )
            return
        sub = _SUB_NUMBER.match(number)
        marked = not number and bool(_MARKER.match(content))
        if not number and content and not marked and content[:1].islower():
            self.continue_row(parent, cells, index)
            return
        if not number and not content:
            self.continue_row(parent, cells, index)
            return
        if marked:
            cells["content"] = [
                _MARKER.sub("", cells["content"][0], count=1),
                *cells["content"][1:],
            ]
        sub_id = sub[1] if sub and sub[1] else f"{parent.id}.{len(parent.subtasks) + 1}"
        parent.subtasks.append(RawTask(sub_id, parent.section, cells, index))
        self.report_merges(sub_id, row, columns)
        if not sub and not marked:
            self.note(
                sub_id,
                r.UNSURE_ROW,
                f"dòng không đánh số dưới nhiệm vụ {parent.id} được đọc là nội dung con "
                f"«{collapse(content)[:80]}»; xác nhận hoặc tách thành nhiệm vụ riêng",
                True,
            )

    def cells(self, row: list[Cell], index: int, columns: Columns) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for role in FIELDS:
            cell = row[columns[role]] if role in columns else Cell()
            out[role] = [] if cell.merge == "horizontal" else list(cell.paragraphs)
        return out

    def continue_row(self, parent: RawTask, cells: dict[str, list[str]], index: int) -> None:
        target = parent.subtasks[-1] if parent.subtasks else parent
        for role, paragraphs in cells.items():
            if not paragraphs:
                continue
            joined = target.cells[role]
            if joined and role not in ("lead", "cooperating"):
                joined[-1] = f"{joined[-1]} {paragraphs[0]}"
                joined.extend(paragraphs[1:])
            else:
                joined.extend(paragraphs)
        self.note(
            target.id,
            r.CONTINUED_ROW,
            f"dòng {index + 1} (không số, chữ thường) được nối vào nhiệm vụ {target.id}",
        )

    def report_merges(self, task_id: str, row: list[Cell], columns: Columns) -> None:
        by_index = {i: role for role, i in columns.items()}
        for index, cell in enumerate(row):
            role = by_index.get(index)
            if role is None:
                continue
            if cell.merge == "horizontal" and index - 1 in by_index and row[index - 1].text:
                left = _LABELS[by_index[index - 1]]
                self.note(
                    task_id,
                    r.MERGED_ACROSS,
                    f"ô «{left}» gộp ngang sang cột «{_LABELS[role]}»; nội dung chỉ được gán cho "
                    f"«{left}», hãy điền cột «{_LABELS[role]}» nếu cần",
                    True,
                )
            elif cell.merge == "vertical" and cell.text:
                needs = role in ("stt", "content")
                self.note(
                    task_id,
                    r.MERGED_DOWN,
                    f"ô «{_LABELS[role]}» gộp dọc: dùng «{collapse(cell.text)[:60]}» "
                    f"của dòng {cell.origin + 1}",
                    needs,
                )


def _spans(row: list[Cell]) -> bool:
    """One cell spans the whole row (or every other cell is empty)."""
    return all(c.merge == "horizontal" or not c.text for c in row[1:]) or all(
        c.text == row[0].text for c in row
    )
