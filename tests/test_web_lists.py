"""The list pages at the seed plans' volume: filters, search, sorting, pages, the unit link page
grouped by task, pending extensions, the sent emails' pages, the chart's axis, and no codes,
ISO dates or English words on screen."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from urllib.parse import parse_qsl, urlsplit

import pytest
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from lxml.html import document_fromstring

from engine.catalog.model import Catalog
from engine.codes import Status
from engine.emails import MailContext
from engine.text import search_key
from engine.web import listing, views
from engine.web.labels import delivery_state
from tests.webutil import TestClient, csrf_of, login

DAY = "2024-01-22"
NOW = "2024-01-22 09:00:00"  # the seed plans' heaviest day


def visible(html: str) -> str:
    """The text a person reads: no tags, attributes, comments, styles, scripts or title."""
    tree = document_fromstring(html)
    etree.strip_elements(tree, "style", "script", "title", etree.Comment, with_tail=False)
    return " ".join(" ".join(tree.itertext()).split())


def rows_of(html: str) -> list[str]:
    """The (plan, task) links of the list table's rows, in order."""
    table = html.split('class="occurrences"', 2)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/plans/([^"/]+)/tasks/([^"]+)">', table)


def _overdue_followed(app, as_of: date):  # type: ignore[no-untyped-def]
    catalog: Catalog = app.state.web.catalog
    return [
        o
        for o in app.state.web.occurrences(as_of)
        if o.status == Status.OVERDUE and catalog.followed(o.answerable)
    ]


# --- pure rules ---------------------------------------------------------------------------


def test_search_ignores_diacritics_and_case() -> None:
    assert "bao cao" in search_key("Báo cáo kết quả")
    assert search_key("ĐỀ ÁN 06") == search_key("de an 06") == "de an 06"
    assert search_key("Nghị  định") == "nghi dinh"


def test_date_range_read_day_first(catalog: Catalog) -> None:
    def read(start: str, end: str = "") -> listing.Filters:
        return listing.read_filters({"from": start, "to": end}, catalog)

    assert read("07/02/2023").start == date(2023, 2, 7)
    assert read("7/2/2023", "2023-02-09").end == date(2023, 2, 9)  # date pickers send ISO
    assert read("31/02/2023").errors == ("Từ ngày: Ngày 31/02/2023 không tồn tại.",)
    assert "không phải là ngày" in read("", "2023").errors[0] and read("", "2023").end is None
    wrong = read("09/02/2023", "07/02/2023")
    assert (
        wrong.start is None and wrong.end is None and "«Từ ngày» sau «Đến ngày»" in wrong.errors[0]
    )


@given(total=st.integers(0, 700), size=st.integers(1, 80), page=st.integers(-3, 30))
def test_pages_cover_every_row_once(total: int, size: int, page: int) -> None:
    rows = list(range(total))
    seen = []
    for number in range(1, listing.paginate(rows, 1, size).pages + 1):
        seen.extend(listing.paginate(rows, number, size).rows)
    assert seen == rows
    shown = listing.paginate(rows, page, size)
    assert 1 <= shown.page <= shown.pages and len(shown.rows) <= size
    if total:
        assert shown.shown == f"Hiển thị {shown.first}–{shown.last} / {total}"
        assert shown.rows[0] == shown.first - 1 and shown.rows[-1] == shown.last - 1
    links = [n for n in shown.links() if n is not None]
    assert links == sorted(set(links)) and links[0] == 1 and links[-1] == shown.pages
    assert shown.page in links


def _filters(catalog: Catalog) -> st.SearchStrategy[listing.Filters]:
    days = st.dates(date(2022, 1, 1), date(2026, 12, 31))
    return st.builds(
        listing.Filters,
        plan=st.sampled_from(["", *catalog.plans]),
        unit=st.sampled_from(["", *list(catalog.units)[:10]]),
        status=st.sampled_from(["", "open", "upcoming", *[s.value for s in Status]]),
        org=st.sampled_from(["", *listing.organisations(catalog)]),
        start=st.none() | days,
        end=st.none() | days,
        q=st.sampled_from(["", "bao cao", "Đề án 06", "a&b=c"]),
        sort=st.sampled_from(["", *listing.SORTS]),
        page=st.integers(1, 40),
        default_status=st.sampled_from(["", "overdue"]),
        keep=st.just((("as_of", DAY),)),
    )


