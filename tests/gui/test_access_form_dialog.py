"""The preview of a returned access form: what it says about the form as a whole, and where it opens."""

from __future__ import annotations

from pathlib import Path

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
    return PreviewRow(line, f"Person {line}", f"p{line}@acme.com", "", "", outcome, messages)  # type: ignore[arg-type]


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
