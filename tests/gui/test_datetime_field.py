"""Times as a person types them: whole minutes, the common written forms, a zone switch that is remembered, bad
text named beside the field with nothing saved, and stored seconds shown and explained but kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings, Qt

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import DefectState, TicketEventKind
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import defect_detail, escalate_to_engineering, report_defect
from tamdesk.services.tickets import TicketInput, add_event, create_ticket, ticket_detail
from tamdesk.views.datetime_field import ZONE_SETTING, DateTimeField
from tamdesk.views.defect_detail import DefectDetailView, ValidateStep
from tamdesk.views.defect_dialog import LogUpdateDialog
from tamdesk.views.ticket_detail import EventDialog, TicketDetailDialog
from tamdesk.views.ticket_dialog import TicketDialog

NOW = datetime(2026, 12, 7, 18, 20, 17, tzinfo=UTC)  # Mon; 19:20:17 in Berlin. The tests' own zone is UTC.


@pytest.fixture
def ctx() -> Context:
    return Context(actor="Tess Tam", clock=lambda: NOW)


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput("Acme", time_zone="Europe/Berlin", country="DE"))


def _type(qtbot, field: DateTimeField, text: str) -> None:
    """Select what the field shows and type over it, as a user does."""
    field.edit.setFocus()
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, text)


def _new_ticket(qtbot, ctx: Context, acme: int) -> TicketDialog:
    dialog = TicketDialog(ctx, customer_id=acme)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.number, "SUP-9")
    qtbot.keyClicks(dialog.subject, "Portal login fails")
    dialog.severity.buttons[Severity.URGENT].click()
    return dialog


def _save(dialog: TicketDialog) -> datetime | None:
    """Click Save; the opened time saved, or None when nothing was saved."""
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    if dialog.ticket_id is None:
        return None
    return ticket_detail(dialog.ticket_id, NOW).input.opened_at


def test_a_new_ticket_opens_now_to_the_whole_minute(qtbot, ctx: Context, acme: int) -> None:
    dialog = _new_ticket(qtbot, ctx, acme)
    assert dialog.opened_at.text() == "Mon 7 Dec 2026 18:20"  # not 18:20:17: the seconds of opening the dialog
    assert _save(dialog) == datetime(2026, 12, 7, 18, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("Fri 4 Dec 2026 17:05", datetime(2026, 12, 4, 17, 5, tzinfo=UTC)),
        ("2026-12-04T17:05", datetime(2026, 12, 4, 17, 5, tzinfo=UTC)),
        ("Dec 4 2026 5:05 PM", datetime(2026, 12, 4, 17, 5, tzinfo=UTC)),
        ("17:05", datetime(2026, 12, 7, 17, 5, tzinfo=UTC)),  # today
        ("yesterday 5:05 pm", datetime(2026, 12, 6, 17, 5, tzinfo=UTC)),
    ],
)
def test_typed_forms_save_that_minute(qtbot, ctx: Context, acme: int, typed: str, saved: datetime) -> None:
    dialog = _new_ticket(qtbot, ctx, acme)
    _type(qtbot, dialog.opened_at, typed)
    assert _save(dialog) == saved
    assert dialog.result() == dialog.DialogCode.Accepted


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Fri 4 Dex 2026 17:05", "'Fri 4 Dex 2026 17:05': 'dex' is not a month."),
        ("Thu 4 Dec 2026 17:05", "'Thu 4 Dec 2026 17:05': 4 Dec 2026 is a Friday, not a Thursday."),
        ("16:30:17", "'16:30:17': times are whole minutes: type 16:30 without the seconds."),
        ("17:30 Berlin", "'17:30 Berlin' is not a date and time: type e.g. 4 Dec 2026 17:05"),
    ],
)
def test_bad_text_is_named_beside_the_field_and_nothing_is_saved(
    qtbot, ctx: Context, acme: int, typed: str, message: str
) -> None:
    dialog = _new_ticket(qtbot, ctx, acme)
    _type(qtbot, dialog.opened_at, typed)
    assert _save(dialog) is None
    assert dialog.isVisible()
    assert dialog.opened_at.message.isVisible()
    assert dialog.opened_at.message.text().startswith(message)
    _type(qtbot, dialog.opened_at, "4 Dec 2026 17:05")
    assert not dialog.opened_at.message.isVisible()  # typing again clears it
    assert _save(dialog) == datetime(2026, 12, 4, 17, 5, tzinfo=UTC)


def test_switching_to_the_customers_clock_converts_the_text_not_the_time(qtbot, ctx: Context, acme: int) -> None:
    dialog = _new_ticket(qtbot, ctx, acme)
    field = dialog.opened_at
    assert [field.zone_switch.itemText(i) for i in range(field.zone_switch.count())] == [
        "Your time (Etc/UTC)",
        "Customer's time (Europe/Berlin)",
    ]
    assert field.hint.text() == "= Mon 07 Dec 19:20 CET, the customer's time"
    _type(qtbot, field, "Fri 4 Dec 2026 17:05")
    field.zone_switch.setCurrentIndex(1)
    assert field.text() == "Fri 4 Dec 2026 18:05"
    assert field.hint.text() == "= Fri 04 Dec 17:05 UTC, your time"
    assert QSettings().value(ZONE_SETTING) == "customer"
    assert field.value() == datetime(2026, 12, 4, 17, 5, tzinfo=UTC)
    _type(qtbot, field, "17:30")  # the customer's 17:30 today
    assert _save(dialog) == datetime(2026, 12, 7, 16, 30, tzinfo=UTC)

    again = TicketDialog(ctx, customer_id=acme)  # the choice is remembered for every field
    qtbot.addWidget(again)
    assert again.opened_at.zone_switch.currentText() == "Customer's time (Europe/Berlin)"
    assert again.opened_at.text() == "Mon 7 Dec 2026 19:20"


def test_a_time_the_customers_clock_skips_is_refused(qtbot, ctx: Context, acme: int) -> None:
    QSettings().setValue(ZONE_SETTING, "customer")
    dialog = _new_ticket(qtbot, ctx, acme)
    _type(qtbot, dialog.opened_at, "Sun 29 Mar 2026 02:30")
    assert _save(dialog) is None
    assert dialog.opened_at.message.text() == (
        "'Sun 29 Mar 2026 02:30': 02:30 on Sun 29 Mar 2026 does not exist in Europe/Berlin "
        "(the clocks skip that hour for daylight saving)."
    )
    _type(qtbot, dialog.opened_at, "Sun 25 Oct 2026 02:30")  # the hour that happens twice: the first, and said
    assert "happens twice in Europe/Berlin (the clocks go back): this is the first" in dialog.opened_at.hint.text()
    assert _save(dialog) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_arrow_keys_and_the_calendar(qtbot, ctx: Context, acme: int) -> None:
    dialog = _new_ticket(qtbot, ctx, acme)
    field = dialog.opened_at
    qtbot.keyClick(field.edit, Qt.Key.Key_Down)
    qtbot.keyClick(field.edit, Qt.Key.Key_PageDown)
    assert field.text() == "Mon 7 Dec 2026 17:19"
    field.calendar.clicked.emit(QDate(2026, 12, 1))
    assert field.text() == "Tue 1 Dec 2026 17:19"
    assert _save(dialog) == datetime(2026, 12, 1, 17, 19, tzinfo=UTC)


def test_recording_an_event_at_a_typed_time_on_the_customers_clock(qtbot, ctx: Context, acme: int) -> None:
    ticket = create_ticket(ctx, TicketInput("SUP-1", acme, "Crash", Severity.HIGH, NOW - timedelta(days=2)))
    dialog = TicketDetailDialog(ctx, ticket)
    qtbot.addWidget(dialog)
    assert dialog.load()
    dialog.show()
    assert dialog.record_at.text() == "Mon 7 Dec 2026 18:20"
    _type(qtbot, dialog.record_at, "yesterday 17:05")
    dialog.record_buttons["waiting"].click()
    dialog.record_at.zone_switch.setCurrentIndex(1)
    assert dialog.record_at.text() == "Mon 7 Dec 2026 19:20"  # back to now after recording, on Berlin's clock
    _type(qtbot, dialog.record_at, "Mon 7 Dec 2026 9:00 am")
    dialog.record_buttons["replied"].click()
    _type(qtbot, dialog.record_at, "Mon 7 Dec 2026 9:00 pm")
    dialog.record_buttons["response"].click()
    assert "is in the future" in dialog.record_message.text()
    _type(qtbot, dialog.record_at, "Mon 7 Dec 2026 09:61")
    dialog.record_buttons["response"].click()
    assert dialog.record_at.message.text() == "'Mon 7 Dec 2026 09:61': 09:61 is not a time of day."
    events = [(e.kind, e.at) for e in ticket_detail(ticket, NOW).events]
    assert events == [
        (TicketEventKind.WAITING_ON_CUSTOMER, datetime(2026, 12, 6, 17, 5, tzinfo=UTC)),
        (TicketEventKind.CUSTOMER_REPLIED, datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),
    ]


def test_stored_seconds_are_shown_explained_and_kept(qtbot, ctx: Context, acme: int) -> None:
    opened = datetime(2026, 12, 7, 16, 30, 17, tzinfo=UTC)  # imported with seconds
    ticket = create_ticket(ctx, TicketInput("SUP-1", acme, "Crash", Severity.URGENT, opened))
    add_event(ctx, ticket, TicketEventKind.RESPONSE, datetime(2026, 12, 7, 17, 30, 40, tzinfo=UTC))
    dialog = TicketDetailDialog(ctx, ticket)
    qtbot.addWidget(dialog)
    assert dialog.load()
    dialog.show()
    # due one hour after 17:30:17 Berlin; the response came in the due minute but 23 seconds after it
    assert dialog.first_response.text().startswith("First response due Mon 07 Dec 18:30:17 CET: 1 hour from Mon")
    assert dialog.first_response_state.text() == "✖ First response missed: 23 s late (Mon 07 Dec 18:30:40 CET)"
    assert dialog.seconds_note.isVisible()
    when = dialog.model.index(0, 0)
    assert dialog.model.data(when) == "Mon 07 Dec 2026 16:30:17"
    assert "Stored with seconds" in dialog.model.data(when, Qt.ItemDataRole.ToolTipRole)

    event = ticket_detail(ticket, NOW).events[0]
    editor = EventDialog(ctx, event, "Europe/Berlin", dialog)
    qtbot.addWidget(editor)
    editor.show()
    assert editor.at.text() == "Mon 7 Dec 2026 17:30:40"
    assert "Stored with seconds (imported or entered before whole minutes)" in editor.at.hint.text()
    editor.note.setText("Called back")
    editor.save()  # the time untouched: history is history
    assert ticket_detail(ticket, NOW).events[0].at == datetime(2026, 12, 7, 17, 30, 40, tzinfo=UTC)

    event = ticket_detail(ticket, NOW).events[0]
    editor = EventDialog(ctx, event, "Europe/Berlin", dialog)
    qtbot.addWidget(editor)
    _type(qtbot, editor.at, "Mon 7 Dec 2026 17:30")
    editor.save()
    assert ticket_detail(ticket, NOW).events[0].at == datetime(2026, 12, 7, 17, 30, tzinfo=UTC)
    dialog.load()
    assert dialog.first_response_state.text().startswith("First response met")


def test_defect_times_are_typed_too(qtbot, ctx: Context, acme: int) -> None:
    ticket = create_ticket(ctx, TicketInput("SUP-1", acme, "Crash", Severity.HIGH, NOW - timedelta(days=3)))
    defect = report_defect(ctx, ticket, "Crash on save")
    view = DefectDetailView(ctx)
    qtbot.addWidget(view)
    view.show_defect(defect)
    validate = view.step_forms[DefectState.REPORTED]
    assert isinstance(validate, ValidateStep)
    assert validate.at.text() == "Mon 7 Dec 2026 18:20"
    _type(qtbot, validate.at, "yesterday 25:00")
    validate.submit()
    assert validate.at.message.text() == "'yesterday 25:00': 25:00 is not a time of day."
    assert defect_detail(defect, NOW).row.state is DefectState.REPORTED  # nothing saved
    _type(qtbot, validate.at, "yesterday 9:00")
    validate.submit()
    assert validate.messages["validated_at"].text() == "Validated cannot be before the defect was reported."
    _type(qtbot, validate.at, "18:20")  # the minute it was reported (at 18:20:17) is not before it
    validate.submit()
    assert defect_detail(defect, NOW).row.validated_at == datetime(2026, 12, 7, 18, 20, tzinfo=UTC)

    escalate_to_engineering(ctx, defect, 2, "ENG-1", "https://eng.example.com/browse/ENG-1")
    dialog = LogUpdateDialog(ctx, defect, [(acme, "Acme")], "Every business day.")
    qtbot.addWidget(dialog)
    assert dialog.at.zone_switch.itemText(1) == "Customer's time (Europe/Berlin)"
    dialog.at.zone_switch.setCurrentIndex(1)
    qtbot.keyClicks(dialog.text, "A fix is planned")
    _type(qtbot, dialog.at, "Mon 7 Dec 2026 9:00 am")
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert [u.at for u in defect_detail(defect, NOW).updates] == [datetime(2026, 12, 7, 8, 0, tzinfo=UTC)]


def test_tab_goes_through_a_time_field_and_on_and_focus_given_to_it_goes_to_its_text(qtbot, ctx: Context) -> None:
    from PySide6.QtWidgets import QApplication, QDialog, QFormLayout, QLineEdit

    dialog = QDialog()
    qtbot.addWidget(dialog)
    before, after = QLineEdit(), QLineEdit()
    field = DateTimeField(ctx.now, "Opened")
    field.set_customer_zone("Europe/Berlin")  # the zone switch takes the focus too
    form = QFormLayout(dialog)
    form.addRow("&Before", before)
    form.addRow("&Opened", field)
    form.addRow("A&fter", after)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    before.setFocus()
    forward = []
    for _ in range(4):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        forward.append(dialog.focusWidget())
    assert forward == [field.edit, field.pick, field.zone_switch, after]  # on, not round the field's own parts
    qtbot.keyClick(after, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert dialog.focusWidget() is field.zone_switch
    after.setFocus()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    field.setFocus(Qt.FocusReason.ShortcutFocusReason)  # what the label's shortcut does
    qtbot.waitUntil(lambda: dialog.focusWidget() is field.edit)
