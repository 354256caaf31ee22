"""Protocol versioning, wire shapes, resumable blobs and lease bookkeeping against the server."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
import pytest

from app.services.sync_records import RECORD_FIELDS
from sync.client import SyncClient, SyncRefused
from sync.protocol import DossierRecord
from tests.sync.conftest import Central
from tests.sync.proxy import Fault, Proxy


def test_the_wire_record_and_the_port_agree_on_every_dossier_field():
    assert set(DossierRecord.model_fields) == set(RECORD_FIELDS)


@pytest.mark.parametrize("version", ["0", "2", "abc", None])
def test_the_server_refuses_an_unknown_protocol_version_in_vietnamese(
    sqlite_central: Central, version
):
    headers = {"X-MotCua-Protocol": version} if version is not None else {}
    answer = httpx.get(f"{sqlite_central.url}/v1/changes", headers=headers)
    assert answer.status_code == 426
    error = answer.json()["error"]
    assert error["code"] == "protocol.unsupported"
    assert "Hãy cập nhật phần mềm MotCua Desk" in error["message"]


def test_the_client_reports_the_servers_refusal_without_retrying(sqlite_central: Central):
    sleeps: list[float] = []
    client = SyncClient(sqlite_central.url, "not-a-credential", sleep=sleeps.append)
    with client, pytest.raises(SyncRefused) as refused:
        client.changes(0, 10)
    assert refused.value.code == "auth.revoked"
    assert sleeps == []


def test_an_unreachable_server_is_retried_with_growing_jittered_pauses():
    sleeps: list[float] = []
    client = SyncClient("http://127.0.0.1:9", "x", retries=4, backoff_base=0.1, sleep=sleeps.append)
    with pytest.raises(Exception) as failure:
        client.changes(0, 10)
    assert failure.value.code == "sync.unavailable"  # type: ignore[attr-defined]
    assert len(sleeps) == 4
    assert all(0 <= s <= 0.1 * 2**i for i, s in enumerate(sleeps))


def test_a_blob_upload_cut_midway_resumes_where_it_stopped(central: Central, make_station):
    a = make_station(central, "tinh-q01")
    data = bytes(range(256)) * 4096  # 1 MiB
    sha = hashlib.sha256(data).hexdigest()
    proxy = Proxy(central.address).start()
    try:
        proxy.schedule("/v1/blobs", Fault.ERROR_500_AFTER)  # HEAD
        proxy.schedule("/v1/blobs", Fault.CUT_RESPONSE)  # first chunk: stored, answer cut
        with a.client(proxy.url) as client:
            client.put_blob(sha, data, chunk=256 * 1024)
            assert client.blob_received(sha) == (len(data), True)
            assert client.get_blob(sha) == data
    finally:
        proxy.close()
    # A neighbour of the same agency can read the finished blob.
    b = make_station(central, "tinh-q02")
    with b.client() as client:
        assert client.get_blob(sha) == data


def test_a_blob_whose_bytes_do_not_match_its_name_is_discarded(
    sqlite_central: Central, make_station
):
    a = make_station(sqlite_central, "tinh-q01")
    sha = hashlib.sha256(b"the real content").hexdigest()
    with a.client() as client:
        answer = client.request(
            "PUT",
            f"/v1/blobs/{sha}",
            body=b"something else!!",
            ok=(422,),
            headers={"X-Blob-Offset": "0", "X-Blob-Total": "16"},
        )
        assert answer.json()["error"]["code"] == "blob.hash"
        assert client.blob_received(sha) == (0, False)


def test_unused_numbers_of_past_days_go_back_to_the_pool_and_are_reused(
    central: Central, make_station
):
    a = make_station(central, "tinh-q01")
    day = central.clock.now().date()
    a.receive(3)
    assert a.sync().ok
    central.clock.current += timedelta(days=7)
    summary = a.sync()
    assert summary.ok and summary.leases_returned >= 1
    # Another counter back-filling that day gets the returned numbers 4..50 first.
    b = make_station(central, "tinh-q02")
    from sync.protocol import LeaseRequest, LeasesRequest

    with b.client() as client:
        granted = client.leases(
            LeasesRequest(
                requests=[
                    LeaseRequest(request_id="bf", agency_eid="000.00.70.H52", day=day, count=10)
                ]
            )
        ).granted[0]
    assert (granted.first, granted.last) == (4, 13)