def test_a_link_reproduces_its_view(catalog: Catalog) -> None:
    @given(_filters(catalog))
    def check(view: listing.Filters) -> None:
        if view.start and view.end and view.start > view.end:
            view = listing.Filters(**{**view.__dict__, "end": view.start})
        url = view.url("/", page=view.page)
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        again = listing.read_filters(
            query, catalog, default_status=view.default_status, keep=[("as_of", DAY)]
        )
        assert again == view and not again.errors

    check()


@given(st.integers(0, 100_000))
def test_axis_ticks_are_round_and_reach_the_top(top: int) -> None:
    ticks = views.axis_ticks(top)
    step = ticks[1] - ticks[0]
    assert ticks[0] == 0 and ticks[-1] >= top and len(ticks) <= 6
    assert all(b - a == step for a, b in pairwise(ticks))
    assert re.fullmatch(r"[125]0*", str(step))


def test_delivery_states() -> None:
    assert delivery_state("pending", None) == "pending"
    assert delivery_state("sending", None) == "pending"
    assert delivery_state("pending", "421 bận") == "retrying"
    assert delivery_state("sent", None) == "sent"
    assert delivery_state("failed", "550") == "failed"


# --- the overview -------------------------------------------------------------------------


def test_email_see_the_rest_link_is_the_filtered_view(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """The digest's "see the rest" link (built by the email code) shows exactly the overdue
    obligations of followed bodies, most overdue first, 50 a page."""
    base = "http://testserver"
    mail = MailContext(base_url=base, signed=lambda unit: f"{base}/u/x")
    link = mail.view("lanh-dao-bo", "overdue", own=False)
    assert link == f"{base}/?status=overdue"
    with freeze_time(NOW):
        login(client)
        expected = sorted(
            _overdue_followed(app, date(2024, 1, 22)),
            key=lambda o: -o.days_overdue,
        )
        page = client.get(link.removeprefix(base))
        default = client.get("/")
        second = client.get(f"/?status=overdue&as_of={DAY}&page=2")
    assert page.status_code == 200
    text = visible(page.text)
    assert f"Đang thực hiện, quá hạn ({len(expected)})" in text
    assert f"Hiển thị 1–50 / {len(expected)}" in text
    shown = rows_of(page.text)
    assert len(shown) == 50
    assert shown == rows_of(default.text)  # the default list is the overdue one
    day = date(2024, 1, 22)
    upcoming = [
        o
        for o in app.state.web.occurrences(day)
        if o.status in (Status.IN_PROGRESS, Status.DUE_SOON)
        and o.due is not None
        and o.due <= day + timedelta(days=30)
        and app.state.web.catalog.followed(o.answerable)
    ]
    assert f"Đến hạn trong 30 ngày tới ({len(upcoming)})" in visible(default.text)
    days = [
        int(d)
        for d in re.findall(
            r'<td class="num">(\d+)</td>',
            page.text.split('class="occurrences"', 2)[1].split("</table>", 1)[0],
        )
    ]
    assert days == sorted(days, reverse=True) and days[0] == expected[0].days_overdue
    assert f"Hiển thị 51–100 / {len(_overdue_followed(app, date(2024, 1, 22)))}" in visible(
        second.text
    )


def test_upcoming_shows_ten_and_links_to_all(admin_client: TestClient) -> None:
    page = admin_client.get("/?as_of=2023-03-10")
    total = int(re.search(r"Đến hạn trong 30 ngày tới \((\d+)\)", visible(page.text))[1])  # type: ignore[index]
    upcoming = page.text.split("<h2>Đến hạn trong 30 ngày tới", 1)[1]
    assert total > 10 and len(rows_of(upcoming)) == 10
    link = "/?as_of=10%2F03%2F2023&amp;status=upcoming"  # links write the day dd/mm/yyyy
    assert f'<a href="{link}">Xem tất cả {total} nhiệm vụ' in upcoming
    full = admin_client.get(link.replace("&amp;", "&"))
    assert f"Đến hạn trong 30 ngày tới ({total})" in visible(full.text)
    assert f"Hiển thị 1–{min(total, 50)} / {total}" in visible(full.text)
    dues = re.findall(r"<td>(\d\d/\d\d/\d{4})</td>", full.text.split('class="occurrences"', 2)[1])
    days = [date(int(d[6:]), int(d[3:5]), int(d[:2])) for d in dues]
    assert days == sorted(days) and all(d <= date(2023, 4, 9) for d in days)


def test_filters_search_and_sort(app, admin_client: TestClient) -> None:  # type: ignore[no-untyped-def]
    catalog: Catalog = app.state.web.catalog
    query = f"/?as_of={DAY}&status=&q=bao+cao&plan=qd-522-btp&sort=unit"
    page = admin_client.get(query)
    assert page.status_code == 200
    shown = rows_of(page.text)
    assert shown and all(p == "qd-522-btp" for p, _ in shown)
    for plan, task in shown:
        assert "bao cao" in search_key(catalog.plans[plan].task(task).content + task)
    names = re.findall(
        r'<td><a href="/units/[^"]+">([^<]+)</a></td>',
        page.text.split('class="occurrences"', 2)[1].split("</table>", 1)[0],
    )
    assert names == sorted(names, key=search_key)
    assert 'value="bao cao"' in page.text  # the form shows the view
    export = re.search(r'href="(/export\.xlsx[^"]*)">Bảng tình hình theo điều kiện lọc', page.text)
    workbook = admin_client.get(export[1].replace("&amp;", "&"))  # type: ignore[index]
    assert workbook.status_code == 200
    assert (
        'href="/export.xlsx?as_of=22%2F01%2F2024&amp;status=">Bảng tình hình (.xlsx)' in page.text
    )
    # an organisation, a due-date range written day first; the form writes it back the same
    ranged = admin_client.get(f"/?as_of={DAY}&status=&from=01/01/2024&to=31/01/2024&sort=due")
    assert 'value="01/01/2024"' in ranged.text and 'value="31/01/2024"' in ranged.text
    dues = re.findall(r"<td>(\d\d/\d\d/\d{4})</td>", ranged.text.split('class="occurrences"', 2)[1])
    assert dues and all(d.endswith("/01/2024") for d in dues[:50])
    external = admin_client.get(f"/?as_of={DAY}&outside=1&status=&org=Bộ+Tư+pháp")
    assert external.status_code == 200 and "Hiển thị 1–50" in visible(external.text)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=xyz", "Không có tình trạng «xyz»"),
        ("from=31/02/2023", "Ngày 31/02/2023 không tồn tại"),
        ("to=2023", "«2023» không phải là ngày"),
        ("page=abc", "Trang «abc» không hợp lệ"),
        ("plan=khong-co", "Không có kế hoạch «khong-co»"),
        ("unit=khong-co", "Không có đơn vị «khong-co»"),
        ("sort=name", "Không có cách sắp xếp «name»"),
        ("from=31/01/2024&to=01/01/2024", "«Từ ngày» sau «Đến ngày»"),
    ],
)
def test_wrong_filters_are_said_on_the_page(
    admin_client: TestClient, query: str, message: str
) -> None:
    for path in ("/", "/plans/qd-522-btp", "/units/van-phong-bo", "/notices"):
        if path == "/notices" and query.startswith("status"):
            continue  # the notices' states are tested with the notices
        response = admin_client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert response.headers["content-type"].startswith("text/html")
        assert message in visible(response.text) and '"detail"' not in response.text


