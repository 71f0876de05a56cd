"""The admin's plan upload page: preview and review, download, save after confirming.

The app serves a writable copy of the rules (``web_rules`` overridden), so a saved plan is
really written into its ``rules/plans`` and the rules are really reloaded.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
import yaml

from engine.catalog.watch import RuleWatcher
from tests.plan_docs import FONT, save_pdf, save_workbook
from tests.test_plan_import import (
    ORDER,
    ORDER_522,
    plan_doc,
    plan_document,
    shipped,
    unseen_plan,
)
from tests.webutil import TestClient, csrf_of, login

PAGE = "/admin/plans/import"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def web_rules(rules_copy: Path) -> tuple[Path, Path]:
    return rules_copy / "rules", rules_copy / "schedules"


def _upload(
    client: TestClient, name: str, data: bytes, plan_id: str = ""
) -> tuple[int, str, str | None]:
    """(status, page, upload id) of posting a document."""
    csrf = csrf_of(client.get(PAGE).text)
    response = client.post(
        PAGE, data={"csrf": csrf, "plan_id": plan_id}, files={"file": (name, data, DOCX)}
    )
    found = response.text.split(f"{PAGE}/", 1)
    upload = found[1].split("/", 1)[0] if len(found) > 1 else None
    return response.status_code, response.text, upload


def _save(client: TestClient, upload: str, overwrite: bool = False):  # type: ignore[no-untyped-def]
    data = {"csrf": csrf_of(client.get(PAGE).text)}
    if overwrite:
        data["overwrite"] = "1"
    return client.post(f"{PAGE}/{upload}/save", data=data, follow_redirects=False)


def test_admin_page_links_to_the_upload(admin_client: TestClient) -> None:
    assert f'href="{PAGE}"' in admin_client.get("/admin").text


def test_upload_shows_preview_and_review_and_offers_downloads(
    admin_client: TestClient, rules_copy: Path
) -> None:
    document = unseen_plan(rules_copy).read_bytes()
    status, html, upload = _upload(admin_client, "ke-hoach.docx", document)
    assert status == 200 and upload
    # the preview: the plan's facts (dates dd/mm/yyyy) and every task as imported
    assert "85/KH-UBND" in html and "12/03/2024" in html
    assert "Rà soát, tái cấu trúc quy trình thủ tục hành chính; công bố danh mục" in html
    assert "Báo cáo 6 tháng" in html and "Quý III/2024" in html
    # the review: exactly what a person must decide
    assert "Rà soát: 3 mục cần người quyết định" in html
    assert "Sở Tư pháp tỉnh Ninh Thuận" in html and "Khi nào thuận tiện" in html
    draft = admin_client.get(f"{PAGE}/{upload}/ke-hoach.yaml")
    assert draft.status_code == 200
    assert 'filename="kh-85-ubnd.yaml"' in draft.headers["content-disposition"]
    assert yaml.safe_load(draft.text)["plan"]["number"] == "85/KH-UBND"
    units = yaml.safe_load(admin_client.get(f"{PAGE}/{upload}/don-vi.yaml").text)
    assert units["units"][0]["name"] == "Sở Tư pháp tỉnh Ninh Thuận"
    # nothing was written into the rules folder
    assert not (rules_copy / "rules" / "plans" / "kh-85-ubnd.yaml").exists()


@pytest.mark.parametrize("suffix", [".xlsx", ".pdf"])
def test_workbooks_and_pdfs_are_previewed_too(
    admin_client: TestClient, tmp_path: Path, suffix: str
) -> None:
    if suffix == ".pdf" and not FONT.is_file():
        pytest.skip("needs fonts-dejavu-core")
    save = save_workbook if suffix == ".xlsx" else save_pdf
    document = save(plan_doc(shipped("qd-910-btp"), ORDER), tmp_path / f"910{suffix}")
    status, html, upload = _upload(admin_client, f"910{suffix}", document.read_bytes())
    assert status == 200 and upload
    assert "Kế hoạch 910/QĐ-BTP — mã qd-910-btp" in html
    assert "Tham mưu ban hành Kế hoạch triển khai thực hiện nhiệm vụ của Đề án 06" in html


def test_a_draft_that_fails_engine_check_is_not_saved(
    admin_client: TestClient, rules_copy: Path
) -> None:
    _, _, upload = _upload(admin_client, "ke-hoach.docx", unseen_plan(rules_copy).read_bytes())
    assert upload
    response = _save(admin_client, upload)
    assert response.status_code == 400
    assert "chưa hợp lệ theo «engine check» nên chưa lưu gì" in response.text
    assert (
        "rules/plans/kh-85-ubnd.yaml:" in response.text
        and "nhiệm vụ 1, đơn vị chủ trì (lead) thứ 1: không có đơn vị «Sở Tư pháp tỉnh Ninh Thuận»"
        in response.text
    )
    assert not (rules_copy / "rules" / "plans" / "kh-85-ubnd.yaml").exists()
    # the draft stays downloadable, to be fixed by hand
    assert f"{PAGE}/{upload}/ke-hoach.yaml" in response.text
    assert admin_client.get(f"{PAGE}/{upload}/ke-hoach.yaml").status_code == 200


def test_confirmed_save_writes_the_plan_and_the_rules_reload(
    admin_client: TestClient, rules_copy: Path, app
) -> None:  # type: ignore[no-untyped-def]
    daemon = RuleWatcher(rules_copy / "rules", rules_copy / "schedules")  # the daemon's view
    document = plan_document(shipped("qd-910-btp"), rules_copy, ORDER).read_bytes()
    status, html, upload = _upload(admin_client, "910.docx", document, plan_id="kh-thu-nghiem")
    assert status == 200 and upload and "mã kh-thu-nghiem" in html
    response = _save(admin_client, upload)
    assert response.status_code == 303, response.text
    saved = rules_copy / "rules" / "plans" / "kh-thu-nghiem.yaml"
    assert yaml.safe_load(saved.read_text())["plan"]["id"] == "kh-thu-nghiem"
    assert "kh-thu-nghiem" in app.state.web.catalog.plans  # the web app reloaded at once
    assert daemon.refresh() == "reloaded" and "kh-thu-nghiem" in daemon.catalog.plans
    done = admin_client.get(response.headers["location"]).text
    assert "Đã lưu kế hoạch 910/QĐ-BTP" in done
    # the upload is gone once saved
    assert _save(admin_client, upload).status_code == 404


def test_an_existing_plan_is_overwritten_only_when_chosen(
    admin_client: TestClient, rules_copy: Path
) -> None:
    target = rules_copy / "rules" / "plans" / "qd-522-btp.yaml"
    before = target.read_text()
    document = plan_document(shipped("qd-522-btp"), rules_copy, ORDER_522).read_bytes()
    _, html, upload = _upload(admin_client, "522.docx", document)
    assert upload and "Ghi đè kế hoạch đã có mã «qd-522-btp»" in html
    refused = _save(admin_client, upload)
    assert refused.status_code == 409 and "đã có trong rules/plans/" in refused.text
    assert target.read_text() == before
    assert _save(admin_client, upload, overwrite=True).status_code == 303
    assert target.read_text() != before
    assert yaml.safe_load(target.read_text())["plan"]["number"] == "522/QĐ-BTP"


@cache
def _bomb() -> bytes:
    """A .docx of 70 MB of zeros compressed to a few kilobytes (made when a test first asks:
    compressing it takes almost half a second, at collection it was paid by every worker)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (70 * 2**20))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("ke-hoach.txt", b"KE HOACH", 400, "Chỉ nhận tệp .docx, .xlsx hoặc .pdf"),
        ("ke-hoach.docx", b"%PDF-1.4 not a word file", 400, "không phải tệp .docx hợp lệ"),
        ("ke-hoach.pdf", b"PK\x03\x04 not a pdf", 400, "không phải tệp .pdf hợp lệ"),
        ("ke-hoach.docx", b"PK" + b"\0" * (5 * 2**20 + 10), 413, "vượt giới hạn 5 MB"),
        ("ke-hoach.docx", _bomb, 400, "Tệp giải nén ra quá lớn hoặc hỏng"),
        ("ke-hoach.pdf", b"%PDF-1.4\n%%EOF", 400, "Không nhập được"),
    ],
)
def test_broken_oversized_and_wrong_uploads_are_refused_in_vietnamese(
    admin_client: TestClient,
    tmp_path: Path,
    name: str,
    data: bytes | Callable[[], bytes],
    status: int,
    message: str,
) -> None:
    code, html, _ = _upload(admin_client, name, data() if callable(data) else data)
    assert code == status and message in html
    assert not any((tmp_path / "plan-imports").glob("*/van-ban*"))  # nothing kept


