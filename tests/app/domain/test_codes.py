"""Dossier code format (DOMAIN §3) and allocation from leased blocks."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.codes import (
    DossierCode,
    Lease,
    looks_like_code,
    next_self_lease_block,
    parse_code,
    take_next,
)
from app.domain.errors import CapacityError, ValidationError


def test_code_is_agency_then_yymmdd_then_zero_padded_sequence():
    assert str(DossierCode("000.00.20.H12", date(2026, 11, 23), 1)) == "000.00.20.H12-261123-0001"
    assert str(DossierCode("H15.50.05.13", date(2026, 10, 8), 975)) == "H15.50.05.13-261008-0975"


def test_width_is_configurable_for_ministry_style_sequences():
    code = DossierCode("000.00.20.H12", date(2027, 1, 4), 42, width=6)
    assert str(code) == "000.00.20.H12-270104-000042"
    assert parse_code(str(code)) == code


def test_sequence_beyond_the_width_is_refused():
    with pytest.raises(ValidationError):
        DossierCode("000.00.20.H12", date(2026, 11, 23), 10_000)
    with pytest.raises(ValidationError):
        DossierCode("000.00.20.H12", date(2026, 11, 23), 0)


def test_parse_accepts_scanned_lower_case_and_spaces_and_rejects_garbage():
    assert parse_code(" 000.00.20.h12-261123-0001\n").seq == 1
    for bad in ("", "000.00.20.H12-261323-0001", "000.00.20.H12-2611230001", "abc"):
        with pytest.raises(ValidationError):
            parse_code(bad)
    assert looks_like_code("H15.50.05.13-261008-0975")
    assert not looks_like_code("001190012345")


def test_take_next_draws_from_the_lowest_block_with_numbers_left():
    leases = [
        Lease("X", date(2026, 11, 23), 51, 100, 51),
        Lease("X", date(2026, 11, 23), 1, 50, 51),  # used up
    ]
    lease, seq = take_next(leases)
    assert (lease.first, seq) == (51, 51)


def test_no_numbers_left_is_a_clear_capacity_error():
    with pytest.raises(CapacityError) as caught:
        take_next([Lease("X", date(2026, 11, 23), 1, 2, 3)])
    assert "dải số" in caught.value.message


def test_self_lease_starts_after_the_highest_block_and_stops_at_the_width():
    assert next_self_lease_block([], 50, 4) == (1, 50)
    assert next_self_lease_block([(1, 50), (51, 100)], 50, 4) == (101, 150)
    assert next_self_lease_block([(1, 9980)], 50, 4) == (9981, 9999)
    with pytest.raises(CapacityError):
        next_self_lease_block([(1, 9999)], 50, 4)


@given(
    blocks=st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=8),
    draws=st.integers(min_value=0, max_value=200),
)
def test_codes_drawn_from_leases_are_unique_and_gap_free_within_each_lease(blocks, draws):
    leases: list[Lease] = []
    start = 1
    for size in blocks:
        leases.append(Lease("X", date(2026, 11, 23), start, start + size - 1, start))
        start += size
    drawn: list[int] = []
    for _ in range(draws):
        try:
            lease, seq = take_next(leases)
        except CapacityError:
            break
        drawn.append(seq)
        leases = [
            Lease(x.agency_eid, x.day, x.first, x.last, seq + 1) if x.first == lease.first else x
            for x in leases
        ]
    assert len(drawn) == len(set(drawn))
    assert drawn == list(range(1, len(drawn) + 1))
    assert len(drawn) == min(draws, sum(blocks))
