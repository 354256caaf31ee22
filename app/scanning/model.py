"""The shared vocabulary of digitisation: what a scan asks for and what comes back.

Every scanner input (SANE, eSCL network scanners, imported files, Windows WIA) implements
`Scanner`; the page pipeline and the PDF assembly only ever see `RawPage`s. A scanner error in the
middle of a batch (jam, empty feeder, cover open) is raised *after* the pages already read were
yielded, so the caller keeps them and tells the clerk what happened.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from PIL import Image

from app.domain.errors import AppError


class Source(StrEnum):
    FLATBED = "flatbed"
    ADF = "adf"  # automatic document feeder, one side
    ADF_DUPLEX = "adf-duplex"


class ColourMode(StrEnum):
    COLOR = "color"  # the default: seals and signatures are red
    GRAY = "gray"
    BW = "bw"  # black and white (1 bit), compressed with CCITT G4


SOURCE_LABELS = {
    Source.FLATBED: "Mặt kính",
    Source.ADF: "Khay nạp giấy",
    Source.ADF_DUPLEX: "Khay nạp giấy, hai mặt",
}
MODE_LABELS = {ColourMode.COLOR: "Màu", ColourMode.GRAY: "Xám", ColourMode.BW: "Đen trắng"}

# Paper sizes in millimetres (width, height).
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {
    "A4": (210.0, 297.0),
    "A5": (148.0, 210.0),
    "A3": (297.0, 420.0),
    "Letter": (215.9, 279.4),
    "Legal": (215.9, 355.6),
}
DEFAULT_DPI = 200
ALLOWED_DPI = (150, 200, 300, 400, 600)


@dataclass(frozen=True)
class ScanSettings:
    source: Source = Source.ADF
    mode: ColourMode = ColourMode.COLOR
    dpi: int = DEFAULT_DPI
    paper: str = "A4"


@dataclass(frozen=True)
class DeviceInfo:
    id: str  # backend-specific, stable: "test:0", "escl:http://10.0.0.5:80/eSCL", "folder:/x"
    name: str  # what the clerk sees
    backend: str  # "sane" | "escl" | "import" | "wia"
    sources: tuple[Source, ...] = (Source.FLATBED,)
    modes: tuple[ColourMode, ...] = (ColourMode.COLOR, ColourMode.GRAY, ColourMode.BW)
    resolutions: tuple[int, ...] = (DEFAULT_DPI,)


@dataclass
class RawPage:
    """One page as it came from the scanner or file: not yet cleaned up."""

    image: Image.Image  # mode "RGB", "L" or "1"
    dpi: int
    index: int  # 1-based position in the batch it came from
    origin: str = ""  # device id or file name, for messages and the log


class ScanError(AppError):
    """A scanner or input problem with a stable code (scan.jammed, scan.no_paper,
    scan.cover_open, scan.io, scan.busy, scan.device, scan.file_*). `pages_kept` says how many
    pages of the batch were delivered before it happened; they stay with the caller."""

    def __init__(self, code: str, message: str, *, pages_kept: int = 0, **params: Any) -> None:
        super().__init__(code, message, **params)
        self.pages_kept = pages_kept


class Scanner(Protocol):
    """One kind of scanner input. Implementations: sane_backend.SaneScanner,
    escl.EsclScanner, importer.FileImporter / importer.WatchedFolder, wia_backend.WiaScanner."""

    backend: str

    def devices(self) -> list[DeviceInfo]: ...

    def scan(self, device_id: str, settings: ScanSettings) -> Iterator[RawPage]:
        """Yield pages as they arrive; raise ScanError (after the pages read so far) on a
        jam, an empty feeder, an open cover or an I/O error."""
        ...


class PageFormat(StrEnum):
    JPEG = "jpeg"  # colour and grey pages
    TIFF_G4 = "tiff-g4"  # black-and-white pages: single-strip CCITT Group 4 TIFF


@dataclass(frozen=True)
class ProcessedPage:
    """A cleaned-up page, already compressed: `data` goes into the PDF as it is (img2pdf)."""

    data: bytes
    format: PageFormat
    width_px: int
    height_px: int
    dpi: int
    blank: bool = False  # flagged by the blank detector; the clerk confirms before it is dropped
    ink_fraction: float = 0.0  # share of "ink" pixels the blank detector saw
    skew_deg: float = 0.0  # the skew that was measured and corrected
    rotation: int = 0  # quarter turns applied (0, 90, 180, 270), clockwise


@dataclass(frozen=True)
class ComponentMeta:
    """What DOMAIN §6 wants recorded with every digitised component (PDF metadata + database)."""

    dossier_code: str
    procedure_code: str  # mã TTHC
    component_position: int  # STT of the component in the procedure's checklist
    component_name: str
    original: bool  # bản chính (True) or bản sao (False)
    digitised_by: str  # the clerk's full name
    unit_name: str  # the clerk's unit, printed in the conversion mark
    digitised_at: datetime  # aware, Asia/Ho_Chi_Minh


CONVERSION_MARK_TEXT = "Bản điện tử chuyển đổi từ văn bản giấy"
