"""Helpers of the web tests: the test client, the CSRF token of a page, signing in."""

from __future__ import annotations

import re
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "mat-khau-du-dai"

__all__ = ["PASSWORD", "TestClient", "csrf_of", "login"]


def csrf_of(html: str) -> str:
    """The first CSRF token of a page (the session's, in the header's logout form)."""
    return re.search(r'name="csrf" value="([^"]+)"', html)[1]  # type: ignore[index]


def login(client: TestClient, username: str = "vp", password: str = PASSWORD) -> None:
    csrf = csrf_of(client.get("/admin/login").text)
    data = {"username": username, "password": password, "csrf": csrf, "next": "/"}
    response = client.post("/admin/login", data=data, follow_redirects=False)
    assert response.status_code == 303
