"""Desktop entry: builds the service context (composition root) and shows the main window.

The full counter screens (intake, look-up, dossier, supervisor, settings) arrive with their own
issue; this window already runs on the real services: it opens the local store (creating the demo
data on first start) and searches the procedure catalogue without diacritics.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.bootstrap import init_demo_data, open_context
from ui.main_window import MainWindow


def run_desktop(data_dir: Path | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    ctx = open_context(data_dir)
    init_demo_data(ctx)  # standalone default: a no-op once the data dir is set up
    window = MainWindow(ctx)
    window.show()
    return int(app.exec())
