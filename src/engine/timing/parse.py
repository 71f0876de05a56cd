"""Deadline phrase → typed timing, driven by the grammar of ``rules/phrases.yaml``.

A cell is read in steps. First every pattern, in file order, is tried against the whole cell;
the first that matches decides the class — unless the cell opens with a shared prefix and is
really several parts of different classes (:func:`engine.timing.cells.read_composite`). When
no pattern reads the whole cell, it is read part by part (:func:`engine.timing.cells.read_cell`):
dated parts make "several months" or "labelled milestones", parts of other shapes a composite
timing, and an action before the time becomes the milestone's label. A wording the grammar
lists as vague ("Đầu năm 2024") is refused with its suggestion. Anything else is a
:class:`PhraseError` naming the part that could not be read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from engine.calendar import WorkingCalendar
from engine.text import collapse, normalize
from engine.timing.actions import unbracket
from engine.timing.builders import ParseContext, build
from engine.timing.cells import read_cell, read_composite, strip_bullet
from engine.timing.grammar import (
    Captures,
    compile_label,
    compile_search,
    compile_template,
    match_template,
)
from engine.timing.models import Period, Timing, TimingClass, UnspecifiedTiming
from engine.timing.reading import PartReading
from engine.timing.values import PhraseError, VagueError

__all__ = ["ParseContext", "ParsedPhrase", "PhraseBook", "PhraseError", "PhraseGrammar"]


class PhrasePattern(BaseModel):
    """One wording the engine understands, with the class it gives."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    id: str
    timing_class: TimingClass = Field(alias="class")
    match: list[str] = Field(min_length=1)
    examples: list[str] = []
    before: bool = False
    after: bool = False
    """The obligation starts the day after the period ("sau năm 2028": from 1/1/2029)."""
    period: Period | None = None
    repeats: bool = False
    note: str | None = None

    @field_validator("timing_class")
    @classmethod
    def _single_phrase_class(cls, value: TimingClass) -> TimingClass:
        if value in (TimingClass.SEVERAL_MONTHS, TimingClass.LABELLED_MILESTONES):
            raise ValueError(
                "lớp này do bộ đọc tự suy ra khi một ô có nhiều mốc; "
                "hãy khai báo từng mốc (fixed_month, quarter, ...)"
            )
        return value


class VagueWording(BaseModel):
    """Words that do not fix a due date ("đầu năm"): refused, with a suggestion for the admin."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    match: list[str] = Field(min_length=1)
    suggestion: str
    examples: list[str] = []
    unless: list[str] = []
    """Wordings holding a vague one that name an action ("sơ kết giữa kỳ", a mid-term review)."""


class PhraseGrammar(BaseModel):
    """The whole grammar file."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    splitters: list[str] = ["\n", ";", " và ", ","]
    composite_splitters: list[str] = ["\n", ";", " và "]
    shared_prefixes: list[str] = ["theo"]
    labels: list[str] = ["(đối với {label})"]
    vague: list[VagueWording] = []
    patterns: list[PhrasePattern] = Field(min_length=1)


@dataclass(frozen=True)
class ParsedPhrase:
    """A timing, the patterns that read it and, for a cell read in parts, how each was read."""

    timing: Timing
    patterns: tuple[str, ...]
    parts: tuple[PartReading, ...] = ()


