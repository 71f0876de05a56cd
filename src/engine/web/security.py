"""Security primitives of the web app: password hashes, signed unit links, CSRF tokens.

* Passwords: scrypt (n=2**14, r=8, p=1) with a random 16-byte salt, compared in constant time.
* Unit links: ``itsdangerous`` timed signatures over ``{"u": unit id, "l": link id}`` with the
  engine's secret key; a link is valid for ``LINK_DAYS`` days, only for its unit, and cannot be
  forged or edited. The link id (random) is recorded with every submission made through it.
* Calendar feeds use stored random tokens instead (:mod:`engine.web.feeds`).
* CSRF: admin forms carry a random per-session token; unit forms carry an HMAC of the link id,
  so a form posted from another site (which cannot read the page) is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

LINK_DAYS = 30
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str, cost: int = _SCRYPT["n"]) -> str:
    """The stored form of a password: ``scrypt$n$r$p$salt$digest``. ``cost`` is scrypt's
    ``n`` (2**14 for every account the engine creates); :func:`verify_password` reads it back
    from the stored form, so a cheaper one (the tests' accounts) is checked at its own cost."""
    salt = secrets.token_bytes(16)
    params = {**_SCRYPT, "n": cost}
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **params)
    return f"scrypt${cost}${params['r']}${params['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        password.encode("utf-8"), salt=bytes.fromhex(salt), dklen=32, n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate.hex(), digest)


def load_secret(path: Path, configured: str | None) -> str:
    """The configured secret, or one generated once and kept in ``path`` (mode 600)."""
    if configured:
        return configured
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret, encoding="utf-8")
    path.chmod(0o600)
    return secret


@dataclass(frozen=True)
class LinkClaims:
    unit: str
    link_id: str
    issued: float  # POSIX seconds of signing (links issued before a revocation are refused)


class LinkError(Exception):
    """A link that is forged, edited or expired; the message is for the person holding it."""


class Links:
    def __init__(self, secret: str, days: int = LINK_DAYS):
        self._serializer = URLSafeTimedSerializer(secret, salt="unit-link")
        self._secret = secret.encode("utf-8")
        self.max_age = days * 86400

    def make(self, unit: str) -> str:
        return self._serializer.dumps({"u": unit, "l": secrets.token_hex(8)})

    def read(self, token: str) -> LinkClaims:
        try:
            data, signed_at = self._serializer.loads(
                token, max_age=self.max_age, return_timestamp=True
            )
        except SignatureExpired:
            raise LinkError(
                "Đường dẫn đã hết hạn; vui lòng dùng đường dẫn trong thư nhắc mới nhất."
            ) from None
        except BadSignature:
            raise LinkError("Đường dẫn không hợp lệ.") from None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("u"), str)
            or not isinstance(data.get("l"), str)
        ):
            raise LinkError("Đường dẫn không hợp lệ.")
        return LinkClaims(data["u"], data["l"], signed_at.timestamp())

    def csrf(self, link_id: str) -> str:
        return hmac.new(self._secret, f"csrf:{link_id}".encode(), hashlib.sha256).hexdigest()

    def check_csrf(self, link_id: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf(link_id), token or "")
