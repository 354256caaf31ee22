"""Per-page clean-up of scanned pages: deskew, crop the scanner bed, flag blanks, rotate, compress.

`process_page` turns one `RawPage` into a `ProcessedPage` whose bytes go into the PDF unchanged:
JPEG for colour and grey, single-strip CCITT G4 TIFF for black and white. The work is measured on
a reduced copy (about 100 dpi: the paper outline and the skew angle) and applied once to the full
image with OpenCV, because rotating and encoding the full image are the only costly steps.
Everything here is a pure function of its inputs, with no shared state, so pages can be processed
on worker threads (`process_pages`) while the scanner keeps feeding.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image, JpegImagePlugin

from app.scanning.blank import DEFAULT_BLANK_THRESHOLDS, BlankThresholds, is_blank
from app.scanning.model import (
    MODE_LABELS,
    ColourMode,
    PageFormat,
    ProcessedPage,
    RawPage,
    ScanSettings,
)

ANALYSIS_DPI = 100  # resolution of the reduced copy the measurements are taken on
MAX_SKEW_DEG = 8.0  # feeders and careful clerks skew less than this; beyond it, trust nothing
SKIP_SKEW_DEG = 0.05  # below this a rotation costs more (blur, time) than it corrects
MIN_INK_PIXELS = 300  # at ANALYSIS_DPI; fewer and there is no text line to measure
BED_CONTRAST = 50  # grey levels between paper and bed before the bed counts as a bed
CROP_INSET_MM = 0.5  # cut the paper edge's own shadow along with the bed
WHITE = 255


@dataclass(frozen=True)
class Profile:
    """How a page is kept: colour mode, resolution and JPEG quality (ignored for BW)."""

    name: str
    label: str
    mode: ColourMode
    dpi: int
    jpeg_quality: int = 75


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("color-200", "Màu, 200 dpi (mặc định)", ColourMode.COLOR, 200, 75),
        Profile("color-300", "Màu, 300 dpi", ColourMode.COLOR, 300, 75),
        Profile("gray-200", "Xám, 200 dpi", ColourMode.GRAY, 200, 75),
        Profile("gray-300", "Xám, 300 dpi", ColourMode.GRAY, 300, 75),
        Profile("bw-300", "Đen trắng, 300 dpi", ColourMode.BW, 300),
    )
}
DEFAULT_PROFILE = PROFILES["color-200"]


def profile_for(settings: ScanSettings) -> Profile:
    """The named profile for a scan's mode and resolution, or an unnamed one with defaults."""
    for profile in PROFILES.values():
        if profile.mode == settings.mode and profile.dpi == settings.dpi:
            return profile
    label = f"{MODE_LABELS[settings.mode]}, {settings.dpi} dpi"
    return Profile(f"{settings.mode.value}-{settings.dpi}", label, settings.mode, settings.dpi)


# ---- measuring on the reduced copy -----------------------------------------------------------


def _projection_scores(ys: np.ndarray, xs: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """How sharply the ink falls into rows when the page is turned back by each angle: the sum
    of squared row counts of the ink's projection. Text lines make it peak at the skew angle.
    Each pixel is split between its two nearest rows so no angle wins by rounding alone."""
    scores = np.empty(len(angles))
    for i, angle in enumerate(np.deg2rad(angles)):
        rows = ys * np.cos(angle) + xs * np.sin(angle)
        rows -= rows.min()
        below = np.floor(rows)
        upper_share = rows - below
        index = below.astype(np.intp)
        length = int(index.max()) + 2
        counts = np.bincount(index, weights=1.0 - upper_share, minlength=length)
        counts += np.bincount(index + 1, weights=upper_share, minlength=length)
        scores[i] = float(np.dot(counts, counts))
    return scores


def estimate_skew(grey: np.ndarray, region: np.ndarray | None = None) -> float:
    """Skew of the text lines in degrees, counter-clockwise positive, from a grey image of about
    100 dpi; `region` (bool) limits the ink to the paper. 0.0 when there is too little text.
    Coarse search in 0.5° steps, then 0.05° steps around the best, then a parabola's peak."""
    threshold, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = grey < min(threshold, 200)
    if region is not None:
        ink &= region
    ys, xs = np.nonzero(ink)
    if len(ys) < MIN_INK_PIXELS:
        return 0.0
    ys32, xs32 = ys.astype(np.float32), xs.astype(np.float32)
    coarse = np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 0.25, 0.5)
    best = float(coarse[int(np.argmax(_projection_scores(ys32, xs32, coarse)))])
    if abs(best) >= MAX_SKEW_DEG:
        return 0.0  # a peak at the edge of the search is a picture, not tilted lines of text
    step = 0.05
    fine = best + np.arange(-10, 11) * step
    scores = _projection_scores(ys32, xs32, fine)
    peak = int(np.argmax(scores))
    angle = float(fine[peak])
    if 0 < peak < len(fine) - 1:
        left, middle, right = scores[peak - 1], scores[peak], scores[peak + 1]
        curvature = left - 2 * middle + right
        if curvature < 0:
            angle += step * 0.5 * (left - right) / curvature
    return angle


