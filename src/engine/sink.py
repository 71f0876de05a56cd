"""A local mail sink: a real SMTP server on 127.0.0.1 that saves every message as a .eml file.

Used by the main job on the embedded defaults, so that a new user can open the reminders the
engine sends without any mail set-up.
"""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session


class SaveToFolder:
    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        with self._lock:
            number = next(self._counter)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        data = envelope.original_content or b""
        (self.folder / f"{stamp}-{number:05d}.eml").write_bytes(data)
        return "250 Message accepted for delivery"


def start_sink(folder: Path, host: str = "127.0.0.1", port: int = 8025) -> Controller:
    controller = Controller(SaveToFolder(folder), hostname=host, port=port)
    controller.start()
    return controller
