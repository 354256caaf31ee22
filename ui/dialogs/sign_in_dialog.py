"""Đăng nhập: choose the officer's account, type the password, and change it when required.

`SignInForm` is the widget (also used by the main window's lock screen, so switching officer at a
shared counter does not close the application); `SignInDialog` wraps it for the start of the
day. The password check, the lockout and the first-login change are all the accounts service's:
this only shows its Vietnamese messages. Enter submits; the password field is cleared after each
try and never kept.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.domain.passwords import MIN_LENGTH
from app.services.accounts import (
    SignedInOfficer,
    SignInChoice,
    change_password,
    sign_in,
    sign_in_choices,
)
from app.services.context import ServiceContext
from ui.ops import OpRunner


def _password_edit(placeholder: str) -> QLineEdit:
    edit = QLineEdit(placeholderText=placeholder)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class SignInForm(QWidget):
    signed_in = Signal(object)  # SignedInOfficer

    def __init__(
        self, ctx: ServiceContext, runner: OpRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._pending: SignedInOfficer | None = None
        self._old_password = ""
        self.account = QComboBox()
        self.password = _password_edit("Mật khẩu")
        self.sign_in_button = QPushButton("Đăng nhập (Enter)")
        self.new_password = _password_edit(f"Ít nhất {MIN_LENGTH} ký tự, chữ và số")
        self.confirm_password = _password_edit("Nhập lại mật khẩu mới")
        self.change_button = QPushButton("Đổi mật khẩu và vào làm việc")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._sign_in_page())
        self.pages.addWidget(self._change_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.message)
        self.sign_in_button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.change_button.clicked.connect(self.submit_change)
        self.confirm_password.returnPressed.connect(self.submit_change)
        self.reload_accounts()

    def _sign_in_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("Cán bộ:", self.account)
        form.addRow("Mật khẩu:", self.password)
        form.addRow(self.sign_in_button)
        return page

    def _change_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.addRow(
            QLabel(
                "Lần đăng nhập đầu tiên (hoặc mật khẩu vừa được đặt lại): hãy đặt "
                "mật khẩu mới của riêng mình."
            )
        )
        form.addRow("Mật khẩu mới:", self.new_password)
        form.addRow("Nhập lại:", self.confirm_password)
        form.addRow(self.change_button)
        return page

    def reload_accounts(self, select: str | None = None) -> None:
        self._runner.run(
            lambda: sign_in_choices(self._ctx), lambda c: self._show_accounts(c, select)
        )

    def _show_accounts(self, choices: list[SignInChoice], select: str | None) -> None:
        self.account.clear()
        for choice in choices:
            self.account.addItem(f"{choice.full_name} — {choice.role_label}", choice.username)
        if select is not None:
            index = self.account.findData(select)
            if index >= 0:
                self.account.setCurrentIndex(index)
        self.password.setFocus()

    def reset(self, select: str | None = None) -> None:
        """Back to the first page with nothing typed (used when the screen locks)."""
        self._pending = None
        self._old_password = ""
        for edit in (self.password, self.new_password, self.confirm_password):
            edit.clear()
        self.message.clear()
        self.pages.setCurrentIndex(0)
        self.reload_accounts(select)

    def submit(self) -> None:
        username = self.account.currentData()
        if not username:
            self._say("Chưa chọn tài khoản cán bộ.")
            return
        password = self.password.text()
        self.password.clear()
        self._runner.run(
            lambda: sign_in(self._ctx, str(username), password),
            lambda officer: self._on_signed_in(officer, password),
            self._on_error,
        )

    def _on_signed_in(self, officer: SignedInOfficer, password: str) -> None:
        if officer.must_change_password:
            self._pending = officer
            self._old_password = password
            self.pages.setCurrentIndex(1)
            self._say("Cần đổi mật khẩu trước khi làm việc.", error=False)
            self.new_password.setFocus()
            return
        self._say("")
        self.signed_in.emit(officer)

    def submit_change(self) -> None:
        if self._pending is None:
            return
        new, again = self.new_password.text(), self.confirm_password.text()
        if new != again:
            self._say("Hai lần nhập mật khẩu mới không khớp nhau.")
            self.confirm_password.clear()
            return
        username, old = self._pending.username, self._old_password
        self._runner.run(
            lambda: change_password(self._ctx, username, old, new),
            self._on_changed,
            self._on_error,
        )

    def _on_changed(self, officer: SignedInOfficer) -> None:
        self._pending = None
        self._old_password = ""
        self.new_password.clear()
        self.confirm_password.clear()
        self.pages.setCurrentIndex(0)
        self._say("")
        self.signed_in.emit(officer)

    def _on_error(self, error: Exception) -> None:
        if not isinstance(error, AppError):
            raise error
        self._say(error.message)

    def _say(self, message: str, *, error: bool = True) -> None:
        self.message.setStyleSheet(f"color: {'#b00020' if error else '#1b5e20'}")
        self.message.setText(message)


class SignInDialog(QDialog):
    """The start-of-day sign-in; `officer` is set when it is accepted."""

    def __init__(
        self, ctx: ServiceContext, runner: OpRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("MotCua Desk — Đăng nhập")
        self.officer: SignedInOfficer | None = None
        self.form = SignInForm(ctx, runner, self)
        self.form.signed_in.connect(self._on_form_signed_in)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        self.resize(460, 220)

    def _on_form_signed_in(self, officer: SignedInOfficer) -> None:
        self.officer = officer
        self.accept()