def _grey_level_at(histogram: np.ndarray, share: float) -> int:
    return int(np.searchsorted(np.cumsum(histogram), share * histogram.sum()))


def find_paper(grey: np.ndarray) -> np.ndarray | None:
    """Mask (uint8 0/1) of the sheet on a reduced grey image, or None when no darker scanner bed
    shows around it (the sheet fills the frame, or the lid and the paper are alike)."""
    height, width = grey.shape
    band = max(2, min(height, width) // 100)
    ring = np.concatenate(
        (
            grey[:band].ravel(),
            grey[-band:].ravel(),
            grey[:, :band].ravel(),
            grey[:, -band:].ravel(),
        )
    )
    paper_level = _grey_level_at(np.bincount(grey.ravel(), minlength=256), 0.9)
    dark = ring < paper_level - BED_CONTRAST
    if dark.mean() < 0.25:
        return None
    threshold = (float(np.median(ring[dark])) + paper_level) / 2
    bright = (grey > threshold).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bright, connectivity=4)
    if count < 2:
        return None
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    if stats[largest, cv2.CC_STAT_AREA] < 0.2 * height * width:
        return None  # no sheet-sized bright area: better not to cut anything
    sheet = (labels == largest).astype(np.uint8)
    outline, _ = cv2.findContours(sheet, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled: np.ndarray = np.zeros_like(sheet)
    cv2.drawContours(filled, outline, -1, 1, thickness=cv2.FILLED)  # text holes belong to it
    return filled


# ---- the full-resolution steps ---------------------------------------------------------------


def _pixels(image: Image.Image, mode: ColourMode) -> np.ndarray:
    """RGB or grey uint8 array in the working mode: colour stays colour only when it is colour."""
    if image.mode == "1":
        return np.asarray(image, dtype=np.uint8) * 255
    if mode == ColourMode.COLOR and image.mode not in ("L", "LA", "I", "I;16", "F"):
        return np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    return np.asarray(image if image.mode == "L" else image.convert("L"))


def _to_grey(pixels: np.ndarray) -> np.ndarray:
    return pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)


def _straighten_and_crop(
    pixels: np.ndarray, dpi: int, *, deskew: bool, crop: bool
) -> tuple[np.ndarray, float]:
    """Turn the page back by its measured skew and cut it to the sheet, in one warp.
    Returns the new pixels and the angle that was corrected (0.0 when none was)."""
    height, width = pixels.shape[:2]
    scale = min(1.0, ANALYSIS_DPI / dpi)
    grey = _to_grey(pixels)
    small = (
        grey
        if scale == 1.0
        else cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    )
    sheet = find_paper(small)
    inset = max(1, round(CROP_INSET_MM / 25.4 * dpi * scale))
    if sheet is not None:
        # The sheet's own edge and its shadow are not text: measure inside it.
        region = cv2.erode(sheet, np.ones((2 * inset + 3,) * 2, np.uint8)).astype(bool)
    else:
        region = np.zeros(small.shape, bool)
        region[inset:-inset, inset:-inset] = True
    angle = estimate_skew(small, region) if deskew else 0.0
    if abs(angle) < SKIP_SKEW_DEG:
        angle = 0.0

    small_h, small_w = small.shape
    turn_small = cv2.getRotationMatrix2D((small_w / 2, small_h / 2), -angle, 1.0)
    left, top, right, bottom = 0, 0, width, height
    if crop and sheet is not None:
        turned = sheet
        if angle:
            turned = cv2.warpAffine(sheet, turn_small, (small_w, small_h), flags=cv2.INTER_NEAREST)
        ys, xs = np.nonzero(turned)
        if len(ys):
            left = max(0, int((xs.min() + inset) / scale))
            top = max(0, int((ys.min() + inset) / scale))
            right = min(width, int((xs.max() + 1 - inset) / scale))
            bottom = min(height, int((ys.max() + 1 - inset) / scale))
            if right - left < width // 4 or bottom - top < height // 4:
                left, top, right, bottom = 0, 0, width, height  # implausible sheet: keep all
    if not angle:
        return pixels[top:bottom, left:right], 0.0
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), -angle, 1.0)
    turn[0, 2] -= left  # warp straight into the crop box: no pixel outside it is computed
    turn[1, 2] -= top
    fill = WHITE if pixels.ndim == 2 else (WHITE, WHITE, WHITE)
    straight = cv2.warpAffine(
        pixels,
        turn,
        (right - left, bottom - top),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=fill,
    )
    return straight, angle


