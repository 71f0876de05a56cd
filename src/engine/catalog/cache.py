"""A cache of the validated catalogue, so that a command, and the web app or daemon starting
(``engine.catalog.watch.RuleWatcher``), does not re-read every rule file.

Rule: a cached catalogue is used only when its key matches — a SHA-256 over the working
directory (warnings name files relative to it), the rules and schedules folders, the path and
bytes of every file under them, and the bytes of every Python source file of the engine — so
any edit to a rule file or to the engine's code is seen at once and the rules are validated
again. Rule sets with errors are never cached. The cache is one file,
``<data_dir>/cache/catalog.pickle`` (``ENGINE_DATA_DIR``), written atomically; a missing,
unreadable or stale cache is simply rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.catalog.model import Catalog

_ENGINE = Path(__file__).resolve().parent.parent
_KEY_BYTES = 32


def catalog_key(rules_dir: Path, schedules_dir: Path) -> bytes:
    """The digest of everything a validated catalogue depends on (see the module rule)."""
    digest = hashlib.sha256(str(Path.cwd()).encode())
    for folder in (Path(rules_dir), Path(schedules_dir)):
        digest.update(b"\0folder\0" + str(folder.absolute()).encode())
        _add_files(digest, folder, sorted(p for p in folder.rglob("*") if p.is_file()))
    _add_files(digest, _ENGINE, sorted(_ENGINE.rglob("*.py")))
    return digest.digest()


def _add_files(digest: hashlib._Hash, root: Path, files: list[Path]) -> None:
    for file in files:
        data = file.read_bytes()
        digest.update(f"\0{file.relative_to(root)}\0{len(data)}\0".encode())
        digest.update(data)


def cached_catalog(rules_dir: Path, schedules_dir: Path, cache_dir: Path) -> Catalog:
    """The validated catalogue of the rules, from the cache when its key matches.

    Raises :class:`~engine.catalog.errors.RuleErrors` like ``load_catalog`` on a broken rule set.
    """
    key = catalog_key(rules_dir, schedules_dir)
    file = cache_dir / "cache" / "catalog.pickle"
    try:
        data = file.read_bytes()
        if data[:_KEY_BYTES] == key:
            return pickle.loads(data[_KEY_BYTES:])  # type: ignore[no-any-return]
    except Exception:  # missing, truncated or from another version: rebuild it
        pass
    from engine.catalog.loader import load_catalog

    catalog = load_catalog(rules_dir, schedules_dir)
    _write(file, key + pickle.dumps(catalog, protocol=pickle.HIGHEST_PROTOCOL))
    return catalog


def _write(file: Path, data: bytes) -> None:
    """Replace the cache file atomically; a read-only data folder just means no cache."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=".catalog-")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, file)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
