"""``engine plan import``: Word documents built from the shipped plans read back as those plans.

The documents are built with python-docx from the shipped rule files (the truth), with the
awkward parts of real tables; the tests read whatever plans are shipped, so adding a plan to
rules/ does not break them.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from engine.catalog.loader import check
from engine.catalog.model import Catalog
from engine.cli import app
from engine.plans_import import review as r
from engine.plans_import.importer import import_plan
from tests.conftest import RULES
from tests.plan_docs import PlanDoc, Row, save_workbook, task_rows

FIELDS = ("section", "content", "lead", "cooperating", "deadline", "product", "funding", "note")
ORDER = ["stt", "content", "lead", "cooperating", "deadline", "product", "funding", "note"]
# 522/QĐ-BTP prints its columns in another order: the import finds them by their words.
ORDER_522 = ["stt", "content", "deadline", "lead", "cooperating", "product", "funding", "note"]


def shipped(plan_id: str) -> dict[str, Any]:
    return yaml.safe_load((RULES / "plans" / f"{plan_id}.yaml").read_text(encoding="utf-8"))


def table_tasks(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The tasks printed in the plan's table (organisation-section tasks are not)."""
    return [t for t in data["tasks"] if not str(t["id"]).startswith("TC-")]


def plan_document(data: dict[str, Any], tmp_path: Path, columns: list[str]) -> Path:
    return plan_doc(data, columns).save(tmp_path / f"{data['plan']['id']}.docx")


def plan_doc(data: dict[str, Any], columns: list[str]) -> PlanDoc:
    meta = data["plan"]
    signed = meta["signed"]
    title = meta["title"]
    appendix = [table_tasks(data)[0]["section"]]
    return PlanDoc(
        issuer=[meta["issuer"].upper()],
        number=meta["number"],
        place_date=f"Hà Nội, ngày {signed.day:02d} tháng {signed.month} năm {signed.year}",
        title=[title] if title.isupper() else ["KẾ HOẠCH", title.removeprefix("Kế hoạch ")],
        focal=f"{meta['coordinating_unit']} là đơn vị đầu mối, theo dõi, đôn đốc thực hiện.",
        columns=columns,
        rows=task_rows(table_tasks(data), repeat_header_after=10),
        appendix=appendix if appendix[0].isupper() and appendix[0][:2] != "I." else (),
    )


def effective(task: dict[str, Any], parent: dict[str, Any] | None, key: str) -> Any:
    """A field as the loader sees it: a sub-item's omitted lead/deadline is its parent's."""
    value = task.get(key)
    if value is None and parent is not None and key in ("lead", "cooperating", "deadline"):
        value = parent.get(key)
    if key == "section" and parent is not None:
        return None
    return value or None


