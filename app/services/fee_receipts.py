"""Receipts of fee payments: issue through the unit's provider, look up, cancel (kept, marked).

The provider is chosen by the fee policy in force on the day of issue; today only the local
provider exists (`domain.receipts.LocalReceiptProvider`), which numbers from the receipts stored
here — read and written in the same write transaction, so numbers never repeat and restart at 1
each 1 January. Issuing is a transaction of its own, after the payment's: a payment whose receipt
could not be issued stays visible as "receipt pending" and `issue_receipt` completes it (and a
retried call returns the receipt already issued, never a second one). A real provider plugs in
through `PROVIDER_FACTORIES`; its network call would then belong outside the write lock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.fee_models import FeePayment, FeeReceipt
from app.db.models import Agency, Dossier, ReceivingPoint
from app.domain.errors import ConfigurationError, NotFoundError, StateError
from app.domain.money import amount_in_words, format_vnd
from app.domain.permissions import Permission
from app.domain.receipts import (
    LOCAL_NOTICE,
    LOCAL_PROVIDER,
    IssuedReceipt,
    LocalReceiptProvider,
    ReceiptLine,
    ReceiptProvider,
    ReceiptRequest,
    check_cancel_reason,
    format_receipt_number,
)
from app.services.authz import require
from app.services.cash_sessions import open_session_of
from app.services.context import ServiceContext
from app.services.fee_journal import record_fee_change
from app.services.fee_policy import require_policy
from app.services.fee_views import METHOD_LABELS, ReceiptLineView, ReceiptView


class SqlReceiptBook:
    """`ReceiptBook` over the `fee_receipts` table of this workstation."""

    def __init__(self, session: Session, provider: str) -> None:
        self._session = session
        self._provider = provider

    def last_number(self, template_symbol: str, series: str, year: int) -> int:
        last = self._session.scalar(
            select(func.max(FeeReceipt.number)).where(
                FeeReceipt.provider == self._provider,
                FeeReceipt.template_symbol == template_symbol,
                FeeReceipt.series == series,
                FeeReceipt.year == year,
            )
        )
        return int(last or 0)

    def find(self, lookup_code: str) -> IssuedReceipt | None:
        row = self._session.scalars(
            select(FeeReceipt).where(FeeReceipt.lookup_code == lookup_code)
        ).first()
        return issued_of(row) if row else None

    def find_key(self, key: str) -> IssuedReceipt | None:
        row = live_receipt(self._session, key)
        return issued_of(row) if row else None


# (session, template symbol, series pattern) → provider. A real e-receipt provider registers here.
ProviderFactory = Callable[[Session, str, str], ReceiptProvider]
PROVIDER_FACTORIES: dict[str, ProviderFactory] = {
    LOCAL_PROVIDER: lambda session, template, series: LocalReceiptProvider(
        SqlReceiptBook(session, LOCAL_PROVIDER), template, series
    ),
}


def receipt_provider(session: Session, name: str, template: str, series: str) -> ReceiptProvider:
    factory = PROVIDER_FACTORIES.get(name)
    if factory is None:
        raise ConfigurationError(
            "receipt.provider_unknown",
            f"Chưa cài đặt nhà cung cấp biên lai điện tử «{name}».",
        )
    return factory(session, template, series)


def issued_of(row: FeeReceipt) -> IssuedReceipt:
    return IssuedReceipt(
        provider=row.provider,
        key=row.payment_id,
        template_symbol=row.template_symbol,
        series=row.series,
        year=row.year,
        number=row.number,
        lookup_code=row.lookup_code,
        issued_at=row.issued_at,
        amount=row.amount,
        standalone=row.standalone,
        cancelled_at=row.cancelled_at,
        cancel_reason=row.cancel_reason,
    )


def live_receipt(session: Session, payment_id: str) -> FeeReceipt | None:
    return session.scalars(
        select(FeeReceipt)
        .where(FeeReceipt.payment_id == payment_id, FeeReceipt.state == "issued")
        .order_by(FeeReceipt.issued_at.desc())
    ).first()


def receipt_view(row: FeeReceipt) -> ReceiptView:
    data: dict[str, Any] = row.data
    method = str(data.get("method", ""))
    return ReceiptView(
        id=row.id,
        payment_id=row.payment_id,
        dossier_code=str(data.get("dossier_code", "")),
        procedure_name=str(data.get("procedure_name", "")),
        payer_name=str(data.get("payer_name", "")),
        payer_address=str(data.get("payer_address", "")),
        agency_name=str(data.get("agency_name", "")),
        agency_parent_name=str(data.get("agency_parent_name", "")),
        place=str(data.get("place", "")),
        provider=row.provider,
        standalone=row.standalone,
        notice=LOCAL_NOTICE if row.standalone else "",
        template_symbol=row.template_symbol,
        series=row.series,
        year=row.year,
        number=row.number,
        number_text=format_receipt_number(row.number),
        lookup_code=row.lookup_code,
        amount=row.amount,
        amount_text=format_vnd(row.amount),
        amount_words=amount_in_words(row.amount),
        method=method,
        method_label=METHOD_LABELS.get(method, method),
        lines=tuple(
            ReceiptLineView(str(x["code"]), str(x["name"]), int(x["amount"]))
            for x in data.get("lines", [])
        ),
        issued_at=row.issued_at,
        issued_by=row.issued_by,
        state=row.state,
        cancelled_at=row.cancelled_at,
        cancel_reason=row.cancel_reason,
    )


def _payment(session: Session, ref: str) -> FeePayment:
    payment = session.get(FeePayment, ref.strip())
    if payment is None:
        raise NotFoundError("payment.not_found", f"Không tìm thấy khoản thu «{ref}».")
    return payment


def issue_in_session(
    session: Session, ctx: ServiceContext, payment: FeePayment, officer: str
) -> FeeReceipt:
    """Issue the receipt of a confirmed payment inside the caller's write transaction."""
    if payment.state != "confirmed" or payment.fee_amount <= 0:
        raise StateError(
            "receipt.not_payable",
            "Chỉ lập biên lai cho khoản phí, lệ phí đã thu (không lập cho khoản miễn, "
            "khoản chờ xác nhận hoặc đã hủy).",
        )
    existing = live_receipt(session, payment.id)
    if existing is not None:
        return existing
    now = ctx.clock.now()
    dossier = session.get(Dossier, payment.dossier_id)
    assert dossier is not None  # foreign key
    point = session.get(ReceivingPoint, dossier.receiving_point_id)
    agency = session.get(Agency, dossier.resolving_agency_id)
    assert point is not None and agency is not None
    policy = require_policy(session, point.unit_id, now.date())
    provider = receipt_provider(
        session, policy.receipt_provider, policy.receipt_template, policy.receipt_series
    )
    lines = tuple(
        ReceiptLine(str(x["code"]), str(x["name"]), int(x["amount"]))
        for x in payment.lines
        if x.get("tthc") and int(x["amount"]) > 0
    )
    request = ReceiptRequest(
        key=payment.id,
        issued_at=now,
        payer_name=dossier.applicant_name,
        payer_address=dossier.applicant_address,
        dossier_code=dossier.code,
        procedure_name=dossier.procedure_name,
        lines=lines,
    )
    issued = provider.issue(request)
    drawer = open_session_of(session, officer)
    row = FeeReceipt(
        payment_id=payment.id,
        dossier_id=dossier.id,
        provider=issued.provider,
        standalone=issued.standalone,
        template_symbol=issued.template_symbol,
        series=issued.series,
        year=issued.year,
        number=issued.number,
        lookup_code=issued.lookup_code,
        amount=issued.amount,
        data={
            "dossier_code": dossier.code,
            "procedure_name": dossier.procedure_name,
            "payer_name": dossier.applicant_name,
            "payer_address": dossier.applicant_address,
            "agency_name": agency.name,
            "agency_parent_name": agency.parent_name,
            "place": point.place,
            "method": payment.method,
            "lines": [{"code": x.code, "name": x.name, "amount": x.amount} for x in lines],
        },
        issued_at=issued.issued_at,
        issued_by=officer,
        session_id=payment.session_id or (drawer.id if drawer else None),
        business_date=payment.business_date,
        state="issued",
        cancel_reason="",
    )
    session.add(row)
    record_fee_change(
        session,
        ctx,
        row,
        action="fee-receipt-issue",
        actor=officer,
        at=now,
        dossier_id=dossier.id,
        data={"number": row.number, "series": row.series, "amount": row.amount},
    )
    return row


