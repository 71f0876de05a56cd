"""Errors in rule files, worded for the admins who edit them.

Every error carries the file, the line and the field, and prints as
``rules/plans/qd-522-btp.yaml:14: tasks[3].deadline: không đọc được cụm từ thời hạn «...»``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

Path = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class RuleError:
    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line or 0}: {self.field or '(tệp)'}: {self.message}"


class RuleErrors(Exception):
    """All the errors of a load; a catalog is never built from a broken rule set."""

    def __init__(self, errors: Iterable[RuleError]):
        self.errors: list[RuleError] = sorted(set(errors))
        super().__init__("\n".join(str(e) for e in self.errors))


def field_name(path: Sequence[str | int]) -> str:
    """``("tasks", 3, "deadline")`` → ``tasks[3].deadline``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


# Pydantic error types, said in Vietnamese; {x} fields come from the error's context.
_MESSAGES = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép (sai tên trường?)",
    "string_type": "phải là một chuỗi văn bản",
    "list_type": "phải là một danh sách",
    "dict_type": "phải là một bảng khóa: giá trị",
    "model_type": "phải là một bảng khóa: giá trị",
    "model_attributes_type": "phải là một bảng khóa: giá trị",
    "int_type": "phải là một số nguyên",
    "int_parsing": "phải là một số nguyên",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "date_type": "phải là một ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là một ngày dạng YYYY-MM-DD",
    "date_from_datetime_parsing": "phải là một ngày dạng YYYY-MM-DD",
    "date_from_datetime_inexact": "phải là một ngày (không kèm giờ)",
    "too_short": "không được để trống",
    "string_too_short": "không được để trống",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "string_pattern_mismatch": "không đúng định dạng ({pattern})",
    "union_tag_invalid": "loại «{tag}» không hợp lệ; chọn một trong: {expected_tags}",
    "union_tag_not_found": "thiếu trường «{discriminator}»",
}


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _impossible_date(value: object) -> str | None:
    """ "2023-02-31" → "ngày 31/02/2023 không tồn tại"; None for anything else."""
    found = _ISO_DATE.match(value) if isinstance(value, str) else None
    if found is None:
        return None
    year, month, day = found.groups()
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return f"ngày {day}/{month}/{year} không tồn tại (ngày viết dạng YYYY-MM-DD)"
    return None


def pydantic_message(error: dict) -> str:
    """The Vietnamese wording of one pydantic error dict."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "literal_error" or kind == "enum":
        return f"giá trị «{error.get('input')}» không hợp lệ; chọn một trong: {context.get('expected')}"
    if kind == "value_error":
        return str(context.get("error", error.get("msg", "")))
    if kind.startswith("date_") and (impossible := _impossible_date(error.get("input"))):
        return impossible
    template = _MESSAGES.get(kind)
    if template is None:
        return str(error.get("msg", kind))
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return template
