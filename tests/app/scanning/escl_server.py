"""A small but real eSCL ("AirScan") scanner for tests: stdlib HTTP on 127.0.0.1, pages drawn
with PIL and sent as JPEG (or PDF when asked), a feeder of N pages, and switches for the faults a
network scanner shows: a jam after page k, an empty feeder, "503 busy" answers.

It follows what sane-airscan and the Mopria eSCL documents describe: capabilities and status as
XML in the scan/pwg namespaces, POST ScanJobs → 201 + Location, GET {job}/NextDocument until
404, AdfState in ScannerStatus, DELETE {job}.
"""

from __future__ import annotations

import io
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image, ImageDraw

SCAN = "http://schemas.hp.com/imaging/escl/2011/05/03"
PWG = "http://www.pwg.org/schemas/2010/12/sm"
RESOLUTIONS = (75, 100, 150, 200, 300, 600)


def _caps_source(tag: str, formats: tuple[str, ...]) -> str:
    resolutions = "".join(
        f"<scan:DiscreteResolution><scan:XResolution>{r}</scan:XResolution>"
        f"<scan:YResolution>{r}</scan:YResolution></scan:DiscreteResolution>"
        for r in RESOLUTIONS
    )
    document_formats = "".join(
        f"<pwg:DocumentFormat>{f}</pwg:DocumentFormat><scan:DocumentFormatExt>{f}"
        "</scan:DocumentFormatExt>"
        for f in formats
    )
    return f"""<scan:{tag}>
      <scan:MinWidth>16</scan:MinWidth><scan:MaxWidth>2550</scan:MaxWidth>
      <scan:MinHeight>16</scan:MinHeight><scan:MaxHeight>3508</scan:MaxHeight>
      <scan:MaxScanRegions>1</scan:MaxScanRegions>
      <scan:SettingProfiles><scan:SettingProfile>
        <scan:ColorModes>
          <scan:ColorMode>BlackAndWhite1</scan:ColorMode>
          <scan:ColorMode>Grayscale8</scan:ColorMode>
          <scan:ColorMode>RGB24</scan:ColorMode>
        </scan:ColorModes>
        <scan:DocumentFormats>{document_formats}</scan:DocumentFormats>
        <scan:SupportedResolutions><scan:DiscreteResolutions>{resolutions}
        </scan:DiscreteResolutions></scan:SupportedResolutions>
      </scan:SettingProfile></scan:SettingProfiles>
    </scan:{tag}>"""


@dataclass
class Job:
    source: str
    mode: str
    dpi: int
    width: int  # 1/300 inch
    height: int
    document_format: str
    remaining: int
    delivered: int = 0


@dataclass
class EsclTestServer:
    """Switches are plain attributes: set them before (or between) requests."""

    model: str = "MotCua Test eSCL"
    feeder_pages: int = 5
    platen: bool = True
    adf: bool = True
    duplex: bool = False
    formats: tuple[str, ...] = ("image/jpeg", "application/pdf")
    jam_after: int | None = None  # NextDocument for page jam_after + 1 fails with a jam
    jam_http_status: int = 409  # how that request is answered (devices differ: 409, 404, 500)
    empty_feeder: bool = False
    empty_answer: str = "post"  # "post": POST ScanJobs → 409; "next": 201, then NextDocument 404
    busy_next_document: int = 0  # answer this many NextDocument requests with 503 first
    busy_post: int = 0  # answer this many POST ScanJobs with 503 first
    other_job_running: bool = False  # another computer's job: POST → 409, State Processing
    retry_after: str = "1"
    requests: list[tuple[str, str]] = field(default_factory=list)
    settings_posted: list[ET.Element] = field(default_factory=list)
    jobs: dict[str, Job] = field(default_factory=dict)
    adf_state: str = "ScannerAdfLoaded"
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/eSCL"

    def start(self) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits for the loop to notice, 0.5 s by default.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- the documents --------------------------------------------------------------------

    def capabilities(self) -> bytes:
        platen = f"<scan:Platen>{_caps_source('PlatenInputCaps', self.formats)}</scan:Platen>"
        adf = ""
        if self.adf:
            duplex = _caps_source("AdfDuplexInputCaps", self.formats) if self.duplex else ""
            adf = (
                f"<scan:Adf>{_caps_source('AdfSimplexInputCaps', self.formats)}{duplex}"
                f"<scan:FeederCapacity>50</scan:FeederCapacity></scan:Adf>"
            )
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerCapabilities xmlns:scan="{SCAN}" xmlns:pwg="{PWG}">
  <pwg:Version>2.63</pwg:Version>
  <pwg:MakeAndModel>{self.model}</pwg:MakeAndModel>
  <scan:UUID>4509a320-00a0-008f-00b6-00559a327d32</scan:UUID>
  {platen if self.platen else ""}{adf}
