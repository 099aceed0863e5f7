"""Small shared view helpers: tone colours that follow the palette, icon labels, field messages, searchable combos,
debouncing, sortable rows, remembered headers, background work with a progress dialog, and file choosers that
remember their folder."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import (
    QDate,
    QEvent,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSettings,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    SignalInstance,
)
from PySide6.QtGui import QColor, QIcon, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.models import DatabaseError
from tamdesk.services.base import Context, DomainError
from tamdesk.services.database import explain_failure, is_database_failure
from tamdesk.views.column_layout import ColumnLayout
from tamdesk.views.icons import icon
from tamdesk.views.table_model import RowTableModel
from tamdesk.views.tasks import Task, TaskControl, TaskRunner

if TYPE_CHECKING:
    from tamdesk.views.pages.base import EmptyState

Index = QModelIndex | QPersistentModelIndex
W = TypeVar("W", bound=QWidget)


class Tone(StrEnum):
    """What a coloured message means."""

    ERROR = "error"
    WARNING = "warning"
    OK = "ok"
    INFO = "info"


_LIGHT = {Tone.ERROR: "#b3261e", Tone.WARNING: "#8a5300", Tone.OK: "#1b6e2d", Tone.INFO: "#0b57d0"}
_DARK = {Tone.ERROR: "#ff8a80", Tone.WARNING: "#ffcc66", Tone.OK: "#7ddc8d", Tone.INFO: "#8ab4f8"}
_LIGHT_BG = {Tone.ERROR: "#fdecea", Tone.WARNING: "#fff4dc", Tone.OK: "#e8f5e9", Tone.INFO: "#e8f0fe"}
_DARK_BG = {Tone.ERROR: "#4a1d1a", Tone.WARNING: "#4a3a12", Tone.OK: "#1d3a22", Tone.INFO: "#1c2f4d"}


def _dark_palette() -> bool:
    app = QApplication.instance()
    palette = app.palette() if isinstance(app, QApplication) else QPalette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone_color(tone: Tone) -> QColor:
    """A readable text colour for ``tone`` on the current palette (light or dark)."""
    return QColor((_DARK if _dark_palette() else _LIGHT)[tone])


def tone_background(tone: Tone) -> QColor:
    """A soft row background for ``tone`` on the current palette."""
    return QColor((_DARK_BG if _dark_palette() else _LIGHT_BG)[tone])


TONE_ICONS = {Tone.ERROR: "error", Tone.WARNING: "warning", Tone.OK: "ok"}
"""The icon of the set that goes with each tone; the set has no "info" icon, so info messages show none."""


def tone_icon(tone: Tone) -> QIcon:
    """``tone``'s icon in ``tone``'s colour on the current palette (a null icon for a tone without one)."""
    name = TONE_ICONS.get(tone)
    return icon(name, tone_color(tone)) if name else QIcon()


# -- following the palette (a live light/dark switch) -------------------------------------------------------------

TONE_TEXT = "color: {color};"
TONE_BOLD = "color: {color}; font-weight: bold;"
TONE_BANNER = "background: {background}; color: {color}; padding: 6px; border-radius: 4px;"
"""Stylesheet templates for ``set_tone_style``: ``{color}`` and ``{background}`` take the tone's colours."""


def palette_changed_signal() -> SignalInstance | None:
    """The application's ``paletteChanged`` signal while Qt still has it (deprecated since Qt 6.0)."""
    return getattr(QApplication.instance(), "paletteChanged", None)


class PaletteHook(QObject):
    """Calls ``callback`` after the application palette changes (a light/dark switch), for as long as ``owner`` lives.

    Tone colours and tinted icons are read from the application palette, so whatever holds them (a stylesheet, a
    rendered pixmap, a laid-out link) must be made again. No single notice reaches every widget, so two are used:

    - the application's ``paletteChanged`` signal: deprecated since Qt 6.0 for the ``ApplicationPaletteChange``
      event, which only top-level windows get; but it is the only notice a widget styled by its own stylesheet gets
      of a bare ``QApplication.setPalette``. Skipped if a later Qt drops it.
    - the owner's ``PaletteChange`` and ``StyleChange`` events (with ``watch_events``): what theme.py's switch sends
      every widget as it puts the application stylesheet back on.

    The callback may run more than once per switch; it only redraws in the colours of the moment.
    """

    def __init__(self, owner: QObject, callback: Callable[[], object], *, watch_events: bool = True) -> None:
        super().__init__(owner)
        self._callback = callback
        if watch_events:
            owner.installEventFilter(self)
        changed = palette_changed_signal()
        if changed is not None:
            changed.connect(self._palette_changed)

    def _palette_changed(self, *_: object) -> None:
        self._callback()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._callback()
        return False


