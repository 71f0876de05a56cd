"""rules/escalation.yaml is validated like every rule file: file, line, field, Vietnamese."""

from __future__ import annotations

from pathlib import Path

from engine.catalog.loader import check


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def _errors(root: Path) -> str:
    errors, _ = check(root / "rules", root / "schedules")
    return "\n".join(str(e) for e in errors)


def test_bad_escalation_rules_are_reported(rules_copy: Path) -> None:
    file = rules_copy / "rules" / "escalation.yaml"
    field_line = _edit(
        file, "      working_days_to_due: {gte: 2, lte: 7}", "      ngay_con_lai: {gte: 2, lte: 7}"
    )
    value_line = _edit(
        file,
        "      status: overdue\n      working_days_overdue: {gte: 1}",
        "      status: quahan\n      working_days_overdue: {gte: 1}",
    )
    to_line = _edit(file, "    to: [coordinating_office]", "    to: [van-phong-khong-co]")
    template_line = _edit(file, "    template: leadership", "    template: lanh-dao")
    text = _errors(rules_copy)
    assert (
        f"rules/escalation.yaml:{field_line - 4}: quy tắc nhac-truoc-7-ngay, điều kiện (when): "
        in text
    )
    assert "trường điều kiện «ngay_con_lai» không có" in text
    assert "«quahan» không phải giá trị của «status»" in text
    assert (
        f"rules/escalation.yaml:{template_line}: quy tắc bao-lanh-dao-bo, mẫu thư (template): giá trị «lanh-dao» không hợp lệ"
        in text
    )
    # recipients are checked once the file's shape is valid
    _edit(
        file, "      ngay_con_lai: {gte: 2, lte: 7}", "      working_days_to_due: {gte: 2, lte: 7}"
    )
    _edit(file, "      status: quahan", "      status: overdue")
    _edit(file, "    template: lanh-dao", "    template: leadership")
    text = _errors(rules_copy)
    assert (
        f"rules/escalation.yaml:{to_line}: quy tắc bao-van-phong-bo, người nhận (to) thứ 1: người nhận «van-phong-khong-co» không phải mã đơn vị"
        in text
    )
    assert value_line > field_line > 0


def test_wrong_type_in_a_condition(rules_copy: Path) -> None:
    file = rules_copy / "rules" / "escalation.yaml"
    _edit(file, "      days_overdue: {gte: 30}", '      days_overdue: {gte: "30"}')
    assert "«days_overdue» so sánh với số nguyên" in _errors(rules_copy)


def test_repeat_needs_exactly_one_interval(rules_copy: Path) -> None:
    file = rules_copy / "rules" / "escalation.yaml"
    line = _edit(file, "    repeat: {months: 1}", "    repeat: {months: 1, working_days: 5}")
    assert (
        f"rules/escalation.yaml:{line}: quy tắc bao-lanh-dao-bo, gửi lại (repeat): ghi đúng một trong hai"
        in _errors(rules_copy)
    )
