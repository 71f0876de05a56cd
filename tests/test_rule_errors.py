"""Broken rule files: every error at once, each with file, line and field, in Vietnamese.

Tasks are named by their own id ("nhiệm vụ 18"), fields by their Vietnamese label with the
file's key in brackets; YAML syntax mistakes are explained at the line where they are.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from engine.catalog.errors import RuleError, RuleErrors
from engine.catalog.loader import check, load_catalog
from engine.catalog.yamlfile import load_yaml
from engine.cli import app
from tests.conftest import RULES


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
    assert (
        f"{display}:{unit_line}: nhiệm vụ 18, đơn vị chủ trì (lead) thứ 1: "
        "không có đơn vị «Vụ Không Tồn Tại»" in text
    )
    # task 21 was renamed "20" by the edit: it is named as the file now names it
    assert (
        f"{display}:{phrase_line}: nhiệm vụ 20, thời hạn (deadline): "
        "không đọc được cụm từ thời hạn «Khi nào xong thì thôi»" in text
    )
    assert f"{display}:{dup_line}: nhiệm vụ 20, mã (id): mã nhiệm vụ «20» bị trùng" in text
    assert "tasks[" not in text


def test_wrong_types_and_unknown_fields_name_the_field(rules_copy: Path) -> None:
    units = rules_copy / "rules" / "units.yaml"
    line = _edit(units, "role: coordinating_office", "role: boss")
    plan = rules_copy / "rules" / "plans" / "qd-910-btp.yaml"
    typo_line = _edit(plan, "    content:", "    contnet:")
    errors = _errors(rules_copy)
    text = "\n".join(errors)
    assert (
        f"units.yaml:{line}: đơn vị van-phong-bo, vai trò (role): giá trị «boss» không hợp lệ"
        in text
    )
    assert (
        f"qd-910-btp.yaml:{typo_line}: nhiệm vụ 1, trường contnet: trường không được phép" in text
    )
    assert (
        "qd-910-btp.yaml:" in text
        and "nhiệm vụ 1, nội dung (content): thiếu trường bắt buộc" in text
    )


def test_yaml_syntax_error_and_duplicate_key(rules_copy: Path) -> None:
    plan = rules_copy / "rules" / "plans" / "qd-149-btp.yaml"
    line = _edit(plan, "  number: ", "  number: [unclosed\n  number2: ")
    ref = rules_copy / "rules" / "references" / "GIAO-BAN-BO.yaml"
    dup = _edit(ref, "  match:", "  title: lần hai\n  match:")
    text = "\n".join(_errors(rules_copy))
    assert f"rules/plans/qd-149-btp.yaml:{line}: dấu ngoặc «[» mở ở dòng này chưa được đóng" in text
    assert f"GIAO-BAN-BO.yaml:{dup}: reference.title: khóa «title» bị khai báo hai lần" in text


def test_bad_pattern_and_shadowed_example(rules_copy: Path) -> None:
    phrases = rules_copy / "rules" / "phrases.yaml"
    line = _edit(phrases, '"[thực hiện ]cả năm[ {year}]"', '"[thực hiện cả năm"')
    text = "\n".join(_errors(rules_copy))
    assert (
        f"phrases.yaml:{line}: mẫu cụm từ ca-nam, khuôn (match) thứ " in text
        and "thiếu dấu ']'" in text
    )


def test_bad_vague_template_is_reported_not_raised(rules_copy: Path) -> None:
    phrases = rules_copy / "rules" / "phrases.yaml"
    line = _edit(phrases, '"(thượng|trung|hạ) tuần"', '"[thượng tuần"')
    text = "\n".join(_errors(rules_copy))
    assert (
        f"phrases.yaml:{line}: nhóm cụm từ không rõ thứ 2, khuôn (match) thứ 2:" in text
        and "thiếu dấu ']'" in text
    )


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
    assert "rules/units.yaml:" in bad.output and "đơn vị van-phong-bo, vai trò (role)" in bad.output


def test_an_impossible_date_is_called_impossible(rules_copy: Path) -> None:
    plan = rules_copy / "rules" / "plans" / "qd-522-btp.yaml"
    line = _edit(plan, "signed: 2023-04-07", "signed: 2023-02-31")
    display = "rules/plans/qd-522-btp.yaml"
    assert f"{display}:{line}: plan.signed: ngày 31/02/2023 không tồn tại" in "\n".join(
        _errors(rules_copy)
    )


def _broken_copy(root: Path, name: str, old: str, new: str) -> tuple[str, int]:
    """A copy of plan 149 named ``name`` with one hand-edit mistake; (display path, line)."""
    plans = root / "rules" / "plans"
    text = (plans / "qd-149-btp.yaml").read_text(encoding="utf-8")
    (plans / f"{name}.yaml").write_text(text.replace("id: qd-149-btp", f"id: {name}"), "utf-8")
    return f"rules/plans/{name}.yaml", _edit(plans / f"{name}.yaml", old, new)


def test_yaml_mistakes_are_explained_at_their_line_all_at_once(
    rules_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One real broken file per usual mistake; ``engine check`` lists every one."""
    root = rules_copy
    cases = [
        # a field indented one space too far
        (
            *_broken_copy(
                root,
                "thut-le",
                '    lead: ["Vụ Tổ chức cán bộ"]',
                '     lead: ["Vụ Tổ chức cán bộ"]',
            ),
            "thụt lề sai: dòng này thụt 5 dấu cách, còn dòng",
        ),
        # a tab in the indentation
        (
            *_broken_copy(
                root,
                "tab",
                '    cooperating: ["Các đơn vị liên quan thuộc Bộ"]',
                '\tcooperating: ["Các đơn vị liên quan thuộc Bộ"]',
            ),
            "dòng thụt lề bằng ký tự tab; YAML chỉ cho thụt lề bằng dấu cách",
        ),
        # a new task written without its "- "
        (
            *_broken_copy(root, "thieu-gach", '  - id: "3"', '  id: "3"'),
            "thiếu «- » trước mục này (một nhiệm vụ mới)",
        ),
        # a quote opened and never closed: the parser stops lines later
        (
            *_broken_copy(root, "ngoac-kep", 'deadline: "Tháng 2/2022"', 'deadline: "Tháng 2/2022'),
            'dấu ngoặc «"» mở ở dòng này chưa được đóng; thêm «"» ở cuối giá trị',
        ),
        # a colon inside a value without quotes
        (
            *_broken_copy(
                root, "hai-cham", 'product: "Hội nghị quán triệt"', "product: Hội nghị: quán triệt"
            ),
            "giá trị có dấu hai chấm «: » mà không đặt trong ngoặc kép",
        ),
    ]
    plan = root / "rules" / "plans" / "qd-910-btp.yaml"
    duplicate = (
        _edit(
            plan,
            '        deadline: "Tháng 6/2025"\n',
            '        deadline: "Tháng 6/2025"\n        deadline: "Tháng 7/2025"\n',
        )
        + 1
    )
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["check", "--rules", "rules"])
    assert result.exit_code == 1
    output = " ".join(result.output.split())  # rich wraps long lines
    for display, line, message in cases:
        assert f"{display}:{line}: {message}" in output, (display, line, output)
    assert (
        f"rules/plans/qd-910-btp.yaml:{duplicate}: nhiệm vụ 33.1, thời hạn (deadline): "
        f"khóa «deadline» bị khai báo hai lần (lần đầu ở dòng {duplicate - 1})" in output
    )


