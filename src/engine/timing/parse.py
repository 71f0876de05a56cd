"""Deadline phrase → typed timing, driven by the grammar of ``rules/phrases.yaml``.

A cell is read in two steps. First every pattern, in file order, is tried against the whole
cell; the first that matches decides the class. When none does, the cell is split at the
grammar's splitters (a line break, ";", " và ") and each part, stripped of a label suffix such
as "(đối với Hộ tịch)", must read as a dated milestone: the cell is then "several months" or,
when a part carries a label, "labelled milestones". Anything else is a :class:`PhraseError`.

Years left out ("Tháng 3", "Tháng 6 và Tháng 12") are the plan's year; "before" patterns
("trước ngày 22", "trước tháng 6/2023") give the day before, rolled backward.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from engine.text import collapse, normalize
from engine.timing.grammar import Captures, compile_template, match_template
from engine.timing.models import (
    DatedTiming,
    ExternalTiming,
    Milestone,
    Period,
    RecurringTiming,
    Timing,
    TimingClass,
    TriggeredTiming,
    UnspecifiedTiming,
)

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_DATED = {
    TimingClass.FIXED_MONTH,
    TimingClass.QUARTER,
    TimingClass.YEAR,
    TimingClass.DATE,
}


class PhrasePattern(BaseModel):
    """One wording the engine understands, with the class it gives."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str
    timing_class: TimingClass = Field(alias="class")
    match: list[str] = Field(min_length=1)
    examples: list[str] = []
    before: bool = False
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


class PhraseGrammar(BaseModel):
    """The whole grammar file."""

    model_config = ConfigDict(extra="forbid")

    splitters: list[str] = ["\n", ";", " và "]
    labels: list[str] = ["(đối với {label})"]
    patterns: list[PhrasePattern] = Field(min_length=1)


@dataclass(frozen=True)
class ParseContext:
    """What a phrase needs from its plan: the year of "Tháng 3" and the plan's span."""

    plan_year: int
    plan_start: date | None = None
    plan_end: date | None = None


@dataclass(frozen=True)
class ParsedPhrase:
    timing: Timing
    patterns: tuple[str, ...]


class PhraseError(ValueError):
    """A phrase no pattern reads; the message is for admins."""


