"""Printing benchmark: render times of the receipt and the logbook, and the Word + LibreOffice way.

    ./dev bench printing [--samples K] [--rows N] [--lo-samples K] [--no-libreoffice]

Times the pure renderers on fixed data (no database): form 01 on A5 (one copy, both copies), on
80 mm, a logbook of N rows (default 1,000) on A4 landscape; then the whole service path for a
receipt (read the dossier, render, audit the print) over a temporary store. Then what many
offices do today on the same data: fill a Word (.docx) template with python-docx and convert it
with `libreoffice --headless --convert-to pdf`, one conversion per document as a counter would,
and reports the ratio. Medians and p95 in milliseconds; results also in bench/out/printing.json.
Goals: receipt under 100 ms median, 1,000-row logbook under 3 s.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from app.bootstrap import init_demo_data, open_context
from app.domain.clock import VN_TZ, FixedClock
from app.domain.forms import FormKind
from app.domain.money import amount_in_words, format_vnd
from app.services.document_data import (
    ComponentLine,
    DossierParticulars,
    FeeLine,
    Issuer,
    LogbookDocument,
    PrintMarks,
    ReceiptData,
)
from app.services.documents import PrintRequest, print_document
from app.services.dossiers import ReceiveDossier, receive_dossier
from app.services.views import LogbookEntry, LogbookPage
from printing import render_document
from printing.dates import moment_in_words, short_moment

NOW = datetime(2026, 11, 23, 9, 5, tzinfo=VN_TZ)
CODE = "000.00.70.H52-261123-0001"


def receipt_data() -> ReceiptData:
    components = (
        "Tờ khai đăng ký khai sinh (theo mẫu)",
        "Giấy chứng sinh; trường hợp không có: văn bản của người làm chứng",
        "Bản sao giấy tờ tùy thân của người đi đăng ký",
        "Văn bản ủy quyền (trường hợp ủy quyền thực hiện thủ tục)",
        "Giấy tờ chứng minh nơi cư trú",
    )
    facts = DossierParticulars(
        code=CODE,
        procedure_code="1.001193",
        procedure_name="Đăng ký khai sinh",
        receiving=Issuer("UBND TỈNH SƠN LA", "Trung tâm Phục vụ hành chính công tỉnh Sơn La"),
        resolving=Issuer("", "Ủy ban nhân dân phường Tô Hiệu"),
        receiving_point="Trung tâm Phục vụ hành chính công tỉnh Sơn La",
        place="Sơn La",
        applicant_name="Nguyễn Thị Phương Thảo",
        id_number="001190012345",
        address="Số 12, tổ 3, phường Tô Hiệu, tỉnh Sơn La",
        phone="0912345678",
        email="thao@example.vn",
        submitter_name="",
        sets=1,
        duration_text="03 ngày làm việc",
        received_at=NOW,
        appointment=NOW + timedelta(days=3),
        delivery="counter",
        delivery_address="",
        book_no="tinh-q01/2026",
        entry_no=1,
        officer_name="Cán bộ một cửa",
        components=tuple(ComponentLine(i, n, 1, i % 2) for i, n in enumerate(components, 1)),
        fees=(FeeLine("Lệ phí đăng ký khai sinh", "lệ phí", 150_000, "per-dossier", ""),),
    )
    return ReceiptData(
        facts, 0, (1,), f"https://dichvucong.gov.vn/tra-cuu-ho-so?ma-ho-so={CODE}", PrintMarks(NOW)
    )


def logbook_data(rows: int) -> LogbookDocument:
    entries = tuple(
        LogbookEntry(
            entry_no=n,
            book_no="tinh-q01/2026",
            code=f"000.00.70.H52-261123-{n:04d}",
            procedure_name=(
                "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất"
                if n % 4 == 0
                else "Đăng ký khai sinh"
            ),
            sets=1,
            submitter=f"Nguyễn Văn Khách {n}",
            address_phone="Tổ 2, phường Tô Hiệu, tỉnh Sơn La, 0912345678",
            resolving_agency="Ủy ban nhân dân phường Tô Hiệu",
            received_at=NOW + timedelta(seconds=20 * n),
            appointment=NOW + timedelta(days=3),
            transferred_at=None,
            result_at=None,
            returned_at=None,
            status=2,
            note="Được tiếp nhận",
        )
        for n in range(1, rows + 1)
    )
    page = LogbookPage(
        NOW.date(), NOW.date(), "Trung tâm Phục vụ hành chính công tỉnh Sơn La", entries
    )
    issuer = Issuer("UBND TỈNH SƠN LA", "Trung tâm Phục vụ hành chính công tỉnh Sơn La")
    return LogbookDocument(issuer, "Sơn La", page, PrintMarks(NOW))


def timed(call: Callable[[], object], samples: int, warm_up: int = 1) -> list[float]:
    for _ in range(warm_up):
        call()
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "samples": len(ordered),
    }


def service_receipt(samples: int) -> list[float]:
    """Read + render + audit through the services, as the desktop and the CLI print."""
    with tempfile.TemporaryDirectory() as folder:
        ctx = open_context(Path(folder), FixedClock(NOW))
        init_demo_data(ctx)
        cmd = ReceiveDossier(
            "1.001193", "Nguyễn Thị Phương Thảo", "001190012345", phone="0912345678"
        )
        code = receive_dossier(ctx, cmd).dossier.code
        request = PrintRequest(FormKind.RECEIPT, code, copies=(1,))
        times = timed(lambda: print_document(ctx, request, render_document), samples)
        ctx.db.close()
        return times


# ---- the Word + LibreOffice way --------------------------------------------------------------


def _docx_receipt(path: Path, data: ReceiptData) -> None:
    """Fill a Word document the way an office template is filled: paragraphs and a table."""
    import docx  # python-docx: only for this comparison, not a dependency of the application
    from docx.shared import Mm, Pt

    d = data.dossier
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(148), Mm(210)
    section.left_margin, section.right_margin = Mm(15), Mm(11)
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Liberation Serif", Pt(10)
    header = document.add_table(rows=1, cols=2)
    header.cell(0, 0).text = f"{d.receiving.parent_name}\n{d.receiving.name.upper()}"
    header.cell(0, 1).text = (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        f"{d.place}, ngày {d.received_at:%d} tháng {d.received_at.month} năm {d.received_at.year}"
    )
    document.add_paragraph("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")
    document.add_paragraph(f"Mã hồ sơ: {d.code}")
    for line in (
        f"Tiếp nhận hồ sơ của: {d.applicant_name}",
        f"Số định danh cá nhân: {d.id_number}",
        f"Địa chỉ: {d.address}",
        f"Số điện thoại: {d.phone}; Email: {d.email}",
        f"Nội dung yêu cầu giải quyết: {d.procedure_name}",
    ):
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=4)
    for cell, title in zip(
        table.rows[0].cells, ("STT", "Tên giấy tờ", "Bản chính", "Bản sao"), strict=True
    ):
        cell.text = title
    for c in d.components:
        cells = table.add_row().cells
        for cell, value in zip(cells, (c.position, c.name, c.originals, c.copies), strict=True):
            cell.text = str(value)
    for line in (
        f"4. Thời gian nhận hồ sơ: {moment_in_words(d.received_at)}",
        f"5. Thời gian trả kết quả: {moment_in_words(d.appointment)}",
        *(f"{f.name}: {format_vnd(f.amount)} ({amount_in_words(f.amount)})" for f in d.fees),
        f"Vào Sổ theo dõi hồ sơ, Quyển số: {d.book_no}, Số thứ tự: {d.entry_no}",
    ):
        document.add_paragraph(line)
    document.save(str(path))


def _docx_logbook(path: Path, doc: LogbookDocument) -> None:
    import docx
    from docx.shared import Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(297), Mm(210)
    document.styles["Normal"].font.size = Pt(7.5)
    document.add_paragraph("SỔ THEO DÕI HỒ SƠ")
    table = document.add_table(rows=1, cols=9)
    titles = (
        "STT",
        "Mã hồ sơ",
        "Tên TTHC",
        "Số bộ",
        "Người nộp",
        "Địa chỉ",
        "Cơ quan",
        "Nhận",
        "Hẹn",
    )
    for cell, title in zip(table.rows[0].cells, titles, strict=True):
        cell.text = title
    for e in doc.page.entries:
        values = (
            e.entry_no, e.code, e.procedure_name, e.sets, e.submitter, e.address_phone,
            e.resolving_agency, short_moment(e.received_at), short_moment(e.appointment),
        )  # fmt: skip
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = str(value)
    document.save(str(path))


def libreoffice_times(
    fill: Callable[[Path], None], samples: int, office: str
) -> tuple[list[float], list[float]]:
    """(fill + convert, convert only) per document, a fresh soffice process each time."""
    total, convert = [], []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        profile = (work / "profile").as_uri()  # own profile: no clash with a running office
        for n in range(samples + 1):  # the first run creates the profile: not counted
            started = time.perf_counter()
            source = work / f"doc{n}.docx"
            fill(source)
            converting = time.perf_counter()
            subprocess.run(
                [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                 "--outdir", str(work), str(source)],
                check=True, capture_output=True, timeout=600,
            )  # fmt: skip
            done = time.perf_counter()
            if not (work / f"doc{n}.pdf").exists():
                raise RuntimeError("LibreOffice produced no PDF")
            if n:
                total.append((done - started) * 1000)
                convert.append((done - converting) * 1000)
    return total, convert


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=30, help="receipt samples")
    parser.add_argument("--rows", type=int, default=1_000, help="logbook rows")
    parser.add_argument("--logbook-samples", type=int, default=5)
    parser.add_argument("--lo-samples", type=int, default=5, help="LibreOffice samples")
    parser.add_argument("--no-libreoffice", action="store_true")
    args = parser.parse_args()

    receipt = receipt_data()
    both = replace(receipt, copies=(1, 2))
    thermal = replace(receipt, layout="80mm")
    book = logbook_data(args.rows)
    result: dict[str, Any] = {
        "receipt_a5_one_copy": summary(timed(lambda: render_document(receipt), args.samples)),
        "receipt_a5_two_copies": summary(timed(lambda: render_document(both), args.samples)),
        "receipt_80mm": summary(timed(lambda: render_document(thermal), args.samples)),
        f"logbook_{args.rows}_rows": summary(
            timed(lambda: render_document(book), args.logbook_samples)
        ),
        "receipt_service_path": summary(service_receipt(args.samples)),
        "logbook_pages": None,
    }
    result["logbook_pages"] = len(PdfReader(io.BytesIO(render_document(book))).pages)

    office = shutil.which("libreoffice") or shutil.which("soffice")
    comparison: dict[str, Any] = {}
    try:
        import docx  # noqa: F401
    except ImportError:
        comparison["skipped"] = "python-docx is not installed (pip install python-docx)"
    else:
        if args.no_libreoffice:
            comparison["skipped"] = "--no-libreoffice"
        elif office is None:
            comparison["skipped"] = (
                "LibreOffice is not installed (apt-get install libreoffice-writer-nogui)"
            )
        else:
            total, convert = libreoffice_times(
                lambda p: _docx_receipt(p, receipt), args.lo_samples, office
            )
            comparison["receipt_docx_fill_and_convert"] = summary(total)
            comparison["receipt_convert_only"] = summary(convert)
            ratio = statistics.median(total) / result["receipt_a5_one_copy"]["median_ms"]
            comparison["receipt_ratio_libreoffice_over_reportlab"] = round(ratio, 1)
            book_total, _ = libreoffice_times(
                lambda p: _docx_logbook(p, book), max(1, args.lo_samples // 3), office
            )
            comparison[f"logbook_{args.rows}_docx_fill_and_convert"] = summary(book_total)
            logbook_ms = result[f"logbook_{args.rows}_rows"]["median_ms"]
            comparison["logbook_ratio_libreoffice_over_reportlab"] = round(
                statistics.median(book_total) / logbook_ms, 1
            )
    result["word_libreoffice"] = comparison
    result["goals"] = {
        "receipt_under_100_ms": result["receipt_a5_one_copy"]["median_ms"] < 100,
        "logbook_1000_under_3_s": args.rows != 1_000
        or result[f"logbook_{args.rows}_rows"]["median_ms"] < 3000,
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "printing.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
