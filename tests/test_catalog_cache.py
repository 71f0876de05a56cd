"""Fast paths of the command line: the validated-catalogue cache (engine.catalog.cache), the
plain text of large status lists, and the JSON rows written like ``json.dumps``."""

from __future__ import annotations

import io
import json
import pickle
import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.catalog import cache as cache_module
from engine.catalog.cache import cached_catalog
from engine.catalog.errors import RuleErrors
from engine.catalog.model import Catalog
from engine.catalog.watch import RuleWatcher
from engine.cli import app
from engine.progress import Progress
from engine.render import PLAIN_STATUS_ROWS, row, to_json
from engine.status import evaluate
from engine.timing.parse import ParseContext
from tests.conftest import RULES, SCHEDULES


def _no_load(*_: object) -> Catalog:
    raise AssertionError("the rules were read again")


def test_a_cached_catalogue_evaluates_like_a_fresh_one(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = cached_catalog(RULES, SCHEDULES, tmp_path)
    assert (tmp_path / "cache" / "catalog.pickle").is_file()
    monkeypatch.setattr("engine.catalog.loader.load_catalog", _no_load)
    again = cached_catalog(RULES, SCHEDULES, tmp_path)
    assert again is not first and again.warnings == catalog.warnings
    for day in (date(2023, 3, 1), date(2024, 7, 15), date(2026, 1, 5)):
        assert evaluate(again, Progress(), day) == evaluate(catalog, Progress(), day)


class _NamingUnpickler(pickle.Unpickler):
    """Unpickles, noting every (module, name) global the data calls or builds."""

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self.names: set[tuple[str, str]] = set()

    def find_class(self, module: str, name: str) -> object:
        self.names.add((module, name))
        return super().find_class(module, name)


def test_unpickling_the_catalogue_compiles_no_pattern(catalog: Catalog) -> None:
    """The phrase book keeps its templates as text (a pickled compiled pattern is compiled
    again by ``re._compile`` on loading): a command that reads no phrase compiles none."""
    phrase, context = "Quý III-IV/2023", ParseContext(2023)
    read = catalog.phrases.parse(phrase, context)  # patterns compiled, cached per process
    unpickler = _NamingUnpickler(pickle.dumps(catalog, protocol=pickle.HIGHEST_PROTOCOL))
    again = unpickler.load()
    assert not {name for name in unpickler.names if name[0] == "re"}
    assert again.phrases.parse(phrase, context) == read


def test_an_edited_rule_file_is_validated_again(rules_copy: Path, tmp_path: Path) -> None:
    rules, schedules = rules_copy / "rules", rules_copy / "schedules"
    cached_catalog(rules, schedules, tmp_path)
    units = rules / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8") + "\nnot: [closed\n", encoding="utf-8")
    with pytest.raises(RuleErrors):
        cached_catalog(rules, schedules, tmp_path)
    with pytest.raises(RuleErrors):  # errors are never cached
        cached_catalog(rules, schedules, tmp_path)


def test_a_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    file = tmp_path / "cache" / "catalog.pickle"
    file.parent.mkdir()
    file.write_bytes(cache_module.catalog_key(RULES, SCHEDULES) + b"not a pickle")
    assert cached_catalog(RULES, SCHEDULES, tmp_path).plans
    assert cached_catalog(RULES, SCHEDULES, tmp_path).plans  # and now readable


def test_a_daemon_starts_from_the_cache_and_validates_each_edit_once(
    rules_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``RuleWatcher`` with a data folder (the web app's and the daemon's): the first start
    validates and caches the rules, the next start on unchanged rules reads the cache, an
    accepted edit is validated and cached, a broken one refused (the last good rules kept)."""
    rules, schedules, data = rules_copy / "rules", rules_copy / "schedules", tmp_path / "data"
    first = RuleWatcher(rules, schedules, data)
    assert (data / "cache" / "catalog.pickle").is_file()
    with monkeypatch.context() as patch:
        patch.setattr("engine.catalog.loader.load_catalog", _no_load)
        again = RuleWatcher(rules, schedules, data)
    assert again.catalog is not first.catalog
    assert again.catalog.plans.keys() == first.catalog.plans.keys()
    plan = next(iter((rules / "plans").glob("*.yaml")))
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text + "\n# ghi chú của quản trị\n", encoding="utf-8")
    key = (data / "cache" / "catalog.pickle").read_bytes()[:32]
    assert again.refresh() == "reloaded"
    assert (data / "cache" / "catalog.pickle").read_bytes()[:32] != key
    plan.write_text(text + "\nnot: [closed\n", encoding="utf-8")
    assert again.refresh() == "rejected" and again.errors
    assert again.catalog.plans.keys() == first.catalog.plans.keys()


def test_a_long_status_list_is_plain_aligned_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_RULES_DIR", str(RULES))
    monkeypatch.setenv("ENGINE_SCHEDULES_DIR", str(SCHEDULES))
    runner = CliRunner()
    rows = json.loads(
        runner.invoke(app, ["status", "--as-of", "2024-06-01", "--format", "json"]).output
    )
    assert len(rows) > PLAIN_STATUS_ROWS
    result = runner.invoke(app, ["status", "--as-of", "2024-06-01"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Tình hình thực hiện nhiệm vụ đến ngày 01/06/2024"
    assert lines[1].split()[:3] == ["Kế", "hoạch", "Nhiệm"] and "Tình trạng" in lines[1]
    assert set(lines[2].replace(" ", "")) == {"-"}
    assert len(lines) == 3 + len(rows)
    status_column = lines[1].index("Tình trạng")
    assert all(line[status_column - 2 : status_column] == "  " for line in lines[3:])
    assert lines[3].startswith(rows[0]["plan_number"])
    # periods as people say them, never the keys: "tháng 1/2022", not "2022-01"
    monthly = next(r for r in rows if re.fullmatch(r"\d{4}-\d{2}", r["milestone"]))
    year, month = monthly["milestone"].split("-")
    assert f"tháng {int(month)}/{year}" in "\n".join(lines[3:])
    assert not any(re.search(r"  \d{4}-\d{2}  ", line) for line in lines[3:])


def test_json_rows_are_written_exactly_like_json_dumps(catalog: Catalog) -> None:
    rows = [row(catalog, o) for o in evaluate(catalog, Progress(), date(2024, 6, 1))]
    assert to_json(rows) == json.dumps(rows, ensure_ascii=False, indent=2)
    odd = [{}, {"a": 0, "b": True, "c": None, "d": 'Việt "x"\n\t\u2028', "e": -5}]
    assert to_json(odd) == json.dumps(odd, ensure_ascii=False, indent=2)
    nested = [{"a": [1, 2], "b": 1.5}]
    assert to_json(nested) == json.dumps(nested, ensure_ascii=False, indent=2)
    assert to_json([]) == "[]"
