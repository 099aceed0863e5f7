"""One table model for every grid: columns declared once, rows are plain (frozen) dataclasses.

Never hand live ORM objects to a view: ``data()`` runs on every paint. Sorting and filtering of long lists
happen in SQL or on plain lists off the UI thread, then arrive here through ``set_rows``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex


def local_time(value: datetime | None, *, seconds: bool = False) -> str:
    """A UTC timestamp as the user reads it: local zone, ``Tue 10 Mar 2026 15:30``.

    With ``seconds``, a time stored with seconds shows them (``15:30:17``): where history is explained (a ticket's
    timeline), since people type whole minutes but imports and older entries may carry seconds.
    """
    if value is None:
        return ""
    exact = seconds and bool(value.second or value.microsecond)
    return value.astimezone().strftime("%a %d %b %Y %H:%M:%S" if exact else "%a %d %b %Y %H:%M")


def local_date(value: date | None) -> str:
    return "" if value is None else value.strftime("%d %b %Y")


class Priority(IntEnum):
    """How readily a column gives up room when the window is too narrow for every column's width."""

    KEEP = 0  # never narrowed: what the list is for (a ticket's SLA)
    NORMAL = 1
    LOW = 2  # narrowed first, after the stretch column


@dataclass(frozen=True)
class Column(Generic[R]):
    """How one column reads a row (its text, and optionally tooltip, colours and alignment) and how it is laid out.

    ``width`` is its default width; the ``stretch`` column (text that benefits from room: a subject, a note) takes
    the spare room of a wide window and gives room back first in a narrow one, down to ``min_width``; then
    ``LOW``, then ``NORMAL`` columns narrow, never ``KEEP`` ones. An ``email`` column is elided in the middle,
    its full text in the tooltip. See views/column_layout.py.
    """

    title: str
    text: Callable[[R], str]
    tooltip: Callable[[R], str] | None = None
    foreground: Callable[[R], QColor | None] | None = None
    background: Callable[[R], QColor | None] | None = None
    align_right: bool = False
    width: int | None = None
    stretch: bool = False
    email: bool = False
    priority: Priority = Priority.NORMAL
    min_width: int = 0


class RowTableModel(QAbstractTableModel, Generic[R]):
    """A read-only table over a list of plain rows."""

    def __init__(self, columns: Sequence[Column[R]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def append_rows(self, rows: Sequence[R]) -> None:
        """Add a page of rows at the end (for lists loaded in pages)."""
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def rows(self) -> list[R]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.tooltip(row) or None
        if role == Qt.ItemDataRole.ToolTipRole and column.email:
            text = column.text(row)
            return text if "@" in text else None  # the whole address the cell elides (not a "—")
        if role == Qt.ItemDataRole.ForegroundRole and column.foreground:
            color = column.foreground(row)
            return QBrush(color) if color else None
        if role == Qt.ItemDataRole.BackgroundRole and column.background:
            color = column.background(row)
            return QBrush(color) if color else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].title
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None
