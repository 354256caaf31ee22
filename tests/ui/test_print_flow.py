"""Printing from the desktop: render → preview/print (recorded, no physical printer) → audit.

The slow parts (rendering, the preview's page images, painting onto the printer) run on worker
threads; the UI thread only shows the preview. Qt's own preview dialog and print dialog are
answered by a timer, as an officer would, over the offscreen platform."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from datetime import date

from pypdf import PdfReader
from PySide6.QtCore import QDate, QMetaObject, QSettings, Qt, QTimer
from PySide6.QtPrintSupport import (
    QPrintDialog,
    QPrinter,
    QPrintPreviewDialog,
    QPrintPreviewWidget,
)
from PySide6.QtWidgets import QApplication, QMessageBox, QToolBar, QWidget

from app.domain.errors import ConfigurationError
from app.domain.forms import FormKind
from app.services.audit import AuditFilter, list_audit
from app.services.documents import DocumentPrint, PrintRequest, list_prints, prepare_print
from app.services.dossiers import receive_dossier
from app.services.queries import show_dossier
from printing import render_document
from tests.app.services.helpers import procedure_with_unit, receive_cmd
from ui.ops import OpRunner
from ui.pdf_raster import PREVIEW_DPI, first_page_size
from ui.print_flow import FORM_SAVED_HINT, PrintFlow, RenderedDocument
from ui.print_support import (
    PreparedPdf,
    QtPdfPrinter,
    RecordingPdfPrinter,
    SendToPrinter,
    match_paper,
    paint_pdf,
    prepare_pdf,
)

LOGBOOK_REFUSAL = (
    "Không có mẫu sổ theo dõi hồ sơ áp dụng cho ngày 30/06/2025: "
    "các mẫu hiện có áp dụng từ ngày 01/07/2025."
)


def _flow(ctx, runner, printer):
    messages: list[str] = []
    flow = PrintFlow(ctx, runner, printer, lambda: None)
    flow.printed.connect(messages.append)
    flow.failed.connect(messages.append)
    return flow, messages


def test_receipt_is_printed_then_audited_and_second_print_is_a_reprint(qtbot, ctx, runner):
    p = procedure_with_unit(ctx, "working-days")
    code = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    printer = RecordingPdfPrinter()
    flow, messages = _flow(ctx, runner, printer)
    flow.print_form(FormKind.RECEIPT, code)
    doc_type, title, pdf = printer.printed[0]
    assert doc_type == "receipt"
    assert code in title
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert code in text
    assert messages == [f"Đã in: {title}"]
    flow.print_form(FormKind.RECEIPT, code)
    assert messages[-1].startswith("In lại")
    prints = list_prints(ctx, code)
    assert [x.reprint for x in prints] == [False, True]


def test_cancelled_print_is_not_audited(qtbot, ctx, runner):
    p = procedure_with_unit(ctx, "working-days")
    code = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    flow, messages = _flow(ctx, runner, RecordingPdfPrinter(accept=False))
    flow.print_form(FormKind.RECEIPT, code)
    assert messages == []
    assert list_prints(ctx, code) == ()


def test_open_as_pdf_writes_the_file(qtbot, ctx, runner):
    p = procedure_with_unit(ctx, "working-days")
    code = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    printer = RecordingPdfPrinter()
    flow, _ = _flow(ctx, runner, printer)
    flow.print_form(FormKind.RECEIPT, code, as_pdf=True)
    assert printer.opened[0].read_bytes().startswith(b"%PDF")
    assert list_prints(ctx, code) == ()


def test_pdf_pages_paint_onto_a_real_qt_printer_with_matching_paper(qtbot, ctx, runner, tmp_path):
    p = procedure_with_unit(ctx, "working-days")
    code = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    recorder = RecordingPdfPrinter()
    flow, _ = _flow(ctx, runner, recorder)
    flow.print_form(FormKind.RECEIPT, code)
    pdf = recorder.printed[0][2]
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "qt.pdf"
    printer.setOutputFileName(str(out))
    match_paper(printer, first_page_size(pdf))
    paint_pdf(printer, pdf)
    reprinted = PdfReader(str(out))
    original = PdfReader(io.BytesIO(pdf))
    assert len(reprinted.pages) == len(original.pages)
    width_mm = float(reprinted.pages[0].mediabox.width) * 25.4 / 72
    assert abs(width_mm - 148) < 2  # A5 portrait


def test_receiving_in_the_window_prints_the_receipt_and_dossier_view_reprints(
    qtbot, ctx, runner, events, qsettings
):
    from PySide6.QtCore import Qt

    from tests.ui.conftest import type_text
    from ui.main_window import MainWindow

    printer = RecordingPdfPrinter()
    window = MainWindow(ctx, runner, events, qsettings, printer=printer)
    qtbot.addWidget(window)
    intake = window.intake
    qtbot.keyClicks(intake.picker.search_box, "khai tu")
    qtbot.keyClick(intake.picker.search_box, Qt.Key.Key_Return)
    type_text(intake.applicant.name, "Lò Thị Mai")
    qtbot.keyClicks(intake.applicant.id_number, "014195004321")
    intake.submit()
    assert len(printer.printed) == 1
    doc_type, title, pdf = printer.printed[0]
    code = title.split(" — ")[-1]
    assert doc_type == "receipt"
    assert code in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Đã in" in window.statusBar().currentMessage()
    events.dossier_opened.emit(code)
    window.dossier.reprint_button.click()
    assert len(printer.printed) == 2
    assert (
        "Bản in lại".lower()
        in "".join(
            p.extract_text() for p in PdfReader(io.BytesIO(printer.printed[1][2])).pages
        ).lower()
    )
    assert [x.reprint for x in list_prints(ctx, code)] == [False, True]


# ---- off the UI thread ----------------------------------------------------------------------


@dataclass
class ThreadNotingPrinter(RecordingPdfPrinter):
    """The recording printer, noting which thread each step ran on."""

    threads: dict[str, int] = field(default_factory=dict)

    def prepare(self, pdf: bytes) -> PreparedPdf:
        self.threads["prepare"] = threading.get_ident()
        return super().prepare(pdf)

    def preview(
        self, parent: QWidget | None, document: PreparedPdf, doc_type: str, title: str
    ) -> SendToPrinter | None:
        self.threads["preview"] = threading.get_ident()
        send = super().preview(parent, document, doc_type, title)
        assert send is not None

        def noted() -> None:
            self.threads["send"] = threading.get_ident()
            send()

        return noted


def test_page_images_and_printing_run_on_workers_and_only_the_preview_on_the_ui_thread(qtbot, ctx):
    p = procedure_with_unit(ctx, "working-days")
    code = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    printer = ThreadNotingPrinter()
    runner = OpRunner()
    flow, messages = _flow(ctx, runner, printer)
    flow.print_form(FormKind.RECEIPT, code)
    qtbot.waitUntil(lambda: bool(messages) and not runner.busy, timeout=20000)
    ui_thread = threading.get_ident()
    assert printer.threads["preview"] == ui_thread
    assert printer.threads["prepare"] != ui_thread
    assert printer.threads["send"] != ui_thread
    assert messages == [f"Đã in: {FormKind.RECEIPT.label} — {code}"]
    assert [x.reprint for x in list_prints(ctx, code)] == [False]  # audited after the print


def _answer_dialogs_like_an_officer(seen: dict[str, int]) -> QTimer:
    """Press «In» in the preview once its pages are there, then OK in the print dialog.
    Queued invocations: the dialogs open nested event loops, not to be started from here."""

    def answer() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QPrintPreviewDialog) and "preview_pages" not in seen:
            widget = modal.findChild(QPrintPreviewWidget)
            if widget is None or widget.pageCount() == 0:
                return
            seen["preview_pages"] = widget.pageCount()
            actions = [a for bar in modal.findChildren(QToolBar) for a in bar.actions()]
            print_action = next(a for a in actions if a.text().lower().startswith("print"))
            QMetaObject.invokeMethod(print_action, "trigger", Qt.ConnectionType.QueuedConnection)
        elif isinstance(modal, QPrintDialog):
            QMetaObject.invokeMethod(modal, "accept", Qt.ConnectionType.QueuedConnection)

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(answer)
    timer.start()
    return timer


class PrinterToFile(QtPdfPrinter):
    """The real Qt printer path, its printer writing a PDF file (no physical printer here)."""

    def __init__(self, settings: QSettings, out: str) -> None:
        super().__init__(settings)
        self.out = out

    def _printer_for(self, doc_type: str) -> QPrinter:
        printer = super()._printer_for(doc_type)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(self.out)
        return printer


def test_qt_preview_shows_ready_images_and_the_printer_gets_the_pages_only_from_the_job(
    qtbot, ctx, runner, qsettings, tmp_path
):
    p = procedure_with_unit(ctx, "working-days")
    code = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    recorder = RecordingPdfPrinter()
    flow, _ = _flow(ctx, runner, recorder)
    flow.print_form(FormKind.RECEIPT, code)
    pdf = recorder.printed[0][2]
    prepared = prepare_pdf(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert len(prepared.images) == pages == 2  # both copies
    a5_width_px = 148 / 25.4 * PREVIEW_DPI
    assert abs(prepared.images[0].width() - a5_width_px) < 2
    out = tmp_path / "printed.pdf"
    seen: dict[str, int] = {}
    answerer = _answer_dialogs_like_an_officer(seen)
    send = PrinterToFile(qsettings, str(out)).preview(None, prepared, "receipt", "Biên nhận")
    answerer.stop()
    assert seen["preview_pages"] == pages
    assert send is not None
    assert not out.exists()  # the dialog's own print pass painted nothing on the UI thread
    send()
    printed = PdfReader(str(out))
    assert len(printed.pages) == pages
    width_mm = float(printed.pages[0].mediabox.width) * 25.4 / 72
    assert abs(width_mm - 148) < 2  # A5 portrait, as the PDF


# ---- a day before the forms: a refusal, not a crash -----------------------------------------


def _close_message_box(texts: list[str]) -> QTimer:
    def close() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            texts.append(box.text())
            QMetaObject.invokeMethod(box, "accept", Qt.ConnectionType.QueuedConnection)

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(close)
    timer.start()
    return timer


def test_logbook_before_the_forms_came_into_force_is_refused_politely(qtbot, ctx, runner):
    printer = RecordingPdfPrinter()
    flow, messages = _flow(ctx, runner, printer)
    day = date(2025, 6, 30)
    flow.print_logbook(day, day)  # a non-AppError would raise here, for the crash handler
    assert messages == [LOGBOOK_REFUSAL]
    assert printer.printed == []
    assert list_audit(ctx, AuditFilter(action="print-form-07"), officer="admin") == []


def test_supervisor_sees_the_refusal_as_a_message_and_can_print_another_day(
    qtbot, ctx, runner, events, qsettings
):
    from ui.main_window import MainWindow

    printer = RecordingPdfPrinter()
    window = MainWindow(ctx, runner, events, qsettings, printer=printer)
    qtbot.addWidget(window)
    supervisor = window.supervisor

    def shown_day() -> date | None:
        return supervisor.page.day_from if supervisor.page else None

    for box in (supervisor.date_from, supervisor.date_to):
        box.setDate(QDate(2025, 6, 30))
    supervisor.show_button.click()
    assert shown_day() == date(2025, 6, 30)
    texts: list[str] = []
    closer = _close_message_box(texts)
    supervisor.print_button.click()
    closer.stop()
    assert len(texts) == 1 and LOGBOOK_REFUSAL in texts[0]
    assert FORM_SAVED_HINT not in texts[0]  # no dossier is concerned by a logbook
    assert printer.printed == []
    assert shown_day() == date(2025, 6, 30)  # the screen keeps what the supervisor chose
    for box in (supervisor.date_from, supervisor.date_to):
        box.setDate(QDate(2026, 11, 23))
    supervisor.show_button.click()
    supervisor.print_button.click()
    assert [doc_type for doc_type, _title, _pdf in printer.printed] == ["logbook"]
    assert "Đã in sổ theo dõi hồ sơ" in window.statusBar().currentMessage()


def test_a_document_that_is_not_a_form_goes_through_the_same_preview(qtbot, ctx, runner):
    printer = RecordingPdfPrinter()
    flow, messages = _flow(ctx, runner, printer)
    p = procedure_with_unit(ctx, "working-days")
    code = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    flow.print_form(FormKind.RECEIPT, code, as_pdf=True)
    pdf = printer.opened[0].read_bytes()
    flow.print_document(RenderedDocument("Báo cáo", "forms", "bao-cao.pdf", lambda: pdf))
    assert printer.printed == [("forms", "Báo cáo", pdf)]
    assert messages == ["Đã in: Báo cáo"]


class JammedPrinter(RecordingPdfPrinter):
    def preview(self, parent, document, doc_type, title):
        def send() -> None:
            raise ConfigurationError("print.printer_unavailable", "Máy in không sẵn sàng.")

        return send


def test_a_receipt_that_does_not_print_says_the_dossier_is_saved(qtbot, ctx, runner):
    p = procedure_with_unit(ctx, "working-days")
    code = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    flow, messages = _flow(ctx, runner, JammedPrinter())
    flow.print_form(FormKind.RECEIPT, code)
    assert messages == [f"Máy in không sẵn sàng.\n\n{FORM_SAVED_HINT}"]
    assert list_prints(ctx, code) == ()  # nothing reached paper: nothing audited


def test_a_logbook_is_audited_only_when_the_preview_is_confirmed(qtbot, ctx, runner):
    p = procedure_with_unit(ctx, "working-days")
    receive_dossier(ctx, receive_cmd(p.id))
    day = date(2026, 11, 23)
    printer = RecordingPdfPrinter(accept=False)  # the supervisor closes the preview
    flow, messages = _flow(ctx, runner, printer)
    flow.print_logbook(day, day)
    assert printer.printed == [] and messages == []
    assert list_audit(ctx, AuditFilter(action="print-form-07"), officer="admin") == []

    printer.accept = True
    flow.print_logbook(day, day)
    assert [doc_type for doc_type, _title, _pdf in printer.printed] == ["logbook"]
    [entry] = list_audit(ctx, AuditFilter(action="print-form-07"), officer="admin")
    assert entry.entity_type == "receiving_point"


def test_a_paper_with_an_audit_is_recorded_only_when_printed(qtbot, ctx, runner):
    p = procedure_with_unit(ctx, "working-days")
    code = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    printer = RecordingPdfPrinter(accept=False)
    flow, _messages = _flow(ctx, runner, printer)
    slip = RenderedDocument(
        "Phiếu VietQR",
        "thermal",
        "vietqr.pdf",
        lambda: render_document(prepare_print(ctx, PrintRequest(FormKind.RECEIPT, code)).data),
        DocumentPrint("print-vietqr-slip", "payment", "p-1", code, {"amount": 20000}),
    )

    def printed_labels() -> list[str]:
        events = show_dossier(ctx, code, officer="canbo").events
        return [e.action_label for e in events if e.action == "print-vietqr-slip"]

    flow.print_document(slip)  # the officer closes the preview
    assert printed_labels() == []
    printer.accept = True
    flow.print_document(slip)
    assert printed_labels() == ["In phiếu thanh toán VietQR"]