class _ToneStyle(PaletteHook):
    """A widget's tone-coloured stylesheet, re-filled in the palette's tone colours after every change."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget, self.apply)
        self.widget = widget
        self.tone: Tone | None = None
        self.template = TONE_TEXT
        self.plain = ""

    def sheet(self) -> str:
        if self.tone is None:
            return self.plain
        return self.template.format(color=tone_color(self.tone).name(), background=tone_background(self.tone).name())

    def apply(self) -> None:
        sheet = self.sheet()
        if self.widget.styleSheet() != sheet:  # an unchanged sheet would still re-polish the widget
            self.widget.setStyleSheet(sheet)


def set_tone_style(widget: QWidget, tone: Tone | None, template: str = TONE_TEXT, plain: str = "") -> None:
    """Style ``widget`` with ``template`` in ``tone``'s colours, now and after every light/dark switch.

    ``template`` is a stylesheet with ``{color}`` and ``{background}`` fields (literal braces doubled); without a
    tone the widget gets the ``plain`` sheet. Use this instead of a sheet with ``tone_color(...)`` baked in, which
    keeps the colours of the scheme it was made in.
    """
    style = widget.findChild(_ToneStyle, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if style is None:
        style = _ToneStyle(widget)
    style.tone, style.template, style.plain = tone, template, plain
    style.apply()


def follow_palette_links(label: QLabel) -> None:
    """Keep the links in ``label``'s rich text in the palette's link colour after a light/dark switch.

    QLabel colours links once, when the text is set; setting the same text again lays it out in the new colours.
    """

    def relayout() -> None:
        text = label.text()
        if "<a " in text:
            label.clear()
            label.setText(text)

    PaletteHook(label, relayout)


IconSource = QIcon | Callable[[], QIcon]
"""An icon, or a function that makes it (re-run after a palette change, e.g. for an icon in a tone colour)."""


class IconLabel(QLabel):
    """A QLabel showing an icon at ``side`` logical pixels, rendered for the screen's pixel ratio.

    A plain ``label.setPixmap(icon.pixmap(16))`` is drawn once: blurry on a 2x screen and in the old colours after a
    light/dark switch. This label keeps the icon and renders it again when the palette, the style or the device
    pixel ratio changes.
    """

    def __init__(self, source: IconSource | None = None, side: int = 16, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source: IconSource | None = source
        self._side = side
        self.setFixedSize(side, side)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        PaletteHook(self, self.render_icon, watch_events=False)  # changeEvent sees this label's own changes
        self.render_icon()

    def icon(self) -> QIcon:
        """The icon shown now (null when there is none)."""
        source = self._source
        if source is None:
            return QIcon()
        return source if isinstance(source, QIcon) else source()

    def set_icon(self, source: IconSource | None) -> None:
        """Show ``source`` (an icon or a function making it); None shows nothing."""
        self._source = source
        self.render_icon()

    def render_icon(self) -> None:
        """Render the icon again for the current palette and pixel ratio."""
        current = self.icon()
        if current.isNull():
            self.clear()
            return
        self.setPixmap(current.pixmap(QSize(self._side, self._side), self.devicePixelRatioF()))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self.render_icon()
        super().changeEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            self.render_icon()
        return super().event(event)


class FieldMessage(QWidget):
    """The message under a form field: red with an error icon, amber with a warning icon, hidden when empty.

    Text and icon take the tone's colour of the current palette, and again after a light/dark switch.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tone: Tone | None = None
        self.reserved_height: int | None = None  # set by ``reserve_space``
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 2)
        layout.setSpacing(6)
        self.icon = IconLabel(side=16)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # level with its icon
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        self.setVisible(False)

    def text(self) -> str:
        """The message shown ("" when hidden)."""
        return self.label.text()

    def show_message(self, tone: Tone, text: str) -> None:
        """Show ``text`` in ``tone``'s colour and icon; empty text hides the message."""
        if not text:
            self.clear()
            return
        self.tone = tone
        self.label.setText(text)
        set_tone_style(self.label, tone)
        self.icon.set_icon(lambda: tone_icon(tone))
        self.setAccessibleName(f"{tone.value}: {text}")
        self.setVisible(True)
        self.fit_reserved()

    def set_error(self, text: str) -> None:
        """Show ``text`` as an error."""
        self.show_message(Tone.ERROR, text)

    def set_warning(self, text: str) -> None:
        """Show ``text`` as a warning."""
        self.show_message(Tone.WARNING, text)

    def clear(self) -> None:
        """Hide the message."""
        self.tone = None
        self.label.clear()
        self.setVisible(False)
        self.fit_reserved()

    def fit_reserved(self) -> None:
        """With room reserved: exactly that high, or as high as a longer message needs at the width it has.

        A fixed height rather than a minimum one: a layout with room to spare gives a word-wrapped label the height
        of its size hint, which is for a narrower width than it gets, and the message would take more room than
        kept for it.
        """
        if self.reserved_height is None:
            return
        layout = self.layout()
        need = layout.totalHeightForWidth(self.width()) if self.label.text() and layout is not None else 0
        height = max(self.reserved_height, need)
        if self.height() != height or self.minimumHeight() != height or self.maximumHeight() != height:
            self.setFixedHeight(height)
            # a hidden widget's new size reaches no layout by itself: tell its own and its box's
            parent = self.parentWidget()
            for changed in (layout, parent.layout() if parent is not None else None):
                if changed is not None:
                    changed.invalidate()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit_reserved()  # a longer message wraps anew at the new width


