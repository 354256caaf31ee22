"""What every printed document shares: page formats, paragraph styles, the common header, the
signature block, and the page decorations (page numbers, «Bản in lại», the preview watermark).

`build_pdf` is the one place a reportlab document is built: it registers the fonts and starts the
canvas in Liberation Serif (reportlab's canvas otherwise opens every page with a Helvetica
reference, which is not embedded), builds deterministically (`invariant`: no timestamp or random
id in the file, so a fixed clock gives the same bytes), and decorates pages only once their total
is known, so «Trang x/y» is right and each copy of a two-copy receipt is numbered on its own.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.domain.text import nfc
from app.services.document_data import Issuer
from printing.fonts import SERIF, SERIF_BOLD, SERIF_BOLD_ITALIC, SERIF_ITALIC, register_fonts
from printing.templates import FormTemplate


@dataclass(frozen=True)
class PageSpec:
    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float

    @property
    def content_width(self) -> float:
        return self.width - self.left - self.right


# NĐ 30/2020 margins are for A4; on A5 the same proportions leave too little room, so the
# left (binding) margin stays the widest and the others shrink.
A5_PORTRAIT = PageSpec(148 * mm, 210 * mm, 15 * mm, 11 * mm, 9.5 * mm, 9 * mm)
_A4_WIDE, _A4_HIGH = landscape(A4)
A4_LANDSCAPE = PageSpec(_A4_WIDE, _A4_HIGH, 15 * mm, 10 * mm, 16 * mm, 13 * mm)
THERMAL_WIDTH = 80 * mm
THERMAL_MARGIN = 4 * mm  # 72 mm printable on the usual 80 mm roll printer


def thermal_page(content_height: float) -> PageSpec:
    """A page of the roll just long enough for `content_height` of text plus its margins."""
    top, bottom = 5 * mm, 6 * mm
    return PageSpec(
        THERMAL_WIDTH, content_height + top + bottom, THERMAL_MARGIN, THERMAL_MARGIN, top, bottom
    )


def text(value: object) -> str:
    """Data as paragraph markup: NFC (trap: reportlab cannot place combining marks) and escaped,
    so a name with «&» or «<» prints as written instead of breaking the paragraph parser."""
    return escape(nfc(str(value)))


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    body_justified: ParagraphStyle
    bold: ParagraphStyle
    center: ParagraphStyle
    center_bold: ParagraphStyle
    center_italic: ParagraphStyle
    title: ParagraphStyle
    small: ParagraphStyle
    small_center: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_head: ParagraphStyle
    size: float


def make_styles(size: float = 11) -> Styles:
    register_fonts()
    lead = size * 1.18

    def style(name: str, **kw: Any) -> ParagraphStyle:
        base: dict[str, Any] = {"fontName": SERIF, "fontSize": size, "leading": lead}
        return ParagraphStyle(name, **(base | kw))

    small = size - 2
    return Styles(
        body=style("body", alignment=TA_LEFT, spaceAfter=size * 0.15),
        body_justified=style("body_justified", alignment=TA_JUSTIFY, spaceAfter=size * 0.15),
        bold=style("bold", fontName=SERIF_BOLD),
        center=style("center", alignment=TA_CENTER),
        center_bold=style("center_bold", alignment=TA_CENTER, fontName=SERIF_BOLD),
        center_italic=style("center_italic", alignment=TA_CENTER, fontName=SERIF_ITALIC),
        title=style(
            "title",
            alignment=TA_CENTER,
            fontName=SERIF_BOLD,
            fontSize=size + 2,
            leading=(size + 2) * 1.2,
            spaceBefore=size * 0.5,
            spaceAfter=size * 0.1,
        ),
        small=style("small", fontSize=small, leading=small * 1.2),
        small_center=style("small_center", fontSize=small, leading=small * 1.2, alignment=1),
        cell=style("cell", fontSize=size - 1, leading=(size - 1) * 1.18),
        cell_center=style("cell_center", fontSize=size - 1, leading=(size - 1) * 1.18, alignment=1),
        cell_head=style(
            "cell_head",
            fontName=SERIF_BOLD,
            fontSize=size - 1,
            leading=(size - 1) * 1.18,
            alignment=TA_CENTER,
        ),
        size=size,
    )


def table_style(commands: Sequence[tuple[Any, ...]]) -> TableStyle:
    """A TableStyle whose cells start in the document's font: reportlab sets each cell's font
    before drawing it, Helvetica unless told otherwise, and that reference alone puts a
    non-embedded Helvetica into the PDF."""
    return TableStyle([("FONT", (0, 0), (-1, -1), SERIF, 10), *commands])


class Rule(Flowable):  # type: ignore[misc]
    """A centred horizontal line `gap` below the text above it: the short rule under the issuing
    unit, the underline of the motto."""

    def __init__(self, width: float, *, thickness: float = 0.6, gap: float = 2.5) -> None:
        super().__init__()
        self.rule_width = width
        self.thickness = thickness
        self.gap = gap

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._available = available_width
        return available_width, self.gap + self.thickness

    def draw(self) -> None:
        x = (self._available - self.rule_width) / 2
        self.canv.setLineWidth(self.thickness)
        self.canv.line(x, self.thickness / 2, x + self.rule_width, self.thickness / 2)


class GroupStart(Flowable):  # type: ignore[misc]
    """Marks where a copy («Liên 1: Lưu») begins, so pages are numbered per copy."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.page_group = self.label


