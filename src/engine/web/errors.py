"""Error answers: a Vietnamese HTML page for people, ``{"detail": ...}`` only for programs.

Rules (installed on the app by :func:`install`, the one place exception handlers live; an
unexpected failure is answered by :class:`engine.web.guards.Guard`, outside the app's own
middleware, so that its page carries the security headers too):

* An officer's page without a live session redirects to the login page (:class:`NeedLogin`).
* Every other error (an ``HTTPException`` such as a bad or expired unit link, an unknown plan,
  task or unit, a bad date; an unknown address (404); a method the address does not take (405);
  missing or malformed form fields (422); an unexpected failure (500)) keeps its status code and
  is an HTML page in Vietnamese: what happened (a title by status), the detail when there is one
  worth showing, what to do, and a link home (for a unit's link pages, back to its form when the
  link is genuine; when it is forged or expired, where to find a new one).
* A detail that is only the English reason phrase ("Not Found") is not shown; a 500 never shows
  the exception. Field names of a 422 are shown by their labels on the forms.
* A client that asks for JSON (``Accept: application/json`` and not ``text/html``) gets the JSON
  body FastAPI would have sent.
"""

from __future__ import annotations

import http
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from engine.web import sessions
from engine.web.common import NeedLogin
from engine.web.security import LinkError

TITLES = {
    400: "Thông tin chưa đúng",
    403: "Không được phép thực hiện",
    404: "Không tìm thấy trang",
    405: "Trang này không nhận thao tác này",
    409: "Thao tác không thực hiện được",
    413: "Dữ liệu gửi lên quá lớn",
    422: "Thiếu hoặc sai thông tin trong biểu mẫu",
    500: "Hệ thống gặp lỗi",
}
ADVICE = {
    400: "Quay lại trang trước, sửa thông tin theo hướng dẫn trên rồi gửi lại.",
    403: "Tải lại trang rồi thử lại; nếu cần quyền này, liên hệ quản trị hệ thống.",
    404: "Kiểm tra lại địa chỉ, hoặc về trang chủ và mở từ danh sách.",
    405: "Mở trang bằng các liên kết và nút trên trang thay vì gõ địa chỉ.",
    409: "Tải lại trang để xem tình trạng mới nhất.",
    413: "Giảm dung lượng tệp (hoặc chia thành nhiều tệp) rồi gửi lại.",
    422: "Quay lại biểu mẫu, điền đủ các ô rồi gửi lại.",
    500: "Thử lại sau ít phút; nếu vẫn lỗi, báo quản trị hệ thống kèm thời điểm xảy ra.",
}
UNIT_LINK_TITLE = "Đường dẫn báo cáo không dùng được"
UNIT_LINK_ADVICE = (
    "Mở đường dẫn «Cập nhật tiến độ» trong thư nhắc mới nhất; nếu vẫn không được, liên hệ "
    "Văn phòng Bộ để được gửi đường dẫn mới."
)
FIELD_LABELS = {
    "done_on": "Ngày hoàn thành / cập nhật",
    "requested_due": "Đề nghị gia hạn đến",
    "reason": "Lý do",
    "evidence": "Văn bản / sản phẩm",
    "note": "Ghi chú",
    "occurrence": "Lần thực hiện",
    "csrf": "Mã bảo vệ biểu mẫu (tải lại trang)",
    "username": "Tên đăng nhập",
    "password": "Mật khẩu",
    "file": "Tệp",
    "action": "Thao tác",
    "plan": "Kế hoạch",
    "task": "Nhiệm vụ",
    "month": "Tháng",
    "as_of": "Tính đến ngày",
    "request_id": "Mã đề nghị",
}
_PROBLEMS = {"missing": "chưa điền", "int_parsing": "phải là số"}


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` by the module's rules."""
    app.add_exception_handler(NeedLogin, _need_login)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]


async def _need_login(request: Request, exc: NeedLogin) -> Response:
    return RedirectResponse(f"/admin/login?next={request.url.path}", status_code=303)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    return error_response(request, exc.status_code, exc.detail, exc.headers)


async def _invalid(request: Request, exc: RequestValidationError) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
    return error_response(request, 422, [_field_problem(e) for e in exc.errors()])


def _field_problem(error: dict[str, Any]) -> str:
    name = str(error.get("loc", ("",))[-1])
    label = FIELD_LABELS.get(name, f"Ô «{name}»")
    return f"{label}: {_PROBLEMS.get(error.get('type', ''), 'không hợp lệ')}"


def wants_json(request: Request) -> bool:
    """A program's request: it accepts JSON and not HTML."""
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(
    request: Request,
    status: int,
    detail: str | Sequence[str] | None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error answer for ``status`` with ``detail`` (text or lines), by the module's rules."""
    if wants_json(request):
        return JSONResponse(
            {"detail": detail or http.HTTPStatus(status).phrase},
            status_code=status,
            headers=headers,
        )
    lines = [detail] if isinstance(detail, str) else list(detail or [])
    english = _phrase(status)
    lines = [] if status >= 500 else [line for line in lines if line and line != english]
    path = request.url.path
    unit_token = path.split("/")[2] if path.startswith("/u/") and path.count("/") >= 2 else None
    title = TITLES.get(status, "Có lỗi xảy ra")
    advice = ADVICE.get(status, ADVICE[500] if status >= 500 else ADVICE[400])
    home = ("/", "Về trang chủ")
    if unit_token is not None:
        home = (f"/u/{unit_token}", "Quay lại biểu mẫu báo cáo")
        if status in (403, 404) and not _genuine(request, unit_token):  # the link is refused
            title, advice, home = UNIT_LINK_TITLE, UNIT_LINK_ADVICE, ("", "")
    user = _user(request) if status < 500 and unit_token is None else None
    context = {
        "request": request,
        "status": status,
        "title": title,
        "lines": lines,
        "advice": advice,
        "home": home,
        "user": user,
        "csrf": request.session.get("csrf", "") if user else "",
    }
    return request.app.state.templates.TemplateResponse(
        request, "error.html", context, status_code=status, headers=headers
    )


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _genuine(request: Request, token: str) -> bool:
    """The unit link is signed and unexpired (it may still be revoked)."""
    try:
        request.app.state.web.links.read(token)
    except LinkError:
        return False
    return True


def _user(request: Request) -> dict[str, str] | None:
    """The signed-in officer, when the request went through the session middleware."""
    if "session" not in request.scope:
        return None
    return sessions.user_of(request)
