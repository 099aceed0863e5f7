"""Product defects as a TAM meets them: report from a ticket and walk every step to closed through the forms,
the engineering link in the browser, the customer-update log and cadence, the page and the tab."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import DefectState
from tamdesk.models import tables as t
from tamdesk.services.base import Context, FieldError
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import (
    defect_detail,
    escalate_to_engineering,
    link_ticket,
    report_defect,
    validate_defect,
)
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.views.defect_detail import DefectDetailView
from tamdesk.views.defect_dialog import LinkDefectDialog, LinkTicketDialog, LogUpdateDialog, ReportDefectDialog
from tamdesk.views.escalation_dialog import NO_TICKET
from tamdesk.views.pages.defects import OVERDUE, DefectsPage, DefectsTab
from tamdesk.views.tasks import TaskRunner

Handler = Callable[[Any], None]
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Handler]]:
    """Modal dialogs run the next queued handler (which clicks through them) instead of blocking."""
    handlers: list[Handler] = []

    def fake_exec(self: QDialog) -> int:
        assert handlers, f"unexpected dialog {type(self).__name__}: {self.windowTitle()}"
        self.show()
        handlers.pop(0)(self)
        return self.result()

    monkeypatch.setattr(QDialog, "exec", fake_exec)
    yield handlers
    assert not handlers, "a dialog the test expected never opened"


class Answers:
    """Queued answers for QMessageBox.question (Yes when the queue is empty) and what was asked."""

    def __init__(self) -> None:
        self.queue: list[QMessageBox.StandardButton] = []
        self.asked: list[str] = []

    def question(self, parent: QWidget, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        self.asked.append(text)
        return self.queue.pop(0) if self.queue else QMessageBox.StandardButton.Yes


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    recorder = Answers()
    monkeypatch.setattr(QMessageBox, "question", staticmethod(recorder.question))
    return recorder


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    return opened


@pytest.fixture
def runner(db_path: Path) -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.wait(5000)


@pytest.fixture
def tickets(db_path: Path, ctx: Context, fixed_now: datetime) -> dict[str, int]:
    for name, role, email in [
        ("Maya Support", "support_manager", "maya@vendor.example"),
        ("Dan Director", "senior_director", "dan@vendor.example"),
        ("Vera VP", "vp_customer_success", "vera@vendor.example"),
    ]:
        t.Person.create(name=name, role=role, email=email)
    acme = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE", tam="Tess Tam"))
    globex = create_customer(ctx, CustomerInput(name="Globex", time_zone="Europe/Berlin", country="DE"))
    opened = fixed_now - timedelta(hours=2)
    return {
        "SUP-1": create_ticket(ctx, TicketInput("SUP-1", acme, "Cluster down", Severity.URGENT, opened)),
        "SUP-2": create_ticket(ctx, TicketInput("SUP-2", globex, "Same crash", Severity.NORMAL, opened)),
        "acme": acme,
        "globex": globex,
    }


def escalated(ctx: Context, ticket: int, title: str, severity: Severity) -> int:
    """A defect reported, validated and escalated to engineering at ``ctx``'s now: its customers' clocks run."""
    did = report_defect(ctx, ticket, title, severity=severity)
    validate_defect(ctx, did, 1, "Sam Support", ctx.now())
    escalate_to_engineering(ctx, did, 2, f"ENG-{did}", f"https://eng.example.com/browse/ENG-{did}")
    return did


def load(qtbot: Any, page: DefectsPage) -> None:
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.refresh()


def detail_view(qtbot: Any, ctx: Context, defect_id: int) -> DefectDetailView:
    view = DefectDetailView(ctx)
    qtbot.addWidget(view)
    view.show_defect(defect_id)
    view.show()
    return view


def click_step(qtbot: Any, page: DefectsPage) -> None:
    """Click the current step's button and wait for the list to reload."""
    form = page.detail.step_stack.currentWidget()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        qtbot.mouseClick(form.button, LEFT)  # type: ignore[attr-defined]


