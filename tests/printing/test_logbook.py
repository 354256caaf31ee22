"""Form 07, the logbook, on A4 landscape: one row per dossier received that day at that unit,
in reception order, the header row and «Trang x/y» on every page, totals that reconcile."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from app.db.models import ReceivingPoint
from app.services.documents import print_logbook
from app.services.dossiers import ReceiveDossier, receive_dossier
from app.services.queries import logbook
from printing import render_document
from tests.printing.conftest import LONG_ADDRESS, LONG_NAME
from tests.printing.pdf_checks import all_text, flat, fonts, page_sizes_mm, page_texts

DAY = date(2026, 11, 23)
A4_LANDSCAPE = (297.0, 210.0)
HEADER_ROW = "STT Mã hồ sơ Tên TTHC"


def _receive(ctx, clock, count: int, *, procedure: str = "1.001193") -> list[str]:
    codes = []
    for n in range(count):
        cmd = ReceiveDossier(
            procedure=procedure,
            applicant_name=f"Nguyễn Văn Khách {n:03d}",
            id_number="001190012345",
            address="Tổ 2, phường Tô Hiệu, tỉnh Sơn La",
            phone="0912345678",
        )
        codes.append(receive_dossier(ctx, cmd).dossier.code)
        clock.current += timedelta(seconds=50)
    return codes


def _pdf(ctx, day: date = DAY, unit: str | None = None) -> bytes:
    return print_logbook(ctx, day, None, unit, render=render_document).pdf


def _check_pages(pdf: bytes) -> list[str]:
    pages = [flat(t) for t in page_texts(pdf)]
    assert set(page_sizes_mm(pdf)) == {A4_LANDSCAPE}
    assert all(fonts(pdf).values()) and b"Helvetica" not in pdf
    for number, page in enumerate(pages, start=1):
        assert HEADER_ROW in page, f"no header row on page {number}"
        assert "Ghi chú" in page and "Trả kết quả" in page
        assert "SỔ THEO DÕI HỒ SƠ – Trung tâm Phục vụ hành chính công tỉnh Sơn La" in page
        assert f"Trang {number}/{len(pages)}" in page
    return pages


def test_a_day_without_dossiers_prints_an_empty_book_that_says_so(ctx):
    pages = _check_pages(_pdf(ctx))
    assert len(pages) == 1
    assert "Không có hồ sơ nào được tiếp nhận trong thời gian này." in pages[0]
    assert "Ngày 23/11/2026" in pages[0]


def test_one_dossier_is_one_row_with_every_column(ctx, clock, long_dossier):
    d = long_dossier
    text = all_text(_pdf(ctx))
    assert text.count(d.code) == 1
    for value in (
        f"Quyển số: {d.book_no}",
        f"1 {d.code}",
        d.procedure_name,
        LONG_NAME,
        f"{LONG_ADDRESS}, 0912345678",
        "Văn phòng Đăng ký đất đai tỉnh Sơn La",
        "09:00 23/11/2026",
        d.appointment.strftime("%H:%M %d/%m/%Y"),
        "Được tiếp nhận",
        "Tổng số hồ sơ tiếp nhận: 1. Trong đó: Được tiếp nhận: 1.",
        f"Quyển số {d.book_no}: 1 hồ sơ, số thứ tự từ 1 đến 1",
    ):
        assert value in text, value


@pytest.mark.slow
def test_three_hundred_dossiers_in_reception_order_with_the_header_on_every_page(ctx, clock):
    clock.current -= timedelta(days=1)  # Sunday's back-office entries must not show up
    other_day = _receive(ctx, clock, 2)
    clock.current = clock.current.replace(day=23, hour=7, minute=30)
    codes = _receive(ctx, clock, 300)
    clock.current = clock.current.replace(day=25, hour=8)
    later = _receive(ctx, clock, 1)
    assert len(logbook(ctx, DAY).entries) == 300

    pages = _check_pages(_pdf(ctx))
    text = " ".join(pages)
    assert len(pages) > 5
    positions = [text.index(code) for code in codes]
    assert positions == sorted(positions), "rows are not in reception order"
    assert all(text.count(code) == 1 for code in codes)
    assert not any(code in text for code in other_day + later)
    numbers = [int(n) for n in re.findall(r"(?:^| )(\d{1,3}) 000\.00\.70\.H52-261123-", text)]
    assert numbers == list(range(3, 303))  # the book runs on from Sunday's two entries
    assert "Tổng số hồ sơ tiếp nhận: 300." in text
    assert "số thứ tự từ 3 đến 302" in text


def test_another_unit_has_its_own_logbook(ctx, simple_dossier):
    with ctx.db.read() as session:
        other = session.query(ReceivingPoint).filter(ReceivingPoint.code == "rp-to-hieu").one()
        other_id = other.id
    text = all_text(_pdf(ctx, unit=other_id))
    assert simple_dossier.code not in text
    assert "Nơi tiếp nhận: Trung tâm Phục vụ hành chính công phường Tô Hiệu" in text
    assert "Không có hồ sơ nào" in text


def test_logbook_cells_are_precomposed_even_from_decomposed_data(ctx, simple_dossier):
    import unicodedata
    from dataclasses import replace

    from app.services.documents import logbook_document

    doc = logbook_document(ctx, DAY)
    entry = replace(doc.page.entries[0], submitter=unicodedata.normalize("NFD", "Lò Thị Ượi"))
    doc = replace(doc, page=replace(doc.page, entries=(entry,)))
    assert "Lò Thị Ượi" in all_text(render_document(doc))
