"""Look-up by a scanned code opens the dossier; actions from the dossier view change its state."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.domain.lifecycle import Action
from app.services.dossiers import receive_dossier
from app.services.queries import show_dossier
from tests.app.services.helpers import digitise_required, procedure_with_unit, receive_cmd
from ui.main_window import MainWindow


def test_scanned_code_opens_the_dossier_and_transfer_works(qtbot, ctx, runner, events, qsettings):
    p = procedure_with_unit(ctx, "working-days")
    code = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    window = MainWindow(ctx, runner, events, qsettings)
    qtbot.addWidget(window)
    assert "Chế độ độc lập" in window.badge.text()
    window.show_screen(window.lookup)
    # A USB barcode scanner types the code and Enter.
    qtbot.keyClicks(window.lookup.search_box, code)
    qtbot.keyClick(window.lookup.search_box, Qt.Key.Key_Return)
    assert window.tabs.currentWidget() is window.dossier
    assert window.dossier.view is not None and window.dossier.view.code == code
    assert window.dossier.buttons[Action.TRANSFER].isVisibleTo(window.dossier)
    assert not window.dossier.buttons[Action.RETURN_RESULT].isVisibleTo(window.dossier)
    # The must-digitise component is not scanned and signed yet: refused, with the reason.
    window.dossier.buttons[Action.TRANSFER].click()
    assert show_dossier(ctx, code).status == 2
    assert "phải được số hóa và ký số" in window.dossier.message.text()
    digitise_required(ctx, code)
    window.dossier.buttons[Action.TRANSFER].click()
    assert show_dossier(ctx, code).status == 4
    assert window.dossier.view.status == 4
    labels = [
        window.dossier.history.item(row, 2).text()
        for row in range(window.dossier.history.rowCount())
    ]
    assert labels[-2:] == ["Ký số bản số hóa", "Chuyển cơ quan giải quyết"]


def test_name_lookup_without_diacritics_lists_matches_with_colour(qtbot, ctx, runner, events):
    p = procedure_with_unit(ctx, "working-days")
    receive_dossier(ctx, receive_cmd(p.id, applicant_name="Nguyễn Văn Đức"))
    window = MainWindow(ctx, runner, events)
    qtbot.addWidget(window)
    qtbot.keyClicks(window.lookup.search_box, "nguyen van duc")
    qtbot.keyClick(window.lookup.search_box, Qt.Key.Key_Return)
    assert window.lookup.model.rowCount() == 1
    index = window.lookup.model.index(0, 1)
    assert window.lookup.model.data(index) == "Nguyễn Văn Đức"
    assert window.lookup.model.data(index, Qt.ItemDataRole.BackgroundRole) is not None


def test_refusal_from_dossier_view_needs_a_reason(qtbot, ctx, runner, events):
    p = procedure_with_unit(ctx, "working-days")
    code = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    window = MainWindow(ctx, runner, events)
    qtbot.addWidget(window)
    events.dossier_opened.emit(code)
    window.dossier.perform(Action.REFUSE, reason="  ")
    assert "lý do" in window.dossier.message.text()
    assert show_dossier(ctx, code).status == 2
    window.dossier.perform(Action.REFUSE, reason="Không thuộc thẩm quyền")
    assert show_dossier(ctx, code).status == 3
