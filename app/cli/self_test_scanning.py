"""The digitisation part of `motcua --self-test`: one synthetic page through the real code.

A frozen bundle fails here, not at a counter, when PyInstaller left out something the scanning
code only needs at run time: OpenCV's and pikepdf's native libraries, pikepdf's PDF/A rule data,
pyHanko and its certificate validator, Pillow's libtiff (G4) and LittleCMS (sRGB profile), the
scanner input modules. Each step is recorded in the report as it finishes, with its time, so a
failure names the step it happened in. OCR needs the separate tesseract program: without it
(or without its Vietnamese data) the step says why it was skipped and does not fail.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import cv2
import numpy as np
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw, ImageFont

from app.domain.clock import VN_TZ
from app.pdfium_lock import PDFIUM_LOCK
from app.scanning import ocr, pdf, pdf_facts, pipeline, signing
from app.scanning.backends import available_backends
from app.scanning.model import ColourMode, ComponentMeta, PageFormat, ProcessedPage, RawPage
from resources import resource_path

DPI = 150  # enough for the skew measurement and for OCR; keeps the step well under a second
PAGE_MM = (148, 210)  # A5
BED_MM = 8  # dark scanner bed around the sheet, for the crop to find
SKEW_DEG = 2.0  # counter-clockwise, as a sheet fed slightly askew
SKEW_TOLERANCE_DEG = 0.5
OCR_WORD = "MOTCUA"  # plain capitals: recognised whatever the language model makes of the rest
TEXT_LINES = (
    f"{OCR_WORD} KIEM TRA SO HOA",
    "Bản điện tử chuyển đổi từ văn bản giấy",
    "Giấy khai sinh, bản sao có chứng thực",
    "Ủy ban nhân dân xã Tân Phước",
    "Người chuyển đổi: Kiểm Tra Tự Động",
    "Số hồ sơ, ngày tiếp nhận, ngày hẹn trả",
)
BW_PROFILE = pipeline.Profile("bw-self-test", "Đen trắng", ColourMode.BW, DPI)
COLOUR_PROFILE = pipeline.Profile("color-self-test", "Màu", ColourMode.COLOR, DPI)
_BACKEND_MODULES = {
    "sane": "app.scanning.sane_backend",
    "wia": "app.scanning.wia_backend",
    "escl": "app.scanning.escl",
    "import": "app.scanning.importer",
}


class SelfTestFailure(Exception):
    """A step ran but its result is wrong."""


def _expect(condition: bool, message: str) -> None:
    # Not `assert`: the check must hold in a bundle built with optimisation too.
    if not condition:
        raise SelfTestFailure(message)


@contextmanager
def _step(steps: dict[str, Any], name: str) -> Iterator[dict[str, Any]]:
    """Record the step's findings under `name`: "ok" with its time, or how it failed."""
    started = time.perf_counter()
    found: dict[str, Any] = {"status": "running"}
    steps[name] = found
    try:
        yield found
    except Exception as error:
        found["status"] = f"failed: {type(error).__name__}: {error}"
        raise
    finally:
        found["seconds"] = round(time.perf_counter() - started, 3)
    if found["status"] == "running":  # a step may have said "skipped: …" itself
        found["status"] = "ok"


def check_digitisation(steps: dict[str, Any], dossier_code: str, procedure_code: str) -> None:
    """Run every digitisation step, recording each in `steps`; raises at the first failure."""
    with _step(steps, "scanner_inputs") as found:
        found["backends"] = _import_scanner_inputs()
    with _step(steps, "pipeline") as found:
        colour, bw = _process_synthetic_page(found)
    meta = _component_meta(dossier_code, procedure_code)
    with _step(steps, "pdf") as found:
        component = _assemble_and_check(found, [colour, bw], meta)
    with _step(steps, "signing") as found:
        p12, password, root = _throwaway_pkcs12()
        signed = signing.sign_pdf_software(component, p12, password)
        found["bytes"] = len(signed)
        _expect(
            pdf_facts.inspect(signed).claims_pdfa_2b, "signing lost the PDF/A-2b identification"
        )
    with _step(steps, "signature_validation") as found:
        _validate_signature(found, signed, root)
    with _step(steps, "ocr") as found:
        _ocr_if_installed(found, colour, meta)


