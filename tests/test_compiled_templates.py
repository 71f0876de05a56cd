"""Templates compiled once per user and source, not once per process
(``engine.compiled_templates``)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader

from engine.compiled_templates import bytecode_cache


def _environment(folder: Path) -> Environment:
    """A new environment on ``folder`` with the shared cache, as a new process makes one."""
    return Environment(loader=FileSystemLoader(str(folder)), bytecode_cache=bytecode_cache())


def test_a_new_process_loads_compiled_code_and_an_edit_is_recompiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = bytecode_cache()
    assert isinstance(cache, FileSystemBytecodeCache)
    assert stat.S_IMODE(os.stat(cache.directory).st_mode) == stat.S_IRWXU  # the user's only
    template = tmp_path / "thu.txt.j2"
    template.write_text("Kính gửi {{ ten }}", encoding="utf-8")
    assert _environment(tmp_path).get_template("thu.txt.j2").render(ten="Cục A") == (
        "Kính gửi Cục A"
    )
    compiled: list[str | None] = []
    original = Environment.compile

    def counting(self: Environment, source: str, name: str | None = None, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return original(self, source, name, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counting)
    again = _environment(tmp_path).get_template("thu.txt.j2")
    assert again.render(ten="Cục B") == "Kính gửi Cục B" and compiled == []
    template.write_text("Thân gửi {{ ten }}", encoding="utf-8")
    edited = _environment(tmp_path).get_template("thu.txt.j2")
    assert edited.render(ten="Cục C") == "Thân gửi Cục C" and compiled == ["thu.txt.j2"]


def test_shipped_emails_and_pages_use_the_cache() -> None:
    from engine.emails import environment
    from engine.web.common import make_templates
    from tests.conftest import ROOT

    assert environment(ROOT / "notifications").bytecode_cache is bytecode_cache()
    assert make_templates().env.bytecode_cache is bytecode_cache()
    assert make_templates().env.autoescape is not False  # pages are HTML-escaped
