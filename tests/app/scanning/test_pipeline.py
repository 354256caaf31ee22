"""The page pipeline on synthetic scans: skew, bed, blanks, rotation and compression."""

from __future__ import annotations

import io
import unicodedata
from functools import cache
from typing import Any

import img2pdf
import numpy as np
import pypdfium2
import pytest
from PIL import Image, TiffImagePlugin

from app.scanning.blank import BlankThresholds, ink_fraction, is_blank
from app.scanning.model import ColourMode, PageFormat, ProcessedPage, RawPage, ScanSettings
from app.scanning.pipeline import (
    PROFILES,
    Profile,
    process_page,
    process_pages,
    profile_for,
    rotate,
)
from tests.app.scanning.sample_pages import (
    PAPER_MM,
    mark_angle,
    mark_centres,
    mm_to_px,
    render_blank_page,
    render_text_page,
)

DPI = 150
COLOR_150 = Profile("color-150", "Màu, 150 dpi", ColourMode.COLOR, DPI, 75)
GRAY_150 = Profile("gray-150", "Xám, 150 dpi", ColourMode.GRAY, DPI, 75)
BW_150 = Profile("bw-150", "Đen trắng, 150 dpi", ColourMode.BW, DPI)
A4_PX = (mm_to_px(PAPER_MM["A4"][0], DPI), mm_to_px(PAPER_MM["A4"][1], DPI))


@cache
def skewed_scan(skew_deg: float, bed_mm: float = 8.0) -> Image.Image:
    return render_text_page(
        dpi=DPI, skew_deg=skew_deg, noise=8, specks=40, bed_mm=bed_mm, seal=True, with_marks=True
    )


@cache
def processed(skew_deg: float, bed_mm: float = 8.0) -> ProcessedPage:
    return process_page(RawPage(skewed_scan(skew_deg, bed_mm), DPI, 1), COLOR_150)


def opened(page: ProcessedPage) -> Any:
    """The page's image as Pillow reads it (a JpegImageFile or TiffImageFile, hence Any)."""
    image = Image.open(io.BytesIO(page.data))
    image.load()
    return image


# ---- deskew ----------------------------------------------------------------------------------


@pytest.mark.parametrize("skew", [2.5, -3.7, 1.2])
def test_skew_of_a_few_degrees_is_corrected_to_within_a_fifth_of_a_degree(skew: float) -> None:
    assert abs(mark_angle(skewed_scan(skew), DPI) - skew) < 0.05  # the input really is skewed
    page = processed(skew)
    assert abs(mark_angle(opened(page), DPI)) < 0.2
    assert page.skew_deg == pytest.approx(skew, abs=0.2)


def test_300_dpi_colour_page_is_straightened_and_keeps_its_resolution() -> None:
    scan = render_text_page(dpi=300, skew_deg=-1.8, noise=8, specks=40, bed_mm=6, with_marks=True)
    page = process_page(RawPage(scan, 300, 1), PROFILES["color-300"])
    out = opened(page)
    assert abs(mark_angle(out, 300)) < 0.2
    assert page.dpi == 300 and out.info["dpi"] == pytest.approx((300, 300))
    assert page.format == PageFormat.JPEG and out.mode == "RGB"


def test_a_straight_page_without_bed_is_left_untouched_in_size_and_angle() -> None:
    page = processed(0.0, bed_mm=0.0)
    assert page.skew_deg == 0.0
    assert (page.width_px, page.height_px) == A4_PX
    assert abs(mark_angle(opened(page), DPI)) < 0.05


def test_deskew_off_keeps_the_skew() -> None:
    page = process_page(RawPage(skewed_scan(2.5), DPI, 1), COLOR_150, deskew=False)
    assert page.skew_deg == 0.0
    assert mark_angle(opened(page), DPI) == pytest.approx(2.5, abs=0.1)


# ---- the scanner bed -------------------------------------------------------------------------


def _edge_means(image: Image.Image) -> list[float]:
    grey = np.asarray(image.convert("L"), dtype=np.float64)
    return [grey[:2].mean(), grey[-2:].mean(), grey[:, :2].mean(), grey[:, -2:].mean()]


