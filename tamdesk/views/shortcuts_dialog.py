"""Help › Keyboard shortcuts: every action of the main window that has a shortcut, gathered when it opens.

The list is read from the menus at run time, so a shortcut added anywhere in the menus appears here without
anyone keeping a second list. Actions with a shortcut that are in no menu are listed under "Other". A page's own
QShortcut (Ctrl+F to search a list, say) is listed under the page's title when it says what it does with
``setWhatsThis("Search customers")``; one without that text has nothing to show and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

OTHER_GROUP = "Other"
TABLES_GROUP = "In tables"


@dataclass(frozen=True)
class ShortcutEntry:
    """One action and the keys that trigger it, as the platform writes them (e.g. "Ctrl+Q")."""

    group: str
    text: str
    keys: str


def plain_text(text: str) -> str:
    """A menu text without its mnemonic ampersands and trailing ellipsis: "&Open database…" → "Open database"."""
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    return text.removesuffix("…").removesuffix("...").strip()


def _keys(source: QAction | QShortcut) -> str:
    sequences = source.shortcuts() if isinstance(source, QAction) else source.keys()
    return ", ".join(
        sequence.toString(QKeySequence.SequenceFormat.NativeText) for sequence in sequences if not sequence.isEmpty()
    )


def _menu_actions(menu: QMenu, group: str) -> list[tuple[str, QAction]]:
    found: list[tuple[str, QAction]] = []
    for action in menu.actions():
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            found += _menu_actions(submenu, f"{group} › {plain_text(submenu.title())}")
        elif not action.isSeparator():
            found.append((group, action))
    return found


def gather_shortcuts(window: QMainWindow) -> list[ShortcutEntry]:
    """Every action with a shortcut: those in the menu bar by menu, in menu order, then the rest as "Other".

    Pages not visited yet are built first (the window builds them on first visit), so their shortcuts are listed.
    """
    build_all_pages = getattr(window, "build_all_pages", None)
    if callable(build_all_pages):
        build_all_pages()
    listed: list[tuple[str, QAction]] = []
    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            listed += _menu_actions(menu, plain_text(menu.title()))
    seen = {id(action) for _, action in listed}
    listed += [(OTHER_GROUP, a) for a in window.findChildren(QAction) if id(a) not in seen and a.text()]
    found = [ShortcutEntry(group, plain_text(action.text()), _keys(action)) for group, action in listed]
    found += [
        ShortcutEntry(_page_title(shortcut), plain_text(shortcut.whatsThis()), _keys(shortcut))
        for shortcut in window.findChildren(QShortcut)
        if shortcut.whatsThis()
    ]
    found.append(ShortcutEntry(TABLES_GROUP, "Change the selected cell (a due date or a note)", _native("F2")))
    keys: dict[tuple[str, str], list[str]] = {}  # one line per action; Return and Enter both open, say
    for entry in found:
        if entry.keys:
            listed = keys.setdefault((entry.group, entry.text), [])
            listed += [k for k in entry.keys.split(", ") if k not in listed]
    return [ShortcutEntry(group, text, ", ".join(k)) for (group, text), k in keys.items()]


def _native(keys: str) -> str:
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


def _page_title(obj: QObject) -> str:
    """The title of the navigation page that holds ``obj`` (pages have a ``title`` string), else "Other"."""
    parent = obj.parent()
    while parent is not None:
        title = getattr(parent, "title", None)
        if isinstance(title, str) and title:
            return title
        parent = parent.parent()
    return OTHER_GROUP


class ShortcutsDialog(QDialog):
    """A filterable list of the keyboard shortcuts, grouped by menu."""

    def __init__(self, window: QMainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(460, 540)
        self.entries = gather_shortcuts(window)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by action or key")
        self.filter.setAccessibleName("Filter shortcuts")
        self.filter.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Keyboard shortcuts")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Action", "Shortcut"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.empty = QLabel("No shortcut matches the filter.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        self.filter.textChanged.connect(self._fill)
        self._fill("")

    def _fill(self, text: str) -> None:
        needle = text.strip().lower()
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for entry in self.entries:
            if needle and needle not in entry.text.lower() and needle not in entry.keys.lower():
                continue
            parent = groups.get(entry.group)
            if parent is None:
                parent = QTreeWidgetItem(self.tree, [entry.group])
                parent.setFirstColumnSpanned(True)
                font = parent.font(0)
                font.setBold(True)
                parent.setFont(0, font)
                parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
                groups[entry.group] = parent
            QTreeWidgetItem(parent, [entry.text, entry.keys])
        self.tree.expandAll()
        self.empty.setVisible(not groups)
        self.tree.setVisible(bool(groups))

    def shown_shortcuts(self) -> list[tuple[str, str, str]]:
        """(group, action, keys) for every row on screen, in order."""
        rows = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                child = group.child(j)
                rows.append((group.text(0), child.text(0), child.text(1)))
        return rows
