"""Plain frozen results of the fee services (quotes, payments, receipts, refunds, cash sessions,
reports), read by the CLI, the screens and the printing layer. Never ORM rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

METHOD_LABELS = {
    "cash": "Tiền mặt",
    "vietqr": "Chuyển khoản VietQR",
    "card": "Thẻ (máy POS)",
    "online": "Thanh toán trực tuyến (Cổng DVC)",
    "exempt": "Miễn phí, lệ phí",
    "transfer": "Chuyển khoản",
}
PAYMENT_STATE_LABELS = {
    "awaiting": "Chờ xác nhận",
    "confirmed": "Đã thu",
    "cancelled": "Đã hủy",
}


@dataclass(frozen=True)
class FeeLineView:
    code: str
    name: str
    kind: str  # phí | lệ phí | khác | bưu chính
    unit: str
    quantity: int
    gross: int
    amount: int
    detail: str
    capped: bool
    adjustment: str  # «Miễn: … (căn cứ)» / «Giảm 50%: …», or ""
    tthc: bool  # False for postage, which is not a fee of the procedure
    illustrative: bool


@dataclass(frozen=True)
class DossierFeeQuote:
    dossier_code: str
    procedure_code: str
    procedure_name: str
    lines: tuple[FeeLineView, ...]
    fee_total: int
    postage: int
    total: int
    total_text: str  # «150.000 đồng»
    total_words: str  # «Một trăm năm mươi nghìn đồng»
    exempt: bool
    fee_state: str
    fee_state_label: str
    cash_allowed: bool


@dataclass(frozen=True)
class FeePolicyView:
    id: str
    unit_id: str | None
    effective_from: date
    cash_allowed: bool
    vietqr_bin: str
    vietqr_account: str
    vietqr_account_name: str
    receipt_provider: str
    receipt_template: str
    receipt_series: str
    note: str
    illustrative: bool


@dataclass(frozen=True)
class ReceiptLineView:
    code: str
    name: str
    amount: int


@dataclass(frozen=True)
class ReceiptView:
    id: str
    payment_id: str
    dossier_code: str
    procedure_name: str
    payer_name: str
    payer_address: str
    agency_name: str
    agency_parent_name: str
    place: str
    provider: str
    standalone: bool
    notice: str  # printed on receipts of the local provider; "" for a real e-receipt
    template_symbol: str
    series: str
    year: int
    number: int
    number_text: str
    lookup_code: str
    amount: int
    amount_text: str
    amount_words: str
    method: str
    method_label: str
    lines: tuple[ReceiptLineView, ...]
    issued_at: datetime
    issued_by: str
    state: str  # issued | cancelled
    cancelled_at: datetime | None
    cancel_reason: str


@dataclass(frozen=True)
class PaymentView:
    id: str
    dossier_code: str
    method: str
    method_label: str
    state: str
    state_label: str
    amount: int
    fee_amount: int
    postage: int
    lines: tuple[FeeLineView, ...]
    reference: str
    reason: str
    memo: str
    qr_payload: str
    officer: str
    session_id: str | None
    business_date: date
    created_at: datetime
    confirmed_at: datetime | None
    receipt: ReceiptView | None
    refunded: int

    @property
    def receipt_pending(self) -> bool:
        """Money taken but no live receipt yet (e.g. the provider was unreachable)."""
        return self.state == "confirmed" and self.fee_amount > 0 and self.receipt is None


@dataclass(frozen=True)
class RefundView:
    id: str
    document_no: str
    dossier_code: str
    payment_id: str
    amount: int
    amount_words: str
    method: str
    method_label: str
    reference: str
    reason: str
    officer: str
    session_id: str | None
    business_date: date
    created_at: datetime


@dataclass(frozen=True)
class FeeStatusView:
    dossier_code: str
    state: str  # nothing-due | due | paid | exempt | refunded
    state_label: str
    due: int
    paid: int
    refunded: int
    awaiting: int
    payments: tuple[PaymentView, ...]
    refunds: tuple[RefundView, ...]


@dataclass(frozen=True)
class CashSessionView:
    id: str
    officer: str
    counter: str
    receiving_point: str
    business_date: date
    state: str  # open | closed
    opened_at: datetime
    opening_float: int
    opening_counts: dict[str, int]
    closed_at: datetime | None
    counted_counts: dict[str, int]
    counted_total: int | None
    expected_total: int | None
    difference: int | None
    difference_reason: str


@dataclass(frozen=True)
class MethodTotal:
    method: str
    label: str
    count: int
    amount: int


@dataclass(frozen=True)
class ProcedureTotal:
    code: str
    name: str
    count: int
    amount: int


@dataclass(frozen=True)
class CashSessionReport:
    session: CashSessionView
    by_method: tuple[MethodTotal, ...]
    by_procedure: tuple[ProcedureTotal, ...]
    refunds: tuple[RefundView, ...]
    receipts_issued: tuple[ReceiptView, ...]
    receipts_cancelled: tuple[ReceiptView, ...]
    collected: int  # confirmed money payments, every method
    refunded: int
    cash_in: int
    cash_out: int
    expected_cash: int  # float + cash in − cash out
    awaiting_count: int
    awaiting_amount: int
    exempt_count: int


@dataclass(frozen=True)
class DailyFeeReport:
    business_date: date
    receiving_point: str
    sessions: tuple[CashSessionReport, ...]
    by_method: tuple[MethodTotal, ...]  # sessions and payments taken outside a session
    by_procedure: tuple[ProcedureTotal, ...]
    refunds: tuple[RefundView, ...]
    collected: int
    refunded: int
    net: int
    cash_expected: int
    cash_counted: int  # closed sessions only
    difference: int  # closed sessions only
    open_sessions: int
    receipts_issued: int
    receipts_cancelled: int
