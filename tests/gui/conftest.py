"""GUI fixtures: QSettings in a temporary folder, a main window on a temporary database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from tamdesk.services.base import Context
from tamdesk.services.database import open_database
from tamdesk.views.main_window import MainWindow


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, qapp: object) -> Iterator[None]:
    QCoreApplication.setOrganizationName("tamdesk-tests")
    QCoreApplication.setApplicationName("tamdesk-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    yield
    QSettings().clear()


@pytest.fixture
def window(qtbot: object, db_path: Path, fixed_now: datetime) -> MainWindow:
    win = MainWindow(Context(actor="Tess Tam", clock=lambda: fixed_now), open_database)
    qtbot.addWidget(win)  # type: ignore[attr-defined]
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)  # type: ignore[attr-defined]
    return win
