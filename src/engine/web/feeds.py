"""Calendar feed tokens: one stored random token per unit or plan, rotatable and revocable.

A feed link is ``/calendar/<token>.ics``. The token is created the first time an officer's page
shows the feed (not a new one per view); rotating replaces it (the old link answers 404),
revoking deletes it (a new one is created when a page shows the feed again). A unit's feed is
refused once the unit has ceased to exist (``valid_to`` before today).
"""

from __future__ import annotations

import secrets
import time

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from engine.store.security_tables import FeedTokenRow


def token_for(engine: Engine, subject: str) -> str:
    """The live token of ``subject`` ("unit:ID" or "plan:ID"), created on first use."""
    with Session(engine) as session:
        row = session.get(FeedTokenRow, subject)
        if row is not None:
            return row.token
    try:
        return rotate(engine, subject)
    except IntegrityError:  # created meanwhile by another request
        with Session(engine) as session:
            return session.get(FeedTokenRow, subject).token  # type: ignore[union-attr]


def rotate(engine: Engine, subject: str) -> str:
    """Replace the subject's token with a new random one and return it."""
    token = secrets.token_urlsafe(24)
    with Session(engine) as session, session.begin():
        row = session.get(FeedTokenRow, subject)
        if row is None:
            session.add(FeedTokenRow(subject=subject, token=token, created_at=time.time()))
        else:
            row.token, row.created_at = token, time.time()
    return token


def revoke(engine: Engine, subject: str) -> None:
    with Session(engine) as session, session.begin():
        session.execute(delete(FeedTokenRow).where(FeedTokenRow.subject == subject))


def subject_of(engine: Engine, token: str) -> str | None:
    """The subject a live token belongs to, or None."""
    with Session(engine) as session:
        return session.execute(
            select(FeedTokenRow.subject).where(FeedTokenRow.token == token)
        ).scalar_one_or_none()


def all_tokens(engine: Engine) -> list[FeedTokenRow]:
    with Session(engine) as session:
        return list(session.execute(select(FeedTokenRow).order_by(FeedTokenRow.subject)).scalars())
