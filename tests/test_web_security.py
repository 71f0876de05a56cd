"""Issue 10's controls through the real app: headers, sessions, sign-in throttling, unit
submissions, evidence files, feed tokens, link revocation, client address, logs, formulas."""

from __future__ import annotations

import io
import logging
import re
import time
import zipfile
from datetime import date

from sqlmodel import Session, select
from starlette.requests import Request

from engine import clock
from engine.store.security_tables import EvidenceFileRow, LoginAttemptRow, WebSessionRow
from engine.store.tables import SubmissionRow, UserRow
from engine.web import views
from engine.web.guards import CSP, RedactTokens, client_address, trusted_networks
from engine.web.security import hash_password
from tests.webutil import PASSWORD, TestClient, csrf_of, login


def _open(app, unit: str, kind: str = "deliverable"):  # type: ignore[no-untyped-def]
    day = clock.today()
    return [
        o
        for o in views.open_for_unit(app.state.web.occurrences(day), unit, day)[0]
        if o.kind == kind
    ]


def _form_csrf(client: TestClient, token: str) -> str:
    page = client.get(f"/u/{token}")
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)[1]  # type: ignore[index]


def _sign_in(client: TestClient, username: str, password: str):  # type: ignore[no-untyped-def]
    csrf = csrf_of(client.get("/admin/login").text)
    data = {"username": username, "password": password, "csrf": csrf, "next": "/"}
    return client.post("/admin/login", data=data, follow_redirects=False)


def _user(app, username: str = "vp"):  # type: ignore[no-untyped-def]
    return Session(app.state.web.engine), username


def _update_user(app, username: str, **values: object) -> None:  # type: ignore[no-untyped-def]
    with Session(app.state.web.engine) as session, session.begin():
        user = session.execute(select(UserRow).where(UserRow.username == username)).scalar_one()
        for name, value in values.items():
            setattr(user, name, value)


