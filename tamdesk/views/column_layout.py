"""Table columns that follow the window: the text column takes the spare room, the others keep their widths, and
at narrow widths the text column gives room back first, then the less important columns, so the columns that
matter (a ticket's SLA) stay on screen. Email addresses are elided in the middle. What the user changes (widths,
order, hidden columns, sort) is remembered and wins over the defaults until "Reset columns".

The layout is declared on the model's ``Column``s (``stretch``, ``email``, ``priority``, ``min_width``, ``width``);
``remember_header`` in views/widgets attaches a ``ColumnLayout`` to a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractProxyModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtGui import QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QHeaderView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from tamdesk.views.table_model import Column, Priority, RowTableModel

Index = QModelIndex | QPersistentModelIndex

STRETCH_MINIMUM = 140
"""How narrow the text column gets at narrow widths, unless its column says otherwise."""


class ElideMiddleDelegate(QStyledItemDelegate):
    """Draws a cell's text elided in the middle (``grace.jo…nalytics.com``): both the mailbox and the domain stay
    readable. The model gives the full address as the tooltip."""

    def displayed_text(self, option: QStyleOptionViewItem, index: Index) -> str:
        """The text as painted in a cell of ``option.rect``'s width."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        return self._elided(opt)

    def _elided(self, opt: QStyleOptionViewItem) -> str:
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1  # as the style draws
        metrics = QFontMetrics(opt.font)
        return metrics.elidedText(opt.text, Qt.TextElideMode.ElideMiddle, rect.width() - 2 * margin)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = self._elided(opt)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)


def model_columns(view: QTableView) -> list[Column[Any]]:
    """The ``Column``s of the row model under ``view`` (through a sort proxy), or none for another model."""
    model = view.model()
    while isinstance(model, QAbstractProxyModel):
        model = model.sourceModel()
    return list(model.columns) if isinstance(model, RowTableModel) else []


