"""Unexpected errors: logged to the rotating log file and shown in a dialog, never lost."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger("tamdesk")

_log_path = ""


def report_exception(exc: object, details: str) -> None:
    """Log an unexpected error and show it to the user with the details folded away."""
    log.error("Unexpected error: %s\n%s", exc, details)
    if QApplication.instance() is None:
        return
    box = QMessageBox(QApplication.activeWindow())
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Something went wrong")
    box.setText(f"tamdesk ran into an unexpected problem:\n\n{exc}")
    where = f"\n\nThe details are saved in the log file:\n{_log_path}" if _log_path else ""
    box.setInformativeText(f"Your saved data is safe. If it happens again, send the log to support.{where}")
    box.setDetailedText(details)
    box.exec()


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    report_exception(exc, "".join(traceback.format_exception(kind, exc, tb)))


def install_excepthook(log_path: str) -> None:
    global _log_path
    _log_path = log_path
    sys.excepthook = _excepthook
