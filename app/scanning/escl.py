"""Network scanners speaking eSCL ("AirScan", Mopria): capabilities, scan jobs, the page loop.

The clerk types the scanner's address (an IP, "host:port" or a URL); `devices()` lists the
configured addresses whose /eSCL/ScannerCapabilities answers. A scan POSTs ScanSettings to
/eSCL/ScanJobs (201 + Location), then GETs {job}/NextDocument until 404: 200 carries a page,
503 means "busy, retry after a moment". Why a job stopped (jam, empty feeder, open door) is read
from /eSCL/ScannerStatus, whose AdfState is the only place eSCL says it. The job is DELETEd at the
end whatever happened, so the scanner is free for the next clerk. mDNS discovery (_uscan._tcp) is
not done: counters type the address once and it is kept in the settings.

Network scanners come with self-signed certificates, so https is used without verifying them
(`verify_tls=True` for one with a real certificate); the LAN is the trust boundary either way.
XML comes from the device and is parsed with the stdlib, whose expat (≥ 2.4) refuses entity
expansion bombs.
"""

from __future__ import annotations

import io
import logging
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx
import pypdfium2 as pdfium
from PIL import Image

from app.scanning import pdf_pages
from app.scanning.backends import device_error, unsupported_setting
from app.scanning.model import (
    ALLOWED_DPI,
    MODE_LABELS,
    PAPER_SIZES_MM,
    SOURCE_LABELS,
    ColourMode,
    DeviceInfo,
    RawPage,
    ScanError,
    ScanSettings,
    Source,
)

log = logging.getLogger(__name__)

NS = {
    "scan": "http://schemas.hp.com/imaging/escl/2011/05/03",
    "pwg": "http://www.pwg.org/schemas/2010/12/sm",
}
ID_PREFIX = "escl:"
UNITS_PER_INCH = 300  # eSCL regions are in 1/300 inch
_SOURCE_TAGS = {
    Source.FLATBED: "scan:Platen/scan:PlatenInputCaps",
    Source.ADF: "scan:Adf/scan:AdfSimplexInputCaps",
    Source.ADF_DUPLEX: "scan:Adf/scan:AdfDuplexInputCaps",
}
_FORMATS = ("image/jpeg", "application/pdf", "image/png")  # in order of preference
# AdfState values → our codes (names as devices send them; sane-airscan's list plus the PWG ones).
_ADF_STATES = {
    "ScannerAdfJam": "scan.jammed",
    "ScannerAdfMispick": "scan.jammed",
    "ScannerAdfMultipickDetected": "scan.jammed",
    "ScannerAdfEmpty": "scan.no_paper",
    "ScannerAdfProcessing": "scan.no_paper",  # Kyocera's way of saying empty (sane-airscan)
    "ScannerAdfDoorOpen": "scan.cover_open",
    "ScannerAdfHatchOpen": "scan.cover_open",
}


@dataclass(frozen=True)
class SourceCaps:
    modes: tuple[str, ...]  # eSCL names: RGB24, Grayscale8, BlackAndWhite1
    resolutions: tuple[int, ...]  # discrete resolutions (X = Y), empty when a range is given
    resolution_range: tuple[int, int, int] | None  # (min, max, step)
    formats: tuple[str, ...]
    max_width: int  # 1/300 inch
    max_height: int
    min_width: int = 0
    min_height: int = 0

    def supports(self, dpi: int) -> bool:
        if self.resolutions:
            return dpi in self.resolutions
        if self.resolution_range is None:
            return False
        low, high, step = self.resolution_range
        return low <= dpi <= high and (step <= 1 or (dpi - low) % step == 0)

    def offered_resolutions(self) -> tuple[int, ...]:
        allowed = tuple(d for d in ALLOWED_DPI if self.supports(d))
        return allowed or self.resolutions


@dataclass(frozen=True)
class EsclCapabilities:
    make_and_model: str
    sources: dict[Source, SourceCaps]


def normalise_address(text: str) -> str:
    """What the clerk typed → the eSCL root URL: "10.0.0.5" → "http://10.0.0.5:80/eSCL"."""
    raw = text.strip()
    if raw.lower().startswith(ID_PREFIX):
        raw = raw[len(ID_PREFIX) :]
    if "://" not in raw:
        raw = "http://" + raw
    try:
        parts = urlsplit(raw)
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or parts.scheme not in ("http", "https") or " " in raw:
        raise ScanError(
            "scan.address",
            f"Địa chỉ máy quét «{text.strip()}» không hợp lệ. Xin nhập địa chỉ IP "
            "(ví dụ 192.168.1.20) hoặc địa chỉ đầy đủ (ví dụ http://192.168.1.20/eSCL).",
            field="address",
        )
    port = port or (443 if parts.scheme == "https" else 80)
    path = parts.path.rstrip("/") or "/eSCL"
    host_part = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host_part}:{port}{path}"


