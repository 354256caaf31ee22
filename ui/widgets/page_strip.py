"""The strip of scanned pages awaiting save: thumbnails in order, reordered by drag and drop or
the keyboard, pages the blank detector flagged shown with a red frame and «Trang trắng?»;
`PagePanel` adds the tools that turn, move and delete them.

Each page is a `StripPage` (the processed page, its thumbnail, the scanner input it came from)
under a stable id, so work that finishes later (a rotation, a page arriving from the scanner)
finds its place even if the clerk has reordered or deleted pages meanwhile. `make_strip_page`
builds only a `QImage`, never a `QPixmap`, so it can run on the op-runner's worker threads.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from PIL import Image
from PySide6.QtCore import QByteArray, QItemSelectionModel, QMimeData, QPoint, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QImage,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.scanning.model import PageFormat, ProcessedPage
from app.scanning.pipeline import rotate
from ui.ops import OpRunner

THUMB_SIZE = QSize(118, 167)  # an A4 page's proportions
BLANK_COLOUR = QColor("#c62828")
BLANK_LABEL = "Trang trắng?"
MIME_TYPE = "application/x-motcua-strip-pages"
_ID_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class StripPage:
    page: ProcessedPage
    thumbnail: QImage
    source: str  # the scanner input's backend: sane | escl | import | wia


def thumbnail_image(page: ProcessedPage, size: QSize = THUMB_SIZE) -> QImage:
    """A small RGB picture of `page`. JPEG pages are decoded at reduced scale (draft mode), which
    costs a few milliseconds instead of decoding the full page."""
    with Image.open(io.BytesIO(page.data)) as source:
        if page.format == PageFormat.JPEG:
            source.draft("RGB", (size.width() * 2, size.height() * 2))
        picture = source.convert("RGB")
    picture.thumbnail((size.width(), size.height()), Image.Resampling.BILINEAR)
    data = picture.tobytes()
    image = QImage(
        data, picture.width, picture.height, 3 * picture.width, QImage.Format.Format_RGB888
    )
    return image.copy()  # owns its pixels: `data` goes away with this frame


def make_strip_page(page: ProcessedPage, source: str) -> StripPage:
    return StripPage(page, thumbnail_image(page), source)


def _icon(entry: StripPage) -> QIcon:
    """The thumbnail centred on a fixed-size canvas (turned pages keep the strip's grid even),
    framed in red when the page looks blank."""
    canvas = QPixmap(THUMB_SIZE)
    canvas.fill(Qt.GlobalColor.transparent)
    picture = entry.thumbnail
    left = (THUMB_SIZE.width() - picture.width()) // 2
    top = (THUMB_SIZE.height() - picture.height()) // 2
    painter = QPainter(canvas)
    painter.drawImage(left, top, picture)
    if entry.page.blank:
        painter.setPen(QPen(BLANK_COLOUR, 6))
        painter.drawRect(left + 3, top + 3, picture.width() - 6, picture.height() - 6)
    painter.end()
    return QIcon(canvas)


class PageStrip(QListWidget):
    """Thumbnails of the pages to save, in the order they will be saved."""

    pages_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: dict[int, StripPage] = {}
        self._icons: dict[int, QIcon] = {}  # made on the UI thread, once per page version
        self._ids = itertools.count(1)
        self.setViewMode(QListView.ViewMode.IconMode)
        # Static movement after IconMode (which sets Snap): reordering goes through dropEvent
        # below instead of Qt moving icons freely around the view.
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setWrapping(True)
        self.setIconSize(THUMB_SIZE)
        # Room for two lines under the thumbnail: «Trang 3» and «Trang trắng?».
        self.setGridSize(QSize(THUMB_SIZE.width() + 30, THUMB_SIZE.height() + 52))
        self.setSpacing(4)
        self.setWordWrap(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)

    # ---- reading ------------------------------------------------------------------------------

    def ids(self) -> list[int]:
        return [int(self.item(row).data(_ID_ROLE)) for row in range(self.count())]

    def entries(self) -> list[StripPage]:
        return [self._entries[page_id] for page_id in self.ids()]

    def pages(self) -> list[ProcessedPage]:
        """The pages in strip order: what «Lưu» saves."""
        return [entry.page for entry in self.entries()]

    def entry(self, page_id: int) -> StripPage:
        return self._entries[page_id]

    def row_of(self, page_id: int) -> int | None:
        for row in range(self.count()):
            if int(self.item(row).data(_ID_ROLE)) == page_id:
                return row
        return None

    def selected_ids(self) -> list[int]:
        """Selected pages in strip order (the current page when nothing is selected)."""
        chosen = [int(item.data(_ID_ROLE)) for item in self.selectedItems()]
        if not chosen and self.currentItem() is not None:
            chosen = [int(self.currentItem().data(_ID_ROLE))]
        order = {page_id: row for row, page_id in enumerate(self.ids())}
        return sorted(chosen, key=order.__getitem__)

    def current_id(self) -> int | None:
        item = self.currentItem()
        return None if item is None else int(item.data(_ID_ROLE))

    def blank_ids(self) -> list[int]:
        return [page_id for page_id in self.ids() if self._entries[page_id].page.blank]

    # ---- changing -----------------------------------------------------------------------------

    def insert(self, row: int | None, entry: StripPage) -> int:
        """Put `entry` at `row` (None or past the end: at the end); returns its id."""
        page_id = next(self._ids)
        self._entries[page_id] = entry
        item = QListWidgetItem()
        item.setData(_ID_ROLE, page_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsDragEnabled)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsDropEnabled)  # drop between, not onto
        if row is None or row >= self.count():
            self.addItem(item)
        else:
            self.insertItem(max(0, row), item)
        self._changed()
        return page_id

    def append(self, entry: StripPage) -> int:
        return self.insert(None, entry)

    def replace(self, page_id: int, entry: StripPage) -> bool:
        """Put `entry` in place of the page `page_id` (same id); False when it is gone."""
        if page_id not in self._entries or self.row_of(page_id) is None:
            return False
        self._entries[page_id] = entry
        self._icons.pop(page_id, None)
        self._changed()
        return True

    def remove(self, page_ids: Iterable[int]) -> int:
        removed = 0
        for page_id in list(page_ids):
            row = self.row_of(page_id)
            if row is not None:
                self.takeItem(row)
                self._entries.pop(page_id, None)
                self._icons.pop(page_id, None)
                removed += 1
        if removed:
            self._changed()
        return removed

    def clear_pages(self) -> None:
        self.clear()
        self._entries.clear()
        self._icons.clear()
        self._changed()

    def move_pages(self, page_ids: Iterable[int], row: int) -> None:
        """Move the pages to `row` (counted before the move), keeping their order among
        themselves; they stay selected."""
        wanted = set(page_ids)
        moving = [page_id for page_id in self.ids() if page_id in wanted]
        if not moving:
            return
        order = self.ids()
        before = sum(1 for page_id in order[: max(0, row)] if page_id in moving)
        rest = [page_id for page_id in order if page_id not in moving]
        target = min(max(0, row - before), len(rest))
        new_order = rest[:target] + moving + rest[target:]
        if new_order == order:
            return
        for page_id in moving:
            row_now = self.row_of(page_id)
            assert row_now is not None  # `moving` holds only ids in the strip
            self.takeItem(row_now)
        for offset, page_id in enumerate(moving):
            item = QListWidgetItem()
            item.setData(_ID_ROLE, page_id)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsDropEnabled)
            self.insertItem(target + offset, item)
        self.clearSelection()
        for page_id in moving:
            row_now = self.row_of(page_id)
            if row_now is not None:
                self.item(row_now).setSelected(True)
        last = self.row_of(moving[-1])
        if last is not None:
            self.setCurrentRow(last, QItemSelectionModel.SelectionFlag.NoUpdate)
        self._changed()

    def move_selected(self, step: int) -> None:
        """Move the selected pages one place earlier (-1) or later (+1): reordering by keyboard."""
        chosen = self.selected_ids()
        if not chosen:
            return
        rows = [self.row_of(page_id) or 0 for page_id in chosen]
        target = min(rows) - 1 if step < 0 else max(rows) + 2
        if target < 0 or target > self.count():
            return
        self.move_pages(chosen, target)

    # ---- drag and drop within the strip ---------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        data = QMimeData()
        ids = ",".join(str(int(item.data(_ID_ROLE))) for item in items)
        data.setData(MIME_TYPE, QByteArray(ids.encode("ascii")))
        return data

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(MIME_TYPE):
            super().dragEnterEvent(event)  # the view's drag state: auto-scroll near the edges
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(MIME_TYPE):
            super().dragMoveEvent(event)  # draws the drop indicator
            event.accept()
        else:
            event.ignore()

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        """Our own drag: the drop reorders the strip itself, so nothing must be removed after
        it (QAbstractItemView's drag would delete the dragged rows after a move)."""
        items = self.selectedItems()
        if not items:
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData(items))
        drag.setPixmap(items[0].icon().pixmap(THUMB_SIZE / 2))
        drag.exec(Qt.DropAction.MoveAction)

    def dropEvent(self, event: QDropEvent) -> None:
        if not event.mimeData().hasFormat(MIME_TYPE):
            event.ignore()
            return
        raw = bytes(event.mimeData().data(MIME_TYPE).data()).decode("ascii")
        ids = [int(part) for part in raw.split(",") if part]
        self.move_pages(ids, self.drop_row(event.position().toPoint()))
        event.acceptProposedAction()

    def drop_row(self, point: QPoint) -> int:
        """The row a drop at `point` lands before: after the item when on its right half."""
        index = self.indexAt(point)
        if not index.isValid():
            return self.count()
        rect = self.visualRect(index)
        return index.row() + (1 if point.x() > rect.center().x() else 0)

    # ---- labels -------------------------------------------------------------------------------

    def _changed(self) -> None:
        for row in range(self.count()):
            item = self.item(row)
            page_id = int(item.data(_ID_ROLE))
            entry = self._entries[page_id]
            page = entry.page
            if page_id not in self._icons:
                self._icons[page_id] = _icon(entry)
            item.setIcon(self._icons[page_id])
            text = f"Trang {row + 1}"
            if page.blank:
                text += f"\n{BLANK_LABEL}"
                item.setForeground(QBrush(BLANK_COLOUR))
                item.setToolTip(
                    "Trang này có vẻ trắng. Nếu đúng là trang trắng, chọn trang rồi nhấn "
                    "Delete để xóa."
                )
            else:
                item.setData(Qt.ItemDataRole.ForegroundRole, None)
                item.setToolTip(f"{page.width_px} × {page.height_px} điểm ảnh, {page.dpi} dpi")
            item.setText(text)
        self.pages_changed.emit()


def confirm_discard(parent: QWidget, count: int) -> bool:
    answer = QMessageBox.question(
        parent,
        "Bỏ các trang",
        f"Bỏ {count} trang đã quét mà chưa lưu?",
        defaultButton=QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class PagePanel(QWidget):
    """The strip with its tools: turn, move, delete pages, drop the flagged blank ones, or all.
    Turning re-encodes pages, so it runs through the op-runner; the result replaces the pages by
    id when it comes back. The screen owns the keyboard shortcuts (they work screen-wide)."""

    said = Signal(str)  # a note for the screen's message line
    failed = Signal(object)  # an exception from the op-runner
    changed = Signal()  # pages, their order or the selection changed

    def __init__(self, runner: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._locked = False
        self.strip = PageStrip()
        self.strip.setToolTip(
            "Kéo thả để đổi thứ tự trang; Delete xóa trang; Ctrl+←/→ quay trang; "
            "Ctrl+Shift+←/→ chuyển trang lên trước/ra sau"
        )
        tools: list[tuple[str, str, Callable[[], None]]] = [
            ("↺ Quay trái", "Quay trang chọn ngược chiều kim đồng hồ (Ctrl+←)", self.rotate_left),
            ("↻ Quay phải", "Quay trang chọn theo chiều kim đồng hồ (Ctrl+→)", self.rotate_right),
            ("◀ Lên trước", "Chuyển trang chọn lên trước (Ctrl+Shift+←)", self.move_earlier),
            ("Ra sau ▶", "Chuyển trang chọn ra sau (Ctrl+Shift+→)", self.move_later),
            ("Xóa trang", "Xóa các trang đang chọn (Delete)", self.delete_selected),
            ("Xóa trang trắng", "Xóa các trang được đánh dấu «Trang trắng?»", self.delete_blank),
            ("Bỏ tất cả", "Bỏ mọi trang chưa lưu (có hỏi lại)", self.discard_all),
        ]
        self.buttons: dict[str, QToolButton] = {}
        row = QHBoxLayout()
        for text, tip, slot in tools:
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            self.buttons[text] = button
            row.addWidget(button)
        row.addStretch(1)
        self.count_label = QLabel()
        row.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.strip, 1)
        # Delete only in the strip: elsewhere it must still delete characters.
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.strip)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_selected)
        self.strip.pages_changed.connect(self._update)
        self.strip.itemSelectionChanged.connect(self._update)
        self._update()

    def set_locked(self, locked: bool) -> None:
        """While a save runs, the pages being saved must not change under it."""
        self._locked = locked
        self._update()

    def _update(self) -> None:
        strip, idle = self.strip, not self._locked
        picked = bool(strip.selected_ids())
        strip.setEnabled(idle)
        for text, button in self.buttons.items():
            if text == "Xóa trang trắng":
                button.setEnabled(idle and bool(strip.blank_ids()))
            elif text == "Bỏ tất cả":
                button.setEnabled(idle and strip.count() > 0)
            else:
                button.setEnabled(idle and picked)
        blank = len(strip.blank_ids())
        text = f"{strip.count()} trang" if strip.count() else "Chưa có trang nào."
        if blank:
            text += f" · {blank} trang có vẻ trắng"
        self.count_label.setText(text)
        self.changed.emit()

    def rotate_left(self) -> None:
        self._rotate(-1)

    def rotate_right(self) -> None:
        self._rotate(1)

    def _rotate(self, quarter_turns: int) -> None:
        targets = [(i, self.strip.entry(i)) for i in self.strip.selected_ids()]
        if self._locked or not targets:
            return

        def work() -> list[tuple[int, StripPage]]:
            return [
                (i, make_strip_page(rotate(e.page, quarter_turns), e.source)) for i, e in targets
            ]

        self._runner.run(work, self._on_rotated, self.failed.emit)

    def _on_rotated(self, turned: list[tuple[int, StripPage]]) -> None:
        for page_id, entry in turned:
            self.strip.replace(page_id, entry)  # a page deleted meanwhile stays deleted

    def move_earlier(self) -> None:
        if not self._locked:
            self.strip.move_selected(-1)

    def move_later(self) -> None:
        if not self._locked:
            self.strip.move_selected(1)

    def delete_selected(self) -> None:
        chosen = self.strip.selected_ids()
        if self._locked or not chosen:
            return
        row = self.strip.row_of(chosen[0]) or 0
        self.strip.remove(chosen)
        if self.strip.count():
            self.strip.setCurrentRow(min(row, self.strip.count() - 1))
        self.said.emit(f"Đã xóa {len(chosen)} trang.")

    def delete_blank(self) -> None:
        blank = self.strip.blank_ids()
        if blank and not self._locked:
            self.strip.remove(blank)
            self.said.emit(f"Đã xóa {len(blank)} trang trắng.")

    def discard_all(self) -> None:
        if self._locked or not self.strip.count():
            return
        if confirm_discard(self, self.strip.count()):
            self.strip.clear_pages()
            self.said.emit("Đã bỏ các trang chưa lưu.")
