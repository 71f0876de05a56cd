"""Differential test: the evaluation's fast paths give exactly the results of the plain
definitions they replace, on the shipped plans on many days and on the synthetic catalogue."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date, timedelta

import pytest

from engine import status as status_module
from engine.catalog.model import Catalog
from engine.occurrence import Occurrence
from engine.progress import Cancellation, Completion, Progress
from engine.status import evaluate
from tests.conftest import ROOT


def _reference_held(occ: Occurrence, holder: str, parent: str | None) -> Occurrence:
    return replace(occ, holder=holder, parent=parent)


def _reference(
    catalog: Catalog, progress: Progress, day: date, monkeypatch: pytest.MonkeyPatch
) -> list[Occurrence]:
    with monkeypatch.context() as patch:
        patch.setattr(status_module, "_held", _reference_held)
        return evaluate(catalog, progress, day)


def _progress(catalog: Catalog) -> Progress:
    """Some completions (with and without a unit) and a cancellation on every plan."""
    completions, cancellations = [], []
    for plan in catalog.plans.values():
        for index, task in enumerate(plan.tasks[:30]):
            done_on = plan.signed + timedelta(days=40 * index)
            unit = task.lead[0] if index % 2 and task.lead else None
            completions.append(Completion(plan.id, task.id, done_on, unit=unit))
        last = plan.tasks[-1]
        cancellations.append(Cancellation(plan.id, last.id, plan.signed, "lý do"))
    return Progress(completions=completions, cancellations=cancellations)


@pytest.mark.slow(11)
def test_shipped_plans_on_many_days(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    progress = _progress(catalog)
    day = date(2023, 1, 2)
    while day <= date(2027, 1, 1):
        for records in (Progress(), progress):
            assert evaluate(catalog, records, day) == _reference(catalog, records, day, monkeypatch)
        day += timedelta(days=37)


def test_synthetic_national_catalogue(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks.bench_status import national_catalogue
    finally:
        sys.path.remove(str(ROOT))
    synthetic, as_of = national_catalogue(catalog, 20_000)
    for day in (as_of, as_of - timedelta(days=200)):
        expected = _reference(synthetic, Progress(), day, monkeypatch)
        assert len(expected) > 10_000
        assert evaluate(synthetic, Progress(), day) == expected
