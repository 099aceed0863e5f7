"""Import a returned access form: read it off the UI thread, preview every row's outcome, then apply it.

Apply stays disabled while any row has an error; warnings need "I confirm these warnings" first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.services.access_form import (
    AccessFormPreview,
    AccessFormResult,
    PreviewRow,
    apply_access_form,
    preview_access_form,
)
from tamdesk.services.base import Context
from tamdesk.views.table_model import Column, RowTableModel
from tamdesk.views.tasks import TaskControl, TaskRunner
from tamdesk.views.widgets import (
    FieldMessage,
    RowSortProxy,
    Tone,
    ask_open_path,
    configure_table,
    fit_rows_to_text,
    remember_header,
    run_with_progress,
    tone_background,
    tone_color,
)

OUTCOME_TEXT = {"new": "✚ New seat", "unchanged": "= Unchanged", "warning": "⚠ Warning", "error": "✖ Error"}
OUTCOME_TONES = {"new": Tone.OK, "warning": Tone.WARNING, "error": Tone.ERROR}
OUTCOME_ORDER = {"error": 0, "warning": 1, "new": 2, "unchanged": 3}


def _outcome_colour(row: PreviewRow) -> QColor | None:
    tone = OUTCOME_TONES.get(row.outcome)
    return tone_color(tone) if tone else None


def _row_background(row: PreviewRow) -> QColor | None:
    if row.outcome in ("error", "warning"):
        return tone_background(OUTCOME_TONES[row.outcome])
    return None


def preview_columns() -> list[Column[PreviewRow]]:
    """The columns of the preview grid; problem rows carry a soft background besides the outcome's sign."""
    bg = _row_background
    return [
        Column[PreviewRow]("Row", lambda r: str(r.line), align_right=True, background=bg),
        Column[PreviewRow]("Seat", lambda r: str(r.seat_no or ""), align_right=True, background=bg),
        Column[PreviewRow]("Full name", lambda r: r.full_name, background=bg),
        Column[PreviewRow]("Email", lambda r: r.email, background=bg),
        Column[PreviewRow]("Job title", lambda r: r.job_title, background=bg),
        Column[PreviewRow]("Phone", lambda r: r.phone, background=bg),
        Column[PreviewRow]("Outcome", lambda r: OUTCOME_TEXT[r.outcome], foreground=_outcome_colour, background=bg),
        Column[PreviewRow]("Messages", lambda r: " ".join(r.messages), tooltip=lambda r: "\n".join(r.messages),
                           background=bg),
    ]  # fmt: skip


