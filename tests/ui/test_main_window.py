"""The main window on real services over a temporary SQLite file (offscreen)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.services.catalogue import list_procedures
from ui.main_window import MainWindow


def type_text(widget, text: str) -> None:
    # keyClicks aborts on non-ASCII (ENVIRONMENT trap 1); a commit-string key event does not.
    QTest.sendKeyEvent(
        QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, text, Qt.KeyboardModifier.NoModifier
    )


def test_window_shows_unit_counter_and_standalone_mode(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert "Trung tâm Phục vụ hành chính công" in window.windowTitle()
    assert "Quầy" in window.windowTitle()
    assert "Chế độ độc lập" in window.statusBar().currentMessage()
    assert window.results.count() >= 25


def test_procedure_search_without_diacritics_filters_the_list(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    qtbot.keyClicks(window.search_box, "chung thuc")
    shown = [window.results.item(i).text() for i in range(window.results.count())]
    assert any(text.startswith("Chứng thực bản sao từ bản chính") for text in shown)
    assert 0 < len(shown) < len(list_procedures(ctx))
    assert not any("khai sinh" in text.lower() for text in shown)
    window.search_box.clear()
    type_text(window.search_box, "Đăng ký khai sinh")
    shown = [window.results.item(i).text() for i in range(window.results.count())]
    assert any(text.startswith("Đăng ký khai sinh") for text in shown)
