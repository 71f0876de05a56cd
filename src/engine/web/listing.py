"""Filters, search, sorting and pagination of the list pages (overview, plan, unit, notices).

One implementation for the four pages. Rules:

* Filters are GET query parameters, so a link reproduces the view: ``plan``, ``unit`` (the
  obligation's unit or the unit that answers for it), ``status`` (a status code or a group:
  ``open``, ``upcoming``, ``done``; empty = every status), ``org`` (the organisation of the unit
  that answers), ``from`` / ``to`` (due dates, ``dd/mm/yyyy`` read by
  :func:`engine.dates.parse_day`, both ends included), ``q``
  (a phrase of the task's text, diacritics and case ignored: "bao cao" finds "Báo cáo"), ``sort``
  and ``page``.
* A wrong value is not an error page: it is dropped, the page says why in Vietnamese and is
  answered with status 400.
* Sorting: ``due`` (nearest due date first), ``overdue`` (most days overdue first), ``unit``
  (unit name), ``plan`` (plan number, then the task's order). The default is ``overdue`` when
  the list shows overdue obligations, ``due`` otherwise.
* Pages of ``PAGE_SIZE`` rows; a page number past the end shows the last page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Generic, TypeVar
from urllib.parse import urlencode

from engine.catalog.model import Catalog
from engine.codes import STATUS_LABELS, Status
from engine.dates import DayError, parse_day
from engine.status import Occurrence
from engine.text import search_key
from engine.web.views import OPEN

PAGE_SIZE = 50
UPCOMING_DAYS = 30

DONE = frozenset({Status.DONE_ON_TIME, Status.DONE_LATE, Status.REPORTED})

#: Status groups offered beside the single statuses.
GROUPS = {
    "open": "Còn phải thực hiện (mọi tình trạng chưa xong)",
    "upcoming": f"Đến hạn trong {UPCOMING_DAYS} ngày tới",
    "done": "Đã hoàn thành, đã cập nhật",
}
SORTS = {
    "due": "Hạn (gần nhất trước)",
    "overdue": "Số ngày quá hạn (nhiều nhất trước)",
    "unit": "Đơn vị (theo tên)",
    "plan": "Kế hoạch, nhiệm vụ",
}
_NUMBER = re.compile(r"(\d+)")

T = TypeVar("T")


def status_label(code: str) -> str:
    """The Vietnamese label of a status code or group (the code itself if unknown)."""
    if code in GROUPS:
        return GROUPS[code]
    return STATUS_LABELS[Status(code)] if code in Status._value2member_map_ else code


def natural(text: str) -> tuple[tuple[int, object], ...]:
    """A sort key that puts "2" before "10" and "TC-1a" after "TC-1"."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in _NUMBER.split(text) if p)


@dataclass(frozen=True)
class Filters:
    """What a list shows; ``keep`` carries the page's other parameters (``as_of``, ...)."""

    plan: str = ""
    unit: str = ""
    status: str = ""
    org: str = ""
    start: date | None = None
    end: date | None = None
    q: str = ""
    sort: str = ""
    page: int = 1
    default_status: str = ""
    default_sort: str = ""
    keep: tuple[tuple[str, str], ...] = ()
    errors: tuple[str, ...] = field(default=(), compare=False)

    @property
    def order(self) -> str:
        """The sort in use: the one asked for, else the page's default, else by days overdue
        for overdue lists and by due date for the others."""
        return (
            self.sort
            or self.default_sort
            or ("overdue" if self.status == Status.OVERDUE else "due")
        )

    def params(self, explicit: bool = False, **changes: object) -> list[tuple[str, str]]:
        """The query parameters of this view with ``changes`` (a new filter starts at page 1);
        ``explicit`` writes the status even when it is the page's default (for a link to
        another page)."""
        view = replace(self, **{"page": 1, **changes})
        pairs = [(k, v) for k, v in view.keep if v]
        for name, value in (
            ("plan", view.plan),
            ("unit", view.unit),
            ("org", view.org),
            ("from", f"{view.start:%d/%m/%Y}" if view.start else ""),
            ("to", f"{view.end:%d/%m/%Y}" if view.end else ""),
            ("q", view.q),
            ("sort", view.sort),
        ):
            if value:
                pairs.append((name, value))
        if view.status != view.default_status or (explicit and view.status):
            pairs.append(("status", view.status))
        if view.page > 1:
            pairs.append(("page", str(view.page)))
        return pairs

    def url(self, path: str, explicit: bool = False, **changes: object) -> str:
        """A link to this view (or to it with ``changes``)."""
        query = urlencode(self.params(explicit, **changes))
        return f"{path}?{query}" if query else path

    @property
    def narrowed(self) -> bool:
        """Whether any filter beyond the page's own is set."""
        return bool(self.plan or self.unit or self.org or self.start or self.end or self.q) or (
            self.status != self.default_status
        )