class ColumnLayout(QObject):
    """Keeps ``view``'s columns fitted to its width and remembers what the user changes under ``tables/<key>``.

    Each column has a wanted width (the user's, else its default, else its text's). Spare room first shows the
    stretch column's text in full, then cut-off text of the other columns, and the rest goes to the stretch
    column. When the wanted widths do not fit, the stretch column narrows to its minimum first, then ``LOW``
    columns, then ``NORMAL`` ones (in proportion to what each can give), never ``KEEP`` columns or a column the
    user sized; if that is not enough, ``LOW`` and then ``NORMAL`` columns step aside until the window is wider
    (see ``layout``). A user dragging the stretch column's edge moves the border with its right-hand neighbour,
    which takes or gives the difference, so no empty space appears.
    """

    def __init__(self, view: QTableView, key: str, widths: Sequence[int] = ()) -> None:
        super().__init__(view)
        self.view = view
        self.header = view.horizontalHeader()
        self.key = f"tables/{key}"
        self.columns = model_columns(view)
        count = self.header.count()
        self.defaults = [self._default_width(column, widths) for column in range(count)]
        stretch = [column for column, spec in enumerate(self.columns) if spec.stretch]
        self.stretch: int | None = stretch[0] if stretch else None
        # columns without a width of their own are as wide as their text (measured once on screen)
        self.auto = {c for c in range(count) if not self._declared_width(c, widths)}
        self.wanted = list(self.defaults)
        self.pinned: set[int] = set()  # sized by the user: never squeezed
        self.auto_hidden: set[int] = set()  # left out for want of room (not by the user): back when there is room
        self._content: dict[int, int] = {}  # how wide each column's text on screen is (measured when needed)
        self._refit = QTimer(self)  # once the rows changed: measure them again when the event loop is idle
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._rows_changed)
        model = view.model()
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted):
            signal.connect(self._refit.start)
        self._fitting = False
        for column, spec in enumerate(self.columns):
            if spec.email and view.itemDelegateForColumn(column) is None:
                view.setItemDelegateForColumn(column, ElideMiddleDelegate(view))
        self._restore()
        self.header.sectionResized.connect(self._resized)
        self.header.sectionMoved.connect(self._moved)
        self.header.sortIndicatorChanged.connect(lambda *_: self.save())
        self.header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.header.customContextMenuRequested.connect(self._menu)
        self._fitting = True
        try:  # the wanted widths until the table is shown and fitted to its width
            for column, width in enumerate(self.wanted):
                self.header.resizeSection(column, width)
        finally:
            self._fitting = False
        view.viewport().installEventFilter(self)
        self.fit()

    # -- defaults and what is remembered ---------------------------------------------------------------------

    def _declared_width(self, column: int, widths: Sequence[int]) -> int:
        given = widths[column] if column < len(widths) else 0
        declared = self.columns[column].width if column < len(self.columns) else None
        return given or declared or 0

    def _default_width(self, column: int, widths: Sequence[int]) -> int:
        declared = self._declared_width(column, widths)
        return declared or max(self.header.sectionSizeHint(column), self.header.defaultSectionSize())

    def minimum(self, column: int, *, last_resort: bool = False) -> int:
        """How narrow ``column`` may get at narrow widths: most of its text still reads (a ``LOW`` column
        narrower than that is left out); as a ``last_resort``, before the table scrolls, only its title."""
        wanted = self.wanted[column]
        spec = self.columns[column] if column < len(self.columns) else None
        if column in self.pinned or (spec is not None and spec.priority is Priority.KEEP):
            return wanted
        title = min(wanted, max(48, self.header.sectionSizeHint(column)))  # the title and sort arrow still read
        if last_resort:
            return title
        if spec is not None and spec.min_width:
            return min(wanted, spec.min_width)
        if column == self.stretch:
            return min(wanted, STRETCH_MINIMUM)
        return max(title, wanted * 3 // 5)

    def content_width(self, column: int) -> int:
        """How wide ``column`` would show the text of the rows on screen and its title in full."""
        if column not in self._content:
            headers = (self.header, self.view.verticalHeader())
            precisions = [header.resizeContentsPrecision() for header in headers]
            for header in headers:  # the rows on screen only: a long list is never read through
                header.setResizeContentsPrecision(0)
            try:
                text = self.view.sizeHintForColumn(column)
            finally:
                for header, precision in zip(headers, precisions, strict=True):
                    header.setResizeContentsPrecision(precision)
            self._content[column] = max(text, self.header.sectionSizeHint(column))
        return self._content[column]

    def _measure(self) -> None:
        """Columns without a width of their own want their text's width (not the stretch column, nor one the user
        sized)."""
        visible = self._visible()
        if not visible:
            return
        stretch = self._stretch_column(visible)
        for column in visible:
            if column in self.auto and column not in self.pinned and column != stretch:
                self.wanted[column] = self.content_width(column)

    def _rows_changed(self) -> None:
        self._content.clear()
        self.fit()

    def _restore(self) -> None:
        settings = QSettings()
        state = settings.value(f"{self.key}/header")
        if state is not None:
            self.header.restoreState(state)
        widths = _numbers(settings.value(f"{self.key}/widths", [], type=list))
        pinned = _numbers(settings.value(f"{self.key}/pinned", [], type=list))
        if len(widths) == len(self.wanted):
            self.wanted = [max(w, self.header.minimumSectionSize()) for w in widths]
        elif state is not None:  # remembered before the widths were kept apart: the sizes shown then
            for column in range(len(self.wanted)):
                if column != self.stretch:  # the stretch column's size was only what the others left
                    self.wanted[column] = self.header.sectionSize(column)
        self.pinned = {c for c in pinned if 0 <= c < len(self.wanted)}
        # an older layout may have stretched a section by Qt's own modes: every section is sized here
        self.header.setStretchLastSection(False)
        self.header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def save(self) -> None:
        settings = QSettings()
        settings.setValue(f"{self.key}/header", self._state())
        settings.setValue(f"{self.key}/widths", [int(w) for w in self.wanted])
        settings.setValue(f"{self.key}/pinned", sorted(self.pinned))

    def _state(self) -> Any:
        """The header's state as the user left it: columns left out for room are saved as shown."""
        if not self.auto_hidden:
            return self.header.saveState()
        self._fitting = True
        try:
            for column in self.auto_hidden:
                self.header.setSectionHidden(column, False)
            state = self.header.saveState()
            for column in self.auto_hidden:
                self.header.setSectionHidden(column, True)
        finally:
            self._fitting = False
        return state

    def reset(self) -> None:
        """Back to the default widths, order and columns (the sort stays)."""
        self._fitting = True
        try:
            for column in range(self.header.count()):
                self.header.setSectionHidden(column, False)
                self.header.moveSection(self.header.visualIndex(column), column)
        finally:
            self._fitting = False
        self.wanted = list(self.defaults)
        self.pinned.clear()
        self.auto_hidden.clear()
        settings = QSettings()
        for name in ("header", "widths", "pinned"):
            settings.remove(f"{self.key}/{name}")
        self.fit()
        self.save()

    # -- fitting ---------------------------------------------------------------------------------------------

    def _visible(self) -> list[int]:
        """The columns the user shows (those hidden only for room count as shown), in their visual order."""
        columns = [c for c in range(self.header.count()) if not self.header.isSectionHidden(c) or c in self.auto_hidden]
        return sorted(columns, key=self.header.visualIndex)

    def _stretch_column(self, visible: list[int]) -> int:
        """The declared stretch column while shown, else the last visible one."""
        return self.stretch if self.stretch in visible else visible[-1]

    def layout(self, available: int) -> dict[int, int]:
        """The width of each column shown in a viewport ``available`` pixels wide.

        When the columns do not fit even at their minimums, ``LOW`` columns are left out (the rightmost first),
        then ``NORMAL`` ones; only then do the stretch column and what is left narrow to their titles.
        """
        visible = self._visible()
        if not visible or len(self.wanted) != self.header.count():
            return {}
        stretch = self._stretch_column(visible)
        while True:
            widths, deficit = self._squeeze(visible, stretch, available)
            if deficit <= 0:
                return widths
            movable = [c for c in visible if c != stretch and c not in self.pinned]  # the user's sizing is kept
            spare = [c for c in movable if self._priority(c) is Priority.LOW]
            spare = spare or [c for c in movable if self._priority(c) is Priority.NORMAL]
            if not spare:
                return self._squeeze(visible, stretch, available, last_resort=True)[0]
            visible = [c for c in visible if c != spare[-1]]

    def _squeeze(
        self, visible: list[int], stretch: int, available: int, *, last_resort: bool = False
    ) -> tuple[dict[int, int], int]:
        """The widths of ``visible`` columns, and by how much they still overflow ``available``."""
        widths = {c: self.wanted[c] for c in visible}
        spare = available - sum(widths.values())
        if spare >= 0:
            # the text column's own text first, then the others' cut-off text, then the rest to the text column
            first = min(spare, max(0, self.content_width(stretch) - widths[stretch]))
            widths[stretch] += first
            spare -= first
            widths[stretch] += spare - self._grow(widths, stretch, spare)
            return widths, 0
        deficit = -spare
        groups = [[stretch]]
        for priority in (Priority.LOW, Priority.NORMAL):
            groups.append([c for c in visible if c != stretch and self._priority(c) is priority])
        for group in groups:
            least = {c: self.minimum(c, last_resort=last_resort) for c in group}
            room = {c: widths[c] - least[c] for c in group if widths[c] > least[c]}
            total = sum(room.values())
            if not total:
                continue
            take = min(deficit, total)
            given = 0
            for number, (column, can) in enumerate(room.items()):
                share = take - given if number == len(room) - 1 else take * can // total
                widths[column] -= share
                given += share
            deficit -= take
            if not deficit:
                break
        return widths, deficit

    def _grow(self, widths: dict[int, int], stretch: int, room: int) -> int:
        """Widen columns whose text is cut off (up to twice their width, not those the user sized) by at most
        ``room`` pixels between them; returns the pixels used."""
        wants = {}
        for column in widths:
            if column != stretch and column not in self.pinned:
                wants[column] = min(self.content_width(column), 2 * widths[column]) - widths[column]
        wants = {c: w for c, w in wants.items() if w > 0}
        total = sum(wants.values())
        used = min(total, room)
        given = 0
        for number, (column, want) in enumerate(wants.items()):
            share = used - given if number == len(wants) - 1 else used * want // total
            widths[column] += share
            given += share
        return used

    def _priority(self, column: int) -> Priority:
        return self.columns[column].priority if column < len(self.columns) else Priority.NORMAL

    def fit(self) -> None:
        """Size the columns to the viewport's width, leaving out for now the low-priority ones with no room."""
        if self._fitting or not self.view.isVisible():
            return  # a table not on screen yet has no width of its own to fit
        self._measure()
        widths = self.layout(self.view.viewport().width())
        if not widths:
            return
        self._fitting = True
        try:
            for column in self._visible():
                shown = column in widths
                if shown == self.header.isSectionHidden(column):
                    self.header.setSectionHidden(column, not shown)
                if shown:
                    self.auto_hidden.discard(column)
                else:
                    self.auto_hidden.add(column)
            for column, width in widths.items():
                if self.header.sectionSize(column) != width:
                    self.header.resizeSection(column, width)
        finally:
            self._fitting = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.fit()
        return False

    # -- what the user does ----------------------------------------------------------------------------------

    def _resized(self, column: int, old: int, new: int) -> None:
        if self._fitting or column >= len(self.wanted) or self.header.isSectionHidden(column):
            return
        visible = self._visible()
        if column == self._stretch_column(visible):
            self._stretch_resized(column, visible, new - old)
        else:
            self.wanted[column] = new
            self.pinned.add(column)
        self.fit()
        self.save()

    def _stretch_resized(self, column: int, visible: list[int], delta: int) -> None:
        """The stretch column's edge moved by ``delta``: its right-hand neighbour takes or gives the difference.

        Made wider than the neighbour can give, the stretch column keeps that width and the table scrolls; made
        narrower with nothing to its right, it still fills the table.
        """
        right = visible[visible.index(column) + 1 :]
        if right:
            neighbour = right[0]
            shown = self.header.sectionSize(neighbour)
            floor = min(shown, max(48, self.header.sectionSizeHint(neighbour)))
            width = max(floor, shown - delta)
            self.wanted[neighbour] = width
            self.pinned.add(neighbour)
            delta -= shown - width
        new = self.header.sectionSize(column)
        if delta > 0:
            self.wanted[column] = new
            self.pinned.add(column)
        else:
            self.wanted[column] = max(self.header.minimumSectionSize(), min(self.wanted[column], new))

    def _moved(self, *_: object) -> None:
        if self._fitting:
            return
        self.fit()
        self.save()

    def set_hidden(self, column: int, hidden: bool) -> None:
        """Hide or show ``column`` (one column always stays)."""
        if hidden and len(self._visible()) <= 1:
            return
        self.auto_hidden.discard(column)
        self._fitting = True
        try:
            self.header.setSectionHidden(column, hidden)
        finally:
            self._fitting = False
        self.fit()
        self.save()

    def menu(self) -> QMenu:
        """The header's menu: a tick for each column, then Reset columns."""
        menu = QMenu(self.header)
        model = self.view.model()
        visible = self._visible()
        for column in range(self.header.count()):
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "").strip()
            if not title:
                continue  # an untitled column (Today's "Open ›") is part of the row, not a choice
            action = menu.addAction(f"{title} (no room at this width)" if column in self.auto_hidden else title)
            action.setCheckable(True)
            action.setChecked(column in visible)
            action.setEnabled(column not in visible or len(visible) > 1)
            action.toggled.connect(lambda on, c=column: self.set_hidden(c, not on))
        menu.addSeparator()
        menu.addAction("Reset columns", self.reset)
        return menu

    def _menu(self, pos: QPoint) -> None:
        menu = self.menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.header.mapToGlobal(pos))


def _numbers(values: object) -> list[int]:
    """Whole numbers from a remembered list (an INI file gives them back as text); nothing if any is not one."""
    if not isinstance(values, list):
        return []
    try:
        return [int(value) for value in values]
    except (TypeError, ValueError):
        return []


def column_layout(view: QWidget) -> ColumnLayout | None:
    """The layout attached to ``view`` by ``remember_header``, if any."""
    return view.findChild(ColumnLayout, options=Qt.FindChildOption.FindDirectChildrenOnly)
