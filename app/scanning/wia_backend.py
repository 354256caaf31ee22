"""Scanners on Windows through WIA 2.0's automation layer (wiaaut.dll, "WIA.DeviceManager"),
driven with comtypes, without WIA's own dialogs.

A scan connects to the device, selects flatbed or feeder (WIA_DPS_DOCUMENT_HANDLING_SELECT, with
DUPLEX for two-sided feeding), sets intent, resolution and extent on the scan item, then calls
Item.Transfer once per page until the feeder reports WIA_ERROR_PAPER_EMPTY. WIA errors arrive as
COMError HRESULTs (0x8021xxxx) and are mapped to the same codes as the other backends, raised after
the pages already transferred were yielded.

WHAT WAS TESTED: nothing of the WIA path itself — it was written on Linux from Microsoft's WIA
documentation (property IDs from wiadef.h, error codes from "Error Codes (WIA)") and never run
against a WIA driver. The Linux suite only checks that this module imports without comtypes
(every comtypes import is inside a method) and that `backends` does not offer WIA off Windows.
Before relying on it, try on a counter PC: device listing, one flatbed page, a feeder batch,
an empty feeder, a jam, and scanning from a worker thread (COM is initialised per thread here).
Known unknowns: whether each driver honours WIA_DPS_PAGES = 1 with repeated transfers (the
WIA 1.0 convention used here) or only a single multi-page transfer; whether FileData.BinaryData
arrives as bytes or as a tuple of ints (both are handled); drivers that expose feeder and
flatbed as separate child items (WIA 2.0 style) instead of the root's document-handling select.
comtypes' dynamic dispatch is used so no type-library wrappers are generated at run time (a
frozen PyInstaller build cannot write them).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

from PIL import Image

from app.scanning.backends import device_error, unsupported_setting
from app.scanning.model import (
    ALLOWED_DPI,
    PAPER_SIZES_MM,
    SOURCE_LABELS,
    ColourMode,
    DeviceInfo,
    RawPage,
    ScanError,
    ScanSettings,
    Source,
)

log = logging.getLogger(__name__)

SCANNER_DEVICE_TYPE = 1
# Root item (device) properties, wiadef.h.
WIA_DPS_HORIZONTAL_BED_SIZE = 3074  # thousandths of an inch
WIA_DPS_VERTICAL_BED_SIZE = 3075
WIA_DPS_HORIZONTAL_SHEET_FEED_SIZE = 3076
WIA_DPS_VERTICAL_SHEET_FEED_SIZE = 3077
WIA_DPS_DOCUMENT_HANDLING_CAPABILITIES = 3086
WIA_DPS_DOCUMENT_HANDLING_STATUS = 3087
WIA_DPS_DOCUMENT_HANDLING_SELECT = 3088
WIA_DPS_PAGES = 3096
CAP_FEED, CAP_FLAT, CAP_DUP = 0x1, 0x2, 0x4
SELECT_FEEDER, SELECT_FLATBED, SELECT_DUPLEX = 0x1, 0x2, 0x4
STATUS_FEED_READY = 0x1
# Scan item properties.
WIA_IPS_CUR_INTENT = 6146
WIA_IPS_XRES = 6147
WIA_IPS_YRES = 6148
WIA_IPS_XPOS = 6149
WIA_IPS_YPOS = 6150
WIA_IPS_XEXTENT = 6151  # pixels
WIA_IPS_YEXTENT = 6152
INTENT = {ColourMode.COLOR: 1, ColourMode.GRAY: 2, ColourMode.BW: 4}  # COLOR, GRAYSCALE, TEXT
FORMAT_BMP = "{B96B3CAB-0728-11D3-9D7B-0000F81EF32E}"  # the one every WIA driver must offer

# HRESULTs, "Error Codes (WIA)".
WIA_ERROR_PAPER_EMPTY = 0x80210003
_WIA_CODES = {
    0x80210002: "scan.jammed",  # WIA_ERROR_PAPER_JAM
    0x80210004: "scan.jammed",  # WIA_ERROR_PAPER_PROBLEM
    0x80210020: "scan.jammed",  # WIA_ERROR_MULTI_FEED
    WIA_ERROR_PAPER_EMPTY: "scan.no_paper",
    0x80210016: "scan.cover_open",  # WIA_ERROR_COVER_OPEN
    0x80210005: "scan.io",  # WIA_ERROR_OFFLINE
    0x8021000A: "scan.io",  # WIA_ERROR_DEVICE_COMMUNICATION
    0x80210006: "scan.busy",  # WIA_ERROR_BUSY
    0x80210007: "scan.busy",  # WIA_ERROR_WARMING_UP
    0x8021000D: "scan.busy",  # WIA_ERROR_DEVICE_LOCKED
}


def _hresult(exc: BaseException) -> int:
    value = getattr(exc, "hresult", None)
    if value is None and exc.args and isinstance(exc.args[0], int):
        value = exc.args[0]
    return int(value or 0) & 0xFFFFFFFF


def _comtypes() -> Any:
    # Imported here, not at the top: comtypes exists only on Windows and this module must
    # import everywhere (backends, type checks, the Linux test suite).
    try:
        import comtypes
        import comtypes.client
    except ImportError as exc:
        raise ScanError(
            "scan.backend_unavailable",
            "Không dùng được máy quét WIA: thiếu thành phần comtypes (chỉ có trên Windows).",
            backend="wia",
        ) from exc
    return comtypes


def _get(properties: Any, pid: int, default: int = 0) -> int:
    try:
        if properties.Exists(str(pid)):
            return int(properties.Item(str(pid)).Value)
    except Exception:  # a driver without the property, or one that refuses to read it
        log.info("WIA property %s not readable", pid)
    return default


def _set(properties: Any, pid: int, value: int) -> None:
    if properties.Exists(str(pid)):
        properties.Item(str(pid)).Value = value
    else:
        log.info("WIA property %s not offered by this driver; skipped", pid)


class WiaScanner:
    """WIA scanners on this Windows computer. Iterate a scan's pages on one thread: COM
    objects of the automation layer belong to the thread that created them."""

    backend = "wia"

    def devices(self) -> list[DeviceInfo]:
        comtypes = _comtypes()
        comtypes.CoInitialize()
        try:
            manager = comtypes.client.CreateObject("WIA.DeviceManager", dynamic=True)
            infos = manager.DeviceInfos
            found: list[DeviceInfo] = []
            for number in range(1, int(infos.Count) + 1):
                info = infos.Item(number)
                if int(info.Type) != SCANNER_DEVICE_TYPE:
                    continue
                found.append(self._describe(info))
            return found
        except comtypes.COMError as exc:
            raise self._error(exc, kept=0, device="wia") from exc
        finally:
            comtypes.CoUninitialize()

    def _describe(self, info: Any) -> DeviceInfo:
        name = str(info.Properties.Item("Name").Value)
        sources: tuple[Source, ...] = (Source.FLATBED,)
        try:
            device = info.Connect()
            capabilities = _get(device.Properties, WIA_DPS_DOCUMENT_HANDLING_CAPABILITIES, CAP_FLAT)
            sources = _sources(capabilities)
        except Exception:  # busy or asleep: list it anyway, as a flatbed
            log.info("WIA device not connected for its capabilities")
        return DeviceInfo(
            id=str(info.DeviceID),
            name=name,
            backend=self.backend,
            sources=sources,
            resolutions=ALLOWED_DPI,  # WIA drivers rescale to any listed resolution
        )

    def scan(self, device_id: str, settings: ScanSettings) -> Iterator[RawPage]:
        comtypes = _comtypes()
        comtypes.CoInitialize()
        try:
            yield from self._scan(comtypes, device_id, settings)
        finally:
            comtypes.CoUninitialize()

    def _scan(self, comtypes: Any, device_id: str, settings: ScanSettings) -> Iterator[RawPage]:
        try:
            device = self._connect(comtypes, device_id)
            item = _configure(device, settings)
        except comtypes.COMError as exc:
            raise self._error(exc, kept=0, device=device_id) from exc
        feeder = settings.source != Source.FLATBED
        kept = 0
        while True:
            if feeder and kept > 0:
                status = _get(
                    device.Properties, WIA_DPS_DOCUMENT_HANDLING_STATUS, STATUS_FEED_READY
                )
                if not status & STATUS_FEED_READY:
                    return  # the driver says the feeder is empty: the batch is complete
            try:
                image_file = item.Transfer(FORMAT_BMP)
                data = image_file.FileData.BinaryData
            except comtypes.COMError as exc:
                if feeder and kept > 0 and _hresult(exc) == WIA_ERROR_PAPER_EMPTY:
                    return
                raise self._error(exc, kept=kept, device=device_id) from exc
            image: Image.Image = Image.open(io.BytesIO(bytes(data)))
            image.load()
            if image.mode not in ("RGB", "L", "1"):
                image = image.convert("RGB")
            kept += 1
            yield RawPage(image=image, dpi=settings.dpi, index=kept, origin=device_id)
            if not feeder:
                return

    def _connect(self, comtypes: Any, device_id: str) -> Any:
        manager = comtypes.client.CreateObject("WIA.DeviceManager", dynamic=True)
        infos = manager.DeviceInfos
        for number in range(1, int(infos.Count) + 1):
            info = infos.Item(number)
            if str(info.DeviceID) == device_id:
                return info.Connect()
        raise device_error("scan.device", device=device_id, detail="not found")

    def _error(self, exc: BaseException, *, kept: int, device: str) -> ScanError:
        code = _WIA_CODES.get(_hresult(exc), "scan.device")
        return device_error(code, pages_kept=kept, device=device, detail=hex(_hresult(exc)))


def _sources(capabilities: int) -> tuple[Source, ...]:
    sources: list[Source] = []
    if capabilities & CAP_FLAT:
        sources.append(Source.FLATBED)
    if capabilities & CAP_FEED:
        sources.append(Source.ADF)
        if capabilities & CAP_DUP:
            sources.append(Source.ADF_DUPLEX)
    return tuple(sources) or (Source.FLATBED,)


def _configure(device: Any, settings: ScanSettings) -> Any:
    """Select the source on the device, then intent, resolution and extent on its scan item.
    Intent goes first: drivers reset resolution and data type when it changes."""
    capabilities = _get(device.Properties, WIA_DPS_DOCUMENT_HANDLING_CAPABILITIES, CAP_FLAT)
    if settings.source not in _sources(capabilities):
        offered = ", ".join(SOURCE_LABELS[s] for s in _sources(capabilities))
        raise unsupported_setting(
            "source",
            f"Máy quét này không có chế độ «{SOURCE_LABELS[settings.source]}». "
            f"Xin chọn: {offered}.",
            source=settings.source.value,
        )
    select = {
        Source.FLATBED: SELECT_FLATBED,
        Source.ADF: SELECT_FEEDER,
        Source.ADF_DUPLEX: SELECT_FEEDER | SELECT_DUPLEX,
    }[settings.source]
    if capabilities & CAP_FEED:  # flatbed-only drivers may not have the property at all
        _set(device.Properties, WIA_DPS_DOCUMENT_HANDLING_SELECT, select)
    if settings.source != Source.FLATBED:
        _set(device.Properties, WIA_DPS_PAGES, 1)  # one page per Transfer; the loop asks again
    item = device.Items.Item(1)
    _set(item.Properties, WIA_IPS_CUR_INTENT, INTENT[settings.mode])
    _set(item.Properties, WIA_IPS_XRES, settings.dpi)
    _set(item.Properties, WIA_IPS_YRES, settings.dpi)
    width_mm, height_mm = PAPER_SIZES_MM.get(settings.paper, PAPER_SIZES_MM["A4"])
    if settings.source == Source.FLATBED:
        max_w = _get(device.Properties, WIA_DPS_HORIZONTAL_BED_SIZE)
        max_h = _get(device.Properties, WIA_DPS_VERTICAL_BED_SIZE)
    else:
        max_w = _get(device.Properties, WIA_DPS_HORIZONTAL_SHEET_FEED_SIZE)
        max_h = _get(device.Properties, WIA_DPS_VERTICAL_SHEET_FEED_SIZE)
    _set(item.Properties, WIA_IPS_XPOS, 0)
    _set(item.Properties, WIA_IPS_YPOS, 0)
    _set(item.Properties, WIA_IPS_XEXTENT, _pixels(width_mm, max_w, settings.dpi))
    _set(item.Properties, WIA_IPS_YEXTENT, _pixels(height_mm, max_h, settings.dpi))
    return item


def _pixels(mm: float, max_thousandths: int, dpi: int) -> int:
    """Paper length in pixels, clamped to what the bed or feeder reaches (when it says)."""
    inches = mm / 25.4
    if max_thousandths:
        inches = min(inches, max_thousandths / 1000)
    return max(1, int(inches * dpi))
