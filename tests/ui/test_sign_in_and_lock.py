"""Sign-in (with the first-login password change), the idle lock, switching officer at a shared
counter, and the supervisor's audit screen — on real services over a temporary SQLite file."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.domain.lifecycle import Action
from app.services.accounts import sign_in
from app.services.audit import AuditFilter, list_audit
from app.services.dossiers import receive_dossier
from app.services.queries import show_dossier
from app.services.station import DEMO_PASSWORD
from tests.app.services.helpers import procedure_with_unit, receive_cmd
from tests.ui.conftest import type_text
from ui.dialogs.sign_in_dialog import SignInDialog, SignInForm
from ui.main_window import MainWindow
from ui.officer_session import OfficerSession
from ui.screens.audit_screen import AuditScreen
from ui.widgets.idle_lock import IdleLock


def choose(form: SignInForm, username: str) -> None:
    form.account.setCurrentIndex(form.account.findData(username))


def test_first_sign_in_requires_a_new_password_then_accepts(qtbot, ctx, runner):
    dialog = SignInDialog(ctx, runner)
    qtbot.addWidget(dialog)
    form = dialog.form
    assert form.account.count() == 4
    choose(form, "canbo")
    type_text(form.password, "sai mật khẩu")
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    assert "không đúng" in form.message.text()
    assert form.password.text() == ""  # never kept
    qtbot.keyClicks(form.password, DEMO_PASSWORD)
    form.submit()
    assert form.pages.currentIndex() == 1 and dialog.officer is None
    qtbot.keyClicks(form.new_password, "ngan")
    qtbot.keyClicks(form.confirm_password, "ngan")
    form.submit_change()
    assert "ít nhất 10 ký tự" in form.message.text()
    form.new_password.clear()
    form.confirm_password.clear()
    qtbot.keyClicks(form.new_password, "Quay-01-2026")
    qtbot.keyClicks(form.confirm_password, "Quay-01-2027")
    form.submit_change()
    assert "không khớp" in form.message.text()
    form.confirm_password.clear()
    qtbot.keyClicks(form.confirm_password, "Quay-01-2026")
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.keyClick(form.confirm_password, Qt.Key.Key_Return)
    assert dialog.officer is not None and dialog.officer.username == "canbo"
    assert not sign_in(ctx, "canbo", "Quay-01-2026").must_change_password


def test_idle_lock_fires_after_the_configured_time_and_input_postpones_it(qtbot):
    lock = IdleLock(minutes=0.004)  # 240 ms
    assert round(lock.minutes, 3) == 0.004
    lock.start()
    with qtbot.waitSignal(lock.locked, timeout=2000):
        pass
    assert lock.is_locked
    lock.start()
    assert not lock.is_locked
    lock.stop()
    qtbot.wait(400)
    assert not lock.is_locked  # stopped: never fires


def test_locking_hides_the_screens_and_another_officer_continues(qtbot, ctx, runner, events):
    p = procedure_with_unit(ctx, "working-days")
    code = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    officer = sign_in(ctx, "canbo", DEMO_PASSWORD)
    window = MainWindow(ctx, runner, events, session=OfficerSession(officer))
    qtbot.addWidget(window)
    assert "Cán bộ một cửa (mẫu)" in window.header.text()
    assert window.idle_lock._timer.isActive()  # a signed-in window locks by itself
    events.dossier_opened.emit(code)
    window.lock()
    assert window.is_locked and window.stack.currentWidget() is not window.tabs.parentWidget()
    form = window.lock_form
    assert form is not None and form.account.currentData() == "canbo"
    choose(form, "giamsat")
    qtbot.keyClicks(form.password, DEMO_PASSWORD)
    form.submit()
    qtbot.keyClicks(form.new_password, "Giam-sat-2026")
    qtbot.keyClicks(form.confirm_password, "Giam-sat-2026")
    form.submit_change()
    assert not window.is_locked
    assert window.officer() == "giamsat" and "Lãnh đạo" in window.header.text()
    assert window.dossier.view is None  # the previous officer's dossier is not left open
    # The supervisor's action is attributed to the supervisor, and allowed for that role.
    window.dossier.open(code)
    window.dossier.perform(Action.STOP, reason="Người nộp đề nghị dừng")
    view = show_dossier(ctx, code, officer="giamsat")
    assert view.status == 8 and view.events[-1].actor == "giamsat"
    reads = list_audit(ctx, AuditFilter(action="view-dossier"), officer="giamsat")
    assert {r.actor for r in reads} >= {"canbo", "giamsat"}


def test_the_dossier_screen_shows_the_role_refusal_from_the_service(qtbot, ctx, runner, events):
    p = procedure_with_unit(ctx, "working-days")
    code = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    window = MainWindow(ctx, runner, events)  # no session: the station's default officer
    qtbot.addWidget(window)
    assert not window.idle_lock._timer.isActive()
    events.dossier_opened.emit(code)
    window.dossier.perform(Action.STOP, reason="Dừng")
    assert "không được phép dừng giải quyết hồ sơ" in window.dossier.message.text()
    assert show_dossier(ctx, code).status == 2


def test_ctrl_l_locks_the_window(qtbot, ctx, runner, events):
    window = MainWindow(ctx, runner, events)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.tabs, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked


def test_audit_screen_lists_for_a_supervisor_and_refuses_a_counter_officer(qtbot, ctx, runner):
    p = procedure_with_unit(ctx, "working-days")
    receive_dossier(ctx, receive_cmd(p.id))
    screen = AuditScreen(ctx, runner, officer=lambda: "canbo")
    qtbot.addWidget(screen)
    screen.refresh()
    assert screen.table.rowCount() == 0 and "không được phép" in screen.message.text()
    screen.officer = lambda: "giamsat"
    screen.refresh()
    actions = {screen.table.item(i, 4).text() for i in range(screen.table.rowCount())}
    assert "receive" in actions
    screen.verify()
    assert "toàn vẹn" in screen.message.text()
