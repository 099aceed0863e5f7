"""The Import… dialog on support-system exports (tests/fixtures/exports): what a user sees, chooses and imports."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog

from tamdesk.domain.names import name_key
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.import_mappings import list_mappings
from tamdesk.services.tickets import count_tickets
from tamdesk.views.import_customers_panel import Decision, ImportCustomersPanel
from tamdesk.views.table_model import local_time
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.ticket_import_dialog import (
    CUSTOMERS_TAB,
    DISAGREEMENTS_TAB,
    NOTES_TAB,
    SETTINGS_GEOMETRY,
    TicketImportDialog,
)

EXPORTS = Path(__file__).parent.parent / "fixtures" / "exports"
ZENDESK = EXPORTS / "zendesk_tickets.csv"
SALESFORCE = EXPORTS / "salesforce_cases.csv"
MILESTONES = EXPORTS / "salesforce_case_milestones.xlsx"
JSM = EXPORTS / "jsm_issues.csv"


@pytest.fixture
def customers(db_path: Path, ctx: Context) -> dict[str, int]:
    ids = {
        "acme": create_customer(ctx, CustomerInput("Acme Analytics", "Europe/Berlin", "DE", ("acme.example",))),
        "globex": create_customer(ctx, CustomerInput("Globex", "America/New_York", "US", ("globex.example",))),
        "initech": create_customer(ctx, CustomerInput("Initech", "Europe/Berlin", "DE", ("initech.example",))),
    }
    t.CustomerAlias.create(customer=ids["initech"], name="Initech Corp.", name_key="initechcorp")
    return ids


def open_dialog(qtbot, ctx: Context, runner: TaskRunner | None = None) -> TicketImportDialog:
    dialog = TicketImportDialog(ctx, runner or TaskRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


@pytest.fixture
def dialog(qtbot, customers: dict[str, int], ctx: Context) -> Iterator[TicketImportDialog]:
    shown = open_dialog(qtbot, ctx)
    yield shown
    shown.runner.wait(5000)
    shown.reader.wait(5000)


def settled(dialog: TicketImportDialog) -> bool:
    return not dialog._inspecting and not dialog.running() and not dialog.progress.isVisible()


def load(qtbot, dialog: TicketImportDialog, path: Path, zone: str = "") -> None:
    """Choose ``path`` (and the exporter's ``zone``) and wait until the preview is there."""
    dialog.set_path(path)
    qtbot.waitUntil(lambda: dialog.head is not None, timeout=10000)
    if zone:
        dialog.zone.set_value(zone)
    qtbot.waitUntil(lambda: settled(dialog), timeout=10000)


def cells(dialog: TicketImportDialog, row: int) -> list[str]:
    model = dialog.preview.model()
    return [model.data(model.index(row, c)) for c in range(model.columnCount())]


def column(dialog: TicketImportDialog, title: str) -> dict[str, str]:
    """Ticket → the preview's ``title`` cell."""
    model = dialog.preview.model()
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    n = titles.index(title)
    return {model.data(model.index(r, 0)): model.data(model.index(r, n)) for r in range(model.rowCount())}


def choose(qtbot, dialog: TicketImportDialog, name: str, decision: Decision, customer: str = "") -> None:
    """Choose in the name's row as a user does: the choice combo, then (to map) type the customer's name."""
    panel = dialog.customers
    key = name_key(name)
    panel.choice_boxes[key].setCurrentIndex(list(Decision).index(decision))
    if decision is Decision.MAP:
        box = panel.customer_boxes[key]
        assert box.isEnabled()
        box.lineEdit().clear()
        qtbot.keyClicks(box.lineEdit(), customer)


def import_and_wait(qtbot, dialog: TicketImportDialog) -> None:
    assert dialog.import_button.isEnabled(), dialog.status.text()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=20000)


