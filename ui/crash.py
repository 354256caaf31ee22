"""Crash handling: an unexpected error is logged (no personal data) and shown politely.

Everything already saved stays saved: each state change is its own committed transaction, so an
error in a screen can't half-write a dossier. The log gets the exception type and the traceback's
code locations only; exception messages can carry names or ID numbers, so they are not written.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from platformdirs import user_log_dir
from PySide6.QtWidgets import QApplication, QMessageBox

from app import logging_setup as app_logging

log = logging.getLogger("motcua.crash")


def log_dir() -> Path:
    path = Path(user_log_dir("MotCuaDesk", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def configure_logging() -> None:
    # The app-level set-up: rotating file, personal data masked on every handler.
    app_logging.configure_logging(log_dir())


def redacted_report(kind: type[BaseException], tb: TracebackType | None) -> str:
    """Exception type and code locations only — never the message or local values."""
    frames = traceback.extract_tb(tb)
    where = "\n".join(f"  {f.filename}:{f.lineno} in {f.name}" for f in frames)
    return f"{kind.__module__}.{kind.__qualname__}\n{where}"


def handle_exception(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None
) -> None:
    log.error("Lỗi ngoài dự kiến:\n%s", redacted_report(kind, tb))
    if QApplication.instance() is not None:
        QMessageBox.critical(
            None,
            "Lỗi ngoài dự kiến",
            "Phần mềm gặp lỗi ngoài dự kiến. Các hồ sơ đã lưu vẫn an toàn; thao tác vừa rồi có "
            "thể chưa hoàn tất — vui lòng kiểm tra lại hồ sơ trước khi làm tiếp.\n\n"
            f"Nhật ký lỗi: {log_dir() / 'motcua.log'}",
        )


def install() -> None:
    configure_logging()
    sys.excepthook = handle_exception