def test_bug_walked_from_report_to_closed(
    qtbot: Any,
    ctx: Context,
    fixed_now: datetime,
    tickets: dict[str, int],
    runner: TaskRunner,
    dialogs: list[Handler],
    answers: Answers,
) -> None:
    page = DefectsPage(ctx, runner)
    qtbot.addWidget(page)
    page.show()
    load(qtbot, page)
    assert page.empty.heading.text() == "No defects yet"

    def report(dialog: ReportDefectDialog) -> None:
        qtbot.mouseClick(dialog.ok_button, LEFT)
        assert dialog.messages["ticket"].text() == "Choose a ticket."
        dialog.ticket.chooser.setEditText("SUP-1")  # type: ignore[union-attr]
        assert "P1" in dialog.severity_hint.text()
        qtbot.keyClicks(dialog.title_edit, "Coordinator OOM on large joins")
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.append(report)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        qtbot.mouseClick(page.report_button, LEFT)
    view = page.detail
    assert page.stack.currentWidget() is view
    assert view.step_box.title() == "Next step: Validate"

    validate = view.step_forms[DefectState.REPORTED]
    assert validate.by.text() == "Tess Tam"  # type: ignore[attr-defined]
    qtbot.keyClicks(validate.notes, "Repro with TPC-H q9")  # type: ignore[attr-defined]
    click_step(qtbot, page)
    assert view.state_badge.text() == "Validated"
    assert view.facts.values["validated"].text().endswith("by Tess Tam")

    escalate = view.step_forms[DefectState.VALIDATED]
    qtbot.keyClicks(escalate.key, "eng 12")  # type: ignore[attr-defined]
    assert escalate.messages["engineering_key"].text() == "Engineering key 'eng 12' is not like ENG-1234."
    qtbot.keyClicks(escalate.link, "https://eng.example.com/browse/ENG-1234")  # type: ignore[attr-defined]
    qtbot.mouseClick(escalate.button, LEFT)
    assert escalate.messages["engineering_key"].isVisible()
    assert not escalate.messages["engineering_url"].isVisible()
    assert t.Defect.get().state == "validated"
    escalate.key.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(escalate.key, "eng-12")  # type: ignore[attr-defined]
    assert not escalate.messages["engineering_key"].isVisible()
    assert escalate.messages["engineering_url"].text() == (
        "Link 'https://eng.example.com/browse/ENG-1234' names ENG-1234, not the engineering key ENG-12."
    )
    escalate.key.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(escalate.key, "eng-1234")  # type: ignore[attr-defined]
    assert not escalate.messages["engineering_url"].isVisible()
    click_step(qtbot, page)
    assert 'href="https://eng.example.com/browse/ENG-1234"' in view.facts.values["engineering"].text()

    prioritize = view.step_forms[DefectState.ESCALATED]
    assert "Sev1 Urgent → P1" in prioritize.intro.text()
    assert prioritize.priority.currentText() == "P1"  # type: ignore[attr-defined]
    assert not prioritize.reason.isEnabled()  # type: ignore[attr-defined]
    prioritize.priority.setCurrentIndex(2)  # type: ignore[attr-defined]
    assert prioritize.reason.isEnabled()  # type: ignore[attr-defined]
    qtbot.mouseClick(prioritize.button, LEFT)
    assert prioritize.messages["priority_reason"].text() == "Overriding the priority P1 with P3 needs a reason."
    prioritize.priority.setCurrentIndex(0)  # type: ignore[attr-defined]
    click_step(qtbot, page)
    assert view.facts.values["priority"].text() == "P1"

    assert view.step_box.title() == "Next step: Start the fix"
    click_step(qtbot, page)

    deploy = view.step_forms[DefectState.FIX_IN_PROGRESS]
    qtbot.keyClicks(deploy.version, "435-e.2")  # type: ignore[attr-defined]
    deploy.deployed.setDate(QDate(2026, 3, 1))  # type: ignore[attr-defined]
    qtbot.mouseClick(deploy.button, LEFT)
    assert deploy.messages["deployed_on"].text() == (
        "Deployed 2026-03-01 is before the defect was validated (2026-03-10)."
    )
    assert deploy.messages["deployed_on"].isVisible()
    assert deploy.deployed.maximumDate() == QDate(2026, 3, 10)  # type: ignore[attr-defined]
    deploy.deployed.setDate(QDate(2026, 3, 10))  # type: ignore[attr-defined]
    click_step(qtbot, page)
    assert view.facts.values["fix"].text() == "435-e.2, deployed 10 Mar 2026"

    close = view.step_forms[DefectState.FIX_DEPLOYED]
    assert close.general.text() == "Linked tickets still open: SUP-1. You will be asked to confirm."
    answers.queue.append(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(close.button, LEFT)
    assert t.Defect.get().state == "fix_deployed"
    click_step(qtbot, page)  # Yes this time
    assert answers.asked == ["Defect #1 still has open tickets (SUP-1). Close it anyway?"] * 2
    assert view.state_badge.text() == "Closed"
    assert view.step_box.title() == "Closed"
    assert [label.text()[:1] for label in view.steps.labels] == ["✓"] * 6 + ["●"]
    row = defect_detail(1, fixed_now).row
    assert (row.state, row.priority, row.engineering_key, row.fix_version, row.deployed_on) == (
        DefectState.CLOSED, "P1", "ENG-1234", "435-e.2", date(2026, 3, 10),
    )  # fmt: skip


def test_future_validation_and_deploy_dates_are_refused(
    qtbot: Any, ctx: Context, fixed_now: datetime, tickets: dict[str, int]
) -> None:
    from tamdesk.services.defects import (
        deploy_fix,
        escalate_to_engineering,
        prioritize_defect,
        start_fix,
        validate_defect,
    )

    did = report_defect(ctx, tickets["SUP-1"], "Crash")
    view = detail_view(qtbot, ctx, did)
    validate = view.step_forms[DefectState.REPORTED]
    assert validate.at.value() == fixed_now  # type: ignore[attr-defined]
    validate.at.set_value(fixed_now + timedelta(days=30))  # type: ignore[attr-defined]
    validate.submit()
    assert "is in the future" in validate.messages["validated_at"].text()
    with pytest.raises(FieldError, match="is in the future"):
        validate_defect(ctx, did, 1, "Sam", fixed_now + timedelta(days=30))
    validate_defect(ctx, did, 1, "Sam", fixed_now)
    escalate_to_engineering(ctx, did, 2, "ENG-7", "https://eng.example.com/browse/ENG-7")
    prioritize_defect(ctx, did, 3)
    start_fix(ctx, did, 4)
    view.reload()
    deploy = view.step_forms[DefectState.FIX_IN_PROGRESS]
    assert deploy.deployed.maximumDate() == QDate(2026, 3, 10)  # type: ignore[attr-defined]
    with pytest.raises(FieldError, match=r"Deployed 2026-03-20 is in the future \(today is 2026-03-10\)"):
        deploy_fix(ctx, did, 5, "4.35.2", date(2026, 3, 20))


def test_engineering_link_opens_in_the_browser(
    qtbot: Any, ctx: Context, fixed_now: datetime, tickets: dict[str, int], browser: list[str]
) -> None:
    from tamdesk.services.defects import escalate_to_engineering, validate_defect

    did = report_defect(ctx, tickets["SUP-1"], "Crash")
    validate_defect(ctx, did, 1, "Sam", fixed_now)
    view = detail_view(qtbot, ctx, did)
    form = view.step_forms[DefectState.VALIDATED]
    assert not form.open_button.isEnabled()  # type: ignore[attr-defined]
    qtbot.keyClicks(form.link, "ftp://nope")  # type: ignore[attr-defined]
    assert form.messages["engineering_url"].text() == "Link 'ftp://nope' is not an http(s) address."
    form.link.setText("")  # type: ignore[attr-defined]
    qtbot.keyClicks(form.link, "https://eng.example.com/browse/ENG-7")  # type: ignore[attr-defined]
    qtbot.mouseClick(form.open_button, LEFT)  # type: ignore[attr-defined]
    assert browser == ["https://eng.example.com/browse/ENG-7"]
    escalate_to_engineering(ctx, did, 2, "ENG-7", "https://eng.example.com/browse/ENG-7")
    view.reload()
    view.facts.values["engineering"].linkActivated.emit("https://eng.example.com/browse/ENG-7")
    assert browser == ["https://eng.example.com/browse/ENG-7"] * 2


def test_customer_update_log_clears_the_overdue_flag(
    qtbot: Any, fixed_now: datetime, tickets: dict[str, int], runner: TaskRunner, dialogs: list[Handler]
) -> None:
    earlier = Context(actor="Tess Tam", clock=lambda: fixed_now - timedelta(days=8))
    overdue = escalated(earlier, tickets["SUP-2"], "Old crash", Severity.HIGH)  # every 5 business days
    ctx = Context(actor="Tess Tam", clock=lambda: fixed_now)
    fresh = escalated(ctx, tickets["SUP-1"], "New crash", Severity.LOW)
    page = DefectsPage(ctx, runner)
    qtbot.addWidget(page)
    page.show()
    load(qtbot, page)
    model = page.table.rows_model
    assert [r.id for r in model.rows()] == [overdue, fresh]  # overdue first
    update_column = [c.title for c in model.columns].index("Next update")
    cell = model.index(0, update_column)
    assert model.data(cell).startswith(OVERDUE)
    assert model.data(cell, Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(1, update_column)).startswith("Due ")
    assert page.count_label.text() == "2 open · 1 overdue"
    page.overdue_only.setChecked(True)
    assert [r.id for r in model.rows()] == [overdue]

    page.open_defect(overdue)
    view = page.detail
    assert view.update_status.text().startswith("⚠ Overdue: the next update was due")

    def log(dialog: LogUpdateDialog) -> None:
        assert dialog.customer.count() == 1 and dialog.customer.currentText() == "Globex"
        qtbot.mouseClick(dialog.ok_button, LEFT)
        assert dialog.messages["text"].text() == "Say what the customer was told."
        qtbot.keyClicks(dialog.text, "Engineering reproduced it")
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.append(log)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        qtbot.mouseClick(view.log_button, LEFT)
    assert view.update_status.text().startswith("Next update due")
    assert [u.text for u in view.update_model.rows()] == ["Engineering reproduced it"]
    assert view.update_model.rows()[0].customer == "Globex"
    assert page.table.rows_model.rows() == []  # nothing overdue any more
    assert page.empty.heading.text() == "No matching defects"


def test_link_another_customers_ticket(
    qtbot: Any, ctx: Context, tickets: dict[str, int], dialogs: list[Handler]
) -> None:
    did = report_defect(ctx, tickets["SUP-1"], "Crash")
    view = detail_view(qtbot, ctx, did)

    def link(dialog: LinkTicketDialog) -> None:
        dialog.ticket.chooser.setEditText("SUP-1")  # type: ignore[union-attr]
        qtbot.mouseClick(dialog.ok_button, LEFT)
        assert dialog.messages["ticket"].text() == "That ticket is already linked to this defect."
        dialog.ticket.chooser.setEditText("SUP-2")  # type: ignore[union-attr]
        assert "Globex" in dialog.ticket.summary.text()
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.append(link)
    with qtbot.waitSignal(view.changed):
        qtbot.mouseClick(view.link_button, LEFT)
    assert [r.number for r in view.ticket_model.rows()] == ["SUP-1", "SUP-2"]
    assert view.subtitle.text().startswith("Acme, Globex ·")


def test_ticket_picker_matches_numbers_and_subjects_not_ids(
    qtbot: Any, ctx: Context, tickets: dict[str, int], dialogs: list[Handler]
) -> None:
    did = report_defect(ctx, tickets["SUP-1"], "Crash")
    view = detail_view(qtbot, ctx, did)

    def link(dialog: LinkTicketDialog) -> None:
        chooser = dialog.ticket.chooser
        assert chooser is not None
        chooser.setEditText(str(tickets["SUP-2"]))  # the database id of Globex's SUP-2
        assert chooser.ticket_id() is None and dialog.ticket.summary.text() == NO_TICKET  # no ticket summed up
        qtbot.mouseClick(dialog.ok_button, LEFT)
        assert dialog.messages["ticket"].text() == f"No ticket {tickets['SUP-2']}."
        chooser.setEditText("SUP-999999")
        qtbot.mouseClick(dialog.ok_button, LEFT)
        assert dialog.messages["ticket"].text() == "No ticket SUP-999999."
        chooser.setEditText("")
        qtbot.mouseClick(dialog.ok_button, LEFT)
        assert dialog.messages["ticket"].text() == "Choose a ticket."
        assert chooser.itemText(1) == "SUP-2 — Same crash · Globex"
        chooser.setEditText("same CRASH")  # a subject picks its ticket too
        assert "Globex" in dialog.ticket.summary.text()
        chooser.setEditText("sup-2")
        assert chooser.ticket_id() == tickets["SUP-2"]
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.append(link)
    with qtbot.waitSignal(view.changed):
        qtbot.mouseClick(view.link_button, LEFT)
    assert [r.number for r in view.ticket_model.rows()] == ["SUP-1", "SUP-2"]


def test_models_pass_the_model_tester(
    qtbot: Any, ctx: Context, tickets: dict[str, int], runner: TaskRunner, qtmodeltester: Any
) -> None:
    from tamdesk.services.defects import log_customer_update

    did = report_defect(ctx, tickets["SUP-1"], "Crash")
    log_customer_update(ctx, did, "Looking into it")
    page = DefectsPage(ctx, runner)
    qtbot.addWidget(page)
    load(qtbot, page)
    assert page.table.rows_model.rowCount() == 1
    qtmodeltester.check(page.table.rows_model)
    qtmodeltester.check(page.table.proxy)
    view = detail_view(qtbot, ctx, did)
    qtmodeltester.check(view.ticket_model)
    qtmodeltester.check(view.update_model)


def test_ticket_tab_reports_and_links_defects(
    qtbot: Any, ctx: Context, tickets: dict[str, int], dialogs: list[Handler]
) -> None:
    tab = DefectsTab(ctx, ticket_id=tickets["SUP-1"])
    qtbot.addWidget(tab)
    tab.show()
    assert tab.content.currentWidget() is tab.empty
    assert tab.link_button.isVisible()

    def report(dialog: ReportDefectDialog) -> None:
        assert dialog.ticket.chooser is None and "SUP-1" in dialog.ticket.summary.text()
        qtbot.keyClicks(dialog.title_edit, "Crash on startup")
        dialog.severity.setCurrentIndex(dialog.severity.findData(2))
        qtbot.mouseClick(dialog.ok_button, LEFT)

    def detail(dialog: QDialog) -> None:
        assert dialog.view.step_box.title() == "Next step: Validate"  # type: ignore[attr-defined]
        dialog.reject()

    dialogs.extend([report, detail])
    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(tab.report_button, LEFT)
    assert tab.summary.text() == "1 defect, 1 open"
    assert tab.table.rows_model.rows()[0].severity is Severity.HIGH

    other = DefectsTab(ctx, ticket_id=tickets["SUP-2"])
    qtbot.addWidget(other)

    def link(dialog: LinkDefectDialog) -> None:
        assert dialog.defect.count() == 1 and "Crash on startup" in dialog.defect.currentText()
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.append(link)
    with qtbot.waitSignal(other.changed):
        qtbot.mouseClick(other.link_button, LEFT)
    assert [r.customers for r in other.table.rows_model.rows()] == [("Acme", "Globex")]
    customer_tab = DefectsTab(ctx, customer_id=tickets["globex"])
    qtbot.addWidget(customer_tab)
    assert customer_tab.table.rows_model.rowCount() == 1
    assert not customer_tab.link_button.isVisibleTo(customer_tab)


def test_each_customer_has_its_own_clock_and_an_update_resets_only_its_customer(
    qtbot: Any, fixed_now: datetime, tickets: dict[str, int], dialogs: list[Handler]
) -> None:
    earlier = Context(actor="Tess Tam", clock=lambda: fixed_now - timedelta(days=8))
    did = escalated(earlier, tickets["SUP-1"], "Crash", Severity.HIGH)  # Acme, every 5 business days
    link_ticket(earlier, did, tickets["SUP-2"])  # Globex
    ctx = Context(actor="Tess Tam", clock=lambda: fixed_now)
    view = detail_view(qtbot, ctx, did)
    clocks = view.clock_model
    next_column = [c.title for c in clocks.columns].index("Next update")

    def shown() -> dict[str, str]:
        return {clocks.data(clocks.index(r, 0)): clocks.data(clocks.index(r, next_column)) for r in range(2)}

    assert clocks.rowCount() == 2 and view.clocks.isVisible()
    assert all(text.startswith("⚠ Overdue since") for text in shown().values())
    assert view.update_status.text().endswith("— waiting: Acme; Globex")
    assert "on its own calendar" in view.cadence.text()

    globex_row = view.clocks.visualRect(clocks.index(1, 0)).center()
    qtbot.mouseClick(view.clocks.viewport(), LEFT, pos=globex_row)

    def log(dialog: LogUpdateDialog) -> None:
        assert dialog.customer.currentText() == "Globex", "the customer selected in the clocks"
        assert [dialog.customer.itemText(i) for i in range(3)] == ["Every linked customer", "Acme", "Globex"]
        qtbot.keyClicks(dialog.text, "A fix is planned for 4.36")
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.append(log)
    with qtbot.waitSignal(view.changed):
        qtbot.mouseClick(view.log_button, LEFT)
    after = shown()
    assert after["Acme"].startswith("⚠ Overdue since"), "an update to Globex leaves Acme overdue"
    assert after["Globex"].startswith("Due ")
    assert view.update_status.text().endswith("— waiting: Acme")
    assert [(u.customer, u.text) for u in view.update_model.rows()] == [("Globex", "A fix is planned for 4.36")]

    acme_tab, globex_tab = DefectsTab(ctx, customer_id=tickets["acme"]), DefectsTab(ctx, customer_id=tickets["globex"])
    for tab in (acme_tab, globex_tab):
        qtbot.addWidget(tab)
        tab.show()
    assert OVERDUE in acme_tab.summary.text()
    assert globex_tab.summary.text() == "1 defect, 1 open", "Globex's tab shows Globex's own clock"


def test_before_escalation_no_defect_clock_runs(qtbot: Any, ctx: Context, tickets: dict[str, int]) -> None:
    did = report_defect(ctx, tickets["SUP-1"], "Crash")
    view = detail_view(qtbot, ctx, did)
    assert view.update_status.text() == (
        "No update due yet: each customer's clock starts when the defect is escalated to engineering."
    )
    assert view.clock_model.data(view.clock_model.index(0, 3)) == "—"
