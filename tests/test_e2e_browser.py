"""End to end in a real headless Chromium (Debian's, driven by Playwright): an officer opens the
dashboard, a unit follows the signed link of its reminder email, reports a task done, and the
dashboard counts it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.store import outbox
from tests.webutil import CHROMIUM, CHROMIUM_ARGS, PASSWORD, live_server, needs_chromium

pytestmark = needs_chromium


@pytest.fixture
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    with live_server(tmp_path) as running:
        yield running.base, running.engine, tmp_path


def _done_total(page) -> int:  # type: ignore[no-untyped-def]
    """Văn phòng Bộ's done obligations in the overview's unit table (plan rows count tasks:
    one of several obligations done need not finish its task)."""
    row = page.locator('#by-unit tr[data-unit="van-phong-bo"]')
    return int(row.locator('[data-category="done_on_time"]').inner_text()) + int(
        row.locator('[data-category="done_late"]').inner_text()
    )


def test_follow_a_reminder_link_report_done_and_see_it_counted(server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    base, engine, folder = server
    email = next(m for m in outbox.messages(engine) if m.recipient == "van-phong-bo")
    link = re.search(rf"{re.escape(base)}/u/[A-Za-z0-9_.\-]+", email.body_text)
    assert link, "the reminder email carries a signed link"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{base}/")
        page.fill('input[name="username"]', "vp")
        page.fill('input[name="password"]', PASSWORD)
        page.click('button:has-text("Đăng nhập")')
        page.wait_for_url(f"{base}/")
        assert "Tình hình thực hiện đến" in page.inner_text("h1")
        before = _done_total(page)
        page.screenshot(path=str(folder / "dashboard.png"), full_page=False)

        unit_page = browser.new_page()  # the unit has no account: only the link
        unit_page.goto(link[0])
        assert "Văn phòng Bộ — báo cáo tiến độ" in unit_page.inner_text("h1")
        form = unit_page.locator('form:has(button:has-text("Báo cáo đã hoàn thành"))').first
        form.locator('input[name="evidence"]').fill("Công văn số 15/VP-TH")
        form.locator('button:has-text("Báo cáo đã hoàn thành")').click()
        unit_page.wait_for_selector("#ok")
        assert "Đã ghi nhận" in unit_page.inner_text("#ok")
        unit_page.screenshot(path=str(folder / "unit-form.png"))

        page.reload()
        assert _done_total(page) == before + 1
        browser.close()


def test_open_a_sent_email_and_filter_the_overview(server) -> None:  # type: ignore[no-untyped-def]
    """An officer filters the overview by words without diacritics, then opens an email of the
    outbox and reads it as sent, in a sandboxed frame (the page's CSP allows it)."""
    from playwright.sync_api import sync_playwright

    base, _engine, folder = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{base}/admin/login")
        page.fill('input[name="username"]', "vp")
        page.fill('input[name="password"]', PASSWORD)
        page.click('button:has-text("Đăng nhập")')
        page.wait_for_url(f"{base}/")
        page.fill('form.filters input[name="q"]', "bao cao")
        page.select_option('form.filters select[name="status"]', "")
        page.click('form.filters button:has-text("Xem")')
        page.wait_for_url(re.compile(r".*q=bao\+cao.*"))
        assert "Hiển thị 1–" in page.inner_text("nav.pager")
        assert "báo cáo" in page.inner_text("table.occurrences").lower()

        page.goto(f"{base}/notices")
        page.locator("#messages a").first.click()
        page.wait_for_selector("#envelope")
        frame = page.frame_locator("#body-html")
        assert "Kính gửi" in frame.locator("body").inner_text()
        page.screenshot(path=str(folder / "notice.png"))
        browser.close()
