"""An action printed before the time: "Trình Thủ tướng Chính phủ trong tháng 9/2026".

The longest tail of a part that a pattern of a dated, continuous or start-from class reads is
the time (also in brackets: "Kỳ họp thứ 10 (tháng 10/2025)"); the words before it are the
action, kept as the milestone's label, and the words the time opens with ("hoàn thành",
"ngay") stay with the action ("cơ bản hoàn thành | trong năm 2025"). The part is not read that
way when the action would hide or change a deadline: when it ends with a document number
("... số 107/2021/NĐ-CP", or "số" before a figure), ends with a word that only opens a time
("Từ", "Hết", "Các": "Từ năm 2025" is no label "Từ"), holds a time word (a second deadline),
ties itself to another time ("trước", "sau", "khi": "Trước kỳ họp Quốc hội tháng 10"), or
precedes a bare year ("Dịp Tết Nguyên đán 2026" is not due at the year's end).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from engine.text import normalize
from engine.timing.builders import DATED_CLASSES
from engine.timing.models import TimingClass
from engine.timing.reading import Found, PartReading

if TYPE_CHECKING:
    from engine.timing.parse import PhraseBook

#: Classes whose time may follow an action ("vận hành thường xuyên", "thí điểm từ năm 2027").
ACTION_CLASSES = DATED_CLASSES | {TimingClass.CONTINUOUS, TimingClass.START_FROM}

# A document's number ends the action: "107/2021/NĐ-CP", "05/CT-TTg", "57-NQ/TW".
_DOCUMENT_NUMBER = re.compile(r"(?<!\S)\S*\d\S*/\S*[^\W\d_]\S*$")
_NUMBER_WORD = re.compile(r"(?<!\w)số$")
# Words that make an action look like a time: such a label would hide a second deadline.
_TEMPORAL = re.compile(r"(?<!\w)(tháng|thang|quý|quy|năm|nam)(?!\w)|(?<![\d/])(19|20)\d\d(?![\d/])")
# Words that only make sense in front of a time ("Từ năm 2025", "Hết năm 2025"): an action
# ending with one is the start of a time no pattern knows, so it is refused, never a label.
_TIME_WORD_LAST = re.compile(
    r"(?<!\w)(?:từ|đến|tới|hết|các|những|trong|vào|trước|sau|chậm nhất|muộn nhất)$"
)
# Words that tie the action to another time or event ("Trước kỳ họp Quốc hội tháng 10" is due
# before the session opens, not at the month's end): such a cell is refused.
_RELATIVE = re.compile(r"(?<!\w)(?:trước|sau|khi)(?!\w)")
_LABEL_TRIM = " ,;:-–"
# Words the time patterns may open with ("hoàn thành", "ngay"): after an action they belong
# to the action ("cơ bản hoàn thành | trong năm 2025", "đưa vào sử dụng ngay | trong quý 2").
_LEAD_WORDS = re.compile(r"^(?:hoàn thành|thực hiện|ngay)(?=\s)")


def action_before_time(book: PhraseBook, part: str) -> tuple[int, Found] | None:
    """(where the time a pattern read starts, reading) of an action followed by a time, or
    None when the part is no such thing (see the module's rules)."""
    words = [m.start() for m in re.finditer(r"(?<=\s)\S", part)]
    for index, start in enumerate(words):
        action, tail = part[:start].rstrip(_LABEL_TRIM), unbracket(part[start:])
        match = book.first_match(tail)
        if match is None or match[0].timing_class not in ACTION_CLASSES:
            continue
        before = normalize(part[:start])
        if (
            not action
            or _DOCUMENT_NUMBER.search(before)
            or (tail[0].isdigit() and _NUMBER_WORD.search(before))
            or _TEMPORAL.search(normalize(action))
            or _TIME_WORD_LAST.search(normalize(action))
            or _RELATIVE.search(normalize(action))
            or (tail[0].isdigit() and match[0].timing_class == TimingClass.YEAR)
        ):
            return None
        lead = _LEAD_WORDS.match(normalize(tail))
        if lead is not None and index + len(lead[0].split()) < len(words):
            inner_start = words[index + len(lead[0].split())]
            inner = book.first_match(part[inner_start:])
            if inner is not None and inner[0].id == match[0].id:
                match, action = inner, part[:inner_start].rstrip(_LABEL_TRIM)
        reading = PartReading.of(part, match[0].id, match[1], (action,))
        return start, Found(reading, *match, label=action)
    return None


def unbracket(text: str) -> str:
    """The words inside brackets that enclose the whole text ("(tháng 10/2025)"), else the
    text itself ("(a) và (b)" is two brackets, not one)."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and index < len(text) - 1:
            return text
    return text[1:-1].strip()
