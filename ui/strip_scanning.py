"""Scanning into the page strip: one batch at a time, each page placed where the clerk chose.

`digitise_flow.scan_pages` reads and cleans the pages on the op-runner's worker thread and makes
each thumbnail there; every finished page comes back to the UI thread through a queued signal and
goes to the end of the strip, before the selected page, or in place of it (further pages of a
rescan follow it). A scanner error ends the batch, but the pages read before it stay; a batch
abandoned (the screen was cleared) places nothing more.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import Enum

from PySide6.QtCore import QObject, Signal

from app.scanning.model import DeviceInfo, Scanner, ScanSettings
from app.services.digitise_flow import ScanOutcome, scan_pages
from ui.ops import OpRunner
from ui.widgets.page_strip import PageStrip, StripPage, make_strip_page


class ScanMode(Enum):
    APPEND = "append"
    INSERT = "insert"  # before the selected page
    REPLACE = "replace"  # the selected page (further pages follow it)


@dataclass(eq=False)
class ScanJob:
    mode: ScanMode
    anchor: int | None = None  # strip id of the selected page
    last: int | None = None  # strip id of the last page placed
    received: int = 0
    abandoned: bool = False  # the screen was cleared: its pages go nowhere
    stop: threading.Event = field(default_factory=threading.Event)


class StripScanning(QObject):
    said = Signal(str, str)  # a note for the screen's message line, and its kind
    failed = Signal(object)  # an exception from the op-runner
    running_changed = Signal()  # a batch started or ended: what the clerk can do changed
    _page_scanned = Signal(object, object)  # ScanJob, StripPage: from the worker, queued

    def __init__(self, runner: OpRunner, strip: PageStrip, parent: QObject) -> None:
        super().__init__(parent)  # created on the UI thread, so `_page_scanned` arrives there
        self._runner = runner
        self._strip = strip
        self._job: ScanJob | None = None
        self._page_scanned.connect(self._on_page_scanned)

    @property
    def running(self) -> bool:
        return self._job is not None

    def start(
        self, scanner: Scanner, device: DeviceInfo, settings: ScanSettings, mode: ScanMode
    ) -> None:
        selected = self._strip.selected_ids()
        if mode != ScanMode.APPEND and not selected:
            self.said.emit("Xin chọn một trang trong danh sách trước.", "error")
            return
        anchor = None
        if mode == ScanMode.INSERT:
            anchor = selected[0]
        elif mode == ScanMode.REPLACE:
            anchor = self._strip.current_id() or selected[0]
        job = ScanJob(mode, anchor)
        self._job = job
        self.running_changed.emit()
        self.said.emit("Đang quét…", "info")
        page_scanned, source = self._page_scanned, device.backend
        self._runner.run(
            lambda: scan_pages(
                scanner,
                device.id,
                settings,
                lambda page: make_strip_page(page, source),  # the thumbnail, off the UI thread
                lambda entry: page_scanned.emit(job, entry),
                job.stop,
            ),
            lambda outcome: self._on_scan_done(job, outcome),
            lambda error: self._on_scan_failed(job, error),
        )

    def stop(self) -> None:
        if self._job is not None:
            self._job.stop.set()
            self.said.emit("Đang dừng sau trang đang quét…", "info")

    def abandon(self) -> None:
        """Stop the batch and drop whatever it still delivers."""
        if self._job is not None:
            self._job.abandoned = True
            self._job.stop.set()
            self._job = None

    def _on_page_scanned(self, job: ScanJob, entry: StripPage) -> None:
        if job.abandoned:
            return
        strip = self._strip
        anchor_row = strip.row_of(job.anchor) if job.anchor is not None else None
        last_row = strip.row_of(job.last) if job.last is not None else None
        if job.mode == ScanMode.REPLACE and job.received == 0 and job.anchor is not None:
            if strip.replace(job.anchor, entry):
                job.last = job.anchor
            else:
                job.last = strip.append(entry)
        elif job.mode != ScanMode.APPEND and last_row is not None:
            job.last = strip.insert(last_row + 1, entry)
        elif job.mode == ScanMode.INSERT and anchor_row is not None:
            job.last = strip.insert(anchor_row, entry)
        else:
            job.last = strip.append(entry)
        job.received += 1
        row = strip.row_of(job.last)
        if row is not None:
            strip.scrollToItem(strip.item(row))
        if self._job is job:
            self.said.emit(f"Đang quét… đã nhận {job.received} trang.", "info")

    def _on_scan_done(self, job: ScanJob, outcome: ScanOutcome) -> None:
        if job.abandoned:
            return
        self._job = None
        self.running_changed.emit()
        if outcome.error is not None:
            text = outcome.error.message
            if job.received and not outcome.error.pages_kept:
                text += f" {job.received} trang đã quét vẫn được giữ lại."
            self.said.emit(text, "error")
            return
        if not job.received:
            self.said.emit(
                "Máy quét không trả về trang nào. Xin kiểm tra giấy rồi quét lại.", "error"
            )
            return
        text = f"Đã quét {job.received} trang"
        text += " (đã dừng theo yêu cầu)." if outcome.stopped else "."
        blank = [self._strip.row_of(i) for i in self._strip.blank_ids()]
        if blank:
            numbers = ", ".join(str(row + 1) for row in blank if row is not None)
            text += f" Trang {numbers} có vẻ trắng — xin kiểm tra, xóa nếu đúng là trang trắng."
        self.said.emit(text, "ok")

    def _on_scan_failed(self, job: ScanJob, error: Exception) -> None:
        if job.abandoned:
            return
        self._job = None
        self.running_changed.emit()
        self.failed.emit(error)
