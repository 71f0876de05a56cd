"""The format-neutral model of a plan document: its text lines and its tables.

Readers (.docx, .xlsx) produce a :class:`SourceDocument`; merged cells are already
resolved into a full grid, each cell remembering how it got its text, so the review can say
which merges it resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Merge = Literal["none", "vertical", "horizontal"]


@dataclass(frozen=True)
class Cell:
    """One grid position: its paragraphs (verbatim) and whether it came from a merge.

    ``merge`` is ``vertical`` when the text was copied from the cell above (Word's vMerge,
    a merged range in a sheet) and ``horizontal`` when one cell spans this column and the one
    to its left; ``origin`` is the row index (in the table) the text was printed in.
    """

    paragraphs: tuple[str, ...] = ()
    merge: Merge = "none"
    origin: int = 0

    @property
    def text(self) -> str:
        return " ".join(p for p in self.paragraphs if p)


@dataclass
class SourceTable:
    """A table in reading order; ``before`` holds the text lines printed just before it."""

    rows: list[list[Cell]]
    before: list[str] = field(default_factory=list)
    label: str = ""


@dataclass
class SourceDocument:
    """Every text line of the document in reading order, and its tables.

    ``notes`` are what the reader inferred about the layout (a row split by a page break and
    joined again), shown in the review for a person to check.
    """

    name: str
    lines: list[str]
    tables: list[SourceTable]
    notes: list[str] = field(default_factory=list)