def _import_scanner_inputs() -> list[str]:
    """Every scanner input this platform offers must import (python-sane, httpx, pypdfium2…)."""
    backends = available_backends()
    for backend in backends:
        importlib.import_module(_BACKEND_MODULES[backend])
    if sys.platform == "win32":
        importlib.import_module("comtypes.client")  # wia_backend imports it only when scanning
    return backends


# ---- the page ---------------------------------------------------------------------------------


def _mm_to_px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def synthetic_scan() -> np.ndarray:
    """An RGB page as a flatbed delivers it: printed lines and a red seal on an A5 sheet, turned
    by SKEW_DEG on a dark bed."""
    width, height = _mm_to_px(PAGE_MM[0]), _mm_to_px(PAGE_MM[1])
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.truetype(str(resource_path("fonts", "LiberationSerif-Bold.ttf")), 30)
    for row, text in enumerate(TEXT_LINES):
        draw.text((_mm_to_px(15), _mm_to_px(20 + 12 * row)), text, fill="black", font=font)
    centre, radius = (_mm_to_px(110), _mm_to_px(170)), _mm_to_px(15)
    draw.ellipse(
        (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius),
        outline=(200, 30, 30),
        width=4,
    )
    bed = _mm_to_px(BED_MM)
    bed_colour = (55, 55, 60)
    scan = np.full((height + 2 * bed, width + 2 * bed, 3), bed_colour, np.uint8)
    scan[bed : bed + height, bed : bed + width] = np.asarray(sheet)
    rows, cols = scan.shape[:2]
    turn = cv2.getRotationMatrix2D((cols / 2, rows / 2), SKEW_DEG, 1.0)
    turned: np.ndarray = cv2.warpAffine(
        scan, turn, (cols, rows), flags=cv2.INTER_LINEAR, borderValue=bed_colour
    )
    return turned


def _process_synthetic_page(found: dict[str, Any]) -> tuple[ProcessedPage, ProcessedPage]:
    scan = synthetic_scan()
    raw = RawPage(Image.fromarray(scan), DPI, 1, origin="self-test")
    colour = pipeline.process_page(raw, COLOUR_PROFILE)
    bw = pipeline.process_page(raw, BW_PROFILE)
    found.update(
        skew_deg=round(colour.skew_deg, 2),
        size_px=[colour.width_px, colour.height_px],
        jpeg_bytes=len(colour.data),
        g4_bytes=len(bw.data),
    )
    _expect(abs(colour.skew_deg - SKEW_DEG) < SKEW_TOLERANCE_DEG, "skew not measured")
    _expect(colour.width_px < scan.shape[1], "scanner bed not cropped")
    _expect(not colour.blank, "a printed page was flagged blank")
    _expect(colour.format == PageFormat.JPEG and colour.data[:2] == b"\xff\xd8", "not a JPEG")
    _expect(bw.format == PageFormat.TIFF_G4 and bw.data[:2] in (b"II", b"MM"), "not a TIFF")
    return colour, bw


def _component_meta(dossier_code: str, procedure_code: str) -> ComponentMeta:
    return ComponentMeta(
        dossier_code=dossier_code,
        procedure_code=procedure_code,
        component_position=1,
        component_name="Giấy khai sinh",
        original=False,
        digitised_by="Kiểm Tra Tự Động",
        unit_name="Bộ phận Một cửa",
        digitised_at=datetime.now(VN_TZ),
    )


def _assemble_and_check(
    found: dict[str, Any], pages: list[ProcessedPage], meta: ComponentMeta
) -> bytes:
    component = pdf.assemble(pages, meta)
    facts = pdf_facts.inspect(component, validate=True)  # the validator needs pikepdf's rule data
    found.update(bytes=len(component), pages=facts.pages, pdfa_validator=facts.validator_passed)
    _expect(facts.pages == len(pages), "wrong page count")
    _expect(facts.claims_pdfa_2b and not facts.problems, f"not PDF/A-2b: {facts.problems}")
    read_back = facts.component
    _expect(read_back is not None and read_back.dossier_code == meta.dossier_code, "no metadata")
    _expect(bool(facts.validator_passed), f"PDF/A validator: {facts.validator_findings[:3]}")
    return component