def header_block(
    issuer: Issuer, place_date: str, template: FormTemplate, styles: Styles, width: float
) -> Table:
    """The common header (DOMAIN §5): parent body and issuing unit on the left, the national motto
    (its second line underlined) and the italic place and date on the right."""
    size = styles.size - 1
    left_style = ParagraphStyle("hl", parent=styles.center, fontSize=size, leading=size * 1.2)
    left_bold = ParagraphStyle("hlb", parent=left_style, fontName=SERIF_BOLD)
    motto_words = template.text("motto_words")
    motto_size = size + 0.5
    right_country = ParagraphStyle("hr", parent=left_bold, fontSize=size - 0.5)
    right_words = ParagraphStyle("hw", parent=left_bold, fontSize=motto_size)
    left: list[Flowable] = []
    if issuer.parent_name:
        left.append(Paragraph(text(issuer.parent_name.upper()), left_style))
    left += [Paragraph(text(issuer.name.upper()), left_bold), Rule(min(22 * mm, width * 0.2))]
    words_width = stringWidth(motto_words, SERIF_BOLD, motto_size)
    right: list[Flowable] = [
        Paragraph(text(template.text("motto_country")), right_country),
        Paragraph(text(motto_words), right_words),
        Rule(words_width, gap=1.5),
    ]
    date_style = ParagraphStyle("hd", parent=styles.center_italic, fontSize=size + 0.5)
    table = Table(
        [[left, right], ["", Paragraph(text(place_date), date_style)]],
        colWidths=[width * 0.42, width * 0.58],
        style=table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 1), (-1, 1), 3),
            ]
        ),
    )
    return table


