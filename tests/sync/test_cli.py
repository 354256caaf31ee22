"""The sync commands as an administrator and an officer use them; the server is a real
`motcua central serve` process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.cli import main
from resources import resource_path
from tests.sync.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]


def test_central_init_enrol_serve_then_a_counter_enrols_receives_and_syncs(tmp_path, capsys):
    def motcua(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    db = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    catalogue = str(resource_path("catalogue", "demo.json"))
    code, out, _ = motcua("central", "init", "--db", db, "--catalogue", catalogue, "--json")
    assert code == 0 and json.loads(out)["catalogue_version"] == 1
    code, out, _ = motcua("central", "init", "--db", db, "--catalogue", catalogue, "--json")
    assert json.loads(out)["catalogue_changed"] is False
    code, token, err = motcua(
        "central", "enrol", "--db", db, "--counter", "tinh-q01", "--agency", "ttpvhcc-tinh"
    )
    assert code == 0, err
    code, _, err = motcua(
        "central", "enrol", "--db", db, "--counter", "khong-co", "--agency", "ttpvhcc-tinh"
    )
    assert code == 3 and "Không có quầy" in err

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "central", "serve", "--db", db, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    data = str(tmp_path / "counter")
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        code, out, err = motcua(
            "enrol", "--server", url, "--token", token.strip(), "--data-dir", data, "--json"
        )
        assert code == 0, err
        assert json.loads(out)["counter"] == "tinh-q01"
        _, out, _ = motcua("catalogue", "list", "--data-dir", data, "--json")
        procedure = json.loads(out)[0]["code"]
        code, _, err = motcua(
            "receive",
            "--procedure",
            procedure,
            "--applicant-name",
            "Lò Thị Mai",
            "--id-number",
            "014190012345",
            "--data-dir",
            data,
            "--json",
        )
        assert code == 0, err
        synced = subprocess.run(
            [sys.executable, "-m", "app", "sync", "--data-dir", data, "--json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert synced.returncode == 0, synced.stderr
        summary = json.loads(synced.stdout)
        assert summary["ok"] and summary["uploaded"] == 1 and summary["pending"] == 0
        assert "Lò Thị Mai" not in synced.stderr  # personal data never reaches the logs
        _, out, _ = motcua("sync-rejected", "--data-dir", data, "--json")
        assert json.loads(out) == []
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "Lò Thị Mai" not in (server.stderr.read().decode() if server.stderr else "")
    code, out, _ = motcua("sync", "--data-dir", data, "--json", "--server", "http://127.0.0.1:9")
    assert code == 4
    assert json.loads(out)["error_code"] == "sync.unavailable"
