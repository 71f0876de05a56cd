"""The iCalendar feed: one event per unit and due day, alarms, links, window, stable UIDs."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from engine.catalog.model import Catalog
from engine.progress import Progress
from engine.reports.ics import calendar_feed
from engine.status import Occurrence, evaluate
from tests.reportdata import (
    AS_OF,
    HTQTCT,
    KEY_4,
    PROGRESS,
    by_key,
)


@pytest.fixture(scope="module")
def occurrences(catalog: Catalog) -> list[Occurrence]:
    return evaluate(catalog, PROGRESS, AS_OF)


NOW = datetime(2023, 7, 20, 2, 30, tzinfo=UTC)  # 09:30 on 20/07/2023 in Hà Nội
BASE = "https://dean06.btp.example"
FEED = "unit:cuc-htqtct"


def feed_of(catalog: Catalog, occurrences: list[Occurrence], **kwargs: Any) -> bytes:
    arguments: dict[str, Any] = {"feed": FEED, "now": NOW, "base_url": BASE, **kwargs}
    return calendar_feed(catalog, occurrences, "Đề án 06 — Bộ Tư pháp", **arguments)


def test_calendar_feed_one_event_per_unit_and_day(
    catalog: Catalog, occurrences: list[Occurrence]
) -> None:
    first = feed_of(catalog, occurrences)
    assert first == feed_of(catalog, occurrences)  # same data and time → same bytes
    calendar = Calendar.from_ical(first)
    assert str(calendar["X-WR-CALNAME"]) == "Đề án 06 — Bộ Tư pháp"
    events = calendar.walk("VEVENT")
    lo, hi = date(2023, 4, 20), date(2024, 7, 20)  # 3 months back, 12 months ahead
    groups: dict[tuple[date, str], set[str]] = {}
    for occ in occurrences:
        if occ.due is not None and lo <= occ.due <= hi:
            groups.setdefault((occ.due, occ.unit), set()).add(occ.key)
    assert len(events) == len(groups)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert all(re.fullmatch(r"[A-Za-z0-9._~%-]+@dean06\.btp\.example", u) for u in uids)
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date and end == start + timedelta(days=1)
        assert lo <= start <= hi
        assert event.decoded("DTSTAMP") == NOW  # the generation time, in UTC
        assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    assert first.count(b"DTSTAMP:20230720T023000Z") == len(events)
    assert first.count(b"DTSTART;VALUE=DATE:") == len(events)
    # RFC 5545 lines: CRLF ends, none longer than 75 octets
    lines = first.split(b"\r\n")
    assert b"\n" not in first.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75

    by_uid = {str(e["UID"]): e for e in events}
    event = by_uid["unit%3Acuc-htqtct%2Fcuc-htqtct%2F2023-06-30@dean06.btp.example"]
    keys = groups[(date(2023, 6, 30), "cuc-htqtct")]
    assert KEY_4 in keys
    summary = str(event["SUMMARY"])
    if len(keys) == 1:
        assert summary.startswith("[522/QĐ-BTP] Nhiệm vụ 4: Khẩn trương thực hiện")
    else:
        assert f"{len(keys)} nhiệm vụ đến hạn" in summary
    description = str(event["DESCRIPTION"])
    for text in (
        f"Đơn vị chủ trì: {HTQTCT}",
        "Hạn: 30/06/2023",
        "[522/QĐ-BTP] Nhiệm vụ 4 — ",
        "Thời hạn: Tháng 6/2023",
        "Tình trạng: Đang thực hiện, quá hạn",
        f"{BASE}/plans/qd-522-btp/tasks/4",
    ):
        assert text in description
    assert description.count("Tình trạng: ") == len(keys)
    assert str(event["URL"]).startswith(f"{BASE}/")
    # alarms at 09:00 seven days and one day before the due day
    triggers = sorted(a.decoded("TRIGGER") for a in event.walk("VALARM"))
    assert triggers == [timedelta(days=-6, hours=-15), timedelta(hours=-15)]
    assert all(str(a["ACTION"]) == "DISPLAY" for a in event.walk("VALARM"))


def test_calendar_feed_a_single_task_links_to_its_page_and_done_days_ring_no_alarm(
    catalog: Catalog, occurrences: list[Occurrence]
) -> None:
    done = by_key(occurrences, "qd-522-btp/1/cuc-cntt/2023-03")
    assert done.status.label == "Đã hoàn thành quá hạn" and done.due is not None
    calendar = Calendar.from_ical(
        feed_of(catalog, [done], feed="plan:qd-522-btp", now=datetime(2023, 5, 1, tzinfo=UTC))
    )
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("[522/QĐ-BTP] Nhiệm vụ 1: ")
    assert str(event["URL"]) == f"{BASE}/plans/qd-522-btp/tasks/1"
    assert "Tình trạng: Đã hoàn thành quá hạn" in str(event["DESCRIPTION"])
    assert "Ngày hoàn thành: 20/04/2023" in str(event["DESCRIPTION"])
    assert event.walk("VALARM") == []  # nothing left to do that day
    assert str(event["UID"]).startswith("plan%3Aqd-522-btp%2Fcuc-cntt%2F")


def test_calendar_feed_window_and_stable_uids(
    catalog: Catalog, occurrences: list[Occurrence]
) -> None:
    events = Calendar.from_ical(feed_of(catalog, occurrences)).walk("VEVENT")
    narrow = Calendar.from_ical(feed_of(catalog, occurrences, months_back=0, months_ahead=1))
    starts = [e.decoded("DTSTART") for e in narrow.walk("VEVENT")]
    assert starts and all(date(2023, 7, 20) <= d <= date(2023, 8, 20) for d in starts)
    # a month later the same unit and day keep the same UID (calendars update, not duplicate)
    later_now = datetime(2023, 8, 21, 2, tzinfo=UTC)
    later = Calendar.from_ical(
        feed_of(catalog, evaluate(catalog, PROGRESS, date(2023, 8, 21)), now=later_now)
    ).walk("VEVENT")
    later_by_day = {(e.decoded("DTSTART"), str(e["UID"])) for e in later}
    kept = [
        (e.decoded("DTSTART"), str(e["UID"]))
        for e in events
        if e.decoded("DTSTART") >= date(2023, 5, 21)
    ]
    assert kept and set(kept) <= later_by_day


def test_calendar_feed_of_the_522_plan_stays_small(catalog: Catalog) -> None:
    """The 522 plan's feed on a busy day: one event per unit and day, bounded in size."""
    day = date(2024, 1, 22)
    rows = [o for o in evaluate(catalog, Progress(), day) if o.plan == "qd-522-btp"]
    now = datetime(2024, 1, 22, 2, tzinfo=UTC)
    data = feed_of(catalog, rows, feed="plan:qd-522-btp", now=now)
    events = Calendar.from_ical(data).walk("VEVENT")
    per_day: dict[date, int] = {}
    for event in events:
        per_day[event.decoded("DTSTART")] = per_day.get(event.decoded("DTSTART"), 0) + 1
    units = {o.unit for o in rows}
    assert max(per_day.values()) <= len(units)
    assert len(data) < 400_000


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_calendar_feed_one_event_per_unit_and_day_for_any_subset(
    catalog: Catalog, occurrences: list[Occurrence], data: st.DataObject
) -> None:
    dated = [o for o in occurrences if o.due is not None]
    picked = data.draw(st.lists(st.sampled_from(dated), max_size=40))
    events = Calendar.from_ical(feed_of(catalog, picked, months_back=120, months_ahead=120))
    found = [
        (e.decoded("DTSTART"), str(e["UID"]), str(e["DESCRIPTION"]).count("Tình trạng: "))
        for e in events.walk("VEVENT")
    ]
    groups: dict[tuple[date, str], set[str]] = {}
    for occ in picked:
        assert occ.due is not None
        groups.setdefault((occ.due, occ.unit), set()).add(occ.key)
    assert len(found) == len(groups) == len({uid for _, uid, _ in found})
    assert sorted(count for _, _, count in found) == sorted(len(keys) for keys in groups.values())
