"""``engine report monthly``: the Word and Excel drafts written to a folder, signed as the
settings say."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from engine.cli import app
from tests.conftest import RULES, SCHEDULES


def test_report_monthly_writes_the_drafts_with_the_configured_signer(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("ENGINE_RULES_DIR", str(RULES))
    monkeypatch.setenv("ENGINE_SCHEDULES_DIR", str(SCHEDULES))
    monkeypatch.setenv("ENGINE_DATABASE_URL", database_url)
    monkeypatch.setenv("ENGINE_TODAY", "2023-07-20")
    monkeypatch.setenv("ENGINE_REPORT_SIGNER_TITLE", "KT. CHÁNH VĂN PHÒNG|PHÓ CHÁNH VĂN PHÒNG")
    monkeypatch.setenv("ENGINE_REPORT_SIGNER_NAME", "Nguyễn Văn An")
    result = CliRunner().invoke(
        app, ["report", "monthly", "--month", "2023-07", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    document = Document(io.BytesIO((tmp_path / "bao-cao-de-an-06-2023-07.docx").read_bytes()))
    signature = [p.text for p in document.tables[3].rows[0].cells[1].paragraphs]
    assert signature[:2] == ["KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"]
    assert signature[-1] == "Nguyễn Văn An"
    workbook = load_workbook(tmp_path / "bao-cao-de-an-06-2023-07.xlsx")
    assert workbook["Quá hạn"]["A2"].value == "Tính đến ngày 20/07/2023"