@pytest.mark.parametrize("skew", [0.0, 2.5, -3.7])
def test_dark_bed_around_the_sheet_is_cropped_and_the_sheet_kept(skew: float) -> None:
    scan = skewed_scan(skew)
    assert min(_edge_means(scan)) < 100  # the bed shows all round the input
    page = processed(skew)
    out = opened(page)
    assert min(_edge_means(out)) > 200  # no bed left on any side
    # The whole sheet is kept, less at most its edge shadow (about a millimetre).
    assert A4_PX[0] - 15 <= page.width_px <= A4_PX[0] + 2
    assert A4_PX[1] - 15 <= page.height_px <= A4_PX[1] + 2
    assert len(mark_centres(out, DPI)) == 2


def test_crop_off_keeps_the_bed() -> None:
    page = process_page(RawPage(skewed_scan(0.0), DPI, 1), COLOR_150, crop=False)
    assert page.width_px == skewed_scan(0.0).width
    assert min(_edge_means(opened(page))) < 100


def test_a_light_lid_is_not_mistaken_for_a_bed() -> None:
    scan = render_text_page(dpi=DPI, noise=8, bed_mm=8, bed_shade=235)
    page = process_page(RawPage(scan, DPI, 1), COLOR_150)
    assert (page.width_px, page.height_px) == scan.size


# ---- blank pages -----------------------------------------------------------------------------


@cache
def noisy_blank() -> Image.Image:
    return render_blank_page(dpi=DPI, noise=12, specks=150, bed_mm=8, seed=3)


@cache
def one_short_line() -> Image.Image:
    return render_text_page(["Trang 2"], dpi=DPI, noise=12, specks=150, bed_mm=8, seed=3)


def test_an_empty_sheet_with_scanner_noise_and_dust_is_flagged_blank() -> None:
    page = process_page(RawPage(noisy_blank(), DPI, 1), COLOR_150)
    assert page.blank
    assert page.ink_fraction < 0.0001


def test_a_page_with_one_short_line_is_not_blank() -> None:
    page = process_page(RawPage(one_short_line(), DPI, 1), COLOR_150)
    assert not page.blank
    assert page.ink_fraction > 0.0001


def test_a_full_text_page_is_not_blank() -> None:
    assert not processed(2.5).blank
    assert processed(2.5).ink_fraction > 0.01


def test_dust_would_count_as_ink_without_the_despeckle_step() -> None:
    plain = BlankThresholds(despeckle=False, coverage_threshold=0.00001)
    assert not is_blank(noisy_blank().crop((100, 100, 1100, 1600)), plain)[0]
    assert is_blank(noisy_blank().crop((100, 100, 1100, 1600)))[0]


def test_blank_thresholds_are_configurable() -> None:
    line = process_page(RawPage(one_short_line(), DPI, 1), COLOR_150).ink_fraction
    strict = BlankThresholds(coverage_threshold=line * 2)
    assert process_page(RawPage(one_short_line(), DPI, 1), COLOR_150, blank_thresholds=strict).blank
    # The text is drawn at grey 25: ink below 30 still sees it, ink below 20 does not.
    clean_line = render_text_page(["Trang 2"], dpi=DPI)
    assert ink_fraction(clean_line, BlankThresholds(brightness_threshold=30)) > 0.00001
    assert ink_fraction(clean_line, BlankThresholds(brightness_threshold=20)) == 0.0


def test_marks_in_the_margin_band_do_not_make_a_page_non_blank() -> None:
    sheet = np.full((1000, 700), 245, np.uint8)
    sheet[:15, :] = 0  # a dark edge along the top, inside the 2 % band
    sheet[:, -10:] = 0
    blank, fraction = is_blank(sheet)
    assert blank and fraction == 0.0
    sheet[500:520, 300:400] = 0  # the same ink in the middle counts
    assert not is_blank(sheet)[0]


def test_black_and_white_input_is_judged_too() -> None:
    assert is_blank(render_blank_page(dpi=DPI, mode="1"))[0]
    assert not is_blank(render_text_page(dpi=DPI, mode="1"))[0]


