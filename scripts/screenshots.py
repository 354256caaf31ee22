"""Screenshots of every screen at 1366×768 on a real X server (run under xvfb-run).

xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py OUT_DIR
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.bootstrap import init_demo_data, open_context
from app.domain.clock import VN_TZ, FixedClock
from app.services.catalogue import list_procedures
from app.services.dossiers import ReceiveDossier, receive_dossier
from ui.ops import ImmediateOpRunner


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
    window = MainWindow(ctx, ImmediateOpRunner(), None, settings)
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
    print("\n".join(str(p) for p in sorted(out.glob("*.png"))))


if __name__ == "__main__":
    main()
