"""Ask what to do with scanned pages not yet saved, before the scanning screen moves elsewhere.

Opening another dossier or choosing another component would otherwise drop the pages in the
strip. The clerk keeps them (for the newly chosen component of the same dossier), discards them,
or goes back; «Quay lại» is the default and Esc, so a stray Enter loses nothing.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QMessageBox, QWidget


class PagesChoice(Enum):
    KEEP = "keep"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_pages_choice(parent: QWidget, text: str, *, can_keep: bool) -> PagesChoice:
    box = QMessageBox(QMessageBox.Icon.Question, "Các trang chưa lưu", text, parent=parent)
    keep = box.addButton("&Giữ các trang", QMessageBox.ButtonRole.AcceptRole) if can_keep else None
    discard = box.addButton("&Bỏ các trang", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton("&Quay lại", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if keep is not None and clicked is keep:
        return PagesChoice.KEEP
    return PagesChoice.DISCARD if clicked is discard else PagesChoice.CANCEL
