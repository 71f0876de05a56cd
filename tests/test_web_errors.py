"""Error answers are Vietnamese HTML pages for browsers (engine.web.errors), JSON only for
programs; forms and queries read dates typed dd/mm/yyyy (engine.dates)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import FastAPI
from freezegun import freeze_time
from sqlmodel import Session, select

from engine import clock
from engine.render import vn_date
from engine.store.tables import CompletionRow, SilenceRow
from engine.web import views
from tests.webutil import TestClient, csrf_of

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _error_page(response, status: int, *expected: str) -> str:  # type: ignore[no-untyped-def]
    """Assert an HTML error page in Vietnamese with ``expected`` texts; return its text."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    text = response.text
    assert '<html lang="vi">' in text and f'data-status="{status}"' in text
    assert '{"detail"' not in text and "Cách xử lý:" in text
    for part in expected:
        assert part in text, (part, text)
    return text


def test_unknown_pages_plans_tasks_and_units(admin_client: TestClient) -> None:
    nowhere = _error_page(
        admin_client.get("/khong-co-trang-nay", headers=BROWSER), 404, "Không tìm thấy trang"
    )
    assert '<a href="/" id="home">Về trang chủ</a>' in nowhere and "Not Found" not in nowhere
    _error_page(admin_client.get("/plans/khong-co"), 404, "Không có kế hoạch này")
    _error_page(admin_client.get("/plans/qd-522-btp/tasks/999"), 404, "Không có nhiệm vụ này")
    _error_page(admin_client.get("/units/khong-co"), 404, "Không có đơn vị này")


def test_bad_dates_in_the_query(admin_client: TestClient) -> None:
    _error_page(admin_client.get("/?as_of=31/02/2023"), 400, "Ngày 31/02/2023 không tồn tại")
    _error_page(admin_client.get("/?as_of=hom-nay"), 400, "dd/mm/yyyy", "Về trang chủ")
    typed = admin_client.get("/?as_of=22/01/2024")
    assert typed.status_code == 200 and "ngày 22 tháng 01 năm 2024" in typed.text
    assert 'value="22/01/2024"' in typed.text and 'type="date"' not in typed.text
    assert admin_client.get("/?as_of=2024-01-22").text == typed.text  # links keep ISO


def test_wrong_method_and_missing_fields(client: TestClient) -> None:
    _error_page(client.get("/admin/logout"), 405, "Trang này không nhận thao tác này")
    missing = _error_page(
        client.post("/admin/login", data={}),
        422,
        "Thiếu hoặc sai thông tin",
        "Tên đăng nhập: chưa điền",
        "Mật khẩu: chưa điền",
    )
    assert "username" not in missing and "Field required" not in missing


def test_bad_forged_and_expired_unit_links(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    links = app.state.web.links
    forged = _error_page(
        client.get("/u/gia-mao"), 403, "Đường dẫn báo cáo không dùng được", "thư nhắc mới nhất"
    )
    assert 'id="home"' not in forged
    with freeze_time(date.today() - timedelta(days=40)):
        old = links.make("van-phong-bo")
    _error_page(client.get(f"/u/{old}"), 403, "hết hạn", "liên hệ Văn phòng Bộ")
    # refused by the guard before the body is read: the same page
    _error_page(client.post(f"/u/{old}/done", data={"csrf": "x"}), 403, "hết hạn")
    token = links.make("van-phong-bo")
    incomplete = _error_page(
        client.post(f"/u/{token}/done", data={"csrf": "x"}),
        422,
        "Ngày hoàn thành / cập nhật: chưa điền",
    )
    assert f'href="/u/{token}" id="home">Quay lại biểu mẫu báo cáo' in incomplete


def test_too_big_and_unexpected_errors(app: FastAPI, client: TestClient) -> None:
    big = client.post(
        "/admin/login", content=b"x" * (300 * 1024), headers={"Content-Type": "text/plain"}
    )
    _error_page(big, 413, "Dữ liệu gửi lên quá lớn")

    def broken() -> None:
        raise RuntimeError("chi tiết nội bộ không được lộ ra")

    app.add_api_route("/hong", broken)
    crashed = TestClient(app, raise_server_exceptions=False).get("/hong")
    text = _error_page(crashed, 500, "Hệ thống gặp lỗi", "Thử lại sau ít phút")
    assert "chi tiết nội bộ" not in text and "RuntimeError" not in text
    assert "frame-ancestors 'none'" in crashed.headers["content-security-policy"]


def test_programs_asking_for_json_get_json(admin_client: TestClient) -> None:
    json_only = {"Accept": "application/json"}
    plan = admin_client.get("/plans/khong-co", headers=json_only)
    assert plan.status_code == 404 and plan.json() == {"detail": "Không có kế hoạch này"}
    invalid = admin_client.post("/admin/login", data={}, headers=json_only)
    assert invalid.status_code == 422
    assert {e["loc"][-1] for e in invalid.json()["detail"]} >= {"username", "password"}


def test_unit_form_reads_and_shows_dd_mm_yyyy(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    token = app.state.web.links.make("van-phong-bo")
    form = client.get(f"/u/{token}").text
    today = clock.today()
    assert f'name="done_on" value="{vn_date(today)}" inputmode="numeric"' in form
    assert 'placeholder="dd/mm/yyyy"' in form and 'type="date"' not in form
    csrf = form.split('name="csrf" value="')[-1].split('"')[0]
    target = next(
        o
        for o in views.open_for_unit(app.state.web.occurrences(today), "van-phong-bo", today)[0]
        if o.kind == "deliverable"
    )
    sent = {"occurrence": target.key, "csrf": csrf}
    impossible = client.post(f"/u/{token}/done", data={**sent, "done_on": "31/02/2023"})
    _error_page(impossible, 400, "Ngày 31/02/2023 không tồn tại", "Quay lại biểu mẫu báo cáo")
    typed = f"{today.day}/{today.month}/{today.year}"  # d/m/yyyy, no leading zeros
    done = client.post(f"/u/{token}/done", data={**sent, "done_on": typed}, follow_redirects=False)
    assert done.status_code == 303
    with Session(app.state.web.engine) as session:
        assert session.execute(select(CompletionRow.done_on)).scalar_one() == today


def test_admin_form_reads_dd_mm_yyyy(app, admin_client: TestClient) -> None:  # type: ignore[no-untyped-def]
    task = admin_client.get("/plans/qd-522-btp/tasks/1").text
    assert 'name="until" value="" inputmode="numeric"' in task and 'type="date"' not in task
    data = {
        "csrf": csrf_of(task),
        "action": "silence",
        "plan": "qd-522-btp",
        "task": "1",
        "reason": "Đang chờ ý kiến Lãnh đạo Bộ",
        "until": "31/12/2030",
    }
    saved = admin_client.post("/admin/record", data=data, follow_redirects=False)
    assert saved.status_code == 303
    with Session(app.state.web.engine) as session:
        assert session.execute(select(SilenceRow.until)).scalar_one() == date(2030, 12, 31)
    wrong = admin_client.post("/admin/record", data={**data, "until": "29/02/2031"})
    _error_page(wrong, 400, "Ngày 29/02/2031 không tồn tại")