def device_id(address: str) -> str:
    return ID_PREFIX + normalise_address(address)


def parse_capabilities(xml: bytes) -> EsclCapabilities:
    root = ET.fromstring(xml)
    sources: dict[Source, SourceCaps] = {}
    for source, path in _SOURCE_TAGS.items():
        element = root.find(path, NS)
        if element is not None:
            sources[source] = _source_caps(element)
    if Source.ADF in sources and Source.ADF_DUPLEX not in sources:
        # Older devices announce duplex as an AdfOption on the simplex caps instead.
        options = [o.text for o in root.iterfind("scan:Adf/scan:AdfOptions/scan:AdfOption", NS)]
        if "Duplex" in options:
            sources[Source.ADF_DUPLEX] = sources[Source.ADF]
    model = _text(root, "pwg:MakeAndModel") or _text(root, "pwg:ModelName")
    return EsclCapabilities(make_and_model=model, sources=sources)


def _text(element: ET.Element, path: str) -> str:
    found = element.find(path, NS)
    return "" if found is None or found.text is None else found.text.strip()


def _int(element: ET.Element, path: str, default: int = 0) -> int:
    text = _text(element, path)
    return int(text) if text.isdigit() else default


def _source_caps(element: ET.Element) -> SourceCaps:
    profiles = list(element.iterfind("scan:SettingProfiles/scan:SettingProfile", NS))
    modes: list[str] = []
    formats: list[str] = []
    discrete: set[int] = set()
    ranged: tuple[int, int, int] | None = None
    for profile in profiles:
        for mode in profile.iterfind("scan:ColorModes/scan:ColorMode", NS):
            if mode.text and mode.text.strip() not in modes:
                modes.append(mode.text.strip())
        for tag in ("pwg:DocumentFormat", "scan:DocumentFormatExt"):
            for fmt in profile.iterfind(f"scan:DocumentFormats/{tag}", NS):
                if fmt.text and fmt.text.strip().lower() not in formats:
                    formats.append(fmt.text.strip().lower())
        resolutions = "scan:SupportedResolutions/scan:DiscreteResolutions/scan:DiscreteResolution"
        for res in profile.iterfind(resolutions, NS):
            x, y = _int(res, "scan:XResolution"), _int(res, "scan:YResolution")
            if x and x == y:
                discrete.add(x)
        span = profile.find("scan:SupportedResolutions/scan:ResolutionRange/scan:XResolution", NS)
        if span is not None:
            ranged = (_int(span, "scan:Min"), _int(span, "scan:Max"), _int(span, "scan:Step", 1))
    return SourceCaps(
        modes=tuple(modes),
        resolutions=tuple(sorted(discrete)),
        resolution_range=None if discrete else ranged,
        formats=tuple(formats) or ("image/jpeg",),
        max_width=_int(element, "scan:MaxWidth", 2550),
        max_height=_int(element, "scan:MaxHeight", 3508),
        min_width=_int(element, "scan:MinWidth"),
        min_height=_int(element, "scan:MinHeight"),
    )


def _status_code(status_xml: bytes, *, job_refused: bool) -> str | None:
    """The code ScannerStatus gives for a stopped job, or None when it names no fault. Only
    when a job was refused does "Processing" mean busy (with someone else's job): at the end of
    our own job the device may well still be processing it."""
    try:
        root = ET.fromstring(status_xml)
    except ET.ParseError:
        return None
    code = _ADF_STATES.get(_text(root, "scan:AdfState"))
    state = _text(root, "pwg:State")
    if code is None and state in ("Down", "Stopped"):
        return "scan.device"
    if code is None and job_refused and state in ("Processing", "Testing"):
        return "scan.busy"
    return code


