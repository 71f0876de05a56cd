"""What the import inferred and what a person must decide, in Vietnamese.

Every :class:`Finding` belongs to a task (its own id) or to the plan header. ``needs_person``
findings make the import exit 1 and are exactly the places where ``engine check`` may reject
the draft (an unknown unit, an unread deadline, a missing lead) or where the reading of a row
is a guess (an unnumbered row read as a sub-item, two columns merged into one cell).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    task: str | None  # task id, or None for the plan header / the document
    kind: str
    message: str
    needs_person: bool

    def where(self) -> str:
        return f"nhiệm vụ {self.task}" if self.task else "kế hoạch"


# Finding kinds (stable keys for tests and the web page)
UNKNOWN_UNIT = "unknown_unit"
UNREAD_DEADLINE = "unread_deadline"
NO_LEAD = "no_lead"
UNSURE_ROW = "unsure_row"
MERGED_ACROSS = "merged_across"
MERGED_DOWN = "merged_down"
CONTINUED_ROW = "continued_row"
REPEATED_HEADER = "repeated_header"
INFERRED = "inferred"
HEADER_MISSING = "header_missing"


def needs_person(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.needs_person]


def render_markdown(title: str, findings: list[Finding], tasks: int, draft: str) -> str:
    """The review file written beside the draft."""
    todo = needs_person(findings)
    lines = [
        f"# Rà soát bản nháp: {title}",
        "",
        f"- Bản nháp: `{draft}`",
        f"- Số nhiệm vụ đọc được: {tasks}",
        f"- Cần người quyết định: {len(todo)} mục"
        + ("" if todo else " — bản nháp sạch, có thể chạy `engine check`."),
        "",
    ]
    if todo:
        lines += ["## Cần người quyết định", ""]
        lines += [f"- [ ] **{f.where()}**: {f.message}" for f in todo]
        lines.append("")
    info = [f for f in findings if not f.needs_person]
    if info:
        lines += ["## Đã tự suy luận (để kiểm tra lại)", ""]
        lines += [f"- {f.where()}: {f.message}" for f in info]
        lines.append("")
    return "\n".join(lines)


def render_terminal(findings: list[Finding]) -> list[str]:
    """One line per finding, the ones needing a person first."""
    ordered = needs_person(findings) + [f for f in findings if not f.needs_person]
    return [
        f"{'CẦN QUYẾT ĐỊNH' if f.needs_person else 'suy luận'} · {f.where()}: {f.message}"
        for f in ordered
    ]
