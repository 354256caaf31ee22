"""UI fixtures: one screen or the main window over real services, with a synchronous op-runner."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from ui.events import AppEvents
from ui.ops import ImmediateOpRunner


@pytest.fixture
def runner(qtbot):
    return ImmediateOpRunner()


@pytest.fixture
def events(qtbot):
    return AppEvents()


@pytest.fixture
def qsettings(tmp_path):
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


def type_text(widget, text: str) -> None:
    """Type any text, Vietnamese included (keyClicks aborts on non-ASCII: ENVIRONMENT trap 1)."""
    QTest.sendKeyEvent(
        QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, text, Qt.KeyboardModifier.NoModifier
    )
