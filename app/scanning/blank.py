"""Blank-page detection, the way NAPS2 does it: count the "ink" and compare it with a threshold.

A pixel is ink when its brightness (ITU-R 601 luma, 0–255) is below `brightness_threshold`; a page
is blank when the share of ink pixels, counted inside the page less a `margin` band on every side
(scanner edges and punched holes live there), is below `coverage_threshold`. NAPS2's defaults are
brightness 179 (its "70 %") and coverage 0.15 %; the coverage default here is lower (0.01 %)
because one short line of 12 pt text covers only about 0.02–0.05 % of an A4 page and must count.
Unlike NAPS2, a 3×3 median filter runs first: it erases dust and sensor noise of one or two pixels
but keeps strokes, so a noisy empty sheet still counts as blank. The result is only a flag: the
clerk confirms before a page is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

NAPS2_BRIGHTNESS_THRESHOLD = 179  # NAPS2 "white threshold" 70 on its 0–100 scale


@dataclass(frozen=True)
class BlankThresholds:
    brightness_threshold: int = NAPS2_BRIGHTNESS_THRESHOLD  # darker than this is ink
    coverage_threshold: float = 0.0001  # blank when the ink share is below this
    margin: float = 0.02  # share of width/height ignored on every side
    despeckle: bool = True  # 3×3 median before counting: dust is not ink


DEFAULT_BLANK_THRESHOLDS = BlankThresholds()


def _grey_pixels(image: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(image, np.ndarray):
        if image.ndim == 2:
            return image if image.dtype == np.uint8 else (image > 0).astype(np.uint8) * 255
        # NumPy images in this package are RGB, as they come from Pillow.
        return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    if image.mode == "1":
        return np.asarray(image, dtype=np.uint8) * 255
    return np.asarray(image if image.mode == "L" else image.convert("L"))


def ink_fraction(
    image: Image.Image | np.ndarray, thresholds: BlankThresholds = DEFAULT_BLANK_THRESHOLDS
) -> float:
    """Share of ink pixels inside the margins (0.0–1.0)."""
    grey = _grey_pixels(image)
    height, width = grey.shape
    top, side = int(height * thresholds.margin), int(width * thresholds.margin)
    inner = grey[top : height - top, side : width - side]
    if inner.size == 0:
        return 0.0
    if thresholds.despeckle:
        inner = cv2.medianBlur(np.ascontiguousarray(inner), 3)
    ink = int(np.count_nonzero(inner < thresholds.brightness_threshold))
    return ink / inner.size


def is_blank(
    image: Image.Image | np.ndarray, thresholds: BlankThresholds = DEFAULT_BLANK_THRESHOLDS
) -> tuple[bool, float]:
    """(blank?, ink fraction) for a page image (Pillow image or an RGB/grey NumPy array)."""
    fraction = ink_fraction(image, thresholds)
    return fraction < thresholds.coverage_threshold, fraction