</scan:ScannerCapabilities>""".encode()

    def status(self) -> bytes:
        running = self.other_job_running or any(j.remaining for j in self.jobs.values())
        state = "Processing" if running else "Idle"
        adf = f"<scan:AdfState>{self.adf_state}</scan:AdfState>" if self.adf else ""
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerStatus xmlns:scan="{SCAN}" xmlns:pwg="{PWG}">
  <pwg:Version>2.63</pwg:Version><pwg:State>{state}</pwg:State>{adf}
</scan:ScannerStatus>""".encode()

    def page(self, job: Job) -> bytes:
        width = max(1, job.width * job.dpi // 300)
        height = max(1, job.height * job.dpi // 300)
        image = Image.new("RGB" if job.mode == "RGB24" else "L", (width, height), "white")
        ImageDraw.Draw(image).text((10, 10), f"page {job.delivered + 1}", fill="black")
        out = io.BytesIO()
        if job.document_format == "application/pdf":
            image.save(out, "PDF", resolution=job.dpi)
        else:
            image.save(out, "JPEG", quality=80, dpi=(job.dpi, job.dpi))
        return out.getvalue()


def _text(root: ET.Element, path: str, default: str = "") -> str:
    found = root.find(path, {"scan": SCAN, "pwg": PWG})
    return default if found is None or found.text is None else found.text.strip()


def _handler_for(server: EsclTestServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet tests
            pass

        def _send(self, status: int, body: bytes = b"", **headers: str) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            server.requests.append(("GET", self.path))
            if self.path == "/eSCL/ScannerCapabilities":
                self._send(200, server.capabilities(), Content_Type="text/xml")
            elif self.path == "/eSCL/ScannerStatus":
                self._send(200, server.status(), Content_Type="text/xml")
            elif self.path.startswith("/eSCL/ScanJobs/") and self.path.endswith("/NextDocument"):
                self._next_document(self.path.split("/")[3])
            else:
                self._send(404)

        def _next_document(self, job_id: str) -> None:
            job = server.jobs.get(job_id)
            if job is None:
                self._send(404)
                return
            if server.busy_next_document > 0:
                server.busy_next_document -= 1
                self._send(503, Retry_After=server.retry_after)
                return
            if server.jam_after is not None and job.delivered == server.jam_after:
                server.adf_state = "ScannerAdfJam"
                job.remaining = 0
                self._send(server.jam_http_status)
                return
            if job.remaining == 0:
                if job.source == "Feeder" and server.adf_state == "ScannerAdfLoaded":
                    server.adf_state = "ScannerAdfEmpty"
                self._send(404)
                return
            body = server.page(job)
            job.remaining -= 1
            job.delivered += 1
            self._send(200, body, Content_Type=job.document_format)

        def do_POST(self) -> None:
            server.requests.append(("POST", self.path))
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if self.path != "/eSCL/ScanJobs":
                self._send(404)
                return
            if server.busy_post > 0:
                server.busy_post -= 1
                self._send(503, Retry_After=server.retry_after)
                return
            if server.other_job_running:
                self._send(409)
                return
            settings = ET.fromstring(body)
            server.settings_posted.append(settings)
            source = _text(settings, "pwg:InputSource", "Platen")
            if source == "Feeder" and server.empty_feeder:
                server.adf_state = "ScannerAdfEmpty"
                if server.empty_answer == "post":
                    self._send(409)
                    return
            job_id = uuid.uuid4().hex
            feeder = 0 if server.empty_feeder else server.feeder_pages
            server.jobs[job_id] = Job(
                source=source,
                mode=_text(settings, "scan:ColorMode", "RGB24"),
                dpi=int(_text(settings, "scan:XResolution", "300")),
                width=int(_text(settings, "pwg:ScanRegions/pwg:ScanRegion/pwg:Width", "2550")),
                height=int(_text(settings, "pwg:ScanRegions/pwg:ScanRegion/pwg:Height", "3300")),
                document_format=_text(
                    settings, "scan:DocumentFormatExt", _text(settings, "pwg:DocumentFormat")
                )
                or "image/jpeg",
                remaining=feeder if source == "Feeder" else 1,
            )
            # Devices name themselves in Location, often by a name the client cannot resolve.
            self._send(201, Location=f"http://scanner.invalid:{server.port}/eSCL/ScanJobs/{job_id}")

        def do_DELETE(self) -> None:
            server.requests.append(("DELETE", self.path))
            job_id = self.path.rstrip("/").split("/")[-1]
            if server.jobs.pop(job_id, None) is None:
                self._send(404)
            else:
                self._send(200)

    return Handler
