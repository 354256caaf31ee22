"""Pages from files instead of a scanner: images and PDFs the clerk picks, and the folder that
network scanners "scan to".

A file is checked whole before its first page is handed on — size, real type (magic bytes, not
the extension), password, truncation, page count, pixels per page — so a refused file never
leaves half a component behind. PDF pages are rasterised with pdfium at the requested
resolution, one page at a time under the process-wide pdfium lock (app.scanning.pdf_pages): the
lock is never held while the consumer works on a page it was given. (For a PDF that is itself a
scan, taking each page's embedded image as it is would avoid one resampling; that is not done:
re-rasterising at the clerk's resolution is simpler and gives the pipeline one kind of input.)

`WatchedFolder` polls (no extra dependency): a file is ready once its size and modification time
were the same at two successive polls, names a scanner or copier uses while still writing
(*.tmp, *.part, ~*, .*) are ignored, and each file ends in `da-xu-ly/` once imported or in `loi/`
beside a .txt saying why it was refused.
"""

from __future__ import annotations

import logging
import os
import shutil
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from PIL import Image, ImageOps

from app.scanning import pdf_pages
from app.scanning.model import (
    ALLOWED_DPI,
    ColourMode,
    DeviceInfo,
    RawPage,
    ScanError,
    ScanSettings,
    Source,
)

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 200 * 1024 * 1024  # a 100-page colour component at 200 dpi is ~40 MB
MAX_PAGES = 500
MAX_PAGE_PIXELS = 80_000_000  # A3 at 600 dpi is 70 Mpx; beyond that it is not a paper page
PROCESSED_DIR = "da-xu-ly"
REFUSED_DIR = "loi"
_PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", ".filepart")
_SYSTEM_FILES = ("thumbs.db", "desktop.ini")  # Windows drops these into any folder
_PLAUSIBLE_DPI = range(50, 2401)


class FileKind(StrEnum):
    JPEG = "JPEG"
    PNG = "PNG"
    TIFF = "TIFF"
    PDF = "PDF"


def sniff(head: bytes) -> FileKind | None:
    """The file's real type from its first bytes (a PDF may have junk before %PDF-)."""
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return FileKind.TIFF
    if b"%PDF-" in head[:1024]:
        return FileKind.PDF
    return None


def _refusal(code: str, message: str, path: Path) -> ScanError:
    return ScanError(code, message, file=path.name)


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_FILE_BYTES
    max_pages: int = MAX_PAGES
    max_page_pixels: int = MAX_PAGE_PIXELS


@dataclass(frozen=True)
class CheckedFile:
    path: Path
    kind: FileKind
    pages: int


def check_file(path: Path, settings: ScanSettings, limits: Limits = Limits()) -> CheckedFile:
    """Read the whole file and refuse it, with a Vietnamese reason, if any page of it cannot
    be imported. Nothing is kept: the pages are decoded again when they are read."""
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(1024)
    except FileNotFoundError as exc:
        raise _refusal("scan.file_missing", f"Không tìm thấy tệp «{name}».", path) from exc
    except OSError as exc:
        raise _refusal(
            "scan.file_unreadable",
            f"Không mở được tệp «{name}» (có thể tệp đang được chương trình khác dùng).",
            path,
        ) from exc
    if size == 0:
        raise _refusal(
            "scan.file_empty", f"Tệp «{name}» trống (0 byte). Xin chọn lại tệp khác.", path
        )
    if size > limits.max_bytes:
        raise _refusal(
            "scan.file_too_large",
            f"Tệp «{name}» quá lớn ({size / 1024 / 1024:.0f} MB; tối đa "
            f"{limits.max_bytes // 1024 // 1024} MB). Xin tách thành nhiều tệp nhỏ hơn.",
            path,
        )
    kind = sniff(head)
    if kind is None:
        raise _refusal(
            "scan.file_type",
            f"Tệp «{name}» không phải ảnh (JPEG, PNG, TIFF) hay PDF nên không nhập được.",
            path,
        )
    if kind == FileKind.PDF:
        pages = _check_pdf(path, settings, limits)
    else:
        pages = _check_image(path, kind, limits)
    return CheckedFile(path=path, kind=kind, pages=pages)


def _corrupt(path: Path) -> ScanError:
    return _refusal(
        "scan.file_corrupt",
        f"Tệp «{path.name}» bị hỏng hoặc chưa đầy đủ (có thể chép chưa xong) nên không đọc "
        "được. Xin chép lại tệp hoặc quét lại.",
        path,
    )


def _too_many_pages(path: Path, pages: int, limits: Limits) -> ScanError:
    return _refusal(
        "scan.file_too_large",
        f"Tệp «{path.name}» có {pages} trang, quá giới hạn {limits.max_pages} trang "
        "cho một thành phần hồ sơ.",
        path,
    )


def _page_too_big(path: Path, number: int, width: int = 0, height: int = 0) -> ScanError:
    size = f" ({width} × {height} điểm ảnh)" if width and height else ""
    return _refusal(
        "scan.file_too_large",
        f"Trang {number} của tệp «{path.name}» quá lớn{size}, không phải một trang giấy "
        "thường. Xin quét lại ở độ phân giải thấp hơn.",
        path,
    )


