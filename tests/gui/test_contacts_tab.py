"""The Contacts tab of a customer and its dialog, as a TAM uses them: add through the dialog, a refused address
shown beside its field without moving anything, edit on double-click, left, seat links, import, and Today's
warning when a champion leaves."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from tamdesk.domain.contacts import ContactRole
from tamdesk.services.base import Context
from tamdesk.services.contacts import ContactInput, add_contact, get_contact, list_contacts
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.seats import SeatInput, request_seat, seat_overview
from tamdesk.services.today import Section
from tamdesk.views import customer_detail
from tamdesk.views.contact_dialog import ContactDialog
from tamdesk.views.customer_detail.contacts import ContactsTab, ContactTableModel
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.pages.today import TodayPage
from tamdesk.views.seat_dialog import RevokeSeatDialog
from tamdesk.views.widgets import Tone

FIXTURES = Path(__file__).parent.parent / "fixtures" / "contacts"


@pytest.fixture
def kestrel(db_path: Path, ctx: Context) -> int:
    data = CustomerInput("Kestrel Logistics GmbH", email_domains=("kestrel.example",), tam="Tess Tam")
    customer = create_customer(ctx, data)
    add_contact(ctx, customer, ContactInput("Ana Ruiz", "ana.ruiz@kestrel.example", "VP Operations", "champion"))
    return customer


@pytest.fixture
def page(window: MainWindow, kestrel: int) -> CustomersPage:
    customers = next(p for p in window.pages if isinstance(p, CustomersPage))
    window.navigation.setCurrentRow(window.pages.index(customers))
    customers.refresh()
    customers.open_customer(kestrel)
    customers.detail.tabs.setCurrentWidget(customers.detail.contacts)
    return customers


def _tab(page: CustomersPage) -> ContactsTab:
    return page.detail.contacts


def _texts(tab: ContactsTab) -> list[list[str]]:
    model = tab.model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def _dialog(qtbot, ctx: Context, customer: int, **kwargs) -> ContactDialog:
    dialog = ContactDialog(ctx, customer, "Kestrel Logistics GmbH", check_delay_ms=10, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _checked(qtbot, dialog: ContactDialog) -> None:
    qtbot.waitUntil(lambda: not dialog._debouncer.timer.isActive(), timeout=10_000)
    qtbot.wait(1)


def test_a_contact_is_added_through_the_dialog(
    page: CustomersPage, kestrel: int, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fill(dialog: ContactDialog) -> int:
        qtbot.keyClicks(dialog.inputs["full_name"], "Karl Brandt")
        qtbot.keyClicks(dialog.inputs["email"], "karl.brandt@kestrel.example")
        qtbot.keyClicks(dialog.inputs["title"], "CFO")
        dialog.role.setCurrentIndex(dialog.role.findText("Executive sponsor"))
        dialog.influence.setCurrentIndex(dialog.influence.findText("High"))
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(ContactDialog, "exec", fill)
    tab = _tab(page)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert _texts(tab) == [
        ["Ana Ruiz", "VP Operations", "Champion", "", "ana.ruiz@kestrel.example", "", ""],
        ["Karl Brandt", "CFO", "Executive sponsor", "High", "karl.brandt@kestrel.example", "", ""],
    ]
    assert tab.selected() is not None and tab.selected().full_name == "Karl Brandt"
    assert tab.title.text() == "2 contacts"


def test_a_role_address_is_refused_beside_the_field_and_nothing_moves(qtbot, ctx: Context, kestrel: int) -> None:
    dialog = _dialog(qtbot, ctx, kestrel)
    size = dialog.size()
    fields: list[QWidget] = [*dialog.inputs.values(), dialog.role, dialog.influence, dialog.notes, dialog.save_button]
    places = [w.mapTo(dialog, QPoint(0, 0)) for w in fields]
    qtbot.keyClicks(dialog.inputs["full_name"], "Service Desk")
    qtbot.keyClicks(dialog.inputs["email"], "support@kestrel.example")
    _checked(qtbot, dialog)
    message = dialog.errors["email"]
    assert message.isVisible() and message.tone is Tone.ERROR
    assert message.text() == (
        "support@kestrel.example is a role or shared address; a contact needs the person's own address."
    )
    assert message.mapTo(dialog, QPoint(0, 0)).y() > dialog.inputs["email"].mapTo(dialog, QPoint(0, 0)).y()
    assert dialog.size() == size
    assert [w.mapTo(dialog, QPoint(0, 0)) for w in fields] == places, "the message had its room already"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and len(list_contacts(kestrel)) == 1
    assert dialog.size() == size


def test_the_same_mailbox_names_the_contact_and_a_fixed_address_clears_it(qtbot, ctx: Context, kestrel: int) -> None:
    dialog = _dialog(qtbot, ctx, kestrel)
    qtbot.keyClicks(dialog.inputs["full_name"], "Ana R.")
    qtbot.keyClicks(dialog.inputs["email"], "Ana.Ruiz+crm@kestrel.example")
    _checked(qtbot, dialog)
    assert dialog.errors["email"].text() == (
        "Ana.Ruiz+crm@kestrel.example is the same mailbox as Ana Ruiz (ana.ruiz@kestrel.example), already a "
        "contact of this customer."
    )
    dialog.inputs["email"].clear()
    qtbot.keyClicks(dialog.inputs["email"], "ana.r@kestrel.example")
    _checked(qtbot, dialog)
    assert dialog.errors["email"].text() == ""
    assert not dialog.errors["email"].isVisible()


def test_save_shows_every_problem_even_of_fields_not_typed_in(qtbot, ctx: Context, kestrel: int) -> None:
    dialog = _dialog(qtbot, ctx, kestrel)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["full_name"].text() == "Give the contact's name."
    assert dialog.isVisible()


def test_double_click_edits_and_the_edit_is_saved(page: CustomersPage, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def edit(dialog: ContactDialog) -> int:
        seen.append(dialog.inputs["full_name"].text())
        dialog.inputs["title"].clear()
        qtbot.keyClicks(dialog.inputs["title"], "COO")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(ContactDialog, "exec", edit)
    tab = _tab(page)
    cell = tab.table.visualRect(tab.model.index(0, 0)).center()
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert seen == ["Ana Ruiz"]
    assert _texts(tab)[0][1] == "COO"


def test_mark_left_and_back(page: CustomersPage, qtbot, monkeypatch: pytest.MonkeyPatch, fixed_now: datetime) -> None:
    monkeypatch.setattr(customer_detail.contacts, "ask_date", lambda *a, **k: date(2026, 3, 3))
    tab = _tab(page)
    tab.table.selectRow(0)
    with qtbot.wait_signal(tab.status_message) as blocker:
        qtbot.mouseClick(tab.left_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["Ana Ruiz, champion, recorded as having left Kestrel Logistics GmbH."]
    assert _texts(tab) == [] and tab.empty.isVisible()
    tab.show_left.setChecked(True)
    assert _texts(tab)[0][0] == "Ana Ruiz (left 03 Mar 2026)"
    tab.table.selectRow(0)
    assert tab.left_button.text() == "Back with customer"
    qtbot.mouseClick(tab.left_button, Qt.MouseButton.LeftButton)
    assert _texts(tab)[0][0] == "Ana Ruiz"


def test_link_to_seat_and_seat_holders_as_contacts(
    page: CustomersPage, kestrel: int, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    seat = request_seat(ctx, kestrel, SeatInput("Ana Ruiz", "ana.ruiz.private@kestrel.example"))
    request_seat(ctx, kestrel, SeatInput("Jonas Weber", "jonas.weber@kestrel.example"))
    tab = _tab(page)
    tab.reload()
    offered: list[list[str]] = []

    def choose(parent, title, label, items, current, editable):
        offered.append(list(items))
        return items[1], True

    monkeypatch.setattr(customer_detail.contacts.QInputDialog, "getItem", choose)
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.link_button, Qt.MouseButton.LeftButton)
    assert offered == [[
        "No portal seat",
        "Seat 1 · Ana Ruiz <ana.ruiz.private@kestrel.example> · requested",
        "Seat 2 · Jonas Weber <jonas.weber@kestrel.example> · requested",
    ]]  # fmt: skip
    assert get_contact(tab.model.row_at(0).id).seat_id == seat
    assert _texts(tab)[0][5] == "Seat 1"
    with qtbot.wait_signal(tab.status_message) as blocker:
        qtbot.mouseClick(tab.seat_holders_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["Kestrel Logistics GmbH: 1 contact added."]
    assert [row[0] for row in _texts(tab)] == ["Ana Ruiz", "Jonas Weber"]


def test_import_contacts_from_the_tab(
    page: CustomersPage, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_customer(ctx, CustomerInput("Acme Analytics", email_domains=("acme.example",), aliases=["Acme Inc."]))
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: said.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: said.append(f"warning: {text}"))
    tab = _tab(page)
    with qtbot.wait_signal(tab.status_message, timeout=10_000):
        tab.import_path(FIXTURES / "gainsight_people.csv")
    assert said == [
        "Gainsight people export: 4 contacts added, 1 updated. Roles read as Other: 'Decision Maker' (1), "
        "'End User' (1)."
    ]
    assert [(row[0], row[2]) for row in _texts(tab)] == [
        ("Ana Ruiz", "Champion"), ("Jonas Weber", "Technical lead"), ("Karl Brandt", "Executive sponsor")
    ]  # fmt: skip


def test_a_bad_import_says_every_problem_and_adds_no_one(
    page: CustomersPage, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    tab = _tab(page)
    tab.import_path(FIXTURES / "salesforce_contacts_bad.csv")
    qtbot.waitUntil(lambda: bool(warned), timeout=10_000)
    assert warned[0].startswith("salesforce_contacts_bad.csv: nothing was imported. Row 3, Email:")
    assert [row[0] for row in _texts(tab)] == ["Ana Ruiz"]


def test_the_contact_model_passes_the_model_tester(qtmodeltester, ctx: Context, kestrel: int) -> None:
    add_contact(ctx, kestrel, ContactInput("Karl Brandt", role=ContactRole.EXECUTIVE_SPONSOR))
    model = ContactTableModel()
    model.set_rows(list_contacts(kestrel))
    qtmodeltester.check(model)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())] == [
        "Name", "Title", "Role", "Influence", "Email", "Seat", "Last contact"
    ]  # fmt: skip


def _mnemonic(text: str) -> str | None:
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].lower() if at >= 0 and at + 1 < len(plain) else None


def test_mnemonics_of_the_contacts_tab_are_distinct(window: MainWindow, page: CustomersPage) -> None:
    detail = page.detail
    texts = [action.text() for action in window.menuBar().actions()]
    texts += [detail.tabs.tabText(i) for i in range(detail.tabs.count())]
    texts += [b.text() for b in detail.findChildren(QAbstractButton) if b.isVisibleTo(window)]
    letters = [letter for text in texts if (letter := _mnemonic(text))]
    assert sorted(letters) == sorted(set(letters))
    tab = _tab(page)
    for button in (tab.add_button, tab.edit_button, tab.left_button, tab.link_button, tab.seat_holders_button,
                   tab.import_button, tab.show_left):  # fmt: skip
        assert _mnemonic(button.text()), button.text()


def test_today_warns_of_a_champion_who_left_and_opens_their_contacts(
    window: MainWindow, page: CustomersPage, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(customer_detail.contacts, "ask_date", lambda *a, **k: date(2026, 3, 3))
    tab = _tab(page)
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.left_button, Qt.MouseButton.LeftButton)
    today = next(p for p in window.pages if isinstance(p, TodayPage))
    window.navigation.setCurrentRow(window.pages.index(today))
    with qtbot.wait_signal(today.loaded, timeout=10_000):
        today.reload()
    view = today.sections[Section.STAKEHOLDERS]
    model = view.model
    assert [[model.index(0, c).data() for c in range(model.columnCount())]] == [
        ["⚠ Left the customer", "3 Mar 2026", "Kestrel Logistics GmbH", "Ana Ruiz · Champion", "Open ›"]
    ]
    assert (
        model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)
        == "Ana Ruiz, champion at Kestrel Logistics GmbH, left on 3 Mar 2026"
    )
    assert today.tiles[Section.STAKEHOLDERS].count.text() == "1"
    view.table.selectRow(0)
    view.open_selected()
    assert window.current_page() is page
    assert page.detail.tabs.currentWidget() is page.detail.contacts


def test_leaving_offers_to_revoke_their_seat(
    page: CustomersPage, kestrel: int, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch, fixed_now: datetime
) -> None:
    earlier = Context(ctx.actor, clock=lambda: fixed_now - timedelta(days=30))
    seat = request_seat(earlier, kestrel, SeatInput("Ana Ruiz", "ana.ruiz@kestrel.example"))
    assert list_contacts(kestrel)[0].seat_id == seat, "linked when requested"
    page.detail.reload()
    asked: list[str] = []

    def answer(parent, title, text, buttons, default):  # a TAM who says yes
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    def revoke(dialog: RevokeSeatDialog) -> int:
        asked.append(f"{dialog.reason.text()} on {dialog.revoked_on().isoformat()}")
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(customer_detail.contacts, "ask_date", lambda *a, **k: date(2026, 3, 3))
    monkeypatch.setattr(QMessageBox, "question", answer)
    monkeypatch.setattr(RevokeSeatDialog, "exec", revoke)
    tab = _tab(page)
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.left_button, Qt.MouseButton.LeftButton)
    assert asked == [
        "Ana Ruiz holds Seat 1 (ana.ruiz@kestrel.example). Revoke it now, so the slot is free for someone else?",
        "Left Kestrel Logistics GmbH on 2026-03-03",
    ]
    assert seat_overview(kestrel).used == 0
    assert page.detail.seats.used_label.text() == "0 of 5 seats used"
