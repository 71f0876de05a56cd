"""Sending the outbox over SMTP with aiosmtplib, with every reply classified per RFC 5321.

One SMTP transaction per message, command by command (MAIL, one RCPT per address, DATA), so
that each address gets its own outcome: a 2xx reply to DATA means accepted; a 4xx reply at any
stage (greeting, MAIL, RCPT, DATA), a disconnect or a time-out means temporary (retried with
back-off, that address only); a 5xx reply means permanent. The message is sent when every
address was accepted; :func:`engine.store.claims.record_outcomes` decides the status.

Claims are renewed every :data:`RENEW_EVERY` while the pass works, and each message is
confirmed as still held right before it is sent. After the server's "250" the result is
written with retries on database errors (for up to half a lease) without sending again; one
failing message is logged and never stops the pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any, TypeVar

import aiosmtplib
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from engine.store import claims
from engine.store.tables import OutboxMessage

if TYPE_CHECKING:
    from engine.config import Settings

log = logging.getLogger("engine.mail")
T = TypeVar("T")
RENEW_EVERY = timedelta(seconds=15)


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "127.0.0.1"
    port: int = 8025
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False
    mail_from: str = "Văn phòng Bộ <van-phong-bo@btp.example>"
    timeout: float = 30.0
    connections: int = 4

    @classmethod
    def of(cls, settings: Settings) -> SmtpConfig:
        """The SMTP server and sender the engine's settings name."""
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            user=settings.smtp_user,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            tls=settings.smtp_tls,
            mail_from=settings.mail_from,
            connections=settings.smtp_connections,
        )


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def outcome(code: int, text: str) -> dict[str, Any]:
    """RFC 5321 §4.2.1: 2yz accepted, 4yz temporary, 5yz permanent; no reply is temporary."""
    state = "accepted" if 200 <= code < 300 else "permanent" if 500 <= code < 600 else "temporary"
    return {"state": state, "code": code, "text": text[:300]}


class _Connection:
    def __init__(self, config: SmtpConfig):
        self.config = config
        self.client: aiosmtplib.SMTP | None = None

    async def transact(self, sender: str, to: list[str], raw: bytes) -> dict[str, dict]:
        """One mail transaction; the outcome of every address in ``to`` (never raises)."""
        outcomes: dict[str, dict] = {}
        try:
            client = await self._connected()
            await client.mail(sender)
            for address in to:
                try:
                    await client.rcpt(address)
                except aiosmtplib.SMTPRecipientRefused as exc:
                    outcomes[address] = outcome(exc.code, exc.message)
            accepted = [a for a in to if a not in outcomes]
            if not accepted:
                await client.rset()
                return outcomes
            reply = await client.data(raw)
            outcomes.update({a: outcome(reply.code, reply.message) for a in accepted})
        except aiosmtplib.SMTPResponseException as exc:
            await self.close()
            outcomes.update({a: outcome(exc.code, exc.message) for a in to if a not in outcomes})
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self.close()
            error = f"{type(exc).__name__}: {exc}"
            outcomes.update({a: outcome(0, error) for a in to if a not in outcomes})
        return outcomes

    async def _connected(self) -> aiosmtplib.SMTP:
        if self.client is None or not self.client.is_connected:
            self.client = aiosmtplib.SMTP(
                hostname=self.config.host,
                port=self.config.port,
                use_tls=self.config.tls,
                start_tls=self.config.starttls if not self.config.tls else False,
                timeout=self.config.timeout,
            )
            await self.client.connect()
            if self.config.user:
                await self.client.login(self.config.user, self.config.password or "")
        return self.client

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()


async def deliver(engine: Engine, config: SmtpConfig, limit: int = 1000) -> DeliveryReport:
    """Send what is due in the outbox (one pass); returns what happened."""
    report = DeliveryReport()
    rows = await asyncio.to_thread(claims.claim, engine, limit)
    if not rows:
        return report
    queue: asyncio.Queue[OutboxMessage] = asyncio.Queue()
    for row in rows:
        queue.put_nowait(row)
    tokens = {row.claim_token for row in rows if row.claim_token}

    async def renew() -> None:
        while True:
            await asyncio.sleep(RENEW_EVERY.total_seconds())
            with contextlib.suppress(DBAPIError):
                await asyncio.to_thread(claims.renew, engine, tokens)

    async def worker() -> None:
        connection = _Connection(config)
        try:
            while not queue.empty():
                row = queue.get_nowait()
                try:
                    await _send_one(engine, connection, row, config, report)
                except Exception as exc:
                    report.errors.append(f"{row.message_id}: {exc}")
                    log.exception(
                        "mail error", extra={"event": "mail_error", "message_id": row.message_id}
                    )
        finally:
            await connection.close()

    renewing = asyncio.create_task(renew())
    try:
        await asyncio.gather(*(worker() for _ in range(min(config.connections, len(rows)))))
    finally:
        renewing.cancel()
    return report


async def _send_one(
    engine: Engine,
    connection: _Connection,
    row: OutboxMessage,
    config: SmtpConfig,
    report: DeliveryReport,
) -> None:
    assert row.id is not None and row.claim_token is not None
    if not await _patiently(
        lambda: asyncio.to_thread(claims.hold, engine, row.id, row.claim_token)
    ):
        log.warning("claim lost", extra={"event": "claim_lost", "message_id": row.message_id})
        return
    to = claims.to_send(row)
    outcomes = await connection.transact(parseaddr(config.mail_from)[1], to, row.raw)
    status = await _patiently(
        lambda: asyncio.to_thread(claims.record_outcomes, engine, row, outcomes)
    )
    if status == "sent":
        report.sent += 1
    elif status == "pending":
        report.retried += 1
        log.warning("mail retry", extra={"event": "mail_retry", "message_id": row.message_id})
    elif status == "failed":
        report.failed += 1
        refused = ", ".join(
            f"{a} ({o['code']})" for a, o in outcomes.items() if o["state"] != "accepted"
        )
        report.errors.append(f"{row.message_id}: từ chối {refused}")
        log.error("mail failed", extra={"event": "mail_failed", "message_id": row.message_id})


async def _patiently(write: Callable[[], Awaitable[T]]) -> T:
    """Retry a database write on errors (locked, disconnected) for up to half a lease."""
    delay, waited = 0.1, 0.0
    while True:
        try:
            return await write()
        except DBAPIError as exc:
            if waited >= claims.LEASE.total_seconds() / 2:
                raise
            log.warning("database busy", extra={"event": "db_retry", "error": str(exc)[:200]})
            await asyncio.sleep(delay)
            waited += delay
            delay = min(delay * 2, 5.0)
