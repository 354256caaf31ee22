"""A digitised PDF reaches the central system as a blob after its metadata (real server)."""

from __future__ import annotations

from app.services.digitisation import ComponentPdf, save_component
from app.services.scan_store import ScanStore, sha256_hex
from app.services.sync_port import pending_blobs
from tests.app.services.helpers import tiny_pdf
from tests.sync.conftest import Central


def test_a_digitised_component_is_uploaded_once_and_readable_by_a_colleague(
    central: Central, make_station
):
    a = make_station(central, "tinh-q01")
    b = make_station(central, "tinh-q02")
    code = a.receive(1)[0]
    pdf = tiny_pdf("Giấy khai sinh — bản sao")
    saved = save_component(
        a.ctx, ScanStore.beside(a.ctx), code, "1", ComponentPdf(pdf, 1, "import")
    )
    assert pending_blobs(a.ctx) == [saved.sha256]

    summary = a.sync()
    assert summary.ok, summary.error
    assert summary.blobs_uploaded == 1
    assert pending_blobs(a.ctx) == []
    assert a.sync().blobs_uploaded == 0  # nothing sent twice

    with b.client() as client:  # same agency: the colleague's counter may read it
        fetched = client.get_blob(saved.sha256)
    assert sha256_hex(fetched) == saved.sha256 and fetched == pdf
