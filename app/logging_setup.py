"""The application's logging: a rotating file in the platform log folder, and a filter on every
handler that masks personal data (`domain.redaction`) in messages, arguments and tracebacks.

Code is written never to log personal data (UUIDs and codes only, STYLE.md); the filter is the
second line of defence for what slips through — an exception message quoting an input, a
library's warning. It sits on the handlers, not the loggers, because a logger's own filters do
not see records propagated from its children.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from platformdirs import user_log_dir

from app.domain.redaction import redact

LOG_FILE = "motcua.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Replaces the record's message (and formatted traceback) by its redacted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record, nor leak its args
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def default_log_dir() -> Path:
    return Path(user_log_dir("MotCuaDesk", appauthor=False))


def install_redaction(logger: logging.Logger | None = None) -> None:
    """Put the redacting filter on every handler of `logger` (the root logger by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def configure_logging(log_dir: Path | None = None, level: int = logging.INFO) -> Path:
    """Rotating file handler (2 MB × 5) on the root logger, redacted; returns the file's path.
    Calling it again does not add a second file handler."""
    folder = log_dir or default_log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    root = logging.getLogger()
    if not any(
        isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == path.resolve()
        for h in root.handlers
    ):
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
    install_redaction(root)
    return path
