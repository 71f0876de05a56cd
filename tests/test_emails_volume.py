"""Emails at real volume (issue 11): the heaviest seed days' digests, subjects, links, footer."""

from __future__ import annotations

import re
from datetime import date
from email import message_from_bytes
from email.utils import parsedate_to_datetime
from itertools import groupby

import pytest

from engine.emails import EmailRenderer, MailContext
from engine.followup import notices_for_day
from engine.mime import composer
from engine.notices import ADMINS
from engine.progress import Progress
from engine.runner import make_matcher
from engine.store.outbox import Rendered
from tests.conftest import RULES

BASE = "https://theodoi.example"
LINKS = MailContext(
    BASE, lambda unit: f"{BASE}/u/SIGNED-{unit}", "vp@btp.example", "Ông A", "024 1"
)


@pytest.fixture(scope="module")
def emails(catalog) -> dict[tuple[date, str], Rendered]:  # type: ignore[no-untyped-def]
    """Every email of two of the heaviest seed days, as a first run (no history) sends them."""
    renderer = EmailRenderer(catalog, RULES.parent / "notifications", LINKS)
    matcher = make_matcher(catalog, "python")
    out = {}
    for day in (date(2024, 1, 15), date(2024, 1, 22)):
        notices = notices_for_day(catalog, Progress(), day, matcher, {}, [])
        for recipient, group in groupby(notices, key=lambda n: n.recipient):
            out[(day, recipient)] = renderer(recipient, list(group))
    return out


def test_the_heaviest_digests_stay_under_150_kb(emails) -> None:  # type: ignore[no-untyped-def]
    compose = composer("Văn phòng Bộ <vp@btp.example>", LINKS.reply_to)
    for (day, recipient), rendered in emails.items():
        size = len(compose("<m@x>", ["a@x"], rendered, ["k"]))
        assert size <= 150 * 1024, (day, recipient, size)


def test_a_digest_opens_with_its_summary(emails) -> None:  # type: ignore[no-untyped-def]
    html = emails[(date(2024, 1, 22), "van-phong-bo")].html
    summary = html.index('id="tom-tat"')
    assert summary < html.index("BÁO CÁO CÁC NHIỆM VỤ QUÁ HẠN TỪ 5 NGÀY LÀM VIỆC")
    assert "Theo đơn vị:" in html[summary:] and "Kế hoạch:" in html[summary:]
    assert "Xem đầy đủ trên trang theo dõi" in html  # the rest is on the dashboard
    assert f'href="{BASE}/?status=overdue"' in html


def test_at_most_30_items_per_section(emails) -> None:  # type: ignore[no-untyped-def]
    for rendered in emails.values():
        for section in rendered.html.split(
            '<hr style="border:0;border-top:1px solid #c8c8c8;margin:20px 0;">'
        ):
            assert section.count("Nhiệm vụ ") - section.count("Nhiệm vụ</") <= 60


def test_each_item_links_right_for_its_recipient(emails) -> None:  # type: ignore[no-untyped-def]
    for (_, recipient), rendered in emails.items():
        signed = set(re.findall(r"/u/SIGNED-([\w-]+)", rendered.html + rendered.text))
        if recipient in ("van-phong-bo", "lanh-dao-bo", ADMINS):
            assert signed <= {recipient} - {ADMINS}
        else:
            assert signed <= {recipient}
        # a card whose unit is not the recipient never carries the recipient's signed link
        for card in rendered.html.split("border-left:4px solid")[1:]:
            if f"/u/SIGNED-{recipient}" in card:
                assert "Cập nhật tiến độ" in card
    html = emails[(date(2024, 1, 22), "lanh-dao-bo")].html
    assert "/u/SIGNED" not in html and f"{BASE}/plans/" in html and "Xem nhiệm vụ" in html


def test_subjects_name_the_most_urgent_notice_and_the_counts(emails) -> None:  # type: ignore[no-untyped-def]
    for rendered in emails.values():
        assert not re.search(r"\d[^\W\d_]", rendered.subject.replace("ngày", " ")), rendered.subject
        assert "(và " not in rendered.subject
    subject = emails[(date(2024, 1, 22), "van-phong-bo")].subject
    assert subject.startswith("[Đề án 06] Chưa ghi nhận báo cáo định kỳ")
    assert re.search(
        r"kèm \d+ nhiệm vụ quá hạn từ 5 ngày làm việc, \d+ nhiệm vụ chưa cập nhật", subject
    )


def test_plans_are_named_once_by_their_long_title(emails) -> None:  # type: ignore[no-untyped-def]
    html = emails[(date(2024, 1, 22), "van-phong-bo")].html
    assert "KẾ HOẠCH TRIỂN KHAI THỰC HIỆN CHỈ THỊ" not in html
    assert html.count("Kế hoạch triển khai thực hiện chỉ thị số 05/CT-TTG") == 1


def test_data_quality_advice_goes_to_admins_only(emails) -> None:  # type: ignore[no-untyped-def]
    day = date(2024, 1, 22)
    assert "engine check" in emails[(day, ADMINS)].html
    for (_, recipient), rendered in emails.items():
        if recipient != ADMINS:
            for body in (rendered.html, rendered.text):
                assert "engine check" not in body and "rules/" not in body, recipient


def test_phone_friendly_html(emails) -> None:  # type: ignore[no-untyped-def]
    for rendered in emails.values():
        assert "max-width:600px" in rendered.html and 'width="800"' not in rendered.html
        assert not re.search(r">\s*https?://", rendered.html)  # buttons, not raw addresses
        assert rendered.html.count("<th ") <= 4  # no wide tables: items are cards


def test_headers_and_footer(emails) -> None:  # type: ignore[no-untyped-def]
    rendered = emails[(date(2024, 1, 22), "cuc-cntt")]
    raw = composer("Văn phòng Bộ <vp@btp.example>", LINKS.reply_to)(
        "<m@x>", ["a@x"], rendered, ["k"]
    )
    message = message_from_bytes(raw)
    assert parsedate_to_datetime(message["Date"]).utcoffset().total_seconds() == 7 * 3600
    assert message.get_all("Auto-Submitted") == ["auto-generated"]
    assert message["Reply-To"] == "vp@btp.example"
    assert "Đầu mối liên hệ: Ông A, điện thoại 024 1." in rendered.text
    assert "thư trả lời được chuyển tới vp@btp.example" in rendered.html
