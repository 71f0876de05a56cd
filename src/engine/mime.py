"""The bytes of an outbox email (RFC 5322 and MIME), written directly.

Rules:

* **Structure.** ``multipart/alternative``: the text part, then the HTML part, both UTF-8.
* **Headers.** From, To, Subject, Message-ID, Date, Reply-To (when configured),
  ``Auto-Submitted: auto-generated`` (RFC 3834: no auto-replies), ``X-Idempotency-Key`` (the
  items' keys, comma-separated), MIME-Version, Content-Type. Text that is not printable ASCII
  (a Vietnamese subject or display name) is written as RFC 2047 encoded words ("B" encoding,
  each at most 75 characters, never splitting a character); a header line is folded before
  78 characters where its parts allow (between addresses, keys or encoded words). A value
  with a line break is refused (``ValueError``): it would inject a header.
* **Bodies.** A body whose every line fits in 78 octets is sent as is (``7bit`` when it is
  ASCII, else ``8bit``); one with a longer line is base64, as RFC 5322 limits lines.
  Line endings are CRLF.

This is what Python's ``email`` package produces with its SMTP policy, up to how it folds
and which transfer encoding it picks for long lines; a reader decodes the same headers and
bodies from both (``tests/test_mime.py``), up to line ends: the package leaves bare LF inside
a base64 text part, where ours keeps the canonical CRLF. The package parses and refolds every header
through its generic parser, which took most of the time of a day's run.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from email.utils import format_datetime, formataddr, parseaddr
from typing import TYPE_CHECKING

from engine import clock

if TYPE_CHECKING:
    from engine.store.outbox import Composer, Rendered

MAX_LINE = 78
_WORD_BYTES = 42  # 56 base64 characters: "=?utf-8?b?" + 56 + "?=" is 68 ≤ 75 (RFC 2047 §2)
CRLF = "\r\n"


def composer(mail_from: str, reply_to: str | None = None) -> Composer:
    """Builds the MIME bytes of an outbox message (see the module): a Message-ID that never
    changes, the Date in Vietnam's time (+07:00), on the day ``ENGINE_TODAY`` pins when it is
    set, and ``Reply-To`` when one is configured."""
    sender = _address(mail_from)
    answer = _address(reply_to) if reply_to else None

    def compose(
        message_id: str, to: Sequence[str], rendered: Rendered, keys: Sequence[str]
    ) -> bytes:
        headers = [
            _header("From", sender),
            _header("To", [_ascii_address(a) for a in to], ","),
            _header("Subject", _text(rendered.subject)),
            _header("Message-ID", [message_id]),
            _header("Date", [format_datetime(clock.now())]),
        ]
        if answer:
            headers.append(_header("Reply-To", answer))
        headers += [
            _header("Auto-Submitted", ["auto-generated"]),
            _header("X-Idempotency-Key", list(keys), ","),
        ]
        parts = [_part("plain", rendered.text), _part("html", rendered.html)]
        boundary = _boundary(parts)
        headers += [
            "MIME-Version: 1.0",
            f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"',
        ]
        out = [CRLF.join(headers).encode("ascii"), b"\r\n"]
        for part in parts:  # the CRLF before a delimiter belongs to it (RFC 2046 §5.1.1)
            out += [f"\r\n--{boundary}\r\n".encode("ascii"), part]
        out.append(f"\r\n--{boundary}--\r\n".encode("ascii"))
        return b"".join(out)

    return compose


def _single_line(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"giá trị tiêu đề thư có ký tự xuống dòng: {value!r}")
    return value


def _printable(value: str) -> bool:
    return value.isascii() and value.isprintable() and "=?" not in value


def _words(value: str) -> list[str]:
    """``value`` as RFC 2047 encoded words of at most :data:`_WORD_BYTES` UTF-8 bytes each."""
    words: list[str] = []
    chunk: list[bytes] = []
    size = 0
    for char in value:
        data = char.encode("utf-8")
        if size + len(data) > _WORD_BYTES:
            words.append(_word(b"".join(chunk)))
            chunk, size = [], 0
        chunk.append(data)
        size += len(data)
    if chunk:
        words.append(_word(b"".join(chunk)))
    return words


def _word(data: bytes) -> str:
    return f"=?utf-8?b?{base64.b64encode(data).decode('ascii')}?="


def _text(value: str) -> list[str]:
    """An unstructured header value as foldable parts joined by spaces."""
    value = _single_line(value)
    return value.split(" ") if _printable(value) else _words(value)


def _address(value: str) -> list[str]:
    """``Name <address>`` or ``address`` as foldable parts; a name that is not printable
    ASCII becomes encoded words."""
    name, address = parseaddr(_single_line(value))
    address = _ascii_address(address)
    if not name or _printable(name):
        return [formataddr((name, address))]
    return [*_words(name), f"<{address}>"]


def _ascii_address(address: str) -> str:
    if not address.isascii():
        raise ValueError(f"địa chỉ thư «{address}» có ký tự ngoài ASCII")
    return _single_line(address)


def _header(name: str, parts: list[str], separator: str = "") -> str:
    """``name: parts`` joined by ``separator`` and a space, folded (CRLF + space) before a
    line would pass :data:`MAX_LINE` characters. The first part stays on the name's line
    (a reader would take the folding space for part of the value); a part longer than a
    line stays whole."""
    lines: list[str] = []
    line = f"{name}:"
    for index, part in enumerate(parts):
        piece = part + (separator if index < len(parts) - 1 else "")
        if index and len(line) + 1 + len(piece) > MAX_LINE:
            lines.append(line)
            line = ""
        line += " " + piece
    lines.append(line)
    return CRLF.join(lines)


def _part(subtype: str, text: str) -> bytes:
    """One body part, headers included (see the module's rule on bodies)."""
    lines = text.encode("utf-8").splitlines()
    body = b"\r\n".join(lines) + b"\r\n"
    if all(len(line) <= MAX_LINE for line in lines):
        encoding = "7bit" if body.isascii() else "8bit"
    else:
        encoding = "base64"
        body = base64.encodebytes(body).replace(b"\n", b"\r\n")
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {encoding}'
    return head.encode("ascii") + b"\r\n\r\n" + body


def _boundary(parts: Sequence[bytes]) -> str:
    """A random boundary found in no part (base64 never contains "=_")."""
    while True:
        boundary = f"=_{secrets.token_hex(16)}"
        if not any(boundary.encode("ascii") in part for part in parts):
            return boundary