def read_filters(
    query: Mapping[str, str],
    catalog: Catalog,
    *,
    default_status: str = "",
    default_sort: str = "",
    sorts: Mapping[str, str] = SORTS,
    keep: Iterable[tuple[str, str]] = (),
    statuses: Iterable[str] | None = None,
) -> Filters:
    """The filters of a query; wrong values are dropped with a Vietnamese reason in
    ``errors``. ``statuses`` are the accepted status values (the occurrence statuses and
    groups unless given); an absent ``status`` means ``default_status``; ``sorts`` are the
    accepted orders."""
    errors: list[str] = []
    accepted = set(statuses) if statuses is not None else {*Status._value2member_map_, *GROUPS}

    def pick(name: str, known: Callable[[str], bool], message: str) -> str:
        value = query.get(name, "").strip()
        if value and not known(value):
            errors.append(message.format(value))
            return ""
        return value

    plan = pick("plan", lambda v: v in catalog.plans, "Không có kế hoạch «{}».")
    unit = pick("unit", lambda v: v in catalog.units, "Không có đơn vị «{}».")
    status = pick("status", lambda v: v in accepted, "Không có tình trạng «{}».")
    if "status" not in query or (status == "" and query["status"].strip()):
        status = default_status  # absent or wrong: the page's own list
    org = pick("org", lambda v: v in organisations(catalog), "Không có cơ quan «{}».")
    sort = pick("sort", lambda v: v in sorts, "Không có cách sắp xếp «{}».")
    bounds: list[date | None] = []
    for name, label in (("from", "Từ ngày"), ("to", "Đến ngày")):
        text = query.get(name, "").strip()
        try:
            bounds.append(parse_day(text) if text else None)
        except DayError as error:
            errors.append(f"{label}: {error}.")
            bounds.append(None)
    start, end = bounds
    if start and end and start > end:
        errors.append("«Từ ngày» sau «Đến ngày»: bỏ qua khoảng ngày.")
        start = end = None
    page_text = query.get("page", "").strip() or "1"
    page = int(page_text) if page_text.isdigit() and len(page_text) < 7 else 0
    if page < 1:
        errors.append(f"Trang «{page_text}» không hợp lệ.")
        page = 1
    return Filters(
        plan=plan,
        unit=unit,
        status=status,
        org=org,
        start=start,
        end=end,
        q=" ".join(query.get("q", "").split())[:200],
        sort=sort,
        page=page,
        default_status=default_status,
        default_sort=default_sort,
        keep=tuple((k, v) for k, v in keep if v),
        errors=tuple(errors),
    )


def _per_catalog(build: Callable[[Catalog], T]) -> Callable[[Catalog], T]:
    """Memoise ``build`` for the catalog in use (rebuilt when the rules are reloaded)."""
    last: list[tuple[Catalog, T]] = []

    def cached(catalog: Catalog) -> T:
        if not last or last[0][0] is not catalog:
            last[:] = [(catalog, build(catalog))]
        return last[0][1]

    return cached


@_per_catalog
def organisations(catalog: Catalog) -> tuple[str, ...]:
    """The organisations of the catalog's units, sorted."""
    return tuple(sorted({u.organisation for u in catalog.units.values() if u.organisation}))


@_per_catalog
def _task_keys(catalog: Catalog) -> dict[tuple[str, str], str]:
    """The search key of each task: its id and its text."""
    return {
        (plan.id, task.id): search_key(f"{task.id} {task.content}")
        for plan in catalog.plans.values()
        for task in plan.tasks
    }


def contains(text: str, words: str) -> bool:
    """Whether ``words`` (a phrase: Vietnamese words are syllables) are in ``text``, case and
    diacritics ignored."""
    return search_key(words) in search_key(text)


@_per_catalog
def _unit_keys(catalog: Catalog) -> dict[str, str]:
    """The key units sort by: their name without case or diacritics."""
    return {u.id: search_key(u.name) for u in catalog.units.values()}


