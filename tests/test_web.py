"""Pages, forms and security of the web app through FastAPI's test client."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from freezegun import freeze_time
from sqlmodel import Session, select

from engine import clock
from engine.store.tables import (
    CompletionRow,
    ExtensionRequestRow,
    ExtensionRow,
    SubmissionRow,
    SuspensionRow,
)
from engine.web.security import Links, hash_password, verify_password
from tests.webutil import PASSWORD, TestClient, csrf_of, login


def test_password_hashing() -> None:
    stored = hash_password("Mật khẩu có dấu")
    assert stored.startswith("scrypt$") and "Mật" not in stored
    assert verify_password("Mật khẩu có dấu", stored)
    assert not verify_password("mat khau co dau", stored)
    assert not verify_password("x", "garbage")
    # the engine's accounts cost 2**14; a cheaper stored hash is checked at its own cost
    assert stored.split("$")[1:4] == ["16384", "8", "1"]
    cheap = hash_password("Mật khẩu có dấu", 2**4)
    assert cheap.split("$")[1] == "16" and verify_password("Mật khẩu có dấu", cheap)


def test_apps_of_one_process_share_the_routes_each_on_its_own_state(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The page routes are built once per process (``engine.web.app.ROUTES``) and every app
    serves them on its own state: a second app on another database, without accounts, refuses
    the first app's officer."""
    from engine.config import load_settings
    from engine.web.app import ROUTES, create_app
    from tests.conftest import shipped_rules_in_memory

    first = app.state.web.settings
    other = load_settings(
        rules_dir=first.rules_dir,
        schedules_dir=first.schedules_dir,
        database_url=f"sqlite:///{tmp_path / 'other.db'}",
        data_dir=tmp_path / "other",
        secret_key="mot-khoa-khac-cho-kiem-thu",
    )
    with shipped_rules_in_memory():
        second = create_app(other)
    for one in (app, second):
        assert all(any(r is route for r in one.router.routes) for route in ROUTES)
    for one, where in ((app, "/"), (second, "/admin/login?error=1")):
        client = TestClient(one)
        csrf = csrf_of(client.get("/admin/login").text)
        data = {"username": "vp", "password": PASSWORD, "csrf": csrf, "next": "/"}
        signed = client.post("/admin/login", data=data, follow_redirects=False)
        assert signed.headers["location"] == where


