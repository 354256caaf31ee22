"""Which scanner inputs exist on this computer, opening one, and the device errors they share.

This is the one module that knows the concrete backends (`sane_backend`, `escl`, `importer`,
`wia_backend`), and it imports each of them only when it is asked for, so importing it pulls in
neither httpx, python-sane nor comtypes (the CLI and the scanning screen import it; app.services
never does, by import-linter contract). `InstalledScanners` shows every backend's devices as one
`Scanner`. It also holds the Vietnamese wording of the device errors every backend reports (jam,
empty feeder, open cover…), so a jam reads the same whether it came from SANE, eSCL or WIA.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from app.scanning.model import DeviceInfo, RawPage, ScanError, Scanner, ScanSettings

log = logging.getLogger(__name__)

# Stable codes → what the clerk reads. The wording says what to do next, not what went wrong inside.
DEVICE_ERROR_MESSAGES: dict[str, str] = {
    "scan.jammed": (
        "Kẹt giấy trong khay nạp. Xin gỡ tờ giấy bị kẹt, đặt lại các trang chưa quét vào khay "
        "rồi quét tiếp."
    ),
    "scan.no_paper": "Khay nạp giấy trống. Xin đặt giấy vào khay rồi quét lại.",
    "scan.cover_open": "Nắp máy quét đang mở. Xin đóng nắp rồi quét lại.",
    "scan.io": (
        "Mất liên lạc với máy quét giữa chừng. Xin kiểm tra dây cáp hoặc kết nối mạng rồi quét lại."
    ),
    "scan.busy": (
        "Máy quét đang bận (có thể đang phục vụ máy tính khác). Xin chờ một lát rồi quét lại."
    ),
    "scan.device": "Máy quét báo lỗi. Xin tắt rồi bật lại máy quét, sau đó quét lại.",
    "scan.unreachable": (
        "Không kết nối được máy quét. Xin kiểm tra máy quét đã bật, địa chỉ đúng và "
        "cùng mạng với máy tính."
    ),
}


def device_error(
    code: str, *, pages_kept: int = 0, device: str = "", detail: str = ""
) -> ScanError:
    """The ScanError for a device problem, saying how many pages of the batch were kept.
    `detail` is the backend's own wording (English status text, HTTP status): for the log only."""
    message = DEVICE_ERROR_MESSAGES[code]
    if pages_kept:
        message += f" {pages_kept} trang đã quét trước đó vẫn được giữ lại."
    return ScanError(code, message, pages_kept=pages_kept, device=device, detail=detail)


def unsupported_setting(field: str, message: str, **params: Any) -> ScanError:
    """A scan setting the chosen device cannot do (refused before anything is scanned)."""
    error = ScanError("scan.unsupported", message, **params)
    error.field = field
    return error


BACKEND_LABELS = {
    "sane": "Máy quét nối trực tiếp (SANE)",
    "wia": "Máy quét nối trực tiếp (WIA)",
    "escl": "Máy quét qua mạng (eSCL/AirScan)",
    "import": "Tệp ảnh hoặc PDF",
}


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def available_backends() -> list[str]:
    """Backends usable on this computer, local drivers first. WIA exists only on Windows and
    SANE only elsewhere; eSCL (plain HTTP) and file import work everywhere."""
    names: list[str] = []
    if sys.platform == "win32":
        if _installed("comtypes"):
            names.append("wia")
    elif _installed("sane"):
        names.append("sane")
    names += ["escl", "import"]
    return names


def open_scanner(backend: str, **config: Any) -> Scanner:
    """A scanner input for `backend` with its configuration (constructor keywords):
    sane(extra_options=…), escl(addresses=[…]), import(paths=[…]) or import(folder=…) for a
    watched "scan to folder" folder, wia()."""
    if backend not in available_backends():
        raise ScanError(
            "scan.backend_unavailable",
            f"Kiểu máy quét «{BACKEND_LABELS.get(backend, backend)}» không dùng được trên máy "
            "tính này.",
            backend=backend,
        )
    if backend == "sane":
        from app.scanning.sane_backend import SaneScanner

        return SaneScanner(**config)
    if backend == "escl":
        from app.scanning.escl import EsclScanner

        return EsclScanner(**config)
    if backend == "wia":
        from app.scanning.wia_backend import WiaScanner

        return WiaScanner(**config)
    from app.scanning.importer import FileImporter, WatchedFolder

    if "folder" in config:
        return WatchedFolder(**config)
    return FileImporter(**config)


# Local drivers need no configuration; the others are listed only when configured.
_NEEDS_NO_CONFIG = ("sane", "wia")


def all_devices(
    config: Mapping[str, Mapping[str, Any]], *, errors: list[ScanError] | None = None
) -> list[DeviceInfo]:
    """Every device of every available backend. A backend that fails (SANE not starting, a
    broken driver) is logged, added to `errors` when given, and skipped: it must not hide the
    devices the other backends found."""
    found: list[DeviceInfo] = []
    for backend in available_backends():
        backend_config = config.get(backend)
        if backend_config is None and backend not in _NEEDS_NO_CONFIG:
            continue
        try:
            found += open_scanner(backend, **dict(backend_config or {})).devices()
        except Exception as exc:  # a driver can fail in any way; the others still count
            log.warning("scanner backend %s failed to list devices: %r", backend, exc)
            if errors is not None:
                errors.append(
                    exc
                    if isinstance(exc, ScanError)
                    else device_error("scan.device", device=backend, detail=repr(exc))
                )
    return found


class InstalledScanners:
    """Every scanner input of this computer as one `Scanner`: the devices of all backends, and a
    scan goes to the backend that listed the device. `config` is per backend, as for
    `all_devices` (eSCL addresses, an import folder…)."""

    backend = "all"

    def __init__(self, config: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._config = {name: dict(values) for name, values in (config or {}).items()}
        self._backend_of: dict[str, str] = {}

    def devices(self) -> list[DeviceInfo]:
        errors: list[ScanError] = []
        found = all_devices(self._config, errors=errors)
        if not found and errors:
            raise errors[0]
        self._backend_of = {device.id: device.backend for device in found}
        return found

    def scan(self, device_id: str, settings: ScanSettings) -> Iterator[RawPage]:
        backend = self._backend_of.get(device_id, "sane")
        scanner = open_scanner(backend, **self._config.get(backend, {}))
        return scanner.scan(device_id, settings)
