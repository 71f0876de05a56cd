"""YAML reading that remembers where every node came from.

``load_yaml`` returns plain Python data plus a map from each node's path (``("tasks", 3,
"deadline")``) to its 1-based line, so a validation error on any field can name its line.
Duplicate keys, which PyYAML silently overwrites, are errors here; a syntax error is
explained in Vietnamese at the line of the mistake (:mod:`engine.catalog.yamlsyntax`).
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from engine.catalog.errors import RuleError, field_label
from engine.catalog.yamlsyntax import explain

NodePath = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """A parsed file: its data, the line of every path, and the display path of the file."""

    path: str
    data: Any
    lines: dict[NodePath, int] = field(default_factory=dict)

    def line_of(self, node_path: Sequence[str | int]) -> int:
        """The line of the deepest known node on ``node_path`` (a missing field: its parent)."""
        key = tuple(node_path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def error(self, node_path: Sequence[str | int], message: str) -> RuleError:
        label = field_label(node_path, self.data)
        return RuleError(self.path, self.line_of(node_path), label, message)


class _Constructor(yaml.CSafeLoader):
    pass


def load_yaml(file: Path, display: str) -> tuple[YamlDocument | None, list[RuleError]]:
    """Read one YAML file; on a syntax error return no document and the error with its line."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [RuleError(display, 1, "", f"tệp không phải UTF-8 ({exc.reason})")]
    except OSError as exc:
        return None, [RuleError(display, None, "", f"không đọc được tệp: {exc.strerror}")]
    parsed = _parsed(text)
    if isinstance(parsed, tuple):
        line, message = parsed
        return None, [RuleError(display, line, "", message)]
    data, lines, duplicates = pickle.loads(parsed)
    document = YamlDocument(display, data, lines)
    # worded once the data is known, so a duplicate inside a task names the task by its id
    return document, [document.error(path, message) for path, message in duplicates]


@lru_cache(maxsize=256)
def _parsed(text: str) -> bytes | tuple[int, str]:
    """A file's text parsed: its data, the line of every node and its duplicate keys (pickled,
    so that each caller gets its own copy), or the line and explanation of its syntax error.

    Memoised by the text: a reload after an edit parses only the edited files again (and a
    copy of a rule set, the same texts elsewhere, none)."""
    loader = _Constructor(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return explain(text, exc)
    finally:
        loader.dispose()
    document = YamlDocument("", {})
    duplicates: list[tuple[NodePath, str]] = []
    if node is not None:
        document.data = _convert(node, (), document, duplicates, loader)
    return pickle.dumps((document.data, document.lines, duplicates), pickle.HIGHEST_PROTOCOL)


def _convert(
    node: yaml.Node,
    path: NodePath,
    document: YamlDocument,
    duplicates: list[tuple[NodePath, str]],
    loader: yaml.SafeLoader,
) -> Any:
    document.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int):
                key = str(key)
            child = (*path, key)
            if key in result:
                duplicates.append((child, _duplicate(key, path, document.lines[child])))
                document.lines[child] = key_node.start_mark.line + 1
                continue
            result[key] = _convert(value_node, child, document, duplicates, loader)
            document.lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*path, index), document, duplicates, loader)
            for index, item in enumerate(node.value)
        ]
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError):
        # e.g. "2023-13-45" looks like a date but is none: keep the text for pydantic to reject
        return node.value


def _duplicate(key: object, path: NodePath, first: int) -> str:
    """A key written twice; in a task, a second ``id`` usually is a new task without ``- ``."""
    message = f"khóa «{key}» bị khai báo hai lần (lần đầu ở dòng {first}); xóa một trong hai dòng"
    in_task = len(path) >= 2 and path[-2] in ("tasks", "subtasks") and isinstance(path[-1], int)
    if in_task and key == "id":
        message += "; nếu đây là một nhiệm vụ mới, thêm «- » trước «id» cho thẳng cột với «- » của nhiệm vụ trên"
    return message