def assert_same_tasks(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> None:
    assert [t["id"] for t in got] == [str(t["id"]) for t in expected]
    for want, have in zip(expected, got, strict=True):
        for key in FIELDS:
            assert effective(have, None, key) == effective(want, None, key), (want["id"], key)
        want_subs, have_subs = want.get("subtasks", []), have.get("subtasks", [])
        assert [s["id"] for s in have_subs] == [str(s["id"]) for s in want_subs]
        for sub_want, sub_have in zip(want_subs, have_subs, strict=True):
            for key in FIELDS:
                assert effective(sub_have, have, key) == effective(sub_want, want, key), (
                    sub_want["id"],
                    key,
                )


def assert_review_asks_for_unsure_rows(data: dict, result: Any) -> None:
    """The review asks a person exactly about the unnumbered, unmarked rows read as sub-items
    (sub-items of task 16 are printed with "- " and are not in doubt)."""
    unsure = {
        str(sub["id"])
        for task in table_tasks(data)
        if task["id"] != "16"
        for sub in task.get("subtasks", [])
    }
    todo = r.needs_person(result.findings)
    assert {(f.task, f.kind) for f in todo} == {(i, r.UNSURE_ROW) for i in unsure}


@pytest.mark.parametrize(("plan_id", "columns"), [("qd-522-btp", ORDER_522), ("qd-910-btp", ORDER)])
def test_round_trip_of_shipped_plans(
    plan_id: str, columns: list[str], catalog: Catalog, tmp_path: Path
) -> None:
    data = shipped(plan_id)
    result = import_plan(plan_document(data, tmp_path, columns), catalog)
    assert result.meta["id"] == plan_id
    for key in ("number", "issuer", "signed", "coordinating_unit"):
        assert result.meta[key] == data["plan"][key]
    assert result.meta["horizon"]["text"] == data["plan"]["horizon"]["text"]
    assert result.meta["horizon"]["end"] == data["plan"]["horizon"]["end"]
    assert_same_tasks(table_tasks(data), result.tasks)
    assert_review_asks_for_unsure_rows(data, result)
    kinds = {f.kind for f in result.findings}
    assert r.REPEATED_HEADER in kinds and r.MERGED_DOWN in kinds


@pytest.mark.parametrize("plan_id", ["qd-522-btp", "qd-910-btp"])
def test_engine_check_accepts_the_draft(plan_id: str, rules_copy: Path) -> None:
    """The draft replaces the shipped file and the rule set still loads."""
    data = shipped(plan_id)
    columns = ORDER_522 if plan_id == "qd-522-btp" else ORDER
    document = plan_document(data, rules_copy, columns)
    draft = rules_copy / "rules" / "plans" / f"{plan_id}.yaml"
    result = CliRunner().invoke(
        app, ["plan", "import", str(document), "--out", str(draft), "--rules", str(RULES)]
    )
    assert result.exit_code == (1 if data["tasks"] and plan_id == "qd-910-btp" else 0), (
        result.output
    )
    assert (rules_copy / "rules" / "plans" / f"{plan_id}.review.md").is_file()
    shutil.move(rules_copy / "rules" / "plans" / f"{plan_id}.review.md", rules_copy / "review.md")
    errors, _ = check(rules_copy / "rules", rules_copy / "schedules")
    assert errors == []


def unseen_plan(tmp_path: Path) -> Path:
    """A provincial plan the project has never seen: other columns, other units."""
    section = "I. CHUYỂN ĐỔI SỐ TRONG GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
    rows = [
        Row(section=section),
        Row(
            {
                "stt": ["1"],
                "content": [
                    "Rà soát, tái cấu trúc quy trình thủ tục hành chính;",
                    "công bố danh mục",
                ],
                "lead": ["Sở Tư pháp tỉnh Ninh Thuận"],
                "cooperating": ["Văn phòng Bộ; Cục Công nghệ thông tin"],
                "deadline": ["Tháng 6/2024"],
                "product": ["Quyết định công bố"],
            }
        ),
        Row(
            {
                "stt": ["2"],
                "content": ["Tổ chức hội nghị tập huấn cho cán bộ tư pháp cấp xã"],
                "lead": ["Văn phòng Bộ"],
                "cooperating": ["Các đơn vị thuộc Bộ có liên quan"],
                "deadline": ["Quý III/2024"],
                "product": ["Hội nghị"],
            },
            merge_right=("deadline", "product"),
        ),
        Row(
            {
                "stt": ["3"],
                "content": ["Báo cáo kết quả thực hiện"],
                "lead": ["Văn phòng Bộ"],
                "deadline": ["Khi nào thuận tiện"],
            }
        ),
        Row({"stt": ["a)"], "content": ["Báo cáo 6 tháng"], "deadline": ["Tháng 6/2024"]}),
    ]
    return PlanDoc(
        issuer=["ỦY BAN NHÂN DÂN", "TỈNH NINH THUẬN"],
        number="85/KH-UBND",
        place_date="Ninh Thuận, ngày 12 tháng 3 năm 2024",
        title=["KẾ HOẠCH", "CHUYỂN ĐỔI SỐ NGÀNH TƯ PHÁP TỈNH NINH THUẬN NĂM 2024"],
        focal="Giao Văn phòng Bộ là cơ quan đầu mối theo dõi, đôn đốc.",
        columns=["stt", "content", "lead", "cooperating", "deadline", "product"],
        rows=rows,
    ).save(tmp_path / "ke-hoach.docx")


def test_unseen_plan_lists_exactly_what_a_person_decides(catalog: Catalog, tmp_path: Path) -> None:
    result = import_plan(unseen_plan(tmp_path), catalog)
    meta = result.meta
    assert meta["id"] == "kh-85-ubnd" and meta["number"] == "85/KH-UBND"
    assert meta["issuer"] == "ỦY BAN NHÂN DÂN TỈNH NINH THUẬN"
    assert meta["horizon"]["text"] == "năm 2024" and meta["coordinating_unit"] == "Văn phòng Bộ"
    tasks = {t["id"]: t for t in result.tasks}
    assert list(tasks) == ["1", "2", "3"]
    assert tasks["1"]["content"] == (
        "Rà soát, tái cấu trúc quy trình thủ tục hành chính; công bố danh mục"
    )
    assert tasks["1"]["cooperating"] == ["Văn phòng Bộ", "Cục Công nghệ thông tin"]
    assert tasks["1"]["section"] == tasks["3"]["section"]
    assert tasks["2"]["deadline"] == "Quý III/2024" and "product" not in tasks["2"]
    assert tasks["3"]["subtasks"] == [
        {"id": "3.1", "content": "Báo cáo 6 tháng", "deadline": "Tháng 6/2024"}
    ]
    todo = {(f.task, f.kind) for f in r.needs_person(result.findings)}
    assert todo == {
        ("1", r.UNKNOWN_UNIT),
        ("2", r.MERGED_ACROSS),
        ("3", r.UNREAD_DEADLINE),
    }
    assert "Sở Tư pháp tỉnh Ninh Thuận" in result.unknown_units


def test_cli_writes_draft_review_and_units_then_check_lists_only_reviewed_items(
    rules_copy: Path,
) -> None:
    document = unseen_plan(rules_copy)
    draft = rules_copy / "rules" / "plans" / "kh-85-ubnd.yaml"
    result = CliRunner().invoke(
        app, ["plan", "import", str(document), "--out", str(draft), "--rules", str(RULES)]
    )
    assert result.exit_code == 1, result.output
    assert "CẦN QUYẾT ĐỊNH · nhiệm vụ 1" in result.output
    review = (rules_copy / "rules" / "plans" / "kh-85-ubnd.review.md").read_text()
    assert "Sở Tư pháp tỉnh Ninh Thuận" in review and "Khi nào thuận tiện" in review
    units = yaml.safe_load((rules_copy / "rules" / "plans" / "kh-85-ubnd.units.yaml").read_text())
    assert units["units"][0]["name"] == "Sở Tư pháp tỉnh Ninh Thuận"
    for name in ("kh-85-ubnd.review.md", "kh-85-ubnd.units.yaml"):
        shutil.move(rules_copy / "rules" / "plans" / name, rules_copy / name)
    errors, _ = check(rules_copy / "rules", rules_copy / "schedules")
    assert sorted(e.field for e in errors) == [
        "nhiệm vụ 1, đơn vị chủ trì (lead) thứ 1",
        "nhiệm vụ 3, thời hạn (deadline)",
    ]


def test_workbook_of_a_shipped_plan_reads_the_same(catalog: Catalog, tmp_path: Path) -> None:
    """.xlsx: the same table on a sheet, merged ranges (down and across) resolved."""
    data = shipped("qd-910-btp")
    book = save_workbook(plan_doc(data, ORDER), tmp_path / "qd-910-btp.xlsx")
    result = import_plan(book, catalog)
    assert result.meta["number"] == "910/QĐ-BTP" and result.meta["id"] == "qd-910-btp"
    # the sheet has no heading above the table: tasks before the first section row have none
    expected = table_tasks(data)
    assert_same_tasks(expected, result.tasks)
    assert any(f.kind == r.MERGED_DOWN for f in result.findings)


def test_a_document_without_task_table_is_refused_in_vietnamese(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("Công văn không có bảng nhiệm vụ")
    document.save(str(tmp_path / "cong-van.docx"))
    result = CliRunner().invoke(
        app, ["plan", "import", str(tmp_path / "cong-van.docx"), "--rules", str(RULES)]
    )
    assert result.exit_code == 2
    assert "không có bảng nhiệm vụ" in result.output
