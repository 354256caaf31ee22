"""One PDF/A-2b file per dossier component: the scanned pages, the conversion mark, the metadata.

DOMAIN §6 asks for one PDF per component (PDF/A-2b preferred) carrying a visible conversion mark
and the component's metadata. The pages go in exactly as the pipeline compressed them: img2pdf
embeds JPEG and single-strip CCITT G4 data without decoding it, so assembly takes milliseconds
and never costs quality. pikepdf then adds what PDF/A-2b asks of the file: an XMP packet with the
`pdfaid` identification and the metadata in the predefined schemas, a document information
dictionary that agrees with it and carries the DOMAIN §6 fields as `MotCua…` entries, an sRGB
OutputIntent (the pages are DeviceRGB/DeviceGray, which PDF/A allows only under an output
intent), no encryption, no JavaScript. The mark is drawn with reportlab in the bundled Liberation
Serif (embedded, text in NFC) and placed as a form XObject, as is the optional invisible OCR text
layer made by `app.scanning.ocr`.

Reading a component PDF back (`inspect`, `PdfFacts`) lives in `app.scanning.pdf_facts`; the
metadata vocabulary below (`INFO_KEYS`, `ORIGINAL_LABELS`, `XMP_NAMESPACES`) is shared with it.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

import img2pdf
import pikepdf
from PIL import ImageCms
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from app.domain.clock import VN_TZ
from app.domain.errors import AppError
from app.domain.text import clean_text, fold_tokens
from app.scanning.model import CONVERSION_MARK_TEXT, ComponentMeta, ProcessedPage
from resources import resource_path

PRODUCT = "MotCua Desk"
PDFA_FLAVOUR = "2b"
# What `pikepdf.pdfa.resolve_save_kwargs("2b")` pins (a test checks they agree), written out so
# that assembling never imports pikepdf.pdfa and its fontTools/jsonschema/data-file needs: the
# metadata stays as written, object streams are fine in PDF/A-2, no encryption (the default).
PDFA_SAVE_OPTIONS: dict[str, Any] = {
    "min_version": "1.7",
    "deterministic_id": True,
    "fix_metadata_version": False,
    "normalize_content": False,
    "object_stream_mode": pikepdf.ObjectStreamMode.generate,
    "stream_decode_level": pikepdf.StreamDecodeLevel.generalized,
}
SRGB_CONDITION = "sRGB IEC61966-2.1"

# The mark sits in the bottom margin of page 1, right-aligned. NĐ 30/2020 gives official
# documents a 20–25 mm bottom margin, and it is the one band of a scanned page that normally
# holds no ink: the national motto and the issuer fill the top margin, and the signature and
# seal sit above the bottom margin. Page 1 only, as a counter stamps the first sheet of a copy.
MM = 72 / 25.4
MARK_EDGE = 3 * MM  # distance from the page edges; the box stays within ~17 mm of the bottom
MARK_PADDING = 1.5 * MM
MARK_FONT_SIZE = 7.0  # points; shrunk (down to MARK_MIN_FONT_SIZE) before lines wrap
MARK_MIN_FONT_SIZE = 5.5
MARK_BORDER_RGB = (0.08, 0.2, 0.55)  # DeviceRGB only: the output intent is RGB
MARK_FONT = "MotCuaMark-Serif"
MARK_FONT_BOLD = "MotCuaMark-SerifBold"
_MARK_FONT_FILES = {
    MARK_FONT: "LiberationSerif-Regular.ttf",
    MARK_FONT_BOLD: "LiberationSerif-Bold.ttf",
}
# reportlab keeps each document's font-subset state inside the shared TTFont objects.
_render_lock = threading.Lock()

SLUG_MAX = 60


class ComponentPdfError(AppError):
    """The component PDF could not be built or read (codes `pdf.*`)."""


def file_name(meta: ComponentMeta) -> str:
    """`<mã hồ sơ>_<STT>_<slug>.pdf`, e.g. `000.00.20.H12-261123-0001_02_giay-khai-sinh.pdf`.

    The STT has two digits so that a dossier's files sort in checklist order in any file
    manager; the slug is ASCII (diacritics folded, đ → d) because the file travels through
    e-mail, USB sticks and Windows shares that mangle anything else.
    """
    code = re.sub(r"[^A-Za-z0-9.-]+", "-", clean_text(meta.dossier_code)).strip("-.") or "ho-so"
    slug = ""
    for word in fold_tokens(meta.component_name):
        ascii_word = re.sub(r"[^a-z0-9]", "", word)
        if not ascii_word:
            continue
        candidate = f"{slug}-{ascii_word}" if slug else ascii_word
        if len(candidate) > SLUG_MAX:
            break
        slug = candidate
    return f"{code}_{meta.component_position:02d}_{slug or 'thanh-phan'}.pdf"


def mark_lines(meta: ComponentMeta) -> tuple[str, ...]:
    """The conversion mark's text (Luật Giao dịch điện tử 2023 Art. 12, NĐ 137/2024 Art. 4)."""
    return (
        CONVERSION_MARK_TEXT,
        f"Thời gian chuyển đổi: {_vn_time(meta.digitised_at):%d/%m/%Y %H:%M}",
        f"Người chuyển đổi: {clean_text(meta.digitised_by)}",
        f"Đơn vị: {clean_text(meta.unit_name)}",
    )


