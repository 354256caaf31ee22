"""Command-line digitisation: scan a component from a scanner, or import files as a component.

    motcua scan --dossier CODE --component ID [--device DEV] [--source adf|flatbed|adf-duplex]
                [--dpi N] [--mode color|gray|bw] [--ocr] [--sign]
    motcua import-file --dossier CODE --component ID [--ocr] [--sign] FILE...

Both print a JSON summary (pages, bytes, sha256, signed, blank pages). A scanner error in the
middle of a feeder batch (jam, empty feeder, cover open) still saves the pages read before it, as
an unsigned version noted as interrupted, and exits 3 with the error: nothing scanned is lost.
`--sign` asks for the token PIN (or the PKCS#12 password) on the terminal, or reads one line from
standard input when it is not a terminal; the PIN is never stored.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.bootstrap import default_data_dir, open_context
from app.cli.commands import PARSER_EXTENSIONS, command
from app.cli.output import emit, emit_error
from app.scanning.model import ColourMode, RawPage, ScanSettings, Source
from app.services.context import ServiceContext
from app.services.digitisation import SavedComponent, Signer
from app.services.scan_store import ScanStore

EXIT_INTERRUPTED = 3


def _data_dir(args: argparse.Namespace) -> Path:
    return Path(args.data_dir) if args.data_dir else default_data_dir()


def _signer(args: argparse.Namespace) -> Signer | None:
    if not args.sign:
        return None
    from app.services.signing_setup import load_signing_setup

    setup = load_signing_setup(_data_dir(args))  # refuses before anything is scanned
    prompt = "Mã PIN thiết bị ký số: " if setup.kind == "pkcs11" else "Mật khẩu tệp chứng thư: "
    secret = getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline().strip()
    return setup.signer(secret)


def _run(
    args: argparse.Namespace, ctx: ServiceContext, raws: Iterable[RawPage], source: str, dpi: int
) -> int:
    # Imported here: other commands should not pay for OpenCV, pikepdf and reportlab.
    from app.scanning.pipeline import profile_for
    from app.services.digitise_flow import collect, digitise_pages

    signer = _signer(args)
    mode = ColourMode(getattr(args, "mode", None) or ColourMode.COLOR)
    profile = profile_for(ScanSettings(mode=mode, dpi=dpi))
    batch = collect(raws, profile)
    if not batch.pages:
        if batch.error is not None:
            raise batch.error
        return 0
    text_pdf = None
    if args.ocr:
        from app.scanning.ocr import text_layer

        text_pdf = text_layer(batch.pages)
    interrupted = batch.error is not None
    note = (
        f"Quét bị gián đoạn sau {len(batch.pages)} trang: {batch.error.message}"
        if batch.error
        else ""
    )
    store = ScanStore.beside(ctx)
    saved = digitise_pages(
        ctx,
        store,
        args.dossier,
        args.component,
        batch.pages,
        source=source,
        signer=None if interrupted else signer,  # an incomplete component is not signed
        ocr_text_pdf=text_pdf,
        officer=args.officer,
        note=note,
    )
    summary = _summary(saved, batch.blank_pages, text_pdf is not None)
    if batch.error is not None:
        summary["error"] = batch.error.to_dict()
        summary["pages_kept"] = len(batch.pages)
        emit(summary, as_json=True, text="")
        emit_error(batch.error, as_json=False)
        return EXIT_INTERRUPTED
    emit(summary, as_json=args.json, text=_text(saved, batch.blank_pages))
    return 0


def _summary(saved: SavedComponent, blank: list[int], ocr: bool) -> dict[str, Any]:
    c = saved.component
    return {
        "dossier_component": c.position,
        "component": c.name,
        "file_name": c.file_name,
        "pages": saved.pages,
        "bytes": saved.size,
        "sha256": saved.sha256,
        "signed": saved.signed,
        "signer": c.signer,
        "ocr": ocr,
        "blank_pages": blank,
    }


def _text(saved: SavedComponent, blank: list[int]) -> str:
    c = saved.component
    line = f"Đã số hóa «{c.name}»: {saved.pages} trang, {saved.size:,} byte".replace(",", ".")
    line += f", {'đã ký số (' + c.signer + ')' if saved.signed else 'chưa ký số'}."
    if blank:
        line += f" Trang có vẻ trắng: {', '.join(map(str, blank))} — xin kiểm tra lại."
    return line + f"\nSHA-256: {saved.sha256}"


@command("scan")
def _scan(args: argparse.Namespace) -> int:
    from app.scanning.backends import open_scanner

    ctx = open_context(_data_dir(args))
    settings = ScanSettings(
        source=Source(args.source), mode=ColourMode(args.mode), dpi=args.dpi, paper=args.paper
    )
    backend = "escl" if args.device.startswith(("escl:", "http://", "https://")) else "sane"
    scanner = (
        open_scanner(backend, addresses=[args.device])
        if backend == "escl"
        else open_scanner(backend)
    )
    return _run(args, ctx, scanner.scan(args.device, settings), backend, args.dpi)


@command("import-file")
def _import_file(args: argparse.Namespace) -> int:
    from app.scanning.importer import FileImporter

    ctx = open_context(_data_dir(args))
    settings = ScanSettings(mode=ColourMode(args.mode), dpi=args.dpi)
    pages = FileImporter().import_files([Path(f) for f in args.files], settings)
    return _run(args, ctx, pages, "import", args.dpi)


def add_parsers(add: Any) -> None:
    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--dossier", required=True, help="mã hồ sơ")
        p.add_argument("--component", required=True, help="mã hoặc số thứ tự thành phần")
        p.add_argument("--ocr", action="store_true", help="thêm lớp chữ nhận dạng (tiếng Việt)")
        p.add_argument("--sign", action="store_true", help="ký số ngay sau khi số hóa")
        p.add_argument("--officer")

    scan = add("scan", "quét thành phần hồ sơ từ máy quét")
    common(scan)
    scan.add_argument("--device", default="test:0", help="thiết bị (SANE, hoặc escl:URL)")
    scan.add_argument("--source", choices=[s.value for s in Source], default="adf")
    scan.add_argument("--dpi", type=int, default=200)
    scan.add_argument("--mode", choices=[m.value for m in ColourMode], default="color")
    scan.add_argument("--paper", default="A4")

    imp = add("import-file", "nhập tệp ảnh/PDF làm thành phần hồ sơ")
    common(imp)
    imp.add_argument("--dpi", type=int, default=200, help="độ phân giải khi chuyển PDF thành ảnh")
    imp.add_argument("--mode", choices=[m.value for m in ColourMode], default="color")
    imp.add_argument("files", nargs="+", metavar="FILE")


PARSER_EXTENSIONS.append(add_parsers)
