"""Failures a TAM can do something about (a full disk, a busy database) are one sentence, not a crash report."""

from __future__ import annotations

import errno
import sqlite3
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from tamdesk.views import errors
from tamdesk.views.widgets import show_failure


@pytest.mark.parametrize(
    ("exc", "says"),
    [
        (sqlite3.OperationalError("database is locked"), "is busy: another tamdesk"),
        (sqlite3.OperationalError("database or disk is full"), "is full; nothing was changed"),
        (OSError(errno.ENOSPC, "No space left on device", "/tmp/sla.xlsx"), "The disk holding /tmp/sla.xlsx is full"),
        (PermissionError(errno.EACCES, "Permission denied", "/srv/x.csv"), "Cannot use /srv/x.csv: Permission denied."),
    ],
)
def test_a_failure_of_the_machine_is_a_sentence(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, exc: BaseException, says: str
) -> None:
    shown: list[str] = []
    reported: list[object] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(errors, "report_exception", lambda *a: reported.append(a))
    parent = QWidget()
    qtbot.addWidget(parent)
    show_failure(parent, "Import tickets", exc, "Traceback …")
    assert reported == [] and len(shown) == 1
    assert says in shown[0]
