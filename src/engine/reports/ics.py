"""Deadlines as an iCalendar feed, to subscribe to in Outlook, Google Calendar or a phone.

Rules:

* One all-day ``VEVENT`` per occurrence that has a due date (undated obligations are left
  out): ``DTSTART;VALUE=DATE`` is the due date (after the working-day roll and any extension),
  ``DTEND`` the day after. Done, reported, suspended and cancelled occurrences stay in the feed
  with their status in the description (a cancelled one also gets ``STATUS:CANCELLED``).
* ``UID`` is ``<occurrence key>@dean06.btp.example`` with every character other than
  ``A-Z a-z 0-9 - . _ ~`` percent-encoded from UTF-8 (so ``/`` and Vietnamese milestone labels
  are URL-safe and distinct keys keep distinct UIDs).
* ``DTSTAMP`` is the due date at 00:00 UTC, never the clock, and events are sorted by (due date,
  key): the same data always gives the same bytes, so calendar apps update events in place
  rather than duplicating them.
* ``SUMMARY`` is "[522/QĐ-BTP] Nhiệm vụ 4: <content shortened to about 120 characters>";
  ``DESCRIPTION`` gives the whole content, the deadline as printed (its lines joined with
  " / ", as in ``engine status``), the milestone or period,
  the lead unit, the due date, the status label (as of the evaluation day) and the completion
  date when there is one. Events are transparent (they do not block time).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from icalendar import Calendar, Event

from engine.catalog.model import Catalog
from engine.emails import period_label
from engine.render import vn_date
from engine.reports._shared import shorten
from engine.status import Occurrence, Status
from engine.text import collapse

UID_DOMAIN = "dean06.btp.example"
PRODID = "-//Bo Tu phap//Theo doi De an 06//VI"
SUMMARY_LIMIT = 120


def event_uid(occurrence: Occurrence) -> str:
    """The stable, URL-safe UID of an occurrence's event."""
    return f"{quote(collapse(occurrence.key), safe='-._~')}@{UID_DOMAIN}"


def calendar_feed(catalog: Catalog, occurrences: Sequence[Occurrence], name: str) -> bytes:
    """An iCalendar (RFC 5545) feed named ``name`` of every dated occurrence."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-caldesc", "Thời hạn thực hiện nhiệm vụ các Kế hoạch triển khai Đề án 06")
    seen: set[str] = set()
    for occ in sorted((o for o in occurrences if o.due is not None), key=lambda o: (o.due, o.key)):
        uid = event_uid(occ)
        if uid in seen:
            continue
        seen.add(uid)
        due = occ.due
        assert due is not None
        plan = catalog.plans[occ.plan]
        task = plan.task(occ.task)
        content = task.content if task else ""
        deadline = task.deadline if task else ""
        period = occ.label or period_label(occ.milestone) or occ.milestone
        printed = " / ".join(line.strip() for line in deadline.splitlines() if line.strip())
        lines = [
            f"Kế hoạch: {plan.number}",
            f"Nhiệm vụ {occ.task}: {collapse(content)}",
            f"Thời hạn: {printed or '(không ghi)'}",
            f"Mốc / kỳ: {period}",
            f"Đơn vị chủ trì: {catalog.units[occ.unit].name}",
            f"Hạn: {vn_date(due)}",
            f"Tình trạng: {occ.status.label}",
        ]
        if occ.done_on is not None:
            lines.append(f"Ngày hoàn thành: {vn_date(occ.done_on)}")
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", datetime(due.year, due.month, due.day, tzinfo=UTC))
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        event.add(
            "summary", f"[{plan.number}] Nhiệm vụ {occ.task}: {shorten(content, SUMMARY_LIMIT)}"
        )
        event.add("description", "\n".join(lines))
        event.add("categories", [plan.number])
        event.add("transp", "TRANSPARENT")
        if occ.status == Status.CANCELLED:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()
