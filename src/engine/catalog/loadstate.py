"""The state of one load of a rule set, shared by the file loaders.

:class:`LoadState` accumulates every error and warning; a file is read with its pydantic
model and each validation error is recorded with its file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from engine.catalog.errors import RuleError, pydantic_message
from engine.catalog.yamlfile import YamlDocument, load_yaml

M = TypeVar("M", bound=BaseModel)


@dataclass
class LoadState:
    """Accumulates errors and warnings while a rule set is read."""

    errors: list[RuleError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reference_files: dict[str, YamlDocument] = field(default_factory=dict)
    references_ok: bool = True
    rules_dir: Path = Path("rules")

    def read(self, file: Path, model: type[M]) -> tuple[YamlDocument | None, M | None]:
        document, errors = load_yaml(file, display_path(file))
        self.errors.extend(errors)
        if document is None:
            return None, None
        try:
            return document, model.model_validate(document.data)
        except ValidationError as exc:
            for error in exc.errors():
                loc = [p for p in error["loc"] if not _is_union_tag(p)]
                self.errors.append(document.error(loc, pydantic_message(error)))
            return document, None


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part in {
        "dated",
        "recurring",
        "external",
        "triggered",
        "unspecified",
    }


def display_path(file: Path) -> str:
    """The path as an admin typed it: relative to the working directory when inside it."""
    absolute = file.absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def read_required(state: LoadState, file: Path, model: type[M]) -> tuple[YamlDocument, M] | None:
    """A file that must exist and be well-formed; None (with its errors recorded) otherwise."""
    if not file.is_file():
        state.errors.append(RuleError(display_path(file), None, "", "thiếu tệp bắt buộc"))
        return None
    document, spec = state.read(file, model)
    if document is None or spec is None:
        return None
    return document, spec


def valid_or_none(model: type[M], data: Any) -> M | None:
    """``data`` validated as ``model``, or None when it is not valid (errors not recorded)."""
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def raw_value(data: Any, *path: str) -> Any:
    """The value at ``path`` in raw YAML data, or None where a level is missing or no mapping."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