def test_a_second_id_in_a_task_suggests_the_missing_dash(rules_copy: Path) -> None:
    """Without "- " and indented like the fields, a new task is a second ``id`` key."""
    plan = rules_copy / "rules" / "plans" / "qd-910-btp.yaml"
    line = _edit(plan, '  - id: "2"\n', '    id: "2"\n')
    text = "\n".join(_errors(rules_copy))
    assert f"qd-910-btp.yaml:{line}: nhiệm vụ 1, mã (id): khóa «id» bị khai báo hai lần" in text
    assert "nếu đây là một nhiệm vụ mới, thêm «- » trước «id»" in text


def test_sub_tasks_and_tasks_without_id_are_named(rules_copy: Path) -> None:
    plan = rules_copy / "rules" / "plans" / "qd-910-btp.yaml"
    no_id = _edit(plan, '  - id: "1"\n    section:', "  - section:")
    sub_line = _edit(
        plan, 'deadline: "Tháng 12/2025"\n  - id: "34"', 'deadline: "Khi nào rảnh"\n  - id: "34"'
    )
    text = "\n".join(_errors(rules_copy))
    assert (
        f"qd-910-btp.yaml:{sub_line}: nhiệm vụ 33.2, thời hạn (deadline): "
        "không đọc được cụm từ thời hạn «Khi nào rảnh»" in text
    )
    assert (
        f"qd-910-btp.yaml:{no_id}: nhiệm vụ thứ 1 (không có mã), mã (id): thiếu trường bắt buộc"
        in text
    )


