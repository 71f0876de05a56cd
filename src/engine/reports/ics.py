"""Deadlines as an iCalendar feed, to subscribe to in Outlook, Google Calendar or a phone.

Rules:

* **One event per unit per due day.** Occurrences with a due date (after the working-day roll
  and any extension) are grouped by (lead unit, due day); each group is one all-day
  ``VEVENT`` (``DTSTART;VALUE=DATE`` the due day, ``DTEND`` the day after). Undated
  obligations are left out. Done, reported, suspended and cancelled occurrences stay listed
  with their status; an event whose occurrences are all cancelled gets ``STATUS:CANCELLED``.
* **Bounded window.** Only due days from ``months_back`` months before today to
  ``months_ahead`` months after it (both included; defaults 3 and 12, settings
  ``feed_months_back`` / ``feed_months_ahead``) are in the feed; "today" is ``now``'s date in
  Vietnam.
* **Stable UIDs.** ``UID`` is ``<feed>/<unit>/<yyyy-mm-dd>@dean06.btp.example`` with every
  character other than ``A-Z a-z 0-9 - . _ ~`` percent-encoded from UTF-8, where ``<feed>``
  names the feed ("unit:…" or "plan:…"): the same unit and day keep the same UID whatever
  falls due that day, so calendar apps update the event instead of adding a duplicate, and two
  feeds subscribed side by side never share a UID.
* ``DTSTAMP`` is ``now`` (the generation time) in UTC. Events are sorted by (due day, unit
  registry order), so the same data and ``now`` give the same bytes.
* ``SUMMARY``: one occurrence → "[522/QĐ-BTP] Nhiệm vụ 4: <content shortened to about 120
  characters>"; several → "[522/QĐ-BTP] 5 nhiệm vụ đến hạn (2 chưa hoàn thành) — <unit>"
  (the plan numbers of the group, in plan order).
* ``DESCRIPTION`` names the lead unit and the due day, then lists each occurrence: plan,
  task, milestone or period, content (shortened to about 200 characters), the deadline as
  printed (lines joined with " / "), the status label as of the evaluation day, the
  completion date when there is one, and the link to the task's page.
* ``URL`` is the task's page (``<base_url>/plans/<plan>/tasks/<task>``) when the event lists
  one task, else the unit's page (``<base_url>/units/<unit>``).
* **Alarms.** An event with at least one open occurrence (not done, reported, suspended or
  cancelled) carries two ``VALARM`` (``ACTION:DISPLAY``): at 09:00 seven days before the due
  day (``TRIGGER:-P6DT15H``) and at 09:00 the day before (``TRIGGER:-PT15H``), counted from
  the all-day event's start. Events are transparent (they do not block time).
* Line folding at 75 octets, CRLF line ends and text escaping are the ``icalendar``
  library's (RFC 5545).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

from icalendar import Alarm, Calendar, Event

from engine.catalog.model import Catalog
from engine.clock import VN
from engine.notices import add_months
from engine.periods import period_label
from engine.render import vn_date
from engine.reports._shared import shorten
from engine.status import Occurrence, Status
from engine.text import collapse

UID_DOMAIN = "dean06.btp.example"
PRODID = "-//Bo Tu phap//Theo doi De an 06//VI"
SUMMARY_LIMIT = 120
CONTENT_LIMIT = 200
#: Default window of the feed, in months before and after today.
MONTHS_BACK = 3
MONTHS_AHEAD = 12
#: Alarm triggers, from the all-day event's start (00:00 of the due day): 09:00 seven days
#: before and 09:00 the day before.
ALARMS = (timedelta(days=-6, hours=-15), timedelta(hours=-15))
#: Statuses with nothing left to do: no alarm for a day made only of these.
_CLOSED = (
    Status.DONE_ON_TIME,
    Status.DONE_LATE,
    Status.REPORTED,
    Status.SUSPENDED,
    Status.CANCELLED,
)


def event_uid(feed: str, unit: str, day: date) -> str:
    """The stable, URL-safe UID of ``unit``'s event on ``day`` in the feed ``feed``."""
    return f"{quote(collapse(f'{feed}/{unit}/{day.isoformat()}'), safe='-._~')}@{UID_DOMAIN}"


def task_url(base_url: str, plan: str, task: str) -> str:
    """The officers' page of a task."""
    return f"{base_url.rstrip('/')}/plans/{quote(plan, safe='')}/tasks/{quote(task, safe='')}"


def window(today: date, months_back: int, months_ahead: int) -> tuple[date, date]:
    """The first and last due day the feed lists."""
    return add_months(today, -months_back), add_months(today, months_ahead)