def _quarter_turn(pixels: np.ndarray, rotation: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(pixels, codes[rotation]) if rotation else pixels


def _with_jfif_dpi(jpeg: bytes, dpi: int) -> bytes:
    """Write the resolution into the JFIF header OpenCV leaves at 0: img2pdf sizes pages by it."""
    density = b"\x01" + dpi.to_bytes(2, "big") * 2
    if jpeg[2:4] == b"\xff\xe0" and jpeg[6:11] == b"JFIF\x00":
        return jpeg[:13] + density + jpeg[18:]
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01" + density + b"\x00\x00"
    return jpeg[:2] + app0 + jpeg[2:]


def _encode_jpeg(pixels: np.ndarray, dpi: int, quality: int) -> bytes:
    bgr = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR)
    ok, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("OpenCV could not encode the page as JPEG")
    return _with_jfif_dpi(encoded.tobytes(), dpi)


def _encode_g4(image: Image.Image, dpi: int) -> bytes:
    """Single-strip CCITT G4 TIFF: the only TIFF layout a PDF can take over byte for byte."""
    out = io.BytesIO()
    whole = ((image.width + 7) // 8) * image.height + 1  # Pillow would cut 64 KB strips
    image.save(out, "TIFF", compression="group4", dpi=(dpi, dpi), strip_size=whole)
    return out.getvalue()


def _binarise(grey: np.ndarray) -> Image.Image:
    threshold, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return Image.fromarray(grey > threshold)  # mode "1", white where True


# ---- the public steps ------------------------------------------------------------------------


def process_page(
    raw: RawPage,
    profile: Profile = DEFAULT_PROFILE,
    *,
    deskew: bool = True,
    crop: bool = True,
    rotation: int = 0,
    blank_thresholds: BlankThresholds = DEFAULT_BLANK_THRESHOLDS,
) -> ProcessedPage:
    """Clean up and compress one page. `rotation` is clockwise degrees (0, 90, 180, 270), for a
    page the clerk has turned; the result's `rotation` records it. A page scanned above the
    profile's resolution is brought down to it (never up)."""
    if rotation % 90:
        raise ValueError(f"rotation must be a multiple of 90 degrees, not {rotation}")
    rotation %= 360
    pixels = _pixels(raw.image, profile.mode)
    dpi = raw.dpi
    if dpi > profile.dpi:
        shrink = profile.dpi / dpi
        pixels = cv2.resize(pixels, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
        dpi = profile.dpi
    pixels, angle = _straighten_and_crop(pixels, dpi, deskew=deskew, crop=crop)
    pixels = _quarter_turn(pixels, rotation)
    grey = _to_grey(pixels)
    blank, fraction = is_blank(grey, blank_thresholds)
    if profile.mode == ColourMode.BW:
        data, page_format = _encode_g4(_binarise(grey), dpi), PageFormat.TIFF_G4
    else:
        data, page_format = _encode_jpeg(pixels, dpi, profile.jpeg_quality), PageFormat.JPEG
    height, width = pixels.shape[:2]
    return ProcessedPage(
        data=data,
        format=page_format,
        width_px=width,
        height_px=height,
        dpi=dpi,
        blank=blank,
        ink_fraction=fraction,
        skew_deg=angle,
        rotation=rotation,
    )


def rotate(page: ProcessedPage, quarter_turns: int) -> ProcessedPage:
    """The page turned by `quarter_turns` × 90° clockwise (negative: anticlockwise). JPEG pages are
    re-encoded with their own quantisation tables, so the quality stays what the profile gave;
    G4 pages are lossless."""
    turns = quarter_turns % 4
    if turns == 0:
        return page
    transpose = {
        1: Image.Transpose.ROTATE_270,  # Pillow's angles are anticlockwise
        2: Image.Transpose.ROTATE_180,
        3: Image.Transpose.ROTATE_90,
    }[turns]
    with Image.open(io.BytesIO(page.data)) as source:
        turned = source.transpose(transpose)
        if page.format == PageFormat.TIFF_G4:
            data = _encode_g4(turned, page.dpi)
        else:
            out = io.BytesIO()
            turned.save(
                out,
                "JPEG",
                qtables=source.quantization,  # type: ignore[attr-defined]
                subsampling=JpegImagePlugin.get_sampling(source),
                dpi=(page.dpi, page.dpi),
            )
            data = out.getvalue()
    width, height = (
        (page.height_px, page.width_px) if turns % 2 else (page.width_px, page.height_px)
    )
    return replace(
        page,
        data=data,
        width_px=width,
        height_px=height,
        rotation=(page.rotation + 90 * turns) % 360,
    )


def process_pages(
    raws: Iterable[RawPage],
    profile: Profile = DEFAULT_PROFILE,
    *,
    workers: int = 2,
    deskew: bool = True,
    crop: bool = True,
    blank_thresholds: BlankThresholds = DEFAULT_BLANK_THRESHOLDS,
) -> list[ProcessedPage]:
    """`process_page` over a batch, in order, on `workers` threads (OpenCV and the encoders
    release the GIL, so threads use both cores without copying pages between processes)."""

    def one(raw: RawPage) -> ProcessedPage:
        return process_page(
            raw, profile, deskew=deskew, crop=crop, blank_thresholds=blank_thresholds
        )

    if workers <= 1:
        return [one(raw) for raw in raws]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="page") as pool:
        return list(pool.map(one, raws))
