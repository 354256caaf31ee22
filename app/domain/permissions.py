"""Roles of the officers at a one-stop office and what each may do (DOMAIN §9).

The matrix is data, so the services, the desktop (which greys out what a role may not do) and the
tests all read the same table. The services are where it is enforced: a button hidden in the UI is
a convenience, `ensure_allowed` in the service is the rule. Duties are separated on purpose: the
unit administrator manages accounts, the calendar and backups but does not handle dossiers or see
citizens' personal data; stopping a dossier, re-appointing (which moves a deadline the statistics
judge the unit by), refunds and the audit log belong to the supervisor.
"""

from __future__ import annotations

from enum import StrEnum

from app.domain.errors import PermissionDeniedError, ValidationError
from app.domain.lifecycle import Action


class Role(StrEnum):
    COUNTER_OFFICER = "can_bo_mot_cua"
    SCANNING_CLERK = "can_bo_so_hoa"
    SUPERVISOR = "giam_sat"
    ADMINISTRATOR = "quan_tri"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Role:
        """A role from its stored value; a ValidationError naming the choices otherwise."""
        try:
            return cls(text.strip())
        except ValueError:
            choices = ", ".join(f"{r.value} ({r.label})" for r in cls)
            raise ValidationError(
                "account.role",
                f"Vai trò «{text}» không tồn tại. Chọn một trong: {choices}.",
                field="role",
            ) from None


ROLE_LABELS = {
    Role.COUNTER_OFFICER: "Cán bộ một cửa",
    Role.SCANNING_CLERK: "Cán bộ số hóa",
    Role.SUPERVISOR: "Lãnh đạo, giám sát",
    Role.ADMINISTRATOR: "Quản trị đơn vị",
}


class Permission(StrEnum):
    RECEIVE = "receive"
    SUPPLEMENT = "supplement"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"
    TRANSFER = "transfer"
    RECORD_RESULT = "record-result"
    RETURN_RESULT = "return-result"
    FINANCIAL = "financial"
    STOP = "stop"
    REAPPOINT = "reappoint"
    PRINT = "print"
    REPRINT = "reprint"
    SCAN = "scan"
    SIGN_DIGITISED = "sign-digitised"
    COLLECT_FEE = "collect-fee"
    REFUND = "refund"
    CLOSE_CASH_SESSION = "close-cash-session"
    CLOSE_DAY = "close-day"
    EDIT_CALENDAR = "edit-calendar"
    MANAGE_ACCOUNTS = "manage-accounts"
    EXPORT = "export"
    VIEW_PERSONAL_DATA = "view-personal-data"
    VIEW_AUDIT = "view-audit"
    BACKUP = "backup"
    RESTORE = "restore"

    @property
    def label(self) -> str:
        """The action as a Vietnamese phrase, used inside refusal messages."""
        return PERMISSION_LABELS[self]


PERMISSION_LABELS = {
    Permission.RECEIVE: "tiếp nhận hồ sơ",
    Permission.SUPPLEMENT: "yêu cầu và tiếp nhận hồ sơ bổ sung",
    Permission.REFUSE: "từ chối tiếp nhận giải quyết hồ sơ",
    Permission.WITHDRAW: "ghi nhận công dân rút hồ sơ",
    Permission.TRANSFER: "chuyển hồ sơ đến cơ quan giải quyết",
    Permission.RECORD_RESULT: "ghi nhận kết quả giải quyết",
    Permission.RETURN_RESULT: "trả kết quả cho công dân",
    Permission.FINANCIAL: "ghi nhận nghĩa vụ tài chính",
    Permission.STOP: "dừng giải quyết hồ sơ",
    Permission.REAPPOINT: "xin lỗi và hẹn lại ngày trả kết quả",
    Permission.PRINT: "in phiếu, giấy tờ của hồ sơ",
    Permission.REPRINT: "in lại phiếu, giấy tờ của hồ sơ",
    Permission.SCAN: "số hóa thành phần hồ sơ",
    Permission.SIGN_DIGITISED: "ký số bản điện tử chuyển đổi từ văn bản giấy",
    Permission.COLLECT_FEE: "thu phí, lệ phí",
    Permission.REFUND: "hoàn trả phí, lệ phí",
    Permission.CLOSE_CASH_SESSION: "chốt ca thu tiền",
    Permission.CLOSE_DAY: "chốt số liệu cuối ngày",
    Permission.EDIT_CALENDAR: "sửa lịch làm việc, ngày nghỉ",
    Permission.MANAGE_ACCOUNTS: "quản lý tài khoản cán bộ",
    Permission.EXPORT: "xuất dữ liệu (sổ theo dõi, báo cáo) ra tệp",
    Permission.VIEW_PERSONAL_DATA: "xem thông tin cá nhân của người nộp hồ sơ",
    Permission.VIEW_AUDIT: "xem nhật ký kiểm tra",
    Permission.BACKUP: "sao lưu dữ liệu",
    Permission.RESTORE: "khôi phục dữ liệu từ bản sao lưu",
}

