"""What the web app holds between requests: settings, database, rules, links, a status cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import Engine

from engine.catalog.model import Catalog
from engine.catalog.watch import RuleWatcher
from engine.config import Settings
from engine.status import Occurrence, evaluate
from engine.store.database import load_progress, progress_revision
from engine.web.security import Links

T = TypeVar("T")


@dataclass
class WebState:
    settings: Settings
    engine: Engine
    rules: RuleWatcher
    links: Links
    secret: str
    _cache: OrderedDict = field(default_factory=OrderedDict)
    _derived: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def catalog(self) -> Catalog:
        return self.rules.catalog

    @property
    def rules_errors(self) -> list[str]:
        return self.rules.errors

    def refresh_rules(self) -> None:
        """Reload edited rule files when they are valid; keep the last good ones otherwise."""
        self.rules.refresh()

    def occurrences(self, as_of: date) -> list[Occurrence]:
        """Statuses as of a day, memoised per (rules, recorded progress, day)."""
        return self._evaluated(as_of)[1]

    def derived(self, as_of: date, name: Hashable, compute: Callable[[list[Occurrence]], T]) -> T:
        """``compute(occurrences(as_of))``, memoised like the statuses themselves and under
        ``name`` (which must say everything else the result depends on): a page's tallies
        over hundreds of thousands of obligations are computed once per rules, recorded
        progress and day, not once per request."""
        key, occurrences = self._evaluated(as_of)
        with self._lock:
            if (key, name) in self._derived:
                self._derived.move_to_end((key, name))
                return self._derived[(key, name)]
        result = compute(occurrences)
        return self._remember(self._derived, (key, name), result, 32)

    def _evaluated(self, as_of: date) -> tuple[tuple, list[Occurrence]]:
        self.refresh_rules()
        key = (id(self.catalog), progress_revision(self.engine), as_of)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return key, self._cache[key]
        result = evaluate(self.catalog, load_progress(self.engine), as_of)
        return key, self._remember(self._cache, key, result, 8)

    def _remember(self, cache: OrderedDict, key: Hashable, value: T, size: int) -> T:
        with self._lock:
            cache[key] = value
            while len(cache) > size:
                cache.popitem(last=False)
        return value

    @property
    def uploads(self) -> Path:
        return Path(self.settings.data_dir) / "uploads"