class PhraseBook:
    """A compiled grammar plus the reference documents external phrases may name."""

    def __init__(self, grammar: PhraseGrammar, references: Mapping[str, str] | None = None):
        self.grammar = grammar
        self._compiled = [
            (spec, [compile_template(t) for t in spec.match]) for spec in grammar.patterns
        ]
        self._labels = [
            re.compile(r"^(?P<body>.+?)\s*" + compile_template(t).pattern[1:])
            for t in grammar.labels
        ]
        self._references = sorted(
            ((normalize(k), v) for k, v in (references or {}).items()),
            key=lambda kv: -len(kv[0]),
        )

    def first_match(self, phrase: str) -> tuple[PhrasePattern, Captures] | None:
        """The first pattern (in file order) that reads the whole phrase."""
        for spec, templates in self._compiled:
            for template in templates:
                captures = match_template(template, phrase)
                if captures is not None:
                    return spec, captures
        return None

    def resolve_reference(self, text: str) -> str | None:
        key = normalize(text)
        for needle, ref_id in self._references:
            if needle in key:
                return ref_id
        return None

    def parse(self, phrase: str, context: ParseContext) -> ParsedPhrase:
        """Read a deadline cell; raise :class:`PhraseError` when nothing reads it."""
        if not normalize(phrase):
            return ParsedPhrase(UnspecifiedTiming(), ())
        found = self.first_match(phrase)
        if found is not None:
            spec, captures = found
            return ParsedPhrase(self._build(spec, captures, context, None), (spec.id,))
        return self._parse_parts(phrase, context)

    def _parse_parts(self, phrase: str, context: ParseContext) -> ParsedPhrase:
        parts = [collapse(phrase)] if "\n" not in phrase else []
        if not parts:
            parts = [collapse(line) for line in phrase.splitlines()]
        for splitter in self.grammar.splitters:
            if splitter == "\n":
                continue
            parts = [p for part in parts for p in _split(part, splitter)]
        parts = [p for p in parts if p]
        if len(parts) < 2 and not self._has_label(phrase):
            raise PhraseError(f"không đọc được cụm từ thời hạn «{collapse(phrase)}»")
        milestones: list[Milestone] = []
        used: list[str] = []
        labelled = False
        for part in parts:
            body, label = self._split_label(part)
            found = self.first_match(body)
            if found is None or found[0].timing_class not in _DATED:
                raise PhraseError(
                    f"không đọc được mốc «{part}» trong cụm từ thời hạn «{collapse(phrase)}»"
                )
            spec, captures = found
            timing = self._build(spec, captures, context, label)
            assert isinstance(timing, DatedTiming)
            milestones.extend(timing.milestones)
            used.append(spec.id)
            labelled = labelled or label is not None
        keys = [m.key for m in milestones]
        if len(set(keys)) != len(keys):
            raise PhraseError(f"cụm từ thời hạn «{collapse(phrase)}» có hai mốc trùng nhau")
        cls = TimingClass.LABELLED_MILESTONES if labelled else TimingClass.SEVERAL_MONTHS
        return ParsedPhrase(
            DatedTiming(timing_class=cls, milestones=tuple(milestones)), tuple(used)
        )

    def _has_label(self, phrase: str) -> bool:
        return self._split_label(collapse(phrase))[1] is not None

    def _split_label(self, part: str) -> tuple[str, str | None]:
        key = normalize(part)
        for regex in self._labels:
            found = regex.match(key)
            if found:
                original = collapse(part)
                same = len(original) == len(key)
                label = (
                    original[found.start("label") : found.end("label")] if same else found["label"]
                )
                body = original[: found.end("body")] if same else found["body"]
                return body, label.strip()
        return part, None

    def _build(
        self,
        spec: PhrasePattern,
        captures: Captures,
        context: ParseContext,
        label: str | None,
    ) -> Timing:
        try:
            return _BUILDERS[spec.timing_class](self, spec, captures, context, label)
        except PhraseError as exc:
            raise PhraseError(f"cụm từ thời hạn «{captures.phrase}»: {exc}") from None


def _split(text: str, splitter: str) -> list[str]:
    pattern = re.escape(normalize(splitter)).replace(r"\ ", r"\s+")
    return [collapse(p) for p in re.split(pattern, text, flags=re.IGNORECASE)]


def _int(captures: Captures, name: str) -> int | None:
    raw = captures.text(name)
    if raw is None:
        return None
    return _ROMAN.get(raw) or int(raw)


def _year(captures: Captures, context: ParseContext) -> int:
    return _int(captures, "year") or context.plan_year


def _month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


def _milestone(
    key: str, start: date, end: date, before: bool, label: str | None, window: bool = False
) -> Milestone:
    """A period's milestone: due at its end, or the day before its start for "trước ...".

    Only quarters and quarter ranges open a window (before it the milestone is "not started"); a month or
    a year is simply the deadline, the work may start at once.
    """
    if before:
        due = start - timedelta(days=1)
        return Milestone(key=label or key, label=label, nominal_due=due, roll="backward")
    return Milestone(
        key=label or key, label=label, window_start=start if window else None, nominal_due=end
    )


def _dated(cls: TimingClass, milestone: Milestone) -> DatedTiming:
    return DatedTiming(timing_class=cls, milestones=(milestone,))


def _fixed_month(book, spec, captures, context, label):
    year, month = _year(captures, context), _int(captures, "month")
    assert month is not None
    start = date(year, month, 1)
    milestone = _milestone(
        f"{year}-{month:02d}", start, _month_end(year, month), spec.before, label
    )
    return _dated(TimingClass.FIXED_MONTH, milestone)