def reserve_space(widget: W, lines: int = 1) -> W:
    """Keep ``widget``'s room in the layout while it is hidden or empty: at least ``lines`` lines of its text.

    For the message under a field (a ``FieldMessage``) and for a summary or hint label that appears later: showing,
    changing or hiding it never moves the fields and buttons under the pointer. A text that needs more lines than
    reserved at the width it is given still shows whole (the widget grows; nothing is cut off), so reserve what the
    longest usual message takes.

    A form layout drops the room of a hidden row widget whatever its size policy: under a form field, put the
    message in the field's box (or an always-shown holder), not in a row of its own.
    """
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    policy.setVerticalPolicy(
        QSizePolicy.Policy.Fixed if isinstance(widget, FieldMessage) else QSizePolicy.Policy.Minimum
    )
    widget.setSizePolicy(policy)
    label = widget.label if isinstance(widget, FieldMessage) else widget
    extra = 0
    # a message's own margins, or those of the first message in a room that holds several
    message = widget if isinstance(widget, FieldMessage) else widget.findChild(FieldMessage)
    for part in (widget, message) if message is not widget else (widget,):
        layout = part.layout() if part is not None else None
        if layout is not None:
            extra += layout.contentsMargins().top() + layout.contentsMargins().bottom()
    if isinstance(label, QLabel):
        label.setWordWrap(True)
        label_margins = label.contentsMargins()
        extra += label_margins.top() + label_margins.bottom() + 2 * label.margin()
    height = max(label.fontMetrics().lineSpacing() * lines, 16 if lines else 0) + extra
    if isinstance(widget, FieldMessage):
        widget.reserved_height = height
        widget.fit_reserved()
    else:
        widget.setMinimumHeight(height)
    return widget


def size_to_content(window: QWidget, width: int = 0) -> None:
    """Give a dialog the height its content needs at ``width`` (default: the width it was given, else the one its
    content asks for; never under its minimum).

    Word-wrapped labels make a layout's height depend on its width, which a top-level window's minimum size does
    not follow: a dialog sized by ``sizeHint()`` alone can be too short, and its wrapped help text then overlaps
    the fields beneath. Call after building it and again when its content changes for good.
    """
    layout = window.layout()
    if layout is None:
        return
    window.ensurePolished()  # style sheets change sizes; before the first show they are not applied yet
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    layout.activate()
    if not width:  # a width the code or the user gave, else the one the content asks for
        resized = window.testAttribute(Qt.WidgetAttribute.WA_Resized)
        width = window.width() if resized else layout.totalSizeHint().width()
    width = max(width, window.minimumWidth(), layout.totalMinimumSize().width())
    height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
    window.resize(width, max(height, window.minimumHeight()))


