"""The outbox's email bytes (engine.mime) against what Python's ``email`` package builds with
its SMTP policy: a reader decodes the same headers, parts and bodies from both; and the
rules of the module on lines, encodings and header injection."""

from __future__ import annotations

import email
from collections.abc import Sequence
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import parseaddr

import pytest
from freezegun import freeze_time
from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine import clock
from engine.mime import MAX_LINE, composer
from engine.store.outbox import Rendered


def _package(
    mail_from: str,
    reply_to: str | None,
    message_id: str,
    to: Sequence[str],
    rendered: Rendered,
    keys: Sequence[str],
) -> bytes:
    """The same email built by Python's ``email`` package (its header parser and folder,
    its choice of transfer encoding)."""
    name, address = parseaddr(mail_from)
    message = EmailMessage()
    message["From"] = Address(display_name=name, addr_spec=address)
    message["To"] = [Address(addr_spec=a) for a in to]
    message["Subject"] = rendered.subject
    message["Message-ID"] = message_id
    message["Date"] = email.utils.format_datetime(clock.now())
    if reply_to:
        message["Reply-To"] = reply_to
    message["Auto-Submitted"] = "auto-generated"
    message["X-Idempotency-Key"] = ", ".join(keys)
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message.as_bytes(policy=SMTP)


_EMPTY = Rendered("", "", "")


def _read(raw: bytes) -> dict[str, object]:
    """What a reader sees: the addresses, subject, date, idempotency keys, each part's type
    and text, and any defect the parser found."""
    message = email.message_from_bytes(raw, policy=default)
    keys = str(message["X-Idempotency-Key"] or "")
    reply_to = message["Reply-To"]
    return {
        "From": [(a.display_name, a.addr_spec) for a in message["From"].addresses],
        "To": [a.addr_spec for a in message["To"].addresses],
        "Reply-To": reply_to and [(a.display_name, a.addr_spec) for a in reply_to.addresses],
        "Subject": str(message["Subject"]),
        "Message-ID": str(message["Message-ID"]),
        "Date": message["Date"].datetime,
        "Auto-Submitted": str(message["Auto-Submitted"]),
        "keys": [k for k in keys.split(", ") if k],
        "parts": [(p.get_content_type(), p.get_content()) for p in message.iter_parts()],
        "defects": [type(d).__name__ for p in message.walk() for d in p.defects],
    }


def _crlf(text: str) -> str:
    """``text``'s lines, each ended by CRLF (a body's canonical form)."""
    return "\r\n".join(text.splitlines()) + "\r\n"


_VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐÔƠƯ"
)
_LINE = st.text(alphabet=_VIETNAMESE + " ,.:;-/()[]0123456789ABCXYZ\"'<>&=?", max_size=120)
_FROM = st.sampled_from(
    [
        "Văn phòng Bộ <vp@btp.example>",
        "VP <vp@btp.example>",
        '"Van phong, Bo Tu phap" <vp@btp.example>',
        "vp@btp.example",
    ]
)


@settings(max_examples=60, deadline=None)
@example(  # one line of 79 octets, mostly non-ASCII: the package picks base64 for it
    mail_from="Văn phòng Bộ <vp@btp.example>",
    reply_to=None,
    subject="",
    text="",
    html="000000000000ÔÔÔÔÔÔÔÔÔÔÔÔÔÔạạạạạạạạạạạạạ",
    keys=[],
    to=["a@btp.example"],
)
@given(
    mail_from=_FROM,
    reply_to=st.sampled_from([None, "vp@btp.example", "Ông A <a@btp.example>"]),
    subject=_LINE.map(str.strip),
    text=st.lists(_LINE, max_size=8).map("\n".join),
    html=st.lists(_LINE, max_size=8).map("\n".join),
    keys=st.lists(st.text(alphabet="0123456789abcdef", min_size=1, max_size=70), max_size=40),
    to=st.lists(st.sampled_from(["a@btp.example", "cuc.cntt@moj.gov.vn"]), min_size=1),
)
def test_readers_see_what_the_email_package_builds(
    mail_from: str,
    reply_to: str | None,
    subject: str,
    text: str,
    html: str,
    keys: list[str],
    to: list[str],
) -> None:
    rendered = Rendered(subject, text, html)
    with freeze_time("2024-01-22 01:30:00"):
        ours = composer(mail_from, reply_to)("<m@btp.example>", to, rendered, keys)
        theirs = _package(mail_from, reply_to, "<m@btp.example>", to, rendered, keys)
        sent = clock.now().replace(microsecond=0)
    read, package = _read(ours), _read(theirs)
    # the package writes a base64 text part (its choice for a long line of mostly non-ASCII
    # text) with bare LF line ends inside; RFC 2045's canonical form, which ours has, is CRLF
    package["parts"] = [(kind, _crlf(content)) for kind, content in package["parts"]]
    assert read == {
        "From": [parseaddr(mail_from)],
        "To": to,
        "Reply-To": reply_to and [parseaddr(reply_to)],
        "Subject": subject,
        "Message-ID": "<m@btp.example>",
        "Date": sent,
        "Auto-Submitted": "auto-generated",
        "keys": keys,
        "parts": package["parts"],
        "defects": [],
    }
    # the package itself folds some headers into other values (a space before a key, one
    # between the encoded words of a long display name): only its subject and parts compare
    assert (read["Subject"], read["parts"]) == (package["Subject"], package["parts"])
    assert [content for _, content in read["parts"]] == [_crlf(body) for body in (text, html)]
    assert all(len(line) <= 998 for line in ours.split(b"\r\n"))
    assert b"\n" not in ours.replace(b"\r\n", b"")  # CRLF only


