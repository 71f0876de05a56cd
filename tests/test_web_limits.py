"""Import bombs and huge uploads against the real endpoints of a running server (a uvicorn
subprocess on a free loopback port; its peak memory is read from /proc)."""

from __future__ import annotations

import http.client
import io
import os
import re
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest

from engine.store.database import make_engine, record
from engine.store.tables import UserRow
from engine.web.security import Links
from tests.conftest import RULES, SCHEDULES, seed_catalog_cache
from tests.webutil import PASSWORD, cheap_password_hash, csrf_of

SECRET = "khoa-bi-mat-cho-kiem-thu"
SERVE = (
    "import sys, uvicorn; from engine.config import load_settings; "
    "from engine.web.app import create_app; "
    "uvicorn.run(create_app(load_settings()), host='127.0.0.1', port=int(sys.argv[1]), "
    "log_level='warning')"
)


@pytest.fixture
def server(tmp_path: Path, unused_port: int) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    url = f"sqlite:///{tmp_path / 'engine.db'}"
    engine = make_engine(url)
    record(engine, UserRow(username="vp", full_name="A", password_hash=cheap_password_hash()))
    engine.dispose()
    seed_catalog_cache(tmp_path)  # the server starts from the validated catalogue
    env = {
        **os.environ,
        "ENGINE_DATABASE_URL": url,
        "ENGINE_DATA_DIR": str(tmp_path),
        "ENGINE_RULES_DIR": str(RULES),
        "ENGINE_SCHEDULES_DIR": str(SCHEDULES),
        "ENGINE_SECRET_KEY": SECRET,
    }
    process = subprocess.Popen([sys.executable, "-c", SERVE, str(unused_port)], env=env)
    base = f"http://127.0.0.1:{unused_port}"
    try:
        with httpx.Client(timeout=1) as probe:  # one client: each new one loads the CA store
            for _ in range(300):
                try:
                    if probe.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
        yield base, process, tmp_path
    finally:
        process.terminate()
        process.wait(10)


def _peak_mb(process: subprocess.Popen) -> float:
    status = Path(f"/proc/{process.pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024  # type: ignore[index]


def _admin(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    csrf = csrf_of(client.get("/admin/login").text)
    data = {"username": "vp", "password": PASSWORD, "csrf": csrf, "next": "/"}
    signed_in = client.post("/admin/login", data=data)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    return client


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_PARTS = {
    "[Content_Types].xml": f'<Types xmlns="{_PACKAGE}/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": f'<Relationships xmlns="{_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>",
    "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
    '<sheet name="Tình hình thực hiện" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>",
}


def _bomb(far_cell: bool) -> bytes:
    """A ~1.5 KB workbook whose sheet declares A1:XFD1048576 (and, if asked, fills that corner)."""
    corner = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = (
        f'<worksheet xmlns="{_MAIN}"><dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Mã nhiệm vụ</t></is></c></row>'
        f"{corner if far_cell else ''}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**_PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            archive.writestr(name, text.encode())
    return out.getvalue()


def _import(client: httpx.Client, data: bytes) -> httpx.Response:
    csrf = csrf_of(client.get("/admin/import").text)
    return client.post(
        "/admin/import", data={"csrf": csrf}, files={"file": ("bom.xlsx", data)}, timeout=60
    )


def test_import_bomb_is_refused_fast_and_small(server) -> None:  # type: ignore[no-untyped-def]
    base, process, data_dir = server
    client = _admin(base)
    assert client.get("/").status_code == 200  # today's statuses evaluated: a steady baseline
    for far_cell, expected in (
        (True, "Bảng tính có dữ liệu quá 30.000 dòng"),
        (False, "Dòng tiêu đề không đúng mẫu"),
    ):
        bomb = _bomb(far_cell)
        assert len(bomb) < 2048
        before = _peak_mb(process)
        start = time.monotonic()
        response = _import(client, bomb)
        elapsed = time.monotonic() - start
        assert response.status_code == 200 and expected in response.text
        assert elapsed < 2, elapsed
        assert _peak_mb(process) - before < 100
        assert "/apply" not in response.text
    assert not list((data_dir / "imports").glob("*.xlsx"))  # refused previews are not kept


def test_import_of_too_many_rows_is_refused(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = server
    client = _admin(base)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for number in range(40_000):
        sheet.append(["Mã nhiệm vụ", number])
    buffer = io.BytesIO()
    workbook.save(buffer)
    start = time.monotonic()
    response = _import(client, buffer.getvalue())
    assert "quá 30.000 dòng" in response.text and time.monotonic() - start < 10
    oversized = _import(client, b"PK" + b"\0" * (6 * 2**20))
    assert oversized.status_code == 413 and "Dữ liệu gửi lên quá lớn" in oversized.text


def _raw_post(base: str, path: str, length: int) -> http.client.HTTPResponse:
    """Send only the head of a POST declaring ``length`` bytes, then read the answer."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(length))
    connection.endheaders()
    return connection.getresponse()


def test_huge_uploads_are_refused_before_the_body_is_read(server) -> None:  # type: ignore[no-untyped-def]
    base, _, data_dir = server
    token = Links(SECRET).make("van-phong-bo")
    forged = Links("another-secret").make("van-phong-bo")
    assert _raw_post(base, f"/u/{forged}/done", 50 * 2**20).status == 403
    declared = _raw_post(base, f"/u/{token}/done", 50 * 2**20)
    assert declared.status == 413 and "quá lớn" in declared.read().decode()
    # no Content-Length: the body is counted while it streams and cut at the cap
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            f"POST /u/{token}/done HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        part = (
            b'--x\r\nContent-Disposition: form-data; name="file"; filename="lon.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n%PDF-"
        )
        sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        chunk = b"%x\r\n%s\r\n" % (2**16, b"x" * 2**16)
        sent = 0
        try:
            while sent < 50 * 2**20:
                sock.sendall(chunk)
                sent += 2**16
        except OSError:
            pass
        answer = sock.recv(65536).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert sent < 30 * 2**20  # the server stopped reading near the 10 MB cap
    assert not (data_dir / "uploads").exists() or not list((data_dir / "uploads").iterdir())
