"""File > Restore backup…: only this database's backups are offered; a restore refused elsewhere says who holds it."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from tamdesk.app import private_settings, setup_logging
from tamdesk.models import tables as t
from tamdesk.services.backups import automatic_backup, restore_backup
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.database import close_database, open_database
from tamdesk.views import restore_dialog
from tamdesk.views.main_window import MainWindow
from tamdesk.views.restore_dialog import RestoreDialog
from tests.db.test_db_lock import other_process

POSIX = pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")


@pytest.fixture
def two_databases(tmp_path: Path, fixed_now: datetime) -> Iterator[tuple[Path, Path, list[Path]]]:
    """``ours.db`` with two backups and a safety copy, ``theirs.db`` beside it with one backup; ours is open."""
    ours, theirs = tmp_path / "ours.db", tmp_path / "theirs.db"
    open_database(theirs, create=True)
    automatic_backup(fixed_now)
    close_database()
    open_database(ours, create=True)
    create_customer(Context(), CustomerInput(name="Acme"))
    first = automatic_backup(fixed_now - timedelta(days=1))
    second = automatic_backup(fixed_now)
    assert first and second
    safety = restore_backup(first, ours)
    yield ours, theirs, [safety, second, first]  # newest first: the safety copy was taken now, on the wall clock
    close_database()


def test_the_dialog_lists_only_this_databases_backups_newest_first(qtbot, two_databases) -> None:
    ours, _, expected = two_databases
    dialog = RestoreDialog(ours)
    qtbot.addWidget(dialog)
    shown = [dialog.list.item(row) for row in range(dialog.list.count())]
    assert [Path(item.toolTip()) for item in shown] == expected  # nothing of theirs.db
    assert ["kept before a restore" in item.text() for item in shown] == [True, False, False]
    assert dialog.restore_button.isEnabled() and dialog.list.currentRow() == 0
    dialog.restore_button.click()
    assert dialog.chosen == expected[0]


def test_a_database_without_backups_says_so(qtbot, db_path: Path) -> None:
    dialog = RestoreDialog(db_path)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 0
    assert not dialog.empty.isHidden() and "no backups yet" in dialog.empty.text()
    assert not dialog.restore_button.isEnabled()


def test_restore_from_the_window_is_refused_while_another_program_has_the_database(
    qtbot, two_databases, monkeypatch: pytest.MonkeyPatch, fixed_now: datetime
) -> None:
    ours, _, backups = two_databases
    window = MainWindow(Context(actor="Tess Tam", clock=lambda: fixed_now), open_database)
    qtbot.addWidget(window)
    chosen = backups[2]

    def pick(self: RestoreDialog) -> int:
        self.chosen = chosen
        return 1

    monkeypatch.setattr(restore_dialog.RestoreDialog, "exec", pick)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Yes)
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: errors.append(text))
    create_customer(Context(), CustomerInput(name="Globex"))
    with other_process(ours, "tamdesk import tickets") as proc:
        window.restore_backup()
    assert errors == [
        f"Cannot restore {ours}: it is open in tamdesk import tickets (pid {proc.pid}); close it there and try again."
    ]
    assert sorted(c.name for c in t.Customer.select()) == ["Acme", "Globex"]  # still the database as it was
    window.restore_backup()  # the other program has finished: the restore goes ahead
    assert errors == [errors[0]]
    assert sorted(c.name for c in t.Customer.select()) == ["Acme"]
    assert "previous database is kept at" in window.statusBar().currentMessage()


@POSIX
def test_the_log_is_private(isolated_dirs: Path) -> None:
    previous = os.umask(0o022)
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = setup_logging()
        logging.getLogger("tamdesk").warning("opened Acme's database")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        for handler in root.handlers[len(before) :]:
            root.removeHandler(handler)
            handler.close()
        os.umask(previous)


@POSIX
def test_the_settings_file_stays_private_when_qt_saves_it() -> None:
    previous = os.umask(0o022)
    try:
        path = private_settings()
        assert path is not None
        settings = QSettings()
        settings.setValue("files/last_folder", "/home/tess/customers/acme")
        settings.sync()
        assert Path(settings.fileName()) == path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(previous)
