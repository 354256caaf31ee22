"""Authorisation on the central system: agencies, other counters' uploads, revocation."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from sqlalchemy import func, select

from app.domain.errors import CapacityError
from app.services.sync_port import pending_entries
from sync.client import SyncRefused
from sync.engine import _entry, enrol
from sync.protocol import LeaseRequest, LeasesRequest, UploadRequest
from sync.server.models import AuditEntry
from tests.sync.conftest import FAST, Central


def test_a_counter_cannot_write_dossiers_of_an_agency_it_is_not_enrolled_for(
    central: Central, make_station
):
    a = make_station(central, "tinh-q01")
    ward = make_station(central, "to-hieu-q01", "ttpvhcc-to-hieu")
    a.receive(1)
    entry = _entry(pending_entries(a.ctx, 1)[0])
    with ward.client() as client:
        answer = client.upload(UploadRequest(entries=[entry]))
        assert answer.results[0].status == "rejected"
        assert answer.results[0].code == "auth.agency"
        refused = client.leases(
            LeasesRequest(
                requests=[
                    LeaseRequest(
                        request_id="x1",
                        agency_eid="000.00.70.H52",
                        day=central.clock.now().date(),
                        count=10,
                    )
                ]
            )
        )
        assert refused.granted == [] and refused.refused[0].code == "auth.agency"
    assert central.dossiers() == {}
    # The rightful counter's upload of the same entry is not blocked by that attempt.
    assert a.sync().ok
    assert len(central.dossiers()) == 1
    # And the ward counter does not see the province centre's dossiers.
    assert ward.sync().ok
    assert ward.dossiers() == {}


def test_a_counter_cannot_read_or_take_over_another_counters_uploads(
    central: Central, make_station
):
    a = make_station(central, "tinh-q01")
    b = make_station(central, "tinh-q02")  # same agency
    a.receive(1)
    entry = _entry(pending_entries(a.ctx, 1)[0])
    assert a.sync().ok
    with a.client() as mine:
        original = mine.request("GET", f"/v1/uploads/{entry.id}").json()
        assert original["status"] == "applied"
    with b.client() as theirs:
        # The result of A's upload is not B's to read…
        with pytest.raises(SyncRefused) as refused:
            theirs.request("GET", f"/v1/uploads/{entry.id}")
        assert refused.value.status == 404
        # …and keys are per counter: B sending A's key neither reads nor disturbs A's result.
        theirs.upload(UploadRequest(entries=[entry]))
        with a.client() as mine:
            again = mine.upload(UploadRequest(entries=[entry])).results[0]
            assert again.model_dump(exclude_none=True) | {"id": entry.id} == {
                k: v for k, v in original.items() if v is not None
            }
        # A blob upload in progress is private to its counter.
        data = b"%PDF-1.7 scanned component" * 100
        sha = hashlib.sha256(data).hexdigest()
        with a.client() as mine:
            mine.request(
                "PUT",
                f"/v1/blobs/{sha}",
                body=data[:100],
                headers={"X-Blob-Offset": "0", "X-Blob-Total": str(len(data))},
            )
            assert mine.blob_received(sha) == (100, False)
        assert theirs.blob_received(sha) == (0, False)
        with pytest.raises(SyncRefused):
            theirs.get_blob(sha)


def test_a_revoked_credential_is_refused_with_a_readable_message(central: Central, make_station):
    a = make_station(central, "tinh-q01")
    a.receive(2)
    assert central.revoke("tinh-q01") == 1
    summary = a.sync()
    assert not summary.ok
    assert summary.error_code == "auth.revoked"
    assert "thu hồi" in summary.error
    assert summary.pending == 2  # kept safely for after re-enrolment
    with central.db.read() as session:
        refused = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.status == 401)
        )
        assert refused and refused >= 1
        total = session.scalar(select(func.count()).select_from(AuditEntry))
        assert total and total > refused
    # Re-enrolled with a new token, the counter uploads what waited.
    result = enrol(a.ctx, central.url, central.token("tinh-q01"), options=FAST)
    assert result.sync.ok and result.sync.pending == 0
    assert len(central.dossiers()) == 2


def test_an_enrolment_token_works_once(central: Central, make_station, tmp_path):
    token = central.token("tinh-q02")
    with httpx.Client(base_url=central.url, headers={"X-MotCua-Protocol": "1"}) as http:
        body = {"token": token, "request_id": "r1"}
        assert http.post("/v1/enrol", json=body).status_code == 200
        # The same request again (its answer was lost): a fresh credential, the old one revoked.
        again = http.post("/v1/enrol", json=body)
        assert again.status_code == 200
        other = http.post("/v1/enrol", json={"token": token, "request_id": "r2"})
        assert other.status_code == 401
        assert "Mã đăng ký không hợp lệ" in other.json()["error"]["message"]


def test_an_offline_counter_says_clearly_when_its_codes_run_out(central: Central, make_station):
    a = make_station(central, "tinh-q01")
    a.receive(50)  # one block of 50 leased for today
    with pytest.raises(CapacityError) as exhausted:
        a.receive(1)
    assert exhausted.value.code == "code.no_lease"
    assert "hệ thống trung tâm" in exhausted.value.message
    summary = a.sync()  # online again: uploads and tops up the leases
    assert summary.ok and summary.leases_granted >= 1
    assert summary.codes_left_today and summary.codes_left_today > 0
    a.receive(1)


def test_an_enrolment_token_never_starts_like_a_command_line_option(monkeypatch):
    from sync.server import auth

    drawn = iter(["-looks-like-an-option", "--also", "Ab3_-x"])
    monkeypatch.setattr(auth.secrets, "token_urlsafe", lambda _n: next(drawn))
    assert auth.new_enrolment_token() == "Ab3_-x"
