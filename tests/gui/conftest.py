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
from tamdesk.views.tasks import TaskRunner


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, qapp: object) -> Iterator[None]:
    QCoreApplication.setOrganizationName("tamdesk-tests")
    QCoreApplication.setApplicationName("tamdesk-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    yield
    QSettings().clear()


@pytest.fixture(autouse=True)
def unexpected_errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The crash dialog never blocks a test run: an unexpected error is recorded and fails the test instead."""
    from tamdesk.views import errors

    reported: list[str] = []
    monkeypatch.setattr(errors, "report_exception", lambda exc, details: reported.append(f"{exc}\n{details}"))
    yield reported
    if reported:
        pytest.fail("unexpected error reported to the user:\n" + "\n".join(reported), pytrace=False)


@pytest.fixture
def window(qtbot: object, db_path: Path, fixed_now: datetime) -> Iterator[MainWindow]:
    win = MainWindow(Context(actor="Tess Tam", clock=lambda: fixed_now), open_database)
    qtbot.addWidget(win)  # type: ignore[attr-defined]
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)  # type: ignore[attr-defined]
    yield win
    # Background reads (the Tickets page loads every ticket after its first page) must end while the test's
    # database is still open: one that fails after it is closed would report its error in the next test.
    for runner in win.findChildren(TaskRunner):
        runner.wait(30_000)
