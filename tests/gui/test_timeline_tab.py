"""The customer's Timeline tab as a TAM uses it: log a meeting with two attendees and three follow-ups through the
dialog, find the follow-ups on Today and tick one off, send the recap (drafted first) to a loopback SMTP server,
and the dialog's messages that never move anything."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from tamdesk.domain.severity import Severity
from tamdesk.domain.timeline import EntryKind
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.email import save_smtp_settings
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.services.timeline import EntryInput, add_entry
from tamdesk.services.today import Section
from tamdesk.views.customer_detail.timeline import TimelineModel, TimelineTab
from tamdesk.views.follow_up_dialogs import DeferDialog
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.pages.today import TodayPage
from tamdesk.views.timeline_entry_dialog import TimelineEntryDialog
from tests.db.test_email import Server, run_server


@pytest.fixture
def server() -> Iterator[Server]:
    yield from run_server()


@pytest.fixture
def acme(db_path: Path, ctx: Context, fixed_now: datetime) -> int:
    customer = create_customer(
        ctx, CustomerInput("Acme", email_domains=("acme.com",), time_zone="Europe/Berlin", country="DE",
                           tam="Tess Tam"),
    )  # fmt: skip
    for name, email in (("Ana Silva", "ana@acme.com"), ("Bo Berg", "bo@acme.com"), ("Cy Chen", "")):
        t.Contact.create(customer=customer, full_name=name, email=email, created_at=fixed_now)
    create_ticket(ctx, TicketInput("SUP-1", customer, "Orders fail", Severity.HIGH, fixed_now - timedelta(days=1)))
    return customer


def _customers(window: MainWindow, customer_id: int) -> CustomersPage:
    page = next(p for p in window.pages if isinstance(p, CustomersPage))
    window.navigation.setCurrentRow(window.pages.index(page))
    page.refresh()
    page.open_customer(customer_id)
    page.detail.tabs.setCurrentWidget(page.detail.timeline)
    return page


def _tab(window: MainWindow, customer_id: int, qtbot: QtBot) -> TimelineTab:
    tab = _customers(window, customer_id).detail.timeline
    _settle(tab, qtbot)
    return tab


def _settle(tab: TimelineTab, qtbot: QtBot) -> None:
    """Wait until the timeline read in the background is shown."""
    qtbot.waitUntil(lambda: not tab.busy, timeout=10_000)


def _open_dialog(tab: TimelineTab, qtbot: QtBot, kind: EntryKind = EntryKind.MEETING) -> TimelineEntryDialog:
    tab.log_actions[kind].trigger()
    dialog = tab.entry_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def _fill_follow_up(dialog: TimelineEntryDialog, qtbot: QtBot, what: str, owner: str, due: date) -> None:
    qtbot.mouseClick(dialog.add_follow_up_button, Qt.MouseButton.LeftButton)
    what_edit, owners, due_edit = dialog.follow_up_widgets(dialog.follow_ups.rowCount() - 1)
    qtbot.keyClicks(what_edit, what)
    owners.setCurrentIndex(owners.findText(owner, Qt.MatchFlag.MatchStartsWith))
    due_edit.setDate(QDate(due.year, due.month, due.day))


def _today(window: MainWindow, qtbot: QtBot) -> TodayPage:
    page = window.pages[0]
    assert isinstance(page, TodayPage)
    window.navigation.setCurrentRow(0)
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        page.reload()
    return page


def test_log_a_meeting_see_follow_ups_on_today_tick_one_off_and_send_the_recap(
    window: MainWindow, acme: int, qtbot: QtBot, ctx: Context, server: Server
) -> None:
    save_smtp_settings(ctx, server.settings)
    tab = _tab(window, acme, qtbot)
    dialog = _open_dialog(tab, qtbot)
    qtbot.keyClicks(dialog.title_edit, "Quarterly review")
    dialog.check_attendee("Ana Silva")
    dialog.check_attendee("Bo Berg")
    dialog.links.item(0).setCheckState(Qt.CheckState.Checked)
    qtbot.keyClicks(dialog.body, "Went through the open tickets.")
    _fill_follow_up(dialog, qtbot, "Send the API fix plan", "Tess Tam", date(2026, 3, 11))
    _fill_follow_up(dialog, qtbot, "Share the load test", "Ana Silva", date(2026, 3, 14))  # a Saturday
    _fill_follow_up(dialog, qtbot, "Book the next review", "Bo Berg", date(2026, 3, 13))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    _settle(tab, qtbot)
    assert tab.message.text() == (
        "Saved. “Share the load test”: Sat 14 Mar 2026 is not a business day at Acme, so the follow-up is due on "
        "the next business day, Mon 16 Mar 2026."
    )
    meeting = tab.selected()
    assert meeting is not None and meeting.title == "Quarterly review" and not meeting.read_only
    assert (meeting.people, meeting.text) == (("Ana Silva", "Bo Berg"), "Went through the open tickets.")
    rows = tab.model.rows()
    assert [r.title for r in rows if r.read_only] == ["Ticket SUP-1 opened"]
    ticket_row = next(i for i, r in enumerate(rows) if r.read_only)
    tab.table.selectRow(ticket_row)
    assert not tab.edit_button.isEnabled() and not tab.recap_button.isEnabled()

    today = _today(window, qtbot)
    follow_ups = today.sections[Section.FOLLOW_UPS]
    assert [r.what for r in follow_ups.model.rows()] == ["Send the API fix plan", "Book the next review",
                                                         "Share the load test"]  # fmt: skip
    assert today.tiles[Section.FOLLOW_UPS].count.text() == "3"
    assert not today.follow_up_actions.done_button.isEnabled()
    follow_ups.table.selectRow(0)
    with qtbot.wait_signal(today.loaded, timeout=10_000):
        qtbot.mouseClick(today.follow_up_actions.done_button, Qt.MouseButton.LeftButton)
    assert today.follow_up_actions.status.text() == "Done: Send the API fix plan."
    assert [r.what for r in follow_ups.model.rows()] == ["Book the next review", "Share the load test"]

    follow_ups.table.selectRow(0)
    qtbot.mouseClick(today.follow_up_actions.defer_button, Qt.MouseButton.LeftButton)
    defer = today.follow_up_actions.dialog
    assert isinstance(defer, DeferDialog)
    defer.date.setDate(QDate(2026, 3, 21))
    with qtbot.wait_signal(today.loaded, timeout=10_000):
        qtbot.mouseClick(defer.buttons.button(defer.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert today.follow_up_actions.status.text().startswith("“Book the next review” is now due on Mon 23 Mar 2026.")

    tab = _tab(window, acme, qtbot)
    tab.select_entry(meeting.entry_id or 0)
    assert tab.selected() == meeting
    qtbot.mouseClick(tab.recap_button, Qt.MouseButton.LeftButton)
    recap = tab.recap_dialog
    assert recap is not None and recap.isVisible()
    assert recap.to.text() == "ana@acme.com, bo@acme.com"
    assert "Send the API fix plan — Tess Tam, by Wed 11 Mar 2026 (done)" in recap.body.toPlainText()
    qtbot.mouseClick(recap.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: recap.status.text().startswith("Recap emailed"), timeout=10_000)
    assert recap.status.text() == "Recap emailed to ana@acme.com, bo@acme.com."
    [(envelope, message)] = server.mailbox.received
    assert envelope.rcpt_tos == ["ana@acme.com", "bo@acme.com"]
    assert message["Subject"] == "Recap: Quarterly review — Acme"
    assert t.TimelineEntry.get_by_id(meeting.entry_id).recap_sent_at is not None


def test_dialog_keeps_its_geometry_when_messages_appear(window: MainWindow, acme: int, qtbot: QtBot) -> None:
    dialog = _open_dialog(_tab(window, acme, qtbot), qtbot, EntryKind.NOTE)
    size, save_at = dialog.size(), dialog.save_button.mapTo(dialog, dialog.save_button.rect().topLeft())
    body_at = dialog.body.geometry()
    _fill_follow_up(dialog, qtbot, "Call back", "— choose", date(2026, 3, 12))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.messages["body"].text() == "A note needs some text."
    assert dialog.messages["follow_ups"].text() == (
        "Follow-up 1: choose one owner, a person of our side or a contact of Acme."
    )
    assert dialog.size() == size and dialog.body.geometry() == body_at
    assert dialog.save_button.mapTo(dialog, dialog.save_button.rect().topLeft()) == save_at
    qtbot.keyClicks(dialog.body, "x")
    assert dialog.messages["body"].text() == "" and dialog.body.geometry() == body_at
    assert t.TimelineEntry.select().count() == 0 and t.FollowUp.select().count() == 0


def test_someone_new_is_offered_as_a_contact(
    window: MainWindow, acme: int, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def yes(parent: object, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    dialog = _open_dialog(_tab(window, acme, qtbot), qtbot)
    qtbot.keyClicks(dialog.attendee_text, "Dee Dunn <dee@acme.com>")
    qtbot.mouseClick(dialog.add_attendee_button, Qt.MouseButton.LeftButton)
    assert asked == ["Dee Dunn <dee@acme.com> is not a contact of Acme. Add them as a contact of the customer and as "
                     "an attendee?"]  # fmt: skip
    contact = t.Contact.get(t.Contact.email == "dee@acme.com")
    assert contact.customer_id == acme and contact.full_name == "Dee Dunn"
    checked = [dialog.attendees.item(i).text() for i in range(dialog.attendees.count())
               if dialog.attendees.item(i).checkState() == Qt.CheckState.Checked]  # fmt: skip
    assert checked == ["Dee Dunn <dee@acme.com>"]
    qtbot.keyClicks(dialog.attendee_text, "support@acme.com")
    qtbot.mouseClick(dialog.add_attendee_button, Qt.MouseButton.LeftButton)
    assert "support@acme.com" in dialog.messages["people"].text()
    assert t.Contact.select().where(t.Contact.email == "support@acme.com").count() == 0


def test_recap_without_any_address_is_one_sentence_and_no_dialog(
    window: MainWindow, acme: int, qtbot: QtBot, ctx: Context, fixed_now: datetime
) -> None:
    cy = t.Contact.get(t.Contact.full_name == "Cy Chen").id
    saved = add_entry(ctx, acme, EntryInput("meeting", fixed_now, "Hallway chat", attendee_contact_ids=[cy]))
    tab = _tab(window, acme, qtbot)
    tab.select_entry(saved.id)
    assert tab.selected() is not None and tab.selected().entry_id == saved.id
    qtbot.mouseClick(tab.recap_button, Qt.MouseButton.LeftButton)
    assert tab.recap_dialog is None
    assert tab.message.text() == (
        "No attendee of this meeting has an email address, so there is nobody to send the recap to."
    )


def test_filters_and_search_open_the_entry(
    window: MainWindow, acme: int, qtbot: QtBot, ctx: Context, fixed_now: datetime, qtmodeltester
) -> None:
    old = add_entry(ctx, acme, EntryInput("note", datetime(2025, 6, 1, 9, tzinfo=fixed_now.tzinfo), body="Old"))
    add_entry(ctx, acme, EntryInput("call", fixed_now - timedelta(hours=1), "Check-in"))
    tab = _tab(window, acme, qtbot)
    qtmodeltester.check(tab.model)
    with qtbot.wait_signal(tab.loaded):
        tab.kind_filter.setCurrentIndex(tab.kind_filter.findText("Our entries"))
    assert [r.title for r in tab.model.rows()] == ["Check-in", "Note"]
    with qtbot.wait_signal(tab.loaded):
        tab.period.setCurrentIndex(tab.period.findText("This month"))
    assert [r.title for r in tab.model.rows()] == ["Check-in"]
    with qtbot.wait_signal(tab.loaded):
        tab.kind_filter.setCurrentIndex(tab.kind_filter.findText("Ticket"))
    assert [r.title for r in tab.model.rows()] == ["Ticket SUP-1 opened"]
    assert tab.count.text() == "1 item · 0 of ours"
    window.open_found("timeline_entry", old.id)
    page = next(p for p in window.pages if isinstance(p, CustomersPage))
    assert window.current_page() is page and page.detail.tabs.currentWidget() is page.detail.timeline
    _settle(tab, qtbot)
    selected = page.detail.timeline.selected()
    assert selected is not None and selected.entry_id == old.id
    assert tab.kind_filter.currentText() == "All kinds" and tab.period.currentText() == "All dates"


def test_model_passes_the_model_tester(qtmodeltester, qapp: object, fixed_now: datetime) -> None:
    from tamdesk.domain.timeline import ItemSource, TimelineItem

    model = TimelineModel()
    model.set_rows([
        TimelineItem(fixed_now, ItemSource.ENTRY, "Review", "Notes", EntryKind.MEETING, entry_id=1, people=("Ana",)),
        TimelineItem(fixed_now, ItemSource.TICKET, "Ticket SUP-1 opened", "Orders fail", ticket_id=3),
    ])  # fmt: skip
    qtmodeltester.check(model)
    assert model.data(model.index(1, 0), Qt.ItemDataRole.FontRole).italic()
    assert model.data(model.index(0, 2), Qt.ItemDataRole.FontRole).bold()
    assert model.data(model.index(0, 1)) == "Meeting ✎" and model.data(model.index(1, 1)) == "Ticket"


def test_a_long_story_lists_the_newest_items_and_says_so(
    window: MainWindow, acme: int, qtbot: QtBot, ctx: Context, fixed_now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tamdesk.views.customer_detail import timeline

    monkeypatch.setattr(timeline, "MAX_ROWS", 2)
    for hours in (1, 2, 3):
        add_entry(ctx, acme, EntryInput("call", fixed_now - timedelta(hours=hours), f"Call {hours}"))
    tab = _tab(window, acme, qtbot)
    assert [r.title for r in tab.model.rows()] == ["Call 1", "Call 2"]
    assert tab.count.text() == "The newest 2 of 4 items · 3 of ours: choose a period or a kind to see older ones"


def test_reassign_on_today_and_a_change_made_meanwhile(
    window: MainWindow, acme: int, qtbot: QtBot, ctx: Context, fixed_now: datetime
) -> None:
    from tamdesk.services.follow_ups import defer
    from tamdesk.services.timeline import FollowUpInput
    from tamdesk.views.follow_up_dialogs import ReassignDialog

    tess = t.Person.get(t.Person.name == "Tess Tam").id
    add_entry(ctx, acme, EntryInput("call", fixed_now, "Check-in", follow_ups=[
        FollowUpInput("Send the plan", date(2026, 3, 11), owner_person_id=tess)]))  # fmt: skip
    today = _today(window, qtbot)
    actions = today.follow_up_actions
    today.sections[Section.FOLLOW_UPS].table.selectRow(0)
    qtbot.mouseClick(actions.reassign_button, Qt.MouseButton.LeftButton)
    dialog = actions.dialog
    assert isinstance(dialog, ReassignDialog)
    size = dialog.size()
    dialog.owner.setCurrentIndex(dialog.owner.findText("Tess Tam", Qt.MatchFlag.MatchStartsWith))
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "The follow-up is already owned by Tess Tam." and dialog.size() == size
    dialog.owner.setCurrentIndex(dialog.owner.findText("Bo Berg", Qt.MatchFlag.MatchStartsWith))
    with qtbot.wait_signal(today.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert actions.status.text() == "“Send the plan” is now Bo Berg's."
    assert today.sections[Section.FOLLOW_UPS].model.rows()[0].owner == "Bo Berg"

    today.sections[Section.FOLLOW_UPS].table.selectRow(0)
    row = actions.selected()
    assert row is not None
    defer(ctx, row.id, row.version, date(2026, 3, 12))  # someone else, meanwhile
    with qtbot.wait_signal(today.loaded, timeout=10_000):
        qtbot.mouseClick(actions.done_button, Qt.MouseButton.LeftButton)
    assert actions.status.text().startswith("This follow-up was changed by someone else since you opened it.")
    assert t.FollowUp.get_by_id(row.id).done_at is None


def test_edit_and_delete_an_entry_from_the_tab(
    window: MainWindow, acme: int, qtbot: QtBot, ctx: Context, fixed_now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tamdesk.services.timeline import FollowUpInput

    tess = t.Person.get(t.Person.name == "Tess Tam").id
    saved = add_entry(ctx, acme, EntryInput("call", fixed_now, "Check-in", "Short call", follow_ups=[
        FollowUpInput("Send the plan", date(2026, 3, 11), owner_person_id=tess)]))  # fmt: skip
    tab = _tab(window, acme, qtbot)
    tab.select_entry(saved.id)
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    dialog = tab.entry_dialog
    assert dialog is not None and dialog.existing is not None
    assert (dialog.title_edit.text(), dialog.body.toPlainText(), dialog.kind.currentText()) == (
        "Check-in",
        "Short call",
        "Call",
    )
    dialog.title_edit.clear()
    qtbot.keyClicks(dialog.title_edit, "Check-in on the upgrade")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _settle(tab, qtbot)
    assert tab.selected() is not None and tab.selected().title == "Check-in on the upgrade"

    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args[2]) or QMessageBox.StandardButton.Yes)
    tab.select_entry(saved.id)
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    _settle(tab, qtbot)
    assert asked == ["Delete “Check-in on the upgrade” from Acme's timeline? Its follow-ups stay open."]
    assert tab.message.text() == "Call “Check-in on the upgrade” deleted."
    assert not any(r.entry_id == saved.id for r in tab.model.rows())
    assert t.FollowUp.get().entry_id is None