class AccessFormPreviewDialog(QDialog):
    """What applying a returned form would do, row by row; ``result`` holds the outcome after applying."""

    def __init__(
        self,
        ctx: Context,
        runner: TaskRunner,
        customer_id: int,
        customer_name: str,
        path: Path,
        preview: AccessFormPreview,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.customer_id = customer_id
        self.path = path
        self.preview = preview
        self.result_: AccessFormResult | None = None
        self.setWindowTitle(f"Returned access form — {customer_name}")
        self.resize(1180, 560)
        self._build(customer_name)
        self._update_buttons()

    def _build(self, customer_name: str) -> None:
        preview = self.preview
        self.summary = QLabel(f"<b>{self.path.name}</b> for {customer_name}: {preview.summary}")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.notes = FieldMessage()
        if preview.notes:
            self.notes.set_warning("\n".join(f"{note}." for note in preview.notes))
        self.model = RowTableModel[PreviewRow](preview_columns(), self)
        self.model.set_rows(preview.rows)
        keys = [
            lambda r: r.line,
            lambda r: r.seat_no or 0,
            lambda r: r.full_name.lower(),
            lambda r: r.email.lower(),
            lambda r: r.job_title.lower(),
            lambda r: r.phone,
            lambda r: OUTCOME_ORDER[r.outcome],
            lambda r: " ".join(r.messages),
        ]
        self.proxy = RowSortProxy(keys, self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setAccessibleName("Rows of the returned form")
        configure_table(self.table, sortable=True)
        self.table.setModel(self.proxy)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        # the Messages column takes what the others leave and wraps, so no message is cut off
        remember_header(self.table, "access_form_preview", widths=(50, 50, 150, 210, 110, 110, 100))
        fit_rows_to_text(self.table)
        self.table.selectionModel().currentRowChanged.connect(self._show_row)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.blocked = FieldMessage()
        if preview.errors:
            rows = "row breaks" if preview.errors == 1 else "rows break"
            whole = "".join(f"{problem}. " for problem in preview.form_errors)
            self.blocked.set_error(
                f"{whole}{preview.errors} {rows} a seat rule, so nothing can be applied. Ask the customer to "
                "correct the form (or fix it yourself) and import it again."
            )
        self.confirm = QCheckBox(f"I confirm these warnings ({preview.warnings})")
        self.confirm.setVisible(bool(preview.warnings) and not preview.errors)
        self.confirm.toggled.connect(self._update_buttons)
        self.apply_button = QPushButton("Apply form")
        self.apply_button.setDefault(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.notes)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.blocked)
        layout.addWidget(self.confirm)
        layout.addWidget(buttons)
        self._select_first_problem()

    def _select_first_problem(self) -> None:
        """Open on the first row with an error, else with a warning, else the first row: what needs reading."""
        rows = [self.proxy.row_at(r) for r in range(self.proxy.rowCount())]
        for outcome in ("error", "warning"):
            found = next((r for r, row in enumerate(rows) if row.outcome == outcome), None)
            if found is not None:
                self.table.selectRow(found)
                return
        if rows:
            self.table.selectRow(0)

    def _show_row(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            self.details.clear()
            return
        row: PreviewRow = self.proxy.row_at(index.row())
        messages = "\n".join(f"• {m}" for m in row.messages) or "No problems."
        self.details.setText(f"Row {row.line} — {OUTCOME_TEXT[row.outcome]}\n{messages}")

    def _update_buttons(self) -> None:
        preview = self.preview
        ok = not preview.errors and (not preview.warnings or self.confirm.isChecked())
        self.apply_button.setEnabled(ok)
        if preview.errors:
            self.apply_button.setToolTip("Rows with errors must be corrected in the form first")
        elif preview.warnings and not self.confirm.isChecked():
            self.apply_button.setToolTip("Confirm the warnings first")
        else:
            self.apply_button.setToolTip("Request the new seats and record the form as returned")

    def apply(self) -> None:
        """Apply the form in one transaction, off the UI thread."""
        if not self.apply_button.isEnabled():
            return
        self.apply_button.setEnabled(False)
        accept = self.confirm.isChecked()

        def work(control: TaskControl) -> AccessFormResult:
            return apply_access_form(self.ctx, self.customer_id, self.path, accept_warnings=accept)

        def done(result: AccessFormResult) -> None:
            self.result_ = result
            self.accept()

        def failed(exc: BaseException, details: str) -> None:
            from tamdesk.views.widgets import show_failure

            self._update_buttons()
            show_failure(self, "Apply access form", exc, details)

        run_with_progress(self, self.runner, "Apply access form", "Applying the access form…", work, done, failed)


def import_returned_form(
    parent: QWidget,
    ctx: Context,
    runner: TaskRunner,
    customer_id: int,
    customer_name: str,
    on_applied: Callable[[AccessFormResult], None],
) -> None:
    """Ask for the returned workbook, read and check it in the background, then show the preview."""
    path = ask_open_path(parent, f"Returned access form of {customer_name}", "Excel workbooks (*.xlsx *.xlsm)")
    if path is None:
        return

    def work(control: TaskControl) -> AccessFormPreview:
        return preview_access_form(customer_id, path)

    def show(preview: AccessFormPreview) -> None:
        dialog = AccessFormPreviewDialog(ctx, runner, customer_id, customer_name, path, preview, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_ is not None:
            on_applied(dialog.result_)
            QMessageBox.information(parent, "Access form applied", dialog.result_.summary)

    run_with_progress(parent, runner, "Import access form", f"Reading {path.name}…", work, show)