# ---- rotation --------------------------------------------------------------------------------


def test_rotation_by_90_degrees_swaps_the_dimensions_and_turns_clockwise() -> None:
    upright = processed(0.0, bed_mm=0.0)
    turned = process_page(RawPage(skewed_scan(0.0, 0.0), DPI, 1), COLOR_150, rotation=90)
    assert (turned.width_px, turned.height_px) == (upright.height_px, upright.width_px)
    assert turned.rotation == 90
    image = opened(turned)
    assert image.size == (turned.width_px, turned.height_px)
    # Clockwise: the marks along the top edge are now down the right-hand edge.
    (x1, y1), (x2, y2) = sorted(mark_centres(image, DPI), key=lambda c: c[1])
    assert x1 > image.width * 0.9 and x2 > image.width * 0.9 and y2 - y1 > image.height * 0.5


def test_rotate_turns_a_processed_jpeg_page_and_keeps_its_quality() -> None:
    page = processed(0.0, bed_mm=0.0)
    quarter = rotate(page, 1)
    assert (quarter.width_px, quarter.height_px) == (page.height_px, page.width_px)
    assert quarter.rotation == 90 and opened(quarter).size == (page.height_px, page.width_px)
    assert opened(quarter).quantization == opened(page).quantization
    assert opened(quarter).info["dpi"] == pytest.approx((DPI, DPI))
    back = rotate(quarter, -1)
    assert back.rotation == 0 and (back.width_px, back.height_px) == (page.width_px, page.height_px)
    assert rotate(page, 4) is page
    half = rotate(page, 2)
    assert half.rotation == 180 and (half.width_px, half.height_px) == (
        page.width_px,
        page.height_px,
    )


def test_rotate_turns_a_black_and_white_page_losslessly() -> None:
    page = process_page(RawPage(skewed_scan(0.0, 0.0), DPI, 1), BW_150)
    turned = rotate(page, 3)
    assert turned.rotation == 270 and turned.format == PageFormat.TIFF_G4
    before = np.asarray(opened(page))
    after = np.asarray(opened(turned))
    assert np.array_equal(np.rot90(before, 1), after)  # 270° clockwise = 90° anticlockwise


def test_rotation_must_be_a_quarter_turn() -> None:
    with pytest.raises(ValueError):
        process_page(RawPage(skewed_scan(0.0, 0.0), DPI, 1), COLOR_150, rotation=45)


# ---- compression -----------------------------------------------------------------------------


def test_black_and_white_pages_are_single_strip_g4_tiffs_that_img2pdf_embeds_as_they_are() -> None:
    page = process_page(RawPage(skewed_scan(2.5), DPI, 1), BW_150)
    assert page.format == PageFormat.TIFF_G4
    image = opened(page)
    assert isinstance(image, TiffImagePlugin.TiffImageFile)
    assert image.mode == "1" and image.info["compression"] == "group4"
    assert len(image.tag_v2[TiffImagePlugin.STRIPOFFSETS]) == 1
    assert image.info["dpi"] == pytest.approx((DPI, DPI))
    assert abs(mark_angle(image.convert("L"), DPI)) < 0.2
    black = 1 - np.asarray(image).mean()
    assert 0.005 < black < 0.1  # text, not a black or an empty page
    pdf = img2pdf.convert(page.data)
    assert b"/CCITTFaxDecode" in pdf
    assert len(page.data) < 60_000  # G4 of a text page is small: the data went in unconverted
    rendered = pypdfium2.PdfDocument(pdf)[0].render(scale=0.5).to_pil().convert("L")
    assert np.asarray(rendered).mean() > 200  # white paper, black text: polarity kept


def test_jpeg_pages_carry_their_resolution_so_the_pdf_page_is_a4() -> None:
    page = processed(0.0, bed_mm=0.0)
    pdf = pypdfium2.PdfDocument(img2pdf.convert(page.data))
    width_pt, height_pt = pdf[0].get_size()
    assert width_pt == pytest.approx(210 / 25.4 * 72, abs=1.5)
    assert height_pt == pytest.approx(297 / 25.4 * 72, abs=1.5)


