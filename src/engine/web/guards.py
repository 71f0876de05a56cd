"""Guards around every request: security headers, body caps, link gate, client address, logs.

* **Headers** on every response: a Content-Security-Policy without any script source,
  ``frame-ancestors 'none'``, ``X-Content-Type-Options: nosniff``, ``Referrer-Policy:
  no-referrer`` (unit links sit in URLs), ``Cache-Control: no-store``, and HSTS when cookies are
  secure (the site is served over HTTPS).
* **Body caps**, enforced while the body streams in (a declared ``Content-Length`` over the cap
  is refused before anything is read): unit forms ``evidence.MAX_BYTES`` plus form overhead,
  the Excel import and the plan upload ``excel.MAX_FILE_BYTES`` plus overhead, anything else
  ``FORM_BYTES``.
* **Link gate:** a POST to ``/u/<token>/...`` is refused before its body is read unless the link
  is genuine, unexpired, not revoked and its unit still exists.
* **Client address:** ``X-Forwarded-For`` is believed only from a peer listed in
  ``ENGINE_TRUSTED_PROXIES`` (addresses or networks, comma-separated; default none).
* **Unexpected failures** are answered with the Vietnamese error page of
  :mod:`engine.web.errors` (status 500, no detail), headers included, then re-raised for the
  server's log.
* **Logs:** the access log shows ``/u/…`` and ``/calendar/…`` paths with the token replaced.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time

from fastapi import HTTPException, Request
from sqlmodel import Session
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine import clock
from engine.reports.excel import MAX_FILE_BYTES
from engine.store.security_tables import LinkRevocationRow
from engine.web.errors import error_response
from engine.web.evidence import MAX_BYTES
from engine.web.security import LinkClaims, LinkError
from engine.web.state import WebState

FORM_BYTES = 256 * 1024
_OVERHEAD = 256 * 1024
CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_TOKEN_PATH = re.compile(r"/(u|calendar)/[^/?\s]+")


def link_claims(state: WebState, token: str) -> LinkClaims:
    """A unit link's claims, or 403 when forged, expired, revoked or its unit has ceased."""
    try:
        found = state.links.read(token)
    except LinkError as exc:
        raise HTTPException(403, str(exc)) from None
    unit = state.catalog.units.get(found.unit)
    if unit is None:
        raise HTTPException(403, "Đường dẫn không hợp lệ.")
    if not unit.exists_on(clock.today()):
        raise HTTPException(
            403, "Đơn vị của đường dẫn này đã thôi hoạt động; đường dẫn hết hiệu lực."
        )
    with Session(state.engine) as session:
        revoked = session.get(LinkRevocationRow, found.unit)
    if revoked is not None and found.issued <= revoked.revoked_at:
        raise HTTPException(
            403, "Đường dẫn đã bị thu hồi; vui lòng dùng đường dẫn trong thư nhắc mới nhất."
        )
    return found


def revoke_links(state: WebState, unit: str, by: str) -> None:
    """Refuse every link of ``unit`` issued until now."""
    with Session(state.engine) as session, session.begin():
        row = session.get(LinkRevocationRow, unit)
        if row is None:
            session.add(LinkRevocationRow(unit=unit, revoked_at=time.time(), revoked_by=by))
        else:
            row.revoked_at, row.revoked_by = time.time(), by


def trusted_networks(setting: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(part.strip(), strict=False)
        for part in setting.split(",")
        if part.strip()
    ]


def _in(address: str, networks: list) -> bool:  # type: ignore[type-arg]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request) -> str:
    """The client's address: the peer, or the last untrusted hop of X-Forwarded-For."""
    peer = request.client.host if request.client else ""
    networks = request.app.state.trusted_proxies
    if not networks or not _in(peer, networks):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, networks):
            return hop
    return peer


def _limit(path: str) -> int:
    if path.startswith("/u/"):
        return MAX_BYTES + _OVERHEAD
    if path in ("/admin/import", "/admin/plans/import"):
        return MAX_FILE_BYTES + _OVERHEAD
    return FORM_BYTES


class Guard:
    """ASGI middleware applying the headers, the body caps and the link gate (see module)."""

    def __init__(self, app: ASGIApp, state: WebState) -> None:
        self.app = app
        self.state = state
        self.hsts = state.settings.secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exceeded = False

        async def send_headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                headers["Cache-Control"] = "no-store"
                if self.hsts:
                    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send_headed)
            return
        limit = _limit(scope["path"])
        received = 0

        async def capped() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        started = False

        async def send_capped(message: Message) -> None:
            nonlocal started
            if exceeded:  # whatever the app answers, the client is told the body was too big
                if not started:
                    started = True
                    await _too_big(scope, limit)(scope, receive, send_headed)
                return
            started = started or message["type"] == "http.response.start"
            await send_headed(message)

        try:
            await self.app(scope, capped, send_capped)
        except Exception:
            if not started:  # the error page, with the headers above; the server logs the error
                await error_response(Request(scope), 500, None)(scope, receive, send_headed)
            raise

    def _refusal(self, scope: Scope) -> Response | None:
        """An answer given before the body is read: a bad unit link, or a body declared too big."""
        parts = scope["path"].split("/")
        if scope["method"] == "POST" and len(parts) > 3 and parts[1] == "u":
            try:
                link_claims(self.state, parts[2])
            except HTTPException as exc:
                return error_response(Request(scope), exc.status_code, exc.detail)
        limit = _limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > limit:
            return _too_big(scope, limit)
        return None


def _too_big(scope: Scope, limit: int) -> Response:
    size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} KB"
    return error_response(
        Request(scope),
        413,
        f"Dữ liệu gửi lên quá lớn (tối đa khoảng {size}).",
        headers={"Connection": "close"},
    )


class RedactTokens(logging.Filter):
    """Replace the token of ``/u/<token>`` and ``/calendar/<token>`` in log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_PATH.sub(r"/\1/***", a) if isinstance(a, str) else a for a in record.args
            )
        if isinstance(record.msg, str):
            record.msg = _TOKEN_PATH.sub(r"/\1/***", record.msg)
        return True


def redact_access_log() -> None:
    """Install :class:`RedactTokens` on uvicorn's access and error loggers (once)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