# -- detection and preview ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "zone", "detected", "first"),
    [
        (ZENDESK, "Europe/Berlin", "Detected a Zendesk ticket export.",
         ["1201", "Acme Analytics", "Cluster down after upgrade", "Sev1 Urgent", "Solved"]),
        (SALESFORCE, "America/New_York", "Detected a Salesforce case report.",
         ["00001026", "Acme Analytics", "License server unreachable", "Sev2 High", "Open"]),
        (MILESTONES, "America/New_York", "Detected a Salesforce case report (sheet “Cases with Milestones”).",
         ["00001040", "Acme Analytics", "Upgrade fails", "Sev2 High", "Closed"]),
        (JSM, "Europe/Berlin", "Detected a Jira Service Management issue export.",
         ["SUP-101", "Acme Analytics", "VPN drops every hour", "Sev1 Urgent", "Waiting on customer"]),
    ],
)  # fmt: skip
def test_each_export_is_detected_and_previewed_converted(
    qtbot, dialog: TicketImportDialog, path: Path, zone: str, detected: str, first: list[str]
) -> None:
    load(qtbot, dialog, path, zone)
    assert dialog.detected.text() == detected
    assert dialog.source.currentText() == {ZENDESK: "Zendesk", JSM: "Jira Service Management"}.get(path, "Salesforce")
    assert cells(dialog, 0)[:5] == first
    assert not any(cells(dialog, 0)[8:])  # no problem
    assert count_tickets() == 0  # a preview writes nothing


def test_zendesk_first_response_is_created_plus_minutes_in_the_exporters_zone(qtbot, dialog) -> None:
    load(qtbot, dialog, ZENDESK, "Europe/Berlin")
    # 09:15 Berlin + 42 minutes = 08:57 UTC, shown in the user's zone
    assert column(dialog, "First response")["1201"] == local_time(datetime(2026, 3, 2, 8, 57, tzinfo=UTC))
    assert column(dialog, "Opened")["1201"] == local_time(datetime(2026, 3, 2, 8, 15, tzinfo=UTC))
    dialog.zone.set_value("UTC")
    qtbot.waitUntil(lambda: column(dialog, "Opened").get("1201") == local_time(datetime(2026, 3, 2, 9, 15, tzinfo=UTC)))


def test_a_header_row_of_no_known_export_says_what_it_nearly_matches(qtbot, dialog, tmp_path: Path) -> None:
    path = tmp_path / "almost.csv"
    path.write_text(ZENDESK.read_text().replace(",Priority,", ",Urgency,", 1))
    load(qtbot, dialog, path)
    assert dialog.detected.text() == (
        "Not an export tamdesk knows: it nearly matches a Zendesk ticket export (no 'Priority'). Choose the source, "
        "or the column for each field below."
    )
    assert dialog.source.currentText() == "Zendesk"  # the closest, so only what it lacks is to choose
    assert "There is no column for: Severity." in dialog.status.text()
    assert not dialog.import_button.isEnabled()
    dialog.columns.column_boxes["severity"].setCurrentIndex(dialog.columns.column_boxes["severity"].findText("Urgency"))
    qtbot.waitUntil(lambda: settled(dialog) and dialog.inspection is not None)
    assert column(dialog, "Severity")["1201"] == "Sev1 Urgent"


