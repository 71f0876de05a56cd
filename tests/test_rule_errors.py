"""Broken rule files: every error at once, each with file, line and field, in Vietnamese."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.catalog.errors import RuleErrors
from engine.catalog.loader import check, load_catalog
from engine.cli import app


def _edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace ``old`` by ``new`` in a file; return the 1-based line of the first change."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


def _errors(root: Path) -> list[str]:
    errors, _ = check(root / "rules", root / "schedules")
    return [str(e) for e in errors]


def test_shipped_rules_are_clean(rules_copy: Path) -> None:
    assert _errors(rules_copy) == []


def test_every_error_of_a_broken_copy_is_reported_with_file_line_and_field(
    rules_copy: Path,
) -> None:
    plan = rules_copy / "rules" / "plans" / "qd-522-btp.yaml"
    unit_line = _edit(plan, 'lead: ["Vụ Tổ chức cán bộ"]', 'lead: ["Vụ Không Tồn Tại"]')
    phrase_line = _edit(plan, 'deadline: "Quý III-IV/2023"', 'deadline: "Khi nào xong thì thôi"')
    dup_line = _edit(plan, 'id: "21"', 'id: "20"')
    type_line = _edit(plan, "signed: 2023-04-07", "signed: 2023-13-45")
    errors = _errors(rules_copy)
    text = "\n".join(errors)
    display = "rules/plans/qd-522-btp.yaml"
    assert len(errors) == 4, text
    assert f"{display}:{type_line}: plan.signed: ngày 45/13/2023 không tồn tại" in text
    assert f"{display}:{unit_line}: tasks[" in text
    assert ".lead[0]: không có đơn vị «Vụ Không Tồn Tại»" in text
    assert (
        f"{display}:{phrase_line}: tasks[20].deadline: không đọc được cụm từ thời hạn «Khi nào xong thì thôi»"
        in text
    )
    assert f"{display}:{dup_line}: tasks[20].id: mã nhiệm vụ «20» bị trùng" in text


def test_wrong_types_and_unknown_fields_name_the_field(rules_copy: Path) -> None:
    units = rules_copy / "rules" / "units.yaml"
    line = _edit(units, "role: coordinating_office", "role: boss")
    plan = rules_copy / "rules" / "plans" / "qd-910-btp.yaml"
    typo_line = _edit(plan, "    content:", "    contnet:")
    errors = _errors(rules_copy)
    text = "\n".join(errors)
    assert f"units.yaml:{line}: units[0].role: giá trị «boss» không hợp lệ" in text
    assert f"qd-910-btp.yaml:{typo_line}: tasks[0].contnet: trường không được phép" in text
    assert "qd-910-btp.yaml:" in text and "tasks[0].content: thiếu trường bắt buộc" in text


def test_yaml_syntax_error_and_duplicate_key(rules_copy: Path) -> None:
    plan = rules_copy / "rules" / "plans" / "qd-149-btp.yaml"
    line = _edit(plan, "  number: ", "  number: [unclosed\n  number2: ")
    ref = rules_copy / "rules" / "references" / "GIAO-BAN-BO.yaml"
    dup = _edit(ref, "  match:", "  title: lần hai\n  match:")
    text = "\n".join(_errors(rules_copy))
    assert "qd-149-btp.yaml:" in text and "lỗi cú pháp YAML" in text
    assert f"GIAO-BAN-BO.yaml:{dup}: reference.title: khóa bị khai báo hai lần" in text
    assert line > 0


def test_bad_pattern_and_shadowed_example(rules_copy: Path) -> None:
    phrases = rules_copy / "rules" / "phrases.yaml"
    line = _edit(phrases, '"[thực hiện ]cả năm[ {year}]"', '"[thực hiện cả năm"')
    text = "\n".join(_errors(rules_copy))
    assert f"phrases.yaml:{line}: patterns[" in text and "thiếu dấu ']'" in text


def test_bad_vague_template_is_reported_not_raised(rules_copy: Path) -> None:
    phrases = rules_copy / "rules" / "phrases.yaml"
    line = _edit(phrases, '"(thượng|trung|hạ) tuần"', '"[thượng tuần"')
    text = "\n".join(_errors(rules_copy))
    assert f"phrases.yaml:{line}: vague[1].match[1]" in text and "thiếu dấu ']'" in text


def test_unknown_reference_document(rules_copy: Path) -> None:
    plan = rules_copy / "rules" / "plans" / "qd-910-btp.yaml"
    line = _edit(plan, '"Theo lịch họp giao ban của Bộ"', '"Theo Nghị định số 999/2030/NĐ-CP"')
    text = "\n".join(_errors(rules_copy))
    assert f"qd-910-btp.yaml:{line}:" in text and "không rõ văn bản tham chiếu" in text


@pytest.mark.parametrize("source", ["sources/khong-co.txt", "../../etc/passwd"])
def test_plan_source_must_be_a_file_inside_the_rules_folder(rules_copy: Path, source: str) -> None:
    plan = rules_copy / "rules" / "plans" / "qd-522-btp.yaml"
    line = _edit(plan, '"sources/qd-522-btp.txt"', f'"{source}"')
    text = "\n".join(_errors(rules_copy))
    assert f"qd-522-btp.yaml:{line}: plan.source:" in text
    assert f"không tìm thấy tệp văn bản nguồn «{source}»" in text


def test_explicit_timing_is_accepted_and_reported(rules_copy: Path) -> None:
    plan = rules_copy / "rules" / "plans" / "qd-910-btp.yaml"
    _edit(
        plan,
        'deadline: "Theo lịch họp giao ban của Bộ"',
        'deadline: "Theo lịch họp giao ban của Bộ"\n    timing: {kind: dated, timing_class: fixed_month, '
        "milestones: [{key: '2025-09', nominal_due: 2025-09-30}]}",
    )
    errors, warnings = check(rules_copy / "rules", rules_copy / "schedules")
    assert errors == []
    assert any("timing" in w for w in warnings)


def test_half_a_rule_set_is_never_loaded(rules_copy: Path) -> None:
    _edit(
        rules_copy / "rules" / "plans" / "qd-522-btp.yaml",
        'lead: ["Vụ Tổ chức cán bộ"]',
        'lead: ["X"]',
    )
    with pytest.raises(RuleErrors) as info:
        load_catalog(rules_copy / "rules", rules_copy / "schedules")
    assert len(info.value.errors) == 1


def test_engine_check_cli(rules_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(rules_copy)
    runner = CliRunner()
    ok = runner.invoke(app, ["check"])
    assert ok.exit_code == 0, ok.output
    assert "Hợp lệ" in ok.output
    _edit(rules_copy / "rules" / "units.yaml", "role: coordinating_office", "role: boss")
    bad = runner.invoke(app, ["check", "--rules", "rules"])
    assert bad.exit_code == 1
    assert "rules/units.yaml:" in bad.output and "units[0].role" in bad.output


def test_an_impossible_date_is_called_impossible(rules_copy: Path) -> None:
    plan = rules_copy / "rules" / "plans" / "qd-522-btp.yaml"
    line = _edit(plan, "signed: 2023-04-07", "signed: 2023-02-31")
    display = "rules/plans/qd-522-btp.yaml"
    assert f"{display}:{line}: plan.signed: ngày 31/02/2023 không tồn tại" in "\n".join(
        _errors(rules_copy)
    )
