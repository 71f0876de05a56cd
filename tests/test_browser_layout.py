"""Every page in Debian's Chromium at 1366×900 and at 390×844 (a phone), on the seed plans with
their real volume as of 22/01/2024: no page is wider than the window (tables scroll inside their
own box), and the main flows work on the phone. One server and one browser for the module."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from sqlmodel import Session, select

from engine.reports.excel import DONE_ON, STATUS
from engine.store.tables import CompletionRow
from tests.webutil import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    LiveServer,
    csrf_of,
    live_server,
    needs_chromium,
)

pytestmark = needs_chromium
AS_OF = "2024-01-22"
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
LONGEST_TASKS = (
    "ct-05-ttg/tasks/A15",
    "qd-149-btp/tasks/5",
    "qd-522-btp/tasks/16",
    "qd-910-btp/tasks/37",
)
EVIDENCE = "Bien-ban-nghiem-thu-he-thong-dinh-danh-va-xac-thuc-dien-tu-Van-phong-Bo-2024.pdf"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app as on 22/01/2024, with one evidence file sent by Văn phòng Bộ."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ENGINE_TODAY", AS_OF)
        with live_server(tmp_path_factory.mktemp("layout")) as running:
            _send_evidence(running)
            yield running


def _send_evidence(site: LiveServer) -> None:
    links = site.app.state.web.links
    token = links.make("van-phong-bo")
    csrf = links.csrf(links.read(token).link_id)
    with httpx.Client(base_url=site.base) as client:
        form = client.get(f"/u/{token}").text
        occurrence = form.split('name="occurrence" value="')[1].split('"')[0]
        sent = client.post(
            f"/u/{token}/done",
            data={"occurrence": occurrence, "csrf": csrf, "done_on": "19/01/2024"},
            files={"file": (EVIDENCE, b"%PDF-1.4 bien ban")},
        )
        assert sent.status_code == 303, sent.text


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _page(browser: Any, size: str, locale: str = "vi-VN") -> Any:
    width, height = SIZES[size]
    return browser.new_context(
        viewport={"width": width, "height": height}, locale=locale
    ).new_page()


def _sign_in(page: Any, site: LiveServer) -> None:
    page.goto(f"{site.base}/admin/login")
    page.fill('input[name="username"]', "vp")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button:has-text("Đăng nhập")')
    page.wait_for_url(f"{site.base}/")


def _overflow(page: Any) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return width - window


def _pages(site: LiveServer) -> dict[str, tuple[str, int]]:
    """Page name → (address, expected status): every page of the app, error pages included."""
    token = site.app.state.web.links.make("van-phong-bo")
    pages = {
        "tổng quan": (f"/?as_of={AS_OF}", 200),
        "tổng quan (cả cơ quan khác)": (f"/?as_of={AS_OF}&outside=1", 200),
        **{f"kế hoạch {p}": (f"/plans/{p}", 200) for p in site.app.state.web.catalog.plans},
        **{f"nhiệm vụ {t}": (f"/plans/{t}", 200) for t in LONGEST_TASKS},
        "đơn vị Văn phòng Bộ": ("/units/van-phong-bo", 200),
        "đơn vị Cục CNTT": ("/units/cuc-cntt", 200),
        "đường dẫn của đơn vị": (f"/u/{token}", 200),
        "đường dẫn, đã ghi nhận": (f"/u/{token}?ok=done", 200),
        "thư đã gửi": ("/notices", 200),
        "quản trị (tệp minh chứng)": ("/admin", 200),
        "nhập Excel": ("/admin/import", 200),
        "lỗi 404": ("/khong-co-trang-nay", 404),
        "lỗi kế hoạch không có": ("/plans/khong-co", 404),
        "lỗi nhiệm vụ không có": ("/plans/qd-522-btp/tasks/999", 404),
        "lỗi ngày không tồn tại": ("/?as_of=31/02/2023", 400),
        "lỗi đường dẫn giả": ("/u/gia-mao-" + "x" * 120, 403),
        "lỗi 405": ("/admin/logout", 405),
    }
    return pages


@pytest.mark.parametrize("size", SIZES)
def test_no_page_scrolls_sideways(site: LiveServer, browser: Any, size: str) -> None:
    stranger = _page(browser, size)  # not signed in: the login page
    stranger.goto(f"{site.base}/")
    assert stranger.url.startswith(f"{site.base}/admin/login")
    wider = {"đăng nhập": _overflow(stranger)}
    page = _page(browser, size)
    _sign_in(page, site)
    for name, (path, status) in _pages(site).items():
        response = page.goto(site.base + path)
        assert response.status == status, (name, response.status)
        assert response.headers["content-type"].startswith("text/html"), name
        wider[name] = _overflow(page)
    # A 422 is only reached by a POST: render the answer to a login without its fields.
    answer = page.request.post(f"{site.base}/admin/login", form={"next": "/"})
    assert answer.status == 422
    page.set_content(answer.text())
    wider["lỗi 422"] = _overflow(page)
    page.context.close()
    stranger.context.close()
    assert {name: px for name, px in wider.items() if px > 0} == {}
    assert len(wider) == len(_pages(site)) + 2


def test_import_preview_fits_a_phone(site: LiveServer, browser: Any, tmp_path: Path) -> None:
    page = _page(browser, "phone")
    _sign_in(page, site)
    exported = page.request.get(f"{site.base}/export.xlsx?plan=qd-522-btp&as_of={AS_OF}")
    book = openpyxl.load_workbook(io.BytesIO(exported.body()))
    sheet = book.worksheets[0]
    header = next(row for row in sheet.iter_rows() if any(c.value == STATUS for c in row))
    columns = {c.value: c.column for c in header}
    first = header[0].row + 1
    sheet.cell(first, columns[STATUS], "Đã hoàn thành")
    sheet.cell(first, columns[DONE_ON], "31/02/2023")
    path = tmp_path / "tinh-hinh-co-loi.xlsx"
    book.save(path)
    page.goto(f"{site.base}/admin/import")
    page.set_input_files('input[name="file"]', str(path))
    page.click('button:has-text("Xem trước")')
    page.wait_for_selector("text=Tệp còn lỗi nên chưa ghi gì")
    assert _overflow(page) <= 0
    page.context.close()


def test_officer_on_a_phone_filters_the_overview_and_opens_a_task(
    site: LiveServer, browser: Any
) -> None:
    page = _page(browser, "phone", locale="en-US")
    _sign_in(page, site)
    day = page.locator('input[name="as_of"]')
    assert day.input_value() == "22/01/2024" and day.get_attribute("type") == "text"
    day.fill("15/01/2024")
    page.click('button:has-text("Xem")')
    page.wait_for_url("**as_of=15%2F01%2F2024*")
    assert "ngày 15 tháng 01 năm 2024" in page.inner_text("h1")
    assert page.locator('input[name="as_of"]').input_value() == "15/01/2024"
    page.click("text=Xem cả các cơ quan khác")
    page.wait_for_url("**outside=1*")
    assert _overflow(page) <= 0
    task = page.locator('a[href*="/tasks/"]').first
    href = task.get_attribute("href")
    task.click()
    page.wait_for_url(f"**{href}")
    assert "nhiệm vụ" in page.inner_text("h1") and _overflow(page) <= 0
    page.context.close()


def test_unit_on_a_phone_records_a_completion_typed_dd_mm_yyyy_in_an_en_us_browser(
    site: LiveServer, browser: Any
) -> None:
    token = site.app.state.web.links.make("van-phong-bo")
    page = _page(browser, "phone", locale="en-US")
    assert page.evaluate("navigator.language") == "en-US"
    page.goto(f"{site.base}/u/{token}")
    form = page.locator('form:has(button:has-text("Báo cáo đã hoàn thành"))').first
    occurrence = form.locator('input[name="occurrence"]').get_attribute("value")
    day = form.locator('input[name="done_on"]')
    assert day.get_attribute("type") == "text" and day.get_attribute("placeholder") == "dd/mm/yyyy"
    assert day.input_value() == "22/01/2024"  # shown dd/mm/yyyy whatever the locale
    day.fill("01/22/2024")  # the US order is refused before sending...
    assert day.evaluate("input => input.checkValidity()") is False
    day.fill("31/02/2023")  # ...and a day that does not exist, by the server
    form.locator('button:has-text("Báo cáo đã hoàn thành")').click()
    assert "Ngày 31/02/2023 không tồn tại" in page.inner_text("#error")
    assert _overflow(page) <= 0
    page.click("#home")
    form = page.locator(f'form:has(input[name="occurrence"][value="{occurrence}"])')
    form.locator('input[name="done_on"]').fill("8/1/2024")
    form.locator('input[name="evidence"]').fill("Công văn số 15/VP-TH")
    form.locator('button:has-text("Báo cáo đã hoàn thành")').click()
    page.wait_for_selector("#ok")
    assert "Đã ghi nhận" in page.inner_text("#ok") and _overflow(page) <= 0
    assert page.locator(f'input[name="occurrence"][value="{occurrence}"]').count() == 0
    officer = _page(browser, "phone")
    _sign_in(officer, site)
    officer.goto(site.base + _task_of_completion(site, "Công văn số 15/VP-TH"))
    history = officer.locator("table", has_text="Công văn số 15/VP-TH").inner_text()
    assert "Hoàn thành" in history and "08/01/2024" in history
    officer.context.close()
    page.context.close()


def _task_of_completion(site: LiveServer, evidence: str) -> str:
    """The task page of the completion recorded with ``evidence``."""
    with Session(site.engine) as session:
        row = session.execute(
            select(CompletionRow).where(CompletionRow.evidence == evidence)
        ).scalar_one()
    return f"/plans/{row.plan}/tasks/{row.task}"


def test_admin_on_a_phone_records_an_event(site: LiveServer, browser: Any) -> None:
    page = _page(browser, "phone", locale="en-US")
    _sign_in(page, site)
    page.goto(f"{site.base}/plans/qd-149-btp/tasks/26")
    form = page.locator('form[action="/admin/record"]')
    form.locator('select[name="action"]').select_option("event")
    form.locator('input[name="on"]').fill("18/01/2024")
    form.locator('input[name="due"]').fill("29/02/2024")
    form.locator('input[name="key"]').fill("HD-VPCP-01")
    form.locator('input[name="reason"]').fill("Văn phòng Chính phủ có hướng dẫn")
    assert _overflow(page) <= 0
    form.locator('button:has-text("Ghi nhận")').click()
    page.wait_for_url(f"{site.base}/plans/qd-149-btp/tasks/26")
    history = page.locator("table", has_text="HD-VPCP-01").inner_text()
    assert "Sự kiện" in history and "18/01/2024" in history
    assert csrf_of(page.content()) and _overflow(page) <= 0
    page.context.close()
