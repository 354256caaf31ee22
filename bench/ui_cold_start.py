"""Started as a fresh process by bench_ui.py: time from interpreter start to the intake screen
ready (window built, catalogue loaded into the procedure search). Prints seconds."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    import gc

    gc.disable()  # as ui.main.run_desktop: no collections while start-up builds the window
    from PySide6.QtWidgets import QApplication

    from app.bootstrap import open_context
    from ui.main import freeze_start_up_heap
    from ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    ctx = open_context(Path(sys.argv[1]))
    window = MainWindow(ctx)
    freeze_start_up_heap()
    window.show()
    deadline = time.monotonic() + 20
    while not window.intake.picker.visible_procedures() and time.monotonic() < deadline:
        app.processEvents()
    # Interpreter start is read from /proc so imports are counted too.
    ticks = os.sysconf("SC_CLK_TCK")
    started = int(Path("/proc/self/stat").read_text().split()[21]) / ticks
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    print(f"{uptime - started:.3f}")


if __name__ == "__main__":
    main()
