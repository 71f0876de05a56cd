"""Differential tests of the evaluation's shared work: the shared path for tasks no record
concerns (engine.shared) against the general per-unit path, a simulation's timeline (memos
kept across days, engine.timeline) against independent day-by-day evaluations, and the cheap
occurrence construction against the dataclass's own."""

from __future__ import annotations

import gc
import sys
from dataclasses import FrozenInstanceError, fields, replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import status as status_module
from engine.catalog.model import Catalog
from engine.codes import Status
from engine.escalation.matcher import PythonMatcher
from engine.followup import RECENT_PERIODS, notices_for_day, simulate
from engine.memory import collector_paused
from engine.notices import remember
from engine.occurrence import Occurrence, build
from engine.progress import (
    Cancellation,
    Completion,
    Extension,
    PeriodUpdate,
    Progress,
    Suspension,
)
from engine.status import evaluate
from engine.timeline import Timeline
from tests.conftest import ROOT


def _general(
    catalog: Catalog,
    progress: Progress,
    day: date,
    monkeypatch: pytest.MonkeyPatch,
    recent: int | None = None,
) -> list[Occurrence]:
    """The evaluation with every task on the general per-unit path."""
    with monkeypatch.context() as patch:
        patch.setattr(status_module._Evaluator, "share", False)
        return evaluate(catalog, progress, day, recent)


def _progress(catalog: Catalog, every: int = 3) -> Progress:
    """Records of every kind on every ``every``-th task (so the other tasks stay quiet):
    completions with and without unit or milestone, extensions, suspensions, cancellations
    and period updates (for recurring tasks), some dated in the future of some days."""
    completions, extensions, suspensions, cancellations, updates = [], [], [], [], []
    for plan in catalog.plans.values():
        for index, task in enumerate(plan.tasks):
            if index % every:
                continue
            unit = task.lead[0] if task.lead else None
            on = plan.signed + timedelta(days=29 * (index % 23))
            match index // every % 5:
                case 0:
                    completions.append(Completion(plan.id, task.id, on, unit=unit))
                case 1:
                    completions.append(Completion(plan.id, task.id, on))
                case 2:
                    extensions.append(
                        Extension(plan.id, task.id, on + timedelta(days=60), on, "gia hạn")
                    )
                case 3:
                    suspensions.append(
                        Suspension(plan.id, task.id, on, "tạm dừng", on + timedelta(days=90))
                    )
                case _:
                    cancellations.append(Cancellation(plan.id, task.id, on, "hủy", unit=unit))
            if unit:
                for month in range(1, 13):
                    period = f"{on.year}-{month:02d}"
                    updates.append(
                        PeriodUpdate(plan.id, task.id, unit, period, date(on.year, month, 10))
                    )
    return Progress(
        completions=completions,
        extensions=extensions,
        suspensions=suspensions,
        cancellations=cancellations,
        updates=updates,
    )


