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
