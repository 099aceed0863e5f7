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


# -- every problem at once, and sending them back ---------------------------------------------------------------

OVER = "The form lists 6 people; Acme's allowance is 5 seats (row 17 is over it)"
FOREIGN = "New seat (zoe@gmail.com): gmail.com is not one of the customer's domains (acme.com)"


def _returned(qtbot, ctx: Context, tmp_path: Path) -> AccessFormPreviewDialog:
    """The real preview of a form whose sixth row is over the allowance and on a foreign domain."""
    import openpyxl

    from tamdesk.reports.access_form import export_access_form
    from tamdesk.services.access_form import preview_access_form

    acme = create_customer(ctx, CustomerInput(name="Acme", email_domains=["acme.com"]))
    path = export_access_form(acme, tmp_path / "form.xlsx", ctx=ctx)
    book = openpyxl.load_workbook(path)
    ws = book.active
    top = next(r for r in range(1, 40) if ws.cell(r, 3).value == "Email")
    people = [*((f"Person {i}", f"person{i}@acme.com") for i in range(1, 6)), ("Zoe Ray", "zoe@gmail.com")]
    for offset, (name, email) in enumerate(people, 1):
        ws.cell(top + offset, 2).value, ws.cell(top + offset, 3).value = name, email
    book.save(path)
    dialog = AccessFormPreviewDialog(ctx, TaskRunner(), acme, "Acme", path, preview_access_form(acme, path))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _cells(dialog: AccessFormPreviewDialog) -> dict[str, str]:
    """Email -> the Problems cell, read from the table as shown."""
    model = dialog.table.model()
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    email, problems = header.index("Email"), header.index("Problems")
    return {model.index(r, email).data(): model.index(r, problems).data() for r in range(model.rowCount())}


def test_a_row_shows_all_its_problems_at_once(qtbot, db_path: Path, ctx: Context, tmp_path: Path) -> None:
    dialog = _returned(qtbot, ctx, tmp_path)
    assert _cells(dialog)["zoe@gmail.com"] == f"✖ {OVER}\n⚠ {FOREIGN}"
    assert _cells(dialog)["person1@acme.com"] == ""
    assert dialog.problem_summary.text() == "1 row with 2 problems."
    assert dialog.details.text() == f"Row 17 — ✖ Error\n✖ {OVER}\n⚠ {FOREIGN}"


def test_choosing_another_row_moves_nothing(qtbot, db_path: Path, ctx: Context, tmp_path: Path) -> None:
    dialog = _returned(qtbot, ctx, tmp_path)
    before = dialog.blocked.geometry(), dialog.apply_button.geometry(), dialog.table.geometry()
    dialog.table.selectRow(0)
    qtbot.wait(20)  # let the layout settle
    assert dialog.details.text() == "Row 12 — ✚ New seat\nNo problems."
    assert (dialog.blocked.geometry(), dialog.apply_button.geometry(), dialog.table.geometry()) == before


def test_send_back_problems_saves_the_form_and_says_email_is_not_set_up(
    qtbot, monkeypatch, db_path: Path, ctx: Context, tmp_path: Path
) -> None:
    import openpyxl
    from PySide6.QtWidgets import QFileDialog

    dialog = _returned(qtbot, ctx, tmp_path)
    # before anything is chosen, the button says that it cannot email
    assert "Email is not set up" in dialog.send_back_button.toolTip()
    target = tmp_path / "back.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    before = dialog.apply_button.geometry()
    dialog.send_back_button.click()
    qtbot.waitUntil(lambda: dialog.sent_back.text() != "", timeout=10_000)
    qtbot.wait(20)  # let the layout settle
    assert dialog.sent_back.text() == (
        "Saved back.xlsx: 1 row with 2 problems. Email is not set up (Settings › Email), so send the file to the "
        "customer yourself."
    )
    assert dialog.apply_button.geometry() == before  # the message has its space already
    ws = openpyxl.load_workbook(target).active
    rows = {row[2]: row[5] for row in ws.iter_rows(values_only=True) if len(row) > 5}
    assert rows["zoe@gmail.com"] == f"Must be corrected: {OVER}.\nPlease check: {FOREIGN}."


