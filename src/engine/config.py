"""Configuration: documented defaults < optional TOML file < ``ENGINE_*`` environment variables.

The file is ``engine.toml`` in the working directory, or the path in ``ENGINE_CONFIG``; its
keys are the field names below (``rules_dir = "rules"``, ``database_url = "..."``). A variable
is ``ENGINE_`` and the field name in any case (``ENGINE_SMTP_PORT=2525``); keys and variables
naming no field are ignored. Values are checked by pydantic as the fields' types say ("true",
"1", "yes" are true). The settings are a plain pydantic model read by :func:`load_settings`
(``pydantic_settings`` and its dotenv parser cost every command a twentieth of a second).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

_PREFIX = "engine_"


class Settings(BaseModel):
    """The engine's settings (read them with :func:`load_settings`, see the module rule)."""

    model_config = ConfigDict(extra="ignore")

    rules_dir: Path = Path("rules")
    schedules_dir: Path = Path("schedules")
    database_url: str = "sqlite:///var/engine.db"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_connections: int = 4
    outbox_alert_hours: float = 6.0  # admins are told after messages fail this long
    catch_up_days: int = 31  # how far back `engine serve` catches up missed days
    mail_from: str = "Văn phòng Bộ <van-phong-bo@btp.example>"
    reply_to: str | None = None  # Reply-To of the emails (replies reach a person)
    contact_name: str | None = None  # contact officer named in the emails' footer
    contact_phone: str | None = None
    templates_dir: Path = Path("notifications")
    matcher: Literal["durable", "python"] = "durable"
    mail_dir: Path = Path("var/mail")
    data_dir: Path = Path("var")
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str | None = None
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    secure_cookies: bool = False
    session_hours: int = 8
    trusted_proxies: str = ""  # addresses/networks whose X-Forwarded-For is believed
    feed_months_back: int = 3  # calendar feeds list due days from this many months ago
    feed_months_ahead: int = 12  # ... to this many months ahead
    report_signer_title: str = ""  # monthly report's signer, "|" splits lines ("": default)
    report_signer_name: str = ""  # "" → a name line left for the officer to fill in


def load_settings(**overrides: Any) -> Settings:
    """The settings: defaults < the TOML file < ``ENGINE_*`` variables < ``overrides`` (an
    override of None is not given)."""
    fields = Settings.model_fields
    values = {k: v for k, v in _file_values().items() if k in fields}
    for name, value in os.environ.items():
        key = name.lower()
        if key.startswith(_PREFIX) and key[len(_PREFIX) :] in fields:
            values[key[len(_PREFIX) :]] = value
    values.update((k, v) for k, v in overrides.items() if v is not None)
    return Settings(**values)


def _file_values() -> dict[str, Any]:
    path = Path(os.environ.get("ENGINE_CONFIG", "engine.toml"))
    if not path.is_file():
        return {}
    import tomllib  # only when there is a file (its import compiles a few patterns)

    with path.open("rb") as handle:
        return tomllib.load(handle)