def resize_within_screen(window: QWidget, width: int, height: int) -> None:
    """Resize a window to ``width``×``height``, or as much of it as its screen leaves room for (a 1024×700 laptop
    screen must still show its title bar and buttons), never under its minimum size."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is not None:
        area = screen.availableGeometry()
        width, height = min(width, int(area.width() * 0.96)), min(height, int(area.height() * 0.92))
    window.resize(max(width, window.minimumWidth()), max(height, window.minimumHeight()))


def grow_to_fit(window: QWidget) -> None:
    """Make a dialog tall enough for a message longer than the room kept for it (top-level windows do not grow by
    themselves), and give it back the height it had once such messages are gone, unless the user resized it
    meanwhile. Messages that fit their kept room change nothing."""
    layout = window.layout()
    if layout is None:
        return
    width, height = window.width(), window.height()  # before the layout enlarges the window to its new minimum
    # a field box's layout tells the dialog's of a changed size by a posted event: deliver those first
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    layout.activate()
    needed = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
    base = int(window.property(_BASE_HEIGHT) or 0)
    if base and height != int(window.property(_FITTED_HEIGHT) or 0):
        base = 0  # the user resized the dialog since it grew: theirs is the height to keep
    target = height
    if needed > height:
        base, target = base or height, needed
    elif base and needed < height:
        target = max(base, needed)
    if target != window.height():
        window.resize(width, target)  # a shown window may take the new size only later: ``target`` is the height
    if target == base:
        base = 0  # back where it was
    window.setProperty(_BASE_HEIGHT, base)
    window.setProperty(_FITTED_HEIGHT, target)


_BASE_HEIGHT, _FITTED_HEIGHT = "tamdesk_height_before_growing", "tamdesk_height_grown_to"


class SearchableComboBox(QComboBox):
    """An editable combo whose typed text filters the list anywhere in the label (``berl`` finds Europe/Berlin).

    Items carry a value (a zone name, an ISO code); ``value()`` returns the chosen item's value, or the typed text
    when it matches no item, so the service can say why it is wrong.
    """

    def __init__(self, items: Sequence[tuple[str, str]] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(16)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        self.set_items(items)

    def set_items(self, items: Sequence[tuple[str, str]]) -> None:
        """Replace the items with ``(label, value)`` pairs."""
        text = self.currentText()
        self.blockSignals(True)
        self.clear()
        for label, value in items:
            self.addItem(label, value)
        self.setEditText(text)
        self.blockSignals(False)

    def value(self) -> str:
        text = self.currentText().strip()
        for row in range(self.count()):
            if self.itemText(row) == text:
                return str(self.itemData(row))
        for row in range(self.count()):
            if str(self.itemData(row)).lower() == text.lower() or self.itemText(row).lower() == text.lower():
                return str(self.itemData(row))
        for row in range(self.count()):  # the name of a ``Name (value)`` label: ``türkiye`` for Türkiye (TR)
            name = self.itemText(row).removesuffix(f" ({self.itemData(row)})")
            if name != self.itemText(row) and name.casefold() == text.casefold():
                return str(self.itemData(row))
        return text

    def set_value(self, value: str) -> None:
        row = self.findData(value)
        if row >= 0:
            self.setCurrentIndex(row)
        else:
            self.setEditText(value)


class Debouncer(QObject):
    """Calls ``callback`` once, ``msec`` after the last ``trigger()`` (typing pauses)."""

    def __init__(self, msec: int, callback: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(msec)
        self.timer.timeout.connect(callback)

    def trigger(self, *_: object) -> None:
        self.timer.start()

    def flush(self) -> None:
        """Run a pending call now (used before saving, so the last keystrokes are checked)."""
        if self.timer.isActive():
            self.timer.stop()
            self.timer.timeout.emit()


class RowSortProxy(QSortFilterProxyModel):
    """Sorts a ``RowTableModel`` by plain keys of its rows (numbers sort as numbers, never by display text).

    Only for short lists: long ones sort in SQL or off the UI thread.
    """

    def __init__(self, keys: Sequence[Callable[[Any], Any]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._keys = list(keys)

    def lessThan(self, left: Index, right: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, RowTableModel) or left.column() >= len(self._keys):
            return super().lessThan(left, right)
        key = self._keys[left.column()]
        return bool(key(model.row_at(left.row())) < key(model.row_at(right.row())))

    def row_at(self, proxy_row: int) -> Any:
        """The plain row shown at ``proxy_row``."""
        model = self.sourceModel()
        assert isinstance(model, RowTableModel)
        return model.row_at(self.mapToSource(self.index(proxy_row, 0)).row())


def remember_header(view: QTableView, key: str, widths: Sequence[int] = ()) -> None:
    """Fit ``view``'s columns to its width as its model's ``Column``s declare (stretch, email, priority), and
    remember the widths, order, hidden columns and sort the user chooses (call after ``setModel``).

    ``widths`` are default widths for columns that declare none. The header's context menu shows and hides
    columns and resets them. See views/column_layout.py.
    """
    ColumnLayout(view, key, widths)


def configure_table(view: QTableView, *, sortable: bool = False) -> None:
    """The look every grid shares: whole-row selection, alternating rows, no grid lines, a stretching last column
    (``remember_header`` then stretches the column its model declares)."""
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setSortingEnabled(sortable)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 12)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)


class _RowFitter(QObject):
    """Re-fits the rows of a word-wrapping table once the event loop is idle after a reset or a column resize."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self.fit)
        view.horizontalHeader().sectionResized.connect(self.timer.start)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.dataChanged, model.layoutChanged):
            signal.connect(self.timer.start)

    def fit(self) -> None:
        """Make each row as tall as its wrapped text with the usual padding, never lower than the usual row."""
        view = self.view
        minimum = view.verticalHeader().defaultSectionSize()
        padding = max(0, minimum - view.fontMetrics().height())  # what a one-line row has around its text
        for row in range(view.model().rowCount()):
            view.setRowHeight(row, max(minimum, view.sizeHintForRow(row) + padding))


