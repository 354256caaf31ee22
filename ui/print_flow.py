"""Print a form of a dossier from any screen: render in the background, preview, print, audit.

The document is rendered once (services + printing, off the UI thread, together with the page
images of its preview); the officer sees exactly that PDF in the print preview; once confirmed,
it goes to the printer from a worker thread, and only when that succeeded is the print (or
reprint) written to the audit trail. The UI thread only shows the preview of ready images. A
failed or cancelled print never changes the dossier: the officer can reprint from the dossier
view at any time. A refusal (an `AppError`, e.g. no form in force on the logbook's day) comes
back as `failed` with its Vietnamese message; anything else is a bug for the crash handler.

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
from app.services.document_data import BOTH_COPIES, LogbookDocument, ReceiptLayout
from app.services.documents import (
    DocumentPrint,
    PrintedDocument,
    PrintJob,
    PrintRequest,
    prepare_print,
    print_logbook,
    record_document_print,
    record_logbook_print,
    record_print,
)
from printing import render_document
from ui.ops import OpRunner
from ui.print_support import PdfPrinter, PreparedPdf

FORM_SAVED_HINT = "Hồ sơ đã được lưu. Có thể in lại từ màn hình Hồ sơ (F4, Ctrl+P)."
DOC_TYPES = {FormKind.RECEIPT: "receipt", FormKind.LOGBOOK: "logbook"}


@dataclass(frozen=True)
class RenderedDocument:
    """A document to print that is not a dossier form: `render` returns its PDF (called on a
    worker thread); `doc_type` picks the remembered printer ("receipt", "thermal", "forms")."""

    title: str
    doc_type: str
    file_name: str
    render: Callable[[], bytes]
    audit: DocumentPrint | None = None  # recorded once the printer has it


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

        def render() -> tuple[PrintJob, bytes, PreparedPdf | None]:
            job = prepare_print(self._ctx, request)
            pdf = render_document(job.data)
            return job, pdf, None if as_pdf else self._printer.prepare(pdf)

        self._runner.run(render, self._show_form, self._on_form_error)

    def _show_form(self, result: tuple[PrintJob, bytes, PreparedPdf | None]) -> None:
        job, pdf, prepared = result
        kind = job.request.kind
        title = f"{kind.label} — {job.request.code}"
        if prepared is None:
            self._printer.open_pdf(pdf, f"{job.request.code}_mau-{kind.value}.pdf")
            return
        doc_type = DOC_TYPES.get(kind, "thermal" if job.request.layout == "80mm" else "forms")
        what = "In lại" if job.reprint else "Đã in"
        self._preview_then_print(
            prepared,
            doc_type,
            title,
            f"{what}: {title}",
            then=lambda: record_print(self._ctx, job),
            on_error=self._on_form_error,
        )

    def print_logbook(self, day_from: date, day_to: date) -> None:
        officer = self._officer()

        def render() -> tuple[PrintedDocument, PreparedPdf]:
            done = print_logbook(
                self._ctx, day_from, day_to, render=render_document, officer=officer, record=False
            )
            return done, self._printer.prepare(done.pdf)

        def show(result: tuple[PrintedDocument, PreparedPdf]) -> None:
            done, prepared = result
            name = done.file_name
            book = done.data
            assert isinstance(book, LogbookDocument)
            self._preview_then_print(
                prepared,
                "logbook",
                name,
                f"Đã in sổ theo dõi hồ sơ ({name}).",
                then=lambda: record_logbook_print(self._ctx, book, None, officer),
            )

        self._runner.run(render, show, self._on_error)

    def print_document(self, document: RenderedDocument, *, as_pdf: bool = False) -> None:
        officer = self._officer()

        def render() -> tuple[bytes, PreparedPdf | None]:
            pdf = document.render()
            return pdf, None if as_pdf else self._printer.prepare(pdf)

        def show(result: tuple[bytes, PreparedPdf | None]) -> None:
            pdf, prepared = result
            if prepared is None:
                self._printer.open_pdf(pdf, document.file_name)
                return
            audit = document.audit
            self._preview_then_print(
                prepared,
                document.doc_type,
                document.title,
                f"Đã in: {document.title}",
                then=None
                if audit is None
                else lambda: record_document_print(self._ctx, audit, officer),
            )

        self._runner.run(render, show, self._on_error)

    def _preview_then_print(
        self,
        prepared: PreparedPdf,
        doc_type: str,
        title: str,
        done: str,
        then: Callable[[], object] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """The modal preview (UI thread), then, if confirmed, the printing and `then` (the
        audit of a form) in one background op: only what reached the printer is recorded."""
        send = self._printer.preview(self._parent, prepared, doc_type, title)
        if send is None:
            return

        def print_it() -> None:
            send()
            if then is not None:
                then()

        self._runner.run(
            print_it, lambda _none: self.printed.emit(done), on_error or self._on_error
        )

    def _on_error(self, error: Exception, hint: str = "") -> None:
        if not isinstance(error, AppError):
            raise error
        self.failed.emit(f"{error.message}\n\n{hint}" if hint else error.message)

    def _on_form_error(self, error: Exception) -> None:
        # The dossier is saved whatever happened to the paper: say so, and how to reprint.
        self._on_error(error, FORM_SAVED_HINT)
