"""The preview of a returned access form: what it says about the form as a whole, and where it opens."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, Qt

from tamdesk.services.access_form import AccessFormPreview, PreviewRow
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.views.access_form_dialog import AccessFormPreviewDialog
from tamdesk.views.tasks import TaskRunner

MISSING = "Seat 4 (dan@acme.com) is not on the returned form; revoke it if they no longer need access"


def _dialog(qtbot, ctx: Context, preview: AccessFormPreview) -> AccessFormPreviewDialog:
    acme = create_customer(ctx, CustomerInput(name="Acme", email_domains=["acme.com"]))
    dialog = AccessFormPreviewDialog(ctx, TaskRunner(), acme, "Acme", Path("form.xlsx"), preview)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _row(line: int, outcome: str, *messages: str) -> PreviewRow:
    errors, warnings = (messages, ()) if outcome == "error" else ((), messages)
    return PreviewRow(line, f"Person {line}", f"p{line}@acme.com", "", "", outcome, errors, warnings)  # type: ignore[arg-type]


def test_holders_missing_from_the_form_are_named_without_blocking(qtbot, db_path: Path, ctx: Context) -> None:
    preview = AccessFormPreview((_row(12, "unchanged"), _row(13, "unchanged")), notes=(MISSING,))
    dialog = _dialog(qtbot, ctx, preview)
    assert dialog.notes.isVisible()
    assert dialog.notes.text() == f"{MISSING}."
    assert dialog.apply_button.isEnabled()


def test_no_note_when_every_holder_is_listed(qtbot, db_path: Path, ctx: Context) -> None:
    dialog = _dialog(qtbot, ctx, AccessFormPreview((_row(12, "unchanged"),)))
    assert not dialog.notes.isVisible()


def test_more_people_than_the_allowance_is_said_of_the_form(qtbot, db_path: Path, ctx: Context) -> None:
    too_many = "The form lists 7 people; Acme's allowance is 5 seats (rows 17–18 are over it)"
    rows = (*(_row(line, "new") for line in range(12, 17)), _row(17, "error", too_many), _row(18, "error", too_many))
    dialog = _dialog(qtbot, ctx, AccessFormPreview(rows, form_errors=(too_many,)))
    assert dialog.blocked.text().startswith(f"{too_many}. 2 rows break a seat rule, so nothing can be applied.")
    assert not dialog.apply_button.isEnabled()


ROLE = "Seat 4 (support@cotswoldpharma.co.uk) is a role or distribution address; portal seats are for named people"
SAME = "Seat 2 (ana+x@cotswoldpharma.co.uk) is the same mailbox as seat 1 (ana@cotswoldpharma.co.uk)"
NAME = "Seat 3 (ana.s@cotswoldpharma.co.uk) has the same full name, Ana Silva, as seat 1 (ana@cotswoldpharma.co.uk)"


def test_opens_on_the_first_error_and_shows_every_message(qtbot, db_path: Path, ctx: Context) -> None:
    rows = (_row(12, "new"), _row(13, "warning", NAME), _row(14, "error", SAME), _row(15, "error", ROLE))
    dialog = _dialog(qtbot, ctx, AccessFormPreview(rows))
    assert dialog.table.currentIndex().row() == 2
    assert dialog.details.text() == f"Row 14 — ✖ Error\n✖ {SAME}"
    table = dialog.table
    messages = dialog.model.columnCount() - 1

    def fits(row: int) -> bool:
        text = str(table.model().index(row, messages).data())
        width = table.columnWidth(messages) - 8  # the cell's text margins
        needed = table.fontMetrics().boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text)
        return needed.height() <= table.rowHeight(row) and needed.width() <= width

    qtbot.waitUntil(lambda: all(fits(row) for row in range(1, 4)))
    right = table.columnViewportPosition(messages) + table.columnWidth(messages)
    assert right == table.viewport().width()  # the column reaches the right edge


def test_opens_on_the_first_warning_when_there_is_no_error(qtbot, db_path: Path, ctx: Context) -> None:
    dialog = _dialog(qtbot, ctx, AccessFormPreview((_row(12, "new"), _row(13, "unchanged"), _row(14, "warning", NAME))))
    assert dialog.table.currentIndex().row() == 2


def test_opens_on_the_first_row_when_all_is_well(qtbot, db_path: Path, ctx: Context) -> None:
    dialog = _dialog(qtbot, ctx, AccessFormPreview((_row(12, "new"), _row(13, "unchanged"))))
    assert dialog.table.currentIndex().row() == 0
    assert dialog.details.text() == "Row 12 — ✚ New seat\nNo problems."
