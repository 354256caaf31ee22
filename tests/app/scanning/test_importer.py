"""FileImporter and WatchedFolder with real files: images, multi-page TIFFs, PDFs (pypdfium2),
a password-protected PDF (pikepdf), truncated and mislabelled files, and a folder polled the way
the app polls it."""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw

from app.scanning.importer import (
    MAX_FILE_BYTES,
    MAX_PAGES,
    PROCESSED_DIR,
    REFUSED_DIR,
    FileImporter,
    WatchedFolder,
)
from app.scanning.model import ColourMode, RawPage, ScanError, ScanSettings

SETTINGS = ScanSettings(dpi=100)


def page_image(width: int = 200, height: int = 280, mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, (width, height), "white")
    ImageDraw.Draw(image).rectangle((20, 20, width - 20, 60), fill="black")
    return image


def write_jpeg(path: Path, dpi: int = 150) -> Path:
    page_image().save(path, "JPEG", quality=85, dpi=(dpi, dpi))
    return path


def write_tiff(path: Path, frames: int = 3) -> Path:
    images = [page_image(200 + 10 * i, 280, "L") for i in range(frames)]
    images[0].save(path, "TIFF", save_all=True, append_images=images[1:], compression="raw")
    return path


def write_pdf(path: Path, pages: int = 3) -> Path:
    """A4-proportioned pages of 288 × 403.2 pt (PIL writes 400 × 560 px at 100 dpi)."""
    images = [page_image(400, 560) for _ in range(pages)]
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=100)
    return path


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A valid PNG that claims `width` × `height` (1-bit grey) and holds almost no data: what
    a decompression bomb looks like before anything is decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def truncate(path: Path, keep: float) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def refused(pages: Iterator[RawPage]) -> tuple[list[RawPage], ScanError]:
    taken: list[RawPage] = []
    with pytest.raises(ScanError) as caught:
        for page in pages:
            taken.append(page)
    return taken, caught.value


# --- accepted files ------------------------------------------------------------------------


def test_a_jpeg_keeps_the_resolution_it_declares(tmp_path: Path) -> None:
    path = write_jpeg(tmp_path / "to-khai.jpg", dpi=150)

    pages = list(FileImporter().import_files([path], SETTINGS))

    assert len(pages) == 1
    assert (pages[0].dpi, pages[0].index, pages[0].origin) == (150, 1, "to-khai.jpg")
    assert pages[0].image.mode == "RGB"
    assert pages[0].image.size == (200, 280)


def test_a_photo_declaring_72_dpi_takes_the_chosen_resolution(tmp_path: Path) -> None:
    path = write_jpeg(tmp_path / "anh-chup.jpg", dpi=72)

    pages = list(FileImporter().import_files([path], SETTINGS))

    assert pages[0].dpi == SETTINGS.dpi


def test_every_page_of_a_multi_page_tiff_is_imported(tmp_path: Path) -> None:
    path = write_tiff(tmp_path / "ho-so.tif", frames=3)

    pages = list(FileImporter().import_files([path], SETTINGS))

    assert [p.index for p in pages] == [1, 2, 3]
    assert [p.image.size[0] for p in pages] == [200, 210, 220]
    assert {p.image.mode for p in pages} == {"L"}


def test_pdf_pages_are_rasterised_at_the_requested_resolution(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "ban-sao.pdf", pages=3)

    pages = list(FileImporter().import_files([path], ScanSettings(dpi=150)))

    assert [p.index for p in pages] == [1, 2, 3]
    assert {p.dpi for p in pages} == {150}
    width, height = pages[0].image.size  # 288 × 403.2 pt at 150 dpi, ±1 px of rounding
    assert abs(width - 600) <= 1 and abs(height - 840) <= 1
    assert pages[0].image.mode == "RGB"


def test_grey_scans_of_a_pdf_are_rendered_in_grey(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "ban-sao.pdf", pages=1)

    pages = list(FileImporter().import_files([path], ScanSettings(mode=ColourMode.GRAY, dpi=75)))

    assert pages[0].image.mode == "L"


def test_transparent_png_is_laid_on_white_paper(tmp_path: Path) -> None:
    path = tmp_path / "chu-ky.png"
    Image.new("RGBA", (50, 50), (255, 0, 0, 0)).save(path)

    pages = list(FileImporter().import_files([path], SETTINGS))

    assert pages[0].image.mode == "RGB"
    assert pages[0].image.getpixel((10, 10)) == (255, 255, 255)


def test_the_real_type_counts_not_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "giay-to.pdf"  # a PNG under a PDF name
    page_image().save(path, "PNG")

    pages = list(FileImporter().import_files([path], SETTINGS))

    assert len(pages) == 1


