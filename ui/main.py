"""Desktop entry: builds the service context (composition root), asks the officer to sign in
(changing the password at the first sign-in), and runs the main window on the qasync event loop
(so background sync can be asyncio code on the same loop)."""

from __future__ import annotations

import asyncio
import gc
import sys
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication, QDialog

from app.bootstrap import init_demo_data, open_context
from ui import crash
from ui.dialogs.sign_in_dialog import SignInDialog
from ui.main_window import MainWindow
from ui.officer_session import OfficerSession
from ui.ops import OpRunner


def freeze_start_up_heap() -> None:
    """Start-up makes objects that live as long as the window (Qt wrappers, the catalogue,
    SQLAlchemy mappers). The cyclic collector walked all of them in every full collection:
    ~100 ms with the GIL held, felt as a stall mid-typing. Collection is off during start-up
    (`run_desktop`), and what start-up made is moved out of the collector's reach here."""
    gc.freeze()
    gc.enable()


def run_desktop(data_dir: Path | None = None) -> int:
    gc.disable()  # until freeze_start_up_heap(): start-up makes long-lived objects only
    crash.install()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("MotCua Desk")
    ctx = open_context(data_dir)
    init_demo_data(ctx)  # standalone default: a no-op once the data dir is set up
    runner = OpRunner()
    sign_in = SignInDialog(ctx, runner)
    if sign_in.exec() != QDialog.DialogCode.Accepted or sign_in.officer is None:
        ctx.db.close()
        return 0
    window = MainWindow(ctx, runner, session=OfficerSession(sign_in.officer))
    freeze_start_up_heap()
    window.show()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)

    async def until_closed() -> None:
        await closed.wait()

    qasync.run(until_closed())
    ctx.db.close()
    return 0
