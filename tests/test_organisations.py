"""Plans of several organisations in one deployment: who hears about what (issue 8, point 10)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.catalog.loader import load_catalog
from engine.catalog.model import Catalog
from engine.escalation.matcher import PythonMatcher
from engine.followup import simulate
from engine.notices import Notice
from engine.progress import Progress

PROVINCE_UNITS = """
  - name: "Ủy ban nhân dân tỉnh Ninh Bình"
    aliases: ["UBND tỉnh Ninh Bình"]
    coordinating_office: vp-ubnd-ninh-binh
    leadership: lanh-dao-ubnd-ninh-binh
"""

PROVINCE_REGISTRY = """
  - id: vp-ubnd-ninh-binh
    name: "Văn phòng UBND tỉnh Ninh Bình"
    organisation: "Ủy ban nhân dân tỉnh Ninh Bình"
    role: coordinating_office
    emails: ["vanphong@ninhbinh.example"]
  - id: lanh-dao-ubnd-ninh-binh
    name: "Lãnh đạo UBND tỉnh Ninh Bình"
    organisation: "Ủy ban nhân dân tỉnh Ninh Bình"
    role: leadership
    emails: ["lanhdao@ninhbinh.example"]
  - id: so-tu-phap-ninh-binh
    name: "Sở Tư pháp tỉnh Ninh Bình"
    organisation: "Ủy ban nhân dân tỉnh Ninh Bình"
    emails: ["stp@ninhbinh.example"]
  - id: cong-an-ninh-binh
    name: "Công an tỉnh Ninh Bình"
    organisation: "Bộ Công an"
    role: external
    emails: ["ca@ninhbinh.example"]
"""

PROVINCE_PLAN = """plan:
  id: kh-130-ubnd
  number: "130/KH-UBND"
  title: "Kế hoạch triển khai Đề án 06 trên địa bàn tỉnh năm 2025"
  issuer: "Ủy ban nhân dân tỉnh Ninh Bình"
  signed: 2025-03-10
  horizon: {text: "năm 2025", start: 2025-03-10, end: 2025-12-31}
  coordinating_unit: "Văn phòng UBND tỉnh Ninh Bình"
tasks:
  - id: "1"
    section: "I. NHIỆM VỤ"
    content: "Số hóa sổ hộ tịch"
    lead: ["Sở Tư pháp tỉnh Ninh Bình"]
    deadline: "Tháng 4/2025"
  - id: "2"
    section: "I. NHIỆM VỤ"
    content: "Làm sạch dữ liệu dân cư"
    lead: ["Công an tỉnh Ninh Bình"]
    deadline: "Tháng 4/2025"
"""


@pytest.fixture
def two_organisations(rules_copy: Path) -> Catalog:
    """The shipped rules plus a province's plan, its own units, office and leadership."""
    units = rules_copy / "rules" / "units.yaml"
    text = units.read_text(encoding="utf-8")
    text = text.replace("organisations:\n", "organisations:\n" + PROVINCE_UNITS.lstrip("\n"), 1)
    text = text.replace("units:\n", "units:\n" + PROVINCE_REGISTRY.lstrip("\n"), 1)
    units.write_text(text, encoding="utf-8")
    (rules_copy / "rules" / "plans" / "kh-130-ubnd.yaml").write_text(
        PROVINCE_PLAN, encoding="utf-8"
    )
    return load_catalog(rules_copy / "rules", rules_copy / "schedules")


def _who_hears(notices: list[Notice], plan: str) -> dict[str, set[str]]:
    """recipient → the templates it got about ``plan``'s obligations."""
    out: dict[str, set[str]] = {}
    for notice in notices:
        if any(item.fact.fields["plan"] == plan for item in notice.items):
            out.setdefault(notice.recipient, set()).add(notice.template)
    return out


def test_a_province_plan_escalates_to_the_province_never_to_the_ministry(two_organisations) -> None:  # type: ignore[no-untyped-def]
    catalog = two_organisations
    matcher = PythonMatcher(catalog.escalation.rules)
    notices = simulate(catalog, Progress(), date(2025, 4, 1), date(2025, 6, 30), matcher)
    heard = _who_hears(notices, "kh-130-ubnd")
    assert (
        "reminder" in heard["so-tu-phap-ninh-binh"] and "overdue" in heard["so-tu-phap-ninh-binh"]
    )
    assert "escalation_digest" in heard["vp-ubnd-ninh-binh"]
    assert "leadership" in heard["lanh-dao-ubnd-ninh-binh"]
    assert not {"van-phong-bo", "lanh-dao-bo", "cong-an-ninh-binh"} & set(heard)
    # the ministry's own plans still escalate inside the ministry, and only there
    ministry = _who_hears(notices, "qd-910-btp")
    assert "van-phong-bo" in ministry
    assert not {"vp-ubnd-ninh-binh", "lanh-dao-ubnd-ninh-binh"} & set(ministry)


def test_bodies_outside_every_followed_organisation_are_tracked_but_never_emailed(
    two_organisations,
) -> None:  # type: ignore[no-untyped-def]
    catalog = two_organisations
    matcher = PythonMatcher(catalog.escalation.rules)
    notices = simulate(catalog, Progress(), date(2023, 6, 1), date(2023, 7, 31), matcher)
    outside = {u.id for u in catalog.units.values() if not catalog.followed(u.id)}
    assert "bo-cong-an" in outside and "cong-an-ninh-binh" in outside
    assert not {n.recipient for n in notices} & outside
    for notice in notices:  # the offices' digests hold no outside body's obligations
        if notice.recipient in ("van-phong-bo", "lanh-dao-bo"):
            assert all(item.fact.fields["followed"] for item in notice.items)


def test_a_ministry_unit_leading_a_row_of_an_outside_plan_reports_in_its_ministry(catalog) -> None:  # type: ignore[no-untyped-def]
    """05/CT-TTg (Thủ tướng Chính phủ, not followed): Bộ Tư pháp's rows escalate to its office."""
    directive = catalog.plans["ct-05-ttg"]
    assert catalog.organisation(directive.organisation) is None
    org = catalog.escalates_to(directive, "bo-tu-phap")
    assert org is not None and org.coordinating_office == "van-phong-bo"
    assert catalog.escalates_to(directive, "bo-cong-an") is None


def test_the_overview_lists_outside_bodies_only_when_asked(admin_client) -> None:  # type: ignore[no-untyped-def]
    # The list is paginated: ask for the outside body's rows (as an officer filtering by unit).
    followed = admin_client.get("/?as_of=2023-07-10&unit=bo-cong-an").text
    everyone = admin_client.get("/?as_of=2023-07-10&unit=bo-cong-an&outside=1").text

    def overdue_list(page: str) -> str:
        # The overview's list (overdue by default) runs from its heading to the next one.
        return page.split('<h2 id="list">', 1)[1].split("<h2>", 1)[0]

    assert 'href="/units/bo-cong-an"' not in overdue_list(followed)
    assert 'href="/units/bo-cong-an"' in overdue_list(everyone)