def test_several_files_are_numbered_as_one_batch(tmp_path: Path) -> None:
    files = [write_jpeg(tmp_path / "a.jpg"), write_tiff(tmp_path / "b.tif", frames=3)]

    pages = list(FileImporter().import_files(files, SETTINGS))

    assert [p.index for p in pages] == [1, 2, 3, 4]
    assert [p.origin for p in pages] == ["a.jpg", "b.tif", "b.tif", "b.tif"]


def test_a_file_device_lists_and_scans_its_file(tmp_path: Path) -> None:
    importer = FileImporter([write_jpeg(tmp_path / "a.jpg")])

    (device,) = importer.devices()
    pages = list(importer.scan(device.id, SETTINGS))

    assert (device.backend, device.name) == ("import", "a.jpg")
    assert len(pages) == 1


# --- refused files: nothing is yielded, not even the pages of a good file before it ---------


def test_limits_have_the_documented_defaults() -> None:
    assert (MAX_FILE_BYTES, MAX_PAGES) == (200 * 1024 * 1024, 500)


def test_a_zero_byte_file_is_refused(tmp_path: Path) -> None:
    good = write_jpeg(tmp_path / "a.jpg")
    empty = tmp_path / "b.jpg"
    empty.write_bytes(b"")

    pages, error = refused(FileImporter().import_files([good, empty], SETTINGS))

    assert pages == []
    assert error.code == "scan.file_empty"
    assert "«b.jpg» trống" in error.message


@pytest.mark.parametrize(
    "make",
    [
        lambda d: truncate(write_jpeg(d / "x.jpg"), 0.5),
        lambda d: truncate(write_tiff(d / "x.tif", frames=3), 0.9),  # only the last page is cut
        lambda d: truncate(write_pdf(d / "x.pdf"), 0.6),
    ],
    ids=["jpeg", "tiff-last-page", "pdf"],
)
def test_a_truncated_file_is_refused_as_corrupt(
    tmp_path: Path, make: Callable[[Path], Path]
) -> None:
    good = write_jpeg(tmp_path / "a.jpg")

    pages, error = refused(FileImporter().import_files([good, make(tmp_path)], SETTINGS))

    assert pages == []
    assert error.code == "scan.file_corrupt"
    assert "bị hỏng hoặc chưa đầy đủ" in error.message


def test_a_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    plain = write_pdf(tmp_path / "plain.pdf", pages=1)
    locked = tmp_path / "khoa.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="1234", owner="5678"))

    pages, error = refused(FileImporter().import_files([locked], SETTINGS))

    assert pages == []
    assert error.code == "scan.file_encrypted"
    assert "mật khẩu" in error.message


def test_a_file_over_the_byte_limit_is_refused(tmp_path: Path) -> None:
    path = write_jpeg(tmp_path / "a.jpg")

    pages, error = refused(FileImporter(max_bytes=1000).import_files([path], SETTINGS))

    assert pages == []
    assert error.code == "scan.file_too_large"
    assert "quá lớn" in error.message


@pytest.mark.parametrize("make", [write_pdf, write_tiff], ids=["pdf", "tiff"])
def test_a_file_over_the_page_limit_is_refused(
    tmp_path: Path, make: Callable[[Path, int], Path]
) -> None:
    path = make(tmp_path / "many", 3)

    pages, error = refused(FileImporter(max_pages=2).import_files([path], SETTINGS))

    assert pages == []
    assert error.code == "scan.file_too_large"
    assert "có 3 trang, quá giới hạn 2 trang" in error.message


def test_files_together_over_the_page_limit_are_refused(tmp_path: Path) -> None:
    files = [write_pdf(tmp_path / "a.pdf", 2), write_pdf(tmp_path / "b.pdf", 2)]

    pages, error = refused(FileImporter(max_pages=3).import_files(files, SETTINGS))

    assert pages == []
    assert error.code == "scan.file_too_large"


@pytest.mark.parametrize(
    "side",
    [12_000, 20_000],  # 144 Mpx: over our limit; 400 Mpx: PIL's own bomb guard trips first
)
def test_an_image_with_too_many_pixels_is_refused_before_decoding(
    tmp_path: Path, side: int
) -> None:
    path = png_header_only(tmp_path / "bomb.png", side, side)

    pages, error = refused(FileImporter().import_files([path], SETTINGS))

    assert pages == []
    assert error.code == "scan.file_too_large"


