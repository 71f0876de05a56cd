"""Write the draft plan file in the shipped format (see ``docs/rule-files.md``).

Strings are written double-quoted (JSON quoting is valid YAML), so every verbatim text —
quotes, colons, line breaks of a multi-milestone deadline — reads back unchanged.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

_ORDER = (
    "id",
    "section",
    "content",
    "lead",
    "cooperating",
    "deadline",
    "product",
    "funding",
    "note",
    "subtasks",
)


def _q(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(_q(v) for v in value) + "]"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def render_plan(meta: dict[str, Any], tasks: list[dict[str, Any]], source_name: str) -> str:
    """The plan file's text: the ``plan:`` block, then one block per task."""
    horizon = meta["horizon"]
    lines = [
        f"# Bản nháp tạo bởi «engine plan import» từ {source_name}; rà soát trước khi dùng.",
        "plan:",
        f"  id: {meta['id']}",
        f"  number: {_q(meta['number'])}",
        f"  title: {_q(meta['title'])}",
        f"  issuer: {_q(meta['issuer'])}",
        f"  signed: {_q(meta['signed'])}",
        "  horizon:",
        f"    text: {_q(horizon['text'])}",
        f"    start: {_q(horizon['start'])}",
        f"    end: {_q(horizon['end'])}",
        f"  coordinating_unit: {_q(meta['coordinating_unit'])}",
        "  implements: []",
        "tasks:",
    ]
    for task in tasks:
        lines.extend(_block(task, "  "))
    return "\n".join(lines) + "\n"


def _block(task: dict[str, Any], indent: str) -> list[str]:
    out: list[str] = []
    first = True
    for key in _ORDER:
        if key not in task:
            continue
        lead = f"{indent}- " if first else f"{indent}  "
        first = False
        if key == "subtasks":
            out.append(f"{lead}subtasks:")
            for sub in task[key]:
                out.extend(_block(sub, indent + "    "))
        else:
            out.append(f"{lead}{key}: {_q(task[key])}")
    return out


def unit_id(name: str) -> str:
    """A slug for a proposed unit: "Sở Tư pháp" → "so-tu-phap"."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    ascii_name = "".join(c for c in ascii_name if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-") or "don-vi"


def render_units(unknown: dict[str, tuple[str, ...]], organisation: str) -> str:
    """Proposed registry entries for the unknown units, to review and paste into units.yaml."""
    lines = [
        "# Đề xuất bổ sung rules/units.yaml cho các đơn vị chưa có trong danh mục.",
        "# Nếu đơn vị là cách viết khác của một đơn vị đã có, hãy thêm vào aliases của đơn vị đó.",
        "units:",
    ]
    for name, close in unknown.items():
        if close:
            lines.append(f"  # gần nhất trong danh mục: {', '.join(close)}")
        lines += [
            f"  - id: {unit_id(name)}",
            f"    name: {_q(name)}",
            "    aliases: []",
            f"    organisation: {_q(organisation or 'Chưa rõ')}",
            f"    kind: {'group' if name.lower().startswith('các ') else 'unit'}",
            "    role: unit",
            "    emails: []",
        ]
    return "\n".join(lines) + "\n"