def test_pages_of_a_long_list(admin_client: TestClient) -> None:
    first = admin_client.get(f"/units/cuc-htqtct?as_of={DAY}&sort=plan")
    total = int(re.search(r"Hiển thị 1–50 / (\d+)", visible(first.text))[1])  # type: ignore[index]
    assert total > 50
    pages = -(-total // 50)
    kept = "as_of=22%2F01%2F2024"  # the day asked for, written dd/mm/yyyy in the page's links
    assert f'href="/units/cuc-htqtct?{kept}&amp;sort=plan&amp;page={pages}"' in first.text
    last = admin_client.get(f"/units/cuc-htqtct?as_of={DAY}&sort=plan&page={pages}")
    assert f"Hiển thị {(pages - 1) * 50 + 1}–{total} / {total}" in visible(last.text)
    plan = admin_client.get(f"/plans/ct-05-ttg?as_of={DAY}&status=overdue&q=tong+ket")
    shown = rows_of(plan.text)
    assert plan.status_code == 200 and all(p == "ct-05-ttg" for p, _ in shown)


# --- the chart ----------------------------------------------------------------------------


def test_chart_has_axis_values(admin_client: TestClient) -> None:
    page = admin_client.get(f"/?as_of={DAY}").text
    chart = page.split('id="chart"', 1)[1].split("</svg>", 1)[0]
    ticks = [int(t) for t in re.findall(r'<text class="tick"[^>]*>(\d+)</text>', chart)]
    assert ticks[0] == 0 and len(ticks) >= 3 and ticks == sorted(ticks)
    months = re.findall(r'<text class="month"[^>]*>([^<]+)</text>', chart)
    assert (months[0], months[-2], months[-1]) == ("1/23", "12/23", "22/01")
    assert "Số nhiệm vụ" in chart and "Tháng/năm" in chart


# --- the unit's link page -----------------------------------------------------------------


def test_link_page_open_now_first_grouped_by_task(app) -> None:  # type: ignore[no-untyped-def]
    with freeze_time(NOW):
        token = app.state.web.links.make("cuc-htqtct")
        page = TestClient(app).get(f"/u/{token}").text
        kept, missed = views.open_for_unit(
            app.state.web.occurrences(date(2024, 1, 22)), "cuc-htqtct", date(2024, 1, 22)
        )
    sections = page.split('<section class="box task-group')[1:]
    tasks = {(o.plan, o.task) for o in kept}
    assert len(sections) == len(tasks)  # one group per task
    current = [s for s in sections if not s.startswith(" folded")]
    assert sections[: len(current)] == current  # what is open now comes first
    assert "Có hạn trong tháng 1/2024" in page and "quá hạn từ các tháng trước" in page
    assert all("<details>" in s for s in sections[len(current) :])  # the rest folded
    assert page.count('class="missed"') == len(missed) and missed
    assert "chưa cập nhật" in page
    # every open obligation keeps its form, folded or not
    assert page.count('name="occurrence"') >= len(kept)


# --- pending extensions -------------------------------------------------------------------


def test_pending_extension_shown_on_the_item(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    with freeze_time(NOW):
        token = app.state.web.links.make("van-phong-bo")
        form = client.get(f"/u/{token}").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)[1]  # type: ignore[index]
        day = date(2024, 1, 22)
        target = next(
            o
            for o in views.open_for_unit(app.state.web.occurrences(day), "van-phong-bo", day)[0]
            if o.kind == "deliverable"
        )
        wanted = (target.due or day) + timedelta(days=45)
        response = client.post(
            f"/u/{token}/extension",
            data={
                "occurrence": target.key,
                "requested_due": wanted.isoformat(),
                "reason": "Chờ số liệu",
                "csrf": csrf,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        note = f"Đã đề nghị gia hạn đến {wanted:%d/%m/%Y}, chờ Văn phòng Bộ xem xét"
        assert note in client.get(f"/u/{token}").text
        login(client)
        for path in (
            f"/plans/{target.plan}/tasks/{target.task}",
            f"/units/van-phong-bo?status=&plan={target.plan}&q={target.task}",
            f"/plans/{target.plan}?status=&unit=van-phong-bo",
            f"/?status=&plan={target.plan}&unit=van-phong-bo&sort=plan",
        ):
            text = visible(client.get(path).text)
            assert note in text or "Hiển thị 51" in text, path
        task = client.get(f"/plans/{target.plan}/tasks/{target.task}").text
        assert f"Đề nghị gia hạn đến {wanted:%d/%m/%Y} (chờ Văn phòng Bộ xem xét)" in task


# --- sent emails --------------------------------------------------------------------------


DAY_RUN, DAY_RUN_AT = date(2024, 1, 22), NOW  # what ``day_run`` leaves in the database


@pytest.fixture
def sent_day(app, day_run):  # type: ignore[no-untyped-def]
    """The notices of 22/01/2024 enqueued (not delivered), as the daily run leaves them (its
    manual run at 09:00 that day: ``day_run``)."""
    return app


def test_notices_list_and_detail(sent_day, admin_client: TestClient) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update
    from sqlmodel import Session

    from engine.store.tables import OutboxMessage

    engine = sent_day.state.web.engine
    with Session(engine) as session, session.begin():
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.recipient == "van-phong-bo")
            .values(
                status="sent",
                sent_at=datetime(2024, 1, 22, 2, 5, tzinfo=UTC),  # 09:05 in Hà Nội
                outcomes={"van-phong-bo@btp.example": {"state": "accepted"}},
            )
        )
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.recipient == "cuc-htqtct")
            .values(last_error="421 máy chủ bận")
        )
    listing_page = admin_client.get("/notices")
    text = visible(listing_page.text)
    assert "đã gửi: 1" in text and "lỗi tạm thời, sẽ gửi lại: 1" in text and "đang gửi:" in text
    assert "Hiển thị 1–" in text
    retrying = admin_client.get("/notices?status=retrying")
    assert "Cục Hộ tịch, quốc tịch, chứng thực" in visible(retrying.text)
    assert visible(retrying.text).count("lỗi tạm thời, sẽ gửi lại") >= 2
    assert admin_client.get("/notices?status=xyz").status_code == 400
    sent = admin_client.get("/notices?status=sent&unit=van-phong-bo&from=22/01/2024&to=22/01/2024")
    message_id = re.search(r'href="/notices/(\d+)"', sent.text)[1]  # type: ignore[index]
    subject = re.search(r'href="/notices/\d+">([^<]+)</a>', sent.text)[1]  # type: ignore[index]
    words = " ".join(search_key(subject).split()[:2])
    found = admin_client.get(f"/notices?q={words}")
    assert f'href="/notices/{message_id}"' in found.text
    detail = admin_client.get(f"/notices/{message_id}")
    assert detail.status_code == 200
    text = visible(detail.text)
    assert "van-phong-bo@btp.example (đã nhận)" in text
    assert "Gửi lúc: 22/01/2024 09:05 (giờ Việt Nam, +07:00)" in text
    assert "Tình trạng gửi: đã gửi" in text
    assert "Văn phòng Bộ" in text and "Nhiệm vụ được nhắc trong thư" in text
    frame = re.search(r'<iframe id="body-html"[^>]*>', detail.text)[0]  # type: ignore[index]
    assert 'sandbox=""' in frame and 'srcdoc="&lt;' in frame  # the email's HTML, escaped
    assert "<pre" in detail.text and "Kính gửi" in visible(detail.text)
    assert admin_client.get("/notices/999999").status_code == 404


