"""Errors in rule files, worded for the admins who edit them.

Every error carries the file, the line and the field, and prints as
``rules/plans/qd-522-btp.yaml:14: nhiệm vụ 4, thời hạn (deadline): không đọc được cụm từ …``.
A task is named by its own id ("nhiệm vụ 9", "nhiệm vụ 33.1"), never by its place in the
list; one without a usable id by its position counted from 1 ("nhiệm vụ thứ 9 (không có
mã)"). A field has its Vietnamese label with the key the file uses in brackets. An error of
the whole file (a syntax error) has no field: ``rules/plans/x.yaml:12: <explanation>``.
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
        where = f"{self.path}:{self.line or 0}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


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


# Task fields as an admin reads them; the file's key follows in brackets.
TASK_FIELDS = {
    "id": "mã",
    "section": "mục",
    "content": "nội dung",
    "lead": "đơn vị chủ trì",
    "cooperating": "đơn vị phối hợp",
    "deadline": "thời hạn",
    "timing": "thời hạn khai báo",
    "product": "sản phẩm",
    "funding": "kinh phí",
    "note": "ghi chú",
    "tags": "nhãn",
    "subtasks": "nội dung con",
    "milestone_units": "đơn vị theo mốc",
    "implements": "nhiệm vụ được thực hiện",
    "fulfilled_by_signing": "hoàn thành khi ký",
}


def task_field(task: str, path: Sequence[str | int] = ()) -> str:
    """``("nhiệm vụ 9", ("lead", 0))`` → ``nhiệm vụ 9, đơn vị chủ trì (lead) thứ 1``."""
    if not path:
        return task
    first, rest = path[0], path[1:]
    if isinstance(first, int):
        out = f"{task}, mục thứ {first + 1}"
    else:
        label = TASK_FIELDS.get(first)
        out = f"{task}, {label} ({first})" if label else f"{task}, trường {first}"
    for part in rest:
        out += f" thứ {part + 1}" if isinstance(part, int) else f", {part}"
    return out


def _task_name(task: object, fallback: str) -> str:
    task_id = task.get("id") if isinstance(task, dict) else None
    if isinstance(task_id, str | int) and not isinstance(task_id, bool) and str(task_id).strip():
        return f"nhiệm vụ {task_id}"
    return fallback


def _item(items: object, index: int) -> object:
    return items[index] if isinstance(items, list) and 0 <= index < len(items) else None


def field_label(path: Sequence[str | int], data: object) -> str:
    """The field of ``path`` in ``data`` as an admin reads it; tasks named by their id."""
    if len(path) < 2 or path[0] != "tasks" or not isinstance(path[1], int):
        return field_name(path)
    tasks = data.get("tasks") if isinstance(data, dict) else None
    task = _item(tasks, path[1])
    name = _task_name(task, f"nhiệm vụ thứ {path[1] + 1} (không có mã)")
    rest = path[2:]
    if len(rest) >= 2 and rest[0] == "subtasks" and isinstance(rest[1], int):
        sub = _item(task.get("subtasks") if isinstance(task, dict) else None, rest[1])
        name = _task_name(sub, f"{name}, nội dung con thứ {rest[1] + 1} (không có mã)")
        rest = rest[2:]
    return task_field(name, rest)


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
