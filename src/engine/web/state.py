"""What the web app holds between requests: settings, database, rules, links, a status cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from engine.catalog.model import Catalog
from engine.catalog.watch import RuleWatcher
from engine.config import Settings
from engine.status import Occurrence, evaluate
from engine.store.database import load_progress, progress_revision
from engine.web.security import Links


@dataclass
class WebState:
    settings: Settings
    engine: Engine
    rules: RuleWatcher
    links: Links
    secret: str
    _cache: OrderedDict = field(default_factory=OrderedDict)
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
        self.refresh_rules()
        key = (id(self.catalog), progress_revision(self.engine), as_of)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        result = evaluate(self.catalog, load_progress(self.engine), as_of)
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > 8:
                self._cache.popitem(last=False)
        return result

    @property
    def uploads(self) -> Path:
        return Path(self.settings.data_dir) / "uploads"
