"""Officer accounts: created by the unit administrator, signed in to with a password, changed at
the first sign-in, reset by the administrator, and locked — never deleted — when an officer
leaves or changes post (DOMAIN §9).

Every change is an audited event (no password or hash in it). Failed sign-ins are counted in the
account row itself, in their own committed transaction, so the lockout (`domain.passwords`)
holds across restarts of the application and applies to the command line too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import User
from app.domain.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from app.domain.formatting import vn_datetime
from app.domain.passwords import (
    check_strength,
    dummy_hash,
    hash_password,
    locked_until,
    needs_rehash,
    verify_password,
)
from app.domain.permissions import Permission, Role
from app.domain.text import clean_text
from app.services.authz import current_station, require, role_of
from app.services.context import ServiceContext
from app.services.journal import record_change

_USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


@dataclass(frozen=True)
class AccountView:
    username: str
    full_name: str
    role: str
    role_label: str
    active: bool
    must_change_password: bool
    has_password: bool
    failed_attempts: int
    locked_until: datetime | None
    locked_at: datetime | None
    locked_reason: str
    created_at: datetime | None


@dataclass(frozen=True)
class SignedInOfficer:
    username: str
    full_name: str
    role: str
    role_label: str
    must_change_password: bool


def _view(user: User) -> AccountView:
    role = role_of(user)
    return AccountView(
        username=user.username,
        full_name=user.full_name,
        role=role.value,
        role_label=role.label,
        active=user.active,
        must_change_password=user.must_change_password,
        has_password=bool(user.password_hash),
        failed_attempts=user.failed_attempts,
        locked_until=user.locked_until,
        locked_at=user.locked_at,
        locked_reason=user.locked_reason,
        created_at=user.created_at,
    )


def _signed_in(user: User) -> SignedInOfficer:
    role = role_of(user)
    return SignedInOfficer(
        user.username, user.full_name, role.value, role.label, user.must_change_password
    )


def _account(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise NotFoundError(
            "user.not_found",
            f"Không có tài khoản cán bộ «{username.strip()}» trên máy trạm này.",
            field="username",
        )
    return user


def _audit(
    session: Session, ctx: ServiceContext, actor: str, action: str, user: User, **data: object
) -> None:
    record_change(
        session,
        at=ctx.clock.now(),
        actor=actor,
        workstation=ctx.workstation,
        action=action,
        entity_type="user",
        entity_id=user.id,
        data={"username": user.username, **data},
    )


def _valid_username(text: str) -> str:
    name = text.strip().lower()
    if not 3 <= len(name) <= 64 or not set(name) <= _USERNAME_CHARS:
        raise ValidationError(
            "account.username",
            "Tên đăng nhập gồm 3–64 ký tự: chữ cái không dấu, chữ số, dấu chấm, gạch ngang.",
            field="username",
        )
    return name


def _admin_exists(session: Session) -> bool:
    return (
        session.scalars(
            select(User.id).where(User.role == Role.ADMINISTRATOR.value, User.active.is_(True))
        ).first()
        is not None
    )


def create_account(
    ctx: ServiceContext,
    *,
    admin: str | None,
    username: str,
    full_name: str,
    role: str,
    initial_password: str,
) -> AccountView:
    """An administrator issues an account; the officer must change the password at first sign-in.
    On a workstation with no active administrator yet, the first administrator account may be
    created without one (installation)."""
    name = _valid_username(username)
    parsed_role = Role.parse(role)
    person = clean_text(full_name)
    if not person:
        raise ValidationError("account.full_name", "Chưa nhập họ và tên cán bộ.", field="full_name")
    check_strength(initial_password, name)
    now = ctx.clock.now()
    with ctx.db.write() as session:
        station = current_station(session)
        installing = parsed_role is Role.ADMINISTRATOR and not _admin_exists(session)
        actor = (
            "system"
            if installing
            else require(session, station, admin, Permission.MANAGE_ACCOUNTS, now).username
        )
        if session.scalars(select(User.id).where(User.username == name)).first():
            raise ValidationError(
                "account.exists", f"Tên đăng nhập «{name}» đã có người dùng.", field="username"
            )
        default_officer = session.scalars(
            select(User).where(User.username == station.default_officer)
        ).first()
        user = User(
            username=name,
            full_name=person,
            unit_id=default_officer.unit_id if default_officer else None,
            role=parsed_role.value,
            password_hash=hash_password(initial_password),
            must_change_password=True,
            created_at=now,
        )
        session.add(user)
        session.flush()
        _audit(session, ctx, actor, "account-created", user, role=parsed_role.value)
        return _view(user)


def list_accounts(ctx: ServiceContext, *, admin: str | None) -> list[AccountView]:
    now = ctx.clock.now()
    with ctx.db.read() as session:
        require(session, None, admin, Permission.MANAGE_ACCOUNTS, now)
        return [_view(u) for u in session.scalars(select(User).order_by(User.username))]


@dataclass(frozen=True)
class SignInChoice:
    username: str
    full_name: str
    role_label: str


def sign_in_choices(ctx: ServiceContext) -> list[SignInChoice]:
    """Active accounts, for the sign-in screen's list (names only, nothing sensitive)."""
    with ctx.db.read() as session:
        users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.full_name))
        out = []
        for user in users:
            try:
                out.append(SignInChoice(user.username, user.full_name, role_of(user).label))
            except PermissionDeniedError:  # an unknown role: that account can't act here anyway
                continue
        return out


