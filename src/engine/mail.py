"""Sending the outbox over SMTP with aiosmtplib.

Several connections work through the claimed messages at once; each message keeps its
Message-ID across attempts. Failures are classified as in ``docs/dependencies.md``:
4xx replies, disconnects and time-outs are transient (retried with back-off), 5xx replies and
"every recipient refused" are permanent (recorded, reported to the admins). A partial refusal
sends to the others and records who was refused.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

import aiosmtplib
from sqlalchemy.engine import Engine

from engine.store import outbox
from engine.store.outbox import Composer, Rendered
from engine.store.tables import OutboxMessage

log = logging.getLogger("engine.mail")


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


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def composer(mail_from: str) -> Composer:
    """Builds the MIME bytes of an outbox message (text and HTML alternatives)."""
    name, address = parseaddr(mail_from)

    def compose(message_id: str, to: Sequence[str], rendered: Rendered) -> bytes:
        message = EmailMessage()
        message["From"] = Address(display_name=name, addr_spec=address)
        message["To"] = [Address(addr_spec=a) for a in to]
        message["Subject"] = rendered.subject
        message["Message-ID"] = message_id
        message["Date"] = format_datetime(datetime.now(UTC))
        message.set_content(rendered.text)
        message.add_alternative(rendered.html, subtype="html")
        return message.as_bytes(policy=SMTP)

    return compose


class _Transient(Exception):
    pass


class _Permanent(Exception):
    pass


class _Connection:
    def __init__(self, config: SmtpConfig):
        self.config = config
        self.client: aiosmtplib.SMTP | None = None

    async def send(self, sender: str, to: list[str], raw: bytes) -> dict[str, tuple[int, str]]:
        try:
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
            refused, _ = await self.client.sendmail(sender, to, raw)
            return {k: (v.code, v.message) for k, v in refused.items()}
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise _Permanent(f"mọi người nhận bị từ chối: {exc}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            await self.close()
            if 400 <= exc.code < 500:
                raise _Transient(f"{exc.code} {exc.message}") from exc
            raise _Permanent(f"{exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self.close()
            raise _Transient(f"{type(exc).__name__}: {exc}") from exc

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
    rows = await asyncio.to_thread(outbox.claim, engine, limit)
    if not rows:
        return report
    queue: asyncio.Queue[OutboxMessage] = asyncio.Queue()
    for row in rows:
        queue.put_nowait(row)

    async def worker() -> None:
        connection = _Connection(config)
        try:
            while not queue.empty():
                row = queue.get_nowait()
                await _send_one(engine, connection, row, config, report)
        finally:
            await connection.close()

    await asyncio.gather(*(worker() for _ in range(min(config.connections, len(rows)))))
    return report


async def _send_one(
    engine: Engine,
    connection: _Connection,
    row: OutboxMessage,
    config: SmtpConfig,
    report: DeliveryReport,
) -> None:
    assert row.id is not None
    try:
        to = [address for address in row.addresses.split(",") if address]
        refused = await connection.send(parseaddr(config.mail_from)[1], to, row.raw)
    except _Permanent as exc:
        await asyncio.to_thread(outbox.mark_failed, engine, row.id, str(exc))
        report.failed += 1
        report.errors.append(f"{row.message_id}: {exc}")
        log.error(
            "mail failed",
            extra={"event": "mail_failed", "message_id": row.message_id, "error": str(exc)},
        )
        return
    except _Transient as exc:
        await asyncio.to_thread(outbox.mark_retry, engine, row.id, row.attempts, str(exc))
        report.retried += 1
        log.warning(
            "mail retry",
            extra={"event": "mail_retry", "message_id": row.message_id, "error": str(exc)},
        )
        return
    note = None
    if refused:
        note = "một số người nhận bị từ chối: " + ", ".join(
            f"{a} ({c})" for a, (c, _) in refused.items()
        )
    await asyncio.to_thread(outbox.mark_sent, engine, row.id, note)
    report.sent += 1