def fit_rows_to_text(view: QTableView) -> None:
    """Wrap long cell text in ``view`` (after ``setModel``) and keep every row as tall as its text needs.

    A single-line row keeps the usual height and a row with more text grows to show all of it, after every reload
    and whenever a column width changes (the window was resized, the text column stretched); a one-off
    ``resizeRowsToContents()`` made while the columns still had their first widths leaves rows too tall or cut
    off. For short lists only: every row is measured.
    """
    view.setWordWrap(True)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    fitter = view.findChild(_RowFitter, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if fitter is None:
        fitter = _RowFitter(view)
    fitter.timer.start()


class ProgressBarDelegate(QStyledItemDelegate):
    """Paints a cell as a small progress bar with its display text (``7/10``) on it."""

    def __init__(self, fraction: Callable[[Index], tuple[int, int]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fraction = fraction

    def paint(self, painter: Any, option: QStyleOptionViewItem, index: Index) -> None:
        done, total = self._fraction(index)
        # the selection highlight first, then the bar inset so rows keep their rhythm
        QApplication.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(4, 4, -4, -4)  # type: ignore[attr-defined]
        bar.minimum = 0
        bar.maximum = max(total, 1)
        bar.progress = done
        bar.text = str(index.data()) if total else "—"
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        bar.state = option.state | QStyle.StateFlag.State_Horizontal  # type: ignore[attr-defined]
        QApplication.style().drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, option.widget)


# -- messages and background work --------------------------------------------------------------------------------


def failure_sentence(exc: BaseException | object, what: str = "") -> str | None:
    """What to say, in one sentence, for a failure the user can act on (a refused input, a database that is busy,
    full or gone away); None for an unexpected one, which goes to the error reporter. Database failures are logged
    with ``what`` failed."""
    if isinstance(exc, DomainError | DatabaseError):
        return str(exc)
    if isinstance(exc, BaseException) and (is_database_failure(exc) or isinstance(exc, OSError | MemoryError)):
        logging.getLogger("tamdesk").warning("%s failed: %s", what or "Reading the database", exc, exc_info=exc)
        return explain_failure(exc)
    return None


def show_failure(parent: QWidget | None, title: str, exc: BaseException | object, details: str = "") -> None:
    """A domain error as a plain message; anything else goes to the error reporter (logged, details folded)."""
    from tamdesk.reports.xlsx import ExportCancelled, ExportError

    if isinstance(exc, ExportCancelled):
        return
    if isinstance(exc, DomainError | ExportError | DatabaseError):
        QMessageBox.warning(parent, title, str(exc))
        return
    if is_database_failure(exc) or isinstance(exc, OSError | MemoryError):
        # the disk, a lock held by another program, a lost connection: said in one sentence, logged in full
        logging.getLogger("tamdesk").warning("%s failed: %s\n%s", title, exc, details)
        QMessageBox.warning(parent, title, explain_failure(exc))
        return
    from tamdesk.views.errors import report_exception

    report_exception(exc, details or repr(exc))


def run_with_progress(
    parent: QWidget,
    runner: TaskRunner,
    title: str,
    label: str,
    work: Callable[[TaskControl], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException, str], None] | None = None,
) -> Task:
    """Run ``work`` off the UI thread behind a cancellable progress dialog; failures come back as messages."""
    progress = QProgressDialog(label, "Cancel", 0, 0, parent)
    progress.setWindowTitle(title)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(400)
    progress.setAutoClose(False)
    progress.setAutoReset(False)

    def progressed(done: int, total: int) -> None:
        progress.setMaximum(max(total, 1))
        progress.setValue(done)

    def succeeded(result: object) -> None:
        progress.close()
        on_success(result)

    def failed(exc: BaseException, details: str) -> None:
        progress.close()
        if on_failure is not None:
            on_failure(exc, details)
        else:
            show_failure(parent, title, exc, details)

    task = runner.run(work, succeeded, failed, progressed)
    progress.canceled.connect(task.cancel)
    task.finished.connect(progress.deleteLater)
    return task


def _last_folder() -> str:
    return str(QSettings().value("files/last_folder", str(Path.home())))


def _remember_folder(path: str) -> None:
    QSettings().setValue("files/last_folder", str(Path(path).parent))


def ask_save_path(
    parent: QWidget, title: str, file_name: str, file_filter: str = "Excel workbooks (*.xlsx)"
) -> Path | None:
    """Ask where to save ``file_name``, starting in the last folder used; None when cancelled."""
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path(_last_folder()) / file_name), file_filter)
    if not path:
        return None
    _remember_folder(path)
    if file_filter.endswith("(*.xlsx)") and not path.lower().endswith(".xlsx"):
        path += ".xlsx"
    return Path(path)


