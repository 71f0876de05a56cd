"""Cells that no single pattern reads whole: several parts, labels, actions before the time.

A cell is cut at the grammar's splitters (a line break, ";", ". ", "và", "hoặc", ",") — on whole
words only, so "vào" is never cut at "và"; a list bullet opening a part is dropped. Each part
is then read, in this order (:func:`_read_part`):

1. whole, by a pattern, once a label suffix such as "(đối với Hộ tịch)" is set aside;
2. whole, with the leading word the cell's first part opens with ("theo"), when that word is
   one of the grammar's ``shared_prefixes`` ("Theo A và yêu cầu của B" = theo A, theo B);
3. as an action followed by a time (:mod:`engine.timing.actions`: "Trình Thủ tướng Chính phủ
   trong tháng 9/2026");
4. refused when it holds a vague wording of the grammar ("Đầu năm 2024") anywhere but inside
   the time a pattern read (in "đưa vào sử dụng ngay trong quý 2/2025" a quarter pattern read
   "ngay trong quý 2/2025", then left "ngay" to the label), with the wording's suggestion.

A part with no time word that none of these reads starts the next part's action ("Mạng lưới
... được đầu tư, đồng bộ hoàn thành trước năm 2027"); after the last part read, such words, or
a clause marked "(nếu có)", are set aside (:func:`_read_parts`).

A count of months followed by the months in brackets ("02 tháng (tháng 4 và tháng 8)") is
those months, when there are exactly that many (:func:`_counted_months`).

A year printed once applies to every dated part before it ("Quý I và Quý II/2024" is two
quarters of 2024), an action printed once to every dated part after it ("hoàn thành các nhiệm
vụ trong tháng 11, tháng 12 năm 2025"); a dated part without a year after the last printed one
is refused rather than guessed. Dated parts make one dated timing ("several months", or
"labelled milestones" when a part carries a label suffix); parts of other shapes make a
composite timing, with one continuous duty at most. "hoặc" may join one schedule with requests
or events only ("Định kỳ hàng năm hoặc đột xuất"), never two deadlines.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from engine.text import collapse, normalize
from engine.timing.actions import action_before_time
from engine.timing.builders import DATED_CLASSES, ParseContext, build
from engine.timing.models import CompositeTiming, DatedTiming, Milestone, Timing, TimingClass
from engine.timing.reading import Found, PartReading
from engine.timing.values import PhraseError, VagueError, printed_year

if TYPE_CHECKING:
    from engine.timing.parse import ParsedPhrase, PhraseBook, PhrasePattern

_BULLET = re.compile(r"^[-–—+•]\s+")
# Words of a time, a period or a recurrence: a part holding one is never set aside or folded
# into the next part's action.
_TIMELY = re.compile(
    r"\d|(?<!\w)(?:tháng|thang|quý|quí|năm|ngày|tuần|kỳ|định kỳ|thường xuyên|liên tục|hằng|"
    r"hàng|lần|khi|trước|đến|tới|từ|hạn|sớm|ngay)(?!\w)"
)
_CONDITIONAL = re.compile(r"\(nếu có\)[\s.;,]*$")
_OR = re.compile(r"(?<!\w)hoặc(?!\w)")
_UNSCHEDULED = frozenset({TimingClass.ON_REQUEST, TimingClass.EVENT})
# "02 tháng (tháng 4 và tháng 8)": a count of months, then the months it counts.
_COUNTED = re.compile(r"^0?([1-9][0-9]?) tháng \((.+)\)$")
_MONTH_KEY = re.compile(r"\d{4}-\d{2}")


def splitter_regex(splitter: str) -> re.Pattern[str]:
    """A splitter as a regular expression that never matches inside a word."""
    key = normalize(splitter) or splitter
    body = re.escape(key).replace(r"\ ", r"\s+")
    before = r"(?<!\w)" if key[0].isalnum() else ""
    after = r"(?!\w)" if key[-1].isalnum() else ""
    return re.compile(before + body + after, re.IGNORECASE)


def split_spans(phrase: str, splitters: list[str]) -> list[tuple[str, str]]:
    """(separator before it, part) for each part of a cell, cut at line breaks and then at
    every splitter in the given order; a list bullet ("- ") opening a part is dropped."""
    spans = [("\n" if i else "", collapse(line)) for i, line in enumerate(phrase.splitlines())]
    for splitter in splitters:
        if splitter == "\n":
            continue
        regex = re.compile(f"({splitter_regex(splitter).pattern})", re.IGNORECASE)
        cut: list[tuple[str, str]] = []
        for separator, part in spans:
            pieces = regex.split(part)
            cut.append((separator, pieces[0]))
            cut.extend(zip(pieces[1::2], pieces[2::2], strict=True))
        spans = cut
    cleaned = [(sep, strip_bullet(collapse(part))) for sep, part in spans]
    return [(sep, part) for sep, part in cleaned if part]


def strip_bullet(text: str) -> str:
    """The text without a list bullet ("- ", "+ ", "• ") opening it."""
    return _BULLET.sub("", text)


def split_cell(phrase: str, splitters: list[str]) -> list[str]:
    """The parts of a cell (see :func:`split_spans`)."""
    return [part for _, part in split_spans(phrase, splitters)]


def read_cell(book: PhraseBook, phrase: str, context: ParseContext) -> ParsedPhrase:
    """Read a cell no pattern reads whole; raise :class:`PhraseError` naming the unread part."""
    counted = _counted_months(book, phrase, context)
    if counted is not None:
        return counted
    spans = split_spans(phrase, book.grammar.splitters)
    whole = collapse(phrase)
    try:
        found = _read_parts(book, spans, whole)
    except VagueError:
        raise
    except PhraseError:
        if len(spans) < 2 or "\n" in phrase.strip():
            raise
        try:  # an action with "và" in it: "hoàn thành và đưa vào sử dụng trong quý 2/2025"
            found = [_read_part(book, whole, whole, None)]
        except PhraseError:
            pass
        else:
            return _combine(book, found, whole, context)
        raise
    return _combine(book, found, whole, context)


def _counted_months(book: PhraseBook, phrase: str, context: ParseContext) -> ParsedPhrase | None:
    """A count of months with the months listed in brackets ("02 tháng (tháng 4 và tháng
    8)"): the months as listed, when there are exactly that many; None for any other cell."""
    whole = collapse(phrase)
    found = _COUNTED.match(normalize(whole))
    if found is None or len(normalize(whole)) != len(whole):
        return None
    parsed = read_cell(book, whole[found.start(2) : found.end(2)], context)
    count, timing = int(found[1]), parsed.timing
    milestones = timing.milestones if isinstance(timing, DatedTiming) else ()
    if len(milestones) != count or not all(_MONTH_KEY.fullmatch(m.key) for m in milestones):
        raise PhraseError(
            f"cụm từ thời hạn «{whole}»: {count} tháng không khớp với các tháng ghi kèm"
        )
    return parsed


