"""The Import… dialog's reconciliation line: how many tickets agree with the source's own SLA verdict.

``1,180 of 1,200 agree with Zendesk on first response; 20 disagree.`` with Show disagreements and Save
reconciliation… (the workbook of reports/reconciliation.py, written off the UI thread to a temporary name and then
renamed, as every export). The line keeps its height when there is nothing to say.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimeZone, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from tamdesk.reports.reconciliation import export_reconciliation
from tamdesk.services.base import Context
from tamdesk.services.customers import time_zones
from tamdesk.services.reconciliation import Reconciliation
from tamdesk.views.tasks import Task, TaskRunner
from tamdesk.views.widgets import Tone, ask_save_path, safe_file_name, set_tone_style, show_failure


def user_zone() -> str:
    """The computer's IANA zone as Qt reads it (on Windows too), else UTC."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode(errors="ignore")
    return name if name in time_zones() else "UTC"


class ReconciliationBar(QWidget):
    """The summary line and its two buttons; ``show_requested`` asks the dialog to show the disagreements."""

    show_requested = Signal()

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.found: Reconciliation | None = None
        self.file_name = ""
        self.label = QLabel()
        self.label.setAccessibleName("SLA reconciliation")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_button = QPushButton("Show disagreements")
        self.show_button.clicked.connect(self.show_requested.emit)
        self.save_button = QPushButton("Save reconciliation…")
        self.save_button.setToolTip("A workbook of every ticket compared: both verdicts, both figures and why")
        self.save_button.clicked.connect(self.ask_save)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        for button in (self.show_button, self.save_button):
            policy = button.sizePolicy()
            policy.setRetainSizeWhenHidden(True)  # the row keeps its height, so nothing below moves
            button.setSizePolicy(policy)
            row.addWidget(button)
        self.show_found(None)

    def show_found(self, found: Reconciliation | None, file_name: str = "", *, partial: bool = False) -> None:
        """Say ``found``'s summary; ``partial`` when tickets of names not matched yet could not be compared."""
        self.found, self.file_name = found, file_name
        if found is not None and found.compared:
            self.label.setText(found.summary)
            self.label.setToolTip("Tickets of names that match no customer yet are compared once imported."
                                  if partial else "")  # fmt: skip
            set_tone_style(self.label, Tone.WARNING if found.disagreements else Tone.OK)
        else:
            self.label.setText("")
            self.label.setToolTip("")
            set_tone_style(self.label, None)
        disagree = bool(found and found.disagreements)
        self.show_button.setVisible(disagree)
        self.save_button.setVisible(disagree)

    def ask_save(self) -> None:
        if self.found is None:
            return
        name = safe_file_name(f"SLA reconciliation {Path(self.file_name).stem}") + ".xlsx"
        target = ask_save_path(self, "Save reconciliation", name)
        if target is not None:
            self.save(target)

    def save(self, target: Path) -> Task:
        """Write the workbook off the UI thread, times in the user's zone."""
        assert self.found is not None
        found, ctx, file_name, zone = self.found, self.ctx, self.file_name, ZoneInfo(user_zone())
        self.save_button.setEnabled(False)

        def done(path: Path) -> None:
            self.save_button.setEnabled(True)
            self.label.setText(f"{found.summary} Saved to {path}.")

        def failed(exc: BaseException, details: str) -> None:
            self.save_button.setEnabled(True)
            show_failure(self, "Save reconciliation", exc, details)

        return self.runner.run(
            lambda control: export_reconciliation(ctx, target, found, tz=zone, file_name=file_name), done, failed
        )
