"""What the monthly report says: ``build_monthly_report`` turns occurrences evaluated as of a
day into a :class:`MonthlyReport`, already worded in Vietnamese (the Word and Excel writers
only lay it out). Pure: the report's month and day are parameters.

Rules:

* **Figures are cumulative as of ``as_of``** (the caller passes
  ``evaluate(catalog, progress, as_of)``) and use the official tallies of
  :mod:`engine.summary`: deliverables count once per occurrence (each lead unit × milestone or
  period), continuous tasks, tasks awaiting a schedule or an event and tasks without a
  deadline once per task and unit ("Nhiệm vụ không có thời hạn"); the completion rate is done /
  (done + in progress + overdue) over deliverables.
* **Plans signed after ``as_of``** do not exist yet on the report's day: they and their
  occurrences are left out of every section.
* **I. Per plan**: plans in order of signing; a "Tổng cộng" column adds them up.
* **II. Per lead unit**: a task led by several units counts for each; units in the registry's
  order (``rules/units.yaml``).
* **II** in the body names the annex and the (at most 5) units with the most overdue tasks;
  the table is "Phụ lục I".
* **III. Overdue list** ("Phụ lục II"; the body gives the count, those over 90 days and those
  without a reason): deliverables whose status is ``overdue`` as of ``as_of``, sorted by
  days overdue (most first), then plan, task (in the plan's order) and unit. Content is
  shortened to about 200 characters; the deadline is the phrase as printed; the reason is ``notes[occurrence.key]``,
  or "Chưa có báo cáo lý do của đơn vị" when the unit has given none.
* **IV. Continuous tasks' updates of the month**: occurrences of kind ``update`` whose period
  is the report month (``"YYYY-MM"``), per lead unit: reported (``reported``) and not reported
  (``report_missing``, or not yet reported while the cut-off has not passed); updates not yet
  in force, suspended or cancelled are left out.
* **V. Đề xuất, kiến nghị** is a placeholder paragraph for the officer to complete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from engine.catalog.model import Catalog
from engine.emails import vn_long_date
from engine.periods import period_label
from engine.reports._shared import percent, shorten
from engine.status import DELIVERABLE, UPDATE, Occurrence, Status
from engine.summary import CATEGORIES, Tally, tally, tally_tasks

#: What the overdue list says when the unit has not reported why.
NO_REASON = "Chưa có báo cáo lý do của đơn vị"
#: Length of a task's content in the overdue list.
CONTENT_LIMIT = 200
#: How many units section II names as having the most overdue tasks.
TOP_UNITS = 5
#: Days overdue from which section III counts a task as long overdue.
LONG_OVERDUE_DAYS = 90
TITLE = "BÁO CÁO"
PLACE = "Hà Nội"
TOTAL_LABEL = "Tổng cộng"
#: The annexes the body refers to (the per-unit table and the overdue list).
ANNEX_UNITS = "Phụ lục I"
ANNEX_OVERDUE = "Phụ lục II"
SECTION_TITLES = (
    "I. KẾT QUẢ THỰC HIỆN THEO TỪNG KẾ HOẠCH",
    "II. KẾT QUẢ THỰC HIỆN THEO ĐƠN VỊ CHỦ TRÌ",
    "III. DANH MỤC NHIỆM VỤ QUÁ HẠN",
    "IV. CẬP NHẬT TIẾN ĐỘ NHIỆM VỤ THƯỜNG XUYÊN {period}",
    "V. ĐỀ XUẤT, KIẾN NGHỊ",
)
PROPOSALS = (
    "[Cán bộ theo dõi hoàn thiện trước khi trình ký: đề nghị Lãnh đạo Bộ chỉ đạo các đơn vị "
    "có nhiệm vụ quá hạn khẩn trương hoàn thành và báo cáo rõ lý do chậm tiến độ; các đơn vị "
    "chưa cập nhật tiến độ nhiệm vụ thường xuyên thực hiện cập nhật chậm nhất ngày {cutoff} "
    "hằng tháng; các kiến nghị khác (nếu có).]"
)

_OUT_OF_UPDATES = (Status.NOT_STARTED, Status.SUSPENDED, Status.CANCELLED)


@dataclass(frozen=True)
class CountRow:
    """One line of the official tallies: a plan, a unit, or the total."""

    key: str
    label: str
    counts: Mapping[str, int]
    total: int
    completion_rate: float | None


@dataclass(frozen=True)
class OverdueItem:
    """One overdue deliverable of the list in section III."""

    occurrence_key: str
    plan: str
    plan_number: str
    task: str
    content: str
    unit: str
    unit_name: str
    milestone: str
    deadline: str
    due: date
    days_overdue: int
    reason: str
    reason_reported: bool


@dataclass(frozen=True)
class UpdateRow:
    """A lead unit's continuous-task updates for the report month (section IV)."""

    unit: str
    unit_name: str
    total: int
    reported: int
    missing: int
    missing_tasks: str


