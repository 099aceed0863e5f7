"""Search everywhere (Ctrl+K): a palette over the main window that finds customers, seat holders, tickets, defects
and escalations as the user types, and opens the chosen one.

Typing is debounced; the search runs off the UI thread, one at a time, and only the answer for the text still in the
box is shown. The window gives the palette a runner of its own: searches only read, and waiting behind a long task
on the shared runner (the Today page loading 100,000 tickets) would make the first Ctrl+K feel broken. Up/Down
move, Enter opens, Esc closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QKeyEvent, QPainter, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from tamdesk.services.search import (
    MAX_QUERY_LENGTH,
    HitKind,
    SearchHit,
    clean_query,
    is_truncated,
    search,
    search_in_worker,
)
from tamdesk.views.icons import icon
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.widgets import Debouncer, Tone, set_tone_style

Index = QModelIndex | QPersistentModelIndex

DEBOUNCE_MS = 120
RESULT_LIMIT = 50
VISIBLE_ROWS = 9
MESSAGE_HEIGHT = 150
WIDTH = 680
KIND_ICONS = {
    HitKind.CUSTOMER: "customers",
    HitKind.SEAT: "mail",
    HitKind.TICKET: "tickets",
    HitKind.DEFECT: "defects",
    HitKind.ESCALATION: "escalations",
    HitKind.TIMELINE_ENTRY: "history",
}
SubtitleRole = Qt.ItemDataRole.UserRole + 1
KindRole = Qt.ItemDataRole.UserRole + 2


class SearchResultsModel(QAbstractListModel):
    """The hits of one search, best first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []

    def set_hits(self, hits: Sequence[SearchHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit_at(self, row: int) -> SearchHit:
        return self._hits[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.title
        if role == SubtitleRole:
            return hit.subtitle
        if role == KindRole:
            return hit.kind.label
        if role == Qt.ItemDataRole.DecorationRole:
            return icon(KIND_ICONS[hit.kind])
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{hit.kind.label}: {hit.title}\n{hit.subtitle}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{hit.kind.label}: {hit.title}. {hit.subtitle}"
        return None


class SearchHitDelegate(QStyledItemDelegate):
    """Paints a hit as its kind's icon, the title over a dimmer subtitle, and the kind's label on the right."""

    PADDING = 8
    ICON = 20

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        fm = QFontMetrics(option.font)  # type: ignore[attr-defined]
        return QSize(200, fm.height() * 2 + 2 * self.PADDING + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # type: ignore[attr-defined]
        opt.icon = QIcon()  # type: ignore[attr-defined]
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        rect: QRect = opt.rect.adjusted(self.PADDING + 2, self.PADDING, -self.PADDING - 2, -self.PADDING)  # type: ignore[attr-defined]
        palette: QPalette = opt.palette  # type: ignore[attr-defined]
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        mode = QIcon.Mode.Selected if selected else QIcon.Mode.Normal
        icon_top = rect.top() + (rect.height() - self.ICON) // 2
        index.data(Qt.ItemDataRole.DecorationRole).paint(
            painter, QRect(rect.left(), icon_top, self.ICON, self.ICON), Qt.AlignmentFlag.AlignCenter, mode
        )
        text_left = rect.left() + self.ICON + 12
        kind_width = self._paint_kind(painter, opt, rect, str(index.data(KindRole)), selected)
        width = max(10, rect.right() - kind_width - 12 - text_left)
        title_font = QFont(opt.font)  # type: ignore[attr-defined]
        title_font.setWeight(QFont.Weight.DemiBold)
        line = QFontMetrics(title_font).height()
        self._text(painter, title_font, palette.color(text_role), QRect(text_left, rect.top(), width, line),
                   str(index.data(Qt.ItemDataRole.DisplayRole)))  # fmt: skip
        sub = palette.color(text_role) if selected else palette.color(QPalette.ColorRole.PlaceholderText)
        self._text(painter, QFont(opt.font), sub, QRect(text_left, rect.top() + line + 2, width, line),  # type: ignore[attr-defined]
                   str(index.data(SubtitleRole)))  # fmt: skip
        painter.restore()

    @staticmethod
    def _text(painter: QPainter, font: QFont, color: QColor, rect: QRect, text: str) -> None:
        painter.setFont(font)
        painter.setPen(color)
        elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), elided)

    @staticmethod
    def _paint_kind(painter: QPainter, opt: QStyleOptionViewItem, rect: QRect, label: str, selected: bool) -> int:
        """The kind as a small outlined chip at the right; returns its width."""
        font = QFont(opt.font)  # type: ignore[attr-defined]
        font.setPointSizeF(font.pointSizeF() * 0.85)
        fm = QFontMetrics(font)
        width = fm.horizontalAdvance(label) + 14
        height = fm.height() + 6
        chip = QRect(rect.right() - width, rect.top() + (rect.height() - height) // 2, width, height)
        palette: QPalette = opt.palette  # type: ignore[attr-defined]
        color = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(color)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(chip.adjusted(0, 0, -1, -1), height / 2, height / 2)
        painter.setFont(font)
        painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), label)
        return width


class SearchDialog(QDialog):
    """The Ctrl+K palette. ``open_requested(kind, id)`` names what to open; the window routes it to its page."""

    open_requested = Signal(str, int)
    results_shown = Signal(int)  # how many hits are listed (after each search; for tests and accessibility)

    def __init__(self, runner: TaskRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowFlags(Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setWindowTitle("Search everywhere")
        self.setAccessibleName("Search everywhere")
        self._asked = ""  # the text of the search running now
        self._busy = False
        self._open_when_ready = False
        self._build()
        self.debouncer = Debouncer(DEBOUNCE_MS, self._search_now, self)
        self.query.textChanged.connect(self._text_changed)
        self.query.installEventFilter(self)
        self.results.clicked.connect(lambda index: self._open_row(index.row()))
        self.resize(WIDTH, 300)
        self._show_hint()

    # -- layout -------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.frame = QFrame(self)
        self.frame.setObjectName("searchFrame")
        self.frame.setStyleSheet("#searchFrame { background: palette(window); border: 1px solid palette(mid); }")
        self.query = QLineEdit()
        self.query.setObjectName("searchQuery")
        self.query.setPlaceholderText("Search customers, seat holders, tickets, defects and escalations")
        self.query.setAccessibleName("Search everywhere")
        self.query.setClearButtonEnabled(True)
        self.query.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.query.setMinimumHeight(self.query.sizeHint().height() + 10)
        font = self.query.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.query.setFont(font)
        self.model = SearchResultsModel(self)
        self.results = QListView()
        self.results.setAccessibleName("Search results")
        self.results.setModel(self.model)
        self.results.setItemDelegate(SearchHitDelegate(self.results))
        self.results.setUniformItemSizes(True)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the box; arrows move the list
        self.results.setFrameShape(QFrame.Shape.NoFrame)
        self.results.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.message = QLabel()
        self.message.setObjectName("searchMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setContentsMargins(24, 24, 24, 24)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.results)
        self.stack.addWidget(self.message)
        self.status = QLabel()
        self.status.setObjectName("searchStatus")
        self.status.setStyleSheet("color: palette(placeholder-text);")
        self.keys = QLabel("↑↓ to move · Enter to open · Esc to close")
        self.keys.setStyleSheet("color: palette(placeholder-text);")
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(self.keys)
        inner = QVBoxLayout(self.frame)
        inner.setContentsMargins(10, 10, 10, 8)
        inner.addWidget(self.query)
        inner.addWidget(self.stack, 1)
        inner.addLayout(footer)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.frame)

    def _place(self) -> None:
        """Centred over the window, a sixth of the way down, like a command palette."""
        owner = self.parentWidget()
        if owner is None:
            return
        window = owner.window()
        width = min(WIDTH, max(360, window.width() - 80))
        self.resize(width, self.height())
        self.move(window.mapToGlobal(QPoint((window.width() - width) // 2, max(40, window.height() // 6))))

    def _fit(self) -> None:
        """As tall as the hits need, up to ``VISIBLE_ROWS`` rows (then the list scrolls)."""
        rows = self.model.rowCount() if self.stack.currentWidget() is self.results else 0
        if rows:
            frame = 2 * self.results.frameWidth()
            self.stack.setFixedHeight(min(rows, VISIBLE_ROWS) * self.results.sizeHintForRow(0) + frame)
        else:
            self.stack.setFixedHeight(MESSAGE_HEIGHT)
        layout = self.layout()
        layout.activate()
        self.resize(self.width(), layout.totalSizeHint().height())

    def showEvent(self, event: QShowEvent) -> None:
        self._place()
        super().showEvent(event)
        self.query.setFocus(Qt.FocusReason.PopupFocusReason)
        self.query.selectAll()

    def open_palette(self) -> None:
        """Show the palette with the last text selected (type to replace it); its results are searched again."""
        self._open_when_ready = False
        self.show()
        self.raise_()
        self.activateWindow()
        if clean_query(self.query.text()):
            self._search_now()

    # -- searching ----------------------------------------------------------------------------------------

    def _text_changed(self, text: str) -> None:
        self._open_when_ready = False
        if not clean_query(text):
            self.debouncer.timer.stop()
            self.model.set_hits([])
            self._show_hint()
            return
        self.debouncer.trigger()

    def _search_now(self) -> None:
        """Search for the text in the box now, unless a search is running: then right after it."""
        text = clean_query(self.query.text())
        if not text:
            return
        if self._busy:
            self.status.setText("Searching…")
            return
        self._asked = text
        if self.runner is None:
            self._searched(search(text, RESULT_LIMIT))
            return
        self._busy = True
        self.status.setText("Searching…")
        task = self.runner.run(lambda _control: search_in_worker(text, RESULT_LIMIT))
        # bound methods, not lambdas: Qt drops the connection if the palette is destroyed before the answer comes
        task.succeeded.connect(self._searched)
        task.failed.connect(self._failed)

    def _searched(self, hits: list[SearchHit]) -> None:
        """The answer for ``self._asked``; shown only if that is still the text in the box."""
        self._busy = False
        if self._asked != clean_query(self.query.text()):
            self._search_now()  # the user typed on: only the latest text matters
            return
        self._show_hits(self._asked, hits)
        if self._open_when_ready:
            self._open_when_ready = False
            self.open_current()

    def _failed(self, exc: BaseException, _details: str = "") -> None:
        self._busy = False
        if self._asked != clean_query(self.query.text()):
            self._search_now()
            return
        self.model.set_hits([])
        self._show_message(f"The search failed: {exc}")
        self.status.setText("")
        self.results_shown.emit(0)

    # -- showing ------------------------------------------------------------------------------------------

    def _show_hint(self) -> None:
        self._show_message(
            "Type a customer, seat holder or TAM name, an email address or domain, a ticket number, an engineering "
            "key, or a defect or escalation number such as #12."
        )
        self.status.setText("")

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)
        self._fit()

    def _show_hits(self, text: str, hits: list[SearchHit]) -> None:
        self.model.set_hits(hits)
        truncated = is_truncated(self.query.text())
        if hits:
            self.stack.setCurrentWidget(self.results)
            self.results.setCurrentIndex(self.model.index(0, 0))
            self._fit()
        else:
            shown = text if len(text) <= 60 else text[:59] + "…"
            self._show_message(
                f"No matches for “{shown}”.\n\nTry part of a name, a ticket number, an email domain "
                "or an engineering key."
            )
        self.status.setText(self._status_text(len(hits), truncated))
        set_tone_style(self.status, Tone.WARNING if truncated else None, plain="color: palette(placeholder-text);")
        self.results_shown.emit(len(hits))

    @staticmethod
    def _status_text(count: int, truncated: bool) -> str:
        if truncated:
            return f"Only the first {MAX_QUERY_LENGTH} characters are searched."
        if count >= RESULT_LIMIT:
            return f"The best {RESULT_LIMIT} matches; type more to narrow them."
        return f"{count} match{'' if count == 1 else 'es'}" if count else ""

    # -- keys and opening ---------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.query and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._key(event)
        return super().eventFilter(watched, event)

    def _key(self, event: QKeyEvent) -> bool:
        key = event.key()
        steps = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 8, Qt.Key.Key_PageUp: -8}
        step = steps.get(key)
        if step is not None:
            self._move(step)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_current()
            return True
        if key == Qt.Key.Key_Escape:
            self.reject()
            return True
        return False

    def _move(self, step: int) -> None:
        count = self.model.rowCount()
        if not count:
            return
        current = self.results.currentIndex().row()
        row = max(0, min(count - 1, (current if current >= 0 else -1) + step))
        self.results.setCurrentIndex(self.model.index(row, 0))

    def open_current(self) -> None:
        """Open the selected hit; while the last keystrokes are still being searched, open the first hit then."""
        if self.debouncer.timer.isActive() or self._busy:
            self._open_when_ready = True
            self.debouncer.flush()
            return
        row = self.results.currentIndex().row()
        if self.stack.currentWidget() is self.results and row >= 0:
            self._open_row(row)

    def _open_row(self, row: int) -> None:
        hit = self.model.hit_at(row)
        self.accept()
        self.open_requested.emit(hit.kind.value, hit.id)
