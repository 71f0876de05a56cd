"""How a part of a deadline cell was read: what ``engine parse`` explains, and what the cell
reader (:mod:`engine.timing.cells`) passes between its steps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.timing.grammar import Captures

if TYPE_CHECKING:
    from engine.timing.parse import PhrasePattern


@dataclass(frozen=True)
class PartReading:
    """How one part of a cell was read: what ``engine parse`` explains.

    ``read`` holds the words the pattern read (trailing ".", ";", "," left out), ``values``
    what its placeholders took (``("month", "9")``), ``ignored`` the words set aside (a label,
    the action before the time), ``borrowed`` the shared leading word added from the first
    part, ``year_from`` the later part whose printed year this part takes, ``action_from`` the
    earlier part whose action labels this one, ``set_aside`` the words after it that owe
    nothing (a clause without a time, a duty marked "(nếu có)").
    """

    text: str
    pattern: str
    read: str
    ignored: tuple[str, ...] = ()
    borrowed: str | None = None
    year_from: str | None = None
    values: tuple[tuple[str, str], ...] = ()
    action_from: str | None = None
    set_aside: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        text: str,
        pattern: str,
        captures: Captures,
        ignored: tuple[str, ...] = (),
        borrowed: str | None = None,
    ) -> PartReading:
        """The reading of ``text`` by ``pattern``, with the words and values it captured."""
        values = tuple(captures.values.items())
        return cls(text, pattern, captures.phrase, ignored, borrowed, values=values)


@dataclass(frozen=True)
class Found:
    """A part read by a pattern: its reading, the pattern, what it captured, its label."""

    reading: PartReading
    spec: PhrasePattern
    captures: Captures
    label: str | None = None
    keyed: bool = False  # a label suffix keys its milestone; an action is only its label
