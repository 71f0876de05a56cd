"""A real SMTP server (aiosmtpd on loopback) with fault modes, for the outbox's fault drills.

Faults are consumed in order: ``fault("RCPT", "451 4.7.1 Greylisted", address=None, times=26)``
replies 451 to the next 26 RCPT commands (to ``address`` only when given). ``refuse`` maps an
address to a permanent reply; ``delay`` slows every DATA; ``drop_after_data`` delivers a message
and then drops the connection before the "250" reaches the client; ``after_accept`` runs (in a
thread) right before a "250" to DATA is sent. Every accepted (Message-ID, address) is recorded.
"""

from __future__ import annotations

import asyncio
import email
import threading
from collections.abc import Callable
from email import policy

from aiosmtpd.controller import Controller


class FaultySmtp:
    def __init__(self) -> None:
        self.faults: list[list] = []  # [stage, address, reply, times left]
        self.refuse: dict[str, str] = {}
        self.delay = 0.0
        self.drop_after_data = 0
        self.after_accept: Callable[[], None] | None = None
        self.deliveries: list[tuple[str, str]] = []
        self.messages: list[email.message.EmailMessage] = []
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
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            self.deliveries += [(message["Message-ID"], a) for a in envelope.rcpt_tos]
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
