"""Synthetic scanned pages for the digitisation tests and benchmarks.

A page is drawn the way a scanner would see it: Vietnamese text on slightly off-white paper, the
paper turned by `skew_deg` on the scanner bed, an optional dark bed band around it (`bed_mm`),
Gaussian sensor noise and dust specks. Everything is seeded, so a test sees the same pixels on
every run. Two small black squares (`with_marks=True`) sit at known places on the paper, level
with each other, so a test can measure the skew left on an output without trusting the code under
test.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from resources import resource_path

FONT_PATH = resource_path("fonts", "LiberationSerif-Regular.ttf")
PAPER_MM = {"A4": (210.0, 297.0), "A5": (148.0, 210.0)}
PAPER_SHADE = 246  # real paper scans a little below pure white
INK_SHADE = 25
MARK_MM = 6.0  # side of the two reference squares
MARK_TOP_MM = 12.0  # their distance from the top edge of the paper
MARK_SIDE_MM = 18.0  # from the left and right edges

SAMPLE_LINES: tuple[str, ...] = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "",
    "TỜ KHAI ĐĂNG KÝ KHAI SINH",
    "",
    "Kính gửi: Ủy ban nhân dân phường Tô Hiệu, tỉnh Sơn La.",
    "Họ, chữ đệm, tên người yêu cầu: Nguyễn Thị Phương Thảo",
    "Nơi cư trú: Số 12, tổ 3, phường Tô Hiệu, tỉnh Sơn La",
    "Giấy tờ tùy thân: Căn cước số 001190012345, cấp ngày 12/05/2021",
    "Quan hệ với người được khai sinh: mẹ đẻ",
    "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:",
    "Họ, chữ đệm, tên: Nguyễn Minh Khôi; giới tính: Nam; dân tộc: Kinh",
    "Ngày, tháng, năm sinh: 03/11/2026, ghi bằng chữ: ngày ba tháng mười một",
    "năm hai nghìn không trăm hai mươi sáu; nơi sinh: Bệnh viện Đa khoa tỉnh.",
    "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật,",
    "được sự thỏa thuận nhất trí của các bên liên quan theo quy định pháp luật.",
    "Tôi chịu hoàn toàn trách nhiệm trước pháp luật về nội dung cam đoan của mình.",
    "",
    "Làm tại: Sơn La, ngày 23 tháng 11 năm 2026",
    "Người yêu cầu (ký, ghi rõ họ, chữ đệm, tên)",
)


def mm_to_px(mm: float, dpi: int) -> int:
    return round(mm * dpi / 25.4)


def _font(points: float, dpi: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size=max(1, round(points * dpi / 72)))


def _paper(paper: str, dpi: int) -> Image.Image:
    width_mm, height_mm = PAPER_MM[paper]
    size = (mm_to_px(width_mm, dpi), mm_to_px(height_mm, dpi))
    return Image.new("L", size, PAPER_SHADE)


def _draw_marks(draw: ImageDraw.ImageDraw, width: int, dpi: int) -> None:
    side = mm_to_px(MARK_MM, dpi)
    top = mm_to_px(MARK_TOP_MM, dpi)
    for left in (mm_to_px(MARK_SIDE_MM, dpi), width - mm_to_px(MARK_SIDE_MM, dpi) - side):
        draw.rectangle((left, top, left + side - 1, top + side - 1), fill=0)


def _on_bed(
    paper: Image.Image,
    dpi: int,
    skew_deg: float,
    bed_mm: float,
    bed_shade: int,
    lid_shade: int = 250,
) -> Image.Image:
    """Turn the paper by `skew_deg` (counter-clockwise as seen) and lay it on the scanner bed."""
    turned = paper.rotate(skew_deg, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=0)
    shape = Image.new("L", paper.size, 255).rotate(
        skew_deg, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=0
    )
    margin = mm_to_px(bed_mm, dpi)
    if margin == 0:
        # No bed band: the scan window is the paper; corners the paper left show the white lid.
        bed = Image.new("L", paper.size, lid_shade)
    else:
        bed = Image.new("L", (paper.width + 2 * margin, paper.height + 2 * margin), bed_shade)
    bed.paste(
        turned,
        ((bed.width - turned.width) // 2, (bed.height - turned.height) // 2),
        shape,
    )
    return bed


def _add_noise(grey: Image.Image, noise: float, specks: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pixels = np.asarray(grey, dtype=np.float32)
    if noise > 0:
        pixels = pixels + rng.normal(0.0, noise, pixels.shape).astype(np.float32)
    height, width = pixels.shape
    for _ in range(specks):  # dust: dark dots of 1-2 pixels, anywhere
        y, x = int(rng.integers(0, height - 2)), int(rng.integers(0, width - 2))
        size = int(rng.integers(1, 3))
        pixels[y : y + size, x : x + size] = rng.uniform(40, 140)
    return np.clip(pixels, 0, 255).astype(np.uint8)


def _finish(
    paper: Image.Image,
    colour_layer: Image.Image | None,
    *,
    dpi: int,
    skew_deg: float,
    noise: float,
    specks: int,
    bed_mm: float,
    bed_shade: int,
    mode: Literal["RGB", "L", "1"],
    seed: int,
) -> Image.Image:
    grey = _on_bed(paper, dpi, skew_deg, bed_mm, bed_shade)
    pixels = _add_noise(grey, noise, specks, seed)
    if mode == "L":
        return Image.fromarray(pixels, "L")
    if mode == "1":
        return Image.fromarray(pixels > 128)
    rgb = np.repeat(pixels[:, :, None], 3, axis=2)
    if colour_layer is not None:
        # The seal is red: it lowers green and blue where it was drawn, red stays.
        seal = np.asarray(_on_bed(colour_layer, dpi, skew_deg, bed_mm, 0, 0), dtype=np.uint16)
        rgb[:, :, 1] = (rgb[:, :, 1].astype(np.uint16) * (255 - seal) // 255).astype(np.uint8)
        rgb[:, :, 2] = (rgb[:, :, 2].astype(np.uint16) * (255 - seal) // 255).astype(np.uint8)
    return Image.fromarray(rgb, "RGB")


def render_text_page(
    lines: tuple[str, ...] | list[str] = SAMPLE_LINES,
    *,
    dpi: int = 150,
    skew_deg: float = 0.0,
    noise: float = 0.0,
    specks: int = 0,
    mode: Literal["RGB", "L", "1"] = "RGB",
    paper: str = "A4",
    bed_mm: float = 0.0,
    bed_shade: int = 60,
    font_pt: float = 12.0,
    top_mm: float = 30.0,
    seal: bool = False,
    with_marks: bool = False,
    seed: int = 0,
) -> Image.Image:
    """A text page as a scanner delivers it. `skew_deg` > 0 turns the paper counter-clockwise;
    `bed_mm` > 0 surrounds it with a scanner-bed band of grey level `bed_shade`; `seal` adds a red
    round stamp (colour mode only); `with_marks` adds the two reference squares."""
    page = _paper(paper, dpi)
    draw = ImageDraw.Draw(page)
    font = _font(font_pt, dpi)
    left = mm_to_px(25, dpi)
    y = mm_to_px(top_mm, dpi)
    step = round(font_pt * 1.5 * dpi / 72)
    for line in lines:
        if line:
            draw.text((left, y), line, font=font, fill=INK_SHADE)
        y += step
    if with_marks:
        _draw_marks(draw, page.width, dpi)
    colour_layer = None
    if seal:
        colour_layer = Image.new("L", page.size, 0)
        stamp = ImageDraw.Draw(colour_layer)
        centre_x, centre_y, radius = page.width * 0.7, y + mm_to_px(15, dpi), mm_to_px(16, dpi)
        box = (centre_x - radius, centre_y - radius, centre_x + radius, centre_y + radius)
        stamp.ellipse(box, outline=190, width=max(2, mm_to_px(1, dpi)))
        stamp.text((centre_x, centre_y), "ỦY BAN", font=_font(9, dpi), fill=190, anchor="mm")
    return _finish(
        page,
        colour_layer,
        dpi=dpi,
        skew_deg=skew_deg,
        noise=noise,
        specks=specks,
        bed_mm=bed_mm,
        bed_shade=bed_shade,
        mode=mode,
        seed=seed,
    )


def render_blank_page(
    *,
    dpi: int = 150,
    skew_deg: float = 0.0,
    noise: float = 0.0,
    specks: int = 0,
    mode: Literal["RGB", "L", "1"] = "RGB",
    paper: str = "A4",
    bed_mm: float = 0.0,
    bed_shade: int = 60,
    seed: int = 0,
) -> Image.Image:
    """An empty sheet as a scanner delivers it: only paper, noise and dust."""
    return _finish(
        _paper(paper, dpi),
        None,
        dpi=dpi,
        skew_deg=skew_deg,
        noise=noise,
        specks=specks,
        bed_mm=bed_mm,
        bed_shade=bed_shade,
        mode=mode,
        seed=seed,
    )


def mark_centres(image: Image.Image, dpi: int) -> list[tuple[float, float]]:
    """Centres (x, y) of the two reference squares found on a page, left one first: dark, solid,
    square blobs of about MARK_MM a side. Text, dust and the seal do not qualify."""
    import cv2  # the tests' own measuring tool, independent of the code under test

    grey = np.asarray(image.convert("L"))
    dark = (grey < 100).astype(np.uint8)
    count, _, stats, centres = cv2.connectedComponentsWithStats(dark, connectivity=8)
    side = MARK_MM * dpi / 25.4
    found = []
    for label in range(1, count):
        width, height = stats[label, cv2.CC_STAT_WIDTH], stats[label, cv2.CC_STAT_HEIGHT]
        area = stats[label, cv2.CC_STAT_AREA]
        squarish = 0.7 * side < min(width, height) and max(width, height) < 1.4 * side
        if squarish and area > 0.6 * width * height:
            found.append((float(centres[label][0]), float(centres[label][1])))
    return sorted(found)


def mark_angle(image: Image.Image, dpi: int) -> float:
    """Skew of the page measured on its two reference squares, degrees, counter-clockwise
    positive (the convention of `skew_deg`)."""
    marks = mark_centres(image, dpi)
    if len(marks) != 2:
        raise AssertionError(f"expected 2 reference squares, found {len(marks)}")
    (x1, y1), (x2, y2) = marks
    return float(np.degrees(np.arctan2(y1 - y2, x2 - x1)))