@dataclass(frozen=True)
class MonthlyReport:
    """Everything the monthly report prints, already worded in Vietnamese."""

    month_year: int
    month: int
    as_of: date
    place_date: str
    subtitle: str
    introduction: str
    overview: str
    plans: tuple[CountRow, ...]
    total: CountRow
    units: tuple[CountRow, ...]
    overdue: tuple[OverdueItem, ...]
    updates: tuple[UpdateRow, ...]
    updates_summary: str
    proposals: str
    units_summary: str = ""
    overdue_summary: str = ""
    title: str = TITLE

    @property
    def period_key(self) -> str:
        """The report month as a period key: ``"2023-07"``."""
        return f"{self.month_year}-{self.month:02d}"

    @property
    def period(self) -> str:
        """The report month as people write it: ``"tháng 7/2023"``."""
        return period_label(self.period_key) or self.period_key

    @property
    def section_titles(self) -> tuple[str, ...]:
        return tuple(t.format(period=self.period.upper()) for t in SECTION_TITLES)


def _row(tallied: Tally, label: str) -> CountRow:
    return CountRow(
        tallied.key, label, dict(tallied.counts), tallied.total, tallied.completion_rate
    )


def _empty_row(key: str, label: str) -> CountRow:
    return CountRow(key, label, dict.fromkeys(CATEGORIES, 0), 0, None)


def _overview(as_of: date, total: CountRow) -> str:
    counts = total.counts
    done = counts["done_on_time"] + counts["done_late"]
    parts = [
        f"đã hoàn thành {done} (đúng hạn {counts['done_on_time']}, quá hạn {counts['done_late']})",
        f"đang thực hiện trong hạn {counts['in_progress']}",
        f"đang thực hiện quá hạn {counts['overdue']}",
        f"nhiệm vụ không có thời hạn {counts['no_deadline']}",
        f"chưa đến thời gian thực hiện {counts['not_started']}",
        f"tạm dừng, không thực hiện {counts['stopped']}",
    ]
    rate = (
        f"Tỷ lệ hoàn thành đạt {percent(total.completion_rate)} (số nhiệm vụ đã hoàn thành trên "
        "tổng số nhiệm vụ có thời hạn đã triển khai)."
        if total.completion_rate is not None
        else "Chưa có nhiệm vụ có thời hạn đến kỳ thực hiện."
    )
    return (
        f"Tính đến {vn_long_date(as_of)}, tổng số nhiệm vụ được theo dõi (tính theo từng đơn vị "
        f"chủ trì và từng mốc, kỳ thực hiện) là {total.total}, trong đó: " + "; ".join(parts) + ". "
        f"{rate}"
    )