# ---- signing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey


def _issue(subject: str, issuer: _Issued | None) -> _Issued:
    """A one-day certificate: a root CA when `issuer` is None, else a signing certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    is_ca = issuer is None
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name if issuer is None else issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not is_ca,
                content_commitment=not is_ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    signer_key = key if issuer is None else issuer.key
    return _Issued(builder.sign(signer_key, hashes.SHA256()), key)


def _throwaway_pkcs12() -> tuple[bytes, str, x509.Certificate]:
    """A PKCS#12 file's bytes, its password and the root that vouches for it; never stored."""
    root = _issue("MotCua Self-Test Root", None)
    officer = _issue("Kiểm Tra Tự Động", root)
    password = "tu-kiem-tra"
    data = pkcs12.serialize_key_and_certificates(
        b"self-test",
        officer.key,
        officer.cert,
        [root.cert],
        BestAvailableEncryption(password.encode("utf-8")),
    )
    return data, password, root.cert


def _validate_signature(found: dict[str, Any], signed: bytes, root: x509.Certificate) -> None:
    check = signing.verify_signed(signed, [root])
    found.update(
        signer=check.signer_name,
        subfilter=check.subfilter,
        intact=check.intact,
        trusted=check.trusted,
    )
    _expect(check.ok and check.subfilter == signing.PADES_SUBFILTER, "signature not in order")
    # One changed byte in the signed XMP packet must be caught, or validation proves nothing.
    tampered = signed.replace(b">MotCua Desk<", b">MotCua Desc<", 1)
    _expect(tampered != signed, "no signed byte to change")
    intact_after_change = signing.validate(tampered, [root]).intact
    found["tampering_detected"] = not intact_after_change
    _expect(not intact_after_change, "a changed byte went unnoticed")


# ---- OCR --------------------------------------------------------------------------------------


def _ocr_if_installed(found: dict[str, Any], page: ProcessedPage, meta: ComponentMeta) -> None:
    program = shutil.which("tesseract")
    if program is None:
        found["status"] = "skipped: tesseract not installed"
        return
    found["tesseract"] = _tesseract_version(program)
    if ocr.DEFAULT_LANGUAGE not in ocr.installed_languages(program):
        found["status"] = f"skipped: tesseract has no '{ocr.DEFAULT_LANGUAGE}' language data"
        return
    layer = ocr.text_layer([page])
    recognised = _page_text(layer)
    found["words"] = len(recognised.split())
    _expect(OCR_WORD in recognised.upper(), f"{OCR_WORD} not recognised")
    searchable = pdf.assemble([page], meta, ocr_text_pdf=layer)
    found["bytes"] = len(searchable)
    _expect(OCR_WORD in _page_text(searchable).upper(), "text layer lost in the component PDF")


def _tesseract_version(program: str) -> str:
    """The installed tesseract must start in the environment ocr.py gives it. In a frozen Linux
    bundle that environment carries the bundle's LD_LIBRARY_PATH, and a bundled library older
    than the one tesseract was built against stops it from loading; an installation where it
    cannot start is a failure, not a skip."""
    result = subprocess.run(
        [program, "--version"], capture_output=True, timeout=30, check=False, env=os.environ
    )
    output = result.stdout.decode("utf-8", "replace") + result.stderr.decode("utf-8", "replace")
    _expect(result.returncode == 0, f"tesseract does not start: {output.strip()[-300:]}")
    return output.split("\n", 1)[0].strip()


def _page_text(pdf_bytes: bytes) -> str:
    import pypdfium2

    # Alone in its process, but it keeps the rule of every pdfium caller (app.pdfium_lock).
    with PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(pdf_bytes)
        try:
            page = document[0]
            text_page = page.get_textpage()
            text = str(text_page.get_text_range())
            text_page.close()
            page.close()
            return text
        finally:
            document.close()
