"""EsclScanner against a real eSCL server on 127.0.0.1 (tests/app/scanning/escl_server.py)."""

from __future__ import annotations

import socket

import pytest

from app.scanning.escl import NS, EsclScanner, normalise_address
from app.scanning.model import ColourMode, RawPage, ScanError, ScanSettings, Source
from tests.app.scanning.escl_server import EsclTestServer

DPI = 100  # small pages: these tests are about the protocol, not image quality


def px_at(mm: float, dpi: int) -> int:
    """Pixels the server draws for `mm` of paper: the region is sent in 1/300 inch."""
    return round(mm / 25.4 * 300) * dpi // 300


def read_all(
    scanner: EsclScanner, device: str, settings: ScanSettings
) -> tuple[list[RawPage], ScanError | None]:
    pages: list[RawPage] = []
    try:
        for page in scanner.scan(device, settings):
            pages.append(page)
    except ScanError as error:
        return pages, error
    return pages, None


def fast_scanner(busy_retries: int = 20) -> EsclScanner:
    """Waits on "503 busy" at most 10 ms, whatever Retry-After says."""
    return EsclScanner(max_retry_wait_s=0.01, busy_retries=busy_retries)


def posted(server: EsclTestServer, path: str) -> str:
    element = server.settings_posted[-1].find(path, NS)
    assert element is not None and element.text is not None
    return element.text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def feeder(mode: ColourMode = ColourMode.GRAY) -> ScanSettings:
    return ScanSettings(source=Source.ADF, mode=mode, dpi=DPI, paper="A5")


def test_capabilities_are_parsed_into_sources_modes_and_resolutions(
    escl_server: EsclTestServer,
) -> None:
    escl_server.duplex = True

    caps = EsclScanner().capabilities(escl_server.url)

    assert caps.make_and_model == "MotCua Test eSCL"
    assert set(caps.sources) == {Source.FLATBED, Source.ADF, Source.ADF_DUPLEX}
    platen = caps.sources[Source.FLATBED]
    assert platen.modes == ("BlackAndWhite1", "Grayscale8", "RGB24")
    assert platen.resolutions == (75, 100, 150, 200, 300, 600)
    assert platen.formats == ("image/jpeg", "application/pdf")
    assert (platen.max_width, platen.max_height) == (2550, 3508)


def test_devices_list_the_addresses_that_answer_and_skip_the_others(
    escl_server: EsclTestServer,
) -> None:
    dead = f"127.0.0.1:{free_port()}"
    scanner = EsclScanner([dead, "not an address", f"127.0.0.1:{escl_server.port}"])

    devices = scanner.devices()

    assert len(devices) == 1
    device = devices[0]
    assert device.id == f"escl:http://127.0.0.1:{escl_server.port}/eSCL"
    assert (device.name, device.backend) == ("MotCua Test eSCL", "escl")
    assert device.sources == (Source.FLATBED, Source.ADF)
    assert device.modes == (ColourMode.COLOR, ColourMode.GRAY, ColourMode.BW)
    assert device.resolutions == (150, 200, 300, 600)  # the allowed ones the device has


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("192.168.1.20", "http://192.168.1.20:80/eSCL"),
        (" 192.168.1.20:8080 ", "http://192.168.1.20:8080/eSCL"),
        ("https://scanner.local/eSCL/", "https://scanner.local:443/eSCL"),
        ("http://10.0.0.5/custom/escl", "http://10.0.0.5:80/custom/escl"),
        ("escl:http://10.0.0.5:80/eSCL", "http://10.0.0.5:80/eSCL"),
        ("[fe80::1]:8080", "http://[fe80::1]:8080/eSCL"),
    ],
)
def test_typed_addresses_become_escl_root_urls(typed: str, url: str) -> None:
    assert normalise_address(typed) == url


@pytest.mark.parametrize("typed", ["", "http://", "máy quét tầng 1", "ftp://10.0.0.5"])
def test_a_bad_address_is_refused_in_vietnamese(typed: str) -> None:
    with pytest.raises(ScanError) as caught:
        normalise_address(typed)

    assert (caught.value.code, caught.value.field) == ("scan.address", "address")
    assert "không hợp lệ" in caught.value.message


def test_a_feeder_job_of_five_pages_gives_five_pages_at_the_requested_dpi(
    escl_server: EsclTestServer,
) -> None:
    pages, error = read_all(fast_scanner(), escl_server.url, feeder())

    assert error is None
    assert [p.index for p in pages] == [1, 2, 3, 4, 5]
    assert {p.dpi for p in pages} == {DPI}
    assert {p.image.size for p in pages} == {(px_at(148, DPI), px_at(210, DPI))}
    assert {p.image.mode for p in pages} == {"L"}
    assert posted(escl_server, "pwg:InputSource") == "Feeder"
    assert posted(escl_server, "scan:ColorMode") == "Grayscale8"
    assert posted(escl_server, "scan:XResolution") == str(DPI)
    assert posted(escl_server, "pwg:DocumentFormat") == "image/jpeg"
    # The job is deleted at the end, so the scanner is free for the next clerk.
    assert escl_server.requests[-1][0] == "DELETE"
    assert escl_server.jobs == {}


def test_a_flatbed_scan_gives_one_colour_page(escl_server: EsclTestServer) -> None:
    settings = ScanSettings(source=Source.FLATBED, dpi=75, paper="A5")

    pages, error = read_all(fast_scanner(), escl_server.url, settings)

    assert error is None
    assert len(pages) == 1
    assert pages[0].image.mode == "RGB"
    assert posted(escl_server, "pwg:InputSource") == "Platen"
    assert posted(escl_server, "scan:ColorMode") == "RGB24"


