"""Fee services over a real SQLite store: quotes, payments by every method, receipts, fee state."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.db.fee_models import FeePayment, FeeReceipt
from app.domain.clock import VN_TZ
from app.domain.errors import ConfigurationError, PermissionDeniedError, StateError, ValidationError
from app.domain.fees import FeeBasis, reduction
from app.domain.vietqr import parse_payload, payment_memo
from app.services import fee_receipts, fees
from app.services.cash_sessions import open_cash_session
from app.services.dossiers import withdraw
from app.services.fee_policy import SetFeePolicy, set_fee_policy
from app.services.fee_quotes import FeeRequest, fee_states, fee_status, quote_dossier_fees
from tests.app.services.fee_helpers import (
    CERTIFY_COPY,
    CRIMINAL_RECORD,
    MARRIAGE,
    RESIDENCE,
    journal_counts,
    pay,
    receive,
)


@pytest.fixture
def drawer(ctx):
    return open_cash_session(ctx, counts={100_000: 2})


def test_quote_prices_the_dossier_from_its_procedure_with_tiers_and_cap(ctx):
    code = receive(ctx, CERTIFY_COPY)
    quote = quote_dossier_fees(ctx, code, FeeRequest(FeeBasis.simple(copies=3, pages=5), postage=0))
    (line,) = quote.lines
    assert (line.code, line.quantity, line.amount) == ("P-CTBS", 15, 3 * 7000)
    assert quote.total == 21_000 and quote.total_text == "21.000 đồng"
    assert quote.total_words == "Hai mươi mốt nghìn đồng"
    assert (quote.fee_state, quote.cash_allowed) == ("due", True)
    capped = quote_dossier_fees(ctx, code, FeeRequest(FeeBasis.simple(copies=1, pages=400)))
    assert capped.total == 200_000 and capped.lines[0].capped


def test_a_procedure_without_fees_has_nothing_due_and_cannot_be_paid(ctx, drawer):
    code = receive(ctx, MARRIAGE)
    assert fee_status(ctx, code).state == "nothing-due"
    with pytest.raises(StateError) as error:
        pay(ctx, code)
    assert error.value.code == "payment.nothing_due"


def test_cash_is_refused_without_an_open_cash_session_and_nothing_is_written(ctx):
    code = receive(ctx, RESIDENCE)
    with pytest.raises(StateError) as error:
        pay(ctx, code)
    assert error.value.code == "cash.no_session"
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(FeePayment)) == 0
    assert journal_counts(ctx, "fee_payments") == (0, 0)


def test_a_cash_payment_is_recorded_with_its_event_outbox_and_a_numbered_receipt(ctx, drawer):
    code = receive(ctx, RESIDENCE)
    payment = pay(ctx, code)
    assert (payment.method, payment.state, payment.amount) == ("cash", "confirmed", 20_000)
    assert payment.session_id == drawer.id
    assert payment.business_date == date(2026, 11, 23)
    receipt = payment.receipt
    assert receipt is not None
    assert (receipt.number, receipt.number_text, receipt.series) == (1, "00000001", "LC26")
    assert receipt.amount == 20_000 and receipt.amount_words == "Hai mươi nghìn đồng"
    assert receipt.standalone and "không phải biên lai điện tử" in receipt.notice
    assert journal_counts(ctx, "fee_payments") == (1, 1)
    assert journal_counts(ctx, "fee_receipts") == (1, 1)
    status = fee_status(ctx, code)
    assert (status.state, status.paid, status.due) == ("paid", 20_000, 0)


def test_a_dossier_already_paid_cannot_be_paid_twice(ctx, drawer):
    code = receive(ctx, RESIDENCE)
    pay(ctx, code)
    with pytest.raises(StateError) as error:
        pay(ctx, code, "card", reference="POS-1")
    assert error.value.code == "payment.already_paid"


def test_cash_follows_the_policy_in_force_on_the_reception_date(ctx, clock, drawer):
    set_fee_policy(ctx, SetFeePolicy(effective_from=date(2026, 11, 1), cash_allowed=False))
    before = receive(ctx, RESIDENCE)
    with pytest.raises(StateError) as error:
        pay(ctx, before)
    assert error.value.code == "payment.cash_not_allowed"
    assert quote_dossier_fees(ctx, before).cash_allowed is False
    set_fee_policy(ctx, SetFeePolicy(effective_from=date(2026, 11, 25), cash_allowed=True))
    clock.current = datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ)
    # Received under the no-cash rule: still no cash, even though cash is allowed today.
    with pytest.raises(StateError):
        pay(ctx, before)
    after = receive(ctx, RESIDENCE)
    assert pay(ctx, after).state == "confirmed"


def test_a_vietqr_payment_awaits_confirmation_then_is_paid_with_a_receipt(ctx):
    code = receive(ctx, CRIMINAL_RECORD)
    payment = pay(ctx, code, "vietqr", copies=3)
    assert (payment.state, payment.amount, payment.receipt) == ("awaiting", 205_000, None)
    qr = parse_payload(payment.qr_payload)
    assert (qr.bank_bin, qr.account, qr.amount) == ("970415", "113366668888", 205_000)
    assert qr.memo == payment.memo == payment_memo(code)
    status = fee_status(ctx, code)
    assert (status.state, status.awaiting, status.paid) == ("due", 205_000, 0)
    with pytest.raises(StateError) as error:
        pay(ctx, code, "card", reference="POS-2")
    assert error.value.code == "payment.awaiting"

    confirmed = fees.confirm_payment(ctx, code, reference="FT26327001")
    assert (confirmed.state, confirmed.reference) == ("confirmed", "FT26327001")
    assert confirmed.receipt is not None and confirmed.receipt.amount == 205_000
    assert fee_status(ctx, code).state == "paid"
    assert journal_counts(ctx, "fee_payments") == (2, 2)  # recorded, confirmed


def test_an_unconfirmed_transfer_can_be_cancelled_and_paid_another_way(ctx):
    code = receive(ctx, RESIDENCE)
    pay(ctx, code, "vietqr")
    with pytest.raises(ValidationError):
        fees.cancel_awaiting_payment(ctx, code, " ")
    cancelled = fees.cancel_awaiting_payment(ctx, code, "Người nộp chuyển sang quẹt thẻ")
    assert cancelled.state == "cancelled" and cancelled.receipt is None
    assert pay(ctx, code, "card", reference="POS-3").state == "confirmed"


def test_vietqr_needs_the_account_of_the_policy(ctx):
    set_fee_policy(ctx, SetFeePolicy(effective_from=date(2026, 11, 20), cash_allowed=True))
    with pytest.raises(ConfigurationError) as error:
        pay(ctx, receive(ctx, RESIDENCE), "vietqr")
    assert error.value.code == "payment.no_account"


@pytest.mark.parametrize("method", ["card", "online"])
def test_card_and_portal_payments_need_their_reference(ctx, method):
    code = receive(ctx, RESIDENCE)
    with pytest.raises(ValidationError) as error:
        pay(ctx, code, method)
    assert error.value.code == "payment.reference_required"
    payment = pay(ctx, code, method, reference="TXN-778899")
    assert (payment.state, payment.reference, payment.session_id) == (
        "confirmed",
        "TXN-778899",
        None,
    )
    assert payment.receipt is not None


def test_an_exemption_needs_its_reason_issues_no_receipt_and_marks_the_dossier_exempt(ctx):
    code = receive(ctx, CRIMINAL_RECORD)
    with pytest.raises(ValidationError):
        pay(ctx, code, "exempt")
    payment = pay(
        ctx, code, "exempt", reason="Người khuyết tật", legal_basis="TT 244/2016/TT-BTC Điều 4"
    )
    assert (payment.amount, payment.receipt, payment.receipt_pending) == (0, None, False)
    assert payment.lines[0].gross == 200_000
    assert payment.lines[0].adjustment == "Miễn: Người khuyết tật (TT 244/2016/TT-BTC Điều 4)"
    assert fee_status(ctx, code).state == "exempt"
    with pytest.raises(StateError):
        pay(ctx, code, "card", reference="POS-4")


def test_a_reduction_is_recorded_on_the_payment_lines_with_its_reason(ctx, drawer):
    code = receive(ctx, CRIMINAL_RECORD)
    request = FeeRequest(adjustments=(reduction(50, "Sinh viên", items=["P-LLTP"]),))
    payment = fees.record_payment(ctx, fees.RecordPayment(code, "cash", request=request))
    assert payment.amount == 100_000
    assert payment.lines[0].adjustment == "Giảm 50%: Sinh viên"
    assert payment.receipt is not None and payment.receipt.amount == 100_000


def test_postage_is_taken_only_for_postal_return_and_stays_off_the_fee_receipt(ctx, drawer):
    at_counter = receive(ctx, RESIDENCE)
    with pytest.raises(ValidationError) as error:
        fees.record_payment(
            ctx, fees.RecordPayment(at_counter, "cash", request=FeeRequest(postage=30_000))
        )
    assert error.value.code == "fee.postage_without_post"
    by_post = receive(ctx, RESIDENCE, delivery="post", delivery_address="Số 5, phường Chiềng Lề")
    payment = fees.record_payment(
        ctx, fees.RecordPayment(by_post, "cash", request=FeeRequest(postage=30_000))
    )
    assert (payment.amount, payment.fee_amount, payment.postage) == (50_000, 20_000, 30_000)
    assert [x.tthc for x in payment.lines] == [True, False]
    assert payment.receipt is not None and payment.receipt.amount == 20_000
    assert [x.code for x in payment.receipt.lines] == ["LP-TT"]
    exempt_by_post = receive(ctx, RESIDENCE, delivery="post", delivery_address="Số 5")
    with pytest.raises(ValidationError) as exempt_error:
        fees.record_payment(
            ctx,
            fees.RecordPayment(
                exempt_by_post, "exempt", reason="Hộ nghèo", request=FeeRequest(postage=30_000)
            ),
        )
    assert exempt_error.value.code == "payment.exempt_postage"


def test_payments_are_refused_for_a_withdrawn_dossier(ctx, drawer):
    code = receive(ctx, RESIDENCE)
    withdraw(ctx, code, "Công dân xin rút hồ sơ")
    with pytest.raises(StateError) as error:
        pay(ctx, code)
    assert error.value.code == "payment.dossier_closed"


def test_receipt_numbers_never_repeat_within_a_year_and_restart_on_1_january(ctx, clock):
    codes = [receive(ctx, RESIDENCE) for _ in range(12)]
    numbers_2026 = [
        pay(ctx, c, "card", reference=f"POS-{i}").receipt.number for i, c in enumerate(codes[:10])
    ]
    assert numbers_2026 == list(range(1, 11))
    clock.current = datetime(2027, 1, 1, 0, 5, tzinfo=VN_TZ)
    first_2027 = pay(ctx, codes[10], "card", reference="POS-10").receipt
    second_2027 = pay(ctx, codes[11], "card", reference="POS-11").receipt
    assert (first_2027.year, first_2027.number, first_2027.series) == (2027, 1, "LC27")
    assert second_2027.number == 2
    with ctx.db.read() as s:
        keys = s.execute(select(FeeReceipt.series, FeeReceipt.year, FeeReceipt.number)).all()
    assert len(keys) == len(set(keys)) == 12


def test_the_store_refuses_a_second_receipt_with_the_same_number(ctx, drawer):
    receipt = pay(ctx, receive(ctx, RESIDENCE)).receipt
    with pytest.raises(IntegrityError), ctx.db.write() as s:
        row = s.get(FeeReceipt, receipt.id)
        s.add(
            FeeReceipt(
                **{c.key: getattr(row, c.key) for c in FeeReceipt.__table__.columns}
                | {"id": "dup", "lookup_code": "LOCAL-DUP"}
            )
        )


def test_a_cancelled_receipt_is_kept_with_its_reason_and_the_replacement_has_a_new_number(
    ctx, drawer
):
    code = receive(ctx, RESIDENCE)
    first = pay(ctx, code).receipt
    with pytest.raises(ValidationError):
        fee_receipts.cancel_receipt(ctx, first.lookup_code, "")
    cancelled = fee_receipts.cancel_receipt(ctx, first.lookup_code, "Ghi sai họ tên")
    assert (cancelled.state, cancelled.cancel_reason, cancelled.number) == (
        "cancelled",
        "Ghi sai họ tên",
        first.number,
    )
    with pytest.raises(StateError):
        fee_receipts.cancel_receipt(ctx, first.lookup_code, "lần nữa")
    assert fee_status(ctx, code).payments[0].receipt_pending
    replacement = fees.issue_payment_receipt(ctx, code)
    assert replacement.number == first.number + 1
    assert fee_receipts.look_up_receipt(ctx, first.lookup_code).state == "cancelled"
    assert journal_counts(ctx, "fee_receipts") == (3, 3)  # issue, cancel, issue


def test_a_receipt_the_provider_could_not_issue_stays_pending_and_is_completed_later(
    ctx, drawer, monkeypatch
):
    def unavailable(*_args):
        raise ConfigurationError("receipt.provider_down", "Nhà cung cấp biên lai không phản hồi.")

    working = fee_receipts.PROVIDER_FACTORIES["local"]
    monkeypatch.setitem(fee_receipts.PROVIDER_FACTORIES, "local", unavailable)
    code = receive(ctx, RESIDENCE)
    payment = pay(ctx, code)
    assert (payment.state, payment.receipt, payment.receipt_pending) == ("confirmed", None, True)
    assert fee_status(ctx, code).state == "paid"  # the money was taken all the same
    monkeypatch.setitem(fee_receipts.PROVIDER_FACTORIES, "local", working)
    receipt = fees.issue_payment_receipt(ctx, code)
    assert receipt.number == 1
    assert fees.issue_payment_receipt(ctx, code) == receipt  # a retry issues nothing new


def test_fee_states_of_several_dossiers_at_once(ctx, drawer):
    paid, due, free = receive(ctx, RESIDENCE), receive(ctx, RESIDENCE), receive(ctx, MARRIAGE)
    pay(ctx, paid)
    assert fee_states(ctx, [paid, due, free]) == {
        paid: "paid",
        due: "due",
        free: "nothing-due",
    }


def test_a_scanning_clerk_may_not_take_payments(ctx):
    code = receive(ctx, RESIDENCE)
    with pytest.raises(PermissionDeniedError):
        pay(ctx, code, "card", reference="POS-9", officer="sohoa")


def test_payment_views_are_frozen_dataclasses_not_rows(ctx, drawer):
    payment = pay(ctx, receive(ctx, RESIDENCE))
    with pytest.raises(AttributeError):
        payment.amount = 0  # type: ignore[misc]
    assert replace(payment, amount=1).amount == 1
