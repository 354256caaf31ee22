"""A province runs its central system over TLS with its own CA: a counter given the CA bundle
enrols and syncs; without it (or with another CA) the certificate is refused at once, with a
Vietnamese message saying what to do. The server is a real `motcua central serve --tls-cert`."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.bootstrap import open_context
from app.cli import main
from app.services.sync_port import sync_settings
from resources import resource_path
from sync.client import SyncClient, SyncUntrusted
from tests.app.scanning.pki import make_ca
from tests.sync.conftest import _free_port
from tests.sync.tls_certs import TlsFiles, province_tls, write_ca_bundle

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def motcua(capsys: pytest.CaptureFixture[str]):
    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def tls_central(tmp_path: Path, motcua) -> Iterator[tuple[str, str, TlsFiles]]:
    """(https URL, enrolment token for tinh-q01, TLS files) of a central system on 127.0.0.1."""
    tls = province_tls(tmp_path / "tls")
    db = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    catalogue = str(resource_path("catalogue", "demo.json"))
    assert motcua("central", "init", "--db", db, "--catalogue", catalogue)[0] == 0
    code, token, err = motcua(
        "central", "enrol", "--db", db, "--counter", "tinh-q01", "--agency", "ttpvhcc-tinh"
    )
    assert code == 0, err
    port = _free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "app", "central", "serve", "--db", db, "--port", str(port)),
            *("--tls-cert", str(tls.cert), "--tls-key", str(tls.key)),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"https://127.0.0.1:{port}"
    trusted = ssl.create_default_context(cafile=str(tls.ca_bundle))
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/v1/health", verify=trusted).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url, token.strip(), tls
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_client_refuses_an_untrusted_certificate_at_once_and_trusts_the_ca_bundle(
    tls_central,
):
    url, _, tls = tls_central
    sleeps: list[float] = []
    with SyncClient(url, sleep=sleeps.append) as client, pytest.raises(SyncUntrusted) as caught:
        client.request("GET", "/v1/health")
    assert caught.value.code == "sync.tls_untrusted"
    assert "không do cơ quan chứng thực (CA) mà máy này tin cậy cấp" in caught.value.message
    assert sleeps == []  # not retried: waiting does not make a certificate trusted
    with SyncClient(url, ca_file=str(tls.ca_bundle), sleep=sleeps.append) as client:
        assert client.request("GET", "/v1/health").status_code == 200


def test_enrol_and_sync_over_tls_with_the_province_ca_file_and_a_clear_refusal_without_it(
    tls_central, tmp_path: Path, motcua
):
    url, token, tls = tls_central
    data = str(tmp_path / "counter")
    other_ca = write_ca_bundle(make_ca("CA khác"), tmp_path / "other-ca.pem")

    code, _, err = motcua("enrol", "--server", url, "--token", token, "--data-dir", data)
    assert code == 3
    assert "Không tin cậy được kết nối an toàn (TLS) tới hệ thống trung tâm" in err
    assert "--ca-file" in err
    code, _, err = motcua(
        "enrol", "--server", url, "--token", token, "--data-dir", data, "--ca-file", "thieu.pem"
    )
    assert code == 3 and "Không đọc được tệp chứng thư CA" in err

    # The refused attempts never reached the server, so the token is still good.
    code, out, err = motcua(
        "enrol",
        *("--server", url, "--token", token, "--data-dir", data),
        *("--ca-file", str(tls.ca_bundle), "--json"),
    )
    assert code == 0, err
    assert json.loads(out)["sync"]["ok"] is True

    _, out, _ = motcua("catalogue", "list", "--data-dir", data, "--json")
    procedure = json.loads(out)[0]["code"]
    code, _, err = motcua(
        "receive",
        *("--procedure", procedure, "--applicant-name", "Lò Văn Páo"),
        *("--id-number", "014190012345", "--data-dir", data),
    )
    assert code == 0, err
    # The bundle was remembered with the enrolment: a plain sync trusts the server.
    code, out, err = motcua("sync", "--data-dir", data, "--json")
    assert code == 0, err
    assert json.loads(out)["uploaded"] == 1

    # Another CA's bundle for one sync: refused, and the remembered bundle is kept.
    code, out, _ = motcua("sync", "--data-dir", data, "--json", "--ca-file", str(other_ca))
    assert code == 3
    assert json.loads(out)["error_code"] == "sync.tls_untrusted"
    ctx = open_context(Path(data))
    try:
        settings = sync_settings(ctx)
        assert settings is not None and settings.ca_file == str(tls.ca_bundle.resolve())
    finally:
        ctx.db.close()

    # A renewed bundle given to `motcua sync` replaces it once a sync with it succeeded.
    renewed = tmp_path / "renewed" / "ca.pem"
    renewed.parent.mkdir()
    shutil.copy(tls.ca_bundle, renewed)
    code, out, err = motcua("sync", "--data-dir", data, "--json", "--ca-file", str(renewed))
    assert code == 0, err
    ctx = open_context(Path(data))
    try:
        settings = sync_settings(ctx)
        assert settings is not None and settings.ca_file == str(renewed.resolve())
    finally:
        ctx.db.close()
