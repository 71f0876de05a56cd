"""Unit cells: split into one entry per unit or group, each matched to the registry.

The split follows ``docs/rule-files.md``: at paragraph breaks, list bullets and ``;``;
at ``,`` or " và " only when every part is a registered unit and the whole is not (so
"Cục Hộ tịch, quốc tịch, chứng thực" stays one unit and "Các bộ, ngành, địa phương" one
group). A piece that is no registered unit but reads, word by word, as registered names
printed one after another ("Văn phòng Bộ các đơn vị thuộc Bộ có liên quan": two names on
lines a PDF joined) is split into them. Spelling is kept as printed. Unknown entries come
with the closest registered names (difflib on the normalised spellings).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from engine.catalog.model import Unit
from engine.text import collapse, normalize

_BULLET = re.compile(r"^\s*(?:[-+•–]|\d+\.(?!\d))\s*")
_TRAILING = re.compile(r"[;,]\s*$")
_COMMA = re.compile(r",\s*|\s+và\s+")


@dataclass(frozen=True)
class UnitMatch:
    printed: str
    unit_id: str | None
    suggestions: tuple[str, ...] = ()


class UnitRegistry:
    """Every registered spelling (name, aliases, id) → unit id, as the loader matches them."""

    def __init__(self, units: Iterable[Unit]):
        self.units = {u.id: u for u in units}
        self.keys: dict[str, str] = {}
        self.spellings: dict[str, str] = {}
        for unit in self.units.values():
            for spelling in (unit.name, *unit.aliases, unit.id):
                key = normalize(spelling)
                self.keys.setdefault(key, unit.id)
                self.spellings.setdefault(key, spelling)

    def find(self, printed: str) -> str | None:
        return self.keys.get(normalize(printed))

    def match(self, printed: str) -> UnitMatch:
        """The unit ``printed`` names, or the three closest registered spellings."""
        unit_id = self.find(printed)
        if unit_id is not None:
            return UnitMatch(printed, unit_id)
        close = difflib.get_close_matches(normalize(printed), self.spellings, n=3, cutoff=0.6)
        return UnitMatch(printed, None, tuple(self.spellings[k] for k in close))

    def split(self, paragraphs: Iterable[str]) -> list[str]:
        """One entry per unit or group, as printed, duplicates dropped (first kept)."""
        entries: list[str] = []
        for paragraph in paragraphs:
            for piece in paragraph.split(";"):
                piece = collapse(_TRAILING.sub("", _BULLET.sub("", piece)))
                for entry in self._split_commas(piece):
                    if entry and normalize(entry) not in {normalize(e) for e in entries}:
                        entries.append(entry)
        return entries

    def _split_commas(self, piece: str) -> list[str]:
        if not piece or self.find(piece) is not None:
            return [piece]
        parts = [collapse(p) for p in _COMMA.split(piece)]
        if len(parts) > 1 and all(p and self.find(p) is not None for p in parts):
            return parts
        return self._split_run(piece) or [piece]

    def _split_run(self, piece: str) -> list[str] | None:
        """``piece`` as two or more registered names back to back (fewest names), or None."""
        words = piece.split()
        best: list[list[str] | None] = [None] * (len(words) + 1)
        best[0] = []
        for end in range(1, len(words) + 1):
            for start in range(end):
                before = best[start]
                name = " ".join(words[start:end])
                if before is None or self.find(name.rstrip(",;")) is None:
                    continue
                if best[end] is None or len(before) + 1 < len(best[end] or []):
                    best[end] = [*before, name.rstrip(",;")]
        found = best[len(words)]
        return found if found and len(found) > 1 else None