def signature_block(
    blocks: Sequence[tuple[str, str, str]],
    styles: Styles,
    width: float,
    *,
    gap: float = 12 * mm,
    between: Sequence[Flowable] = (),
    between_width: float = 0,
) -> Table:
    """Signature columns side by side: (title, hint, printed name) each. `between` (e.g. the
    look-up QR code) sits in a narrow column between two signatures, in space otherwise empty."""
    cells: list[object] = []
    for title, hint, name in blocks:
        column: list[Flowable] = [
            Paragraph(text(title), styles.center_bold),
            Paragraph(text(hint), ParagraphStyle("sh", parent=styles.center_italic, fontSize=9)),
            Spacer(1, gap),
        ]
        if name:
            column.append(Paragraph(text(name), styles.center_bold))
        cells.append(column)
    widths = [width / len(blocks)] * len(blocks)
    if between and len(blocks) == 2:
        side = (width - between_width) / 2
        cells.insert(1, list(between))
        widths = [side, between_width, side]
    return Table(
        [cells],
        colWidths=widths,
        style=table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("VALIGN", (1, 0), (1, 0), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )


@dataclass(frozen=True)
class Decorations:
    """What is drawn on every page once the page count is known."""

    watermark: str | None = None
    reprint_text: str | None = None
    form_no: str | None = None
    page_format: str | None = None  # «Trang {page}/{pages}»
    group_page_format: str | None = None  # «{copy} – Trang {page}/{pages}»
    number_single_pages: bool = False
    running_header: str | None = None
    font_size: float = 8
    margin: float = 8 * mm  # x of the top-left and top-right marks


class _DecoratedCanvas(Canvas):  # type: ignore[misc]
    """Keeps each finished page until `save`, then draws the decorations that need the totals."""

    decorations = Decorations()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[tuple[dict[str, Any], str]] = []
        self.page_group = ""

    def showPage(self) -> None:
        self._pages.append((dict(self.__dict__), self.page_group))
        self._startPage()

    def save(self) -> None:
        totals: dict[str, int] = {}
        for _, group in self._pages:
            totals[group] = totals.get(group, 0) + 1
        seen: dict[str, int] = {}
        for state, group in self._pages:
            self.__dict__.update(state)
            seen[group] = seen.get(group, 0) + 1
            self._decorate(seen[group], totals[group], group)
            Canvas.showPage(self)
        Canvas.save(self)

    def _decorate(self, page: int, pages: int, group: str) -> None:
        d = self.decorations
        width, height = self._pagesize
        self.saveState()
        self.setFillColor(colors.black)
        if d.running_header:
            self.setFont(SERIF_ITALIC, d.font_size)
            self.drawString(d.margin, height - 10 * mm, d.running_header)
        if d.form_no:
            self.setFont(SERIF_ITALIC, d.font_size)
            self.drawRightString(width - d.margin, height - 5.5 * mm, d.form_no)
        if d.reprint_text:
            self.setFont(SERIF_BOLD_ITALIC, d.font_size + 1)
            self.drawString(d.margin, height - 5.5 * mm, d.reprint_text)
        if d.page_format and (pages > 1 or d.number_single_pages):
            self.setFont(SERIF, d.font_size)
            if group and d.group_page_format:
                label = d.group_page_format.format(copy=group, page=page, pages=pages)
            else:
                label = d.page_format.format(page=page, pages=pages)
            self.drawCentredString(width / 2, 4.5 * mm, label)
        if d.watermark:
            self._watermark(d.watermark, width, height)
        self.restoreState()

    def _watermark(self, mark: str, width: float, height: float) -> None:
        # Across the page diagonal, translucent so the form stays legible under it.
        diagonal = (width**2 + height**2) ** 0.5
        size = min(46.0, 0.82 * diagonal / stringWidth(mark, SERIF_BOLD, 1))
        self.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.35))
        self.setFont(SERIF_BOLD, size)
        self.translate(width / 2, height / 2)
        self.rotate(math.degrees(math.atan2(height, width)))
        self.drawCentredString(0, -size / 3, mark)


def build_pdf(
    story: list[Flowable],
    spec: PageSpec,
    decorations: Decorations,
    *,
    title: str,
    subject: str = "",
) -> bytes:
    """Lay `story` out on `spec` pages and return the PDF bytes."""
    register_fonts()
    buffer = io.BytesIO()
    canvas_class = type("DocumentCanvas", (_DecoratedCanvas,), {"decorations": decorations})
    doc = BaseDocTemplate(
        buffer,
        pagesize=(spec.width, spec.height),
        leftMargin=spec.left,
        rightMargin=spec.right,
        topMargin=spec.top,
        bottomMargin=spec.bottom,
        title=nfc(title),
        subject=nfc(subject),
        author="MotCua Desk",
        creator="MotCua Desk",
        invariant=True,
        initialFontName=SERIF,
        initialFontSize=10,
        initialLeading=12,
        lang="vi",
    )
    frame = Frame(
        spec.left,
        spec.bottom,
        spec.content_width,
        spec.height - spec.top - spec.bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()
