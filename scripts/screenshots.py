"""Screenshots of every screen at 1366×768 on a real X server (run under xvfb-run).

PYTHONPATH=. xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py OUT_DIR
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.bootstrap import init_demo_data, open_context
from app.domain.clock import VN_TZ, FixedClock
from app.services.catalogue import list_procedures
from app.services.context import ServiceContext
from app.services.dossiers import ReceiveDossier, receive_dossier
from ui.ops import ImmediateOpRunner
from ui.print_support import RecordingPdfPrinter

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv)
    data = Path(tempfile.mkdtemp())
    ctx = open_context(data, FixedClock(datetime(2026, 11, 23, 9, 30, tzinfo=VN_TZ)))
    init_demo_data(ctx)
    procedures = list_procedures(ctx)
    people = [
        ("Đặng Thị Hoà", "001190012345"),
        ("Nguyễn Văn Đức", "014085001234"),
        ("Tòng Thị Phương Thảo Nguyễn Hoàng Bảo Ngọc Trâm Anh", "014195004321"),
    ]
    codes = []
    for (name, number), procedure in zip(people, procedures[:3], strict=True):
        cmd = ReceiveDossier(
            procedure=procedure.id,
            applicant_name=name,
            id_number=number,
            address="Bản Phiêng Ngần, xã Chiềng Sinh, tỉnh Sơn La — gần chợ trung tâm",
            phone="0912345678",
        )
        codes.append(receive_dossier(ctx, cmd).dossier.code)

    from ui.main_window import MainWindow

    settings = QSettings(str(data / "ui.ini"), QSettings.Format.IniFormat)
    # Prints are recorded, not previewed: a preview dialog would wait for a click.
    window = MainWindow(ctx, ImmediateOpRunner(), None, settings, printer=RecordingPdfPrinter())
    window.resize(1366, 768)
    window.show()
    land = next(p for p in procedures if len(p.components) >= 15)
    window.intake.picker.search_box.setText("dang ky bien dong")
    window.intake.set_procedure(land)
    window.intake.applicant.name.setText("Đặng Thị Hoà")
    window.intake.applicant.id_number.setText("12345")
    window.intake.applicant.id_number.editingFinished.emit()
    shots = {"1-intake": window.intake}
    window.lookup.search_box.setText("nguyen van")
    window.lookup.search()
    shots["2-lookup"] = window.lookup
    window.events.dossier_opened.emit(codes[2])
    shots["3-dossier"] = window.dossier
    window.supervisor.refresh()
    shots["4-supervisor"] = window.supervisor
    shots["5-settings"] = window.settings
    for name, screen in shots.items():
        window.tabs.setCurrentWidget(screen)
        for _ in range(5):
            app.processEvents()
        window.grab().save(str(out / f"{name}.png"))
    window.tabs.setCurrentWidget(window.supervisor)
    window.supervisor.tabs.setCurrentWidget(window.supervisor.day_page)
    for _ in range(5):
        app.processEvents()
    window.grab().save(str(out / "4b-day-close.png"))
    window.supervisor.tabs.setCurrentIndex(0)
    fee_screens(app, window, ctx, procedures, out)
    scan_screen(app, window, ctx, out)
    print("\n".join(str(p) for p in sorted(out.glob("*.png"))))


def fee_screens(
    app: QApplication, window: MainWindow, ctx: ServiceContext, procedures, out: Path
) -> None:
    """Fees: the intake's fee page, a VietQR transfer in the dossier view, the cash session at
    close, the daily report and the reason dialog of the intake's «Yêu cầu bổ sung»."""
    from app.domain.fees import FeeBasis
    from app.services import fees
    from app.services.cash_sessions import open_cash_session
    from app.services.fee_quotes import FeeRequest
    from ui.dialogs.reason_dialog import ReasonDialog
    from ui.screens.intake_screen import OUTCOMES

    def save(name: str) -> None:
        for _ in range(5):
            app.processEvents()
        window.grab().save(str(out / f"{name}.png"))

    def receive(code: str, name: str, number: str) -> str:
        procedure = next(p for p in procedures if p.code == code)
        cmd = ReceiveDossier(
            procedure=procedure.id, applicant_name=name, id_number=number, phone="0912345678"
        )
        return receive_dossier(ctx, cmd).dossier.code

    open_cash_session(ctx, counts={200_000: 1, 100_000: 2, 50_000: 2, 10_000: 5})
    for code, who in (("1.004222", "Hà Văn Thắng"), ("2.001610", "Lường Thị Ngọc Ánh")):
        dossier = receive(code, who, "014085001234")
        fees.record_payment(ctx, fees.RecordPayment(dossier, "cash"))
    card = receive("3.000333", "Vì Văn Khánh", "014085001234")
    request = FeeRequest(FeeBasis.simple(copies=4))
    fees.record_payment(
        ctx, fees.RecordPayment(card, "card", reference="POS-0815", request=request)
    )

    # Intake: a certified copy just received — its fee page, 3 copies of a 5-page original.
    certify = next(p for p in procedures if p.code == "2.000815")
    window.tabs.setCurrentWidget(window.intake)
    window.intake.start_over()
    window.intake.set_procedure(certify)
    window.intake.applicant.name.setText("Nguyễn Thị Thu Hương")
    window.intake.applicant.id_number.setText("001190012345")
    window.intake.submit()
    save("6-intake-fee-strip")
    window.intake.show_fees()
    window.intake.fee_panel.pages.setValue(5)
    window.intake.fee_panel.copies.setValue(3)
    save("7-intake-fee-page")
    panel = window.intake.fee_panel
    panel.method.setCurrentIndex(panel.method.findData("vietqr"))
    panel.pay()
    save("7b-intake-vietqr")
    window.intake.start_over()

    # Dossier view: a VietQR transfer awaiting confirmation, the QR large.
    transfer = receive("2.000806", "Đinh Thị Phương Thảo", "001190012345")
    fees.record_payment(ctx, fees.RecordPayment(transfer, "vietqr"))
    window.events.dossier_opened.emit(transfer)
    window.tabs.setCurrentWidget(window.dossier)
    window.dossier.show_fees()
    save("8-dossier-fees-vietqr")

    # Cash session at close: the drawer counted, 10.000 đồng missing.
    window.tabs.setCurrentWidget(window.cash)
    window.cash.refresh()
    counts = {200_000: 1, 100_000: 3, 50_000: 3, 20_000: 1, 10_000: 4}
    window.cash.count.set_counts(counts)
    window.cash.reason.setText("Trả thừa tiền lẻ cho người nộp hồ sơ")
    save("9-cash-session")

    window.tabs.setCurrentWidget(window.supervisor)
    window.supervisor.tabs.setCurrentWidget(window.supervisor.fee_report)
    window.supervisor.refresh()
    save("10-fee-report")

    text, _keys, _tip, prompt, required = OUTCOMES["incomplete"]
    dialog = ReasonDialog(text, prompt, window, required=required, confirm="Lưu và in")
    dialog.text.setPlainText("Bản sao Giấy khai sinh chưa được chứng thực\nThiếu Tờ khai CT01")
    dialog.show()
    for _ in range(5):
        app.processEvents()
    dialog.grab().save(str(out / "11-reason-dialog.png"))
    dialog.close()


