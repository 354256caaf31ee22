"""The «Máy quét» box of the scanning screen: device, paper source, colour mode, resolution, OCR.

It shows the devices the screen found (the screen lists them through the op-runner: a SANE or
network look-up takes seconds), offers only the sources, modes and resolutions the chosen device
has, and remembers the clerk's choices in QSettings so that the next session starts the same way.
The screen adds its scan buttons below the settings (`add_buttons`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from app.scanning.model import (
    MODE_LABELS,
    SOURCE_LABELS,
    ColourMode,
    DeviceInfo,
    ScanSettings,
    Source,
)

OFFERED_DPI = (200, 300)


class ScannerSettings(QGroupBox):
    device_changed = Signal()  # another device (or none) is chosen: what can be scanned changed
    refresh_requested = Signal()  # «Tìm lại»: the screen lists the devices again

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Máy quét", parent)
        self._settings = settings
        self.devices: list[DeviceInfo] = []

        self.device_box = QComboBox()
        self.device_box.currentIndexChanged.connect(self._on_device_box_changed)
        self.find_devices_button = QToolButton()
        self.find_devices_button.setText("Tìm lại")
        self.find_devices_button.setToolTip("Tìm lại các máy quét đang nối với máy tính")
        self.find_devices_button.clicked.connect(lambda: self.refresh_requested.emit())
        self.source_box = QComboBox()
        self.mode_box = QComboBox()
        self.dpi_box = QComboBox()
        for box in (self.source_box, self.mode_box, self.dpi_box):
            box.currentIndexChanged.connect(self._remember_settings)
        self.ocr_box = QCheckBox("Nhận dạng chữ (OCR)")
        self.ocr_box.setToolTip("Thêm lớp chữ tìm kiếm được; chạy nền sau khi lưu, không phải chờ")
        self.ocr_box.setEnabled(False)  # until the screen learns that OCR is installed
        self.ocr_box.toggled.connect(self._remember_settings)

        self._form = QFormLayout(self)
        device_row = QHBoxLayout()
        device_row.addWidget(self.device_box, 1)
        device_row.addWidget(self.find_devices_button)
        self._form.addRow(_buddy("Má&y quét:", self.device_box), device_row)
        self._form.addRow(_buddy("&Nguồn giấy:", self.source_box), self.source_box)
        self._form.addRow(_buddy("Chế độ &màu:", self.mode_box), self.mode_box)
        self._form.addRow(_buddy("Độ phân &giải:", self.dpi_box), self.dpi_box)
        self._form.addRow(self.ocr_box)
        self.ocr_box.setChecked(str(self._setting("scan/ocr", "false")).lower() == "true")

    def add_buttons(self, *buttons: QWidget) -> None:
        for button in buttons:
            self._form.addRow(button)

    # ---- devices ------------------------------------------------------------------------------

    def current_device(self) -> DeviceInfo | None:
        index = self.device_box.currentIndex()
        return self.devices[index] if 0 <= index < len(self.devices) else None

    def show_searching(self) -> None:
        self.device_box.clear()
        self.device_box.addItem("Đang tìm máy quét…")
        self.devices = []

    def show_devices(self, devices: list[DeviceInfo]) -> None:
        """List `devices`, choosing the one used last if it is among them."""
        wanted = self._setting("scan/device", "")
        self.devices = list(devices)
        self.device_box.blockSignals(True)
        self.device_box.clear()
        for device in self.devices:
            self.device_box.addItem(device.name, device.id)
        if not self.devices:
            self.device_box.addItem("(Không tìm thấy máy quét)")
        self.device_box.blockSignals(False)
        ids = [device.id for device in self.devices]
        self.device_box.setCurrentIndex(ids.index(wanted) if wanted in ids else 0)
        self._on_device_box_changed()

    def _on_device_box_changed(self, _index: int = 0) -> None:
        device = self.current_device()
        sources = device.sources if device else (Source.ADF,)
        modes = device.modes if device else tuple(ColourMode)
        dpis = tuple(d for d in OFFERED_DPI if device is None or d in device.resolutions)
        if device is not None and not dpis:
            dpis = device.resolutions or OFFERED_DPI
        self._fill(
            self.source_box, [(SOURCE_LABELS[s], s) for s in sources], "scan/source", Source.ADF
        )
        self._fill(
            self.mode_box, [(MODE_LABELS[m], m) for m in modes], "scan/mode", ColourMode.COLOR
        )
        self._fill(self.dpi_box, [(f"{d} dpi", d) for d in dpis], "scan/dpi", 200)
        self._remember_settings()
        self.device_changed.emit()

    # ---- the chosen settings ------------------------------------------------------------------

    def scan_settings(self) -> ScanSettings:
        return ScanSettings(
            source=Source(self.source_box.currentData() or Source.ADF),
            mode=ColourMode(self.mode_box.currentData() or ColourMode.COLOR),
            dpi=int(self.dpi_box.currentData() or 200),
        )

    def ocr_wanted(self) -> bool:
        return self.ocr_box.isEnabled() and self.ocr_box.isChecked()

    def set_ocr_available(self, available: bool) -> None:
        self.ocr_box.setEnabled(bool(available))
        if not available:
            self.ocr_box.setChecked(False)
            self.ocr_box.setToolTip("Máy này chưa cài chương trình nhận dạng chữ tiếng Việt")

    # ---- remembered between sessions ----------------------------------------------------------

    def _fill(self, box: QComboBox, choices: list[tuple[str, Any]], key: str, default: Any) -> None:
        """Offer `choices`, keeping the remembered one (else `default`) without firing
        `currentIndexChanged` for each item added."""
        wanted = self._setting(key, default)
        box.blockSignals(True)
        box.clear()
        for label, value in choices:
            box.addItem(label, value)
        values = [str(value) for _label, value in choices]
        for candidate in (str(wanted), str(default)):
            if candidate in values:
                box.setCurrentIndex(values.index(candidate))
                break
        box.blockSignals(False)

    def _setting(self, key: str, default: Any) -> Any:
        if self._settings is None:
            return default
        return self._settings.value(key, default)

    def _remember_settings(self, *_args: object) -> None:
        if self._settings is None:
            return
        device = self.current_device()
        if device is not None:
            self._settings.setValue("scan/device", device.id)
        for key, box in (
            ("scan/source", self.source_box),
            ("scan/mode", self.mode_box),
            ("scan/dpi", self.dpi_box),
        ):
            if box.currentData() is not None:
                self._settings.setValue(key, str(box.currentData()))
        if self.ocr_box.isEnabled():  # a disabled box says nothing about what the clerk wants
            self._settings.setValue("scan/ocr", "true" if self.ocr_box.isChecked() else "false")


def _buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label
