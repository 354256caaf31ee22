"""SaneScanner against the real SANE `test` backend (libsane, python-sane; no mocks).

What the test backend can simulate: a flatbed and a feeder of exactly 10 pages (the 11th
sane_start answers "out of documents"), Gray/Color at 1, 8 or 16 bits, any resolution from 1 to
1200 dpi, a 200 × 200 mm bed, and any SANE status returned by sane_read through its
`read_return_value` option — on every read while it is set, so a jam "after page 3" is made by
setting the option on the open device between pages (`JamsAtPage`), which the backend allows.
Option values outlive close/open in the backend (so each test resets the simulated status); the
feeder count restarts at each open. What it cannot: duplex, a Lineart mode, a status from
sane_start other than the empty feeder.
"""

from __future__ import annotations

import fcntl
import struct
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

if sys.platform == "win32":
    pytest.skip("SANE exists only off Windows (WIA there)", allow_module_level=True)

import sane

from app.scanning.model import ColourMode, RawPage, ScanError, ScanSettings, Source
from app.scanning.sane_backend import SaneScanner

F_GETPIPE_SZ = 1032  # fcntl: capacity of a pipe (Linux)
FEEDER = Source.ADF
FAST = 75  # dpi: these tests check page counts and errors, not image quality


def px(mm: float, dpi: int) -> int:
    return int(mm * dpi / 25.4)


def read_all(
    scanner: SaneScanner, settings: ScanSettings, device: str = "test:0"
) -> tuple[list[RawPage], ScanError | None]:
    pages: list[RawPage] = []
    try:
        for page in scanner.scan(device, settings):
            pages.append(page)
    except ScanError as error:
        return pages, error
    return pages, None


@pytest.fixture(autouse=True)
def default_read_status(sane_test_config: Path) -> Iterator[None]:
    """The test backend keeps option values across close/open for the whole process, so a
    simulated fault set by one test is cleared for the next."""
    yield
    device = sane.open("test:0")
    try:
        device.read_return_value = "Default"
    finally:
        device.close()


class SettledDevice(sane.SaneDev):  # type: ignore[misc]
    """The test device, made safe to cancel after a simulated error.

    The test backend writes each page from a reader thread that sanei_thread cancels
    *asynchronously*; a cancel landing while that thread is inside malloc/free leaves the
    allocator's lock held and the process hangs in sane_cancel (seen here about once in a
    hundred simulated errors, with gdb showing the reader stuck in free()). Cancelling right
    after a simulated read status hits the thread as it starts. So after such an error, wait
    until the reader is blocked writing into the full pipe — where cancelling it is harmless —
    and only then let the error go on to cancel(). Pages must exceed the 64 KiB pipe for that."""

    def __init__(self, devname: str) -> None:
        super().__init__(devname)
        self.select_fd = True  # fileno() then returns the pipe the reader thread writes into

    def snap(self, no_cancel: bool = False, progress: object = None) -> Image.Image:
        try:
            image: Image.Image = super().snap(no_cancel, progress)
            return image
        except sane._sane.error:
            wait_until_pipe_is_full(self.fileno())
            raise


def wait_until_pipe_is_full(fd: int) -> None:
    capacity = fcntl.fcntl(fd, F_GETPIPE_SZ)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        queued = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0]
        if queued >= capacity:
            return
        time.sleep(0.001)
    raise AssertionError("the SANE test backend's reader thread never filled its pipe")


class JamsAtPage(SettledDevice):
    """The real test device, told to jam when page `jam_at` is read: the option is set on the
    open device just before that page's sane_start, so sane_read of that page fails."""

    def __init__(self, devname: str, jam_at: int) -> None:
        super().__init__(devname)
        self.__dict__["jam_at"] = jam_at
        self.__dict__["started"] = 0

    def start(self) -> None:
        self.__dict__["started"] += 1
        if self.__dict__["started"] == self.__dict__["jam_at"]:
            self.read_return_value = "SANE_STATUS_JAMMED"
        super().start()


def simulating(status: str) -> SaneScanner:
    """A scanner whose test device answers every read with `status`."""
    return SaneScanner(extra_options={"read_return_value": status}, open_device=SettledDevice)


def test_devices_list_the_test_backend_with_its_sources_modes_and_resolutions(
    sane_test_config: Path,
) -> None:
    devices = {d.id: d for d in SaneScanner().devices()}

    assert {"test:0", "test:1"} <= set(devices)
    test0 = devices["test:0"]
    assert test0.backend == "sane"
    assert test0.sources == (Source.FLATBED, Source.ADF)  # no duplex on the test backend
    assert test0.modes == (ColourMode.COLOR, ColourMode.GRAY, ColourMode.BW)
    assert 200 in test0.resolutions and 300 in test0.resolutions


def test_a_feeder_batch_yields_the_ten_pages_in_the_feeder_at_the_requested_dpi_and_mode(
    sane_test_config: Path,
) -> None:
    settings = ScanSettings(source=FEEDER, mode=ColourMode.GRAY, dpi=FAST, paper="A5")

    pages, error = read_all(SaneScanner(), settings)

    assert error is None
    assert [p.index for p in pages] == list(range(1, 11))
    assert {p.dpi for p in pages} == {FAST}
    assert {p.image.mode for p in pages} == {"L"}
    # A5 is 148 mm wide; its 210 mm height is clamped to the test bed's 200 mm.
    assert {p.image.size for p in pages} == {(px(148, FAST), px(200, FAST))}
    assert {p.origin for p in pages} == {"test:0"}