def test_a_bad_row_is_highlighted_and_listed_and_blocks_import(qtbot, dialog, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(ZENDESK.read_text().replace("Slow dashboard,Pending,High,2026-03-03 14:00", "Slow dashboard,"
                                                "Pending,High,2026-03-33 14:00"))  # fmt: skip
    load(qtbot, dialog, path, "Europe/Berlin")
    assert column(dialog, "Ticket")["row 3"] == "row 3"
    assert "Created at: '2026-03-33 14:00' is not a time" in column(dialog, "Problem")["row 3"]
    assert dialog.tabs.tabText(3) == "✖ Problems (1)"
    assert dialog.problems.toPlainText().startswith("row 3: Created at: '2026-03-33 14:00'")
    choose(qtbot, dialog, "Acme Inc", Decision.SKIP)
    assert not dialog.import_button.isEnabled()
    assert dialog.status.text().startswith("✖ Nothing can be imported until the file is fixed: 1 problem")


# -- dates ----------------------------------------------------------------------------------------------------------


def test_an_ambiguous_date_order_is_asked_with_the_files_own_date(qtbot, dialog, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("\n".join(SALESFORCE.read_text().splitlines()[:3]) + "\n")  # 3/2 and 3/3: both orders read
    load(qtbot, dialog, path, "America/New_York")
    assert dialog.dates.currentIndex() == 1 and dialog.dates.day_first.isVisible()
    assert dialog.dates.question.text() == "<b>“3/2/2026” = 3 February 2026 or March 2, 2026?</b>"
    assert not dialog.import_button.isEnabled()
    assert "reads both ways" in dialog.status.text()
    height = dialog.dates.height()
    qtbot.mouseClick(dialog.dates.day_first, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: settled(dialog) and bool(dialog.inspection and dialog.inspection.preview.rows))
    assert dialog.dates.height() == height  # the choice stays where it was
    assert column(dialog, "Opened")["00001026"] == local_time(datetime(2026, 2, 3, 14, 15, tzinfo=UTC))
    import_and_wait(qtbot, dialog)
    assert t.Ticket.get(t.Ticket.number == "00001026").opened_at == datetime(2026, 2, 3, 14, 15, tzinfo=UTC)


# -- customers ------------------------------------------------------------------------------------------------------


def test_an_unmatched_name_needs_a_choice_then_maps_and_imports(qtbot, dialog, customers) -> None:
    load(qtbot, dialog, ZENDESK, "Europe/Berlin")
    assert dialog.tabs.currentIndex() == CUSTOMERS_TAB
    assert dialog.tabs.tabText(CUSTOMERS_TAB) == "⚠ Customers (1 to choose)"
    panel = dialog.customers
    assert [(r.name, r.tickets) for r in panel.model.rows()] == [("Acme Inc", 1)]
    assert column(dialog, "Customer (matched)")["1205"] == "? Acme Inc"
    assert column(dialog, "Customer (matched)")["1203"] == "Initech"  # by its also-known-as name
    assert column(dialog, "Customer (matched)")["1204"] == "Globex"  # by the requester's domain
    assert not dialog.import_button.isEnabled()
    assert dialog.status.text() == "Choose what to do with 1 name that matches no customer, under Customers."

    choose(qtbot, dialog, "Acme Inc", Decision.MAP, "Acme Analyt")
    assert not dialog.import_button.isEnabled()  # not a customer yet
    qtbot.keyClicks(panel.customer_boxes[name_key("Acme Inc")].lineEdit(), "ics")
    assert column(dialog, "Customer (matched)")["1205"] == "→ Acme Analytics"
    assert dialog.status.text() == "Ready: 7 tickets to import."
    import_and_wait(qtbot, dialog)
    assert count_tickets() == 7
    assert t.Ticket.get(t.Ticket.number == "1205").customer_id == customers["acme"]
    assert dialog.tabs.currentIndex() == NOTES_TAB and dialog.tabs.tabText(NOTES_TAB) == "Result"
    said = dialog.notes.toPlainText().splitlines()
    assert said[:2] == ["Detected a Zendesk ticket export.",
                        "Imported tickets: 7 created, 0 updated, 9 events recorded."]  # fmt: skip
    assert "Remembered as also known as: Acme Analytics: Acme Inc." in said
    assert dialog.status.text() == "✓ Imported tickets: 7 created, 0 updated, 9 events recorded."
    assert dialog.cancel_button.text() == "Close"


@pytest.mark.parametrize("decision", [Decision.CREATE, Decision.SKIP])
def test_an_unmatched_name_is_created_or_skipped(qtbot, dialog, decision: Decision) -> None:
    load(qtbot, dialog, ZENDESK, "Europe/Berlin")
    choose(qtbot, dialog, "Acme Inc", decision)
    expected = "Acme Inc (new customer)" if decision is Decision.CREATE else "Acme Inc: skipped"
    assert column(dialog, "Customer (matched)")["1205"] == expected
    import_and_wait(qtbot, dialog)
    created = t.Customer.get_or_none(t.Customer.name == "Acme Inc")
    ticket = t.Ticket.get_or_none(t.Ticket.number == "1205")
    if decision is Decision.CREATE:
        assert created is not None and ticket.customer_id == created.id
        assert count_tickets() == 7
    else:
        assert created is None and ticket is None
        assert count_tickets() == 6
        assert "1 tickets of customers you chose to skip were not imported." in dialog.notes.toPlainText()


def test_choices_survive_another_look_at_the_file_not_another_file(qtbot, dialog) -> None:
    load(qtbot, dialog, ZENDESK, "Europe/Berlin")
    choose(qtbot, dialog, "Acme Inc", Decision.SKIP)
    dialog.zone.set_value("UTC")
    qtbot.waitUntil(lambda: settled(dialog) and dialog.inspection is not None)
    assert dialog.customers.choice_boxes[name_key("Acme Inc")].currentText() == "Skip its tickets"
    assert dialog.import_button.isEnabled()
    load(qtbot, dialog, ZENDESK, "Europe/Berlin")  # another file (here the same again) starts with nothing chosen
    assert dialog.customers.choice_boxes[name_key("Acme Inc")].currentIndex() == -1
    assert not dialog.import_button.isEnabled()


# -- reconciliation -------------------------------------------------------------------------------------------------


def test_disagreements_with_the_sources_sla_are_listed_and_saved(qtbot, dialog, tmp_path: Path, monkeypatch) -> None:
    load(qtbot, dialog, ZENDESK, "Europe/Berlin")
    # 1205's organization matches no customer yet, so its SLA cannot be judged before a choice
    assert dialog.reconciled.label.text() == "3 of 5 agree with Zendesk on first response; 2 disagree."
    assert dialog.reconciled.show_button.isVisible() and dialog.reconciled.save_button.isVisible()
    dialog.reconciled.show_button.click()
    assert dialog.tabs.currentIndex() == DISAGREEMENTS_TAB
    model = dialog.disagreements_model
    rows = {model.data(model.index(r, 0)): [model.data(model.index(r, c)) for c in range(1, 6)]
            for r in range(model.rowCount())}  # fmt: skip
    assert sorted(rows) == ["1204", "1207"]
    assert rows["1204"][2:4] == ["met: 525 business minutes (target 540)", "missed: 1,065 business minutes"]
    assert rows["1204"][4].startswith("A holiday in the customer's calendar: Washington's Birthday")
    target = tmp_path / "reconcile.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    dialog.reconciled.save_button.click()
    qtbot.waitUntil(lambda: dialog.reconciled.label.text().endswith("."), timeout=10000)
    qtbot.waitUntil(lambda: "Saved to" in dialog.reconciled.label.text(), timeout=10000)
    assert dialog.reconciled.label.text().endswith(f"Saved to {target}.")
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Summary", "Disagreements", "Compared"]
    choose(qtbot, dialog, "Acme Inc", Decision.MAP, "Acme Analytics")
    import_and_wait(qtbot, dialog)
    assert dialog.reconciled.label.text() == "4 of 6 agree with Zendesk on first response; 2 disagree."


# -- importing ------------------------------------------------------------------------------------------------------


def test_cancel_mid_import_leaves_the_database_unchanged(qtbot, customers, ctx: Context) -> None:
    runner = TaskRunner()
    dialog = open_dialog(qtbot, ctx, runner)
    load(qtbot, dialog, SALESFORCE, "America/New_York")
    release = threading.Event()
    runner.run(lambda control: release.wait(5))  # the single worker is busy, so the import waits its turn
    dialog.import_button.click()
    assert dialog.running() and dialog.progress.isVisible()
    assert dialog.cancel_button.text() == "Cancel import"
    assert not dialog.source.isEnabled() and not dialog.zone.isEnabled()
    dialog.cancel_button.click()
    assert dialog.isVisible()  # stays open to say what happened
    release.set()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=10000)
    assert dialog.status.text() == "Import cancelled: nothing was imported."
    assert dialog.summary is None and dialog.import_button.isEnabled()
    assert count_tickets() == 0
    runner.wait(5000)
    dialog.reader.wait(5000)


def test_the_tickets_page_hears_of_the_import(qtbot, dialog) -> None:
    from tamdesk.views.changes import ticket_changes

    load(qtbot, dialog, JSM, "Europe/Berlin")
    with qtbot.waitSignal(ticket_changes().imported, timeout=10000):
        dialog.import_button.click()
    qtbot.waitUntil(lambda: not dialog.running())
    assert count_tickets() == 4


# -- saved mappings -------------------------------------------------------------------------------------------------


def test_a_mapping_is_saved_under_a_name_and_reused(qtbot, dialog, ctx, customers, tmp_path, monkeypatch) -> None:
    path = tmp_path / "zendesk_renamed.csv"
    path.write_text(ZENDESK.read_text().replace("Organization,", "Company,", 1))
    load(qtbot, dialog, path, "Europe/Berlin")
    assert dialog.columns.column_boxes["customer"].currentText() == "— not imported"
    assert [u.name for u in dialog.customers.items] == ["acme-inc.example"]  # by the requester's domain only
    dialog.columns.column_boxes["customer"].setCurrentIndex(dialog.columns.column_boxes["customer"].findText("Company"))
    qtbot.waitUntil(lambda: settled(dialog) and [u.name for u in dialog.customers.items] == ["Acme Inc"])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Zendesk with Company", True))
    dialog.columns.save_mapping_button.click()
    qtbot.waitUntil(lambda: dialog.columns.saved.currentText() == "Zendesk with Company (Zendesk)", timeout=10000)
    assert [(m.name, dict(m.columns)) for m in list_mappings()] == [("Zendesk with Company", {"Customer": "Company"})]

    again = open_dialog(qtbot, ctx)
    load(qtbot, again, path, "Europe/Berlin")
    assert again.columns.column_boxes["customer"].currentText() == "— not imported"
    row = again.columns.saved.findText("Zendesk with Company (Zendesk)")
    again.columns.saved.setCurrentIndex(row)
    again.columns.saved.activated.emit(row)
    assert again.columns.column_boxes["customer"].currentText() == "Company"
    qtbot.waitUntil(lambda: settled(again) and [u.name for u in again.customers.items] == ["Acme Inc"])
    again.reader.wait(5000)


# -- models ---------------------------------------------------------------------------------------------------------


def test_the_new_models_pass_the_model_tester(qtbot, dialog, qtmodeltester) -> None:
    load(qtbot, dialog, ZENDESK, "Europe/Berlin")
    qtmodeltester.check(dialog.preview_model)
    qtmodeltester.check(dialog.customers.model)
    qtmodeltester.check(dialog.disagreements_model)
    assert dialog.preview_model.rowCount() == 7 and dialog.disagreements_model.rowCount() == 2


def test_the_customers_panel_can_decide_the_rest_at_once(qtbot, db_path) -> None:
    from tamdesk.services.customer_match import NO_NAME, UnmatchedCustomer

    panel = ImportCustomersPanel()
    qtbot.addWidget(panel)
    panel.set_unmatched([UnmatchedCustomer("Umbrella", (2, 3)), UnmatchedCustomer(NO_NAME, (4,))], ["Acme"])
    assert panel.undecided() == ["Umbrella", NO_NAME]
    panel.create_rest.click()
    assert panel.undecided() == [NO_NAME]  # a ticket without an organization cannot name a customer
    panel.skip_rest.click()
    assert panel.undecided() == []
    choices = panel.choices()
    assert (choices.created, choices.skipped) == (frozenset({"Umbrella"}), frozenset({NO_NAME}))
    assert panel.row_labels() == {2: "Umbrella (new customer)", 3: "Umbrella (new customer)", 4: f"{NO_NAME}: skipped"}


# -- the window -----------------------------------------------------------------------------------------------------


def test_it_fits_a_small_screen_and_nothing_moves_when_messages_change(qtbot, dialog) -> None:
    load(qtbot, dialog, MILESTONES, "America/New_York")  # the longest mapping: every field of a milestone report
    hint = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
    assert hint.width() <= 1024 and hint.height() <= 700 - 40  # a title bar and the taskbar aside
    dialog.resize(1000, 640)
    qtbot.wait(50)
    assert (dialog.width(), dialog.height()) == (1000, 640)
    before = (dialog.splitter.geometry(), dialog.buttons.geometry())
    load(qtbot, dialog, ZENDESK, "Europe/Berlin")
    choose(qtbot, dialog, "Acme Inc", Decision.SKIP)
    assert (dialog.splitter.geometry(), dialog.buttons.geometry()) == before


def test_cancel_while_tickets_are_written_leaves_the_database_unchanged(qtbot, dialog, tmp_path: Path) -> None:
    header, first = ZENDESK.read_text().splitlines()[:2]
    body = first.split(",", 1)[1]
    path = tmp_path / "big.csv"
    path.write_text("\n".join([header, *(f"{9000 + n},{body}" for n in range(20000))]) + "\n")
    load(qtbot, dialog, path, "Europe/Berlin")
    assert dialog.status.text() == "Ready: 20,000 tickets to import."
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.progress.maximum() > 1 and dialog.progress.value() > 0, timeout=20000)
    assert dialog.status.text().startswith("Importing: ")
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=20000)
    assert dialog.status.text() == "Import cancelled: nothing was imported."
    assert count_tickets() == 0 and t.TicketEvent.select().count() == 0