def test_send_back_is_disabled_without_problems(qtbot, db_path: Path, ctx: Context) -> None:
    dialog = _dialog(qtbot, ctx, AccessFormPreview((_row(12, "new"),)))
    assert not dialog.send_back_button.isEnabled()
    assert dialog.send_back_button.toolTip() == "The form has no problems to send back"
    assert dialog.problem_summary.text() == "No problems."


def test_email_form_says_at_once_that_email_is_not_set_up(qtbot, db_path: Path, ctx: Context) -> None:
    from tamdesk.views.email_dialogs import NOT_SET_UP, EmailAccessFormDialog

    acme = create_customer(ctx, CustomerInput(name="Acme", email_domains=["acme.com"]))
    dialog = EmailAccessFormDialog(ctx, acme, "Acme", [("Ana Silva", "ana@acme.com")])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.status.text() == NOT_SET_UP
    assert not dialog.send_button.isEnabled()
    assert not dialog.others.isEnabled()


def test_send_back_problems_offers_a_draft_to_the_customer_contact(
    qtbot, monkeypatch, db_path: Path, ctx: Context, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QDialog, QFileDialog

    from tamdesk.services.contacts import ContactInput, add_contact
    from tamdesk.services.email import save_smtp_settings
    from tamdesk.views.access_form_dialog import ProblemsEmailDialog
    from tests.db.test_email import run_server

    dialog = _returned(qtbot, ctx, tmp_path)
    add_contact(ctx, dialog.customer_id, ContactInput("Pat Lee", "pat@acme.com", role="executive_sponsor"))
    add_contact(ctx, dialog.customer_id, ContactInput("Kim Yu", "kim@acme.com", role="technical_lead"))
    target = tmp_path / "back.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    offered: list[ProblemsEmailDialog] = []

    def send_draft(draft: ProblemsEmailDialog) -> int:
        offered.append(draft)
        assert (draft.to.text(), draft.subject.text()) == (
            "kim@acme.com",
            "Customer portal access form — Acme: please correct",
        )
        draft.send_button.click()
        qtbot.waitUntil(lambda: bool(draft.result_text), timeout=10_000)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(ProblemsEmailDialog, "exec", send_draft)
    for server in run_server():
        save_smtp_settings(ctx, server.settings)
        dialog.send_back_button.click()
        qtbot.waitUntil(lambda: dialog.sent_back.text() == "Problems sent to kim@acme.com.", timeout=10_000)
        [(envelope, message)] = server.mailbox.received
    assert len(offered) == 1
    assert envelope.rcpt_tos == ["kim@acme.com"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "back.xlsx"
    assert attachment.get_content() == target.read_bytes()
    assert "1 row with 2 problems" in message.get_body(("plain",)).get_content()


def test_the_draft_needs_a_recipient(qtbot, db_path: Path, ctx: Context, tmp_path: Path) -> None:
    from tamdesk.reports.access_form import ProblemsDraft
    from tamdesk.views.access_form_dialog import ProblemsEmailDialog

    draft = ProblemsEmailDialog(tmp_path / "back.xlsx", ProblemsDraft("", "Subject", "Body"))
    qtbot.addWidget(draft)
    draft.show()
    before = draft.subject.geometry(), draft.body.geometry(), draft.status.geometry()
    draft.send_button.click()
    qtbot.wait(20)  # let the layout settle
    assert draft.to_message.text() == "To: enter the customer's email address."
    assert (draft.subject.geometry(), draft.body.geometry(), draft.status.geometry()) == before


def test_send_back_into_a_missing_folder_says_why(
    qtbot, monkeypatch, db_path: Path, ctx: Context, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QFileDialog

    dialog = _returned(qtbot, ctx, tmp_path)
    target = tmp_path / "gone" / "back.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    dialog.send_back_button.click()
    qtbot.waitUntil(lambda: dialog.sent_back.text() != "", timeout=10_000)
    assert "back.xlsx" in dialog.sent_back.text()
    assert "Saved" not in dialog.sent_back.text()
    assert not target.exists() and dialog.saved_path is None
