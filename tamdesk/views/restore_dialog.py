"""File > Restore backup…: pick one of this database's backups (or any backup file) to restore."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tamdesk.services.backups import BackupFile, backup_folder, list_backups


def describe_backup(backup: BackupFile) -> str:
    """``Tue 10 Mar 2026, 15:30 · automatic backup · 1.2 MB`` in the user's local time."""
    when = backup.taken_at.astimezone().strftime("%a %d %b %Y, %H:%M")
    kind = "kept before a restore" if backup.before_restore else "automatic backup"
    return f"{when} · {kind} · {backup.size / 1_048_576:.1f} MB"


class RestoreDialog(QDialog):
    """The backups of one database, newest first; ``chosen`` is the file to restore once accepted."""

    def __init__(self, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore backup")
        self.db_path = db_path
        self.chosen: Path | None = None
        self.backups = list_backups(db_path, with_safety_copies=True)
        heading = QLabel(f"Backups of <b>{db_path.name}</b> in {backup_folder(db_path)}")
        heading.setTextFormat(Qt.TextFormat.RichText)
        heading.setWordWrap(True)
        self.list = QListWidget()
        for backup in self.backups:
            item = QListWidgetItem(describe_backup(backup))
            item.setData(Qt.ItemDataRole.UserRole, str(backup.path))
            item.setToolTip(str(backup.path))
            self.list.addItem(item)
        self.empty = QLabel("This database has no backups yet. tamdesk makes one a day while the app is open.")
        self.empty.setWordWrap(True)
        self.empty.setVisible(not self.backups)
        self.list.setVisible(bool(self.backups))
        self.other = QPushButton("Choose another file…")
        self.other.clicked.connect(self.choose_file)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = self.buttons.addButton("&Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.other, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self._accept_selected)
        self.buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _item: self._accept_selected())
        self.list.currentRowChanged.connect(self._update_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.list)
        layout.addWidget(self.empty)
        layout.addWidget(self.buttons)
        if self.backups:
            self.list.setCurrentRow(0)
        self._update_button()
        self.resize(560, 360)

    def _update_button(self) -> None:
        self.restore_button.setEnabled(self.list.currentItem() is not None)

    def _accept_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.chosen = Path(item.data(Qt.ItemDataRole.UserRole))
        self.accept()

    def choose_file(self) -> None:
        """Any backup file, for one copied from elsewhere or made with ``tamdesk backup``."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Restore backup", str(backup_folder(self.db_path)), "tamdesk backups (*.db);;All files (*)"
        )
        if path:
            self.chosen = Path(path)
            self.accept()
