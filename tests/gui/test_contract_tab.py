"""The Contract tab of a customer: facts typed and saved, a bad renewal refused beside its field, versions
recorded with their history, and the renewal warning on Today one click from the tab."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from tamdesk.domain.contracts import ContractFacts
from tamdesk.domain.severity import Severity
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.contracts import get_contract, set_contract
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import (
    deploy_fix,
    escalate_to_engineering,
    link_ticket,
    prioritize_defect,
    report_defect,
    start_fix,
    validate_defect,
)
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.services.today import Section
from tamdesk.services.versions import installed_versions, record_version
from tamdesk.views.customer_detail.contract import ContractTab, RecordVersionDialog
from tamdesk.views.defect_detail import DefectDetailView
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.pages.today import TodayPage
from tamdesk.views.ticket_detail import TicketDetailDialog


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput("Acme", time_zone="Europe/Berlin", tam="Tess Tam"))


@pytest.fixture
def tab(window: MainWindow, acme: int) -> ContractTab:
    customers = next(p for p in window.pages if isinstance(p, CustomersPage))
    window.navigation.setCurrentRow(window.pages.index(customers))
    customers.refresh()
    customers.open_customer(acme)
    customers.detail.tabs.setCurrentWidget(customers.detail.contract)
    return customers.detail.contract


def type_into(qtbot: QtBot, widget, text: str) -> None:  # type: ignore[no-untyped-def]
    widget.clear()
    qtbot.keyClicks(widget, text)


def test_a_renewal_before_the_start_is_refused_beside_the_field_and_nothing_is_saved(
    tab: ContractTab, acme: int, qtbot: QtBot
) -> None:
    type_into(qtbot, tab.tier.lineEdit(), "Premium")
    type_into(qtbot, tab.inputs["entitlement_start"], "2026-02-01")
    type_into(qtbot, tab.inputs["renewal_on"], "2026-01-31")
    geometry = tab.inputs["renewal_on"].geometry(), tab.save_button.geometry()
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    message = tab.messages["renewal_on"]
    assert message.isVisible()
    assert message.text() == "Renewal 31 Jan 2026 is before the entitlement start 1 Feb 2026."
    assert message.geometry().left() > tab.inputs["renewal_on"].geometry().right(), "beside the field"
    assert (tab.inputs["renewal_on"].geometry(), tab.save_button.geometry()) == geometry, "nothing moved"
    assert tab.form_message.text() == "Not saved: correct the fields marked in red."
    assert t.Contract.select().count() == 0
    type_into(qtbot, tab.inputs["renewal_on"], "2026-12-31")
    assert not tab.messages["renewal_on"].isVisible(), "typing clears the message"


def test_a_date_that_does_not_read_is_named(tab: ContractTab, qtbot: QtBot) -> None:
    type_into(qtbot, tab.inputs["entitlement_end"], "31/12/2026")
    type_into(qtbot, tab.inputs["arr"], "12k")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.messages["entitlement_end"].text() == "Entitlement end '31/12/2026' is not a date such as 2027-03-03."
    assert tab.messages["arr"].text() == "ARR '12k' is not an amount such as 120000 or 120,000.50."
    assert t.Contract.select().count() == 0


def test_a_contract_is_saved_and_shows_its_renewal_warning(
    tab: ContractTab, acme: int, qtbot: QtBot, fixed_now: datetime
) -> None:
    renewal = fixed_now.astimezone().date() + timedelta(days=88)
    type_into(qtbot, tab.inputs["entitlement_start"], "2026-01-01")
    type_into(qtbot, tab.inputs["renewal_on"], renewal.isoformat())
    type_into(qtbot, tab.inputs["arr"], "120,000")
    type_into(qtbot, tab.currency.lineEdit(), "eur")
    with qtbot.wait_signal(tab.status_message) as blocker:
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["Contract of Acme saved"]
    saved = get_contract(acme, fixed_now.date()).facts
    assert (saved.renewal_on, saved.arr_cents, saved.currency) == (renewal, 12_000_000, "EUR")
    assert tab.messages["renewal_on"].text() == f"Renewal in 88 days ({renewal.day} {renewal:%b %Y})"
    assert tab.inputs["arr"].text() == "120,000"
    assert tab.form_message.text() == "Saved."
    detail = tab.parent()
    while detail is not None and not hasattr(detail, "subtitle"):
        detail = detail.parent()
    assert detail is not None
    assert detail.subtitle.text().endswith(f" · Renewal in 88 days ({renewal.day} {renewal:%b %Y})"), "in the header"


def test_a_version_is_recorded_and_the_history_kept(
    tab: ContractTab, acme: int, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = iter([("", "4.x", "production", date(2026, 1, 5)), ("", "436-e.9", "production", date(2026, 1, 5)),
                  ("", "437-e.1", "production", date(2026, 3, 1))])  # fmt: skip
    seen: list[str] = []

    def fill(dialog: RecordVersionDialog) -> int:
        product, version, environment, since = next(typed)
        dialog.product.setText(product)
        qtbot.keyClicks(dialog.version, version)
        dialog.environment.setCurrentIndex(dialog.environment.findData(environment))
        dialog.since.setDate(QDate(since.year, since.month, since.day))
        dialog.save()
        seen.append(dialog.messages["version"].text())
        return dialog.result() if dialog.result() else QDialog.DialogCode.Rejected

    monkeypatch.setattr(RecordVersionDialog, "exec", fill)
    qtbot.mouseClick(tab.record_button, Qt.MouseButton.LeftButton)
    assert seen == [
        "'4.x' is not a version: versions look like 437, 437.2 or 436-e.9 (a release number, then -e for an "
        "enterprise build, then .N for each patch)."
    ]
    assert installed_versions(acme) == []
    for _ in range(2):
        with qtbot.wait_signal(tab.status_message):
            qtbot.mouseClick(tab.record_button, Qt.MouseButton.LeftButton)
    model = tab.versions_model
    shown = [[model.index(r, c).data() for c in (1, 2, 4)] for r in range(model.rowCount())]
    assert shown == [["437-e.1", "Production", "Running now"], ["436-e.9", "Production", "History"]]


def test_today_warns_of_the_renewal_and_opens_the_contract_tab(
    window: MainWindow, acme: int, ctx: Context, qtbot: QtBot, fixed_now: datetime
) -> None:
    renewal = fixed_now.astimezone().date() + timedelta(days=88)
    set_contract(ctx, acme, 0, ContractFacts(renewal_on=renewal))
    page = window.pages[0]
    assert isinstance(page, TodayPage)
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        page.reload()
    section = page.sections[Section.ACCOUNTS]
    assert section.model.rowCount() == 1
    assert [section.model.index(0, c).data() for c in range(3)] == [
        "⚠ in 88 days", "Acme", f"Renewal in 88 days ({renewal.day} {renewal:%b %Y})"
    ]  # fmt: skip
    assert page.tiles[Section.ACCOUNTS].count.text() == "1"
    section.table.selectRow(0)
    section.open_selected()
    customers = window.current_page()
    assert isinstance(customers, CustomersPage)
    assert customers.detail.tabs.currentWidget() is customers.detail.contract
    assert customers.detail.contract.inputs["renewal_on"].text() == renewal.isoformat()
    window.runner.wait(10_000)


def test_the_defect_page_lists_linked_customers_still_on_an_affected_version(
    qtbot: QtBot, acme: int, ctx: Context, fixed_now: datetime
) -> None:

    globex = create_customer(ctx, CustomerInput("Globex", time_zone="Europe/Berlin"))
    first = create_ticket(ctx, TicketInput("SUP-1", acme, "Crash", Severity.HIGH, fixed_now - timedelta(days=9)))
    second = create_ticket(ctx, TicketInput("SUP-2", globex, "Crash", Severity.HIGH, fixed_now - timedelta(days=9)))
    did = report_defect(ctx, first, "Coordinator crash")
    link_ticket(ctx, did, second)
    validate_defect(ctx, did, 1, "Sam", fixed_now)
    escalate_to_engineering(ctx, did, 2, "ENG-7", "https://eng.example.com/browse/ENG-7")
    prioritize_defect(ctx, did, 3)
    start_fix(ctx, did, 4)
    deploy_fix(ctx, did, 5, "437-e.2", fixed_now.date())
    record_version(ctx, acme, "Galaxy", "436-e.9", "production", date(2026, 1, 5))
    record_version(ctx, globex, "", "437-e.3", "production", date(2026, 3, 1))
    view = DefectDetailView(ctx)
    qtbot.addWidget(view)
    view.show_defect(did)
    view.show()

    def shown() -> list[list[str]]:
        model = view.reach_model
        return [[model.index(r, c).data() for c in range(3)] for r in range(model.rowCount())]

    assert shown() == [["Acme", "Not recorded", "Not known"], ["Globex", "437-e.3", "Runs the fix"]]
    assert (
        view.affected.text()
        == "No linked customer is known to run an affected version (1 without a production version)."
    )
    type_into(qtbot, view.product, "Galaxy")
    qtbot.mouseClick(view.product_button, Qt.MouseButton.LeftButton)
    assert t.Defect.get_by_id(did).product == "Galaxy"
    assert shown() == [["Acme", "436-e.9", "Waiting for the fix"], ["Globex", "Not recorded", "Not known"]]
    assert view.affected.text() == ("Still on an affected version: Acme (updates are owed until they run the fix).")
    type_into(qtbot, view.product, "x" * 61)
    qtbot.mouseClick(view.product_button, Qt.MouseButton.LeftButton)
    assert "longer than 60 characters" in view.product_message.text()
    assert t.Defect.get_by_id(did).product == "Galaxy"


def test_the_ticket_window_flags_a_ticket_opened_outside_the_entitlement(qtbot: QtBot, acme: int, ctx: Context) -> None:
    set_contract(ctx, acme, 0, ContractFacts(entitlement_start=date(2026, 2, 1), entitlement_end=date(2026, 12, 31)))
    before = create_ticket(ctx, TicketInput("SUP-1", acme, "Early", Severity.LOW, datetime(2026, 1, 20, 9, tzinfo=UTC)))
    inside = create_ticket(ctx, TicketInput("SUP-2", acme, "Later", Severity.LOW, datetime(2026, 2, 20, 9, tzinfo=UTC)))
    flagged = TicketDetailDialog(ctx, before)
    qtbot.addWidget(flagged)
    assert flagged.load()
    flagged.show()
    assert flagged.entitlement.isVisible()
    assert flagged.entitlement.text() == (
        "⚠ Outside the entitlement: Opened 20 Jan 2026, before the entitlement starts on 1 Feb 2026."
    )
    plain = TicketDetailDialog(ctx, inside)
    qtbot.addWidget(plain)
    assert plain.load()
    plain.show()
    assert not plain.entitlement.isVisible()
