"""The plan's own facts from the top of the document: number, signing date, issuer, title.

- number: "Số: 522/QĐ-BTP" (the first "Số:" line);
- signing date: the first "…, ngày 07 tháng 4 năm 2023" line;
- issuer: the first line of the document; when it is a registered organisation printed in
  capitals ("BỘ TƯ PHÁP"), the registry's spelling ("Bộ Tư pháp") is used;
- title: the "KẾ HOẠCH" heading and the lines under it, up to "(Ban hành kèm theo …)" or
  the first numbered part ("I. MỤC ĐÍCH, YÊU CẦU");
- horizon (lower-cased when printed in capitals): "năm 2025" at the end of the title → that year; "… và những năm tiếp theo" →
  open-ended from the signing date.
The plan id is derived from the number: "522/QĐ-BTP" → "qd-522-btp".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from engine.text import collapse, normalize

_NUMBER = re.compile(r"^Số\s*:?\s*(\d+[^\s,;]*)", re.IGNORECASE)
_SIGNED = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_PART = re.compile(r"^(?:[IVX]+|\d+)\.\s")
_HORIZON = re.compile(r"(năm (\d{4})(?: và (?:các|những) năm tiếp theo)?)\s*$", re.IGNORECASE)


@dataclass
class Header:
    number: str = ""
    signed: date | None = None
    signed_text: str = ""
    issuer: str = ""
    title: str = ""
    horizon_text: str = ""
    horizon_end: date | None = None

    def plan_id(self) -> str:
        """ "522/QĐ-BTP" → "qd-522-btp"; "" when there is no number."""
        if "/" not in self.number:
            return ""
        serial, kind = self.number.split("/", 1)
        ascii_kind = unicodedata.normalize("NFKD", kind.replace("Đ", "D").replace("đ", "d"))
        ascii_kind = "".join(c for c in ascii_kind if not unicodedata.combining(c)).lower()
        parts = [p for p in re.split(r"[^a-z0-9]+", ascii_kind) if p]
        return "-".join([parts[0], serial, *parts[1:]] if parts else [serial])


def read_header(lines: list[str], organisations: list[str]) -> tuple[Header, list[str]]:
    """The header and a list of the problems found (each a Vietnamese sentence)."""
    header = Header()
    problems: list[str] = []
    for line in lines[:80]:
        if not header.number and (found := _NUMBER.match(line)):
            header.number = found[1].rstrip(".")
        if header.signed is None and (found := _SIGNED.search(line)):
            day, month, year = (int(g) for g in found.groups())
            header.signed_text = found[0]
            try:
                header.signed = date(year, month, day)
            except ValueError:
                problems.append(f"ngày ký «{found[0]}» không tồn tại")
    header.issuer = _issuer(lines, organisations)
    header.title = _title(lines)
    if found := _HORIZON.search(header.title):
        header.horizon_text = found[1].lower() if found[1].isupper() else found[1]
        if "tiếp theo" not in normalize(found[1]):
            header.horizon_end = date(int(found[2]), 12, 31)
    if not header.number:
        problems.append("không tìm thấy số hiệu văn bản (dòng «Số: …»)")
    if header.signed is None and not problems:
        problems.append("không tìm thấy ngày ký (dòng «…, ngày … tháng … năm …»)")
    if not header.title:
        problems.append("không tìm thấy tiêu đề «KẾ HOẠCH …»")
    if not header.horizon_text:
        problems.append("không đọc được thời gian thực hiện kế hoạch từ tiêu đề; điền horizon")
    return header, problems


def _issuer(lines: list[str], organisations: list[str]) -> str:
    """The capitalised lines at the very top, up to "Số:" or the national motto."""
    parts: list[str] = []
    for line in lines[:6]:
        key = normalize(line)
        if key.startswith(("số", "cộng hòa", "cộng hoà")) or not line.isupper():
            break
        if any(c.isalpha() for c in line):
            parts.append(collapse(line))
    printed = " ".join(parts)
    known = {normalize(o): o for o in organisations}
    return known.get(normalize(printed), printed)


def _title(lines: list[str]) -> str:
    for index, line in enumerate(lines):
        key = normalize(line)
        if key == "kế hoạch" or (line.isupper() and key.startswith("kế hoạch ")):
            parts = [line]
            for following in lines[index + 1 : index + 6]:
                if following.startswith("(") or _SIGNED.search(following) or _PART.match(following):
                    break
                parts.append(following)
            return collapse(" ".join(parts))
    return ""