def test_the_window_size_and_split_are_remembered(qtbot, dialog, ctx) -> None:
    dialog.splitter.setSizes([300, 700])
    left = dialog.splitter.sizes()[0]
    dialog.reject()
    assert QSettings().value(SETTINGS_GEOMETRY) == dialog.saveGeometry()
    again = open_dialog(qtbot, ctx)
    assert again.splitter.sizes()[0] == left


def test_an_unknown_time_zone_is_said_beside_nothing_imported(qtbot, dialog) -> None:
    load(qtbot, dialog, JSM, "Europe/Berlin")
    dialog.tabs.setCurrentIndex(0)
    dialog.zone.setEditText("Mars/Olympus_Mons")
    dialog.zone.lineEdit().editingFinished.emit()
    qtbot.waitUntil(lambda: settled(dialog) and dialog.status.text().startswith("✖"), timeout=10000)
    assert dialog.status.text().startswith("✖ The exporter's time zone: ")
    assert "Mars/Olympus_Mons" in dialog.status.text() and "--tz" not in dialog.status.text()
    assert not dialog.import_button.isEnabled() and dialog.preview_model.rowCount() == 0
    assert dialog.tabs.currentIndex() == 0  # a later look leaves the user's tab alone


def test_the_tickets_page_opens_it_and_says_what_was_imported(qtbot, customers, ctx, monkeypatch) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from tamdesk.views.pages.tickets import TicketsPage

    page = TicketsPage(ctx, TaskRunner())
    qtbot.addWidget(page)
    said: list[str] = []
    monkeypatch.setattr(page, "show_status", said.append)
    seen: list[TicketImportDialog] = []

    def use_the_dialog() -> None:
        shown = QApplication.activeModalWidget()
        assert isinstance(shown, TicketImportDialog)
        seen.append(shown)
        load(qtbot, shown, JSM, "Europe/Berlin")
        import_and_wait(qtbot, shown)
        shown.cancel_button.click()  # now reads Close

    QTimer.singleShot(0, use_the_dialog)
    page.import_tickets()
    assert seen and said == ["Imported tickets: 4 created, 0 updated, 3 events recorded."]
    page.runner.wait(5000)
    seen[0].reader.wait(5000)
