"""The one check every service makes before acting for an officer: the account exists, is not
locked (by an administrator, or for too many wrong passwords), and its role allows the action.

Services call `require(session, station, officer, Permission.X, now)` inside their transaction,
so the check and the change see the same account row; the UI hiding a button is only a courtesy.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Station, User
from app.domain.errors import ConfigurationError, NotFoundError, PermissionDeniedError
from app.domain.formatting import vn_datetime
from app.domain.permissions import Permission, Role, ensure_allowed


def current_station(session: Session) -> Station:
    station = session.scalars(select(Station)).first()
    if station is None:
        raise ConfigurationError(
            "station.not_initialised",
            "Máy trạm chưa được khởi tạo. Hãy chạy «motcua init-demo» (dữ liệu mẫu) "
            "hoặc đăng ký với hệ thống trung tâm.",
        )
    return station


def active_officer(session: Session, station: Station, username: str | None) -> User:
    """The named officer's account (or the station's default officer), if it may act at all."""
    name = (username or station.default_officer).strip()
    user = session.scalars(select(User).where(User.username == name)).first()
    if user is None:
        raise NotFoundError(
            "user.not_found",
            f"Không có tài khoản cán bộ «{name}» trên máy trạm này.",
            field="officer",
        )
    if not user.active:
        raise PermissionDeniedError(
            "user.inactive",
            f"Tài khoản cán bộ «{name}» đã bị khóa"
            + (f" ({user.locked_reason})" if user.locked_reason else "")
            + ". Xin liên hệ quản trị đơn vị.",
            field="officer",
        )
    return user


def role_of(user: User) -> Role:
    try:
        return Role(user.role)
    except ValueError:
        # A role this version does not know (written by a newer one) grants nothing.
        raise PermissionDeniedError(
            "auth.unknown_role",
            f"Tài khoản «{user.username}» có vai trò không xác định; xin liên hệ quản trị đơn vị.",
        ) from None


def ensure_not_locked_out(user: User, now: datetime) -> None:
    if user.locked_until is not None and now < user.locked_until:
        raise PermissionDeniedError(
            "auth.locked_out",
            f"Tài khoản «{user.username}» đang tạm khóa đến {vn_datetime(user.locked_until)} "
            "do nhập sai mật khẩu nhiều lần.",
            field="officer",
        )


def require(
    session: Session,
    station: Station | None,
    officer: str | None,
    permission: Permission,
    now: datetime,
) -> User:
    """The acting officer's account (`officer`, or the default officer of `station`, this
    workstation when None), or a refusal."""
    user = active_officer(session, station or current_station(session), officer)
    ensure_not_locked_out(user, now)
    ensure_allowed(role_of(user), permission)
    return user
