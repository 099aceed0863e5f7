"""Monthly pack…: every workbook of a period into one folder, optionally emailed, off the UI thread with Cancel.

The same use case as ``tamdesk report pack`` (``reports.pack.write_pack``): nothing is kept unless every workbook
was written and, with recipients, sent.
"""

from __future__ import annotations

from datetime import date, tzinfo
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tamdesk.reports.pack import PackResult, write_pack
from tamdesk.reports.xlsx import ExportCancelled
from tamdesk.services.base import Context, DomainError
from tamdesk.services.report_pack import PackPeriod, custom_period, named_period, parse_recipients
from tamdesk.views.email_dialogs import smtp_ready
from tamdesk.views.session import shared_secrets
from tamdesk.views.tasks import Task, TaskControl, TaskRunner
from tamdesk.views.widgets import FieldMessage, Tone, grow_to_fit, reserve_space, show_failure, size_to_content

FOLDER_KEY = "reports/pack_folder"
RECIPIENTS_KEY = "reports/pack_recipients"
PERIODS = (("Last month", "last-month"), ("This month", "this-month"), ("Last quarter", "last-quarter"),
           ("Custom", ""))  # fmt: skip
SCALE = 1000


class ReportPackDialog(QDialog):
    """Choose the period, the folder and optional recipients; write (and send) the pack; say what happened."""

    def __init__(self, ctx: Context, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Monthly pack")
        self.setMinimumWidth(760)
        self.ctx, self.tz = ctx, tz
        self.runner = TaskRunner(self)
        self.task: Task | None = None
        self.result: PackResult | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Every workbook of the period (SLA, defects, escalations, seat roster, onboarding status) in one "
            "folder, named by the period as shown below. Nothing is kept unless all of them were written and sent."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        form.addRow("&Period:", self._period_row())
        form.addRow("&Folder:", self._folder_row())
        self.recipients = QLineEdit(str(QSettings().value(RECIPIENTS_KEY, "")))
        self.recipients.setAccessibleName("Recipients")
        self.recipients.setPlaceholderText("Optional: manager@vendor.example, director@vendor.example")
        self.recipients.setToolTip("Sent through the SMTP server of Settings › Email")
        form.addRow("&Email to:", self.recipients)
        layout.addLayout(form)
        self.progress = QProgressBar()
        self.progress.setRange(0, SCALE)
        self.progress.setAccessibleName("Pack progress")
        self.progress.setVisible(False)
        policy = self.progress.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the message and buttons stay put while a pack is written
        self.progress.setSizePolicy(policy)
        layout.addWidget(self.progress)
        self.message = reserve_space(FieldMessage(), 3)  # a refusal or the pack's summary; longer ones grow it
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.folder_button = self.buttons.addButton("Show in folder", QDialogButtonBox.ButtonRole.ActionRole)
        self.folder_button.setVisible(False)
        self.folder_button.clicked.connect(self.show_folder)
        self.run_button = self.buttons.addButton("&Write pack", QDialogButtonBox.ButtonRole.ActionRole)
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.cancel_button = self.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._period_changed()
        size_to_content(self)

    def _period_row(self) -> QWidget:
        self.period = QComboBox()
        self.period.setAccessibleName("Period")
        for label, name in PERIODS:
            self.period.addItem(label, name)
        today = self._today()
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        for edit, name, day in ((self.date_from, "From", today.replace(day=1)), (self.date_to, "To", today)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.dateChanged.connect(self._period_changed)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.period_note = reserve_space(QLabel())  # its text changes with the period, its room does not
        self.period_note.setStyleSheet("color: palette(placeholder-text);")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.period, QLabel("from"), self.date_from, QLabel("to"), self.date_to):
            row.addWidget(widget)
        row.addStretch(1)
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(row)
        box.addWidget(self.period_note)
        holder = QWidget()
        holder.setLayout(box)
        return holder

    def _folder_row(self) -> QWidget:
        self.folder = QLineEdit(str(QSettings().value(FOLDER_KEY, str(Path.home()))))
        self.folder.setAccessibleName("Folder")
        choose = QPushButton("&Choose…")
        choose.clicked.connect(self.choose_folder)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        holder = QWidget()
        holder.setLayout(row)
        return holder

    def _today(self) -> date:
        return self.ctx.now().astimezone(self.tz).date()

    def chosen_period(self) -> PackPeriod:
        """The period the form shows; raises PackError for a custom period that ends before it starts."""
        name = self.period.currentData()
        if name:
            return named_period(str(name), self._today())
        return custom_period(self.date_from.date().toPython(), self.date_to.date().toPython())  # type: ignore[arg-type]

    def _period_changed(self) -> None:
        name = self.period.currentData()
        self.date_from.setEnabled(not name)
        self.date_to.setEnabled(not name)
        if name:  # the greyed fields show the days the named period covers; Custom starts from them
            shown = named_period(str(name), self._today())
            for edit, day in ((self.date_from, shown.start), (self.date_to, shown.last)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        if self.task is None:  # the last run's message was about another period
            self.result = None
            self.message.clear()
            self.folder_button.setVisible(False)
        try:
            period = self.chosen_period()
        except DomainError as exc:
            self.period_note.setText(str(exc))
            return
        self.period_note.setText(
            f"{period.title}: {period.start} to {period.last}, files named {period.file_name('sla')} and so on."
        )

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the pack", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def run(self) -> None:
        """Check the form, then write (and send) the pack off the UI thread."""
        if self.task is not None:
            return
        try:
            period = self.chosen_period()
            to = parse_recipients([self.recipients.text()])
        except DomainError as exc:
            self.message.set_error(str(exc))
            self._fit()
            return
        folder = Path(self.folder.text().strip()).expanduser()
        settings, password = None, None
        if to:
            ready = smtp_ready(self)
            if ready is None:
                return
            settings, password = ready
        QSettings().setValue(FOLDER_KEY, str(folder))
        QSettings().setValue(RECIPIENTS_KEY, self.recipients.text().strip())
        ctx, tz = self.ctx, self.tz

        def work(control: TaskControl) -> PackResult:
            return write_pack(
                ctx, period, folder, tz=tz, recipients=to, smtp=settings, secret_store=shared_secrets(),
                prompt=lambda name, account: password, progress=control.progress, cancelled=control.cancelled,
            )  # fmt: skip

        self.result = None
        self.folder_button.setVisible(False)
        self.message.show_message(Tone.INFO, f"Writing the pack for {period.title}…")
        self.progress.setValue(0)
        self._running(True)
        self.task = self.runner.run(work, self._succeeded, self._failed, self._progressed)
        self.task.finished.connect(self._finished)

    def _running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.run_button.setEnabled(not running)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setEnabled(not running)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.message.show_message(Tone.INFO, "Cancelling…")

    def reject(self) -> None:
        if self.task is None:  # a running pack finishes or is cancelled first: Escape must not orphan it
            super().reject()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setValue(round(SCALE * done / total) if total else 0)

    def _succeeded(self, result: PackResult) -> None:
        self.result = result
        self.message.show_message(Tone.OK, result.summary)
        self.folder_button.setVisible(True)

    def _failed(self, exc: BaseException, details: str) -> None:
        if isinstance(exc, ExportCancelled):
            self.message.show_message(Tone.INFO, "Cancelled; nothing was written or sent.")
        elif isinstance(exc, DomainError):
            self.message.set_error(str(exc))
        else:
            self.message.set_error("The pack failed; nothing was written or sent.")
            show_failure(self, "Monthly pack", exc, details)

    def _finished(self) -> None:
        self.task = None
        self._running(False)
        self._fit()

    def _fit(self) -> None:
        """Grow to show a result longer than its kept lines in full instead of squeezing the form (after the label
        re-wraps); a usual one fits the lines kept for it and moves nothing."""
        QTimer.singleShot(0, lambda: grow_to_fit(self))

    def show_folder(self) -> None:
        if self.result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result.folder)))
