"""The real print path on the UI thread: Qt's print preview and printing (issue 4, "never freezes").

    ./dev bench print_preview [--rows R] [--repeat N] [--json FILE]

`bench_ui_thread` drives the officer's flows with `RecordingPdfPrinter`, which shows no preview
and prints nothing: it cannot see what the real `QtPdfPrinter` costs the UI thread. This one
drives `PrintFlow.print_document` with the real `QtPdfPrinter` and the threaded `OpRunner`, over
offscreen Qt, for a receipt (form 01, both copies, A5) and the logbook of a busy day (form 07,
900 rows, about 57 A4 landscape pages) rendered by the services from a seeded store. The dialogs
are answered by a timer as an officer would: press «Print» in the preview once its pages are
there, then OK in the print dialog; the printer writes a PDF file (no physical printer here).

A 5 ms precise QTimer on the UI thread is the heartbeat; a gap between two ticks is time the UI
thread could not run its (Python) event handlers, attributed to the phase in which it began:
«preview» from the request until the preview has its pages, «print» from the officer's «Print»
until the flow says it printed. The limit is 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QMetaObject, QSettings, Qt, QTimer
from PySide6.QtPrintSupport import (
    QPrintDialog,
    QPrinter,
    QPrintPreviewDialog,
    QPrintPreviewWidget,
)
from PySide6.QtWidgets import QApplication, QToolBar

from app.domain.forms import FormKind
from app.services.catalogue import list_procedures
from app.services.documents import PrintRequest, print_document, print_logbook
from app.services.dossiers import ReceiveDossier, receive_dossier
from bench.bench_ui_thread import BUSY_DAY, prepare
from printing import render_document
from ui.ops import OpRunner
from ui.print_flow import PrintFlow, RenderedDocument
from ui.print_support import QtPdfPrinter

LIMIT_MS = 50.0
HEARTBEAT_MS = 5
PREVIEW = "preview"
PRINT = "print"


class PrinterToFile(QtPdfPrinter):
    """The real printer path; its printer writes PDF files into `folder`."""

    def __init__(self, settings: QSettings, folder: Path) -> None:
        super().__init__(settings)
        self.folder = folder
        self.files: list[Path] = []

    def _printer_for(self, doc_type: str) -> QPrinter:
        printer = super()._printer_for(doc_type)
        path = self.folder / f"printed-{len(self.files) + 1:02d}.pdf"
        self.files.append(path)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        return printer


class Heartbeat:
    """Ticks every 5 ms; a gap goes to the first phase other than «idle» that was current
    during it (a freeze that begins right after a phase starts belongs to that phase)."""

    def __init__(self) -> None:
        self._phases = ["idle"]  # the phase at the last tick, then every phase set since
        self._last = time.perf_counter()
        self.gaps: dict[str, list[float]] = defaultdict(list)
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)

    @property
    def phase(self) -> str:
        return self._phases[-1]

    @phase.setter
    def phase(self, phase: str) -> None:
        self._phases.append(phase)

    def _tick(self) -> None:
        now = time.perf_counter()
        owner = next((p for p in self._phases if p != "idle"), "idle")
        self.gaps[owner].append((now - self._last) * 1000)
        self._last, self._phases = now, [self.phase]


class Officer:
    """Answers the dialogs: «Print» once the preview shows its pages, then OK. The clicks are
    queued: each opens a nested event loop, not to be started from inside this timer's slot."""

    def __init__(self, heartbeat: Heartbeat) -> None:
        self.hb = heartbeat
        self.pressed_print_at = 0.0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._answer)

    def _answer(self) -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QPrintPreviewDialog) and self.hb.phase == PREVIEW:
            widget = modal.findChild(QPrintPreviewWidget)
            if widget is None or widget.pageCount() == 0:
                return
            actions = [a for bar in modal.findChildren(QToolBar) for a in bar.actions()]
            button = next(a for a in actions if a.text().lower().startswith("print"))
            self.hb.phase = PRINT
            self.pressed_print_at = time.perf_counter()
            QMetaObject.invokeMethod(button, "trigger", Qt.ConnectionType.QueuedConnection)
        elif isinstance(modal, QPrintDialog):
            QMetaObject.invokeMethod(modal, "accept", Qt.ConnectionType.QueuedConnection)