def _boundary_days(catalog: Catalog, count: int) -> list[date]:
    """``count`` due dates spread over the shipped plans' years, each with the day before and
    after (where statuses and missed-update counts change), and the 1st of every 7th month."""
    dues = sorted({o.due for o in evaluate(catalog, Progress(), date(2026, 12, 31)) if o.due})
    picked = dues[:: max(1, len(dues) // count)]
    days = {d + timedelta(days=shift) for d in picked for shift in (-1, 0, 1)}
    days |= {date(2022 + m // 12, 1 + m % 12, 1) for m in range(0, 60, 7)}
    return sorted(days)


@pytest.mark.slow(13)
def test_shared_path_matches_general_path_on_the_shipped_plans(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    progress = _progress(catalog)
    for day in _boundary_days(catalog, 8):
        for records in (Progress(), progress):
            for recent in (None, RECENT_PERIODS):
                expected = _general(catalog, records, day, monkeypatch, recent)
                assert evaluate(catalog, records, day, recent) == expected


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    day=st.dates(date(2022, 6, 1), date(2027, 6, 1)),
    every=st.integers(1, 7),
    recent=st.sampled_from([None, 1, RECENT_PERIODS]),
)
def test_shared_path_matches_general_path_for_any_day_and_records(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch, day: date, every: int, recent: int | None
) -> None:
    progress = _progress(catalog, every)
    expected = _general(catalog, progress, day, monkeypatch, recent)
    assert evaluate(catalog, progress, day, recent) == expected


def test_shared_path_matches_general_path_on_the_synthetic_catalogue(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks.bench_status import national_catalogue
    finally:
        sys.path.remove(str(ROOT))
    synthetic, as_of = national_catalogue(catalog, 20_000, units_per_body=2)
    for day in (as_of, as_of - timedelta(days=200), date(2023, 1, 1)):
        expected = _general(synthetic, Progress(), day, monkeypatch)
        assert len(expected) > 1_000
        assert evaluate(synthetic, Progress(), day) == expected


@pytest.mark.slow(17)
def test_timeline_gives_the_same_statuses_every_day_of_a_year(catalog: Catalog) -> None:
    """One timeline carried through every day of 2023 (as a simulation does) against a fresh
    evaluation of each day (the simulation test below runs without records)."""
    progress = _progress(catalog)
    timeline = Timeline(catalog)
    day = date(2023, 1, 1)
    while day <= date(2023, 12, 31):
        expected = evaluate(catalog, progress, day, RECENT_PERIODS)
        assert evaluate(catalog, progress, day, RECENT_PERIODS, timeline) == expected
        day += timedelta(days=1)


def test_timeline_across_a_reorganisation(catalog: Catalog) -> None:
    """The timeline keeps owners, holders and milestones per registry epoch: carried across
    a reorganisation (the seed's, moved from 2025-03-01 to 2023-07-01, while the seed plans'
    obligations fall due), it still gives each day's statuses, with and without records."""
    moved = {date(2025, 2, 28): date(2023, 6, 30), date(2025, 3, 1): date(2023, 7, 1)}
    units = {
        key: replace(
            unit,
            valid_from=moved.get(unit.valid_from, unit.valid_from),  # type: ignore[arg-type]
            valid_to=moved.get(unit.valid_to, unit.valid_to),  # type: ignore[arg-type]
        )
        for key, unit in catalog.units.items()
    }
    assert units != catalog.units
    reorganised = replace(catalog, units=units)
    runs = [(_progress(reorganised), Timeline(reorganised)), (Progress(), Timeline(reorganised))]
    day = date(2023, 4, 1)
    while day <= date(2023, 10, 31):
        for records, timeline in runs:
            expected = evaluate(reorganised, records, day, RECENT_PERIODS)
            assert evaluate(reorganised, records, day, RECENT_PERIODS, timeline) == expected
        day += timedelta(days=3)


@pytest.mark.slow(10)
def test_simulation_sends_what_day_by_day_runs_send(catalog: Catalog) -> None:
    """The simulation of 2023 (one timeline) against the day-by-day runs without one."""
    progress = Progress()
    start, end = date(2023, 1, 1), date(2023, 12, 31)
    simulated = simulate(catalog, progress, start, end, PythonMatcher(catalog.escalation.rules))
    matcher = PythonMatcher(catalog.escalation.rules)
    history: dict = {}
    expected = []
    day = start
    while day <= end:
        notices = notices_for_day(catalog, progress, day, matcher, history)
        remember(history, notices)
        expected.extend(notices)
        day += timedelta(days=1)
    assert len(expected) > 1_000
    assert simulated == expected


def test_timeline_belongs_to_one_catalog(catalog: Catalog) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks.bench_status import national_catalogue
    finally:
        sys.path.remove(str(ROOT))
    other, _ = national_catalogue(catalog, 100)
    with pytest.raises(ValueError, match="another catalog"):
        evaluate(other, Progress(), date(2023, 6, 1), timeline=Timeline(catalog))


def test_build_makes_an_ordinary_frozen_occurrence() -> None:
    values = [f"v{i}" for i in range(len(fields(Occurrence)))]
    values[7:10] = [date(2023, 6, 30), date(2023, 6, 30), None]
    values[10] = Status.OVERDUE
    made, reference = build(*values), Occurrence(*values)
    assert type(made) is Occurrence
    assert made == reference and hash(made) == hash(reference) and repr(made) == repr(reference)
    with pytest.raises(FrozenInstanceError):
        made.unit = "other"  # type: ignore[misc]


def test_collector_paused_restores_its_state() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError
    assert gc.isenabled()
