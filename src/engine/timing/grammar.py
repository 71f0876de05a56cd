"""The deadline-phrase grammar: patterns an admin writes in ``rules/phrases.yaml``.

A pattern template is plain Vietnamese with a little markup:

* ``{month}``, ``{month_end}`` (1–12, "3" or "03"), ``{day}`` (1–31), ``{year}`` (4 digits),
  ``{quarter}``, ``{quarter_end}`` (I–IV or 1–4), ``{half}`` ("đầu"/"cuối": the first or
  last six months of a year), ``{days}``, ``{working_days}`` (a count of calendar or working
  days after the plan's signing), ``{months}`` (a count of months, checked against the range
  printed with it) are typed placeholders; ``{from_quarter}``, ``{from_month}`` are a
  quarter or month where a recurrence starts;
* ``{sep}`` is a month/year separator: "/", ".", "-" or the word "năm";
* any other ``{name}`` (``{reference}``, ``{trigger}``, ``{label}``) captures free text;
* ``[...]`` is optional (``[a|b]``: optionally one of), ``(a|b)`` is a choice (parentheses without "|" are literal), a
  space matches any run of spaces;
* everything else is literal.

Templates and phrases are compared after :func:`engine.text.normalize` (NFC, case-folded,
dashes unified, spaces collapsed), so case, NFD input and en-dashes never matter. A phrase
matches a template only as a whole; trailing "." ";" "," are ignored.

A template is compiled once per process, on first use (:func:`compile_template`,
:func:`compile_search` and :func:`compile_label` are cached per template string): the phrase
book keeps only the template strings, so unpickling a cached catalogue compiles nothing and
reading a phrase compiles only the templates it tries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from engine.text import collapse, normalize

_TYPED = {
    "month": r"0?[1-9]|1[0-2]",
    "day": r"0?[1-9]|[12][0-9]|3[01]",
    "year": r"(?:19|20)[0-9]{2}",
    "quarter": r"iv|iii|ii|i|[1-4]",
    "half": r"đầu|cuối",
    "days": r"[0-9]{1,3}",
    "working_days": r"[0-9]{1,3}",
    "months": r"[0-9]{1,2}",
}
_SEP = r"\s*(?:/|\.|-|năm)\s*"
_TOKEN = re.compile(r"\{([a-z_]+)\}|(\s+)|([\[\]()|])|([^{}\[\]()|\s]+)")
_TRAILING = re.compile(r"[\s.;,]+$")


class TemplateError(ValueError):
    """A template that cannot be compiled; the message says why, in Vietnamese."""


def placeholder_type(name: str) -> str | None:
    """The typed kind of a placeholder name (``month_end``, ``from_month`` → ``month``), or
    None for free text."""
    base = name.removesuffix("_end").removeprefix("from_")
    return base if base in _TYPED else None


@cache
def compile_template(template: str) -> re.Pattern[str]:
    """Compile a template into an anchored regular expression over normalised text.

    Parentheses form a choice only when they hold a "|" at their own level; otherwise they
    are literal, so "(đối với {label})" matches the brackets printed in a plan.
    """
    return re.compile(rf"^{_template_regex(template)}$")


@cache
def compile_search(template: str) -> re.Pattern[str]:
    """Compile a template to find it anywhere in normalised text, on whole words only."""
    return re.compile(rf"(?<!\w){_template_regex(template)}(?!\w)")


@cache
def compile_label(template: str) -> re.Pattern[str]:
    """Compile a label template ("(đối với {label})") to match at the end of a part, the text
    before it captured as ``body``."""
    return re.compile(rf"^(?P<body>.+?)\s*{_template_regex(template)}$")


def _template_regex(template: str) -> str:
    source = normalize(template)
    tokens: list[tuple[str, str]] = []
    position = 0
    for match in _TOKEN.finditer(source):
        if match.start() != position:
            raise TemplateError(f"ký tự không hợp lệ ở vị trí {position + 1}: {source!r}")
        position = match.end()
        name, space, mark, literal = match.groups()
        if name is not None:
            tokens.append(("name", name))
        elif space is not None:
            tokens.append(("space", space))
        elif mark is not None:
            tokens.append(("mark", mark))
        else:
            tokens.append(("literal", literal))
    if position != len(source):
        raise TemplateError(f"mẫu có ký tự không hợp lệ: {template!r}")
    names: set[str] = set()
    regex, index = _sequence(tokens, 0, names, template, closing=None)
    if index != len(tokens):
        raise TemplateError(f"dấu '{tokens[index][1]}' không khớp trong mẫu {template!r}")
    return regex.replace(r"\s+\s+", r"\s+")


def _sequence(
    tokens: list[tuple[str, str]], index: int, names: set[str], template: str, closing: str | None
) -> tuple[str, int]:
    """Translate tokens up to ``closing`` (or the end); returns (regex, index of closing)."""
    parts: list[str] = []
    while index < len(tokens):
        kind, value = tokens[index]
        if kind == "mark" and value == closing:
            return "".join(parts), index
        if kind == "mark" and value == "|":
            if closing is None:
                raise TemplateError("dấu '|' chỉ dùng bên trong ( ) hoặc [ ]")
            parts.append("|")
        elif kind == "mark" and value in "[(":
            inner_closing = "]" if value == "[" else ")"
            inner, end = _sequence(tokens, index + 1, names, template, inner_closing)
            if end >= len(tokens):
                raise TemplateError(f"thiếu dấu '{inner_closing}' trong mẫu {template!r}")
            if value == "[":
                parts.append(f"(?:{inner})?")
            elif _has_top_level_bar(tokens, index + 1, end):
                parts.append(f"(?:{inner})")
            else:
                parts.append(rf"\({inner}\)")
            index = end
        elif kind == "mark":
            raise TemplateError(f"dấu '{value}' không khớp trong mẫu {template!r}")
        elif kind == "name":
            parts.append(_placeholder(value, names))
        elif kind == "space":
            parts.append(r"\s+")
        else:
            parts.append(re.escape(value))
        index += 1
    if closing is not None:
        raise TemplateError(f"thiếu dấu '{closing}' trong mẫu {template!r}")
    return "".join(parts), index


def _has_top_level_bar(tokens: list[tuple[str, str]], start: int, end: int) -> bool:
    depth = 0
    for kind, value in tokens[start:end]:
        if kind != "mark":
            continue
        if value in "[(":
            depth += 1
        elif value in "])":
            depth -= 1
        elif value == "|" and depth == 0:
            return True
    return False


def _placeholder(name: str, names: set[str]) -> str:
    if name == "sep":
        return _SEP
    if name in names:
        raise TemplateError(f"chỗ trống {{{name}}} xuất hiện hai lần")
    names.add(name)
    kind = placeholder_type(name)
    body = _TYPED[kind] if kind else r".+?"
    return f"(?P<{name}>{body})"


@dataclass(frozen=True)
class Captures:
    """What a template matched: typed values and free text in the phrase's own casing."""

    values: dict[str, str]
    phrase: str

    def text(self, name: str) -> str | None:
        return self.values.get(name)


@lru_cache(maxsize=4096)
def _shapes(phrase: str) -> tuple[str, str]:
    """(original, key) of a phrase: collapsed without trailing punctuation, and its matching
    key. Memoised: a phrase is tried against every template until one reads it."""
    original = _TRAILING.sub("", collapse(phrase))
    return original, normalize(original)


def match_template(pattern: re.Pattern[str], phrase: str) -> Captures | None:
    """Match a whole phrase; free-text captures keep the phrase's original letters."""
    original, key = _shapes(phrase)
    found = pattern.match(key)
    if found is None:
        return None
    same_shape = len(key) == len(original)
    values: dict[str, str] = {}
    for name, value in found.groupdict().items():
        if value is None:
            continue
        if same_shape and placeholder_type(name) is None:
            value = original[found.start(name) : found.end(name)]
        values[name] = value.strip()
    return Captures(values, original)