def _read_parts(book: PhraseBook, spans: list[tuple[str, str]], phrase: str) -> list[Found]:
    """Read the parts in order. A part with no time word that no pattern reads is the start of
    the next part's action ("Mạng lưới ... được đầu tư, đồng bộ hoàn thành trước năm 2027");
    after the last part read, such words — or a clause marked "(nếu có)", which owes nothing
    certain — are set aside and shown as such."""
    prefix = book.shared_prefix(spans[0][1])
    found: list[Found] = []
    carry: tuple[str, PhraseError] | None = None  # words waiting, and why they alone failed
    for index, (separator, part) in enumerate(spans):
        text = part if carry is None else _join(carry[0], separator, part)
        borrow = prefix if index and carry is None else None
        try:
            found.append(_read_part(book, text, phrase, borrow))
        except VagueError:
            raise
        except PhraseError as exc:
            if index + 1 < len(spans) and _timeless(text):
                carry = (text, carry[1] if carry else exc)
                continue
            if index + 1 == len(spans) and found and (_timeless(text) or _conditional(text)):
                last = found[-1]
                found[-1] = replace(last, reading=replace(last.reading, set_aside=(text,)))
                break
            raise (carry[1] if carry else exc) from None
        carry = None
    return found


def _join(before: str, separator: str, after: str) -> str:
    """Two parts as printed: "a, b", "a. b", "a và b"; a line break becomes a space."""
    mark = separator.strip()
    glue = f" {mark} " if mark[:1].isalnum() else f"{mark} "
    return collapse(before + glue + after)


def _timeless(text: str) -> bool:
    """No word of a time, a period or a recurrence: an action's words, or a note."""
    return _TIMELY.search(normalize(text)) is None


def _conditional(text: str) -> bool:
    return _CONDITIONAL.search(normalize(text)) is not None


def read_composite(
    book: PhraseBook, phrase: str, context: ParseContext, head: PhrasePattern
) -> ParsedPhrase | None:
    """A cell a free-text pattern reads whole that is really several parts of other classes.

    "Theo Kế hoạch ... và yêu cầu của các cơ quan có liên quan" is external *and* on request.
    The cell is split only when it opens with a shared prefix, every later part is read by a
    specific pattern (not by the free-text "theo {reference}" alone, so "Theo yêu cầu của A
    và B" stays one request), and the parts are not all of one class.
    """
    whole = collapse(phrase)
    prefix = book.shared_prefix(whole)
    parts = split_cell(phrase, book.grammar.composite_splitters)
    if prefix is None or len(parts) < 2:
        return None
    found: list[Found] = []
    for index, part in enumerate(parts):
        item = _match(book, part, prefix if index else None)
        if item is None or (index and item.spec.id in book.catch_all):
            return None
        found.append(item)
    if len({item.spec.timing_class for item in found}) < 2:
        return None
    return _combine(book, found, whole, context)


def _match(book: PhraseBook, part: str, prefix: str | None) -> Found | None:
    body, label = book.split_label(part)
    match = book.first_match(body)
    if match is not None:
        ignored = (f"({label})",) if label else ()
        return Found(
            PartReading.of(part, match[0].id, match[1], ignored), *match, label, label is not None
        )
    if prefix is not None and label is None:
        match = book.first_match(f"{prefix} {part}")
        if match is not None:
            return Found(PartReading.of(part, match[0].id, match[1], borrowed=prefix), *match)
    return None


