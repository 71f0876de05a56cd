"""``engine plan import`` of a PDF with a text layer: the same tasks and review as a .docx.

The PDFs are drawn with reportlab in DejaVuSans (Debian's fonts-dejavu-core), so their text
layer is real Unicode text: the shipped plans' tables (header repeated on every page, section
rows spanning the table) and a hand-drawn table whose rows break across pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.catalog.model import Catalog
from engine.cli import app
from engine.plans_import import review as r
from engine.plans_import.importer import import_plan
from tests.conftest import RULES
from tests.plan_docs import FONT, draw_pdf, save_pdf
from tests.test_plan_import import (
    ORDER,
    ORDER_522,
    assert_review_asks_for_unsure_rows,
    assert_same_tasks,
    plan_doc,
    shipped,
    table_tasks,
)

pytestmark = pytest.mark.skipif(not FONT.is_file(), reason="needs fonts-dejavu-core")


@pytest.mark.parametrize(("plan_id", "columns"), [("qd-522-btp", ORDER_522), ("qd-910-btp", ORDER)])
def test_pdf_round_trip_of_shipped_plans(
    plan_id: str, columns: list[str], catalog: Catalog, tmp_path: Path
) -> None:
    data = shipped(plan_id)
    pdf = save_pdf(plan_doc(data, columns), tmp_path / f"{plan_id}.pdf")
    result = import_plan(pdf, catalog)
    assert result.meta["id"] == plan_id
    for key in ("number", "issuer", "signed", "coordinating_unit"):
        assert result.meta[key] == data["plan"][key]
    assert result.meta["horizon"]["end"] == data["plan"]["horizon"]["end"]
    assert_same_tasks(table_tasks(data), result.tasks)
    assert_review_asks_for_unsure_rows(data, result)
    # the table runs over several pages: each page's header row was skipped, not read as a task
    repeated = [f for f in result.findings if f.kind == r.REPEATED_HEADER]
    assert len(repeated) >= 3


HEADER = ["STT", "Nội dung công việc", "Đơn vị chủ trì", "Thời gian hoàn thành"]


def split_row_plan(tmp_path: Path) -> Path:
    """Three pages; task 2 breaks inside its content, task 4's lead is merged with task 3's,
    task 4's sub-item starts page 3."""
    heading = [
        "BỘ TƯ PHÁP",
        "Số: 77/KH-BTP",
        "Hà Nội, ngày 05 tháng 3 năm 2024",
        "KẾ HOẠCH",
        "KIỂM TRA VIỆC THỰC HIỆN ĐỀ ÁN 06 NĂM 2024",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "Văn phòng Bộ là đơn vị đầu mối, theo dõi, đôn đốc thực hiện.",
    ]
    header = [[h] for h in HEADER]
    page1 = [
        header,
        [
            ["1."],
            ["Rà soát việc triển khai"],
            ["Văn phòng Bộ", "Cục Công nghệ thông tin"],
            ["Tháng 6/2024"],
        ],
        # the longest line of its column: it fills the cell, so the page broke inside it
        [["2."], ["Xây dựng báo cáo tổng hợp kết quả thực hiện"], ["Cục Công nghệ thông tin"], []],
    ]
    page2 = [
        header,
        [[], ["Đề án 06 của Bộ Tư pháp"], [], ["Tháng 12/2024"]],
        [["3."], ["Tổ chức hội nghị sơ kết"], ["Văn phòng Bộ"], ["Quý III/2024"]],
        # the lead cell of task 3 is merged down over task 4
        [["4."], ["Tổ chức hội nghị tổng kết"], None, ["Quý IV/2024"]],
    ]
    page3 = [header, [[], ["Báo cáo 6 tháng"], [], ["Tháng 6/2024"]]]
    return draw_pdf(tmp_path / "ke-hoach-77.pdf", heading, [page1, page2, page3])


