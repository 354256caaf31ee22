"""Fee amounts: per dossier, per copy, per page with tiers and caps; exemptions and reductions with
their reason; postage as a separate line; whole đồng; the fee state of a dossier."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.catalogue import FeeTier
from app.domain.errors import ValidationError
from app.domain.fees import (
    POSTAGE_CODE,
    CopyJob,
    FeeBasis,
    FeeState,
    adjustment_from_json,
    exemption,
    fee_item,
    fee_state,
    quote_fees,
    reduction,
    round_dong,
    tiered_total,
)
from app.domain.money import amount_in_words

# Phí chứng thực bản sao (TT 226/2016): 2.000 đ/trang, from page 3 1.000 đ/trang, ≤ 200.000 đ/bản.
CERTIFY = fee_item(
    code="P-CTBS",
    name="Phí chứng thực bản sao từ bản chính",
    kind="phí",
    amount=2000,
    unit="per-page",
    tiers=[{"up_to": 2, "amount": 2000}, {"up_to": None, "amount": 1000}],
    cap=200_000,
)
# Phiếu lý lịch tư pháp: the first two free, 5.000 đ each from the third.
EXTRA_COPIES = fee_item(
    code="P-LLTP-IN",
    name="Phí cấp thêm Phiếu lý lịch tư pháp",
    kind="phí",
    amount=0,
    unit="per-copy",
    tiers=[{"up_to": 2, "amount": 0}, {"up_to": None, "amount": 5000}],
)
RECORD = fee_item(
    code="P-LLTP", name="Phí lý lịch tư pháp", kind="phí", amount=200_000, unit="per-dossier"
)
COPY_EXTRACT = fee_item(
    code="P-TLHT",
    name="Phí bản sao trích lục",
    kind="phí",
    amount=8000,
    unit="per-copy",
    cap=20_000,
)
LATE = fee_item(
    code="LP-KS-QH", name="Lệ phí khai sinh quá hạn", kind="lệ phí", amount=5000, unit="per-dossier"
)


def test_per_dossier_fee_is_charged_once_whatever_the_copies():
    quote = quote_fees([RECORD], FeeBasis.simple(copies=3, pages=7))
    assert [(x.code, x.quantity, x.amount) for x in quote.lines] == [("P-LLTP", 1, 200_000)]
    assert quote.total == 200_000


def test_five_page_copy_costs_two_pages_at_2000_and_three_at_1000():
    line = quote_fees([CERTIFY], FeeBasis.simple(copies=1, pages=5)).lines[0]
    assert line.gross == line.amount == 2 * 2000 + 3 * 1000
    assert not line.capped


def test_a_300_page_copy_is_capped_at_200000_per_copy_and_says_so():
    line = quote_fees([CERTIFY], FeeBasis.simple(copies=2, pages=300)).lines[0]
    assert line.amount == 2 * 200_000  # 302.000 each before the cap
    assert line.capped
    assert "tối đa 200.000 đồng/bản" in line.detail


def test_several_originals_are_priced_each_with_its_own_pages_and_cap():
    basis = FeeBasis((CopyJob(pages=5, copies=2), CopyJob(pages=300, copies=1)))
    line = quote_fees([CERTIFY], basis).lines[0]
    assert line.amount == 2 * 7000 + 200_000
    assert line.quantity == 2 * 5 + 300


@pytest.mark.parametrize(("copies", "amount"), [(1, 0), (2, 0), (3, 5000), (4, 10_000)])
def test_extra_record_copies_are_free_up_to_two_then_5000_each(copies, amount):
    assert quote_fees([EXTRA_COPIES], FeeBasis.simple(copies=copies)).total == amount


def test_a_per_copy_cap_applies_to_the_whole_dossier():
    assert quote_fees([COPY_EXTRACT], FeeBasis.simple(copies=2)).total == 16_000
    capped = quote_fees([COPY_EXTRACT], FeeBasis.simple(copies=5)).lines[0]
    assert (capped.gross, capped.capped) == (20_000, True)


def _naive(count: int, tiers: list[FeeTier]) -> int:
    total = 0
    for unit in range(1, count + 1):
        total += next(t.amount for t in tiers if t.up_to is None or unit <= t.up_to)
    return total


@given(
    count=st.integers(min_value=0, max_value=400),
    bounds=st.lists(st.integers(min_value=1, max_value=50), min_size=0, max_size=4, unique=True),
    amounts=st.lists(st.integers(min_value=0, max_value=10_000), min_size=5, max_size=5),
)
def test_tiered_total_equals_pricing_every_unit_by_its_tier(count, bounds, amounts):
    tiers = [FeeTier(b, a) for b, a in zip(sorted(bounds), amounts, strict=False)]
    tiers.append(FeeTier(None, amounts[-1]))
    assert tiered_total(count, tiers, flat=amounts[0]) == _naive(count, tiers)


def test_an_exemption_waives_the_fee_and_keeps_the_reason_and_the_gross_amount():
    exempt = exemption("Trẻ em dưới 16 tuổi", "Thông tư 244/2016/TT-BTC, Điều 4")
    quote = quote_fees([RECORD], adjustments=[exempt])
    line = quote.lines[0]
    assert (line.gross, line.amount, line.reduction) == (200_000, 0, 200_000)
    assert line.adjustment is not None
    assert line.adjustment.describe() == (
        "Miễn: Trẻ em dưới 16 tuổi (Thông tư 244/2016/TT-BTC, Điều 4)"
    )
    assert quote.exempt and quote.total == 0


def test_an_exemption_or_reduction_without_a_reason_is_refused():
    with pytest.raises(ValidationError) as error:
        exemption("   ")
    assert error.value.code == "fee.adjustment_reason"
    with pytest.raises(ValidationError):
        reduction(50, "")


@pytest.mark.parametrize("percent", [0, -5, 101, "NaN"])
def test_a_reduction_outside_0_to_100_percent_is_refused(percent):
    with pytest.raises(ValidationError) as error:
        reduction(percent, "Sinh viên")
    assert error.value.code == "fee.adjustment_percent"


def test_a_reduction_rounds_the_payable_amount_half_up_to_whole_dong():
    odd = fee_item(code="X", name="Phí", kind="phí", amount=5001, unit="per-dossier")
    line = quote_fees([odd], adjustments=[reduction(50, "Người có công")]).lines[0]
    assert line.amount == 2501  # 2.500,5 → 2.501
    third = quote_fees([odd], adjustments=[reduction(Decimal("33.33"), "Hộ cận nghèo")]).lines[0]
    assert third.amount == round_dong(Decimal(5001) * Decimal("66.67") / 100) == 3334
    assert isinstance(third.amount, int)


def test_the_total_is_the_sum_of_the_rounded_lines():
    a = fee_item(code="A", name="A", kind="phí", amount=1001, unit="per-dossier")
    b = fee_item(code="B", name="B", kind="lệ phí", amount=1001, unit="per-dossier")
    quote = quote_fees([a, b], adjustments=[reduction(50, "Giảm 50%")])
    assert [x.amount for x in quote.lines] == [501, 501]
    assert quote.total == 1002


def test_a_reduction_limited_to_one_item_leaves_the_others_whole():
    quote = quote_fees(
        [RECORD, EXTRA_COPIES],
        FeeBasis.simple(copies=3),
        adjustments=[reduction(50, "Sinh viên", items=["P-LLTP"])],
    )
    assert {x.code: x.amount for x in quote.lines} == {"P-LLTP": 100_000, "P-LLTP-IN": 5000}


def test_the_most_favourable_adjustment_wins_instead_of_stacking():
    quote = quote_fees(
        [RECORD], adjustments=[reduction(50, "Sinh viên"), exemption("Người khuyết tật")]
    )
    line = quote.lines[0]
    assert line.amount == 0
    assert line.adjustment is not None and line.adjustment.kind == "exempt"


def test_postage_is_a_separate_line_outside_the_tthc_fees_and_is_never_exempted():
    quote = quote_fees([RECORD], adjustments=[exemption("Hộ nghèo")], postage=25_000)
    postage = quote.lines[-1]
    assert (postage.code, postage.tthc, postage.amount) == (POSTAGE_CODE, False, 25_000)
    assert quote.fee_total == 0
    assert quote.postage == quote.total == 25_000


def test_an_item_that_does_not_apply_can_be_skipped():
    quote = quote_fees([LATE, RECORD], FeeBasis.simple(skip=["LP-KS-QH"]))
    assert [x.code for x in quote.lines] == ["P-LLTP"]


def test_skipping_or_reducing_an_unknown_item_is_refused():
    with pytest.raises(ValidationError) as error:
        quote_fees([RECORD], FeeBasis.simple(skip=["NOPE"]))
    assert error.value.code == "fee.item_unknown"
    with pytest.raises(ValidationError):
        quote_fees([RECORD], adjustments=[reduction(10, "x", items=["NOPE"])])


@pytest.mark.parametrize(("copies", "pages"), [(0, 1), (1, 0), (-1, 3), (1, 10_001)])
def test_zero_negative_or_absurd_counts_are_refused(copies, pages):
    with pytest.raises(ValidationError) as error:
        quote_fees([CERTIFY], FeeBasis.simple(copies=copies, pages=pages))
    assert error.value.code == "fee.count"


def test_a_stored_fee_item_with_an_unknown_unit_is_refused():
    with pytest.raises(ValidationError):
        fee_item(code="X", name="X", kind="phí", amount=1, unit="per-kilo")


@pytest.mark.parametrize(
    ("due", "paid", "refunded", "exempt", "state"),
    [
        (0, 0, 0, False, FeeState.NOTHING_DUE),
        (15_000, 0, 0, False, FeeState.DUE),
        (15_000, 15_000, 0, False, FeeState.PAID),
        (15_000, 15_000, 5_000, False, FeeState.PAID),
        (15_000, 15_000, 15_000, False, FeeState.REFUNDED),
        (0, 0, 0, True, FeeState.EXEMPT),
    ],
)
def test_fee_state_of_a_dossier(due, paid, refunded, exempt, state):
    assert fee_state(due=due, paid=paid, refunded=refunded, exempt=exempt) is state
    assert state.label


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
        (2_005_000, "Hai triệu không trăm linh năm nghìn đồng"),
        (10_000_000_000, "Mười tỷ đồng"),
    ],
)
def test_fee_totals_read_out_correctly_in_words_for_awkward_amounts(amount, words):
    # Through money.py, which keeps the "không trăm" that num2words' vi output drops.
    item = fee_item(code="X", name="X", kind="lệ phí", amount=amount, unit="per-dossier")
    assert amount_in_words(quote_fees([item]).total) == words


def test_an_adjustment_survives_being_stored_on_a_payment_line():
    adj = reduction(Decimal("12.5"), "Hộ cận nghèo", "NQ 05/2025/NQ-HĐND", items=["P-LLTP"])
    line = quote_fees([RECORD], adjustments=[adj]).lines[0]
    stored = line.to_json()["adjustment"]
    assert adjustment_from_json(stored) == adj
    assert adjustment_from_json(stored).describe() == (
        "Giảm 12.5%: Hộ cận nghèo (NQ 05/2025/NQ-HĐND)"
    )
    assert line.amount == 175_000
