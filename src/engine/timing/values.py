"""What every builder shares: the errors a phrase raises and the numbers a pattern captured."""

from __future__ import annotations

from engine.timing.grammar import Captures

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


class PhraseError(ValueError):
    """A phrase no pattern reads; the message is for admins and names the unread part."""


class VagueError(PhraseError):
    """A phrase holding a vague wording ("Đầu năm 2024"); the message suggests a better one."""


class SigningDateNeeded(PhraseError):
    """A phrase counted from the plan's signing ("05 ngày kể từ ngày ban hành") read without it."""


def number(captures: Captures, name: str) -> int | None:
    """A typed placeholder's value (a quarter in Roman figures too), None when not printed."""
    raw = captures.text(name)
    if raw is None:
        return None
    return _ROMAN.get(raw) or int(raw)


def printed_year(captures: Captures) -> int | None:
    """The year printed in a part, if any."""
    return number(captures, "year")
