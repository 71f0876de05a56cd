"""Configuration precedence: defaults < engine.toml (or ENGINE_CONFIG) < ENGINE_* variables."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from engine.config import load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in (
        "ENGINE_RULES_DIR",
        "ENGINE_SCHEDULES_DIR",
        "ENGINE_DATABASE_URL",
        "ENGINE_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.rules_dir == Path("rules")
    assert settings.schedules_dir == Path("schedules")
    assert settings.database_url == "sqlite:///var/engine.db"


def test_file_then_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ENGINE_RULES_DIR", raising=False)
    monkeypatch.delenv("ENGINE_CONFIG", raising=False)
    (tmp_path / "engine.toml").write_text(
        'rules_dir = "/srv/rules"\ndatabase_url = "sqlite:///from-file.db"\n', encoding="utf-8"
    )
    assert load_settings().rules_dir == Path("/srv/rules")
    monkeypatch.setenv("ENGINE_DATABASE_URL", "postgresql://x@y/z")
    settings = load_settings()
    assert (settings.rules_dir, settings.database_url) == (Path("/srv/rules"), "postgresql://x@y/z")
    other = tmp_path / "other.toml"
    other.write_text('schedules_dir = "/srv/schedules"\n', encoding="utf-8")
    monkeypatch.setenv("ENGINE_CONFIG", str(other))
    assert load_settings().schedules_dir == Path("/srv/schedules")
    assert load_settings(rules_dir=Path("cli")).rules_dir == Path("cli")


def test_variables_are_typed_and_named_in_any_case(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ENGINE_CONFIG", raising=False)
    (tmp_path / "engine.toml").write_text("smtp_port = 2525\nunknown_key = 1\n", encoding="utf-8")
    monkeypatch.setenv("ENGINE_SMTP_TLS", "true")
    monkeypatch.setenv("engine_session_hours", "12")
    monkeypatch.setenv("ENGINE_NOT_A_SETTING", "x")
    settings = load_settings(smtp_user=None, matcher="python")
    assert (settings.smtp_port, settings.smtp_tls, settings.session_hours) == (2525, True, 12)
    assert (settings.smtp_user, settings.matcher) == (None, "python")
    monkeypatch.setenv("ENGINE_SMTP_PORT", "not a port")
    with pytest.raises(ValidationError, match="smtp_port"):
        load_settings()
