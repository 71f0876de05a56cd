"""Structured logs: one JSON object per line (time, level, logger, message, extra fields)."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


# Libraries whose INFO lines (each request, each job start, each SMTP session) drown the
# engine's own events; they log warnings and errors only, unless ENGINE_LOG_LEVEL=DEBUG.
_CHATTY = ("apscheduler", "uvicorn", "uvicorn.access", "uvicorn.error", "mail.log", "httpx")


def setup() -> None:
    """JSON lines on stderr at ``ENGINE_LOG_LEVEL`` (default INFO); chatty libraries quieted."""
    name = os.environ.get("ENGINE_LOG_LEVEL", "INFO").strip().upper()
    level = logging.getLevelName(name)
    if not isinstance(level, int):
        level = logging.INFO
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    library_level = level if level <= logging.DEBUG else max(level, logging.WARNING)
    for library in _CHATTY:
        logging.getLogger(library).setLevel(library_level)
