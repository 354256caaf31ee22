"""Vietnamese OCR for digitised components: an invisible text layer, made in the background.

Tesseract (`vie`) reads each page image exactly as the pipeline compressed it and writes a
text-only PDF (`-c textonly_pdf=1`): a page of the same size as the scanned one, holding the
recognised words as invisible text (rendering mode 3) in its embedded GlyphLessFont, each word
placed over its image. `pdf.assemble` overlays that page by page, so the page images stay
pass-through and the text can be searched and copied. We call the tesseract program directly
(not pytesseract) because the child process needs its own environment: `OMP_THREAD_LIMIT=1`,
otherwise tesseract spreads over both cores of a counter PC and the scan loop stutters.

OCR takes seconds a page, so `OcrQueue` runs it on one worker thread by default and hands back a
`Future`; the clerk scans the next component meanwhile. `shutdown` cancels waiting jobs and stops
the running tesseract, so closing the application never waits for OCR.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import IO

import pikepdf

from app.domain.errors import AppError
from app.scanning.model import PageFormat, ProcessedPage

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "vie"
DEFAULT_WORKERS = 1  # 2-core counter PCs: the scan loop needs the other core
PAGE_TIMEOUT_S = 180.0  # a dense A4 page at 300 dpi takes ~10 s; a hung tesseract must not stay
_POLL_S = 0.1  # how often a running tesseract checks whether it has been cancelled
_SUFFIX = {PageFormat.JPEG: ".jpg", PageFormat.TIFF_G4: ".tif"}


class OcrError(AppError):
    """OCR could not produce a text layer (codes `ocr.*`). The component is still saved,
    without searchable text."""


def text_layer(
    pages: Sequence[ProcessedPage],
    *,
    language: str = DEFAULT_LANGUAGE,
    tesseract_cmd: str | None = None,
    stop: threading.Event | None = None,
    page_timeout_s: float = PAGE_TIMEOUT_S,
) -> bytes:
    """A PDF with one invisible-text page per page of `pages`, same sizes, for `pdf.assemble`.

    Runs one tesseract per page (its start-up costs ~0.15 s against seconds of recognition),
    which lets pages of different resolutions share a component and lets `stop` take effect
    between and during pages."""
    if not pages:
        raise OcrError("ocr.no_pages", "Chưa có trang nào để nhận dạng chữ.")
    program = _program(tesseract_cmd)
    if language not in installed_languages(program):
        raise OcrError(
            "ocr.language_missing",
            "Máy chưa cài dữ liệu nhận dạng tiếng Việt cho Tesseract, xin liên hệ quản trị viên.",
            language=language,
        )
    with tempfile.TemporaryDirectory(prefix="motcua-ocr-") as folder:
        layers = [
            _page_layer(program, page, Path(folder), index, language, stop, page_timeout_s)
            for index, page in enumerate(pages, start=1)
        ]
    return _concatenate(layers)


def program_env(**extra: str) -> dict[str, str]:
    """The environment for the tesseract program. Inside the PyInstaller bundle on Linux the
    bootloader points LD_LIBRARY_PATH at the bundle's own libraries (copies of libstdc++, ICU…
    from the build machine), which a system tesseract must not load: restore the value the
    process started with (PyInstaller keeps it as LD_LIBRARY_PATH_ORIG)."""
    env = {**os.environ, **extra}
    if getattr(sys, "frozen", False) and "LD_LIBRARY_PATH" in env:
        original = env.pop("LD_LIBRARY_PATH_ORIG", None)
        if original:
            env["LD_LIBRARY_PATH"] = original
        else:
            del env["LD_LIBRARY_PATH"]
    return env


@lru_cache(maxsize=4)
def installed_languages(program: str) -> frozenset[str]:
    """The tesseract languages installed for `program` (`tesseract --list-langs`)."""
    try:
        result = subprocess.run(
            [program, "--list-langs"],
            capture_output=True,
            timeout=30,
            check=False,
            env=program_env(),
            creationflags=_creation_flags(),
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise _unavailable() from exc
    lines = result.stdout.decode("utf-8", "replace").splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip())  # line 1 is a header


def ocr_available(language: str = DEFAULT_LANGUAGE, tesseract_cmd: str | None = None) -> bool:
    """Whether OCR can run here: for the UI, to offer or grey out the option."""
    try:
        return language in installed_languages(_program(tesseract_cmd))
    except OcrError:
        return False


class OcrQueue:
    """Background OCR: `submit(pages)` returns at once with a Future of the text-layer PDF."""

    def __init__(
        self,
        *,
        language: str = DEFAULT_LANGUAGE,
        workers: int = DEFAULT_WORKERS,
        tesseract_cmd: str | None = None,
    ) -> None:
        self.language = language
        self.workers = workers
        self._tesseract_cmd = tesseract_cmd
        self._stop = threading.Event()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr")

    def submit(self, pages: Sequence[ProcessedPage]) -> Future[bytes]:
        return self._executor.submit(
            text_layer,
            tuple(pages),  # a snapshot: the caller may keep editing its list
            language=self.language,
            tesseract_cmd=self._tesseract_cmd,
            stop=self._stop,
        )

    def shutdown(self, *, wait: bool = True, cancel_running: bool = False) -> None:
        """Stop accepting work and cancel jobs not yet started; with `cancel_running` the
        running tesseract is stopped too and its Future fails with `ocr.cancelled`."""
        if cancel_running:
            self._stop.set()
        self._executor.shutdown(wait=wait, cancel_futures=True)

    def __enter__(self) -> OcrQueue:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown(wait=True, cancel_running=exc is not None)


def _program(tesseract_cmd: str | None) -> str:
    found = shutil.which(tesseract_cmd or "tesseract")
    if found is None:
        raise _unavailable()
    return found


def _unavailable() -> OcrError:
    return OcrError(
        "ocr.unavailable",
        "Máy chưa cài chương trình nhận dạng chữ (Tesseract), xin liên hệ quản trị viên.",
    )


def _creation_flags() -> int:
    # Windows: no console window flashing up, and below-normal priority for the scan loop's sake.
    if sys.platform == "win32":
        return subprocess.CREATE_NO_WINDOW | subprocess.BELOW_NORMAL_PRIORITY_CLASS
    return 0


def _page_layer(
    program: str,
    page: ProcessedPage,
    folder: Path,
    index: int,
    language: str,
    stop: threading.Event | None,
    timeout_s: float,
) -> bytes:
    if stop is not None and stop.is_set():
        raise _cancelled()
    image = folder / f"page-{index:04d}{_SUFFIX[page.format]}"
    image.write_bytes(page.data)
    out_base = folder / f"text-{index:04d}"
    # --dpi: the page size must come from the dpi we recorded, as in pdf.assemble, whatever the
    # image header says; otherwise the text layer would be scaled against the image.
    command = [str(image), str(out_base), "-l", language, "--dpi", str(page.dpi)]
    command += ["-c", "textonly_pdf=1", "pdf"]
    nice = shutil.which("nice") if sys.platform != "win32" else None
    argv = [nice, "-n", "10", program, *command] if nice else [program, *command]
    errors = folder / f"stderr-{index:04d}.txt"  # a file, not a pipe: a full pipe would block
    with errors.open("wb") as stderr:
        returncode = _run(argv, stderr, stop, timeout_s, index)
    result = out_base.with_suffix(".pdf")
    if returncode != 0 or not result.exists():
        # tesseract's stderr names files and options, never recognised text.
        tail = errors.read_bytes()[-300:].decode(errors="replace")
        log.warning("tesseract failed on page %d (exit %s): %s", index, returncode, tail)
        raise OcrError(
            "ocr.failed",
            "Không nhận dạng được chữ trên một trang; thành phần vẫn được lưu.",
            page=index,
        )
    return result.read_bytes()


def _run(
    argv: list[str], stderr: IO[bytes], stop: threading.Event | None, timeout_s: float, index: int
) -> int:
    """Run tesseract to its end; kill it as soon as `stop` is set or `timeout_s` has passed."""
    deadline = time.monotonic() + timeout_s
    env = program_env(OMP_THREAD_LIMIT="1")
    with subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=stderr, env=env, creationflags=_creation_flags()
    ) as process:
        while True:
            try:
                return process.wait(timeout=_POLL_S)
            except subprocess.TimeoutExpired:
                cancelled = stop is not None and stop.is_set()
                if cancelled or time.monotonic() >= deadline:
                    process.kill()
                    process.wait()
                    if cancelled:
                        raise _cancelled() from None
                    raise OcrError(
                        "ocr.timeout",
                        "Nhận dạng chữ một trang quá lâu nên đã dừng; thành phần vẫn được lưu.",
                        page=index,
                    ) from None


def _cancelled() -> OcrError:
    return OcrError("ocr.cancelled", "Đã dừng nhận dạng chữ theo yêu cầu.")


def _concatenate(layers: Sequence[bytes]) -> bytes:
    if len(layers) == 1:
        return layers[0]
    sources = [pikepdf.open(io.BytesIO(layer)) for layer in layers]
    try:
        with pikepdf.new() as merged:
            for source in sources:
                merged.pages.extend(source.pages)
            out = io.BytesIO()
            merged.save(out)  # while the sources are open: qpdf copies their streams at save time
        return out.getvalue()
    finally:
        for source in sources:
            source.close()