def scan_screen(app: QApplication, window: MainWindow, ctx: ServiceContext, out: Path) -> None:
    """Số hóa (F10): a dossier with a must-digitise component, three pages scanned (one blank)
    from rendered test pages through the real pipeline."""
    from app.scanning.model import DeviceInfo, RawPage, ScanSettings, Source
    from tests.app.scanning.sample_pages import render_blank_page, render_text_page

    class RenderedScanner:
        backend = "sane"

        def devices(self) -> list[DeviceInfo]:
            return [DeviceInfo("test:0", "Máy quét thử (khay nạp)", "sane", (Source.ADF,))]

        def scan(self, device_id: str, settings: ScanSettings):  # type: ignore[no-untyped-def]
            yield RawPage(render_text_page(dpi=100, skew_deg=2.0, seed=1), 100, 1, device_id)
            yield RawPage(render_blank_page(dpi=100), 100, 2, device_id)
            yield RawPage(render_text_page(dpi=100, seed=3), 100, 3, device_id)

    code = receive_dossier(
        ctx,
        ReceiveDossier(procedure="2.001019", applicant_name="Lò Văn Páo", id_number="014085001234"),
    ).dossier.code
    window.tabs.setCurrentWidget(window.scan)
    screen = window.scan_screen
    assert screen is not None
    screen._scanner = RenderedScanner()  # the test scanner instead of the PC's devices
    screen.refresh_devices()
    screen.open(code)
    for _ in range(5):
        app.processEvents()
    screen.scan()
    for _ in range(20):
        app.processEvents()
    window.grab().save(str(out / "12-scan.png"))


if __name__ == "__main__":
    main()