def test_a_pdf_page_too_big_at_the_requested_resolution_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ban-ve.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(14_400, 14_400))  # 200 × 200 inches, the PDF maximum
        pdf.save(path)

    pages, error = refused(FileImporter().import_files([path], SETTINGS))

    assert pages == []
    assert error.code == "scan.file_too_large"
    assert "20000 × 20000 điểm ảnh" in error.message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("giay-to.pdf", b"PK\x03\x04" + b"\0" * 100),  # a .docx/.zip named .pdf
        ("anh.jpg", "Đây là văn bản, không phải ảnh".encode()),
        ("anh.bmp", b"BM" + b"\0" * 100),  # a real image type we do not take
    ],
)
def test_an_unsupported_type_is_refused_by_its_content(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    pages, error = refused(FileImporter().import_files([path], SETTINGS))

    assert pages == []
    assert error.code == "scan.file_type"
    assert "không phải ảnh (JPEG, PNG, TIFF) hay PDF" in error.message


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    pages, error = refused(FileImporter().import_files([tmp_path / "khong-co.pdf"], SETTINGS))

    assert pages == []
    assert error.code == "scan.file_missing"


# --- the watched folder ----------------------------------------------------------------------


def test_a_new_file_is_ready_only_once_it_was_the_same_at_two_polls(tmp_path: Path) -> None:
    folder = WatchedFolder(tmp_path)
    write_jpeg(tmp_path / "a.jpg")

    first = folder.poll()
    second = folder.poll()

    assert first == []
    assert second == [tmp_path / "a.jpg"]


def test_a_file_still_growing_is_not_ready(tmp_path: Path) -> None:
    folder = WatchedFolder(tmp_path)
    data = write_pdf(tmp_path / "source.pdf").read_bytes()
    (tmp_path / "source.pdf").unlink()
    target = tmp_path / "scan.pdf"
    target.write_bytes(data[:1000])
    folder.poll()

    with target.open("ab") as handle:
        handle.write(data[1000:])
    after_growth = folder.poll()
    after_quiet = folder.poll()

    assert after_growth == []
    assert after_quiet == [target]


@pytest.mark.parametrize(
    "name", ["scan.tmp", "scan.pdf.part", "~$scan.pdf", ".scan.pdf", "Thumbs.db", "x.crdownload"]
)
def test_temporary_and_partial_names_are_ignored(tmp_path: Path, name: str) -> None:
    folder = WatchedFolder(tmp_path)
    write_jpeg(tmp_path / "x.jpg").rename(tmp_path / name)

    folder.poll()

    assert folder.poll() == []


def test_an_empty_file_is_never_ready(tmp_path: Path) -> None:
    folder = WatchedFolder(tmp_path)
    (tmp_path / "dang-ghi.pdf").write_bytes(b"")

    folder.poll()

    assert folder.poll() == []


def test_ready_files_come_oldest_first_and_scan_takes_the_oldest(tmp_path: Path) -> None:
    folder = WatchedFolder(tmp_path)
    newer = write_jpeg(tmp_path / "a-moi.jpg")
    older = write_tiff(tmp_path / "b-cu.tif", frames=2)
    os.utime(older, ns=(1_000_000_000, 1_000_000_000))
    folder.poll()

    assert folder.poll() == [older, newer]
    pages = list(folder.scan("", SETTINGS))
    assert [p.origin for p in pages] == ["b-cu.tif", "b-cu.tif"]


def test_an_imported_file_moves_to_the_processed_folder_after_its_last_page(
    tmp_path: Path,
) -> None:
    folder = WatchedFolder(tmp_path)
    path = write_tiff(tmp_path / "ho-so.tif", frames=2)

    pages = folder.import_file(path, SETTINGS)
    first = next(pages)
    still_there = path.exists()
    rest = list(pages)

    assert (first.index, len(rest), still_there) == (1, 1, True)
    assert not path.exists()
    assert (tmp_path / PROCESSED_DIR / "ho-so.tif").exists()


def test_a_refused_file_moves_to_the_error_folder_with_its_reason(tmp_path: Path) -> None:
    folder = WatchedFolder(tmp_path)
    path = truncate(write_jpeg(tmp_path / "hong.jpg"), 0.5)

    pages, error = refused(folder.import_file(path, SETTINGS))

    assert pages == []
    assert not path.exists()
    moved = tmp_path / REFUSED_DIR / "hong.jpg"
    reason = (tmp_path / REFUSED_DIR / "hong.jpg.txt").read_text(encoding="utf-8")
    assert moved.exists()
    assert reason.splitlines() == [error.code, error.message]


def test_a_moved_file_never_overwrites_one_already_there(tmp_path: Path) -> None:
    folder = WatchedFolder(tmp_path)
    (tmp_path / PROCESSED_DIR).mkdir()
    (tmp_path / PROCESSED_DIR / "a.jpg").write_bytes(b"earlier")

    list(folder.import_file(write_jpeg(tmp_path / "a.jpg"), SETTINGS))

    assert (tmp_path / PROCESSED_DIR / "a.jpg").read_bytes() == b"earlier"
    assert Image.open(io.BytesIO((tmp_path / PROCESSED_DIR / "a (2).jpg").read_bytes()))


def test_scanning_an_idle_folder_says_nothing_is_there_yet(tmp_path: Path) -> None:
    folder = WatchedFolder(tmp_path)
    folder.poll()

    pages, error = refused(folder.scan("", SETTINGS))

    assert pages == []
    assert error.code == "scan.no_paper"
    assert "Chưa có tệp mới nào" in error.message
