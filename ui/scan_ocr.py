"""Background OCR for the scanning screen: the text layer is added after an unsigned save.

The clerk never waits for tesseract: the component is saved without text, its pages go to the
OCR queue (a thread pool started at the first OCR), and when the text is read the searchable
version is saved through the op-runner — only if the component was not changed or signed
meanwhile (`digitise_flow.add_text_layer` refuses with `ocr.outdated`, which is only a note).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from app.domain.errors import AppError
from app.scanning.model import ProcessedPage
from app.scanning.ocr import OcrError, OcrQueue
from app.services.context import ServiceContext
from app.services.digitisation import SavedComponent
from app.services.digitise_flow import add_text_layer
from app.services.scan_store import ScanStore
from ui.officer_session import OfficerGetter
from ui.ops import OpRunner


class OcrJobs(Protocol):
    """What the screen needs of `OcrQueue` (tests hand in one they control)."""

    def submit(self, pages: Sequence[ProcessedPage]) -> Future[bytes]: ...

    def shutdown(self, *, wait: bool = True, cancel_running: bool = False) -> None: ...


@dataclass(frozen=True)
class OcrJob:
    saved: SavedComponent
    code: str
    pages: tuple[ProcessedPage, ...]
    source: str


class LazyOcrQueue:
    """The OCR queue, started at the first OCR (a thread pool the screen may never need)."""

    def __init__(self, given: OcrJobs | None) -> None:
        self._queue = given

    def get(self) -> OcrJobs:
        if self._queue is None:
            self._queue = OcrQueue()
        return self._queue

    def shutdown(self) -> None:
        if self._queue is not None:
            self._queue.shutdown(wait=False, cancel_running=True)


class BackgroundOcr(QObject):
    said = Signal(str, str)  # a note for the screen's message line, and its kind (info, ok)
    failed = Signal(object)  # an exception from the op-runner
    text_layer_added = Signal(str)  # dossier code
    _finished = Signal(object, object)  # OcrJob, Future[bytes]: from the OCR thread, queued

    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        store: Callable[[], ScanStore],
        officer: OfficerGetter,
        queue: OcrJobs | None,
        parent: QObject,
    ) -> None:
        super().__init__(parent)  # created on the UI thread, so `_finished` arrives there
        self._ctx = ctx
        self._runner = runner
        self._store = store
        self._officer = officer
        self.queue = LazyOcrQueue(queue)
        self._finished.connect(self._on_finished)

    def start(self, job: OcrJob) -> None:
        future = self.queue.get().submit(job.pages)
        finished = self._finished
        # Runs on the OCR thread: the signal carries the result to the UI thread.
        future.add_done_callback(lambda done: finished.emit(job, done))

    def _on_finished(self, job: OcrJob, future: Future[bytes]) -> None:
        name = job.saved.component.name
        try:
            text_pdf = future.result()
        except CancelledError:
            return
        except OcrError as error:
            self.said.emit(f"Nhận dạng chữ cho «{name}» không thành công: {error.message}", "info")
            return
        officer, ctx = self._officer(), self._ctx
        self._runner.run(
            lambda: add_text_layer(
                ctx,
                self._store(),
                job.saved,
                job.code,
                job.pages,
                text_pdf,
                source=job.source,
                officer=officer,
            ),
            lambda _saved: self._on_text_layer_added(job),
            self._on_text_layer_refused,
        )

    def _on_text_layer_added(self, job: OcrJob) -> None:
        self.said.emit(f"Đã thêm lớp chữ nhận dạng cho «{job.saved.component.name}».", "ok")
        self.text_layer_added.emit(job.code)

    def _on_text_layer_refused(self, error: Exception) -> None:
        if isinstance(error, AppError) and error.code == "ocr.outdated":
            self.said.emit(error.message, "info")  # nothing to do: the newer version stands
        else:
            self.failed.emit(error)

    def shutdown(self) -> None:
        """Stop OCR (closing the window must not wait for tesseract)."""
        self.queue.shutdown()
