"""Dossier lifecycle: the national status codes 1–10 and the transitions allowed between them.

Each state change is an `Action`; services ask `next_status(status, action)` and get a `StateError`
with a Vietnamese message when the action is not allowed in the current status. Actions that keep
the status (re-appointment) are checked by the same table, mapping to the status itself.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from app.domain.errors import StateError


class Status(IntEnum):
    """National portal status codes (TrangThaiHoSo), DOMAIN §2."""

    SUBMITTED_ONLINE = 1
    RECEIVED = 2
    NOT_RECEIVED = 3
    PROCESSING = 4
    SUPPLEMENT_REQUESTED = 5
    FINANCIAL_OBLIGATION = 6
    WITHDRAWN = 7
    STOPPED = 8
    RESOLVED = 9
    RETURNED = 10

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.SUBMITTED_ONLINE: "Mới đăng ký",
    Status.RECEIVED: "Được tiếp nhận",
    Status.NOT_RECEIVED: "Không được tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung giấy tờ",
    Status.FINANCIAL_OBLIGATION: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.RESOLVED: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}


class Action(StrEnum):
    RECEIVE = "receive"
    REFUSE = "refuse"
    TRANSFER = "transfer"
    REQUEST_SUPPLEMENT = "supplement-request"
    RECEIVE_SUPPLEMENT = "supplement-receive"
    REQUEST_FINANCIAL = "financial-request"
    FINANCIAL_FULFILLED = "financial-fulfilled"
    WITHDRAW = "withdraw"
    STOP = "stop"
    RECORD_RESULT = "result"
    RETURN_RESULT = "return"
    REAPPOINT = "reappoint"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.RECEIVE: "Tiếp nhận hồ sơ",
    Action.REFUSE: "Từ chối tiếp nhận giải quyết",
    Action.TRANSFER: "Chuyển cơ quan giải quyết",
    Action.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung, hoàn thiện hồ sơ",
    Action.RECEIVE_SUPPLEMENT: "Tiếp nhận hồ sơ bổ sung",
    Action.REQUEST_FINANCIAL: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Action.FINANCIAL_FULFILLED: "Đã thực hiện nghĩa vụ tài chính",
    Action.WITHDRAW: "Công dân rút hồ sơ",
    Action.STOP: "Dừng giải quyết hồ sơ",
    Action.RECORD_RESULT: "Có kết quả giải quyết",
    Action.RETURN_RESULT: "Trả kết quả",
    Action.REAPPOINT: "Xin lỗi và hẹn lại ngày trả kết quả",
}

S = Status
# (action, from status) -> to status. RECEIVE_SUPPLEMENT resumes where the dossier was before the
# request (at the counter or at the resolving agency): see `next_status(..., resume_to=...)`.
_TRANSITIONS: dict[Action, dict[Status, Status]] = {
    Action.RECEIVE: {S.SUBMITTED_ONLINE: S.RECEIVED},
    # A refusal is a result (DOMAIN §4.5): possible at reception and during processing.
    Action.REFUSE: {s: S.NOT_RECEIVED for s in (S.SUBMITTED_ONLINE, S.RECEIVED, S.PROCESSING)},
    Action.TRANSFER: {S.RECEIVED: S.PROCESSING},
    Action.REQUEST_SUPPLEMENT: {
        S.RECEIVED: S.SUPPLEMENT_REQUESTED,
        S.PROCESSING: S.SUPPLEMENT_REQUESTED,
    },
    Action.RECEIVE_SUPPLEMENT: {S.SUPPLEMENT_REQUESTED: S.PROCESSING},
    Action.REQUEST_FINANCIAL: {S.PROCESSING: S.FINANCIAL_OBLIGATION},
    Action.FINANCIAL_FULFILLED: {S.FINANCIAL_OBLIGATION: S.PROCESSING},
    Action.WITHDRAW: {
        s: S.WITHDRAWN
        for s in (
            S.SUBMITTED_ONLINE,
            S.RECEIVED,
            S.PROCESSING,
            S.SUPPLEMENT_REQUESTED,
            S.FINANCIAL_OBLIGATION,
        )
    },
    Action.STOP: {
        s: S.STOPPED
        for s in (S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.FINANCIAL_OBLIGATION)
    },
    # Simple procedures (chứng thực…) are resolved at the counter without a transfer.
    Action.RECORD_RESULT: {
        s: S.RESOLVED for s in (S.RECEIVED, S.PROCESSING, S.FINANCIAL_OBLIGATION)
    },
    Action.RETURN_RESULT: {S.RESOLVED: S.RETURNED},
    Action.REAPPOINT: {s: s for s in (S.RECEIVED, S.PROCESSING, S.FINANCIAL_OBLIGATION)},
}

TERMINAL = frozenset({S.NOT_RECEIVED, S.WITHDRAWN, S.STOPPED, S.RETURNED})
# Statuses in which the legal clock runs (used for overdue lists).
CLOCK_RUNNING = frozenset({S.RECEIVED, S.PROCESSING, S.FINANCIAL_OBLIGATION})


def allowed_actions(status: Status) -> list[Action]:
    return [action for action, table in _TRANSITIONS.items() if status in table]


def next_status(status: Status, action: Action, *, resume_to: Status | None = None) -> Status:
    """The status after `action`, or StateError if the action isn't allowed in `status`."""
    table = _TRANSITIONS[action]
    if status not in table:
        raise StateError(
            "lifecycle.not_allowed",
            f"Không thể thực hiện «{action.label}» khi hồ sơ đang ở trạng thái «{status.label}».",
            action=action.value,
            status=int(status),
        )
    if action is Action.RECEIVE_SUPPLEMENT and resume_to in (S.RECEIVED, S.PROCESSING):
        return resume_to
    return table[status]