class EsclScanner:
    """eSCL scanners at the configured addresses. `busy_retries` and `max_retry_wait_s` bound
    the waiting on "503 busy" answers; `transport` swaps httpx's network layer (not needed by
    the tests, which run a real server)."""

    backend = "escl"

    def __init__(
        self,
        addresses: Sequence[str] = (),
        *,
        connect_timeout_s: float = 3.0,
        read_timeout_s: float = 60.0,  # a feeder page at 300 dpi can take this long to come
        busy_retries: int = 20,
        max_retry_wait_s: float = 5.0,
        verify_tls: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._addresses = list(addresses)
        self._timeout = httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        self._busy_retries = busy_retries
        self._max_retry_wait_s = max_retry_wait_s
        self._verify_tls = verify_tls
        self._transport = transport

    def _client(self, timeout: httpx.Timeout | None = None) -> httpx.Client:
        return httpx.Client(
            timeout=timeout or self._timeout,
            verify=self._verify_tls,
            transport=self._transport,
            follow_redirects=True,
        )

    def devices(self) -> list[DeviceInfo]:
        found: list[DeviceInfo] = []
        quick = httpx.Timeout(5.0, connect=2.0)  # listing must not hang on a switched-off scanner
        with self._client(quick) as client:
            for address in self._addresses:
                try:
                    base = normalise_address(address)
                    caps = self._capabilities(client, base)
                except (ScanError, httpx.HTTPError, ET.ParseError) as exc:
                    log.info("eSCL address skipped: %s (%s)", address, type(exc).__name__)
                    continue
                found.append(_describe(base, caps))
        return found

    def capabilities(self, address: str) -> EsclCapabilities:
        base = normalise_address(address)
        with self._client() as client:
            try:
                return self._capabilities(client, base)
            except httpx.HTTPError as exc:
                raise self._network_error(exc, base, kept=0) from exc
            except ET.ParseError as exc:
                raise device_error("scan.device", device=ID_PREFIX + base, detail="xml") from exc

    def _capabilities(self, client: httpx.Client, base: str) -> EsclCapabilities:
        response = client.get(f"{base}/ScannerCapabilities")
        log.info("eSCL GET ScannerCapabilities → %s", response.status_code)
        if response.status_code != 200:
            raise device_error("scan.device", device=ID_PREFIX + base, detail=str(response))
        return parse_capabilities(response.content)

    def scan(self, device_id: str, settings: ScanSettings) -> Iterator[RawPage]:
        base = normalise_address(device_id)
        origin = ID_PREFIX + base
        with self._client() as client:
            try:
                caps = self._capabilities(client, base)
            except httpx.HTTPError as exc:
                raise self._network_error(exc, base, kept=0) from exc
            except ET.ParseError as exc:
                raise device_error("scan.device", device=origin, detail="capabilities") from exc
            body = _scan_settings(caps, settings)
            job = self._create_job(client, base, body)
            try:
                yield from self._pages(client, base, job, settings)
            finally:
                _delete_job(client, job)

    # --- the job --------------------------------------------------------------------------

    def _create_job(self, client: httpx.Client, base: str, body: bytes) -> str:
        headers = {"Content-Type": "text/xml"}
        try:
            response = self._with_busy_retry(
                lambda: client.post(f"{base}/ScanJobs", content=body, headers=headers), base, 0
            )
        except httpx.HTTPError as exc:
            raise self._network_error(exc, base, kept=0) from exc
        log.info("eSCL POST ScanJobs → %s", response.status_code)
        location = str(response.headers.get("Location", ""))
        if response.status_code == 201 and location:
            # Keep only the path, on the address we reached: devices often name themselves
            # by a host name the counter PC cannot resolve (sane-airscan does the same).
            path = urlsplit(urljoin(base + "/", location)).path
            origin = urlsplit(base)
            return f"{origin.scheme}://{origin.netloc}{path}"
        code = self._status_code(client, base, job_refused=True) or "scan.device"
        raise device_error(code, device=ID_PREFIX + base, detail=f"ScanJobs {response.status_code}")

    def _pages(
        self,
        client: httpx.Client,
        base: str,
        job: str,
        settings: ScanSettings,
    ) -> Iterator[RawPage]:
        origin = ID_PREFIX + base
        next_url = job.rstrip("/") + "/NextDocument"
        kept = 0
        while True:
            try:
                response = self._with_busy_retry(lambda: client.get(next_url), base, kept)
            except httpx.HTTPError as exc:
                raise self._network_error(exc, base, kept=kept) from exc
            log.info("eSCL GET NextDocument → %s", response.status_code)
            if response.status_code != 200:
                # The job is over. 404 normally means the feeder is done, but devices end a
                # jammed job with 404, 409 or 500 alike: ScannerStatus says which it was.
                code = self._status_code(client, base, job_refused=False)
                finished = code == "scan.no_paper" or (code is None and response.status_code == 404)
                if kept > 0 and finished:
                    return
                raise device_error(
                    code or "scan.device",
                    pages_kept=kept,
                    device=origin,
                    detail=f"NextDocument {response.status_code}",
                )
            try:
                images = _decode(response.content, settings)
            except (OSError, ValueError, pdfium.PdfiumError) as exc:
                raise device_error(
                    "scan.io", pages_kept=kept, device=origin, detail="undecodable page"
                ) from exc
            for image in images:
                kept += 1
                yield RawPage(image=image, dpi=settings.dpi, index=kept, origin=origin)
            if settings.source == Source.FLATBED:
                return  # a platen job holds one page; asking again can hang some devices

    def _with_busy_retry(
        self, request: Callable[[], httpx.Response], base: str, kept: int
    ) -> httpx.Response:
        """503 = busy: wait as the device asks (bounded) and ask again, a bounded number of
        times."""
        for _attempt in range(self._busy_retries + 1):
            response = request()
            if response.status_code != 503:
                return response
            log.info("eSCL busy (503), retrying")
            time.sleep(min(_retry_after(response), self._max_retry_wait_s))
        raise device_error("scan.busy", pages_kept=kept, device=ID_PREFIX + base, detail="503")

    def _status_code(self, client: httpx.Client, base: str, *, job_refused: bool) -> str | None:
        try:
            response = client.get(f"{base}/ScannerStatus")
        except httpx.HTTPError:
            return None
        log.info("eSCL GET ScannerStatus → %s", response.status_code)
        if response.status_code != 200:
            return None
        return _status_code(response.content, job_refused=job_refused)

    def _network_error(self, exc: httpx.HTTPError, base: str, *, kept: int) -> ScanError:
        origin = ID_PREFIX + base
        if kept == 0 and isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            host = urlsplit(base).netloc
            return ScanError(
                "scan.unreachable",
                f"Không kết nối được máy quét tại {host}. Xin kiểm tra máy quét đã bật, "
                "địa chỉ đúng và máy quét cùng mạng với máy tính.",
                device=origin,
                detail=type(exc).__name__,
            )
        return device_error("scan.io", pages_kept=kept, device=origin, detail=type(exc).__name__)


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else 1.0  # an HTTP date is not worth parsing here


def _delete_job(client: httpx.Client, job: str) -> None:
    try:
        response = client.delete(job, timeout=5.0)
        log.info("eSCL DELETE job → %s", response.status_code)
    except httpx.HTTPError as exc:  # the device may have forgotten the job already
        log.info("eSCL DELETE job failed: %s", type(exc).__name__)


def _describe(base: str, caps: EsclCapabilities) -> DeviceInfo:
    modes: set[ColourMode] = set()
    resolutions: set[int] = set()
    for source_caps in caps.sources.values():
        if "RGB24" in source_caps.modes:
            modes.add(ColourMode.COLOR)
        if "Grayscale8" in source_caps.modes:
            modes.update((ColourMode.GRAY, ColourMode.BW))
        if "BlackAndWhite1" in source_caps.modes:
            modes.add(ColourMode.BW)
        resolutions.update(source_caps.offered_resolutions())
    return DeviceInfo(
        id=ID_PREFIX + base,
        name=caps.make_and_model or urlsplit(base).hostname or base,
        backend="escl",
        sources=tuple(s for s in Source if s in caps.sources),
        modes=tuple(m for m in ColourMode if m in modes),
        resolutions=tuple(sorted(resolutions)),
    )


def _scan_settings(caps: EsclCapabilities, settings: ScanSettings) -> bytes:
    """The ScanSettings document for `settings`, refusing what the device cannot do."""
    source_caps = caps.sources.get(settings.source)
    if source_caps is None:
        offered = ", ".join(SOURCE_LABELS[s] for s in Source if s in caps.sources)
        raise unsupported_setting(
            "source",
            f"Máy quét này không có chế độ «{SOURCE_LABELS[settings.source]}». "
            f"Xin chọn: {offered}.",
            source=settings.source.value,
        )
    if not source_caps.supports(settings.dpi):
        offered = ", ".join(str(d) for d in source_caps.offered_resolutions()) or "—"
        raise unsupported_setting(
            "dpi",
            f"Máy quét này không quét được ở độ phân giải {settings.dpi} dpi. "
            f"Xin chọn một trong các mức: {offered} dpi.",
            dpi=settings.dpi,
        )
    document_format = next((f for f in _FORMATS if f in source_caps.formats), "image/jpeg")
    colour_mode = _colour_mode(source_caps, settings.mode, document_format)
    if settings.paper not in PAPER_SIZES_MM:
        raise unsupported_setting(
            "paper", f"Khổ giấy «{settings.paper}» chưa được hỗ trợ.", paper=settings.paper
        )
    width_mm, height_mm = PAPER_SIZES_MM[settings.paper]
    width = _clamp(
        round(width_mm / 25.4 * UNITS_PER_INCH), source_caps.min_width, source_caps.max_width
    )
    height = _clamp(
        round(height_mm / 25.4 * UNITS_PER_INCH), source_caps.min_height, source_caps.max_height
    )
    source = "Platen" if settings.source == Source.FLATBED else "Feeder"
    duplex = ""
    if settings.source != Source.FLATBED:
        duplex = f"<scan:Duplex>{str(settings.source == Source.ADF_DUPLEX).lower()}</scan:Duplex>"
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<scan:ScanSettings xmlns:scan="{NS["scan"]}" xmlns:pwg="{NS["pwg"]}">
  <pwg:Version>2.0</pwg:Version>
  <scan:Intent>Document</scan:Intent>
  <pwg:ScanRegions>
    <pwg:ScanRegion>
      <pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>
      <pwg:XOffset>0</pwg:XOffset>
      <pwg:YOffset>0</pwg:YOffset>
      <pwg:Width>{width}</pwg:Width>
      <pwg:Height>{height}</pwg:Height>
    </pwg:ScanRegion>
  </pwg:ScanRegions>
  <pwg:InputSource>{source}</pwg:InputSource>{duplex}
  <scan:ColorMode>{colour_mode}</scan:ColorMode>
  <scan:XResolution>{settings.dpi}</scan:XResolution>
  <scan:YResolution>{settings.dpi}</scan:YResolution>
  <pwg:DocumentFormat>{document_format}</pwg:DocumentFormat>
  <scan:DocumentFormatExt>{document_format}</scan:DocumentFormatExt>
</scan:ScanSettings>
"""
    return body.encode("utf-8")


_ESCL_MODES = {
    ColourMode.COLOR: ("RGB24",),
    ColourMode.GRAY: ("Grayscale8",),
    ColourMode.BW: ("Grayscale8", "BlackAndWhite1"),
}


def _colour_mode(caps: SourceCaps, mode: ColourMode, document_format: str) -> str:
    """Our mode → the eSCL ColorMode. Black and white goes as 8-bit grey when the pages come
    as JPEG (a 1-bit JPEG does not exist; devices refuse or fake it) and the pipeline binarises
    it; with PDF or PNG pages, as BlackAndWhite1 when offered."""
    wanted = _ESCL_MODES[mode]
    if mode == ColourMode.BW and document_format != "image/jpeg":
        wanted = wanted[::-1]
    for name in wanted:
        if name in caps.modes:
            return name
    offered = [m for m in ColourMode if any(n in caps.modes for n in _ESCL_MODES[m])]
    raise unsupported_setting(
        "mode",
        f"Máy quét này không quét được chế độ «{MODE_LABELS[mode]}». "
        f"Xin chọn: {', '.join(MODE_LABELS[m] for m in offered)}.",
        mode=mode.value,
    )


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(value, high)) if high else max(low, value)


def _decode(data: bytes, settings: ScanSettings) -> list[Image.Image]:
    """The page(s) in one NextDocument answer. The bytes are sniffed, not the announced type:
    devices send PDF where JPEG was asked for and the other way round. A PDF is rendered one
    page at a time under the process-wide pdfium lock (a print preview may be using pdfium)."""
    if data[:5] == b"%PDF-":
        pdf = pdf_pages.open_document(data)
        try:
            grey = settings.mode != ColourMode.COLOR
            return [
                pdf_pages.render_page(pdf, index, settings.dpi, grey=grey)
                for index in range(pdf_pages.page_count(pdf))
            ]
        finally:
            pdf_pages.close_document(pdf)
    image: Image.Image = Image.open(io.BytesIO(data))
    image.load()
    if image.mode not in ("RGB", "L", "1"):
        image = image.convert("RGB")
    return [image]