def test_a_long_display_name_decodes_as_rfc_2047_says() -> None:
    """A name longer than one encoded word is split between characters; RFC 2047 readers
    join adjacent encoded words without the space between them (Python's own header parser
    puts one there in a display name, also in what its SMTP policy writes: not compared
    above)."""
    name = "Văn phòng Bộ Tư pháp và Cục Công nghệ thông tin và Chuyển đổi số"
    raw = composer(f"{name} <vp@btp.example>")("<m@x.example>", ["a@x.example"], _EMPTY, [])
    value = email.message_from_bytes(raw)["From"]  # as written, unfolded
    assert str(make_header(decode_header(value))) == f"{name} <vp@btp.example>"


def test_long_lines_are_folded_or_encoded() -> None:
    subject = "Nhắc việc: " + "nhiệm vụ sắp đến hạn của Cục Hộ tịch, quốc tịch, chứng thực " * 3
    rendered = Rendered(subject, "ngắn\n" + "dài " * 40, "<p>" + "ô" * 300 + "</p>")
    keys = [f"{i:040x}" for i in range(30)]  # as long as the engine's
    raw = composer("Văn phòng Bộ <vp@btp.example>")(
        "<m@x.example>", ["a@x.example"], rendered, keys
    )
    head, _, body = raw.partition(b"\r\n\r\n")
    assert max(len(line) for line in head.split(b"\r\n")) <= MAX_LINE
    assert head.isascii() and b"Subject: =?utf-8?b?" in head
    assert body.count(b"Content-Transfer-Encoding: base64") == 2  # both have a long line
    assert max(len(line) for line in body.split(b"\r\n")) <= MAX_LINE
    message = email.message_from_bytes(raw, policy=default)
    assert message["X-Idempotency-Key"] == ", ".join(keys)
    assert str(message["Subject"]) == subject


def test_short_lines_are_sent_as_they_are() -> None:
    rendered = Rendered("Nhắc việc", "Kính gửi Cục Hộ tịch,\nHạn: 31/12/2023", "<p>Hello</p>")
    raw = composer("vp@btp.example")("<m@x.example>", ["a@x.example"], rendered, ["k"])
    assert "Kính gửi Cục Hộ tịch,\r\nHạn: 31/12/2023".encode() in raw
    assert b"Content-Transfer-Encoding: 8bit" in raw
    assert b"Content-Transfer-Encoding: 7bit\r\n\r\n<p>Hello</p>\r\n" in raw


@pytest.mark.parametrize(
    "subject, mail_from, to",
    [
        ("Nhắc việc\r\nBcc: x@evil.example", "vp@btp.example", "a@x.example"),
        ("Nhắc việc", "vp@btp.example\nBcc: x@evil.example", "a@x.example"),
        ("Nhắc việc", "vp@btp.example", "người@btp.example"),
    ],
)
def test_header_injection_and_non_ascii_addresses_are_refused(
    subject: str, mail_from: str, to: str
) -> None:
    with pytest.raises(ValueError):
        composer(mail_from)("<m@x.example>", [to], Rendered(subject, "a", "b"), [])
