"""Actions on the selected rows of a table, in one place: each is a ``QAction`` with its shortcut (while the table has
the focus), enabled for what is selected (a disabled action's tooltip says why), on the context menu of every row,
and, where a page wants it, as a button beside the table.

A right-click on a row that is not selected selects it; on a row of a multi-row selection it keeps the selection,
so an action on several rows is one right-click away. Shortcuts hold Ctrl+Shift, and none removes anything without
asking first or leaving an undo.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QItemSelectionModel, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QMainWindow, QMenu, QTableView, QWidget

Row = TypeVar("Row")


@dataclass(frozen=True)
class ActionSpec:
    """What an action says: its menu text (with a mnemonic), its shortcut ("" for none) and what it does."""

    text: str
    keys: str
    tip: str


def make_action(
    owner: QWidget,
    parent: QObject,
    spec: ActionSpec,
    slot: Callable[[], None],
    context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut,
) -> QAction:
    """An action added to ``owner`` so its shortcut works within ``context`` of it."""
    action = QAction(spec.text, parent)
    action.setIconText(spec.text.replace("&", ""))  # a button's text: no mnemonic, but the ellipsis of a form
    if spec.keys:
        action.setShortcut(QKeySequence(spec.keys))
        action.setShortcutContext(context)
    action.setToolTip(spec.tip)
    action.setStatusTip(spec.tip)
    action.triggered.connect(lambda _=False: slot())
    owner.addAction(action)
    return action


def selecting_row_menu(table: QTableView, menu_for: Callable[[], QMenu | None]) -> Callable[[QPoint], None]:
    """Show ``menu_for()`` on a right-click on a row of ``table``; none below the rows. The row clicked becomes the
    selection unless it is part of it already. Returns the handler (connected already) for tests and callers."""

    def show(pos: QPoint) -> None:
        index = table.indexAt(pos)
        if not index.isValid():
            return
        selection = table.selectionModel()
        flag = QItemSelectionModel.SelectionFlag
        if not selection.isRowSelected(index.row(), index.parent()):
            selection.select(index, flag.ClearAndSelect | flag.Rows)  # whatever modifier keys are still held
        selection.setCurrentIndex(index, flag.NoUpdate)  # where a shortcut's menu of choices pops up
        menu = menu_for()
        if menu is not None:
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.popup(table.viewport().mapToGlobal(pos))

    table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    table.customContextMenuRequested.connect(show)
    return show


def some(rows: Sequence[object]) -> str | None:
    """Applies to any selection of at least one row."""
    return None if rows else "Select a row first"


def one(rows: Sequence[object]) -> str | None:
    """Applies to exactly one selected row."""
    if not rows:
        return "Select a row first"
    return None if len(rows) == 1 else "Select one row only"


Choice = tuple[str, Callable[[], object]]


@dataclass
class _Entry(Generic[Row]):
    action: QAction
    spec: ActionSpec
    act: Callable[[list[Row]], object]
    why_not: Callable[[list[Row]], str | None]
    text: Callable[[list[Row]], str] | None
    choices: Callable[[list[Row]], list[Choice]] | None


class TableActions(QObject, Generic[Row]):
    """The actions on the selected rows of ``table`` (``selected()`` reads them, in table order).

    ``add`` each action with what it does to the rows, when it does not apply (a reason, or None) and, where its
    text follows the selection, that text; ``separator`` groups them on the menu. ``refresh`` runs on every change
    of the selection, and should run after the rows were reloaded.
    """

    def __init__(self, table: QTableView, selected: Callable[[], Sequence[Row]]) -> None:
        super().__init__(table)
        self.table = table
        self.selected = lambda: list(selected())
        self._entries: list[_Entry[Row] | None] = []
        self._default: _Entry[Row] | None = None
        self.show_menu = selecting_row_menu(table, self.menu)
        table.selectionModel().selectionChanged.connect(lambda *_: self.refresh())
        table.model().modelReset.connect(self.refresh)  # rows reloaded: the same selection may be in another state

    def add(
        self,
        spec: ActionSpec,
        act: Callable[[list[Row]], object],
        why_not: Callable[[list[Row]], str | None] = one,
        *,
        text: Callable[[list[Row]], str] | None = None,
        choices: Callable[[list[Row]], list[Choice]] | None = None,
        default: bool = False,
    ) -> QAction:
        """Add an action; ``default`` makes it the menu's bold first entry (what Enter or a double-click does).

        ``choices`` names the things an action may reach (a defect's linked tickets): with several the menu shows
        them as a submenu, and the shortcut pops them up at the row.
        """
        made: list[_Entry[Row]] = []  # the entry, once the action that triggers it exists
        action = make_action(self.table, self, spec, lambda: self._trigger(made[0]))
        entry = _Entry[Row](action, spec, act, why_not, text, choices)
        made.append(entry)
        self._entries.append(entry)
        if default:
            self._default = entry
        self._refresh_entry(entry, self.selected())
        return entry.action

    def separator(self) -> None:
        self._entries.append(None)

    def actions(self) -> list[QAction]:
        return [entry.action for entry in self._entries if entry is not None]

    def refresh(self) -> None:
        """Enable what applies to the selected rows; a disabled action's tooltip says why."""
        rows = self.selected()
        for entry in self._entries:
            if entry is not None:
                self._refresh_entry(entry, rows)

    def _refresh_entry(self, entry: _Entry[Row], rows: list[Row]) -> None:
        why = entry.why_not(rows)
        entry.action.setEnabled(why is None)
        entry.action.setToolTip(entry.spec.tip if why is None else why)
        if entry.text is not None:
            text = entry.text(rows) if why is None or rows else entry.spec.text
            entry.action.setText(text)
            entry.action.setIconText(text.replace("&", ""))

    def _trigger(self, entry: _Entry[Row]) -> None:
        rows = self.selected()
        if entry.why_not(rows) is not None:
            return  # the selection changed since the menu was built, or the shortcut met a row it does not fit
        if entry.choices is not None:
            choices = entry.choices(rows)
            if len(choices) > 1:
                self._choices_menu(entry, choices).popup(self._row_point())
                return
            if choices:
                choices[0][1]()
                return
        entry.act(rows)

    def _row_point(self) -> QPoint:
        index = self.table.currentIndex()
        rect = self.table.visualRect(index) if index.isValid() else self.table.viewport().rect()
        return self.table.viewport().mapToGlobal(rect.center())

    def _choices_menu(self, entry: _Entry[Row], choices: list[Choice], parent: QWidget | None = None) -> QMenu:
        menu = QMenu(entry.action.text(), parent or self.table)
        if parent is None:
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for label, slot in choices:
            menu.addAction(label).triggered.connect(lambda _=False, s=slot: s())
        return menu

    def menu(self) -> QMenu | None:
        """The context menu for the selected rows: the default action first, then the groups."""
        rows = self.selected()
        if not rows:
            return None
        self.refresh()
        menu = QMenu(self.table)
        if self._default is not None:
            menu.addAction(self._default.action)
            menu.setDefaultAction(self._default.action)
            menu.addSeparator()
        previous_was_separator = True
        for entry in self._entries:
            if entry is None:
                if not previous_was_separator:
                    menu.addSeparator()
                previous_was_separator = True
                continue
            if entry is self._default:
                continue
            previous_was_separator = False
            choices = entry.choices(rows) if entry.choices is not None and entry.action.isEnabled() else []
            if len(choices) > 1:
                menu.addMenu(self._choices_menu(entry, choices, menu))
            else:
                menu.addAction(entry.action)
        return menu


def follow(button: QAbstractButton, action: QAction) -> None:
    """Let ``button`` (with its own text and mnemonic) be enabled and explained as ``action`` is."""

    def update() -> None:
        button.setEnabled(action.isEnabled())
        button.setToolTip(action.toolTip())

    action.changed.connect(update)
    update()


def show_status(widget: QWidget, text: str) -> None:
    """Say what an action did in the status bar of ``widget``'s main window, when it has one."""
    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, 10000)
