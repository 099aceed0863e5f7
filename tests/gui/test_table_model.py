"""The shared row table model passes Qt's model tester and shows what its columns say."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from tamdesk.views.table_model import Column, RowTableModel


@dataclass(frozen=True)
class Row:
    name: str
    count: int


COLUMNS = [
    Column[Row]("Name", lambda r: r.name, tooltip=lambda r: f"About {r.name}"),
    Column[Row]("Count", lambda r: f"{r.count:,}", align_right=True,
                foreground=lambda r: QColor("red") if r.count < 0 else None),
]  # fmt: skip


def test_model_passes_the_model_tester(qtmodeltester) -> None:
    model = RowTableModel(COLUMNS)
    model.set_rows([Row("Acme", 1200), Row("Globex", -3)])
    qtmodeltester.check(model)
    model.append_rows([Row("Initech", 7)])
    qtmodeltester.check(model)


def test_model_shows_columns() -> None:
    model = RowTableModel(COLUMNS)
    model.set_rows([Row("Acme", 1200), Row("Globex", -3)])
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"
    assert model.data(model.index(0, 1)) == "1,200"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) == "About Acme"
    assert model.data(model.index(1, 1), Qt.ItemDataRole.ForegroundRole).color() == QColor("red")
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ForegroundRole) is None
    assert model.row_at(1) == Row("Globex", -3)