def _item(catalog: Catalog, occ: Occurrence, base_url: str) -> str:
    plan = catalog.plans[occ.plan]
    task = plan.task(occ.task)
    content = shorten(task.content, CONTENT_LIMIT) if task else ""
    deadline = task.deadline if task else ""
    printed = " / ".join(line.strip() for line in deadline.splitlines() if line.strip())
    period = occ.label or period_label(occ.milestone) or occ.milestone
    lines = [
        f"[{plan.number}] Nhiệm vụ {occ.task} — {period}: {content}",
        f"Thời hạn: {printed or '(không ghi)'}",
        f"Tình trạng: {occ.status.label}",
    ]
    if occ.done_on is not None:
        lines.append(f"Ngày hoàn thành: {vn_date(occ.done_on)}")
    lines.append(task_url(base_url, occ.plan, occ.task))
    return "\n".join(lines)


def _event(
    catalog: Catalog,
    feed: str,
    unit: str,
    day: date,
    items: list[Occurrence],
    *,
    now: datetime,
    base_url: str,
    plan_order: dict[str, int],
) -> Event:
    unit_name = catalog.units[unit].name
    open_count = sum(1 for o in items if o.status not in _CLOSED)
    plans = sorted({o.plan for o in items}, key=lambda p: plan_order.get(p, len(plan_order)))
    numbers = ", ".join(catalog.plans[p].number for p in plans)
    tasks = {(o.plan, o.task) for o in items}
    if len(items) == 1:
        task = catalog.plans[items[0].plan].task(items[0].task)
        content = shorten(task.content, SUMMARY_LIMIT) if task else ""
        summary = f"[{numbers}] Nhiệm vụ {items[0].task}: {content}"
    else:
        summary = (
            f"[{numbers}] {len(items)} nhiệm vụ đến hạn ({open_count} chưa hoàn thành) — "
            f"{unit_name}"
        )
    if len(tasks) == 1:
        url = task_url(base_url, items[0].plan, items[0].task)
    else:
        url = f"{base_url.rstrip('/')}/units/{quote(unit, safe='')}"
    head = [
        f"Đơn vị chủ trì: {unit_name}",
        f"Hạn: {vn_date(day)}",
        f"{len(items)} nhiệm vụ đến hạn, {open_count} chưa hoàn thành:",
    ]
    body = [f"{index}. {_item(catalog, occ, base_url)}" for index, occ in enumerate(items, 1)]
    event = Event()
    event.add("uid", event_uid(feed, unit, day))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", "\n".join(head) + "\n\n" + "\n\n".join(body))
    event.add("url", url)
    event.add("categories", [catalog.plans[p].number for p in plans])
    event.add("transp", "TRANSPARENT")
    if all(o.status == Status.CANCELLED for o in items):
        event.add("status", "CANCELLED")
    if open_count:
        for trigger in ALARMS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", trigger)
            alarm.add("description", f"Sắp đến hạn ({vn_date(day)}): {summary}")
            event.add_component(alarm)
    return event


def calendar_feed(
    catalog: Catalog,
    occurrences: Sequence[Occurrence],
    name: str,
    *,
    feed: str,
    now: datetime,
    base_url: str,
    months_back: int = MONTHS_BACK,
    months_ahead: int = MONTHS_AHEAD,
) -> bytes:
    """An iCalendar (RFC 5545) feed named ``name`` (see the module's rules).

    ``feed`` names the feed in the UIDs ("unit:…" or "plan:…"); ``now`` is the generation time
    (aware), ``base_url`` the web app's address for the links.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-caldesc", "Thời hạn thực hiện nhiệm vụ các Kế hoạch triển khai Đề án 06")
    first, last = window(now.astimezone(VN).date(), months_back, months_ahead)
    unit_order = {uid: index for index, uid in enumerate(catalog.units)}
    plan_order = {
        p.id: index
        for index, p in enumerate(sorted(catalog.plans.values(), key=lambda p: (p.signed, p.id)))
    }
    task_order = {
        (p.id, t.id): index for p in catalog.plans.values() for index, t in enumerate(p.tasks)
    }
    groups: dict[tuple[date, str], dict[str, Occurrence]] = {}
    for occ in occurrences:
        if occ.due is not None and first <= occ.due <= last:
            groups.setdefault((occ.due, occ.unit), {}).setdefault(occ.key, occ)
    for day, unit in sorted(
        groups, key=lambda g: (g[0], unit_order.get(g[1], len(unit_order)), g[1])
    ):
        items = sorted(
            groups[(day, unit)].values(),
            key=lambda o: (
                plan_order.get(o.plan, len(plan_order)),
                task_order.get((o.plan, o.task), 0),
                o.task,
                o.milestone,
            ),
        )
        calendar.add_component(
            _event(
                catalog,
                feed,
                unit,
                day,
                items,
                now=now,
                base_url=base_url,
                plan_order=plan_order,
            )
        )
    return calendar.to_ical()