def run_event_loop(ms: int = 0, until: Any = None, timeout: float = 600.0) -> None:
    loop = QEventLoop()
    if until is None:
        QTimer.singleShot(ms, loop.quit)
    else:
        deadline = time.monotonic() + timeout
        poll = QTimer(loop)
        poll.setInterval(2)
        poll.timeout.connect(
            lambda: loop.quit() if until() or time.monotonic() > deadline else None
        )
        poll.start()
    loop.exec()


def sample_documents(rows: int) -> tuple[dict[str, bytes], Path]:
    ctx, data = prepare(rows, random.Random(20261123))
    procedure = list_procedures(ctx)[0]
    cmd = ReceiveDossier(
        procedure=procedure.id, applicant_name="Lò Thị Mai", id_number="001190000002"
    )
    code = receive_dossier(ctx, cmd).dossier.code
    receipt = print_document(
        ctx, PrintRequest(FormKind.RECEIPT, code, preview=True), render_document
    )
    logbook = print_logbook(ctx, BUSY_DAY, BUSY_DAY, render=render_document, preview=True)
    ctx.db.close()
    return {"receipt": receipt.pdf, "logbook (busy day)": logbook.pdf}, data


def stats(gaps: list[float]) -> dict[str, float]:
    ordered = sorted(gaps) or [0.0]
    return {
        "ticks": len(gaps),
        "median_ms": round(statistics.median(ordered), 1),
        "max_ms": round(ordered[-1], 1),
        "over_50ms": sum(g > LIMIT_MS for g in ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--rows", type=int, default=2000, help="seeded dossiers (900 on the busy day)"
    )
    parser.add_argument("--repeat", type=int, default=2, help="runs per document (default 2)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    _app = QApplication([])  # alive for the whole run
    documents, data = sample_documents(args.rows)
    out = Path(tempfile.mkdtemp(prefix="motcua-print-preview-bench-"))
    hb = Heartbeat()
    officer = Officer(hb)
    runner = OpRunner()
    printer = PrinterToFile(QSettings(str(out / "ui.ini"), QSettings.Format.IniFormat), out)
    flow = PrintFlow(None, runner, printer, lambda: None)  # type: ignore[arg-type]  # no ctx needed
    done: list[str] = []
    flow.printed.connect(done.append)
    flow.failed.connect(done.append)
    hb.timer.start()
    officer.timer.start()
    run_event_loop(300)
    results: list[dict[str, Any]] = []
    header = (
        f"{'document':<20} {'phase':<8} {'ticks':>6} {'median':>7} {'max':>7} {'>50ms':>6}  seconds"
    )
    print(header)
    print("-" * len(header))
    for name, pdf in documents.items():
        for run in range(1, args.repeat + 1):
            hb.phase = "idle"
            run_event_loop(100)
            hb.gaps.clear()
            before = len(done)
            hb.phase = PREVIEW
            started = time.perf_counter()
            flow.print_document(RenderedDocument(name, "forms", "x.pdf", lambda pdf=pdf: pdf))
            run_event_loop(until=lambda before=before: len(done) > before and not runner.busy)
            ended = time.perf_counter()
            hb.phase = "idle"
            run_event_loop(50)
            timings = {
                PREVIEW: officer.pressed_print_at - started,
                PRINT: ended - officer.pressed_print_at,
            }
            for phase in (PREVIEW, PRINT):
                st = stats(hb.gaps.get(phase, []))
                results.append(
                    {
                        "document": name,
                        "run": run,
                        "phase": phase,
                        "seconds": round(timings[phase], 2),
                        **st,
                    }
                )
                print(
                    f"{name:<20} {phase:<8} {st['ticks']:>6} {st['median_ms']:>7.1f} "
                    f"{st['max_ms']:>7.1f} {st['over_50ms']:>6}  {timings[phase]:.2f}"
                )
    print("(gaps in ms between 5 ms heartbeat ticks on the UI thread; the limit is 50 ms)")
    print(f"printed: {[p.stat().st_size for p in printer.files if p.exists()]} bytes; {done[-1]!r}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    hb.timer.stop()
    officer.timer.stop()
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
    # As bench_ui_thread: skip interpreter teardown (PySide6 objects can abort during finalisation).
    os._exit(0)