def matches_text(catalog: Catalog, plan: str, task: str, words: str) -> bool:
    """Whether the phrase ``words`` is in the task's id and text (see :func:`contains`)."""
    return search_key(words) in _task_keys(catalog).get((plan, task), "")


def _in_status(occ: Occurrence, status: str, as_of: date) -> bool:
    if not status:
        return True
    if status == "open":
        return occ.status in OPEN
    if status == "done":
        return occ.status in DONE
    if status == "upcoming":
        return (
            occ.status in (Status.IN_PROGRESS, Status.DUE_SOON)
            and occ.due is not None
            and occ.due <= as_of + timedelta(days=UPCOMING_DAYS)
        )
    return occ.status == status


def select(
    occurrences: Iterable[Occurrence], f: Filters, catalog: Catalog, as_of: date
) -> list[Occurrence]:
    """The occurrences passing every filter of ``f``, in the order ``f`` asks for."""
    units = catalog.units
    chosen = [
        o
        for o in occurrences
        if (not f.plan or o.plan == f.plan)
        and (not f.unit or f.unit in (o.unit, o.answerable))
        and _in_status(o, f.status, as_of)
        and (not f.org or (o.answerable in units and units[o.answerable].organisation == f.org))
        and (not f.start or (o.due is not None and o.due >= f.start))
        and (not f.end or (o.due is not None and o.due <= f.end))
        and (not f.q or matches_text(catalog, o.plan, o.task, f.q))
    ]
    return sort(chosen, f.order, catalog)


def sort(occurrences: list[Occurrence], order: str, catalog: Catalog) -> list[Occurrence]:
    """Sort by ``order`` (a key of ``SORTS``); ties by plan, task, unit and milestone."""

    names = _unit_keys(catalog)
    numbers = {p.id: p.number for p in catalog.plans.values()}

    def unit_name(o: Occurrence) -> str:
        return names.get(o.unit, o.unit)

    def plan_task(o: Occurrence) -> tuple[object, ...]:
        return (numbers.get(o.plan, o.plan), natural(o.task))

    def due(o: Occurrence) -> date:
        return o.due or date.max

    keys: dict[str, Callable[[Occurrence], tuple[object, ...]]] = {
        "due": lambda o: (due(o), plan_task(o), unit_name(o), o.milestone),
        "overdue": lambda o: (-o.days_overdue, due(o), plan_task(o), unit_name(o)),
        "unit": lambda o: (unit_name(o), due(o), plan_task(o), o.milestone),
        "plan": lambda o: (plan_task(o), o.milestone, unit_name(o)),
    }
    return sorted(occurrences, key=keys[order])


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of a list: its rows, its number, the number of pages and the rows in all."""

    rows: Sequence[T]
    page: int
    pages: int
    total: int
    first: int  # 1-based number of the first row shown (0 when empty)
    last: int

    @property
    def shown(self) -> str:
        """ "Hiển thị 51–100 / 515"."""
        if not self.total:
            return "Không có dòng nào"
        return f"Hiển thị {self.first}–{self.last} / {self.total}"

    def links(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and ``around`` each side of the current
        page; ``None`` marks a gap."""
        wanted = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in numbers:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out


def paginate(rows: Sequence[T], page: int, size: int = PAGE_SIZE) -> Paged[T]:
    """Page ``page`` of ``rows`` (the last page when ``page`` is past the end)."""
    pages = max((len(rows) + size - 1) // size, 1)
    page = min(max(page, 1), pages)
    start = (page - 1) * size
    shown = rows[start : start + size]
    return Paged(shown, page, pages, len(rows), start + 1 if shown else 0, start + len(shown))


def options(
    catalog: Catalog,
    statuses: Mapping[str, str] | None = None,
    sorts: Mapping[str, str] = SORTS,
    dates: str = "Hạn",
) -> dict[str, object]:
    """The choices of a filter form, labelled in Vietnamese: plans by number, units by name,
    statuses (the groups first), organisations, orders, and what the date range is about."""
    if statuses is None:
        statuses = {**GROUPS, **{s.value: s.label for s in Status}}
    return {
        "plans": sorted(((p.id, p.number) for p in catalog.plans.values()), key=lambda p: p[1]),
        "units": sorted(
            ((u.id, u.name) for u in catalog.units.values()), key=lambda u: search_key(u[1])
        ),
        "statuses": list(statuses.items()),
        "orgs": organisations(catalog),
        "sorts": list(sorts.items()),
        "dates": dates,
    }