def test_implements_cycle_names_the_task(rules_copy: Path) -> None:
    ct05 = rules_copy / "rules" / "plans" / "ct-05-ttg.yaml"
    line = _edit(ct05, '  - id: "B33"\n', '  - id: "B33"\n    implements: ["qd-522-btp:3"]\n')
    text = "\n".join(_errors(rules_copy))
    assert (
        f"ct-05-ttg.yaml:{line}: nhiệm vụ B33, nhiệm vụ được thực hiện (implements): vòng lặp"
        in text
    )


_PLAN_LINES = (RULES / "plans" / "qd-910-btp.yaml").read_text(encoding="utf-8").splitlines()
_QUOTED = [i for i, line in enumerate(_PLAN_LINES) if re.fullmatch(r'\s+\w+: ".*"', line)]
_INDENTED = [i for i, line in enumerate(_PLAN_LINES) if re.match(r"\s+\w+:", line)]


@settings(max_examples=40, deadline=None)
@given(index=st.sampled_from(_QUOTED))
def test_an_unclosed_quote_is_reported_where_it_opens(index: int) -> None:
    """Whichever quoted value loses its closing quote, the error names that value's line."""
    lines = list(_PLAN_LINES)
    lines[index] = lines[index][:-1]
    _, errors = load_yaml_text("\n".join(lines) + "\n")
    assert [e.line for e in errors] == [index + 1]
    assert errors[0].message.startswith('dấu ngoặc «"» mở ở dòng này chưa được đóng')


@settings(max_examples=40, deadline=None)
@given(index=st.sampled_from(_INDENTED))
def test_a_tab_is_reported_at_its_line(index: int) -> None:
    lines = list(_PLAN_LINES)
    lines[index] = "\t" + lines[index].lstrip(" ")
    _, errors = load_yaml_text("\n".join(lines) + "\n")
    assert [e.line for e in errors] == [index + 1]
    assert errors[0].message.startswith("dòng thụt lề bằng ký tự tab")


def load_yaml_text(text: str) -> tuple[object, list[RuleError]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.yaml"
        path.write_text(text, encoding="utf-8")
        return load_yaml(path, "rules/plans/x.yaml")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        # the first task written without "- ", the second with it
        ('tasks:\n  id: "1"\n  content: "a"\n  - id: "2"\n', 2, "thiếu «- » trước mục này"),
        # an unclosed "[" is reported where it opens, not where the parser gave up
        ('plan:\n  lead: ["A", "B"\n  deadline: "b"\n  title: "t"\n', 2, "dấu ngoặc «[» mở"),
        # anything else: the parser's line, with the usual suspects named
        ("tasks:\n  - lead: *x\n", 2, "lỗi cú pháp YAML; kiểm tra thụt lề, dấu «- »"),
    ],
)
def test_other_syntax_mistakes(text: str, line: int, message: str) -> None:
    _, errors = load_yaml_text(text)
    assert [e.line for e in errors] == [line]
    assert errors[0].message.startswith(message) and errors[0].field == ""


def test_a_file_read_again_is_an_equal_copy_and_an_edit_is_seen(tmp_path: Path) -> None:
    """Parsed texts are memoised: a second read of the same text gives an equal document of
    its own (changing one leaves the other), under its own display path; an edited text is
    parsed again, duplicate keys and syntax errors included."""
    text = "id: kh-1\ntasks:\n  - id: A1\n    lead: [van-phong-bo]\n"
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(text, encoding="utf-8")
    second.write_text(text, encoding="utf-8")
    one, _ = load_yaml(first, "rules/plans/a.yaml")
    two, _ = load_yaml(second, "rules/plans/b.yaml")
    assert one is not None and two is not None
    assert (one.data, one.lines) == (two.data, two.lines) and two.path == "rules/plans/b.yaml"
    one.data["tasks"][0]["lead"].append("khac")
    assert two.data["tasks"][0]["lead"] == ["van-phong-bo"]
    second.write_text(text + "id: kh-2\n", encoding="utf-8")
    _, errors = load_yaml(second, "rules/plans/b.yaml")
    assert [(e.path, e.line) for e in errors] == [("rules/plans/b.yaml", 5)]
    second.write_text(text + '    name: "A\n', encoding="utf-8")
    document, errors = load_yaml(second, "rules/plans/b.yaml")
    assert document is None and [e.line for e in errors] == [5]
