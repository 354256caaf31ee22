"""Intake end to end in the desktop app with N dossiers (default 1,000,000) already stored:
from the officer's "receive" (Ctrl+Enter) to the receipt PDF ready for the print preview.

    ./dev bench intake [--rows N] [--samples K]

Drives the real MainWindow offscreen (synchronous op-runner, so the time is the work itself;
a recording printer stands in for the physical one) over a store seeded like bench_core.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.bootstrap import init_demo_data, open_context
from app.db.database import DB_FILENAME
from app.domain.clock import VN_TZ, FixedClock
from app.services.catalogue import list_procedures
from app.services.dossiers import ReceiveDossier, receive_dossier
from bench.bench_core import _name, seed
from ui.main_window import MainWindow
from ui.ops import ImmediateOpRunner
from ui.print_support import RecordingPdfPrinter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(7)
    app = QApplication([])
    data = Path(tempfile.mkdtemp(prefix="motcua-intake-bench-"))
    ctx = open_context(data, FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ)))
    init_demo_data(ctx)
    procedure = list_procedures(ctx)[0]
    receive_dossier(
        ctx, ReceiveDossier(procedure=procedure.id, applicant_name="A", id_number="001190000001")
    )
    seed(data / DB_FILENAME, args.rows, rng)

    printer = RecordingPdfPrinter()
    settings = QSettings(str(data / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ctx, ImmediateOpRunner(), None, settings, printer=printer)
    intake = window.intake
    times = []
    for i in range(args.samples):
        intake.set_procedure(procedure)
        intake.applicant.name.setText(_name(rng))
        intake.applicant.id_number.setText(f"0011900{i:05d}")
        started = time.perf_counter()
        intake.submit()
        assert len(printer.printed) == i + 1, intake.banner.text()
        times.append((time.perf_counter() - started) * 1000)
        app.processEvents()
    ordered = sorted(times)
    print(
        json.dumps(
            {
                "rows": args.rows,
                "intake_to_receipt_pdf_ms": {
                    "median": round(statistics.median(ordered), 1),
                    "p95": round(ordered[int(len(ordered) * 0.95) - 1], 1),
                    "n": len(ordered),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
    # Skip interpreter teardown: PySide6 objects destroyed during finalisation can abort the
    # process after the results are printed, which would hide them from a calling script.
    os._exit(0)