def _wrong_credentials() -> AuthenticationError:
    return AuthenticationError(
        "auth.invalid_credentials",
        "Tên đăng nhập hoặc mật khẩu không đúng.",
        field="password",
    )


def _locked_out(until: datetime) -> AuthenticationError:
    return AuthenticationError(
        "auth.locked_out",
        f"Tài khoản tạm khóa đến {vn_datetime(until)} do nhập sai mật khẩu nhiều lần. "
        "Xin vui lòng thử lại sau, hoặc nhờ quản trị đơn vị đặt lại mật khẩu.",
        field="password",
        until=until.isoformat(),
    )


def sign_in(ctx: ServiceContext, username: str, password: str) -> SignedInOfficer:
    """Check the password. A failure is counted and committed before the refusal is raised."""
    now = ctx.clock.now()
    refusal: AuthenticationError | None = None
    with ctx.db.write() as session:
        user = session.scalars(
            select(User).where(User.username == username.strip().lower())
        ).first()
        if user is None:
            verify_password(dummy_hash(), password)
            raise _wrong_credentials()
        if not user.active:
            raise AuthenticationError(
                "auth.account_locked",
                "Tài khoản này đã bị khóa. Xin liên hệ quản trị đơn vị.",
                field="username",
            )
        if user.locked_until is not None and now < user.locked_until:
            # Not even checked: guesses during the lockout teach an attacker nothing.
            raise _locked_out(user.locked_until)
        if verify_password(user.password_hash, password):
            user.failed_attempts = 0
            user.last_failed_at = None
            user.locked_until = None
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            _audit(session, ctx, user.username, "sign-in", user)
            return _signed_in(user)
        user.failed_attempts += 1
        user.last_failed_at = now
        user.locked_until = locked_until(user.failed_attempts, now)
        _audit(session, ctx, user.username, "sign-in-failed", user, attempts=user.failed_attempts)
        refusal = _locked_out(user.locked_until) if user.locked_until else _wrong_credentials()
    raise refusal


def change_password(
    ctx: ServiceContext, username: str, old_password: str, new_password: str
) -> SignedInOfficer:
    """The officer's own change (required at the first sign-in): proves the old password."""
    officer = sign_in(ctx, username, old_password)
    check_strength(new_password, officer.username)
    if new_password == old_password:
        raise ValidationError(
            "password.unchanged", "Mật khẩu mới phải khác mật khẩu cũ.", field="password"
        )
    now = ctx.clock.now()
    with ctx.db.write() as session:
        user = _account(session, officer.username)
        user.password_hash = hash_password(new_password)
        user.must_change_password = False
        user.password_changed_at = now
        _audit(session, ctx, user.username, "password-changed", user)
        return _signed_in(user)


def reset_password(
    ctx: ServiceContext, *, admin: str | None, username: str, new_password: str
) -> AccountView:
    """The administrator sets a temporary password (to be changed at the next sign-in) and
    lifts a lockout."""
    now = ctx.clock.now()
    with ctx.db.write() as session:
        actor = require(session, None, admin, Permission.MANAGE_ACCOUNTS, now)
        user = _account(session, username)
        check_strength(new_password, user.username)
        user.password_hash = hash_password(new_password)
        user.must_change_password = True
        user.failed_attempts = 0
        user.last_failed_at = None
        user.locked_until = None
        _audit(session, ctx, actor.username, "password-reset", user)
        return _view(user)


def lock_account(
    ctx: ServiceContext, *, admin: str | None, username: str, reason: str
) -> AccountView:
    """Lock an account (the officer left or changed post). Never deleted: its history stays."""
    why = clean_text(reason)
    if not why:
        raise ValidationError(
            "account.lock_reason", "Khóa tài khoản cần ghi rõ lý do.", field="reason"
        )
    now = ctx.clock.now()
    with ctx.db.write() as session:
        actor = require(session, None, admin, Permission.MANAGE_ACCOUNTS, now)
        user = _account(session, username)
        if user.id == actor.id:
            raise ValidationError(
                "account.lock_self", "Không thể tự khóa tài khoản của chính mình.", field="username"
            )
        user.active = False
        user.locked_at = now
        user.locked_reason = why
        record_change(
            session,
            at=now,
            actor=actor.username,
            workstation=ctx.workstation,
            action="account-locked",
            entity_type="user",
            entity_id=user.id,
            reason=why,
            data={"username": user.username},
        )
        return _view(user)


def unlock_account(ctx: ServiceContext, *, admin: str | None, username: str) -> AccountView:
    """Re-open a locked account (an officer back on the post); the password must be changed."""
    now = ctx.clock.now()
    with ctx.db.write() as session:
        actor = require(session, None, admin, Permission.MANAGE_ACCOUNTS, now)
        user = _account(session, username)
        user.active = True
        user.locked_at = None
        user.locked_reason = ""
        user.must_change_password = True
        _audit(session, ctx, actor.username, "account-unlocked", user)
        return _view(user)