def _quarter(book, spec, captures, context, label):
    year = _year(captures, context)
    first = _int(captures, "quarter")
    assert first is not None
    last = _int(captures, "quarter_end") or first
    if last < first:
        raise PhraseError(f"quý cuối (Q{last}) đứng trước quý đầu (Q{first})")
    start = date(year, 3 * first - 2, 1)
    key = f"{year}-Q{first}" if first == last else f"{year}-Q{first}-Q{last}"
    milestone = _milestone(key, start, _month_end(year, 3 * last), spec.before, label, window=True)
    return _dated(TimingClass.QUARTER, milestone)


def _year_class(book, spec, captures, context, label):
    year = _year(captures, context)
    milestone = _milestone(str(year), date(year, 1, 1), date(year, 12, 31), spec.before, label)
    return _dated(TimingClass.YEAR, milestone)


def _date_class(book, spec, captures, context, label):
    day = _date_of(captures, context)
    key = day.isoformat()
    if spec.before:
        due = day - timedelta(days=1)
        return _dated(
            TimingClass.DATE,
            Milestone(key=label or key, label=label, nominal_due=due, roll="backward"),
        )
    return _dated(TimingClass.DATE, Milestone(key=label or key, label=label, nominal_due=day))


def _date_of(captures: Captures, context: ParseContext) -> date:
    year, month, day = _year(captures, context), _int(captures, "month"), _int(captures, "day")
    if month is None:
        raise PhraseError("thiếu tháng")
    try:
        return date(year, month, day or 1)
    except ValueError as exc:
        raise PhraseError(f"ngày {day}/{month}/{year} không tồn tại") from exc


def _whole_year(book, spec, captures, context, label):
    year = _year(captures, context)
    start = date(year, 1, 1)
    if context.plan_start and context.plan_start.year == year:
        start = max(start, context.plan_start)
    final = Milestone(key=str(year), label="Kết quả cả năm", nominal_due=date(year, 12, 31))
    return RecurringTiming(
        timing_class=TimingClass.WHOLE_YEAR, start=start, end=date(year, 12, 31), final=final
    )


def _continuous(book, spec, captures, context, label):
    return RecurringTiming(timing_class=TimingClass.CONTINUOUS, period=spec.period or "month")


def _periodic(book, spec, captures, context, label):
    day = _int(captures, "day")
    return RecurringTiming(
        timing_class=TimingClass.PERIODIC,
        period=spec.period or "month",
        before_day=day if spec.before else None,
        due_day=None if spec.before else day,
    )


def _start_from(book, spec, captures, context, label):
    return RecurringTiming(
        timing_class=TimingClass.START_FROM,
        period=spec.period or "month",
        start=_date_of(captures, context),
    )


def _external(book, spec, captures, context, label):
    text = captures.text("reference") or ""
    return ExternalTiming(reference=book.resolve_reference(text), reference_text=text)


def _triggered(cls: TimingClass):
    def build(book, spec, captures, context, label):
        earliest = _date_of(captures, context) if captures.text("month") else None
        return TriggeredTiming(
            timing_class=cls,
            trigger=captures.text("trigger") or "",
            earliest=earliest,
            repeats=spec.repeats,
        )

    return build


def _unspecified(book, spec, captures, context, label):
    return UnspecifiedTiming()


_BUILDERS = {
    TimingClass.FIXED_MONTH: _fixed_month,
    TimingClass.QUARTER: _quarter,
    TimingClass.YEAR: _year_class,
    TimingClass.DATE: _date_class,
    TimingClass.WHOLE_YEAR: _whole_year,
    TimingClass.CONTINUOUS: _continuous,
    TimingClass.PERIODIC: _periodic,
    TimingClass.START_FROM: _start_from,
    TimingClass.EXTERNAL: _external,
    TimingClass.EVENT: _triggered(TimingClass.EVENT),
    TimingClass.ON_REQUEST: _triggered(TimingClass.ON_REQUEST),
    TimingClass.UNSPECIFIED: _unspecified,
}


def examples_problems(book: PhraseBook, context: ParseContext) -> list[tuple[int, int, str]]:
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
