"""Scanners driven through SANE (Linux), with python-sane: device list, options, the feeder loop.

SANE is initialised once per process (`sane.init()` behind a lock; `shutdown()` undoes it) and
each scan opens the device, sets source, mode, resolution and scan area, then reads pages until
the feeder reports it is empty. A device error in the middle of a batch is raised as a
`ScanError` only after the pages already read were yielded. python-sane reports every failure as
`_sane.error` whose text is libsane's `sane_strstatus()` wording (always English: SANE marks the
strings for translation but never translates them itself), so statuses are recognised by text.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import sane
from PIL import Image

from app.scanning.backends import device_error, unsupported_setting
from app.scanning.model import (
    ALLOWED_DPI,
    MODE_LABELS,
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

OptionValue = str | int | float | bool

# sane_strstatus() texts → our codes. "Operation was canceled" is not here: it is the answer to
# our own cancel(), never something to tell the clerk about as a device fault.
_STATUS_CODES = {
    "Document feeder jammed": "scan.jammed",
    "Document feeder out of documents": "scan.no_paper",
    "Scanner cover is open": "scan.cover_open",
    "Error during device I/O": "scan.io",
    "Device busy": "scan.busy",
    "Lamp not ready, please retry": "scan.busy",  # SANE_STATUS_WARMING_UP
    "Scanner mechanism locked for transport": "scan.device",  # SANE_STATUS_HW_LOCKED
}
_NO_DOCS = "Document feeder out of documents"

# Words by which device option strings are recognised; SANE only standardises a few of them.
_MODE_WORDS: dict[ColourMode, tuple[str, ...]] = {
    ColourMode.COLOR: ("color", "colour"),
    ColourMode.GRAY: ("gray", "grey"),
    ColourMode.BW: ("lineart", "binary", "black & white", "black and white", "monochrome"),
}
_FEEDER_WORDS = ("feeder", "adf", "automatic document")
_FLATBED_WORDS = ("flatbed", "platen", "normal", "document table", "glass")
_DUPLEX_WORD = "duplex"

_init_lock = threading.Lock()
_initialised = False


def _ensure_init() -> None:
    """sane.init() once per process: libsane keeps global state, and re-initialising while a
    device is open would pull it from under the scan."""
    global _initialised
    with _init_lock:
        if not _initialised:
            try:
                sane.init()
            except sane._sane.error as exc:
                raise device_error("scan.device", device="sane", detail=str(exc)) from exc
            _initialised = True


def shutdown() -> None:
    """sane.exit(): at process exit, or when a new SANE_CONFIG_DIR must be read."""
    global _initialised
    with _init_lock:
        if _initialised:
            sane.exit()
            _initialised = False


atexit.register(shutdown)


def _sane_code(exc: BaseException) -> str:
    return _STATUS_CODES.get(str(exc), "scan.device")


class SaneScanner:
    """Every SANE device on this computer. `extra_options` are set on the device after ours
    (driver-specific tuning such as "swdeskew", or the test backend's "read_return_value");
    `open_device` replaces `sane.open` (a device wrapper, e.g. in tests)."""

    backend = "sane"

    def __init__(
        self,
        *,
        extra_options: Mapping[str, OptionValue] | None = None,
        open_device: Callable[[str], Any] | None = None,
        local_only: bool = False,
    ) -> None:
        self._extra_options = dict(extra_options or {})
        self._open_device = open_device or sane.open
        self._local_only = local_only

    def devices(self) -> list[DeviceInfo]:
        _ensure_init()
        try:
            found = sane.get_devices(self._local_only)
        except sane._sane.error as exc:
            raise device_error("scan.device", device="sane", detail=str(exc)) from exc
        infos: list[DeviceInfo] = []
        for name, vendor, model, _kind in found:
            label = f"{vendor} {model}".strip() or name
            try:
                dev = self._open_device(name)
            except sane._sane.error as exc:  # busy elsewhere: list it, capabilities unknown
                log.info("SANE device %s not opened for its capabilities: %s", name, exc)
                infos.append(DeviceInfo(id=name, name=label, backend=self.backend))
                continue
            try:
                infos.append(_describe(dev, name, label))
            finally:
                dev.close()
        return infos

    def scan(self, device_id: str, settings: ScanSettings) -> Iterator[RawPage]:
        _ensure_init()
        try:
            dev = self._open_device(device_id)
        except sane._sane.error as exc:
            raise device_error(_sane_code(exc), device=device_id, detail=str(exc)) from exc
        try:
            _configure(dev, settings)
            for name, value in self._extra_options.items():
                _set_option(dev, name, value)
            yield from _read_pages(dev, device_id, settings)
        finally:
            # cancel() ends the device's batch: options can be changed and the device reused.
            try:
                dev.cancel()
            finally:
                dev.close()


def _read_pages(dev: Any, device_id: str, settings: ScanSettings) -> Iterator[RawPage]:
    feeder = settings.source != Source.FLATBED
    kept = 0
    while True:
        try:
            dev.start()
            # no_cancel=True: snap() would otherwise cancel after the page and end the batch.
            image = dev.snap(True)
        except sane._sane.error as exc:
            if feeder and kept > 0 and str(exc) == _NO_DOCS:
                return  # the feeder ran out after the last page: the normal end of a batch
            raise device_error(
                _sane_code(exc), pages_kept=kept, device=device_id, detail=str(exc)
            ) from exc
        except RuntimeError as exc:  # python-sane: "Scanner returned no data"
            raise device_error(
                "scan.io", pages_kept=kept, device=device_id, detail=str(exc)
            ) from exc
        kept += 1
        yield RawPage(
            image=_as_page_image(image, settings.mode),
            dpi=settings.dpi,
            index=kept,
            origin=device_id,
        )
        if not feeder:
            return


def _as_page_image(image: Image.Image, mode: ColourMode) -> Image.Image:
    """python-sane returns 1-bit (lineart) scans as "L" holding only 0 and 255: keep those as
    "1", which loses nothing. A black-and-white scan that came as real grey stays "L" for the
    pipeline to binarise."""
    if mode == ColourMode.BW and image.mode == "L":
        colours = image.getcolors(maxcolors=2) or []
        if colours and {value for _count, value in colours} <= {0, 255}:
            return image.convert("1", dither=Image.Dither.NONE)
    return image


# --- options ---------------------------------------------------------------------------------


def _option(dev: Any, name: str) -> Any | None:
    """The python-sane Option for `name` ("br-x" and "br_x" both work), if active."""
    opt = dev.opt.get(name.replace("-", "_"))
    if opt is None or not opt.is_active():
        return None
    return opt


def _set_option(dev: Any, name: str, value: OptionValue) -> None:
    opt = _option(dev, name)
    if opt is None or not opt.is_settable():
        log.info("SANE option %s not available on this device; skipped", name)
        return
    if opt.type == sane._sane.TYPE_INT and isinstance(value, float):
        value = round(value)
    elif opt.type == sane._sane.TYPE_FIXED and isinstance(value, int):
        value = float(value)
    setattr(dev, opt.py_name, value)


def _string_choices(dev: Any, name: str) -> list[str]:
    opt = _option(dev, name)
    if opt is None or not isinstance(opt.constraint, list):
        return []
    return [c for c in opt.constraint if isinstance(c, str)]


def _pick(choices: Sequence[str], words: Sequence[str]) -> str | None:
    for choice in choices:
        if any(word in choice.lower() for word in words):
            return choice
    return None


def _source_strings(dev: Any) -> dict[Source, str]:
    """Our sources → the device's "source" strings. No source option: a plain flatbed."""
    choices = _string_choices(dev, "source")
    if not choices:
        return {Source.FLATBED: ""}
    found: dict[Source, str] = {}
    for choice in choices:
        lower = choice.lower()
        if "back" in lower:  # "ADF Back": the rear side only, never what a clerk means
            continue
        if _DUPLEX_WORD in lower:
            found.setdefault(Source.ADF_DUPLEX, choice)
        elif any(word in lower for word in _FEEDER_WORDS):
            found.setdefault(Source.ADF, choice)
        elif any(word in lower for word in _FLATBED_WORDS):
            found.setdefault(Source.FLATBED, choice)
    # Some drivers (epson2) keep duplex in a separate "adf-mode" option.
    adf_modes = _string_choices(dev, "adf-mode")
    if Source.ADF in found and Source.ADF_DUPLEX not in found and _pick(adf_modes, (_DUPLEX_WORD,)):
        found[Source.ADF_DUPLEX] = found[Source.ADF]
    return found


def _mode_strings(dev: Any) -> dict[ColourMode, str]:
    choices = _string_choices(dev, "mode")
    found: dict[ColourMode, str] = {}
    for mode, words in _MODE_WORDS.items():
        choice = _pick(choices, words)
        if choice is not None:
            found[mode] = choice
    return found


def _depths(dev: Any) -> list[int]:
    opt = _option(dev, "depth")
    if opt is None or not isinstance(opt.constraint, list):
        return []
    return [int(d) for d in opt.constraint]


def _resolution_ok(dev: Any, dpi: int) -> bool:
    opt = _option(dev, "resolution")
    if opt is None:
        return True  # a fixed-resolution device: nothing to choose
    constraint = opt.constraint
    if isinstance(constraint, tuple):
        low, high, step = constraint
        if not low <= dpi <= high:
            return False
        return not step or abs((dpi - low) / step - round((dpi - low) / step)) < 1e-6
    if isinstance(constraint, list):
        return any(abs(dpi - value) < 1e-6 for value in constraint)
    return True


def _resolutions(dev: Any) -> tuple[int, ...]:
    offered = tuple(dpi for dpi in ALLOWED_DPI if _resolution_ok(dev, dpi))
    if offered:
        return offered
    opt = _option(dev, "resolution")
    if opt is not None and isinstance(opt.constraint, list):
        return tuple(sorted(int(v) for v in opt.constraint))
    return ()


def _describe(dev: Any, name: str, label: str) -> DeviceInfo:
    modes = _mode_strings(dev)
    offered_modes = [m for m in ColourMode if m in modes]
    if ColourMode.BW not in modes and ColourMode.GRAY in modes:
        offered_modes.append(ColourMode.BW)  # grey at 1 bit, or grey the pipeline binarises
    return DeviceInfo(
        id=name,
        name=label,
        backend="sane",
        sources=tuple(s for s in Source if s in _source_strings(dev)),
        modes=tuple(sorted(offered_modes, key=list(ColourMode).index)),
        resolutions=_resolutions(dev),
    )


def _configure(dev: Any, settings: ScanSettings) -> None:
    """Source first (it changes the other options' ranges), then mode, depth, resolution and
    the scan area. Anything the device cannot do is refused before the first page."""
    sources = _source_strings(dev)
    if settings.source not in sources:
        offered = ", ".join(SOURCE_LABELS[s] for s in Source if s in sources)
        raise unsupported_setting(
            "source",
            f"Máy quét này không có chế độ «{SOURCE_LABELS[settings.source]}». "
            f"Xin chọn: {offered}.",
            source=settings.source.value,
        )
    if sources[settings.source]:
        _set_option(dev, "source", sources[settings.source])
    if settings.source == Source.ADF_DUPLEX and "duplex" not in sources[Source.ADF_DUPLEX].lower():
        choice = _pick(_string_choices(dev, "adf-mode"), (_DUPLEX_WORD,))
        if choice:
            _set_option(dev, "adf-mode", choice)

    _set_mode(dev, settings.mode)

    if not _resolution_ok(dev, settings.dpi):
        offered = ", ".join(str(d) for d in _resolutions(dev)) or "—"
        raise unsupported_setting(
            "dpi",
            f"Máy quét này không quét được ở độ phân giải {settings.dpi} dpi. "
            f"Xin chọn một trong các mức: {offered} dpi.",
            dpi=settings.dpi,
        )
    if _option(dev, "resolution") is not None:
        _set_option(dev, "resolution", settings.dpi)
    _set_area(dev, settings.paper)


def _set_mode(dev: Any, mode: ColourMode) -> None:
    modes = _mode_strings(dev)
    depths = _depths(dev)
    if mode in modes:
        _set_option(dev, "mode", modes[mode])
        if mode != ColourMode.BW and 8 in depths:
            _set_option(dev, "depth", 8)  # 16-bit pages are twice the data for nothing
        return
    if mode == ColourMode.BW and ColourMode.GRAY in modes:
        _set_option(dev, "mode", modes[ColourMode.GRAY])
        if depths:
            _set_option(dev, "depth", 1 if 1 in depths else 8)
        return
    if not modes:  # no mode option at all: the device has one mode, take what it gives
        return
    offered = ", ".join(MODE_LABELS[m] for m in ColourMode if m in modes)
    raise unsupported_setting(
        "mode",
        f"Máy quét này không quét được chế độ «{MODE_LABELS[mode]}». Xin chọn: {offered}.",
        mode=mode.value,
    )


def _set_area(dev: Any, paper: str) -> None:
    """Scan area = the paper size from the top-left corner, clamped to what the device can
    reach. Only millimetre geometry is handled; a driver with pixel geometry keeps its own."""
    if paper not in PAPER_SIZES_MM:
        raise ScanError(
            "scan.unsupported",
            f"Khổ giấy «{paper}» chưa được hỗ trợ. Xin chọn: {', '.join(PAPER_SIZES_MM)}.",
            field="paper",
            paper=paper,
        )
    width, height = PAPER_SIZES_MM[paper]
    # Sheet-fed drivers (fujitsu, canon_dr…) size the feeder with page-width/-height, and their
    # br-x/br-y ranges follow it: set the page first.
    wanted_by_option = (
        ("page-width", width),
        ("page-height", height),
        ("tl-x", None),
        ("tl-y", None),
        ("br-x", width),
        ("br-y", height),
    )
    for name, wanted in wanted_by_option:
        opt = _option(dev, name)
        if opt is None or opt.unit != sane._sane.UNIT_MM or not isinstance(opt.constraint, tuple):
            continue
        low, high, _step = opt.constraint
        _set_option(dev, name, low if wanted is None else min(max(wanted, low), high))
