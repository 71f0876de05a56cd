"""A real SMTP server (aiosmtpd on loopback) with fault modes, for the outbox's fault drills.

Faults are consumed in order: ``fault("RCPT", "451 4.7.1 Greylisted", address=None, times=26)``
replies 451 to the next 26 RCPT commands (to ``address`` only when given). ``refuse`` maps an
address to a permanent reply; ``delay`` slows every DATA; ``drop_after_data`` delivers a message
and then drops the connection before the "250" reaches the client; ``after_accept`` runs (in a
thread) right before a "250" to DATA is sent. Every accepted (Message-ID, address) is recorded.

Accepted messages are kept as their bytes and parsed when a test first reads one
(:class:`Received`): most drills only count deliveries, and parsing every multipart email as
it arrived took most of the test server's time.
"""

from __future__ import annotations

import asyncio
import email
import threading
from collections.abc import Callable, Sequence
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from typing import overload

from aiosmtpd.controller import Controller


class Received(Sequence[EmailMessage]):
    """The messages a test server accepted, in order, each parsed (``policy.default``) the
    first time it is read."""

    def __init__(self) -> None:
        self._raw: list[bytes] = []
        self._parsed: dict[int, EmailMessage] = {}

    def add(self, raw: bytes) -> None:
        self._raw.append(raw)

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, index: int) -> EmailMessage: ...

    @overload
    def __getitem__(self, index: slice) -> list[EmailMessage]: ...

    def __getitem__(self, index: int | slice) -> EmailMessage | list[EmailMessage]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = range(len(self))[index]
        if index not in self._parsed:
            message = email.message_from_bytes(self._raw[index], policy=policy.default)
            self._parsed[index] = message  # type: ignore[assignment]
        return self._parsed[index]


def message_id(raw: bytes) -> str:
    """The Message-ID of an email's bytes, from its header alone."""
    return str(BytesHeaderParser(policy=policy.default).parsebytes(raw)["Message-ID"])


class FaultySmtp:
    def __init__(self) -> None:
        self.faults: list[list] = []  # [stage, address, reply, times left]
        self.refuse: dict[str, str] = {}
        self.delay = 0.0
        self.drop_after_data = 0
        self.after_accept: Callable[[], None] | None = None
        self.deliveries: list[tuple[str, str]] = []
        self.messages = Received()
        self.lock = threading.Lock()

    def fault(self, stage: str, reply: str, address: str | None = None, times: int = 1) -> None:
        self.faults.append([stage, address, reply, times])

    def _fault(self, stage: str, address: str | None = None) -> str | None:
        with self.lock:
            for fault in self.faults:
                if fault[0] == stage and fault[1] in (None, address) and fault[3] > 0:
                    fault[3] -= 1
                    return fault[2]
        return None

    def delivered(self, message_id: str) -> list[str]:
        return [a for m, a in self.deliveries if m == message_id]

    async def handle_MAIL(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        if reply := self._fault("MAIL"):
            return reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        if address in self.refuse:
            return self.refuse[address]
        if reply := self._fault("RCPT", address):
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.delay:
            await asyncio.sleep(self.delay)
        if reply := self._fault("DATA"):
            return reply
        raw = envelope.original_content
        identity = message_id(raw)
        with self.lock:
            self.messages.add(raw)
            self.deliveries += [(identity, a) for a in envelope.rcpt_tos]
            drop = self.drop_after_data > 0
            self.drop_after_data -= drop
        if drop:
            server.transport.close()
            return "421 closing"
        if self.after_accept is not None:
            await asyncio.to_thread(self.after_accept)
        return "250 OK"


def start(port: int) -> tuple[FaultySmtp, Controller]:
    handler = FaultySmtp()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return handler, controller
