"""The backend registry: what is offered on this platform, that importing it pulls in no driver
or HTTP library, and that one failing backend does not hide the others' devices."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.scanning import backends
from app.scanning.model import ScanError, ScanSettings
from tests.app.scanning.escl_server import EsclTestServer

linux_only = pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows set")


def modules_after_import(module: str) -> set[str]:
    """The modules a fresh interpreter holds after importing `module` (sys.modules of this
    test process already has everything)."""
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return set(result.stdout.split())


@linux_only
def test_off_windows_sane_escl_and_import_are_offered_and_wia_is_not() -> None:
    assert backends.available_backends() == ["sane", "escl", "import"]


@linux_only
def test_opening_wia_off_windows_is_refused_in_vietnamese() -> None:
    with pytest.raises(ScanError) as caught:
        backends.open_scanner("wia")

    assert caught.value.code == "scan.backend_unavailable"
    assert "không dùng được trên máy tính này" in caught.value.message


@linux_only
def test_the_wia_module_imports_without_comtypes_and_says_so_when_used() -> None:
    assert "comtypes" not in modules_after_import("app.scanning.wia_backend")

    from app.scanning.wia_backend import WiaScanner

    with pytest.raises(ScanError) as caught:
        WiaScanner().devices()
    assert caught.value.code == "scan.backend_unavailable"


def test_importing_the_registry_pulls_in_no_driver_and_no_http_library() -> None:
    loaded = modules_after_import("app.scanning.backends")

    assert not {"httpx", "sane", "_sane", "comtypes", "pypdfium2"} & loaded


def test_a_failing_sane_does_not_hide_escl_devices(
    sane_test_config: Path, escl_server: EsclTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sane

    from app.scanning import sane_backend

    def broken_init() -> None:
        raise sane._sane.error("Error during device I/O")

    sane_backend.shutdown()
    monkeypatch.setattr(sane, "init", broken_init)
    errors: list[ScanError] = []

    devices = backends.all_devices({"escl": {"addresses": [escl_server.url]}}, errors=errors)

    assert [d.backend for d in devices] == ["escl"]
    assert [e.code for e in errors] == ["scan.device"]


def test_all_devices_lists_every_backend_together(
    sane_test_config: Path, escl_server: EsclTestServer, tmp_path: Path
) -> None:
    config: dict[str, dict[str, object]] = {
        "escl": {"addresses": [escl_server.url]},
        "import": {"folder": tmp_path},
    }

    devices = backends.all_devices(config)

    ids = [d.id for d in devices]
    assert "test:0" in ids
    assert f"escl:http://127.0.0.1:{escl_server.port}/eSCL" in ids
    assert f"folder:{tmp_path}" in ids


def test_open_scanner_builds_the_configured_input(tmp_path: Path) -> None:
    scanner = backends.open_scanner("import", folder=tmp_path)

    assert scanner.backend == "import"
    with pytest.raises(ScanError) as caught:
        list(scanner.scan(scanner.devices()[0].id, ScanSettings()))
    assert caught.value.code == "scan.no_paper"  # nothing has been scanned into it yet
