"""The admin, import and file pages show labels, names and dd/mm/yyyy, never stored codes
(engine.web.labels)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from engine import clock
from engine.catalog.model import Catalog
from engine.store.database import record
from engine.store.tables import DayRun
from engine.web import labels, views
from tests.webutil import TestClient, login


def test_milestones_occurrences_details_and_times_for_people(catalog: Catalog) -> None:
    assert labels.milestone_text("2023-06") == "tháng 6/2023"
    assert labels.milestone_text("2023-Q3-Q4") == "quý III-IV/2023"
    assert labels.milestone_text("event:HD-01") == "sự kiện HD-01"
    assert labels.milestone_text("request:2024-01-18") == "yêu cầu 2024-01-18"
    assert labels.milestone_text("Hộ tịch") == "Hộ tịch" and labels.milestone_text("-") == ""
    assert (
        labels.occurrence_text(catalog, "qd-522-btp/16/van-phong-bo/2023-06")
        == "522/QĐ-BTP, nhiệm vụ 16, tháng 6/2023"
    )
    assert labels.plan_number(catalog, None) == "tất cả"
    assert labels.unit_name(catalog, "van-phong-bo") == "Văn phòng Bộ"
    detail = "2024-01-19 | Công văn số 15/VP-TH |  | 0123456789abcdef0123456789abcdef"
    assert labels.submission_detail(detail) == "19/01/2024 · Công văn số 15/VP-TH"
    assert labels.vn_datetime(datetime(2024, 1, 21, 20, 5)) == "22/01/2024 03:05"  # naive: UTC
    assert labels.vn_datetime(datetime(2024, 1, 21, 20, 5, tzinfo=UTC)) == "22/01/2024 03:05"


def test_admin_page_shows_labels_not_codes(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    engine = app.state.web.engine
    record(
        engine,
        DayRun(
            day=date(2024, 1, 22),
            mode="catch-up",
            started_at=datetime(2024, 1, 22, 1, 0, tzinfo=UTC),
            finished_at=datetime(2024, 1, 22, 1, 2, tzinfo=UTC),
        ),
    )
    token = app.state.web.links.make("van-phong-bo")
    form = client.get(f"/u/{token}").text
    csrf = form.split('name="csrf" value="')[-1].split('"')[0]
    today = clock.today()
    target = next(
        o
        for o in views.open_for_unit(app.state.web.occurrences(today), "van-phong-bo", today)[0]
        if o.kind == "deliverable" and o.due
    )
    later = date(today.year + 1, 12, 31)
    asked = client.post(
        f"/u/{token}/extension",
        data={
            "occurrence": target.key,
            "csrf": csrf,
            "reason": "Chờ ý kiến Bộ Công an",
            "requested_due": f"{later:%d/%m/%Y}",
        },
        follow_redirects=False,
    )
    assert asked.status_code == 303
    login(client)
    page = client.get("/admin").text
    assert "chạy bù ngày bị lỡ" in page and "22/01/2024 08:00" in page  # 01:00 UTC
    assert "đang chờ xử lý" in page and "đề nghị gia hạn" in page
    assert f"nhiệm vụ {target.task}" in page and f"{later:%d/%m/%Y}" in page
    for code in (">pending<", ">catch-up<", ">extension<", ">van-phong-bo<", target.key):
        assert code not in page, code
    assert not re.search(r">\d{4}-\d{2}-\d{2}", page)  # no ISO date shown