P = Permission
_COUNTER_WORK = frozenset(
    {
        P.RECEIVE,
        P.SUPPLEMENT,
        P.REFUSE,
        P.WITHDRAW,
        P.TRANSFER,
        P.RECORD_RESULT,
        P.RETURN_RESULT,
        P.FINANCIAL,
        P.PRINT,
        P.REPRINT,
        P.SCAN,
        # Tiền Giang 2025 Art. 16: the receiving officer signs the digitised copies.
        P.SIGN_DIGITISED,
        P.COLLECT_FEE,
        P.CLOSE_CASH_SESSION,
        P.VIEW_PERSONAL_DATA,
    }
)

MATRIX: dict[Role, frozenset[Permission]] = {
    Role.COUNTER_OFFICER: _COUNTER_WORK,
    # Digitises the components of dossiers already received; prints its own scan sheets.
    Role.SCANNING_CLERK: frozenset({P.SCAN, P.PRINT, P.VIEW_PERSONAL_DATA}),
    # A supervisor can stand in at the counter, and alone decides what moves a legal outcome.
    Role.SUPERVISOR: _COUNTER_WORK
    | {P.STOP, P.REAPPOINT, P.REFUND, P.EXPORT, P.VIEW_AUDIT, P.BACKUP, P.CLOSE_DAY},
    # Runs the installation; never handles a dossier nor reads a citizen's file.
    Role.ADMINISTRATOR: frozenset(
        {P.EDIT_CALENDAR, P.MANAGE_ACCOUNTS, P.EXPORT, P.VIEW_AUDIT, P.BACKUP, P.RESTORE}
    ),
}

# Which permission each lifecycle action needs (dossier services look it up here).
ACTION_PERMISSIONS: dict[Action, Permission] = {
    Action.RECEIVE: P.RECEIVE,
    Action.REFUSE: P.REFUSE,
    Action.TRANSFER: P.TRANSFER,
    Action.REQUEST_SUPPLEMENT: P.SUPPLEMENT,
    Action.RECEIVE_SUPPLEMENT: P.SUPPLEMENT,
    Action.REQUEST_FINANCIAL: P.FINANCIAL,
    Action.FINANCIAL_FULFILLED: P.FINANCIAL,
    Action.WITHDRAW: P.WITHDRAW,
    Action.STOP: P.STOP,
    Action.RECORD_RESULT: P.RECORD_RESULT,
    Action.RETURN_RESULT: P.RETURN_RESULT,
    Action.REAPPOINT: P.REAPPOINT,
}


def is_allowed(role: Role, permission: Permission) -> bool:
    return permission in MATRIX[role]


def roles_allowed(permission: Permission) -> tuple[Role, ...]:
    return tuple(role for role in Role if permission in MATRIX[role])


def ensure_allowed(role: Role, permission: Permission) -> None:
    """Raise PermissionDeniedError (code "auth.forbidden") naming the action and who may do it."""
    if is_allowed(role, permission):
        return
    who = ", ".join(r.label.lower() for r in roles_allowed(permission)) or "không ai"
    raise PermissionDeniedError(
        "auth.forbidden",
        f"Tài khoản có vai trò «{role.label}» không được phép {permission.label}. "
        f"Việc này dành cho: {who}. Xin vui lòng nhờ người có thẩm quyền thực hiện.",
        permission=permission.value,
        role=role.value,
    )


def permission_for(action: Action) -> Permission:
    return ACTION_PERMISSIONS[action]