def test_notice_pages_need_an_officer(sent_day, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/notices/1", follow_redirects=False).status_code == 303
    login(client, "xem")
    assert client.get("/notices/1").status_code == 200


# --- Vietnamese on screen -----------------------------------------------------------------

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
CODES = re.compile(
    r"\b(sent|pending|catch-up|fixed_month|overdue|report_missing|in_progress|due_soon|"
    r"not_started|done_on_time|done_late|awaiting_\w+|quarter|deliverable|failed)\b"
)


def test_no_codes_iso_dates_or_english_on_screen(sent_day, admin_client: TestClient) -> None:  # type: ignore[no-untyped-def]
    app = sent_day
    with freeze_time(NOW):
        token = app.state.web.links.make("van-phong-bo")
        link_page = TestClient(app).get(f"/u/{token}").text
    message_id = re.search(r'href="/notices/(\d+)"', admin_client.get("/notices").text)[1]  # type: ignore[index]
    pages = {
        "overview": admin_client.get(f"/?as_of={DAY}").text,
        "plan": admin_client.get(f"/plans/qd-522-btp?as_of={DAY}").text,
        "unit": admin_client.get(f"/units/van-phong-bo?as_of={DAY}").text,
        "task": admin_client.get(f"/plans/qd-522-btp/tasks/TC-2?as_of={DAY}").text,
        "notices": admin_client.get("/notices").text,
        "notice": admin_client.get(f"/notices/{message_id}").text.split("<iframe")[0],
        "link": link_page,
    }
    for name, html in pages.items():
        text = visible(html)
        assert not ISO_DATE.search(text), (name, ISO_DATE.findall(text)[:3])
        assert not CODES.search(text), (name, CODES.findall(text)[:3])
    assert csrf_of(pages["overview"])
