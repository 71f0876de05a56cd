"""The corpus of real deadline cells (tests/data/deadline_corpus.yaml): read right, never wrong.

Every cell is parsed with its source's year and signing date. A cell is *right* when the
reading equals the meaning written by hand (or, for a cell marked ``refused``, when the engine
refuses it), *refused* when the engine raises a :class:`PhraseError` for a datable cell, and
*wrong* otherwise. Done when at least 95% are right and none is wrong.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.timing.models import (
    CompositeTiming,
    DatedTiming,
    RecurringTiming,
    Timing,
)
from engine.timing.parse import ParseContext, PhraseError

CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "deadline_corpus.yaml").read_text())


def meaning(timing: Timing) -> dict[str, Any]:
    """A timing in the vocabulary of the corpus' hand-written expectations."""
    if isinstance(timing, CompositeTiming):
        return {"class": "composite", "parts": [meaning(part) for part in timing.parts]}
    data: dict[str, Any] = {"class": str(timing.timing_class)}
    if isinstance(timing, DatedTiming):
        data["due"] = [m.nominal_due.isoformat() for m in timing.milestones]
        windows = [m.window_start.isoformat() for m in timing.milestones if m.window_start]
        labels = [m.label for m in timing.milestones if m.label]
        if windows:
            data["window"] = windows
        if labels:
            data["label"] = labels
        if any(m.roll == "backward" for m in timing.milestones):
            data["before"] = True
    if isinstance(timing, RecurringTiming):
        data["period"] = timing.period
        if timing.start is not None:
            data["start"] = timing.start.isoformat()
    return data


def read(cell: dict[str, Any]) -> str:
    """'right', 'refused' or 'wrong' for one cell of the corpus."""
    issued = date.fromisoformat(CORPUS["sources"][cell["source"]]["issued"])
    expect = cell["expect"]
    try:
        parsed = _book.parse(cell["phrase"], ParseContext(issued.year, issued))
    except PhraseError:
        return "right" if expect.get("refused") else "refused"
    if expect.get("refused"):
        return "wrong"
    return "right" if meaning(parsed.timing) == expect else "wrong"


_book: Any = None


@pytest.fixture(autouse=True)
def _phrases(catalog) -> None:  # type: ignore[no-untyped-def]
    global _book
    _book = catalog.phrases


def test_corpus_is_large_and_sourced() -> None:
    cells = CORPUS["cells"]
    assert all(cell["source"] in CORPUS["sources"] for cell in cells)
    assert all(cell["phrase"] and cell["where"] and cell["expect"] for cell in cells)
    assert len(cells) >= 180


def test_corpus_reads_right_and_never_wrong() -> None:
    outcomes = {"right": [], "refused": [], "wrong": []}
    for cell in CORPUS["cells"]:
        outcomes[read(cell)].append(cell["phrase"])
    assert outcomes["wrong"] == []
    share = len(outcomes["right"]) / len(CORPUS["cells"])
    assert share >= 0.95, (share, outcomes["refused"])


@pytest.mark.parametrize(
    "cell",
    [c for c in CORPUS["cells"] if c["expect"].get("refused")],
    ids=lambda c: c["phrase"][:40],
)
def test_vague_cells_are_refused(cell: dict[str, Any]) -> None:
    assert read(cell) == "right"