class PhraseBook:
    """A grammar plus the reference documents external phrases may name.

    The book holds the templates as written; each is compiled on first use and cached per
    process (:mod:`engine.timing.grammar`), so a pickled book holds no compiled pattern.
    """

    def __init__(
        self,
        grammar: PhraseGrammar,
        references: Mapping[str, str] | None = None,
        calendar: WorkingCalendar | None = None,
    ):
        self.grammar = grammar
        self.calendar = calendar or WorkingCalendar()
        """Counts "05 ngày làm việc kể từ ngày ban hành" (the catalog's, overrides included)."""
        self._prefixes = [normalize(p) for p in grammar.shared_prefixes]
        self.catch_all = frozenset(
            spec.id for spec in grammar.patterns if all(self._is_catch_all(t) for t in spec.match)
        )
        self._references = sorted(
            ((normalize(k), v) for k, v in (references or {}).items()),
            key=lambda kv: -len(kv[0]),
        )

    def _is_catch_all(self, template: str) -> bool:
        """A template that is a shared prefix and free text only ("theo {reference}")."""
        return normalize(re.sub(r"\{[a-z_]+\}", "", template)) in self._prefixes

    def first_match(self, phrase: str) -> tuple[PhrasePattern, Captures] | None:
        """The first pattern (in file order) that reads the whole phrase."""
        for spec in self.grammar.patterns:
            for template in spec.match:
                captures = match_template(compile_template(template), phrase)
                if captures is not None:
                    return spec, captures
        return None

    def resolve_reference(self, text: str) -> str | None:
        key = normalize(text)
        for needle, ref_id in self._references:
            if needle in key:
                return ref_id
        return None

    def shared_prefix(self, text: str) -> str | None:
        """The shared leading word ``text`` opens with ("theo"), as printed, if any."""
        key = normalize(text)
        for prefix in self._prefixes:
            if key.startswith(prefix + " "):
                return collapse(text)[: len(prefix)]
        return None

    def refuse_vague(self, part: str, phrase: str, read_from: int | None = None) -> None:
        """Raise :class:`VagueError` when ``part`` holds a vague wording, with its suggestion.

        ``read_from`` is where, in ``part``, a time a pattern read begins: a wording wholly
        inside it was read by that pattern and is not vague, nor is one inside a wording of its
        rule's ``unless`` list.
        """
        original = collapse(part)
        key = normalize(original)
        skip = len(key) + 1 if read_from is None else len(normalize(part[:read_from])) + 1
        hits = [
            (found.start(), -len(found[0]), found, rule)
            for rule in self.grammar.vague
            for template in rule.match
            for found in compile_search(template).finditer(key)
            if found.start() < skip and not _inside(found, rule.unless, key)
        ]
        if not hits:
            return
        _, _, found, rule = min(hits, key=lambda hit: hit[:2])
        words = original[found.start() : found.end()] if len(key) == len(original) else found[0]
        raise VagueError(
            f"cụm từ thời hạn «{collapse(phrase)}»: «{words}» không đủ rõ để tính hạn; "
            f"{rule.suggestion}"
        )

    def parse(self, phrase: str, context: ParseContext) -> ParsedPhrase:
        """Read a deadline cell; raise :class:`PhraseError` when nothing reads it."""
        if not normalize(phrase):
            return ParsedPhrase(UnspecifiedTiming(), ())
        if "\n" not in phrase.strip():  # "- (hoàn thành trong tháng 11/2025)"
            phrase = unbracket(strip_bullet(collapse(phrase)))
        found = self.first_match(phrase)
        if found is None:
            return read_cell(self, phrase, context)
        spec, captures = found
        composite = read_composite(self, phrase, context, spec)
        if composite is not None:
            return composite
        reading = PartReading.of(captures.phrase, spec.id, captures)
        return ParsedPhrase(build(self, spec, captures, context, None), (spec.id,), (reading,))

    def split_label(self, part: str) -> tuple[str, str | None]:
        """(body, label) of a part ending with a label such as "(đối với Hộ tịch)"."""
        key = normalize(part)
        for template in self.grammar.labels:
            found = compile_label(template).match(key)
            if found:
                original = collapse(part)
                same = len(original) == len(key)
                label = (
                    original[found.start("label") : found.end("label")] if same else found["label"]
                )
                body = original[: found.end("body")] if same else found["body"]
                return body, label.strip()
        return part, None


EXAMPLES_CONTEXT = ParseContext(2023, date(2023, 1, 1))
"""Examples are read as in a plan of 2023 signed on 01/01/2023 (for "kể từ ngày ban hành")."""


def _inside(found: re.Match[str], exceptions: list[str], key: str) -> bool:
    """Whether a vague wording lies within one of the wordings (templates) that spare it."""
    return any(
        spared.start() <= found.start() and found.end() <= spared.end()
        for template in exceptions
        for spared in compile_search(template).finditer(key)
    )


def examples_problems(
    book: PhraseBook, context: ParseContext = EXAMPLES_CONTEXT
) -> list[tuple[int, int, str]]:
    """(pattern index, example index, message) for every example its own pattern does not read.

    An example read by an earlier pattern is a problem too: that pattern shadows this one.
    """
    problems: list[tuple[int, int, str]] = []
    for index, spec in enumerate(book.grammar.patterns):
        for example_index, example in enumerate(spec.examples):
            found = book.first_match(example)
            if found is None:
                problems.append((index, example_index, f"ví dụ «{example}» không khớp mẫu nào"))
            elif found[0].id != spec.id:
                problems.append(
                    (index, example_index, f"ví dụ «{example}» bị mẫu «{found[0].id}» đọc trước")
                )
            else:
                try:
                    book.parse(example, context)
                except PhraseError as exc:
                    problems.append((index, example_index, str(exc)))
    return problems


def all_templates(patterns: Sequence[PhrasePattern]) -> list[tuple[int, int, str]]:
    """(pattern index, template index, template) of every template, for validation."""
    return [(i, j, t) for i, spec in enumerate(patterns) for j, t in enumerate(spec.match)]