def issue_receipt(
    ctx: ServiceContext, payment_id: str, *, officer: str | None = None
) -> ReceiptView:
    """Issue (or return the already issued) receipt of a confirmed payment."""
    with ctx.db.write() as session:
        user = require(session, None, officer, Permission.COLLECT_FEE, ctx.clock.now())
        return receipt_view(
            issue_in_session(session, ctx, _payment(session, payment_id), user.username)
        )


def find_receipt(session: Session, ref: str) -> FeeReceipt:
    key = ref.strip()
    row = (
        session.get(FeeReceipt, key)
        or session.scalars(select(FeeReceipt).where(FeeReceipt.lookup_code == key.upper())).first()
    )
    if row is None:
        raise NotFoundError(
            "receipt.not_found", f"Không tìm thấy biên lai có mã tra cứu «{key}».", field="receipt"
        )
    return row


def look_up_receipt(ctx: ServiceContext, ref: str) -> ReceiptView:
    with ctx.db.read() as session:
        return receipt_view(find_receipt(session, ref))


def cancel_receipt(
    ctx: ServiceContext, ref: str, reason: str, *, officer: str | None = None
) -> ReceiptView:
    """Cancel through the provider; the receipt is kept, marked cancelled with the reason. The
    payment stays recorded and a replacement receipt can be issued for it."""
    text = check_cancel_reason(reason)
    now = ctx.clock.now()
    with ctx.db.write() as session:
        user = require(session, None, officer, Permission.COLLECT_FEE, now)
        row = find_receipt(session, ref)
        if row.state == "cancelled":
            raise StateError("receipt.already_cancelled", "Biên lai này đã bị hủy trước đó.")
        provider = receipt_provider(session, row.provider, row.template_symbol, row.series)
        cancelled = provider.cancel(issued_of(row), text, now)
        row.state = "cancelled"
        row.cancelled_at = cancelled.cancelled_at
        row.cancel_reason = cancelled.cancel_reason
        row.cancelled_by = user.username
        record_fee_change(
            session,
            ctx,
            row,
            action="fee-receipt-cancel",
            actor=user.username,
            at=now,
            dossier_id=row.dossier_id,
            reason=text,
            data={"number": row.number, "series": row.series},
        )
        return receipt_view(row)
