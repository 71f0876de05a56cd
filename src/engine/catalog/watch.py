"""The last good rule set, reloaded when the files change (daemon and web share it).

An edit is picked up when any ``*.yaml`` under the rules or schedules folder is added, removed
or changed; a broken edit is refused — the previous catalog stays in force and the errors are
kept for the admins — and the same broken files are not re-read until they change again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from engine.catalog.cache import cached_catalog
from engine.catalog.errors import RuleErrors
from engine.catalog.loader import load_catalog
from engine.catalog.model import Catalog

Outcome = Literal["unchanged", "reloaded", "rejected"]


def fingerprint(*folders: Path) -> str:
    """Changes whenever a rule or schedule file is added, removed or edited."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.yaml")):
            stat = path.stat()
            digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    return digest.hexdigest()


class RuleWatcher:
    """The rule set a daemon or the web app serves. With ``cache_dir`` (the data folder),
    every load goes through the catalogue cache (:mod:`engine.catalog.cache`): a start on
    unchanged rules reads the validated catalogue instead of every rule file, and each
    accepted edit is validated once and cached."""

    def __init__(self, rules_dir: Path, schedules_dir: Path, cache_dir: Path | None = None):
        self.folders = (Path(rules_dir), Path(schedules_dir))
        self.cache_dir = cache_dir
        self.catalog: Catalog = self._load()  # a broken start is the caller's error
        self.seen = fingerprint(*self.folders)
        self.errors: list[str] = []
        self.rejected: RuleErrors | None = None

    def refresh(self) -> Outcome:
        current = fingerprint(*self.folders)
        if current == self.seen:
            return "unchanged"
        self.seen = current
        try:
            self.catalog = self._load()
        except RuleErrors as exc:
            self.errors, self.rejected = [str(e) for e in exc.errors], exc
            return "rejected"
        self.errors, self.rejected = [], None
        return "reloaded"

    def _load(self) -> Catalog:
        if self.cache_dir is None:
            return load_catalog(*self.folders)
        return cached_catalog(*self.folders, self.cache_dir)
