"""Sign-in accounts of the ministry's office: ``user add``, ``user disable``."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from engine.cli.base import app, fail, get_settings, out

user_app = typer.Typer(help="Tài khoản đăng nhập của Văn phòng Bộ.")
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Option("--username")],
    full_name: Annotated[str, typer.Option("--full-name", help="Họ và tên")],
    role: Annotated[str, typer.Option("--role", help="admin hoặc viewer")] = "admin",
    password: Annotated[
        str | None, typer.Option("--password", help="Bỏ trống để nhập (hoặc ENGINE_NEW_PASSWORD)")
    ] = None,
) -> None:
    """Tạo (hoặc đặt lại mật khẩu) tài khoản đăng nhập."""
    from sqlmodel import Session, select

    from engine.store import database
    from engine.store.tables import UserRow
    from engine.web.security import hash_password

    if role not in ("admin", "viewer"):
        raise fail("--role là admin hoặc viewer")
    secret = (
        password
        or os.environ.get("ENGINE_NEW_PASSWORD")
        or typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    )
    if len(secret) < 8:
        raise fail("mật khẩu cần ít nhất 8 ký tự")
    engine = database.make_engine(get_settings().database_url)
    with Session(engine) as session, session.begin():
        row = session.execute(
            select(UserRow).where(UserRow.username == username)
        ).scalar_one_or_none()
        if row is None:
            session.add(
                UserRow(
                    username=username,
                    full_name=full_name,
                    role=role,
                    password_hash=hash_password(secret),
                )
            )
        else:
            row.full_name, row.role, row.password_hash = full_name, role, hash_password(secret)
    out.print(f"Đã lưu tài khoản «{username}» ({role}).")


@user_app.command("disable")
def user_disable(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập")],
    enable: Annotated[bool, typer.Option("--enable", help="Mở lại tài khoản")] = False,
) -> None:
    """Khoá tài khoản (mọi phiên đăng nhập của tài khoản kết thúc ngay) hoặc mở lại."""
    from sqlmodel import Session, select

    from engine.store import database
    from engine.store.tables import UserRow

    engine = database.make_engine(get_settings().database_url)
    with Session(engine) as session, session.begin():
        row = session.execute(
            select(UserRow).where(UserRow.username == username)
        ).scalar_one_or_none()
        if row is None:
            raise fail(f"không có tài khoản «{username}»")
        row.active = enable
    out.print(f"Đã {'mở lại' if enable else 'khoá'} tài khoản «{username}».")
