"""Digitisation benchmark: the per-page pipeline and PDF assembly, against ocrmypdf alone.

    ./dev bench scanning [--pages N] [--workers W] [--ocr-pages K] [--no-ocr]

Renders N (default 30) synthetic 300 dpi colour A4 scans (Vietnamese text, a red seal, skew
between -3° and +3°, light sensor noise of σ = 3 grey levels, dust, a dark scanner-bed band) and,
for each profile (color-200, color-300, gray-200, bw-300), times `process_page` one page at a
time, then the whole batch as the application runs it: `process_pages` on W threads (default 2,
the cores of a counter PC) followed by PDF assembly — plain img2pdf, and the PDF/A-2b
`app.scanning.pdf.assemble` with its conversion mark and metadata. Reports medians, pages per
minute, bytes per page and how far the measured skew was from the true one. The goal of issue 6
is ≥ 60 pages/minute for 300 dpi colour without OCR. The reference is ocrmypdf alone (deskew +
Vietnamese OCR) on an img2pdf PDF of K (default 3) of the same pages, in seconds per page.
Results also in bench/out/scanning.json.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import img2pdf

from app.domain.clock import VN_TZ
from app.scanning.model import ComponentMeta, ProcessedPage, RawPage
from app.scanning.pipeline import PROFILES, process_page, process_pages
from tests.app.scanning.sample_pages import render_text_page

DPI = 300
PROFILE_NAMES = ("color-200", "color-300", "gray-200", "bw-300")
GOAL_PAGES_PER_MINUTE = 60
META = ComponentMeta(
    dossier_code="000.00.70.H52-261123-0001",
    procedure_code="1.001193",
    component_position=1,
    component_name="Tờ khai đăng ký khai sinh",
    original=True,
    digitised_by="Cán bộ một cửa",
    unit_name="Trung tâm Phục vụ hành chính công tỉnh Sơn La",
    digitised_at=datetime(2026, 11, 23, 9, 5, tzinfo=VN_TZ),
)


def skew_of(index: int) -> float:
    """A spread of skews between -3° and +3°, a few of them (near) straight."""
    return round(((index * 37) % 61 - 30) / 10, 1)


def render_pages(count: int) -> list[RawPage]:
    return [
        RawPage(
            render_text_page(
                dpi=DPI,
                skew_deg=skew_of(i),
                noise=3,  # about what a CCD flatbed or feeder leaves at 300 dpi
                specks=30,
                bed_mm=5,
                seal=True,
                seed=i,
            ),
            DPI,
            i + 1,
        )
        for i in range(count)
    ]


def assemble_pdfa(pages: list[ProcessedPage]) -> bytes | None:
    try:
        from app.scanning.pdf import assemble
    except ImportError:  # the PDF/A module is not there yet: report img2pdf alone
        return None
    return assemble(pages, META)


def median_ms(times: list[float]) -> float:
    return round(statistics.median(times) * 1000, 1)


def bench_profile(name: str, raws: list[RawPage], workers: int) -> dict[str, Any]:
    profile = PROFILES[name]
    one_by_one: list[float] = []
    for raw in raws:
        started = time.perf_counter()
        process_page(raw, profile)
        one_by_one.append(time.perf_counter() - started)

    started = time.perf_counter()
    pages = process_pages(raws, profile, workers=workers)
    processed_at = time.perf_counter()
    plain_pdf = img2pdf.convert([p.data for p in pages])
    plain_at = time.perf_counter()
    pdfa = assemble_pdfa(pages)
    pdfa_at = time.perf_counter()

    batch_plain = plain_at - started
    batch_pdfa = (processed_at - started) + (pdfa_at - plain_at)
    skew_errors = [abs(p.skew_deg - skew_of(i)) for i, p in enumerate(pages)]
    sizes = [len(p.data) for p in pages]
    return {
        "profile": name,
        "page_median_ms": median_ms(one_by_one),
        "page_p95_ms": round(sorted(one_by_one)[int(len(one_by_one) * 0.95) - 1] * 1000, 1),
        "batch_pipeline_s": round(processed_at - started, 2),
        "img2pdf_ms": round((plain_at - processed_at) * 1000, 1),
        "pdfa_assemble_ms": None if pdfa is None else round((pdfa_at - plain_at) * 1000, 1),
        "pages_per_minute_img2pdf": round(len(pages) / batch_plain * 60),
        "pages_per_minute_pdfa": None if pdfa is None else round(len(pages) / batch_pdfa * 60),
        "bytes_per_page_median": int(statistics.median(sizes)),
        "pdf_bytes_per_page": len(plain_pdf) // len(pages),
        "skew_error_median_deg": round(statistics.median(skew_errors), 3),
        "skew_error_max_deg": round(max(skew_errors), 3),
        "blank_flagged": sum(p.blank for p in pages),
    }


def bench_ocrmypdf(raws: list[RawPage]) -> dict[str, Any]:
    """ocrmypdf on its own, as an office would use it: deskew + Vietnamese OCR of a scan PDF."""
    if shutil.which("tesseract") is None or shutil.which("gs") is None:
        return {"skipped": "tesseract or ghostscript is not installed"}
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "scan.pdf", Path(folder) / "ocr.pdf"
        images = []
        for raw in raws:  # what a plain scan-to-PDF would hold: the raw pages as JPEG q90
            out = io.BytesIO()
            raw.image.save(out, "JPEG", quality=90, dpi=(raw.dpi, raw.dpi))
            images.append(out.getvalue())
        source.write_bytes(img2pdf.convert(images))
        command = [sys.executable, "-m", "ocrmypdf", "--deskew", "-l", "vie"]
        command += ["--output-type", "pdf", "--quiet", str(source), str(target)]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            return {"failed": done.stderr.strip()[-500:]}
        return {
            "pages": len(raws),
            "seconds_per_page": round(elapsed / len(raws), 2),
            "pages_per_minute": round(len(raws) / elapsed * 60, 1),
            "bytes_per_page": target.stat().st_size // len(raws),
        }


def print_table(rows: list[dict[str, Any]], ocr: dict[str, Any], pages: int, workers: int) -> None:
    print(f"\n{pages} pages, 300 dpi colour A4 scans in, {workers} worker threads\n")
    header = (
        f"{'profile':<10} {'page ms':>8} {'p95 ms':>7} {'pages/min':>10} {'pages/min':>10} "
        f"{'KB/page':>8} {'PDF/A ms':>9} {'skew err':>9}"
    )
    print(header)
    print(
        f"{'':<10} {'median':>8} {'':>7} {'img2pdf':>10} {'PDF/A':>10} {'':>8} {'batch':>9} "
        f"{'max °':>9}"
    )
    print("-" * len(header))
    for row in rows:
        pdfa_rate = row["pages_per_minute_pdfa"] if row["pages_per_minute_pdfa"] else "n/a"
        pdfa_ms = row["pdfa_assemble_ms"] if row["pdfa_assemble_ms"] is not None else "n/a"
        print(
            f"{row['profile']:<10} {row['page_median_ms']:>8} {row['page_p95_ms']:>7} "
            f"{row['pages_per_minute_img2pdf']:>10} {pdfa_rate!s:>10} "
            f"{row['bytes_per_page_median'] / 1024:>8.0f} {pdfa_ms!s:>9} "
            f"{row['skew_error_max_deg']:>9}"
        )
    print()
    if "seconds_per_page" in ocr:
        print(
            f"ocrmypdf --deskew -l vie alone: {ocr['seconds_per_page']} s/page "
            f"({ocr['pages_per_minute']} pages/min) over {ocr['pages']} pages, "
            f"{ocr['bytes_per_page'] / 1024:.0f} KB/page"
        )
    else:
        print(f"ocrmypdf: {ocr}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ocr-pages", type=int, default=3)
    parser.add_argument("--no-ocr", action="store_true")
    args = parser.parse_args()

    print(f"rendering {args.pages} pages at {DPI} dpi…", flush=True)
    raws = render_pages(args.pages)
    # Warm up OpenCV's thread pool, the imports and the PDF/A module's fonts and ICC profile.
    assemble_pdfa([process_page(raws[0], PROFILES["color-200"])])
    rows = []
    for name in PROFILE_NAMES:
        print(f"profile {name}…", flush=True)
        rows.append(bench_profile(name, raws, args.workers))
    ocr = {"skipped": "--no-ocr"} if args.no_ocr else bench_ocrmypdf(raws[: args.ocr_pages])
    colour_300 = next(r for r in rows if r["profile"] == "color-300")
    rates = [colour_300["pages_per_minute_img2pdf"], colour_300["pages_per_minute_pdfa"]]
    result: dict[str, Any] = {
        "pages": args.pages,
        "workers": args.workers,
        "profiles": rows,
        "ocrmypdf_alone": ocr,
        "goal_60_pages_per_minute_color_300": min(r for r in rates if r) >= GOAL_PAGES_PER_MINUTE,
    }
    print_table(rows, ocr, args.pages, args.workers)
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "scanning.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
