"""Print a form of a dossier from any screen: render in the background, preview, print, audit.

The document is rendered once (services + printing, off the UI thread); the officer sees exactly
that PDF in the print preview; only when it is actually printed is the print (or reprint) written
to the audit trail. A failed or cancelled print never changes the dossier: the officer can reprint
from the dossier view at any time.

Documents that are not forms of a dossier (fee receipts, the VietQR slip, cash session and daily
fee reports) come as a `RenderedDocument`: a render function run off the UI thread, then the same
preview and printer-per-document-type; their printing is not audited (no service records it yet).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.domain.errors import AppError
from app.domain.forms import FormKind
from app.services.context import ServiceContext
from app.services.document_data import BOTH_COPIES, ReceiptLayout
from app.services.documents import (
    PrintJob,
    PrintRequest,
    prepare_print,
    print_logbook,
    record_print,
)
from printing import render_document
from ui.ops import OpRunner
from ui.print_support import PdfPrinter

DOC_TYPES = {FormKind.RECEIPT: "receipt", FormKind.LOGBOOK: "logbook"}


@dataclass(frozen=True)
class RenderedDocument:
    """A document to print that is not a dossier form: `render` returns its PDF (called on a
    worker thread); `doc_type` picks the remembered printer ("receipt", "thermal", "forms")."""

    title: str
    doc_type: str
    file_name: str
    render: Callable[[], bytes]


class PrintFlow(QObject):
    printed = Signal(str)  # a human sentence: what was printed
    failed = Signal(str)  # a Vietnamese message

    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        printer: PdfPrinter,
        officer: Callable[[], str | None],
        parent_widget: QWidget | None = None,
    ) -> None:
        super().__init__(parent_widget)
        self._ctx = ctx
        self._runner = runner
        self._printer = printer
        self._officer = officer
        self._parent = parent_widget

    def print_form(
        self,
        kind: FormKind,
        code: str,
        *,
        copies: tuple[int, ...] = BOTH_COPIES,
        layout: ReceiptLayout = "a5",
        as_pdf: bool = False,
    ) -> None:
        request = PrintRequest(kind, code, copies, layout, officer=self._officer())

        def render() -> tuple[PrintJob, bytes]:
            job = prepare_print(self._ctx, request)
            return job, render_document(job.data)

        self._runner.run(render, lambda result: self._show(result, as_pdf), self._on_error)

    def _show(self, result: tuple[PrintJob, bytes], as_pdf: bool) -> None:
        job, pdf = result
        kind = job.request.kind
        title = f"{kind.label} — {job.request.code}"
        if as_pdf:
            self._printer.open_pdf(pdf, f"{job.request.code}_mau-{kind.value}.pdf")
            return
        doc_type = DOC_TYPES.get(kind, "thermal" if job.request.layout == "80mm" else "forms")
        if not self._printer.print_pdf(self._parent, pdf, doc_type, title):
            return
        what = "In lại" if job.reprint else "Đã in"
        self._runner.run(
            lambda: record_print(self._ctx, job),
            lambda _seq: self.printed.emit(f"{what}: {title}"),
            self._on_error,
        )

    def print_logbook(self, day_from: date, day_to: date) -> None:
        officer = self._officer()

        def render() -> tuple[bytes, str]:
            done = print_logbook(
                self._ctx, day_from, day_to, render=render_document, officer=officer
            )
            return done.pdf, done.file_name

        def show(result: tuple[bytes, str]) -> None:
            pdf, name = result
            if self._printer.print_pdf(self._parent, pdf, "logbook", name):
                self.printed.emit(f"Đã in sổ theo dõi hồ sơ ({name}).")

        self._runner.run(render, show, self._on_error)

    def print_document(self, document: RenderedDocument, *, as_pdf: bool = False) -> None:
        def show(pdf: bytes) -> None:
            if as_pdf:
                self._printer.open_pdf(pdf, document.file_name)
            elif self._printer.print_pdf(self._parent, pdf, document.doc_type, document.title):
                self.printed.emit(f"Đã in: {document.title}")

        self._runner.run(document.render, show, self._on_error)

    def _on_error(self, error: Exception) -> None:
        if not isinstance(error, AppError):
            raise error
        self.failed.emit(error.message)
