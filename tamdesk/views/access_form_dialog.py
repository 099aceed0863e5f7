"""Import a returned access form: read it off the UI thread, preview every row's outcome, then apply it.

Every row shows all its problems at once. Apply stays disabled while any row has an error; warnings need
"I confirm these warnings" first. "Send back problems…" saves the form with a Problems column for the customer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
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
from tamdesk.services.base import Context, DomainError, FieldError
from tamdesk.views.email_dialogs import email_set_up, smtp_ready
from tamdesk.views.session import shared_secrets

if TYPE_CHECKING:
    from tamdesk.reports.access_form import ProblemsDraft
from tamdesk.views.table_model import Column, Priority, RowTableModel
from tamdesk.views.tasks import TaskControl, TaskRunner
from tamdesk.views.widgets import (
    FieldMessage,
    RowSortProxy,
    Tone,
    ask_open_path,
    ask_save_path,
    configure_table,
    fit_rows_to_text,
    remember_header,
    reserve_space,
    resize_within_screen,
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
        Column[PreviewRow]("Email", lambda r: r.email, background=bg, email=True),
        Column[PreviewRow]("Job title", lambda r: r.job_title, background=bg, priority=Priority.LOW),
        Column[PreviewRow]("Phone", lambda r: r.phone, background=bg, priority=Priority.LOW),
        Column[PreviewRow]("Outcome", lambda r: OUTCOME_TEXT[r.outcome], foreground=_outcome_colour, background=bg),
        Column[PreviewRow](
            "Problems", problems_cell, tooltip=problems_cell, background=bg, stretch=True, width=320, min_width=240
        ),
    ]  # fmt: skip


def problems_cell(row: PreviewRow) -> str:
    """One line per problem of the row, errors first, each marked with its sign."""
    return "\n".join([*(f"✖ {m}" for m in row.errors), *(f"⚠ {m}" for m in row.warnings)])


NO_EMAIL = "Email is not set up (Settings › Email), so send the file to the customer yourself."


def _email_note() -> str:
    return ", then email it to the customer" if email_set_up() else f". {NO_EMAIL}"


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
        self.customer_name = customer_name
        self.path = path
        self.preview = preview
        self.result_: AccessFormResult | None = None
        self.saved_path: Path | None = None
        self.setWindowTitle(f"Returned access form — {customer_name}")
        self._build(customer_name)
        resize_within_screen(self, 1180, 560)  # a 1024-pixel screen: the Problems column wraps in what is left
        self._update_buttons()

    def _build(self, customer_name: str) -> None:
        preview = self.preview
        self.summary = QLabel(f"<b>{self.path.name}</b> for {customer_name}: {preview.summary}")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.problem_summary = QLabel(f"{preview.problem_summary}.")
        self.problem_summary.setAccessibleName("Problems of the form")
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
            lambda r: (-len(r.errors), -len(r.warnings)),
        ]
        self.proxy = RowSortProxy(keys, self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setAccessibleName("Rows of the returned form")
        configure_table(self.table, sortable=True)
        self.table.setModel(self.proxy)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        # the Problems column takes what the others leave and wraps, so no message is cut off
        remember_header(self.table, "access_form_preview", widths=(50, 50, 150, 210, 110, 110, 100))
        fit_rows_to_text(self.table)
        self.table.selectionModel().currentRowChanged.connect(self._show_row)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # the selected row's problems scroll within reserved lines: choosing another row moves nothing
        details = QScrollArea()
        details.setWidget(self.details)
        details.setWidgetResizable(True)
        details.setFrameShape(QFrame.Shape.NoFrame)
        details.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 8)
        self.sent_back = QLabel()
        self.sent_back.setWordWrap(True)
        self.sent_back.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sent_back.setFixedHeight(self.fontMetrics().lineSpacing() * 2 + 4)
        self.sent_back.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
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
        self.send_back_button = QPushButton("Send back problems…")
        self.send_back_button.setEnabled(bool(preview.problem_count))
        self.send_back_button.setToolTip(
            "Save the form with a Problems column for the customer" + _email_note()
            if preview.problem_count
            else "The form has no problems to send back"
        )
        self.send_back_button.clicked.connect(self.send_back)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.send_back_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem_summary)
        layout.addWidget(self.notes)
        layout.addWidget(self.table, 1)
        layout.addWidget(details)
        layout.addWidget(self.blocked)
        layout.addWidget(self.confirm)
        layout.addWidget(self.sent_back)
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
        messages = problems_cell(row) or "No problems."
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

    def send_back(self) -> None:
        """Save the form with every row's problems for the customer; then offer to email it, when email is set up."""
        from tamdesk.reports.access_form import export_returned_form

        if not self.preview.problem_count:
            return
        name = f"Portal access form - {self.customer_name} - problems.xlsx".replace("/", "-")
        target = ask_save_path(self, "Send back problems", name)
        if target is None:
            return
        ctx, customer_id, preview = self.ctx, self.customer_id, self.preview

        def work(control: TaskControl) -> Path:
            return export_returned_form(customer_id, preview, target, ctx=ctx)

        def done(written: Path) -> None:
            self.saved_path = written
            saved = f"Saved {written.name}: {preview.problem_summary}."
            self.sent_back.setText(saved if email_set_up() else f"{saved} {NO_EMAIL}")
            if email_set_up():
                self._offer_email(written)

        def failed(exc: BaseException, details: str) -> None:
            message = str(exc) if isinstance(exc, DomainError) else "The form could not be saved."
            self.sent_back.setText(message)
            self.sent_back.setToolTip(message)  # a long path may need more than its two lines

        run_with_progress(self, self.runner, "Send back problems", f"Saving {target.name}…", work, done, failed)

    def _offer_email(self, written: Path) -> None:
        from tamdesk.reports.access_form import problems_draft

        draft = problems_draft(self.ctx, self.customer_id, self.preview)
        dialog = ProblemsEmailDialog(written, draft, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.sent_back.setText(dialog.result_text)

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


class ProblemsEmailDialog(QDialog):
    """The draft email that sends the form with its problems back: addressed to the customer's contact, editable."""

    def __init__(self, path: Path, draft: ProblemsDraft, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Email the problems to the customer")
        self.path = path
        self.runner = TaskRunner(self)
        self.result_text = ""
        self.to = QLineEdit(draft.to)
        self.to.setAccessibleName("To")
        self.to.setPlaceholderText("the customer's address; several separated by commas")
        self.subject = QLineEdit(draft.subject)
        self.subject.setAccessibleName("Subject")
        self.body = QPlainTextEdit(draft.body)
        self.body.setAccessibleName("Message")
        self.to_message = FieldMessage()
        form = QFormLayout()
        form.addRow("To:", self.to)
        # a message under To moves nothing: its room is kept inside an always-shown holder (a form layout drops a
        # hidden row widget's room)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(reserve_space(self.to_message, 2))
        form.addRow("", holder)
        form.addRow("Subject:", self.subject)
        form.addRow("Message:", self.body)
        form.addRow("Attached:", QLabel(path.name))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setFixedHeight(self.fontMetrics().lineSpacing() * 2 + 4)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = buttons.addButton("Send", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.send)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.to.textEdited.connect(self.to_message.clear)
        self.resize(640, 420)

    def send(self) -> None:
        from tamdesk.reports.access_form import ProblemsDraft, email_problems

        draft = ProblemsDraft(self.to.text(), self.subject.text(), self.body.toPlainText())
        if not draft.to.strip():
            self.to_message.set_error("To: enter the customer's email address.")
            return
        ready = smtp_ready(self)
        if ready is None:
            return
        settings, password = ready
        self.send_button.setEnabled(False)
        self.status.setText(f"Sending to {draft.to}…")

        def work(control: TaskControl) -> str:
            return email_problems(self.path, draft, settings, shared_secrets(), prompt=lambda name, account: password)

        self.runner.run(work, self._sent, self._failed)

    def _sent(self, summary: object) -> None:
        self.result_text = str(summary)
        self.accept()

    def _failed(self, exc: object, details: str) -> None:
        self.send_button.setEnabled(True)
        if not isinstance(exc, DomainError):
            raise exc  # type: ignore[misc]  # unexpected: the app's error handler shows it
        if isinstance(exc, FieldError) and exc.field == "to":
            self.to_message.set_error(str(exc))
        else:
            self.status.setText(str(exc))


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
