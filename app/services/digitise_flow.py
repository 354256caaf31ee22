"""From scanner pages to a saved (and, on request, signed) component: the one path the CLI and the
scanning screen share.

1. Pages are cleaned up on worker threads while the next one is being scanned, and a jam or an
   empty feeder ends the batch but keeps every page read before it. `collect` (the CLI) returns
   the whole batch (`Batch.error`); `scan_pages` (the screen) hands each page over, in order, as
   soon as it is ready, and can be stopped after the page being read.
2. `digitise_pages` builds the PDF/A (conversion mark and metadata for the acting officer), signs
   it when given a signer, and saves it through `services.digitisation` (one transaction).
   `save_scanned` is the screen's save: it reads the text first when a signed file is asked for
   with OCR, since a signed file cannot take a text layer later.
3. OCR never blocks the scanning loop: the component is saved at once without text, and
   `add_text_layer` saves the searchable version when the background OCR is done — unless the
   component changed (or was signed) meanwhile, when the OCR result is dropped.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from app.domain.errors import StateError
from app.scanning.model import ProcessedPage, RawPage, ScanError, Scanner, ScanSettings
from app.scanning.ocr import OcrError, text_layer
from app.scanning.pdf import assemble
from app.scanning.pipeline import DEFAULT_PROFILE, Profile, process_page, profile_for
from app.services.context import ServiceContext
from app.services.digitisation import (
    ComponentPdf,
    SavedComponent,
    Signer,
    component_meta,
    digitisation_status,
    save_component,
)
from app.services.scan_store import ScanStore


@dataclass
class Batch:
    pages: list[ProcessedPage]
    error: ScanError | None = None  # what stopped the batch early (pages before it are kept)

    @property
    def blank_pages(self) -> list[int]:
        """1-based positions the blank detector flagged (the clerk confirms before dropping)."""
        return [i for i, page in enumerate(self.pages, start=1) if page.blank]


def collect(
    raws: Iterable[RawPage], profile: Profile = DEFAULT_PROFILE, *, workers: int = 2
) -> Batch:
    """Process pages while the scanner is still feeding; stop at a scanner error, keeping the
    pages read so far."""
    futures: list[Future[ProcessedPage]] = []
    error: ScanError | None = None
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="page") as pool:
        try:
            for raw in raws:
                futures.append(pool.submit(process_page, raw, profile))
        except ScanError as problem:
            error = problem
        pages = [f.result() for f in futures]
    return Batch(pages, error)


PreparedPage = TypeVar("PreparedPage")


@dataclass(frozen=True)
class ScanOutcome:
    delivered: int
    error: ScanError | None  # what ended the batch early (the pages before it were delivered)
    stopped: bool  # the clerk asked to stop


def scan_pages(
    scanner: Scanner,
    device_id: str,
    settings: ScanSettings,
    prepare: Callable[[ProcessedPage], PreparedPage],
    deliver: Callable[[PreparedPage], None],
    stop: threading.Event,
    *,
    workers: int = 2,
) -> ScanOutcome:
    """Read pages, clean each up and `prepare` it (the screen makes its thumbnail there, off the
    UI thread) while the next is scanned; `deliver` every finished page in order as soon as it
    is ready. A scanner error ends the batch after the pages before it were delivered; `stop`
    ends it after the page being read."""
    profile = profile_for(settings)
    pending: deque[Future[PreparedPage]] = deque()
    delivered = 0
    error: ScanError | None = None

    def finish(raw: RawPage) -> PreparedPage:
        return prepare(process_page(raw, profile))

    def flush(wait: bool) -> None:
        nonlocal delivered
        while pending and (wait or pending[0].done()):
            deliver(pending.popleft().result())
            delivered += 1

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="page") as pool:
        raws: Iterator[RawPage] | None = None
        try:
            raws = scanner.scan(device_id, settings)
            for raw in raws:
                pending.append(pool.submit(finish, raw))
                flush(False)
                if stop.is_set():
                    break
        except ScanError as problem:
            error = problem
        finally:
            close = getattr(raws, "close", None)
            if callable(close):
                close()  # a SANE batch stopped early: the backend cancels the device
            flush(True)  # whatever else happens, the pages read are delivered
    return ScanOutcome(delivered, error, stop.is_set())


def without_blank(pages: Sequence[ProcessedPage], confirmed_blank: Iterable[int]) -> list[int]:
    """Positions (1-based) to keep once the clerk confirmed which flagged pages are blank."""
    drop = set(confirmed_blank)
    return [i for i in range(1, len(pages) + 1) if i not in drop]


def digitise_pages(
    ctx: ServiceContext,
    store: ScanStore,
    code: str,
    component: str,
    pages: Sequence[ProcessedPage],
    *,
    source: str,
    signer: Signer | None = None,
    ocr_text_pdf: bytes | None = None,
    officer: str | None = None,
    note: str = "",
) -> SavedComponent:
    meta = component_meta(ctx, code, component, officer=officer)
    pdf = assemble(pages, meta, ocr_text_pdf=ocr_text_pdf)
    signer_name = ""
    if signer is not None:
        pdf, signer_name = signer(pdf)
    item = ComponentPdf(
        pdf, len(pages), source, ocr=ocr_text_pdf is not None, signer=signer_name, note=note
    )
    return save_component(ctx, store, code, component, item, officer=officer)


def save_scanned(
    ctx: ServiceContext,
    store: ScanStore,
    code: str,
    component: str,
    pages: Sequence[ProcessedPage],
    *,
    source: str,
    signer: Signer | None,
    ocr: bool,
    officer: str | None = None,
) -> tuple[SavedComponent, str]:
    """Save the screen's pages as the component, signed when given a signer, and a note for the
    clerk. A signed file cannot take a text layer later, so OCR (when asked for) runs here,
    before signing; if it fails the file is saved without text and the note says why. Unsigned,
    the text comes later through the background OCR and `add_text_layer`."""
    text_pdf, ocr_note = None, ""
    if signer is not None and ocr:
        try:
            text_pdf = text_layer(pages)
        except OcrError as error:
            ocr_note = error.message
    saved = digitise_pages(
        ctx,
        store,
        code,
        component,
        pages,
        source=source,
        signer=signer,
        ocr_text_pdf=text_pdf,
        officer=officer,
    )
    return saved, ocr_note


def add_text_layer(
    ctx: ServiceContext,
    store: ScanStore,
    saved: SavedComponent,
    code: str,
    pages: Sequence[ProcessedPage],
    text_pdf: bytes,
    *,
    source: str,
    officer: str | None = None,
) -> SavedComponent:
    """Save the searchable version of `saved` once its OCR is done — only if `saved` is still
    the component's current, unsigned version (a signature must not be invalidated, and a newer
    scan must not be overwritten by an older one)."""
    status = digitisation_status(ctx, code, officer=officer)
    current = next(
        (c for c in status.components if c.component_id == saved.component.component_id), None
    )
    if current is None or current.sha256 != saved.sha256 or current.signed:
        raise StateError(
            "ocr.outdated",
            "Thành phần đã thay đổi hoặc đã ký số trong khi nhận dạng chữ; "
            "kết quả nhận dạng không được áp dụng.",
        )
    return digitise_pages(
        ctx,
        store,
        code,
        saved.component.component_id,
        pages,
        source=source,
        ocr_text_pdf=text_pdf,
        officer=officer,
    )
