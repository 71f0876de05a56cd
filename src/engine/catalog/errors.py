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


# Lists of the rule files whose items an admin knows by their id (or name): the noun an item
# is called by, the key that names it, and the fields' Vietnamese labels.
ITEM_LISTS: dict[str, tuple[str, str, dict[str, str]]] = {
    "tasks": ("nhiệm vụ", "id", TASK_FIELDS),
    "units": (
        "đơn vị",
        "id",
        {
            "id": "mã",
            "name": "tên",
            "role": "vai trò",
            "email": "thư điện tử",
            "aliases": "tên khác",
            "members": "thành viên",
            "organisation": "cơ quan",
            "successor": "đơn vị kế thừa",
        },
    ),
    "organisations": (
        "cơ quan",
        "name",
        {
            "name": "tên",
            "aliases": "tên khác",
            "coordinating_office": "văn phòng đầu mối",
            "leadership": "lãnh đạo",
        },
    ),
    "rules": (
        "quy tắc",
        "id",
        {
            "id": "mã",
            "name": "tên",
            "level": "cấp",
            "when": "điều kiện",
            "to": "người nhận",
            "template": "mẫu thư",
            "repeat": "gửi lại",
        },
    ),
    "patterns": (
        "mẫu cụm từ",
        "id",
        {"id": "mã", "class": "lớp thời hạn", "match": "khuôn", "examples": "ví dụ"},
    ),
    "vague": (
        "nhóm cụm từ không rõ",
        "",
        {"match": "khuôn", "suggestion": "gợi ý", "examples": "ví dụ"},
    ),
}


def task_field(
    task: str, path: Sequence[str | int] = (), labels: dict[str, str] = TASK_FIELDS
) -> str:
    """``("nhiệm vụ 9", ("lead", 0))`` → ``nhiệm vụ 9, đơn vị chủ trì (lead) thứ 1``."""
    if not path:
        return task
    first, rest = path[0], path[1:]
    if isinstance(first, int):
        out = f"{task}, mục thứ {first + 1}"
    else:
        label = labels.get(first)
        out = f"{task}, {label} ({first})" if label else f"{task}, trường {first}"
    for part in rest:
        out += f" thứ {part + 1}" if isinstance(part, int) else f", {part}"
    return out


def _item_name(noun: str, item: object, key: str, fallback: str) -> str:
    """``nhiệm vụ 9`` / ``đơn vị van-phong-bo``: an item by its own id; else ``fallback``."""
    name = item.get(key) if key and isinstance(item, dict) else None
    if isinstance(name, str | int) and not isinstance(name, bool) and str(name).strip():
        return f"{noun} {name}"
    return fallback


def _item(items: object, index: int) -> object:
    return items[index] if isinstance(items, list) and 0 <= index < len(items) else None


def field_label(path: Sequence[str | int], data: object) -> str:
    """The field of ``path`` in ``data`` as an admin reads it.

    An item of a known list is named by its own id ("nhiệm vụ 9", "đơn vị van-phong-bo",
    "quy tắc nhac-truoc-7-ngay"), a sub-task by its id too ("nhiệm vụ 33.1"); an item
    without one by its position counted from 1 ("nhiệm vụ thứ 9 (không có mã)"). A list
    index is never shown counted from 0.
    """
    if len(path) < 2 or path[0] not in ITEM_LISTS or not isinstance(path[1], int):
        return field_name(path)
    noun, key, labels = ITEM_LISTS[str(path[0])]
    items = data.get(str(path[0])) if isinstance(data, dict) else None
    item = _item(items, path[1])
    position = f"{noun} thứ {path[1] + 1}"
    name = _item_name(noun, item, key, f"{position} (không có mã)" if key else position)
    rest = path[2:]
    if path[0] == "tasks" and len(rest) >= 2 and rest[0] == "subtasks" and isinstance(rest[1], int):
        sub = _item(item.get("subtasks") if isinstance(item, dict) else None, rest[1])
        name = _item_name(noun, sub, key, f"{name}, nội dung con thứ {rest[1] + 1} (không có mã)")
        rest = rest[2:]
    return task_field(name, rest, labels)


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
