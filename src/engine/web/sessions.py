"""Officers' sessions kept on the server, and sign-in throttling.

Sessions: signing in stores a random token in the signed cookie and its SHA-256 in the
``web_session`` table. A request is signed in only while that row exists, was used within
``IDLE_MINUTES``, is younger than ``Settings.session_hours``, and the user's password hash, role
and active flag still match the fingerprint taken at sign-in. Logout deletes the row; a password
change, a role change or a disabled account ends all of that user's sessions (checked on every
request, whoever made the change: the CLI, the database, the admin page).

Throttling, counted over the last ``WINDOW`` seconds of the ``login_attempt`` audit log, per
account and per client address: from the ``FREE``-th failure on, the next attempt must wait
``2 ** (failures - FREE + 1)`` seconds; after ``LOCK_ACCOUNT`` failures of an account (or
``LOCK_ADDRESS`` from an address) attempts are refused for ``LOCK_SECONDS``. Refused attempts
are logged as ``throttled`` and do not check the password. Unknown users cost the same scrypt
computation as known ones, so timing does not tell them apart.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engine.store.security_tables import LoginAttemptRow, WebSessionRow
from engine.store.tables import UserRow
from engine.web.security import hash_password, verify_password

IDLE_MINUTES = 30
WINDOW = 15 * 60
FREE = 3
LOCK_ACCOUNT = 10
LOCK_ADDRESS = 30
LOCK_SECONDS = 15 * 60
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def fingerprint(user: UserRow) -> str:
    """What must not change while a session lives: password hash, role, active flag."""
    material = f"{user.password_hash}\x00{user.role}\x00{user.active}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def start(request: Request, user: UserRow) -> None:
    """Begin a session for ``user``: a fresh cookie (new CSRF token) and its server row."""
    state = request.app.state.web
    token = secrets.token_urlsafe(32)
    now = time.time()
    with Session(state.engine) as session, session.begin():
        session.add(
            WebSessionRow(
                id=_digest(token),
                username=user.username,
                fingerprint=fingerprint(user),
                created_at=now,
                last_seen=now,
            )
        )
    request.session.clear()
    request.session["sid"] = token
    request.session["csrf"] = secrets.token_urlsafe(24)


def end(request: Request) -> None:
    """Log out: delete the server row and clear the cookie."""
    token = request.session.get("sid")
    if token:
        with Session(request.app.state.web.engine) as session, session.begin():
            session.execute(delete(WebSessionRow).where(WebSessionRow.id == _digest(token)))
    request.session.clear()


def user_of(request: Request) -> dict[str, str] | None:
    """The officer of this request's live session, or None (an ended session is deleted)."""
    if "officer" in request.scope:
        return request.scope["officer"]
    found = _lookup(request)
    request.scope["officer"] = found
    return found


def _lookup(request: Request) -> dict[str, str] | None:
    token = request.session.get("sid")
    if not isinstance(token, str):
        return None
    state = request.app.state.web
    now = time.time()
    with Session(state.engine) as session, session.begin():
        row = session.get(WebSessionRow, _digest(token))
        if row is None:
            return None
        user = session.execute(
            select(UserRow).where(UserRow.username == row.username)
        ).scalar_one_or_none()
        alive = (
            user is not None
            and user.active
            and row.fingerprint == fingerprint(user)
            and now - row.last_seen <= IDLE_MINUTES * 60
            and now - row.created_at <= state.settings.session_hours * 3600
        )
        if not alive or user is None:
            session.delete(row)
            return None
        row.last_seen = now
        return {"username": user.username, "name": user.full_name, "role": user.role}


@dataclass(frozen=True)
class Verdict:
    """The outcome of a sign-in attempt; ``wait`` seconds when refused by throttling."""

    user: UserRow | None
    wait: int = 0


def attempt(request: Request, username: str, password: str, address: str) -> Verdict:
    """Check a sign-in under throttling, and log it in the audit log whatever the outcome."""
    state = request.app.state.web
    now = time.time()
    wait = _wait(state.engine, username, address, now)
    if wait:
        _log(state.engine, now, username, address, "throttled")
        return Verdict(None, wait)
    with Session(state.engine) as session:
        user = session.execute(
            select(UserRow).where(UserRow.username == username)
        ).scalar_one_or_none()
    # The same scrypt work for unknown users as for known ones.
    good = verify_password(password, user.password_hash if user else _DUMMY_HASH)
    ok = good and user is not None and user.active
    _log(state.engine, now, username, address, "ok" if ok else "wrong")
    return Verdict(user if ok else None)


def _wait(engine: Engine, username: str, address: str, now: float) -> int:
    """Seconds before the next attempt is accepted for this account or address (0: now)."""
    waits = [
        _wait_for(engine, LoginAttemptRow.username == username, LOCK_ACCOUNT, now),
        _wait_for(engine, LoginAttemptRow.address == address, LOCK_ADDRESS, now),
    ]
    return max(waits)


def _wait_for(engine: Engine, where: ColumnElement[bool], lock: int, now: float) -> int:
    with Session(engine) as session:
        last_ok = session.execute(
            select(func.max(LoginAttemptRow.at)).where(where, LoginAttemptRow.outcome == "ok")
        ).scalar()
        since = max(now - WINDOW, last_ok or 0.0)
        count, last = session.execute(
            select(func.count(), func.max(LoginAttemptRow.at)).where(
                where, LoginAttemptRow.outcome == "wrong", LoginAttemptRow.at > since
            )
        ).one()
    if count < FREE:
        return 0
    pause = LOCK_SECONDS if count >= lock else 2 ** (count - FREE + 1)
    return max(0, int(last + pause - now + 0.999))


def _log(engine: Engine, now: float, username: str, address: str, outcome: str) -> None:
    with Session(engine) as session, session.begin():
        session.add(
            LoginAttemptRow(at=now, username=username[:200], address=address, outcome=outcome)
        )


def recent_attempts(engine: Engine, limit: int = 50) -> list[LoginAttemptRow]:
    """The latest sign-in attempts, newest first, for the admin page."""
    with Session(engine) as session:
        return list(
            session.execute(
                select(LoginAttemptRow).order_by(LoginAttemptRow.id.desc()).limit(limit)
            ).scalars()
        )
