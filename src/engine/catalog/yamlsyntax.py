"""YAML syntax errors explained in Vietnamese, at the line where the mistake is.

The parser notices a mistake where it can no longer go on, often lines later; the usual
mistakes of a hand edit are recognised from the text and reported where they are:

- a tab in the indentation → the first such line;
- an unclosed quote → the line where the quote opens (the parser reads on to the next quote);
- an unclosed ``[`` or ``{`` → the line where it opens;
- a colon inside an unquoted value (``content: Nội dung: chi tiết``) → that line;
- a missing ``- `` before an item of a list (a task) → the item's first line;
- bad indentation → the line indented unlike its siblings.

Anything else keeps the parser's line, with a generic hint.
"""

from __future__ import annotations

import re

import yaml

_COLON_VALUE = re.compile(r"""^\s*(?:-\s+)?[^\s:"'#\[{][^:]*:\s+[^\s"'\[{|>&*!].*:(?:\s|$)""")
_FLOW = {
    "while parsing a flow sequence": ("[", "]"),
    "while parsing a flow mapping": ("{", "}"),
}
_GENERIC = (
    "lỗi cú pháp YAML; kiểm tra thụt lề, dấu «- », dấu hai chấm và dấu ngoặc kép ở dòng này "
    "và dòng trên"
)
_KEY = re.compile(r"""^\s*[^\s:"'#\[{-][^:]*:(?:\s|$)""")


def explain(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """(1-based line, Vietnamese explanation) of the syntax error ``exc`` in ``text``."""
    lines = text.splitlines()
    problem = exc.problem_mark.line if exc.problem_mark else 0
    context = exc.context_mark.line if exc.context_mark else None
    reason = exc.problem or ""
    for index, line in enumerate(lines[: problem + 1]):
        if "\t" in line[: len(line) - len(line.lstrip(" \t"))]:
            return index + 1, (
                "dòng thụt lề bằng ký tự tab; YAML chỉ cho thụt lề bằng dấu cách: "
                "thay tab bằng dấu cách cho thẳng cột với các dòng cùng cấp"
            )
    opened = _unclosed_quote(exc, lines, problem, context)
    if opened is not None:
        quote = _quote_char(lines[opened])
        return (
            opened + 1,
            f"dấu ngoặc {quote} mở ở dòng này chưa được đóng; thêm {quote} ở cuối giá trị",
        )
    if exc.context in _FLOW and exc.context_mark is not None:
        opening, closing = _FLOW[exc.context]
        return exc.context_mark.line + 1, (
            f"dấu ngoặc «{opening}» mở ở dòng này chưa được đóng; thêm «{closing}» sau phần tử "
            "cuối (các phần tử cách nhau bằng dấu phẩy)"
        )
    if problem >= len(lines):
        return problem + 1, _GENERIC
    line = lines[problem]
    if reason.startswith("mapping values are not allowed") and _COLON_VALUE.match(line):
        return problem + 1, (
            "giá trị có dấu hai chấm «: » mà không đặt trong ngoặc kép; viết cả giá trị trong "
            'ngoặc kép, ví dụ content: "Nội dung: chi tiết"'
        )
    missing = _missing_dash(exc, lines, problem, context)
    if missing is not None:
        return missing + 1, (
            "thiếu «- » trước mục này (một nhiệm vụ mới): mỗi mục của danh sách bắt đầu bằng "
            "«- », thẳng cột với «- » của mục trước"
        )
    if reason.startswith(("did not find expected", "expected <block end>", "mapping values")):
        return problem + 1, _indentation(lines, problem)
    return problem + 1, _GENERIC


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key_column(line: str) -> int:
    """Where a line's key starts: after ``- `` for the first key of a list item."""
    stripped = line.lstrip(" ")
    column = _indent(line)
    while stripped.startswith("- "):
        rest = stripped[2:].lstrip(" ")
        column += len(stripped) - len(rest)
        stripped = rest
    return column


def _content_lines(lines: list[str], before: int) -> list[int]:
    return [
        i
        for i in range(before - 1, -1, -1)
        if lines[i].strip() and not lines[i].lstrip().startswith("#")
    ]


def _indentation(lines: list[str], problem: int) -> str:
    above = _content_lines(lines, problem)
    have = _indent(lines[problem])
    if above:
        k = above[0]
        want = _key_column(lines[k])
        return (
            f"thụt lề sai: dòng này thụt {have} dấu cách, còn dòng {k + 1} phía trên thụt {want}; "
            "các trường cùng cấp phải thẳng cột (chỉ dùng dấu cách)"
        )
    return f"thụt lề sai: dòng này thụt {have} dấu cách; dòng đầu tiên không được thụt lề"


def _missing_dash(
    exc: yaml.MarkedYAMLError, lines: list[str], problem: int, context: int | None
) -> int | None:
    """The line of a list item written without its ``- ``, or None."""
    line = lines[problem]
    stripped = line.lstrip(" ")
    if (
        exc.context == "while parsing a block collection"
        and exc.context_mark is not None
        and _indent(line) == exc.context_mark.column
        and not stripped.startswith("-")
        and _KEY.match(line)
    ):
        return problem
    if stripped.startswith("- ") and context is not None and exc.context_mark is not None:
        # "tasks:" then "  id: ..." without a dash, then "  - id: ...": the mapping that
        # should have been the first item starts at the context line
        first = lines[context] if context < len(lines) else ""
        if _indent(first) == _indent(line) and _KEY.match(first):
            return context
    return None


def _quote_char(line: str) -> str:
    for char in line:
        if char in "\"'":
            return '«"»' if char == '"' else "«'»"
    return '«"»'


def _unclosed_quote(
    exc: yaml.MarkedYAMLError, lines: list[str], problem: int, context: int | None
) -> int | None:
    """The line whose quote is never closed on it, searching back from the problem line."""
    if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        return exc.context_mark.line
    floor = context if context is not None else 0
    for index in range(min(problem, len(lines) - 1), floor - 1, -1):
        if _opens_quote(lines[index]):
            return index
    return None


def _opens_quote(line: str) -> bool:
    """A line that, read alone, opens a quoted value it does not close."""
    try:
        for _ in yaml.scan(line.strip(), Loader=yaml.SafeLoader):
            pass
    except yaml.MarkedYAMLError as exc:
        return exc.context == "while scanning a quoted scalar"
    return False