def _open_image(path: Path, kind: FileKind) -> Image.Image:
    """PIL image, trying only the plugin of the sniffed type. PIL's own bomb warning is
    silenced because the pixel limit is checked here, per page, before decoding."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(path, formats=[kind.value])


def _check_image(path: Path, kind: FileKind, limits: Limits) -> int:
    try:
        with _open_image(path, kind) as image:
            frames = getattr(image, "n_frames", 1)
            if frames > limits.max_pages:
                raise _too_many_pages(path, frames, limits)
            for number in range(frames):
                image.seek(number)
                width, height = image.size
                if width * height > limits.max_page_pixels:
                    raise _page_too_big(path, number + 1, width, height)
                image.load()  # the whole frame is decoded: a truncated file fails here
    except Image.DecompressionBombError as exc:  # PIL's own guard, beyond ours
        raise _page_too_big(path, 1) from exc
    except ScanError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # PIL's ways of saying "broken"
        raise _corrupt(path) from exc
    return frames


def _open_pdf(path: Path) -> pdfium.PdfDocument:
    try:
        return pdf_pages.open_document(path)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_raw.FPDF_ERR_PASSWORD:
            raise _refusal(
                "scan.file_encrypted",
                f"Tệp PDF «{path.name}» có đặt mật khẩu nên không đọc được. Xin dùng bản "
                "không đặt mật khẩu.",
                path,
            ) from exc
        raise _corrupt(path) from exc


def _check_pdf(path: Path, settings: ScanSettings, limits: Limits) -> int:
    pdf = _open_pdf(path)
    try:
        pages = pdf_pages.page_count(pdf)
        if pages == 0:
            raise _refusal("scan.file_empty", f"Tệp PDF «{path.name}» không có trang nào.", path)
        if pages > limits.max_pages:
            raise _too_many_pages(path, pages, limits)
        for number in range(pages):
            try:
                width_pt, height_pt = pdf_pages.page_size(pdf, number)
            except pdfium.PdfiumError as exc:
                raise _corrupt(path) from exc
            width = round(width_pt / 72 * settings.dpi)
            height = round(height_pt / 72 * settings.dpi)
            if width * height > limits.max_page_pixels:
                raise _page_too_big(path, number + 1, width, height)
    finally:
        pdf_pages.close_document(pdf)
    return pages


def read_checked(
    checked: CheckedFile, settings: ScanSettings, *, first_index: int = 1
) -> Iterator[RawPage]:
    """The pages of a file `check_file` accepted, numbered from `first_index`."""
    pages = (
        _pdf_pages(checked.path, settings)
        if checked.kind == FileKind.PDF
        else _image_pages(checked.path, checked.kind, settings)
    )
    for offset, (image, dpi) in enumerate(pages):
        yield RawPage(image=image, dpi=dpi, index=first_index + offset, origin=checked.path.name)


def _pdf_pages(path: Path, settings: ScanSettings) -> Iterator[tuple[Image.Image, int]]:
    pdf = _open_pdf(path)
    try:
        grey = settings.mode != ColourMode.COLOR
        for index in range(pdf_pages.page_count(pdf)):
            # The lock is taken and released inside each call: not held across the yield.
            yield pdf_pages.render_page(pdf, index, settings.dpi, grey=grey), settings.dpi
    finally:
        pdf_pages.close_document(pdf)


def _image_pages(
    path: Path, kind: FileKind, settings: ScanSettings
) -> Iterator[tuple[Image.Image, int]]:
    with _open_image(path, kind) as image:
        for number in range(getattr(image, "n_frames", 1)):
            image.seek(number)
            dpi = _image_dpi(image, settings.dpi)
            # exif_transpose returns a turned copy (phone photos lie sideways) or a plain copy.
            yield _page_mode(ImageOps.exif_transpose(image)), dpi


def _image_dpi(image: Image.Image, fallback: int) -> int:
    """The resolution the file declares, when it is a believable scanner one; phone photos
    and screenshots say 72 or nothing, and then the clerk's choice stands."""
    declared = image.info.get("dpi")
    if isinstance(declared, tuple) and len(declared) == 2:
        x, y = (round(float(v)) for v in declared)
        if x == y and x in _PLAUSIBLE_DPI and x != 72:
            return x
    return fallback


