"""Printing from the desktop: render → preview/print (recorded, no physical printer) → audit."""

from __future__ import annotations

import io

from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from app.domain.forms import FormKind
from app.services.documents import list_prints
from app.services.dossiers import receive_dossier
from tests.app.services.helpers import procedure_with_unit, receive_cmd
from ui.print_flow import PrintFlow
from ui.print_support import RecordingPdfPrinter, match_paper, paint_pdf


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
    match_paper(printer, pdf)
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