def assemble(
    pages: Sequence[ProcessedPage],
    meta: ComponentMeta,
    *,
    ocr_text_pdf: bytes | None = None,
) -> bytes:
    """The component's PDF/A-2b bytes: `pages` in order, the optional invisible text layer
    (one page per page, as `app.scanning.ocr` makes it), the conversion mark on page 1 and the
    metadata. Deterministic: the same input gives the same bytes."""
    if not pages:
        raise ComponentPdfError("pdf.no_pages", "Chưa có trang nào để tạo tệp PDF cho thành phần.")
    keep_open: list[pikepdf.Pdf] = []  # qpdf copies foreign streams lazily, at save time
    try:
        pdf = pikepdf.open(io.BytesIO(_images_pdf(pages)))
        keep_open.append(pdf)
        if ocr_text_pdf is not None:
            keep_open.append(_overlay_text_layer(pdf, ocr_text_pdf))
        keep_open.append(_stamp_mark(pdf, meta))
        _declare_pdfa(pdf, meta, len(pages))
        if "/ID" in pdf.trailer:  # img2pdf's is random; qpdf derives one from the content
            del pdf.trailer.ID
        out = io.BytesIO()
        pdf.save(out, **PDFA_SAVE_OPTIONS)
        return out.getvalue()
    finally:
        for doc in reversed(keep_open):
            doc.close()


def _images_pdf(pages: Sequence[ProcessedPage]) -> bytes:
    """img2pdf with one page per image, sized from each page's own dpi (not the file's header)."""
    sizes = iter([(p.width_px, p.height_px, p.dpi) for p in pages])

    def layout(width_px: int, height_px: int, _ndpi: object) -> tuple[float, ...]:
        expected_w, expected_h, dpi = next(sizes)
        if (width_px, height_px) != (expected_w, expected_h):
            raise ComponentPdfError(
                "pdf.bad_page",
                "Dữ liệu ảnh của một trang không khớp với kích thước đã ghi nhận, xin quét lại.",
            )
        width_pt, height_pt = width_px * 72 / dpi, height_px * 72 / dpi
        return width_pt, height_pt, width_pt, height_pt

    try:
        data: bytes = img2pdf.convert(
            [p.data for p in pages],
            layout_fun=layout,
            nodate=True,
            first_frame_only=True,
            rotation=img2pdf.Rotation.ifvalid,
        )
    except ComponentPdfError:
        raise
    except Exception as exc:  # img2pdf raises bare ValueError/ImageOpenError/AlphaChannelError
        raise ComponentPdfError(
            "pdf.bad_page", "Không đọc được dữ liệu ảnh của một trang, xin quét lại thành phần này."
        ) from exc
    return data