def test_pages_sent_as_pdf_are_rasterised_at_the_requested_dpi(
    escl_server: EsclTestServer,
) -> None:
    escl_server.formats = ("application/pdf",)

    pages, error = read_all(fast_scanner(), escl_server.url, feeder())

    assert error is None
    assert len(pages) == 5
    assert posted(escl_server, "pwg:DocumentFormat") == "application/pdf"
    width, height = pages[0].image.size
    assert abs(width - px_at(148, DPI)) <= 1 and abs(height - px_at(210, DPI)) <= 1


def test_black_and_white_asks_jpeg_devices_for_grey(escl_server: EsclTestServer) -> None:
    pages, error = read_all(fast_scanner(), escl_server.url, feeder(ColourMode.BW))

    assert (len(pages), error) == (5, None)
    assert posted(escl_server, "scan:ColorMode") == "Grayscale8"


@pytest.mark.parametrize("answer", [409, 404, 500])
def test_a_jam_after_page_three_keeps_the_three_pages(
    escl_server: EsclTestServer, answer: int
) -> None:
    escl_server.jam_after = 3
    escl_server.jam_http_status = answer  # devices end a jammed job in different ways

    pages, error = read_all(fast_scanner(), escl_server.url, feeder())

    assert [p.index for p in pages] == [1, 2, 3]
    assert error is not None
    assert (error.code, error.pages_kept) == ("scan.jammed", 3)
    assert error.message.startswith("Kẹt giấy")
    assert "3 trang đã quét trước đó vẫn được giữ lại" in error.message
    assert escl_server.requests[-1][0] == "DELETE"


@pytest.mark.parametrize("answer", ["post", "next"])
def test_an_empty_feeder_is_reported_as_no_paper(escl_server: EsclTestServer, answer: str) -> None:
    escl_server.empty_feeder = True
    escl_server.empty_answer = answer  # 409 to the job, or a job whose first page is 404

    pages, error = read_all(fast_scanner(), escl_server.url, feeder())

    assert pages == []
    assert error is not None
    assert (error.code, error.pages_kept) == ("scan.no_paper", 0)
    assert "Khay nạp giấy trống" in error.message


def test_busy_answers_are_retried(escl_server: EsclTestServer) -> None:
    escl_server.busy_post = 1
    escl_server.busy_next_document = 1

    pages, error = read_all(fast_scanner(), escl_server.url, feeder())

    assert (len(pages), error) == (5, None)
    asked = [path for method, path in escl_server.requests if path.endswith("/NextDocument")]
    assert len(asked) == 1 + 5 + 1  # the 503, five pages, the closing 404
    assert [m for m, p in escl_server.requests if p == "/eSCL/ScanJobs"] == ["POST", "POST"]


def test_a_scanner_that_stays_busy_is_reported_as_busy(escl_server: EsclTestServer) -> None:
    escl_server.busy_next_document = 100

    pages, error = read_all(fast_scanner(busy_retries=2), escl_server.url, feeder())

    assert pages == []
    assert error is not None
    assert error.code == "scan.busy"
    assert escl_server.busy_next_document == 100 - 3


def test_a_job_refused_while_another_computer_scans_is_reported_as_busy(
    escl_server: EsclTestServer,
) -> None:
    escl_server.other_job_running = True

    pages, error = read_all(fast_scanner(), escl_server.url, feeder())

    assert pages == []
    assert error is not None
    assert error.code == "scan.busy"
    assert "Máy quét đang bận" in error.message


def test_a_refused_connection_says_the_scanner_cannot_be_reached() -> None:
    port = free_port()

    pages, error = read_all(fast_scanner(), f"127.0.0.1:{port}", feeder())

    assert pages == []
    assert error is not None
    assert error.code == "scan.unreachable"
    assert "Không kết nối được máy quét" in error.message
    assert f"127.0.0.1:{port}" in error.message


def test_an_unsupported_resolution_is_refused_before_any_job(
    escl_server: EsclTestServer,
) -> None:
    settings = ScanSettings(source=Source.ADF, dpi=400)

    pages, error = read_all(fast_scanner(), escl_server.url, settings)

    assert pages == []
    assert error is not None
    assert (error.code, error.field) == ("scan.unsupported", "dpi")
    assert "400 dpi" in error.message
    assert all(method == "GET" for method, _ in escl_server.requests)


def test_duplex_is_refused_when_the_feeder_has_one_side_only(
    escl_server: EsclTestServer,
) -> None:
    settings = ScanSettings(source=Source.ADF_DUPLEX, dpi=DPI)

    pages, error = read_all(fast_scanner(), escl_server.url, settings)

    assert pages == []
    assert error is not None
    assert (error.code, error.field) == ("scan.unsupported", "source")


def test_duplex_is_asked_for_when_offered(escl_server: EsclTestServer) -> None:
    escl_server.duplex = True
    settings = ScanSettings(source=Source.ADF_DUPLEX, mode=ColourMode.GRAY, dpi=75, paper="A5")

    pages, error = read_all(fast_scanner(), escl_server.url, settings)

    assert (len(pages), error) == (5, None)
    assert posted(escl_server, "scan:Duplex") == "true"
    # A5 in 1/300 inch: 148 mm and 210 mm.
    assert posted(escl_server, "pwg:ScanRegions/pwg:ScanRegion/pwg:Width") == "1748"
    assert posted(escl_server, "pwg:ScanRegions/pwg:ScanRegion/pwg:Height") == "2480"