def test_a_document_without_task_table_is_refused(admin_client: TestClient, tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("Công văn không có bảng nhiệm vụ")
    buffer = io.BytesIO()
    document.save(buffer)
    code, html, _ = _upload(admin_client, "cong-van.docx", buffer.getvalue())
    assert code == 400 and "không có bảng nhiệm vụ" in html


def test_only_an_admin_with_the_session_token_may_upload(
    client: TestClient, rules_copy: Path
) -> None:
    document = unseen_plan(rules_copy).read_bytes()
    login(client, "xem")
    csrf = csrf_of(client.get("/").text)
    viewer = client.post(PAGE, data={"csrf": csrf}, files={"file": ("k.docx", document, DOCX)})
    assert viewer.status_code == 403
    login(client)
    forged = client.post(PAGE, data={"csrf": "gia"}, files={"file": ("k.docx", document, DOCX)})
    assert forged.status_code == 403 and "tải lại trang rồi thử lại" in forged.text


def test_stale_uploads_are_swept(admin_client: TestClient, app, rules_copy: Path) -> None:  # type: ignore[no-untyped-def]
    import os
    import time

    from engine.web.files import PREVIEW_SECONDS
    from engine.web.plan_upload import sweep_uploads

    _, _, upload = _upload(admin_client, "ke-hoach.docx", unseen_plan(rules_copy).read_bytes())
    folder = Path(app.state.web.settings.data_dir) / "plan-imports" / str(upload)
    assert folder.is_dir()
    old = time.time() - PREVIEW_SECONDS - 60
    os.utime(folder, (old, old))
    sweep_uploads(app.state.web)
    assert not folder.exists()
    assert admin_client.get(f"{PAGE}/{upload}/ke-hoach.yaml").status_code == 404
