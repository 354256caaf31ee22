"""`digitise_flow.scan_pages`, the screen's scanning loop without Qt: rendered pages behind the
`Scanner` interface go through the real pipeline and are handed over in scanner order; a jam
keeps the pages before it, and a stop ends the batch after the page being read."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from app.scanning.model import DeviceInfo, RawPage, ScanError, ScanSettings
from app.scanning.pipeline import process_page, profile_for
from app.services.digitise_flow import scan_pages
from tests.app.scanning.sample_pages import SAMPLE_LINES, render_text_page

DPI = 100  # small pages: these tests check order and flow, not image quality
SETTINGS = ScanSettings(dpi=DPI)


class RenderedScanner:
    """Feeds `count` text pages, each with a different number of lines (so with a different
    ink pattern), then raises `error` if given, as a backend does after a jam."""

    backend = "sane"

    def __init__(self, count: int, error: ScanError | None = None) -> None:
        self.raws = [
            RawPage(render_text_page(SAMPLE_LINES[: 4 + number], dpi=DPI, seed=number), DPI, number)
            for number in range(1, count + 1)
        ]
        self.error = error
        self.closed = False

    def devices(self) -> list[DeviceInfo]:
        return [DeviceInfo("fake:0", "Máy quét thử nghiệm", "sane")]

    def scan(self, device_id: str, settings: ScanSettings) -> Iterator[RawPage]:
        # Kept here, so the batch is closed only if scan_pages closes it (not by the GC).
        self.batch = self._feed()
        return self.batch

    def _feed(self) -> Iterator[RawPage]:
        try:
            yield from self.raws
            if self.error is not None:
                raise self.error
        finally:
            self.closed = True


def cleaned(scanner: RenderedScanner) -> list[bytes]:
    """Each page as the pipeline alone makes it, in scanner order."""
    return [process_page(raw, profile_for(SETTINGS)).data for raw in scanner.raws]


def run(scanner: RenderedScanner, stop: threading.Event | None = None):
    delivered: list[tuple[str, bytes]] = []
    outcome = scan_pages(
        scanner,
        "fake:0",
        SETTINGS,
        lambda page: ("prepared", page.data),  # the screen makes its thumbnail here
        delivered.append,
        stop or threading.Event(),
    )
    return outcome, delivered


def test_pages_are_prepared_and_handed_over_in_scanner_order():
    scanner = RenderedScanner(4)
    outcome, delivered = run(scanner)
    assert delivered == [("prepared", data) for data in cleaned(scanner)]
    assert len(set(cleaned(scanner))) == 4  # the pages differ, so the order is checked
    assert outcome.delivered == 4 and outcome.error is None and not outcome.stopped


def test_a_jam_ends_the_batch_but_the_pages_before_it_are_handed_over():
    jam = ScanError("scan.jammed", "Kẹt giấy trong khay nạp.")
    scanner = RenderedScanner(3, jam)
    outcome, delivered = run(scanner)
    assert [data for _tag, data in delivered] == cleaned(scanner)
    assert outcome.error is jam and outcome.delivered == 3


def test_a_stop_ends_the_batch_after_the_page_being_read_and_closes_the_input():
    stop = threading.Event()
    stop.set()  # the clerk pressed Esc while the first page was being read
    scanner = RenderedScanner(5)
    outcome, delivered = run(scanner, stop)
    assert [data for _tag, data in delivered] == cleaned(scanner)[:1]
    assert outcome.stopped and outcome.delivered == 1 and outcome.error is None
    assert scanner.closed  # a SANE backend cancels the device when its batch is closed