def test_jpeg_quality_of_the_profile_is_respected() -> None:
    raw = RawPage(skewed_scan(0.0, 0.0), DPI, 1)
    good = process_page(raw, COLOR_150)
    rough = process_page(raw, Profile("x", "Thử", ColourMode.COLOR, DPI, 30))
    assert len(rough.data) < len(good.data) * 0.8
    assert opened(rough).quantization != opened(good).quantization


def test_colour_profile_keeps_the_red_seal_and_grey_profile_makes_one_channel() -> None:
    colour = opened(processed(0.0, bed_mm=0.0))
    pixels = np.asarray(colour, dtype=np.int16)
    reddish = (pixels[:, :, 0] - pixels[:, :, 1] > 80).sum()
    assert reddish > 1000
    grey = process_page(RawPage(skewed_scan(0.0, 0.0), DPI, 1), GRAY_150)
    assert opened(grey).mode == "L" and len(grey.data) < len(processed(0.0, bed_mm=0.0).data)


def test_a_page_scanned_above_the_profile_resolution_is_brought_down_to_it() -> None:
    scan = render_text_page(dpi=300, bed_mm=0, noise=4)
    page = process_page(RawPage(scan, 300, 1), PROFILES["gray-200"])
    assert page.dpi == 200
    assert page.width_px == pytest.approx(scan.width * 2 / 3, abs=2)
    assert opened(page).info["dpi"] == pytest.approx((200, 200))


def test_grey_and_bilevel_inputs_go_through_a_colour_profile() -> None:
    for mode in ("L", "1"):
        scan = render_text_page(dpi=DPI, skew_deg=2.0, mode=mode, with_marks=True)
        page = process_page(RawPage(scan, DPI, 1), COLOR_150)
        assert page.format == PageFormat.JPEG and opened(page).mode == "L"
        assert abs(mark_angle(opened(page), DPI)) < 0.2


# ---- profiles and batches --------------------------------------------------------------------


def test_profiles_have_vietnamese_labels_and_sensible_settings() -> None:
    assert {"color-200", "color-300", "gray-200", "bw-300"} <= PROFILES.keys()
    assert PROFILES["color-200"].dpi == 200 and PROFILES["color-200"].mode == ColourMode.COLOR
    for profile in PROFILES.values():
        assert unicodedata.is_normalized("NFC", profile.label)
        assert profile.name == f"{profile.mode.value}-{profile.dpi}"
    assert "Màu" in PROFILES["color-200"].label and "Đen trắng" in PROFILES["bw-300"].label


def test_profile_for_settings_finds_the_named_one_or_makes_one() -> None:
    assert profile_for(ScanSettings()) is PROFILES["color-200"]
    assert profile_for(ScanSettings(mode=ColourMode.BW, dpi=300)) is PROFILES["bw-300"]
    custom = profile_for(ScanSettings(mode=ColourMode.GRAY, dpi=150))
    assert (custom.mode, custom.dpi, custom.label) == (ColourMode.GRAY, 150, "Xám, 150 dpi")


def test_process_pages_on_two_threads_gives_the_same_pages_in_order() -> None:
    raws = [
        RawPage(skewed_scan(2.5), DPI, 1),
        RawPage(noisy_blank(), DPI, 2),
        RawPage(skewed_scan(-3.7), DPI, 3),
    ]
    parallel = process_pages(raws, COLOR_150, workers=2)
    sequential = process_pages(raws, COLOR_150, workers=1)
    assert [p.blank for p in parallel] == [False, True, False]
    assert [p.data for p in parallel] == [p.data for p in sequential]


def test_skew_beyond_the_search_range_is_left_alone_rather_than_guessed() -> None:
    scan = render_text_page(dpi=DPI, skew_deg=12.0, bed_mm=20, with_marks=True)
    page = process_page(RawPage(scan, DPI, 1), COLOR_150)
    assert page.skew_deg == 0.0
    assert mark_angle(opened(page), DPI) == pytest.approx(12.0, abs=0.1)
