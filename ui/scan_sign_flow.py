"""Signing from the scanning screen: the signing set-up, the PIN or password, the signature.

The set-up is read off the UI thread (the key store may ask the OS keyring); the PIN of the USB
token or the password of the certificate file is then asked each time, typed hidden, handed to
the work that signs and never kept. `with_secret` serves «Lưu và ký số» (the screen's save signs
with it); `sign_saved` signs the current saved version of a component («Ký số bản đã lưu»).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from app.services.context import ServiceContext
from app.services.digitisation import SavedComponent, sign_component
from app.services.scan_store import ScanStore
from app.services.signing_setup import SigningSetup, load_signing_setup
from ui.ops import OpRunner


def ask_secret(parent: QWidget, title: str, label: str) -> str | None:
    """The PIN or password, typed hidden; None when the clerk cancels. Never stored."""
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
    return text if ok else None


class SignFlow(QObject):
    said = Signal(str, str)  # a note for the screen's message line, and its kind (info, ok)
    failed = Signal(object)  # an exception from the op-runner
    signed = Signal(str, object)  # dossier code, SavedComponent

    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        store: Callable[[], ScanStore],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._store = store  # built on a worker thread, at the first use
        self._dialog_parent = parent

    def with_secret(self, then: Callable[[SigningSetup, str], None]) -> None:
        """Read the station's signing set-up, ask the PIN or password, then go on."""

        def load() -> SigningSetup:
            return load_signing_setup(self._store().folder.parent)

        def ask(setup: SigningSetup) -> None:
            label = (
                "Mã PIN của thiết bị ký số (USB token):"
                if setup.kind == "pkcs11"
                else "Mật khẩu của tệp chứng thư số:"
            )
            secret = ask_secret(self._dialog_parent, "Ký số", label)
            if secret is None:
                self.said.emit("Đã hủy ký số.", "info")
                return
            then(setup, secret)

        self._runner.run(load, ask, self.failed.emit)

    def sign_saved(self, code: str, component_id: str, officer: str | None) -> None:
        """Sign the component's current saved version in the background."""
        ctx = self._ctx

        def sign(setup: SigningSetup, secret: str) -> None:
            self.said.emit("Đang ký số…", "info")
            self._runner.run(
                lambda: sign_component(
                    ctx, self._store(), code, component_id, setup.signer(secret), officer=officer
                ),
                lambda saved: self._on_signed(code, saved),
                self.failed.emit,
            )

        self.with_secret(sign)

    def _on_signed(self, code: str, saved: SavedComponent) -> None:
        self.said.emit(f"Đã ký số «{saved.component.name}» ({saved.component.signer}).", "ok")
        self.signed.emit(code, saved)