def test_a_row_split_by_a_page_break_is_one_task(catalog: Catalog, tmp_path: Path) -> None:
    result = import_plan(split_row_plan(tmp_path), catalog)
    assert result.meta["id"] == "kh-77-btp" and result.meta["coordinating_unit"] == "Văn phòng Bộ"
    tasks = {t["id"]: t for t in result.tasks}
    assert list(tasks) == ["1", "2", "3", "4"]
    assert tasks["1"]["lead"] == ["Văn phòng Bộ", "Cục Công nghệ thông tin"]
    assert (
        tasks["2"]["content"]
        == "Xây dựng báo cáo tổng hợp kết quả thực hiện Đề án 06 của Bộ Tư pháp"
    )
    assert tasks["2"]["lead"] == ["Cục Công nghệ thông tin"]
    assert tasks["2"]["deadline"] == "Tháng 12/2024"
    assert tasks["4"]["lead"] == tasks["3"]["lead"] == ["Văn phòng Bộ"]
    assert any(f.task == "4" and f.kind == r.MERGED_DOWN for f in result.findings)
    # an unnumbered row that starts a page after a complete row is a sub-item, for a person
    # to confirm, not the rest of task 4
    assert tasks["4"]["content"] == "Tổ chức hội nghị tổng kết"
    assert tasks["4"]["subtasks"] == [
        {"id": "4.1", "content": "Báo cáo 6 tháng", "deadline": "Tháng 6/2024"}
    ]
    todo = {(f.task, f.kind) for f in r.needs_person(result.findings)}
    assert todo == {("4.1", r.UNSURE_ROW)}
    assert sum(f.kind == r.REPEATED_HEADER for f in result.findings) == 2
    joined = [f.message for f in result.findings if f.kind == r.CONTINUED_ROW]
    assert joined == [
        "dòng đầu trang 2 (ô STT trống) là phần còn lại của dòng cuối trang 1, bị ngắt trang: "
        "đã nối lại"
    ]


def test_cli_imports_a_pdf_with_the_same_report(tmp_path: Path) -> None:
    document = split_row_plan(tmp_path)
    draft = tmp_path / "kh-77-btp.yaml"
    result = CliRunner().invoke(
        app, ["plan", "import", str(document), "--out", str(draft), "--rules", str(RULES)]
    )
    assert result.exit_code == 1, result.output
    assert "Đã đọc 5 nhiệm vụ" in result.output
    assert "CẦN QUYẾT ĐỊNH · nhiệm vụ 4.1" in result.output
    assert (tmp_path / "kh-77-btp.review.md").is_file()
    assert (
        "Xây dựng báo cáo tổng hợp kết quả thực hiện Đề án 06 của Bộ Tư pháp" in draft.read_text()
    )


def test_a_pdf_without_text_layer_is_refused_in_vietnamese(tmp_path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    scan = Canvas(str(tmp_path / "ban-quet.pdf"))
    scan.rect(50, 50, 200, 100, fill=1)  # an image-like page: no text at all
    scan.save()
    result = CliRunner().invoke(
        app, ["plan", "import", str(tmp_path / "ban-quet.pdf"), "--rules", str(RULES)]
    )
    assert result.exit_code == 2
    assert "không có lớp chữ" in result.output


def test_registered_names_printed_back_to_back_are_split(catalog: Catalog) -> None:
    """A PDF joins a cell's wrapped lines; two unit names on two lines become one run."""
    from engine.plans_import.units import UnitRegistry

    registry = UnitRegistry(catalog.units.values())
    assert registry.split(["Văn phòng Bộ các đơn vị thuộc Bộ có liên quan"]) == [
        "Văn phòng Bộ",
        "các đơn vị thuộc Bộ có liên quan",
    ]
    # a name that is registered whole, or an unknown run, is kept as printed
    assert registry.split(["Cục Hộ tịch, quốc tịch, chứng thực"]) == [
        "Cục Hộ tịch, quốc tịch, chứng thực"
    ]
    assert registry.split(["Văn phòng Bộ và Sở Tư pháp tỉnh Ninh Thuận"]) == [
        "Văn phòng Bộ và Sở Tư pháp tỉnh Ninh Thuận"
    ]


def test_a_pdf_of_too_many_pages_is_refused_before_reading(tmp_path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    from engine.plans_import.pdf_reader import MAX_PAGES

    book = Canvas(str(tmp_path / "dai.pdf"))
    for _ in range(MAX_PAGES + 1):
        book.drawString(72, 72, "Trang")
        book.showPage()
    book.save()
    result = CliRunner().invoke(
        app, ["plan", "import", str(tmp_path / "dai.pdf"), "--rules", str(RULES)]
    )
    assert result.exit_code == 2
    assert f"vượt giới hạn {MAX_PAGES} trang" in " ".join(result.output.split())