def _page_mode(image: Image.Image) -> Image.Image:
    """RGB, L or 1, as RawPage promises: transparency goes onto white paper, 16-bit grey is
    scaled (not clipped) to 8 bits, everything else becomes RGB."""
    if image.mode in ("RGB", "L", "1"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, "white")
        flattened = Image.alpha_composite(paper, rgba)
        return flattened.convert("L" if image.mode == "LA" else "RGB")
    if image.mode.startswith("I;16") or image.mode == "I":
        values = np.asarray(image, dtype=np.uint32)
        top = max(int(values.max()), 1)
        return Image.fromarray((values * 255 // top).astype(np.uint8), mode="L")
    return image.convert("RGB")


class FileImporter:
    """The files the clerk picked. Each is a "device" `file:<path>`; `import_files` takes
    several at once and checks all of them before the first page."""

    backend = "import"

    def __init__(self, paths: Sequence[str | os.PathLike[str]] = (), **limits: int) -> None:
        self._paths = [Path(p) for p in paths]
        self._limits = Limits(**limits)

    def devices(self) -> list[DeviceInfo]:
        return [
            DeviceInfo(
                id=f"file:{path}",
                name=path.name,
                backend=self.backend,
                sources=(Source.FLATBED,),
                resolutions=ALLOWED_DPI,
            )
            for path in self._paths
        ]

    def scan(self, device_id: str, settings: ScanSettings) -> Iterator[RawPage]:
        return self.import_files([Path(device_id.removeprefix("file:"))], settings)

    def import_files(self, paths: Iterable[Path], settings: ScanSettings) -> Iterator[RawPage]:
        """All files are checked when the first page is asked for, before it is given."""
        checked = [check_file(Path(p), settings, self._limits) for p in paths]
        total = sum(c.pages for c in checked)
        if total > self._limits.max_pages:
            raise ScanError(
                "scan.file_too_large",
                f"Các tệp đã chọn có tổng cộng {total} trang, quá giới hạn "
                f"{self._limits.max_pages} trang cho một thành phần hồ sơ.",
            )
        index = 1
        for item in checked:
            for page in read_checked(item, settings, first_index=index):
                index += 1
                yield page


class WatchedFolder:
    """A folder scanners save into. Call `poll()` on a timer; import what it returns with
    `import_file` (or `scan`, which takes the oldest ready file)."""

    backend = "import"

    def __init__(self, folder: str | os.PathLike[str], **limits: int) -> None:
        self.folder = Path(folder)
        self._limits = Limits(**limits)
        self._seen: dict[Path, tuple[int, int]] = {}
        self._ready: list[Path] = []

    def devices(self) -> list[DeviceInfo]:
        return [
            DeviceInfo(
                id=f"folder:{self.folder}",
                name=f"Thư mục quét «{self.folder.name}»",
                backend=self.backend,
                sources=(Source.FLATBED,),
                resolutions=ALLOWED_DPI,
            )
        ]

    def poll(self) -> list[Path]:
        """Files whose size and modification time did not change since the previous poll,
        oldest first. A file seen for the first time is never ready: it may still grow."""
        current: dict[Path, tuple[int, int]] = {}
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            entries = []
        for entry in entries:
            if not entry.is_file(follow_symlinks=False) or _is_partial(entry.name):
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
            except OSError:  # gone between listing and looking: a scanner renaming its temp file
                continue
            current[Path(entry.path)] = (stat.st_size, stat.st_mtime_ns)
        ready = [
            path
            for path, signature in current.items()
            if signature[0] > 0 and self._seen.get(path) == signature and _can_open(path)
        ]
        self._seen = current
        self._ready = sorted(ready, key=lambda p: (current[p][1], p.name))
        return list(self._ready)

    def scan(self, device_id: str, settings: ScanSettings) -> Iterator[RawPage]:
        """The oldest file the last poll() found ready."""
        if not self._ready:
            raise ScanError(
                "scan.no_paper",
                f"Chưa có tệp mới nào trong thư mục quét «{self.folder.name}». Xin quét vào "
                "thư mục rồi thử lại sau vài giây.",
            )
        yield from self.import_file(self._ready.pop(0), settings)

    def import_file(self, path: Path, settings: ScanSettings) -> Iterator[RawPage]:
        """The file's pages, checked first: a refused file goes to loi/ beside its reason and
        the error is raised; an imported one goes to da-xu-ly/ after its last page."""
        try:
            checked = check_file(path, settings, self._limits)
        except ScanError as error:
            self.mark_refused(path, error)
            raise
        yield from read_checked(checked, settings)
        self.mark_processed(checked.path)

    def mark_processed(self, path: Path) -> Path:
        return _move(path, self.folder / PROCESSED_DIR)

    def mark_refused(self, path: Path, error: ScanError) -> Path:
        if not path.exists():
            return path
        moved = _move(path, self.folder / REFUSED_DIR)
        reason = moved.with_name(moved.name + ".txt")
        reason.write_text(f"{error.code}\n{error.message}\n", encoding="utf-8")
        log.info("watched-folder file refused: %s", error.code)
        return moved


def _is_partial(name: str) -> bool:
    lower = name.lower()
    return (
        lower.startswith(("~", ".")) or lower.endswith(_PARTIAL_SUFFIXES) or lower in _SYSTEM_FILES
    )


def _can_open(path: Path) -> bool:
    """Windows keeps a file being written locked; elsewhere this always succeeds."""
    try:
        with path.open("rb"):
            return True
    except OSError:
        return False


def _move(path: Path, folder: Path) -> Path:
    """Move into `folder`, never over an existing file: "x.pdf" → "x (2).pdf"."""
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    number = 2
    while target.exists():
        target = folder / f"{path.stem} ({number}){path.suffix}"
        number += 1
    return Path(shutil.move(path, target))
