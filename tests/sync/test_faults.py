"""Fault injection between a counter and the real server: whatever breaks, once the network is
back nothing is lost, nothing is doubled and the outbox is empty."""

from __future__ import annotations

import httpx
import pytest

from app.domain.lifecycle import Status
from app.services import dossiers
from tests.sync.conftest import Central, Station
from tests.sync.proxy import Fault, Proxy

SHORT = httpx.Timeout(connect=1.0, read=0.4, write=1.0, pool=1.0)


def _converge(station: Station, url: str, rounds: int = 6) -> None:
    for _ in range(rounds):
        summary = station.sync(url, timeout=SHORT)
        if summary.ok and summary.pending == 0:
            return
    raise AssertionError(f"no convergence: {summary}")


def _assert_identical(central: Central, *stations: Station, expected: set[str]) -> None:
    server = central.dossiers()
    codes = [code for code, _, _ in server.values()]
    assert len(codes) == len(set(codes)) == len(expected)
    assert set(codes) == expected
    for station in stations:
        assert station.pending() == 0
        assert station.dossiers() == server


@pytest.fixture
def proxy(central: Central):
    p = Proxy(central.address, stall_seconds=0.6).start()
    yield p
    p.close()


@pytest.mark.parametrize("fault", list(Fault))
def test_a_fault_on_every_kind_of_request_loses_and_doubles_nothing(
    central: Central, make_station, proxy: Proxy, fault: Fault
):
    a = make_station(central, "tinh-q01")
    b = make_station(central, "tinh-q02")
    codes = a.receive(18) + b.receive(4)
    dossiers.transfer(a.ctx, codes[0])
    dossiers.record_result(a.ctx, codes[1])
    # Each kind of request fails once or twice along the way (more than the client's own
    # retries can hide, for some), then the network is good again.
    for path in ("/v1/upload", "/v1/upload", "/v1/leases", "/v1/changes", "/v1/check"):
        proxy.schedule(path, fault)
    a.sync(proxy.url, timeout=SHORT, retries=1)
    b.sync(proxy.url, timeout=SHORT, retries=1)
    proxy.calm()
    _converge(a, proxy.url)
    _converge(b, proxy.url)
    _converge(a, proxy.url)
    # Requests held back and replayed late (reordered after newer ones) change nothing.
    before = central.dossiers()
    proxy.flush_replays()
    assert central.dossiers() == before
    assert before[next(i for i, v in before.items() if v[0] == codes[1])][1] == Status.RESOLVED
    _assert_identical(central, a, b, expected=set(codes))
    assert {f for f, _ in proxy.injected} == {fault}


def test_random_faults_on_a_third_of_all_requests_still_converge(
    central: Central, make_station, proxy: Proxy
):
    a = make_station(central, "tinh-q01")
    b = make_station(central, "tinh-q02")
    proxy.chaos(0.35, seed=7)
    codes: list[str] = []
    for round_no in range(3):
        codes += a.receive(6) + b.receive(3)
        dossiers.transfer(a.ctx, codes[round_no * 9])
        a.sync(proxy.url, timeout=SHORT, retries=2)
        b.sync(proxy.url, timeout=SHORT, retries=2)
    proxy.calm()
    proxy.flush_replays()
    for station in (a, b, a, b):
        _converge(station, proxy.url)
    _assert_identical(central, a, b, expected=set(codes))
    assert len(proxy.injected) >= 5