def ask_open_path(parent: QWidget, title: str, file_filter: str) -> Path | None:
    """Ask for a file to read, starting in the last folder used; None when cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, title, _last_folder(), file_filter)
    if not path:
        return None
    _remember_folder(path)
    return Path(path)


def set_empty_text(empty: EmptyState, heading: str, text: str, width: int = 480) -> None:
    """Set an empty state's texts so the explanation wraps at ``width`` and is never cut off."""
    empty.set_text(heading, text, width)


def country_name(code: str) -> str:
    """``DE`` -> ``Germany``: the name Qt knows for an ISO code, else the code itself."""
    territory = QLocale.codeToTerritory(code) if len(code) == 2 else QLocale.Country.AnyTerritory
    if territory == QLocale.Country.AnyTerritory:
        return code
    return QLocale.territoryToString(territory)


def country_items(codes: Sequence[str]) -> list[tuple[str, str]]:
    """``(label, code)`` pairs for a country picker, by name: ``Germany (DE)``; two-letter codes only."""
    items = [(f"{country_name(code)} ({code})", code) for code in codes if len(code) == 2]
    return sorted(items, key=lambda item: item[0].casefold())


def today(ctx: Context) -> date:
    """The user's calendar date by the context's clock (tests pass a fixed clock)."""
    return ctx.now().astimezone().date()


def ask_date(parent: QWidget, title: str, label: str, initial: date, *, latest: date | None = None) -> date | None:
    """A small dialog asking for one date; None when cancelled."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    edit = QDateEdit(QDate(initial.year, initial.month, initial.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("ddd d MMM yyyy")
    edit.setAccessibleName(label.replace("&", ""))
    if latest is not None:
        edit.setMaximumDate(QDate(latest.year, latest.month, latest.day))
    caption = QLabel(label)
    caption.setBuddy(edit)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(caption)
    layout.addWidget(edit)
    layout.addWidget(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return edit.date().toPython()  # type: ignore[no-any-return]


def safe_file_name(text: str) -> str:
    """``Acme / Europe`` -> ``Acme - Europe``: a name any file system accepts."""
    cleaned = "".join("-" if ch in '\\/:*?"<>|' else ch for ch in text).strip(" .")
    return " ".join(cleaned.split()) or "export"
