"""Desktop entry: builds the service context (composition root) and runs the main window on
the qasync event loop (so background sync can be asyncio code on the same loop)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication

from app.bootstrap import init_demo_data, open_context
from ui import crash
from ui.main_window import MainWindow


def run_desktop(data_dir: Path | None = None) -> int:
    crash.install()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("MotCua Desk")
    ctx = open_context(data_dir)
    init_demo_data(ctx)  # standalone default: a no-op once the data dir is set up
    window = MainWindow(ctx)
    window.show()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)

    async def until_closed() -> None:
        await closed.wait()

    qasync.run(until_closed())
    ctx.db.close()
    return 0
