"""The CLI's printing commands: `receipt`, `form NN` and `logbook … --out FILE.pdf`.

Each renders through `printing.render_document` and records the print through
`services.documents` (so a reprint is marked «Bản in lại» and audited like one from the desktop).
The PDF is written to a temporary file and renamed, so a failed write never leaves half a file.
The printing layer is imported inside the handlers: other commands should not pay for reportlab.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from app.bootstrap import default_data_dir, open_context
from app.cli.output import emit
from app.domain.errors import ValidationError
from app.domain.forms import DOSSIER_FORMS, FormKind
from app.domain.text import fold
from app.services import documents
from app.services.context import ServiceContext
from app.services.document_data import (
    APPLICANT_COPY,
    BOTH_COPIES,
    OFFICE_COPY,
    DocumentData,
    LogbookDocument,
    ReceiptLayout,
)

Handler = Callable[[argparse.Namespace], int]

# «lưu» / «khách», also typed without diacritics or in NFD by some terminals.
_COPIES = {"luu": (OFFICE_COPY,), "khach": (APPLICANT_COPY,), "ca-hai": BOTH_COPIES}
_SIZES: dict[str, ReceiptLayout] = {"a5": "a5", "80mm": "80mm"}


def _render(data: DocumentData) -> bytes:
    from printing import render_document

    return render_document(data)


def _context(args: argparse.Namespace) -> ServiceContext:
    return open_context(args.data_dir or default_data_dir())


def write_pdf(path: Path, pdf: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_bytes(pdf)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ValidationError(
            "output.write",
            f"Không ghi được tệp «{path}»: {error.strerror or error}.",
            field="out",
        ) from None


def _copies(text: str | None) -> tuple[int, ...]:
    if text is None:
        return BOTH_COPIES
    copies = _COPIES.get(fold(text).replace(" ", "-"))
    if copies is None:
        raise ValidationError(
            "input.copy", f"Liên «{text}» không hợp lệ (chọn «lưu» hoặc «khách»).", field="copy"
        )
    return copies


def _layout(text: str) -> ReceiptLayout:
    layout = _SIZES.get(text.strip().lower())
    if layout is None:
        raise ValidationError(
            "input.size", f"Khổ giấy «{text}» không hợp lệ (chọn a5 hoặc 80mm).", field="size"
        )
    return layout


def _form_kind(text: str) -> FormKind:
    try:
        kind = FormKind.parse(text)
    except ValueError:
        kind = None
    if kind is FormKind.LOGBOOK:
        raise ValidationError(
            "input.form",
            "Sổ theo dõi hồ sơ (mẫu 07) in bằng lệnh «motcua logbook --out».",
            field="form",
        )
    if kind not in DOSSIER_FORMS:
        raise ValidationError(
            "input.form", f"Mẫu «{text}» không hợp lệ (chọn từ 01 đến 06).", field="form"
        )
    assert kind is not None
    return kind


def _print(args: argparse.Namespace, request: documents.PrintRequest) -> int:
    printed = documents.print_document(_context(args), request, _render)
    write_pdf(Path(args.out), printed.pdf)
    what = f"mẫu {request.kind.value} ({request.kind.label})"
    status = "bản xem trước" if request.preview else ("bản in lại" if printed.reprint else "bản in")
    emit(
        {
            "code": request.code,
            "form": request.kind.value,
            "out": str(args.out),
            "reprint": printed.reprint,
            "preview": request.preview,
            "event_seq": printed.event_seq,
            "bytes": len(printed.pdf),
        },
        as_json=args.json,
        text=f"Đã ghi {what}, hồ sơ {request.code} — {status} — vào {args.out}.",
    )
    return 0


def _receipt(args: argparse.Namespace) -> int:
    request = documents.PrintRequest(
        FormKind.RECEIPT,
        args.code,
        copies=_copies(args.copy),
        layout=_layout(args.size),
        preview=args.preview,
        officer=args.officer,
    )
    return _print(args, request)


def _form(args: argparse.Namespace) -> int:
    kind = _form_kind(args.number)
    request = documents.PrintRequest(kind, args.code, preview=args.preview, officer=args.officer)
    return _print(args, request)


def logbook_to_file(args: argparse.Namespace, day_from: date, day_to: date | None) -> int:
    """`motcua logbook … --out FILE.pdf`: form 07 as a PDF (the text/JSON listing otherwise)."""
    printed = documents.print_logbook(
        _context(args),
        day_from,
        day_to,
        args.unit,
        render=_render,
        preview=args.preview,
        officer=args.officer,
    )
    write_pdf(Path(args.out), printed.pdf)
    total = printed.data.page.total if isinstance(printed.data, LogbookDocument) else 0
    emit(
        {"out": str(args.out), "entries": total, "event_seq": printed.event_seq},
        as_json=args.json,
        text=f"Đã ghi sổ theo dõi hồ sơ ({total} hồ sơ) vào {args.out}.",
    )
    return 0


HANDLERS: dict[str, Handler] = {"receipt": _receipt, "form": _form}


def _print_options(parser: Any) -> None:
    parser.add_argument("--out", required=True, help="tệp PDF cần ghi")
    parser.add_argument("--preview", action="store_true", help="bản xem trước (có chữ chìm)")
    parser.add_argument("--officer", help="cán bộ in (mặc định: cán bộ của máy trạm)")


def add_parsers(add: Callable[..., Any]) -> None:
    """Subparsers of the printing commands (a PARSER_EXTENSIONS entry of commands.py)."""
    receipt = add("receipt", "in Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01)")
    receipt.add_argument("code")
    receipt.add_argument("--copy", help="liên: lưu | khách (mặc định: cả hai liên)")
    receipt.add_argument("--size", default="a5", help="khổ giấy: a5 | 80mm (mặc định a5)")
    _print_options(receipt)
    form = add("form", "in mẫu 01–06 của một hồ sơ")
    form.add_argument("number", metavar="NN", help="số mẫu: 01 … 06")
    form.add_argument("code")
    _print_options(form)