def build_monthly_report(
    catalog: Catalog,
    occurrences: Sequence[Occurrence],
    month_year: int,
    month: int,
    as_of: date,
    notes: Mapping[str, str] | None = None,
) -> MonthlyReport:
    """The monthly report for ``month``/``month_year`` from occurrences evaluated as of ``as_of``.

    ``notes`` maps an occurrence key to the unit's reason or latest note, printed in the
    overdue list. Raises ``ValueError`` for a month outside 1–12.
    """
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    notes = notes or {}
    period_key = f"{month_year}-{month:02d}"
    unit_order = {uid: index for index, uid in enumerate(catalog.units)}

    plans = sorted(
        (p for p in catalog.plans.values() if p.signed <= as_of),
        key=lambda p: (p.signed, p.number),
    )
    in_force = {p.id for p in plans}
    occurrences = [o for o in occurrences if o.plan in in_force]
    by_plan = {t.key: t for t in tally_tasks(occurrences, lambda o: o.plan)}
    plan_rows = tuple(
        _row(by_plan[p.id], p.number) if p.id in by_plan else _empty_row(p.id, p.number)
        for p in plans
    )
    totals = tally_tasks(occurrences, lambda o: "")
    total = _row(totals[0], TOTAL_LABEL) if totals else _empty_row("", TOTAL_LABEL)

    unit_rows = tuple(
        _row(t, catalog.units[t.key].name)
        for t in sorted(
            tally(occurrences, lambda o: o.unit),
            key=lambda t: (unit_order.get(t.key, len(unit_order)), t.key),
        )
    )

    overdue: list[OverdueItem] = []
    for occ in occurrences:
        if occ.kind != DELIVERABLE or occ.status != Status.OVERDUE or occ.due is None:
            continue
        plan = catalog.plans[occ.plan]
        task = plan.task(occ.task)
        note = (notes.get(occ.key) or "").strip()
        overdue.append(
            OverdueItem(
                occurrence_key=occ.key,
                plan=occ.plan,
                plan_number=plan.number,
                task=occ.task,
                content=shorten(task.content, CONTENT_LIMIT) if task else "",
                unit=occ.unit,
                unit_name=catalog.units[occ.unit].name,
                milestone=occ.milestone,
                deadline=task.deadline if task else "",
                due=occ.due,
                days_overdue=occ.days_overdue,
                reason=note or NO_REASON,
                reason_reported=bool(note),
            )
        )
    plan_order = {p.id: index for index, p in enumerate(plans)}
    task_order = {(p.id, t.id): index for p in plans for index, t in enumerate(p.tasks)}
    overdue.sort(
        key=lambda i: (
            -i.days_overdue,
            plan_order.get(i.plan, len(plan_order)),
            task_order.get((i.plan, i.task), 0),
            unit_order.get(i.unit, len(unit_order)),
            i.milestone,
        )
    )

    per_unit: dict[str, list[Occurrence]] = {}
    for occ in occurrences:
        in_period = occ.kind == UPDATE and occ.milestone == period_key
        if in_period and occ.status not in _OUT_OF_UPDATES:
            per_unit.setdefault(occ.unit, []).append(occ)
    updates: list[UpdateRow] = []
    for unit in sorted(per_unit, key=lambda u: (unit_order.get(u, len(unit_order)), u)):
        items = per_unit[unit]
        missing = [o for o in items if o.status != Status.REPORTED]
        by_plan_tasks: dict[str, list[str]] = {}
        for occ in sorted(missing, key=lambda o: plan_order.get(o.plan, len(plan_order))):
            by_plan_tasks.setdefault(catalog.plans[occ.plan].number, []).append(occ.task)
        updates.append(
            UpdateRow(
                unit=unit,
                unit_name=catalog.units[unit].name,
                total=len(items),
                reported=len(items) - len(missing),
                missing=len(missing),
                missing_tasks="; ".join(
                    f"{number}: nhiệm vụ {', '.join(tasks)}"
                    for number, tasks in by_plan_tasks.items()
                ),
            )
        )
    period = period_label(period_key) or period_key
    if updates:
        owed = sum(u.total for u in updates)
        reported = sum(u.reported for u in updates)
        updates_summary = (
            f"Trong {period}, có {owed} lượt nhiệm vụ thường xuyên của {len(updates)} đơn vị "
            "chủ trì phải cập nhật tiến độ (hạn cập nhật: ngày "
            f"{catalog.policy.update_cutoff_day} hằng tháng); đã cập nhật {reported} lượt, chưa "
            f"cập nhật {owed - reported} lượt."
        )
    else:
        updates_summary = f"Trong {period}, không có nhiệm vụ thường xuyên phải cập nhật tiến độ."

    ranked = sorted(
        (row for row in unit_rows if row.counts["overdue"]),
        key=lambda row: -row.counts["overdue"],
    )[:TOP_UNITS]
    units_summary = (
        "Số liệu theo từng đơn vị chủ trì (nhiệm vụ giao nhiều đơn vị chủ trì được tính cho "
        f"từng đơn vị) tại {ANNEX_UNITS} kèm theo."
    )
    if ranked:
        units_summary += (
            " Các đơn vị có nhiều nhiệm vụ đang thực hiện quá hạn nhất: "
            + "; ".join(f"{row.label} ({row.counts['overdue']})" for row in ranked)
            + "."
        )
    if overdue:
        long_overdue = sum(1 for item in overdue if item.days_overdue > LONG_OVERDUE_DAYS)
        unexplained = sum(1 for item in overdue if not item.reason_reported)
        overdue_summary = (
            f"Có {len(overdue)} nhiệm vụ đang thực hiện quá hạn, trong đó {long_overdue} nhiệm "
            f"vụ quá hạn trên {LONG_OVERDUE_DAYS} ngày; {unexplained} nhiệm vụ đơn vị chưa báo "
            "cáo lý do. Danh mục chi tiết (sắp xếp theo số ngày quá hạn, nhiều nhất trước) tại "
            f"{ANNEX_OVERDUE} kèm theo."
        )
    else:
        overdue_summary = "Không có nhiệm vụ quá hạn."

    numbers = ", ".join(p.number for p in plans)
    introduction = (
        "Thực hiện nhiệm vụ theo dõi, đôn đốc việc triển khai các Kế hoạch thực hiện Đề án 06 "
        f"({numbers}), Văn phòng Bộ báo cáo tình hình thực hiện {period} "
        f"(số liệu tính đến {vn_long_date(as_of)}) như sau:"
    )
    return MonthlyReport(
        month_year=month_year,
        month=month,
        as_of=as_of,
        place_date=f"{PLACE}, {vn_long_date(as_of)}",
        subtitle=f"Tình hình thực hiện các Kế hoạch triển khai Đề án 06 {period}",
        introduction=introduction,
        overview=_overview(as_of, total),
        plans=plan_rows,
        total=total,
        units=unit_rows,
        overdue=tuple(overdue),
        updates=tuple(updates),
        updates_summary=updates_summary,
        proposals=PROPOSALS.format(cutoff=catalog.policy.update_cutoff_day),
        units_summary=units_summary,
        overdue_summary=overdue_summary,
    )