def test_pages_need_login(client: TestClient) -> None:
    for path in (
        "/",
        "/plans/qd-522-btp",
        "/units/van-phong-bo",
        "/notices",
        "/admin",
        "/export.xlsx",
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith(
            "/admin/login"
        )


def test_wrong_password_and_csrf_on_login(client: TestClient) -> None:
    csrf = csrf_of(client.get("/admin/login").text)
    wrong = client.post(
        "/admin/login",
        data={"username": "vp", "password": "sai", "csrf": csrf},
        follow_redirects=False,
    )
    assert wrong.headers["location"] == "/admin/login?error=1"
    forged = client.post(
        "/admin/login", data={"username": "vp", "password": PASSWORD, "csrf": "forged"}
    )
    assert forged.status_code == 403


def test_session_expires(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    with freeze_time("2026-01-01 08:00:00"):
        login(client)
        assert client.get("/notices").status_code == 200
    with freeze_time("2026-01-01 17:00:01"):  # 8 hours later the signed session cookie is refused
        assert client.get("/notices", follow_redirects=False).status_code == 303


def test_overview_and_pages(admin_client: TestClient) -> None:
    page = admin_client.get("/?as_of=2023-07-07")
    assert page.status_code == 200
    text = page.text
    assert "Tình hình thực hiện đến ngày 07 tháng 7 năm 2023" in text
    for label in ("Đã hoàn thành đúng hạn", "Đang thực hiện quá hạn", "Nhiệm vụ không có thời hạn"):
        assert label in text
    assert "522/QĐ-BTP" in text and "<svg" in text and "Đến hạn trong 30 ngày tới" in text
    plan = admin_client.get("/plans/qd-522-btp")
    assert "Quý III-IV/2023" in plan.text
    task = admin_client.get("/plans/qd-522-btp/tasks/21?as_of=2023-07-07")
    assert "Máy hiểu là:</b> hạn theo quý" in task.text and "Học viện Tư pháp" in task.text
    unit = admin_client.get("/units/cuc-htqtct?as_of=2023-07-07")
    assert (
        "Cục Hộ tịch, quốc tịch, chứng thực" in unit.text
        and "Phải thực hiện trong tháng 7/2023" in unit.text
    )
    assert admin_client.get("/notices").status_code == 200
    assert admin_client.get("/admin").status_code == 200
    assert admin_client.get("/?as_of=2023-02-30").status_code == 400
    assert admin_client.get("/plans/khong-co").status_code == 404


def _today_open(app, unit: str):  # type: ignore[no-untyped-def]
    from engine.web import views

    day = clock.today()
    return views.open_for_unit(app.state.web.occurrences(day), unit, day)[0]


def _form(client: TestClient, token: str) -> str:
    page = client.get(f"/u/{token}")
    assert page.status_code == 200, page.text
    found = re.search(
        r'action="/u/[^"]+"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"', page.text
    )
    return found[1]  # type: ignore[index]


def test_signed_link_form_and_submission(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    links: Links = app.state.web.links
    token = links.make("van-phong-bo")
    csrf = _form(client, token)
    target = next(o for o in _today_open(app, "van-phong-bo") if o.kind == "deliverable")
    done = client.post(
        f"/u/{token}/done",
        data={
            "occurrence": target.key,
            "done_on": clock.today().isoformat(),
            "csrf": csrf,
            "evidence": "Báo cáo số 12/BC-VP",
        },
        files={"file": ("bien-ban.pdf", b"%PDF-1.4 test")},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].endswith("?ok=done")
    engine = app.state.web.engine
    with Session(engine) as session:
        completion = session.execute(select(CompletionRow)).scalar_one()
        submission = session.execute(select(SubmissionRow)).scalar_one()
    assert completion.evidence == "Báo cáo số 12/BC-VP" and completion.recorded_by.startswith(
        "link:"
    )
    assert (
        completion.evidence_file
        and (Path(app.state.web.settings.data_dir) / "uploads" / completion.evidence_file).is_file()
    )
    assert submission.unit == "van-phong-bo" and submission.link_id == completion.recorded_by[5:]
    assert target.key not in {
        o.key for o in _today_open(app, "van-phong-bo")
    }  # counted, gone from the form


def test_forged_edited_and_expired_links(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    links: Links = app.state.web.links
    token = links.make("van-phong-bo")
    assert client.get(f"/u/{token[:-3]}abc").status_code == 403
    forged = Links("another-secret").make("van-phong-bo")
    assert client.get(f"/u/{forged}").status_code == 403
    with freeze_time(date.today() - timedelta(days=40)):
        old = links.make("van-phong-bo")
    response = client.get(f"/u/{old}")
    assert response.status_code == 403 and "hết hạn" in response.text


def test_link_cannot_be_used_for_another_units_tasks(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    links: Links = app.state.web.links
    token = links.make("van-phong-bo")
    csrf = _form(client, token)
    other = next(o for o in _today_open(app, "cuc-cntt"))
    response = client.post(
        f"/u/{token}/done",
        data={"occurrence": other.key, "done_on": clock.today().isoformat(), "csrf": csrf},
    )
    assert response.status_code == 403
    another_link_csrf = links.csrf("some-other-link")
    mine = _today_open(app, "van-phong-bo")[0]
    response = client.post(
        f"/u/{token}/done",
        data={
            "occurrence": mine.key,
            "done_on": clock.today().isoformat(),
            "csrf": another_link_csrf,
        },
    )
    assert response.status_code == 403
    future = client.post(
        f"/u/{token}/done",
        data={
            "occurrence": mine.key,
            "done_on": (clock.today() + timedelta(days=2)).isoformat(),
            "csrf": csrf,
        },
    )
    assert future.status_code == 400


def test_extension_request_reviewed_by_admin(app, admin_client: TestClient) -> None:  # type: ignore[no-untyped-def]
    links: Links = app.state.web.links
    token = links.make("van-phong-bo")
    csrf = _form(admin_client, token)
    target = next(o for o in _today_open(app, "van-phong-bo") if o.kind == "deliverable")
    wanted = (clock.today() + timedelta(days=30)).isoformat()
    response = admin_client.post(
        f"/u/{token}/extension",
        data={
            "occurrence": target.key,
            "requested_due": wanted,
            "reason": "Chờ ý kiến Bộ Công an",
            "csrf": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    admin_page = admin_client.get("/admin").text
    assert "Chờ ý kiến Bộ Công an" in admin_page
    admin_csrf = csrf_of(admin_page)
    with Session(app.state.web.engine) as session:
        request_id = session.execute(select(ExtensionRequestRow.id)).scalar_one()
    assert (
        admin_client.post(
            f"/admin/extensions/{request_id}/approve", data={"csrf": "bad"}
        ).status_code
        == 403
    )
    assert (
        admin_client.post(
            f"/admin/extensions/{request_id}/approve",
            data={"csrf": admin_csrf},
            follow_redirects=False,
        ).status_code
        == 303
    )
    with Session(app.state.web.engine) as session:
        extension = session.execute(select(ExtensionRow)).scalar_one()
        decided = session.get(ExtensionRequestRow, request_id)
    assert (
        extension.new_due.isoformat() == wanted
        and decided.status == "approved"
        and decided.decided_by == "vp"
    )
    assert (
        admin_client.post(
            f"/admin/extensions/{request_id}/approve", data={"csrf": admin_csrf}
        ).status_code
        == 409
    )


def test_admin_actions_need_the_admin_role_andcsrf_of(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    login(client, "xem")
    csrf = csrf_of(client.get("/").text)
    data = {
        "csrf": csrf,
        "action": "suspend",
        "plan": "qd-522-btp",
        "task": "5",
        "reason": "Chờ Luật",
    }
    assert client.post("/admin/record", data=data).status_code == 403  # a viewer
    client.post("/admin/logout", data={"csrf": csrf})
    login(client)
    csrf = csrf_of(client.get("/").text)
    assert client.post("/admin/record", data={**data, "csrf": "x"}).status_code == 403
    assert (
        client.post("/admin/record", data={**data, "csrf": csrf, "reason": ""}).status_code == 400
    )
    assert (
        client.post(
            "/admin/record", data={**data, "csrf": csrf}, follow_redirects=False
        ).status_code
        == 303
    )
    with Session(app.state.web.engine) as session:
        assert session.execute(select(SuspensionRow)).scalar_one().recorded_by == "vp"
    event = {
        "csrf": csrf,
        "action": "event",
        "plan": "qd-910-btp",
        "task": "2",
        "on": "2025-03-10",
        "key": "CT-07",
    }
    assert client.post("/admin/record", data=event, follow_redirects=False).status_code == 303
    wrong = {**event, "task": "1"}
    assert client.post("/admin/record", data=wrong).status_code == 400


def test_logout_needscsrf_of(admin_client: TestClient) -> None:
    assert admin_client.post("/admin/logout", data={"csrf": "x"}).status_code == 403
    csrf = csrf_of(admin_client.get("/").text)
    assert (
        admin_client.post("/admin/logout", data={"csrf": csrf}, follow_redirects=False).status_code
        == 303
    )
    assert admin_client.get("/", follow_redirects=False).status_code == 303