def test_security_headers_on_every_response(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    for path in ("/admin/login", "/", "/healthz", "/nothing-here", "/u/forged", "/calendar/x.ics"):
        headers = client.get(path, follow_redirects=False).headers
        assert headers["content-security-policy"] == CSP, path
        assert "frame-ancestors 'none'" in CSP and "script-src" not in CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in headers  # cookies not secure here
    login(client)
    assert "<script" not in client.get("/").text


def test_hsts_when_cookies_are_secure(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from engine.config import load_settings
    from engine.web.app import create_app
    from tests.conftest import RULES, SCHEDULES

    settings = load_settings(
        rules_dir=RULES,
        schedules_dir=SCHEDULES,
        database_url=f"sqlite:///{tmp_path / 'e.db'}",
        data_dir=tmp_path,
        secret_key="k",
        secure_cookies=True,
    )
    response = TestClient(create_app(settings)).get("/healthz")
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_logout_ends_the_session_on_the_server(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    login(client)
    stolen = dict(client.cookies)
    client.post("/admin/logout", data={"csrf": csrf_of(client.get("/").text)})
    replay = TestClient(app, cookies=stolen)
    assert replay.get("/", follow_redirects=False).status_code == 303
    with Session(app.state.web.engine) as session:
        assert session.execute(select(WebSessionRow)).first() is None


def test_password_role_and_disabled_account_end_sessions(app) -> None:  # type: ignore[no-untyped-def]
    for change in (
        {"password_hash": hash_password("mat-khau-moi-dai")},
        {"role": "viewer"},
        {"active": False},
    ):
        _update_user(app, "vp", password_hash=hash_password(PASSWORD), role="admin", active=True)
        client = TestClient(app)
        login(client)
        assert client.get("/admin", follow_redirects=False).status_code == 200
        _update_user(app, "vp", **change)
        assert client.get("/admin", follow_redirects=False).status_code == 303, change
    _update_user(app, "vp", active=False, password_hash=hash_password(PASSWORD), role="admin")
    assert _sign_in(TestClient(app), "vp", PASSWORD).headers["location"].endswith("error=1")


def test_idle_and_absolute_lifetimes(app) -> None:  # type: ignore[no-untyped-def]
    from engine.web import sessions

    for column, age in (
        ("last_seen", sessions.IDLE_MINUTES * 60 + 5),
        ("created_at", app.state.web.settings.session_hours * 3600 + 5),
    ):
        client = TestClient(app)
        login(client)
        with Session(app.state.web.engine) as session, session.begin():
            for row in session.execute(select(WebSessionRow)).scalars():
                setattr(row, column, time.time() - age)
        assert client.get("/", follow_redirects=False).status_code == 303, column


def _wrong(client: TestClient) -> str:
    return _sign_in(client, "vp", "sai-mat-khau").headers["location"]


def test_login_throttling_lockout_and_audit_log(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    from engine.web import sessions

    engine = app.state.web.engine
    for _ in range(sessions.FREE):
        assert _wrong(client).endswith("error=1")
    # a delay now: even the right password is refused, unchecked, until it has passed
    refused = _sign_in(client, "vp", PASSWORD)
    wait = int(re.search(r"wait=(\d+)", refused.headers["location"])[1])  # type: ignore[index]
    assert 0 < wait <= 2
    page = client.get(refused.headers["location"]).text
    assert f"vui lòng thử lại sau {wait} giây" in page

    def age_attempts(seconds: float) -> None:
        with Session(engine) as session, session.begin():
            for row in session.execute(select(LoginAttemptRow)).scalars():
                row.at -= seconds

    for extra in range(sessions.LOCK_ACCOUNT - sessions.FREE):  # each after its delay
        age_attempts(2 ** (extra + 1) + 1)
        assert _wrong(client).endswith("error=1")
    locked = _sign_in(client, "vp", PASSWORD).headers["location"]
    assert int(re.search(r"wait=(\d+)", locked)[1]) > 800  # type: ignore[index]
    assert "phút" in client.get(locked).text
    age_attempts(sessions.WINDOW + 1)  # the lockout is over
    assert _sign_in(client, "vp", PASSWORD).headers["location"] == "/"
    with Session(engine) as session:
        outcomes = [r.outcome for r in session.execute(select(LoginAttemptRow)).scalars()]
    assert outcomes.count("wrong") == sessions.LOCK_ACCOUNT and outcomes[-1] == "ok"
    assert outcomes.count("throttled") == 2
    assert "Nhật ký đăng nhập" in client.get("/admin").text


def test_known_and_unknown_users_take_the_same_time(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    def timed(username: str) -> float:
        with Session(app.state.web.engine) as session, session.begin():
            for row in session.execute(select(LoginAttemptRow)).scalars():
                session.delete(row)
        start = time.perf_counter()
        _sign_in(client, username, "sai-mat-khau")
        return time.perf_counter() - start

    # The known user's hash at the engine's own cost (the fixtures' accounts use a cheap one),
    # the cost the unknown user's dummy hash has.
    _update_user(app, "vp", password_hash=hash_password(PASSWORD))
    # Interleaved pairs, so that a burst of load on a shared machine hits both sides alike.
    ratios = sorted(timed("vp") / timed("khong-co-ai") for _ in range(9))
    assert 0.6 < ratios[4] < 1.6, ratios


def test_unit_submissions_are_validated(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    token = app.state.web.links.make("van-phong-bo")
    csrf = _form_csrf(client, token)
    target = _open(app, "van-phong-bo")[0]
    old = client.post(
        f"/u/{token}/done",
        data={"occurrence": target.key, "done_on": "1900-01-01", "csrf": csrf},
    )
    assert old.status_code == 400 and "không được trước ngày" in old.text
    ask = {"occurrence": target.key, "reason": "Chờ ý kiến", "csrf": csrf}
    back = client.post(f"/u/{token}/extension", data={**ask, "requested_due": "1800-01-01"})
    assert back.status_code == 400 and "phải sau thời hạn hiện tại" in back.text
    later = date(clock.today().year + 1, 12, 31).isoformat()
    first = client.post(
        f"/u/{token}/extension", data={**ask, "requested_due": later}, follow_redirects=False
    )
    assert first.status_code == 303
    again = client.post(f"/u/{token}/extension", data={**ask, "requested_due": later})
    assert again.status_code == 409 and "đang chờ xử lý" in again.text


def test_uploads_allow_list_names_and_officers_download(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    token = app.state.web.links.make("van-phong-bo")
    csrf = _form_csrf(client, token)
    target = _open(app, "van-phong-bo")[0]
    data = {"occurrence": target.key, "done_on": clock.today().isoformat(), "csrf": csrf}
    for name, body in (("chay.exe", b"MZ\x90\x00"), ("gia-mao.pdf", b"<html>")):
        refused = client.post(f"/u/{token}/done", data=data, files={"file": (name, body)})
        assert refused.status_code == 415, name
    name = "Báo cáo tiến độ quý 2.pdf"
    sent = client.post(
        f"/u/{token}/done",
        data=data,
        files={"file": (name, b"%PDF-1.7\n" + b"x" * 1000)},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    with Session(app.state.web.engine) as session:
        stored = session.execute(select(EvidenceFileRow)).scalar_one()
    assert stored.original_name == name and stored.size == 1009
    assert client.get(f"/files/{stored.id}", follow_redirects=False).status_code == 303
    login(client)
    task_page = client.get(f"/plans/{target.plan}/tasks/{target.task}").text
    admin_page = client.get("/admin").text
    assert f'<a href="/files/{stored.id}">{name}</a>' in task_page and name in admin_page
    download = client.get(f"/files/{stored.id}")
    assert download.status_code == 200 and download.content.startswith(b"%PDF-1.7")
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "B%C3%A1o%20c%C3%A1o" in download.headers["content-disposition"]


def test_feed_tokens_are_stored_rotated_and_revoked(app, admin_client: TestClient) -> None:  # type: ignore[no-untyped-def]
    def feed() -> str:
        page = admin_client.get("/units/van-phong-bo").text
        return re.search(r'href="(/calendar/[^"]+\.ics)"', page)[1]  # type: ignore[index]

    first = feed()
    assert feed() == first and admin_client.get(first).status_code == 200
    csrf = csrf_of(admin_client.get("/admin").text)
    admin_client.post("/admin/feeds/unit/van-phong-bo/rotate", data={"csrf": csrf})
    second = feed()
    assert second != first and admin_client.get(first).status_code == 404
    admin_client.post("/admin/feeds/unit/van-phong-bo/revoke", data={"csrf": csrf})
    assert admin_client.get(second).status_code == 404
    ceased = admin_client.get("/units/cuc-htqtct").text  # ceased 28/02/2025
    ceased_feed = re.search(r'href="(/calendar/[^"]+\.ics)"', ceased)[1]  # type: ignore[index]
    assert admin_client.get(ceased_feed).status_code == 404


def test_links_of_ceased_units_and_revoked_links_are_refused(app, admin_client: TestClient) -> None:  # type: ignore[no-untyped-def]
    links = app.state.web.links
    ceased = admin_client.get(f"/u/{links.make('cuc-htqtct')}")
    assert ceased.status_code == 403 and "thôi hoạt động" in ceased.text
    token = links.make("van-phong-bo")
    assert admin_client.get(f"/u/{token}").status_code == 200
    csrf = csrf_of(admin_client.get("/units/van-phong-bo").text)
    admin_client.post("/admin/units/van-phong-bo/revoke-links", data={"csrf": csrf})
    revoked = admin_client.get(f"/u/{token}")
    assert revoked.status_code == 403 and "thu hồi" in revoked.text
    posted = admin_client.post(f"/u/{token}/done", data={"occurrence": "x"})
    assert posted.status_code == 403  # refused before the form is read
    time.sleep(1.1)  # links signed after the revocation work (timestamps are whole seconds)
    assert admin_client.get(f"/u/{links.make('van-phong-bo')}").status_code == 200


def test_forwarded_for_is_believed_only_from_trusted_proxies(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    token = app.state.web.links.make("van-phong-bo")
    csrf = _form_csrf(client, token)
    target = _open(app, "van-phong-bo")[0]
    client.post(
        f"/u/{token}/done",
        data={"occurrence": target.key, "done_on": clock.today().isoformat(), "csrf": csrf},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    with Session(app.state.web.engine) as session:
        assert session.execute(select(SubmissionRow)).scalar_one().remote_addr == "testclient"

    def address(peer: str, forwarded: str, trusted: str) -> str:
        app.state.trusted_proxies = trusted_networks(trusted)
        scope = {
            "type": "http",
            "app": app,
            "client": (peer, 1234),
            "headers": [(b"x-forwarded-for", forwarded.encode())],
        }
        return client_address(Request(scope))

    assert address("10.0.0.2", "203.0.113.9", "") == "10.0.0.2"
    assert address("10.0.0.2", "203.0.113.9", "10.0.0.0/8") == "203.0.113.9"
    assert address("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.7", "10.0.0.0/8") == "203.0.113.9"
    assert address("198.51.100.1", "203.0.113.9", "10.0.0.0/8") == "198.51.100.1"


def test_access_log_never_holds_a_token(app, caplog) -> None:  # type: ignore[no-untyped-def]
    token = app.state.web.links.make("van-phong-bo")
    logger = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, RedactTokens) for f in logger.filters)
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1", "GET", f"/u/{token}", "1.1", 200)
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1", "GET", "/calendar/abc.ics", "1.1", 200)
    text = caplog.text
    assert token not in text and "/u/***" in text and "abc" not in text


def test_no_formulas_from_data_in_written_workbooks(admin_client: TestClient) -> None:
    import openpyxl

    from engine.reports._xlsx import add_table, workbook_bytes

    workbook = openpyxl.Workbook()
    texts = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "an toàn"]
    add_table(workbook.active, ["Nội dung"], [40], [[t] for t in texts])
    data = workbook_bytes(workbook, date(2023, 7, 7), "thử")
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "HYPERLINK" in sheet_xml
    read = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [read.cell(row=i + 2, column=1) for i in range(len(texts))]
    assert [c.value for c in cells] == texts and {c.data_type for c in cells} == {"s"}
    assert all(c.quotePrefix for c in cells[:-1]) and not cells[-1].quotePrefix
    for path in ("/export.xlsx?as_of=2023-07-07", "/reports/monthly.xlsx?month=2023-06"):
        archive = zipfile.ZipFile(io.BytesIO(admin_client.get(path).content))
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode(), (path, name)