def _overlay_text_layer(pdf: pikepdf.Pdf, text_pdf_bytes: bytes) -> pikepdf.Pdf:
    text_pdf = pikepdf.open(io.BytesIO(text_pdf_bytes))
    if len(text_pdf.pages) != len(pdf.pages):
        text_pdf.close()
        raise ComponentPdfError(
            "pdf.ocr_page_count",
            "Lớp văn bản nhận dạng không khớp số trang của thành phần, xin nhận dạng lại.",
        )
    for page, text_page in zip(pdf.pages, text_pdf.pages, strict=True):
        _overlay(page, text_page, "/MotCuaTextLayer")
    return text_pdf


def _overlay(page: pikepdf.Page, layer: pikepdf.Page, name: str) -> None:
    """Draw `layer`, scaled to fit, over `page` as a form XObject. Like pikepdf's add_overlay,
    but under a fixed resource name: add_overlay picks a random one, so equal input would not
    give equal bytes."""
    placed = page.add_resource(
        layer.as_form_xobject(), pikepdf.Name.XObject, pikepdf.Name(name), replace_existing=False
    )
    form = page.resources.XObject[placed]
    placement = page.calc_form_xobject_placement(
        form,
        placed,
        pikepdf.Rectangle(page.mediabox),
        invert_transformations=True,
        allow_shrink=True,
        allow_expand=True,
    )
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"Q\n" + placement, prepend=False)
    page.contents_coalesce()


@lru_cache(maxsize=1)
def _register_mark_fonts() -> None:
    for name, file in _MARK_FONT_FILES.items():  # registering twice (a race) is harmless
        pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", file))))


def _stamp_mark(pdf: pikepdf.Pdf, meta: ComponentMeta) -> pikepdf.Pdf:
    first = pdf.pages[0]
    box = pikepdf.Rectangle(first.mediabox)
    overlay = pikepdf.open(io.BytesIO(_mark_overlay(box.width, box.height, mark_lines(meta))))
    _overlay(first, overlay.pages[0], "/MotCuaConversionMark")
    return overlay


def _width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


def _mark_overlay(page_w: float, page_h: float, lines: Sequence[str]) -> bytes:
    """A page of the given size holding only the mark: a white box with a thin border."""
    _register_mark_fonts()
    rows, size = _fit_mark(lines, page_w - 2 * MARK_EDGE - 2 * MARK_PADDING)
    leading = 1.2 * size
    box_w = max(_width(text, face, size) for face, text in rows) + 2 * MARK_PADDING
    box_h = leading * len(rows) - 0.2 * size + 2 * MARK_PADDING
    x, y = page_w - MARK_EDGE - box_w, MARK_EDGE
    buffer = io.BytesIO()
    with _render_lock:
        # The initial font is set in the constructor: reportlab otherwise writes a reference to
        # a non-embedded Helvetica into the page before the first setFont (ENVIRONMENT trap 11).
        canvas = Canvas(
            buffer,
            pagesize=(page_w, page_h),
            invariant=1,
            pageCompression=1,
            initialFontName=MARK_FONT,
            initialFontSize=size,
        )
        canvas.setLineWidth(0.6)
        canvas.setStrokeColorRGB(*MARK_BORDER_RGB)
        canvas.setFillColorRGB(1, 1, 1)
        canvas.rect(x, y, box_w, box_h, stroke=1, fill=1)
        baseline = y + box_h - MARK_PADDING - 0.9 * size
        for face, text in rows:
            canvas.setFillColorRGB(*(MARK_BORDER_RGB if face == MARK_FONT_BOLD else (0, 0, 0)))
            canvas.setFont(face, size)
            canvas.drawString(x + MARK_PADDING, baseline, text)
            baseline -= leading
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def _fit_mark(lines: Sequence[str], max_width: float) -> tuple[list[tuple[str, str]], float]:
    """(face, text) rows and the font size: smaller type first, wrapping only if still needed."""
    faces = [MARK_FONT_BOLD] + [MARK_FONT] * (len(lines) - 1)
    texts = [clean_text(line) for line in lines]  # NFC: reportlab does no mark positioning
    size = MARK_FONT_SIZE
    while (
        size > MARK_MIN_FONT_SIZE
        and max(map(_width, texts, faces, [size] * len(texts))) > max_width
    ):
        size -= 0.25
    rows = [
        (face, part)
        for face, text in zip(faces, texts, strict=True)
        for part in simpleSplit(text, face, size, max_width)
    ]
    return rows, size


@lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    """An sRGB ICC profile (LittleCMS built-in, ICC v4: PDF/A-2 accepts up to v4), generated at
    run time so that no binary profile has to ship with the application."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    # LittleCMS stamps the current time into the header (bytes 24–35); a fixed date keeps
    # assembly deterministic. If a profile ID (MD5, bytes 84–99) is present it covers the date,
    # so it is recomputed the ICC way: with flags, intent and the ID itself zeroed.
    profile[24:36] = struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
    if any(profile[84:100]):
        unsigned = bytearray(profile)
        unsigned[44:48], unsigned[64:68], unsigned[84:100] = bytes(4), bytes(4), bytes(16)
        profile[84:100] = hashlib.md5(unsigned, usedforsecurity=False).digest()
    return bytes(profile)


def _declare_pdfa(pdf: pikepdf.Pdf, meta: ComponentMeta, page_count: int) -> None:
    """OutputIntent, XMP packet and an Info dictionary that says the same (ISO 19005-2 6.6.2)."""
    profile = pdf.make_stream(srgb_profile())
    profile.N = 3
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier=SRGB_CONDITION,
        Info=SRGB_CONDITION,
        DestOutputProfile=profile,
    )
    pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(intent)])
    pdf.Root.Lang = pikepdf.String("vi")

    doc = _DocText.of(meta, page_count)
    metadata = pdf.make_stream(_xmp_packet(doc))
    metadata.Type = pikepdf.Name.Metadata
    metadata.Subtype = pikepdf.Name.XML
    pdf.Root.Metadata = metadata

    info = pikepdf.Dictionary(
        Title=pikepdf.String(doc.title),
        Author=pikepdf.String(doc.author),
        Subject=pikepdf.String(doc.subject),
        Keywords=pikepdf.String("; ".join(doc.keywords)),
        Creator=pikepdf.String(PRODUCT),
        Producer=pikepdf.String(PRODUCT),
        CreationDate=pikepdf.String(_pdf_date(doc.moment)),
        ModDate=pikepdf.String(_pdf_date(doc.moment)),
    )
    for field, key in INFO_KEYS.items():
        info[pikepdf.Name(key)] = pikepdf.String(doc.fields[field])
    pdf.docinfo = pdf.make_indirect(info)


def _vn_time(moment: datetime) -> datetime:
    return moment.astimezone(VN_TZ) if moment.tzinfo else moment.replace(tzinfo=VN_TZ)


def _pdf_date(moment: datetime) -> str:
    """`D:20261123091500+07'00'` (ISO 32000-1 7.9.4)."""
    offset = moment.strftime("%z")
    return f"D:{moment:%Y%m%d%H%M%S}{offset[:3]}'{offset[3:]}'"


# --------------------------------------------------------------------------------- metadata

# The DOMAIN §6 fields, exactly, as custom entries of the Info dictionary (PDF/A-2 allows
# them). The XMP packet says the same in the predefined schemas only (dc:title, dc:creator,
# dc:publisher, dc:source, dc:subject…): a custom XMP namespace would need a pdfaExtension
# schema, which the allowlist validator we check against does not accept.
INFO_KEYS = {
    "dossier_code": "/MotCuaDossierCode",
    "procedure_code": "/MotCuaProcedureCode",
    "component_position": "/MotCuaComponentPosition",
    "component_name": "/MotCuaComponentName",
    "original": "/MotCuaOriginal",
    "pages": "/MotCuaPages",
    "digitised_by": "/MotCuaDigitisedBy",
    "unit_name": "/MotCuaUnit",
    "digitised_at": "/MotCuaDigitisedAt",
}
ORIGINAL_LABELS = {True: "Bản chính", False: "Bản sao"}
XMP_NAMESPACES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}


@dataclass(frozen=True)
class _DocText:
    """Every metadata value of one component, written identically to XMP and to Info."""

    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    moment: datetime
    fields: dict[str, str]

    @classmethod
    def of(cls, meta: ComponentMeta, page_count: int) -> _DocText:
        moment = _vn_time(meta.digitised_at).replace(microsecond=0)
        fields = {
            "dossier_code": clean_text(meta.dossier_code),
            "procedure_code": clean_text(meta.procedure_code),
            "component_position": str(meta.component_position),
            "component_name": clean_text(meta.component_name),
            "original": ORIGINAL_LABELS[meta.original],
            "pages": str(page_count),
            "digitised_by": clean_text(meta.digitised_by),
            "unit_name": clean_text(meta.unit_name),
            "digitised_at": moment.isoformat(),
        }
        return cls(
            title=fields["component_name"],
            author=fields["digitised_by"],
            subject=(
                f"Hồ sơ {fields['dossier_code']}, thủ tục {fields['procedure_code']}, "
                f"thành phần số {meta.component_position}: {fields['component_name']} "
                f"({fields['original'].lower()}, {page_count} trang)"
            ),
            keywords=(fields["dossier_code"], fields["procedure_code"], "số hóa"),
            moment=moment,
            fields=fields,
        )


def _xmp_packet(doc: _DocText) -> bytes:
    def simple(tag: str, value: str) -> str:
        return f"<{tag}>{escape(value)}</{tag}>"

    def array(tag: str, kind: str, *items: str, lang: bool = False) -> str:
        attr = ' xml:lang="x-default"' if lang else ""
        lis = "".join(f"<rdf:li{attr}>{escape(item)}</rdf:li>" for item in items)
        return f"<{tag}><rdf:{kind}>{lis}</rdf:{kind}></{tag}>"

    moment = doc.moment.isoformat()
    namespaces = " ".join(f'xmlns:{p}="{uri}"' for p, uri in XMP_NAMESPACES.items() if p != "rdf")
    lines = [
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
        f'<rdf:RDF xmlns:rdf="{XMP_NAMESPACES["rdf"]}">',
        f'<rdf:Description rdf:about="" {namespaces}>',
        simple("pdfaid:part", "2"),
        simple("pdfaid:conformance", "B"),
        simple("dc:format", "application/pdf"),
        array("dc:title", "Alt", doc.title, lang=True),
        array("dc:creator", "Seq", doc.author),
        array("dc:publisher", "Bag", doc.fields["unit_name"]),
        array("dc:description", "Alt", doc.subject, lang=True),
        simple("dc:identifier", doc.fields["dossier_code"]),
        simple("dc:source", doc.fields["original"]),  # the paper this file was converted from
        array("dc:subject", "Bag", *doc.keywords),
        array("dc:language", "Bag", "vi"),
        simple("pdf:Keywords", "; ".join(doc.keywords)),
        simple("pdf:Producer", PRODUCT),
        simple("xmp:CreatorTool", PRODUCT),
        simple("xmp:CreateDate", moment),
        simple("xmp:ModifyDate", moment),
        simple("xmp:MetadataDate", moment),
        "</rdf:Description>",
        "</rdf:RDF>",
        "</x:xmpmeta>",
        '<?xpacket end="w"?>',
    ]
    return "\n".join(lines).encode("utf-8")