def _read_part(book: PhraseBook, part: str, phrase: str, prefix: str | None) -> Found:
    found = _match(book, part, prefix)
    if found is not None:
        return found
    timed = action_before_time(book, part)
    book.refuse_vague(part, phrase, read_from=None if timed is None else timed[0])
    if timed is not None:
        return timed[1]
    where = f"phần «{part}» trong " if part != phrase else ""
    raise PhraseError(f"không đọc được {where}cụm từ thời hạn «{phrase}»")


def _combine(
    book: PhraseBook, found: list[Found], phrase: str, context: ParseContext
) -> ParsedPhrase:
    from engine.timing.parse import ParsedPhrase

    if len(found) < 2 and not (found and (found[0].label or found[0].reading.set_aside)):
        raise PhraseError(f"không đọc được cụm từ thời hạn «{phrase}»")
    found = _carry_years(found, phrase)
    scheduled = [i for i in found if i.spec.timing_class not in _UNSCHEDULED]
    if len(scheduled) > 1 and _OR.search(normalize(phrase)):
        raise PhraseError(
            f"cụm từ thời hạn «{phrase}» nối các thời hạn bằng «hoặc», không rõ hạn nào; "
            "hãy ghi rõ một thời hạn"
        )
    milestones: list[Milestone] = []
    timings = []
    keyed = False
    action: tuple[str, str] | None = None  # (action, its part): labels the dated parts after it
    readings: list[PartReading] = []
    for item in found:
        reading = item.reading
        if item.label and not item.keyed and item.spec.timing_class in DATED_CLASSES:
            action = (item.label, reading.text)
        year = printed_year(item.captures)
        if item.reading.year_from is not None:
            year = printed_year(_year_source(found, item).captures)
        part_context = replace(context, plan_year=year or context.plan_year)
        timing = build(
            book, item.spec, item.captures, part_context, item.label if item.keyed else None
        )
        if isinstance(timing, DatedTiming):
            if action and not item.keyed:
                timing = timing.model_copy(
                    update={
                        "milestones": tuple(
                            m.model_copy(update={"label": action[0]}) for m in timing.milestones
                        )
                    }
                )
                if action[1] != reading.text:
                    reading = replace(reading, action_from=action[1])
            if not milestones:
                timings.append(None)  # the dated group's place among the parts
            milestones.extend(timing.milestones)
            keyed = keyed or item.keyed
        else:
            timings.append(timing)
        readings.append(reading)
    keys = [m.key for m in milestones]
    if len(set(keys)) != len(keys):
        raise PhraseError(f"cụm từ thời hạn «{phrase}» có hai mốc trùng nhau")
    if milestones:
        dated_parts = [i for i in found if i.spec.timing_class in DATED_CLASSES]
        if keyed:
            cls = TimingClass.LABELLED_MILESTONES
        elif len(milestones) > 1:
            cls = TimingClass.SEVERAL_MONTHS
        else:
            cls = dated_parts[0].spec.timing_class
        dated = DatedTiming(timing_class=cls, milestones=tuple(milestones))
        timings = [dated if t is None else t for t in timings]
    timings = _one_continuous_duty(timings)
    patterns = tuple(item.spec.id for item in found)
    if len(timings) == 1:
        return ParsedPhrase(timings[0], patterns, tuple(readings))
    composite = CompositeTiming(timing_class=timings[0].timing_class, parts=tuple(timings))
    return ParsedPhrase(composite, patterns, tuple(readings))


def _one_continuous_duty(timings: list[Timing]) -> list[Timing]:
    """A cell owes one continuous duty: "thường xuyên" parts fold into a start-from part
    ("Triển khai từ năm 2026 và thực hiện thường xuyên, liên tục") or into the first of them."""
    kept = []
    has_start = any(t.timing_class == TimingClass.START_FROM for t in timings)
    for timing in timings:
        continuous = timing.timing_class == TimingClass.CONTINUOUS
        if continuous and (
            has_start or any(k.timing_class == TimingClass.CONTINUOUS for k in kept)
        ):
            continue
        kept.append(timing)
    return kept


def _carry_years(found: list[Found], phrase: str) -> list[Found]:
    """Give each dated part without a year the year printed in the next part that has one."""
    source: str | None = None
    out: list[Found] = []
    for item in reversed(found):
        if item.spec.timing_class not in DATED_CLASSES:
            out.append(item)
            continue
        if printed_year(item.captures) is not None:
            source = item.reading.text
            out.append(item)
            continue
        if source is None and any(printed_year(i.captures) for i in found):
            raise PhraseError(
                f"mốc «{item.reading.text}» trong cụm từ thời hạn «{phrase}» không ghi năm và "
                "không có năm nào ghi sau nó; hãy ghi rõ năm"
            )
        out.append(replace(item, reading=replace(item.reading, year_from=source)))
    return out[::-1]


def _year_source(found: list[Found], item: Found) -> Found:
    return next(i for i in found if i.reading.text == item.reading.year_from)
