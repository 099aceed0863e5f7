"""Compare before saving…: past compliance under the rules in force and under a draft, side by side.

Opened from Settings › SLA policies and Settings › Business hours with what the form holds but has not saved. The
comparison runs off the UI thread with progress and Cancel; Export… writes it as a workbook. Nothing is saved.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.reports.what_if import write_what_if
from tamdesk.services.base import Context, DomainError
from tamdesk.services.report_data import ReportCancelled
from tamdesk.services.what_if import ComparisonLine, Draft, Verdict, VerdictChange, WhatIf, compare
from tamdesk.views.table_model import Column, RowTableModel, local_time
from tamdesk.views.tasks import Task, TaskControl, TaskRunner
from tamdesk.views.widgets import (
    FieldMessage,
    Tone,
    ask_save_path,
    configure_table,
    reserve_space,
    resize_within_screen,
    run_with_progress,
    show_failure,
)

SCALE = 1000


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _side_by_side(now: float | None, draft: float | None) -> str:
    """``95.0% → 90.0%``, or the one figure when the draft leaves it as it is."""
    return _percent(now) if now == draft else f"{_percent(now)} → {_percent(draft)}"


def _points(change: float | None) -> str:
    if change is None or round(change * 1000) == 0:
        return ""
    return f"{change * 100:+.1f} pts".replace("-", "−")


def line_change(line: ComparisonLine) -> str:
    """E.g. ``FR −40.0 pts; 2 tickets change``; empty when the draft changes nothing in the line."""
    parts = [f"{label} {text}" for label, text in (("FR", _points(line.first_response_change)),
                                                    ("Upd.", _points(line.update_change))) if text]  # fmt: skip
    if line.changed:
        parts.append(f"{line.changed:,} ticket{'s' if line.changed != 1 else ''} change")
    return "; ".join(parts)


def _severity(line: ComparisonLine) -> str:
    return line.severity.label if line.severity is not None else "All severities"


def _line_columns() -> list[Column[ComparisonLine]]:
    return [
        Column[ComparisonLine]("Month", lambda r: r.month),
        Column[ComparisonLine]("Severity", _severity),
        Column[ComparisonLine]("Tickets", lambda r: f"{r.tickets:,}", align_right=True),
        Column[ComparisonLine](
            "FR % now → draft",
            lambda r: _side_by_side(r.now.first_response_rate, r.draft.first_response_rate),
            tooltip=lambda r: (
                f"First responses met: {r.now.first_responses_met:,} of {r.now.first_responses_due:,}"
                f" now, {r.draft.first_responses_met:,} of {r.draft.first_responses_due:,} under the draft"
            ),
        ),
        Column[ComparisonLine](
            "Upd. % now → draft",
            lambda r: _side_by_side(r.now.update_rate, r.draft.update_rate),
            tooltip=lambda r: (
                f"Tickets with every update kept: {r.now.updates_kept:,} of {r.now.updates_tracked:,}"
                f" now, {r.draft.updates_kept:,} of {r.draft.updates_tracked:,} under the draft"
            ),
        ),
        Column[ComparisonLine]("Change", line_change),
    ]


def _verdict(verdict: Verdict) -> str:
    return "not due" if verdict.met is None else "met" if verdict.met else "missed"


def _change_columns() -> list[Column[VerdictChange]]:
    return [
        Column[VerdictChange]("Ticket", lambda c: c.number),
        Column[VerdictChange]("Customer", lambda c: c.customer),
        Column[VerdictChange]("Severity", lambda c: c.severity.label),
        Column[VerdictChange]("Opened", lambda c: local_time(c.opened)),
        Column[VerdictChange]("First response", lambda c: local_time(c.first_response_at) or "none"),
        Column[VerdictChange]("Due now", lambda c: local_time(c.now.first_response_due)),
        Column[VerdictChange]("Due under the draft", lambda c: local_time(c.draft.first_response_due)),
        Column[VerdictChange]("Change", lambda c: c.change, tooltip=lambda c: f"{c.change}\n{c.number}: {c.subject}"),
    ]


class WhatIfDialog(QDialog):
    """Runs the comparison of ``draft`` at once and shows it; Export… writes it. Closing never saves anything."""

    def __init__(self, ctx: Context, draft: Draft, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare before saving")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # each Compare opens a new one with its own result
        resize_within_screen(self, 1120, 720)
        self.ctx, self.draft, self.tz = ctx, draft, tz
        self.runner = TaskRunner(self)
        self.task: Task | None = None
        self.result: WhatIf | None = None
        layout = QVBoxLayout(self)
        self.heading = QLabel("Comparing past compliance under the rules in force and under the draft…")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.notes = reserve_space(QLabel(""), 2)  # filled when the comparison is done: the tables stay put
        layout.addWidget(self.notes)
        progress_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, SCALE)
        self.progress.setAccessibleName("Comparison progress")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        layout.addLayout(progress_row)
        self.message = reserve_space(FieldMessage())
        layout.addWidget(self.message)
        layout.addWidget(self._tables(), 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton("&Export…", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _tables(self) -> QSplitter:
        self.lines = RowTableModel[ComparisonLine](_line_columns(), self)
        self.lines_view = QTableView()
        self.lines_view.setAccessibleName("Compliance now and under the draft")
        self.changes = RowTableModel[VerdictChange](_change_columns(), self)
        self.changes_view = QTableView()
        self.changes_view.setAccessibleName("Tickets whose verdict changes")
        self.changes_label = QLabel("<b>Tickets whose verdict changes</b>")
        splitter = QSplitter(Qt.Orientation.Vertical)
        for caption, view, model, widths in (
            (QLabel("<b>Per month and severity</b>"), self.lines_view, self.lines, (80, 110, 70, 170, 170)),
            (self.changes_label, self.changes_view, self.changes, (95, 170, 85, 135, 135, 135, 150)),
        ):
            configure_table(view)
            view.setModel(model)
            for column, width in enumerate(widths):
                view.setColumnWidth(column, width)
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(caption)
            box.addWidget(view)
            splitter.addWidget(holder)
        return splitter

    def start(self) -> None:
        """Run the comparison off the UI thread."""
        if self.task is not None:
            return
        draft, now, tz = self.draft, self.ctx.now(), self.tz

        def work(control: TaskControl) -> WhatIf:
            return compare(draft, now, tz=tz, progress=control.progress, cancelled=control.cancelled)

        self.result = None
        self.export_button.setEnabled(False)
        self.progress.setValue(0)
        self._running(True)
        self.task = self.runner.run(work, self._succeeded, self._failed, self._progressed)
        self.task.finished.connect(self._finished)

    def _running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.message.show_message(Tone.INFO, "Cancelling…")

    def reject(self) -> None:
        self.cancel()  # a running comparison stops at its next chunk; its result is dropped with the dialog
        super().reject()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setValue(round(SCALE * done / total) if total else 0)

    def _succeeded(self, result: WhatIf) -> None:
        self.result = result
        self.heading.setText(f"{result.subject}: {result.draft_changes}")
        self.notes.setText(
            f"Tickets opened {result.scope.period_label}, as of {local_time(result.now)}: "
            f"{result.now_rules} now against the {result.draft_rules}. " + " ".join(result.notes)
        )
        self.lines.set_rows([*result.lines, *result.severities, result.total])
        self.changes.set_rows(result.changes)
        count = len(result.changes)
        self.changes_label.setText(f"<b>Tickets whose verdict changes: {count:,}</b>")
        total = result.total
        if not result.tickets:
            self.message.show_message(Tone.INFO, "No tickets of these customers were opened in the period.")
        else:
            self.message.show_message(
                Tone.INFO if count else Tone.OK,
                f"{total.tickets:,} ticket{'s' if total.tickets != 1 else ''}: first responses in time "
                f"{_side_by_side(total.now.first_response_rate, total.draft.first_response_rate)}, updates kept "
                f"{_side_by_side(total.now.update_rate, total.draft.update_rate)}; "
                + (f"{count:,} verdict{'s change' if count != 1 else ' changes'}." if count else "no verdict changes."),
            )
        self.export_button.setEnabled(True)

    def _failed(self, exc: BaseException, details: str) -> None:
        if isinstance(exc, ReportCancelled):
            self.message.show_message(Tone.INFO, "Cancelled; nothing was compared or saved.")
        elif isinstance(exc, DomainError):
            self.message.set_error(str(exc))
        else:
            self.message.set_error("The comparison failed; nothing was saved.")
            show_failure(self, "Compare before saving", exc, details)

    def _finished(self) -> None:
        self.task = None
        self._running(False)

    def suggested_name(self) -> str:
        return f"tamdesk-what-if-{self.ctx.now().astimezone(self.tz):%Y-%m-%d}.xlsx"

    def export(self) -> None:
        """Write the comparison shown to a workbook the user names."""
        result = self.result
        if result is None:
            return
        path = ask_save_path(self, "Export the comparison", self.suggested_name())
        if path is None:
            return
        exported_at: datetime = self.ctx.now()
        actor = self.ctx.actor
        rows = len(result.lines) + len(result.severities) + len(result.changes)

        def work(control: TaskControl) -> object:
            return write_what_if(result, path, exported_at=exported_at, exported_by=actor,
                                 progress=lambda written: control.progress(written, max(rows, 1)),
                                 cancelled=control.cancelled)  # fmt: skip

        run_with_progress(
            self, self.runner, "Export the comparison", "Writing the workbook…", work,
            lambda written: self.message.show_message(Tone.OK, f"Comparison exported to {written}."),
        )  # fmt: skip
