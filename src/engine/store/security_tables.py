"""SQLModel tables of the web app's security controls (see docs/security.md).

Times that drive a control (session lifetimes, login throttling) are POSIX seconds (``float``):
they compare the same way on SQLite and PostgreSQL, with no time zone to lose.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class WebSessionRow(SQLModel, table=True):
    """A signed-in officer's session; the cookie holds a random token, the row its SHA-256.

    ``fingerprint`` digests the user's password hash, role and active flag at sign-in: when
    any of them changes, every session of that user stops being accepted.
    """

    __tablename__ = "web_session"
    id: str = Field(primary_key=True)  # sha256 hex of the cookie's token
    username: str = Field(index=True)
    fingerprint: str
    created_at: float
    last_seen: float


class LoginAttemptRow(SQLModel, table=True):
    """The audit log of sign-ins: every attempt, its client address and its outcome.

    ``outcome``: ``ok``, ``wrong`` (unknown user or wrong password, not told apart),
    ``throttled`` (refused during a wait or a lockout, the password not checked).
    """

    __tablename__ = "login_attempt"
    id: int | None = Field(default=None, primary_key=True)
    at: float = Field(index=True)
    username: str = Field(index=True)
    address: str = Field(index=True)
    outcome: str


class EvidenceFileRow(SQLModel, table=True):
    """A file a unit attached through its link, stored under ``uploads/<id>`` (no name part)."""

    __tablename__ = "evidence_file"
    id: str = Field(primary_key=True)  # random hex, the stored file's name
    original_name: str
    content_type: str
    size: int
    unit: str = Field(index=True)
    plan: str = Field(index=True)
    task: str = Field(index=True)
    milestone: str | None = None
    link_id: str
    uploaded_at: float


class FeedTokenRow(SQLModel, table=True):
    """The one live calendar feed token of a unit or a plan (``subject`` "unit:ID"/"plan:ID").

    Officers' pages show the feed link, so the token itself is kept; rotating replaces it,
    revoking deletes the row (the old link then answers 404).
    """

    __tablename__ = "feed_token"
    subject: str = Field(primary_key=True)
    token: str = Field(unique=True)
    created_at: float


class LinkRevocationRow(SQLModel, table=True):
    """Unit links issued before ``revoked_at`` (POSIX seconds) are refused."""

    __tablename__ = "link_revocation"
    unit: str = Field(primary_key=True)
    revoked_at: float
    revoked_by: str