def test_the_feeder_can_be_run_again_after_a_batch(sane_test_config: Path) -> None:
    scanner = SaneScanner()
    settings = ScanSettings(source=FEEDER, mode=ColourMode.GRAY, dpi=FAST, paper="A5")

    first, _ = read_all(scanner, settings)
    second, error = read_all(scanner, settings)

    assert (len(first), len(second), error) == (10, 10, None)


def test_the_flatbed_gives_one_colour_page_at_the_default_200_dpi(
    sane_test_config: Path,
) -> None:
    pages, error = read_all(SaneScanner(), ScanSettings(source=Source.FLATBED, paper="A5"))

    assert error is None
    assert len(pages) == 1
    assert pages[0].dpi == 200
    assert pages[0].image.mode == "RGB"
    assert pages[0].image.size == (px(148, 200), px(200, 200))


def test_black_and_white_without_a_lineart_mode_is_scanned_as_one_bit_grey(
    sane_test_config: Path,
) -> None:
    settings = ScanSettings(source=Source.FLATBED, mode=ColourMode.BW, dpi=FAST, paper="A5")

    pages, error = read_all(SaneScanner(), settings)

    assert error is None
    assert pages[0].image.mode == "1"


def test_a_jam_on_the_first_page_is_reported_in_vietnamese_with_nothing_kept(
    sane_test_config: Path,
) -> None:
    scanner = simulating("SANE_STATUS_JAMMED")

    pages, error = read_all(scanner, ScanSettings(source=FEEDER, dpi=FAST, paper="A5"))

    assert pages == []
    assert error is not None
    assert error.code == "scan.jammed"
    assert error.message.startswith("Kẹt giấy")
    assert error.pages_kept == 0


def test_a_jam_after_three_pages_keeps_the_three_pages_already_read(
    sane_test_config: Path,
) -> None:
    scanner = SaneScanner(open_device=lambda name: JamsAtPage(name, jam_at=4))
    settings = ScanSettings(source=FEEDER, mode=ColourMode.GRAY, dpi=FAST, paper="A5")

    pages, error = read_all(scanner, settings)

    assert [p.index for p in pages] == [1, 2, 3]
    assert error is not None
    assert (error.code, error.pages_kept) == ("scan.jammed", 3)
    assert "3 trang đã quét trước đó vẫn được giữ lại" in error.message


def test_an_empty_feeder_is_reported_as_no_paper(sane_test_config: Path) -> None:
    scanner = simulating("SANE_STATUS_NO_DOCS")

    pages, error = read_all(scanner, ScanSettings(source=FEEDER, dpi=FAST, paper="A5"))

    assert pages == []
    assert error is not None
    assert error.code == "scan.no_paper"
    assert "Khay nạp giấy trống" in error.message


@pytest.mark.parametrize(
    ("status", "code", "words"),
    [
        ("SANE_STATUS_COVER_OPEN", "scan.cover_open", "Nắp máy quét đang mở"),
        ("SANE_STATUS_IO_ERROR", "scan.io", "Mất liên lạc với máy quét"),
        ("SANE_STATUS_DEVICE_BUSY", "scan.busy", "Máy quét đang bận"),
        ("SANE_STATUS_ACCESS_DENIED", "scan.device", "Máy quét báo lỗi"),
    ],
)
def test_device_statuses_map_to_codes_with_vietnamese_messages(
    sane_test_config: Path, status: str, code: str, words: str
) -> None:
    scanner = simulating(status)

    pages, error = read_all(scanner, ScanSettings(source=Source.FLATBED, dpi=FAST, paper="A5"))

    assert pages == []
    assert error is not None
    assert error.code == code
    assert words in error.message


def test_the_device_scans_again_after_an_error(sane_test_config: Path) -> None:
    settings = ScanSettings(source=Source.FLATBED, dpi=FAST, paper="A5")
    read_all(simulating("SANE_STATUS_JAMMED"), settings)

    # The simulated status outlives the device handle; clearing it is part of this scan's options.
    pages, error = read_all(SaneScanner(extra_options={"read_return_value": "Default"}), settings)

    assert (len(pages), error) == (1, None)


def test_an_unsupported_resolution_is_refused_before_scanning(sane_test_config: Path) -> None:
    pages, error = read_all(SaneScanner(), ScanSettings(source=Source.FLATBED, dpi=2400))

    assert pages == []
    assert error is not None
    assert (error.code, error.field) == ("scan.unsupported", "dpi")
    assert "2400 dpi" in error.message
    assert "200, 300" in error.message


def test_duplex_is_refused_on_a_device_without_it(sane_test_config: Path) -> None:
    pages, error = read_all(SaneScanner(), ScanSettings(source=Source.ADF_DUPLEX, dpi=FAST))

    assert pages == []
    assert error is not None
    assert (error.code, error.field) == ("scan.unsupported", "source")
    assert "Khay nạp giấy, hai mặt" in error.message


def test_an_unknown_device_is_a_device_error(sane_test_config: Path) -> None:
    pages, error = read_all(SaneScanner(), ScanSettings(dpi=FAST), device="test:9")

    assert pages == []
    assert error is not None
    assert error.code == "scan.device"
