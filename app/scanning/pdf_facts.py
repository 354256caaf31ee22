"""Reading a component PDF back: what it says about itself, and whether it is PDF/A-2b.

`inspect` serves the tests, the import path and the CLI summary. It reads the page count and
sizes, the XMP `pdfaid` identification, the DOMAIN §6 fields that `app.scanning.pdf` writes as
`MotCua…` Info entries, and runs quick PDF/A-2b checks (XMP present and unfiltered, an output
intent, embedded fonts, no encryption, no JavaScript). With `validate=True` it also runs
pikepdf's allowlist PDF/A-2b validator (`pikepdf.pdfa`, built on the veraPDF rule catalogue),
which approves only what it recognises as conforming; it is imported only then, as it brings
fontTools, jsonschema and their data files.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import datetime
from xml.etree import ElementTree

import pikepdf

from app.scanning.model import ComponentMeta
from app.scanning.pdf import (
    INFO_KEYS,
    ORIGINAL_LABELS,
    PDFA_FLAVOUR,
    XMP_NAMESPACES,
    ComponentPdfError,
)


@dataclass(frozen=True)
class PdfFacts:
    """What a component PDF says about itself, read back from the file."""

    pages: int
    page_sizes_pt: tuple[tuple[float, float], ...]
    pdf_version: str
    pdfa_part: int | None  # from XMP pdfaid:part
    pdfa_conformance: str | None  # from XMP pdfaid:conformance ("B")
    title: str
    component: ComponentMeta | None  # None when the MotCua… Info entries are missing
    pages_recorded: int | None  # /MotCuaPages, to compare with `pages`
    has_output_intent: bool
    encrypted: bool
    has_javascript: bool
    unembedded_fonts: tuple[str, ...]
    problems: tuple[str, ...]  # codes of the quick PDF/A-2b checks in inspect() that failed
    validator_passed: bool | None = None  # None when inspect() was not asked to validate
    validator_findings: tuple[str, ...] = ()

    @property
    def claims_pdfa_2b(self) -> bool:
        return self.pdfa_part == 2 and (self.pdfa_conformance or "").upper() == "B"


def inspect(pdf_bytes: bytes, *, validate: bool = False) -> PdfFacts:
    """The facts of a component PDF; `validate=True` adds the allowlist validator's verdict
    (~30 ms for ten A4 pages). Raises ComponentPdfError when the file cannot be opened."""
    try:
        pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    except pikepdf.PasswordError as exc:
        raise ComponentPdfError(
            "pdf.password", "Tệp PDF được đặt mật khẩu nên phần mềm không mở được, xin kiểm tra."
        ) from exc
    except pikepdf.PdfError as exc:
        raise ComponentPdfError(
            "pdf.unreadable", "Tệp PDF bị hỏng hoặc không đúng định dạng, xin kiểm tra lại tệp."
        ) from exc
    with pdf:
        metadata = pdf.Root.get("/Metadata")
        packet = metadata.read_bytes() if isinstance(metadata, pikepdf.Stream) else b""
        xmp = _read_xmp(packet) if packet else {}
        info = {str(key): str(value) for key, value in pdf.docinfo.items()}
        part = xmp.get(_qname("pdfaid", "part"), "")
        recorded = info.get(INFO_KEYS["pages"], "")
        unembedded = _unembedded_fonts(pdf)
        has_intent = _has_pdfa_output_intent(pdf)
        javascript = _has_javascript(pdf)
        checks = {
            "xmp.missing": not packet,
            # ISO 19005-2 6.6.2.1: the packet must stay readable without decoding.
            "xmp.filtered": isinstance(metadata, pikepdf.Stream) and "/Filter" in metadata,
            "xmp.no_pdfa_id": not part.isdigit(),
            "output_intent.missing": not has_intent,
            "font.not_embedded": bool(unembedded),
            "encrypted": pdf.is_encrypted,
            "javascript": javascript,
        }
        facts = PdfFacts(
            pages=len(pdf.pages),
            page_sizes_pt=tuple(
                (float(box.width), float(box.height))
                for box in (pikepdf.Rectangle(p.mediabox) for p in pdf.pages)
            ),
            pdf_version=pdf.pdf_version,
            pdfa_part=int(part) if part.isdigit() else None,
            pdfa_conformance=xmp.get(_qname("pdfaid", "conformance")),
            title=xmp.get(_qname("dc", "title")) or info.get("/Title", ""),
            component=_component_from(info),
            pages_recorded=int(recorded) if recorded.isdigit() else None,
            has_output_intent=has_intent,
            encrypted=pdf.is_encrypted,
            has_javascript=javascript,
            unembedded_fonts=unembedded,
            problems=tuple(code for code, failed in checks.items() if failed),
        )
    if not validate:
        return facts
    from pikepdf.pdfa import validate_written

    report = validate_written(io.BytesIO(pdf_bytes), PDFA_FLAVOUR)
    findings = tuple(str(finding) for finding in report.findings)
    return replace(facts, validator_findings=findings, validator_passed=report.passed)


def _has_pdfa_output_intent(pdf: pikepdf.Pdf) -> bool:
    return any(
        intent.get("/S") == pikepdf.Name.GTS_PDFA1
        and isinstance(intent.get("/DestOutputProfile"), pikepdf.Stream)
        for intent in pdf.Root.get("/OutputIntents", pikepdf.Array())
    )


def _has_javascript(pdf: pikepdf.Pdf) -> bool:
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        return True
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and (
            obj.get("/S") == pikepdf.Name.JavaScript or "/JS" in obj
        ):
            return True
    return False


def _unembedded_fonts(pdf: pikepdf.Pdf) -> tuple[str, ...]:
    """Base names of the fonts, on any page or in any form XObject, with no font program."""
    missing: set[str] = set()
    seen_forms: set[tuple[int, int]] = set()

    def walk(resources: object) -> None:
        if not isinstance(resources, pikepdf.Dictionary):
            return
        fonts = resources.get("/Font")
        if isinstance(fonts, pikepdf.Dictionary):
            for _, font in fonts.items():
                if not _font_embedded(font):
                    missing.add(str(font.get("/BaseFont", "?")))
        xobjects = resources.get("/XObject")
        if isinstance(xobjects, pikepdf.Dictionary):
            for _, xobject in xobjects.items():
                if (
                    xobject.get("/Subtype") == pikepdf.Name.Form
                    and xobject.objgen not in seen_forms
                ):
                    seen_forms.add(xobject.objgen)
                    walk(xobject.get("/Resources"))

    for page in pdf.pages:
        walk(page.obj.get("/Resources"))
    return tuple(sorted(missing))


def _font_embedded(font: pikepdf.Object) -> bool:
    subtype = font.get("/Subtype")
    if subtype == pikepdf.Name.Type3:
        return True  # glyphs are content streams in the file
    if subtype == pikepdf.Name.Type0:
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor")
    return isinstance(descriptor, pikepdf.Dictionary) and any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
    )


# ---------------------------------------------------------------------------- metadata read back


def _qname(prefix: str, name: str) -> str:
    return "{" + XMP_NAMESPACES[prefix] + "}" + name


def _read_xmp(packet: bytes) -> dict[str, str]:
    """Simple properties as `{namespace}name` → text, from any producer's packet (attribute or
    element form; the first item of an array)."""
    try:
        root = ElementTree.fromstring(packet)
    except ElementTree.ParseError:
        return {}
    rdf = "{" + XMP_NAMESPACES["rdf"] + "}"
    props: dict[str, str] = {}
    for description in root.iter(rdf + "Description"):
        for key, value in description.attrib.items():
            if not key.startswith(rdf):
                props.setdefault(key, value)
        for child in description:
            item = child.find(f".//{rdf}li")
            props.setdefault(child.tag, ((item if item is not None else child).text or "").strip())
    return props


def _component_from(info: dict[str, str]) -> ComponentMeta | None:
    """The component's metadata from our Info entries; None if any is missing or malformed."""
    values = {field: info.get(key, "") for field, key in INFO_KEYS.items()}
    try:
        return ComponentMeta(
            dossier_code=values["dossier_code"],
            procedure_code=values["procedure_code"],
            component_position=int(values["component_position"]),
            component_name=values["component_name"],
            original={v: k for k, v in ORIGINAL_LABELS.items()}[values["original"]],
            digitised_by=values["digitised_by"],
            unit_name=values["unit_name"],
            digitised_at=datetime.fromisoformat(values["digitised_at"]),
        )
    except (KeyError, ValueError):
        return None
