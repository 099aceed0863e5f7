"""Escalations as a TAM meets them: request from a ticket, walk a Sev1 to resolved, decline, the email draft,
the page with its filters, and the tab a customer or ticket embeds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import EscalationState, TicketEventKind
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.escalations import (
    EscalationInput,
    advance_escalation,
    apprise_vp,
    escalation_detail,
    request_escalation,
)
from tamdesk.services.tickets import TicketInput, add_event, create_ticket
from tamdesk.views.escalation_detail import AdvanceDialog, EmailDraftDialog, EscalationDetailView
from tamdesk.views.escalation_dialog import EscalationDialog, TextDialog
from tamdesk.views.pages.escalations import EscalationsPage, EscalationsTab
from tamdesk.views.table_model import local_time
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


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """QMessageBox.question answers Yes (or the first queued answer) and records what it asked."""
    asked: list[str] = []

    def question(parent: QWidget, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: shown.append(text)))
    return shown


@pytest.fixture
def runner(db_path: Path) -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.wait(5000)


@pytest.fixture
def tickets(db_path: Path, ctx: Context, fixed_now: datetime) -> dict[str, int]:
    """The people directory, Acme with a Sev1 and a Sev3 ticket, Globex with one Sev2 ticket."""
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
        "SUP-2": create_ticket(ctx, TicketInput("SUP-2", acme, "Slow queries", Severity.NORMAL, opened)),
        "SUP-3": create_ticket(ctx, TicketInput("SUP-3", globex, "Login fails", Severity.HIGH, opened)),
        "acme": acme,
        "globex": globex,
    }


def escalate(ctx: Context, ticket_id: int, reason: str = "Production down") -> int:
    return request_escalation(ctx, ticket_id, EscalationInput("customer", "Ana Ruiz", reason, "Orders stop"))


def load(qtbot: Any, page: EscalationsPage) -> None:
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.refresh()


def detail_view(qtbot: Any, ctx: Context, esc_id: int) -> EscalationDetailView:
    view = EscalationDetailView(ctx)
    qtbot.addWidget(view)
    view.show_escalation(esc_id)
    view.show()
    return view


# -- requesting -------------------------------------------------------------------------------------------------


def fill_request(dialog: EscalationDialog, qtbot: Any, number: str = "SUP-1") -> None:
    assert dialog.chooser is not None
    dialog.chooser.setEditText(number)
    qtbot.mouseClick(dialog.by_customer, LEFT)
    qtbot.keyClicks(dialog.requester, "Ana Ruiz")
    qtbot.keyClicks(dialog.reason, "Production down 2 h")
    qtbot.keyClicks(dialog.impact, "Orders stop")
    qtbot.keyClicks(dialog.outcome_edit, "Restore today")


def test_sev1_walked_from_request_to_resolved(
    qtbot: Any, ctx: Context, tickets: dict[str, int], runner: TaskRunner, dialogs: list[Handler]
) -> None:
    page = EscalationsPage(ctx, runner)
    qtbot.addWidget(page)
    page.show()
    load(qtbot, page)
    assert page.empty.heading.text() == "No escalations yet"
    seen: dict[str, object] = {}

    def request(dialog: EscalationDialog) -> None:
        fill_request(dialog, qtbot)
        seen["vp_checked"] = dialog.apprise.isChecked()
        seen["vp_locked"] = not dialog.apprise.isEnabled()
        seen["people"] = dialog.people.text()
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.append(request)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        qtbot.mouseClick(page.request_button, LEFT)
    assert seen == {
        "vp_checked": True,
        "vp_locked": True,
        "people": "Goes to Maya Support (support manager) and Dan Director (senior director of support).",
    }
    view = page.detail
    assert page.stack.currentWidget() is view
    assert view.people.values["manager"].text() == "Maya Support"
    assert view.people.values["director"].text() == "Dan Director"
    assert "(Sev1 ticket)" in view.people.values["vp"].text()
    assert view.state_badge.text() == "Requested"
    assert "Maya Support" in view.next_step.text()

    for expected in ("Acknowledged", "Action plan", "Monitoring", "Resolved"):
        assert view.advance_button.text() == f"&Advance to {expected}…"

        def advance(dialog: AdvanceDialog, state: str = expected) -> None:
            assert dialog.state.currentText() == state
            assert dialog.intro.text().endswith(f"is at the step: {view.state_badge.text()}.")  # not "is action plan"
            qtbot.keyClicks(dialog.note, f"now {state.lower()}")
            qtbot.mouseClick(dialog.ok_button, LEFT)

        dialogs.append(advance)
        with qtbot.waitSignal(page.loaded, timeout=5000):
            qtbot.mouseClick(view.advance_button, LEFT)
        assert view.state_badge.text() == expected

    assert not view.advance_button.isEnabled()
    assert not view.decline_button.isEnabled()
    texts = [e.text for e in view.timeline_model.rows()]
    assert texts[0] == "Escalation requested by the customer: Production down 2 h"
    assert texts[-1] == "Monitoring → Resolved: now resolved"
    qtbot.mouseClick(view.back_button, LEFT)
    assert page.stack.currentWidget() is page.list_panel
    assert [r.state for r in page.table.rows_model.rows()] == [EscalationState.RESOLVED]


def test_request_shows_each_missing_field_beside_it(qtbot: Any, ctx: Context, tickets: dict[str, int]) -> None:
    dialog = EscalationDialog(ctx, customer_id=tickets["acme"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.messages["ticket"].text() == "Choose the ticket to escalate."
    dialog.chooser.setEditText("SUP-999999")  # type: ignore[union-attr]
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.messages["ticket"].text() == "No ticket SUP-999999."
    assert dialog.messages["reason"].text() == "An escalation needs a reason."
    assert dialog.isVisible()
    assert dialog.messages["reason"].text() == "An escalation needs a reason."
    dialog.chooser.setEditText("SUP-2")  # type: ignore[union-attr]
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.messages["ticket"].isVisible()
    assert dialog.messages["requested_by"].text() == "Say whether the customer or the TAM requests the escalation."
    assert dialog.messages["reason"].text() == "An escalation needs a reason."
    assert dialog.messages["reason"].isVisible()
    impact = dialog.messages["business_impact"]
    assert impact.text() == "An escalation needs its business impact: what the problem costs the customer."
    assert impact.isVisible()
    assert t.Escalation.select().count() == 0
    assert dialog.apprise.isEnabled()  # Sev3: apprising the VP is a choice
    qtbot.mouseClick(dialog.by_tam, LEFT)
    assert dialog.requester.text() == "Tess Tam"
    qtbot.keyClicks(dialog.reason, "Customer unhappy")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.isVisible() and not dialog.messages["reason"].isVisible()
    assert impact.isVisible()
    qtbot.keyClicks(dialog.impact, "Quarter-end reporting blocked")
    qtbot.mouseClick(dialog.apprise, LEFT)
    qtbot.keyClicks(dialog.vp_note, "Renewal at risk")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    detail = escalation_detail(dialog.escalation_id, ctx.now())  # type: ignore[arg-type]
    assert detail.row.vp_apprised and detail.vp_note == "Renewal at risk"
    assert detail.input.requested_by == "tam"


def test_solved_ticket_is_escalated_only_after_a_yes(
    qtbot: Any, ctx: Context, fixed_now: datetime, tickets: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_event(ctx, tickets["SUP-2"], TicketEventKind.SOLVED, fixed_now - timedelta(minutes=5))
    dialog = EscalationDialog(ctx, ticket_id=tickets["SUP-2"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert "solved" in dialog.messages["ticket"].text()
    qtbot.mouseClick(dialog.by_tam, LEFT)
    qtbot.keyClicks(dialog.reason, "Customer unhappy with the fix")
    qtbot.keyClicks(dialog.impact, "Renewal at risk")
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def question(parent: QWidget, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert asked == ["Ticket SUP-2 is solved. Escalate it anyway?"]
    assert dialog.isVisible() and t.Escalation.select().count() == 0
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert t.Escalation.select().count() == 1


def test_second_open_escalation_is_refused_with_a_way_to_the_first(
    qtbot: Any, ctx: Context, tickets: dict[str, int]
) -> None:
    first = escalate(ctx, tickets["SUP-1"])
    dialog = EscalationDialog(ctx, ticket_id=tickets["SUP-1"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.refusal.isVisible()
    assert f"already has an open escalation (#{first})" in dialog.refusal_text.text()
    assert not dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.open_escalation_requested) as blocker:
        qtbot.mouseClick(dialog.open_button, LEFT)
    assert blocker.args == [first]
    assert not dialog.isVisible()


# -- the detail -------------------------------------------------------------------------------------------------


def test_decline_without_a_reason_shows_the_error_beside_it(
    qtbot: Any, ctx: Context, tickets: dict[str, int], dialogs: list[Handler]
) -> None:
    view = detail_view(qtbot, ctx, escalate(ctx, tickets["SUP-2"]))
    seen: dict[str, object] = {}

    def decline(dialog: TextDialog) -> None:
        qtbot.mouseClick(dialog.ok_button, LEFT)
        message = dialog.messages["decline_reason"]
        seen.update(error=message.text(), visible=message.isVisible(), open=dialog.isVisible())
        qtbot.keyClicks(dialog.text, "Working as designed")
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.append(decline)
    with qtbot.waitSignal(view.changed):
        qtbot.mouseClick(view.decline_button, LEFT)
    assert seen == {"error": "Declining an escalation needs a reason.", "visible": True, "open": True}
    assert view.state_badge.text() == "Declined"
    assert view.banner.isVisible() and view.banner.text() == "Declined: Working as designed"
    assert view.request.values["decline"].text() == "Working as designed"
    assert "Declined at requested" in view.steps.labels[0].text()


def test_note_and_vp_apprisal_are_timeline_entries(
    qtbot: Any, ctx: Context, tickets: dict[str, int], dialogs: list[Handler]
) -> None:
    view = detail_view(qtbot, ctx, escalate(ctx, tickets["SUP-2"]))
    assert view.people.values["vp"].text().startswith("Not apprised")

    def note(dialog: TextDialog) -> None:
        qtbot.keyClicks(dialog.text, "Customer confirms the workaround")
        qtbot.mouseClick(dialog.ok_button, LEFT)

    def vp(dialog: TextDialog) -> None:
        qtbot.keyClicks(dialog.text, "Advises a daily summary")
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.extend([note, vp])
    qtbot.mouseClick(view.note_button, LEFT)
    qtbot.mouseClick(view.vp_button, LEFT)
    texts = [e.text for e in view.timeline_model.rows()]
    assert texts[-2:] == ["Customer confirms the workaround", "VP of Customer Success apprised (on request). "
                          "Advises a daily summary"]  # fmt: skip
    assert "(on request)" in view.people.values["vp"].text()
    assert "Advises a daily summary" in view.people.values["vp"].text()
    assert not view.vp_button.isEnabled()


def test_stale_advance_says_so_and_reloads(
    qtbot: Any, ctx: Context, tickets: dict[str, int], dialogs: list[Handler], warnings: list[str]
) -> None:
    esc = escalate(ctx, tickets["SUP-2"])
    view = detail_view(qtbot, ctx, esc)
    apprise_vp(ctx, esc, 1, "Heads-up")  # someone else, after the view loaded
    dialogs.append(lambda dialog: qtbot.mouseClick(dialog.ok_button, LEFT))
    qtbot.mouseClick(view.advance_button, LEFT)
    assert len(warnings) == 1 and "changed by someone else" in warnings[0]
    assert view.state_badge.text() == "Requested"
    assert "Heads-up" in view.people.values["vp"].text()
    assert t.Escalation.get_by_id(esc).state == "requested"


def test_email_draft_shows_to_cc_subject_body_copy_and_mailto(
    qtbot: Any, ctx: Context, tickets: dict[str, int], dialogs: list[Handler], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")  # the user's zone, as the computer gives it
    view = detail_view(qtbot, ctx, escalate(ctx, tickets["SUP-1"], "Down"))
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    seen: dict[str, str] = {}

    def email(dialog: EmailDraftDialog) -> None:
        seen.update(to=dialog.to.text(), cc=dialog.cc.text(), subject=dialog.subject.text())
        seen["body"] = dialog.body.toPlainText()
        qtbot.mouseClick(dialog.copy_button, LEFT)
        qtbot.mouseClick(dialog.mail_button, LEFT)
        seen["status"] = dialog.status.text()
        dialog.reject()

    dialogs.append(email)
    qtbot.mouseClick(view.email_button, LEFT)
    assert seen["to"] == "maya@vendor.example, dan@vendor.example"
    assert seen["cc"] == "vera@vendor.example"
    assert seen["subject"] == "[Escalation] Acme — SUP-1 (Sev1 Urgent): Down"
    assert "Business impact: Orders stop" in seen["body"]
    assert "Timeline:" in seen["body"]
    # the Sev1 ticket's first response was due an hour ago: said plainly, on the user's clock, not in UTC
    assert "First response was due Tue 10 Mar 2026 14:30 CET — 1 h ago" in seen["body"].splitlines()
    assert "UTC" not in seen["body"]
    assert seen["status"] == "Opened in your mail client."
    clipboard = QGuiApplication.clipboard().text()
    assert clipboard.startswith("To: maya@vendor.example, dan@vendor.example\nCc: vera@vendor.example\nSubject: ")
    assert opened and opened[0].scheme() == "mailto"
    assert opened[0].toString().startswith("mailto:maya@vendor.example,dan@vendor.example?")


# -- the page ---------------------------------------------------------------------------------------------------


def test_an_escalation_open_past_the_limit_shows_the_vp_to_be_apprised_until_done(
    qtbot: Any, fixed_now: datetime, ctx: Context, tickets: dict[str, int], runner: TaskRunner,
    dialogs: list[Handler],
) -> None:  # fmt: skip
    """The VP rule is state: the list and the detail say the VP is to be apprised; Apprise VP ends it."""
    earlier = Context(actor="Tess Tam", clock=lambda: fixed_now - timedelta(days=7))
    esc = escalate(earlier, tickets["SUP-2"], "Slow for a week")
    page = EscalationsPage(ctx, runner)
    qtbot.addWidget(page)
    page.show()
    load(qtbot, page)
    model = page.table.rows_model
    vp_column = [c.title for c in model.columns].index("VP")
    assert model.data(model.index(0, vp_column)) == "✖ To be apprised"
    due = datetime(2026, 3, 6, 14, 30, tzinfo=UTC)  # Tue 3 Mar 15:30 Berlin + 3 business days
    assert model.data(model.index(0, vp_column), Qt.ItemDataRole.ToolTipRole) == (
        f"VP of Customer Success to be apprised: open more than 3 business days since {local_time(due)}"
    )
    assert page.count_label.text() == "1 open · 1 VP of Customer Success to be apprised"
    assert not t.Escalation.get_by_id(esc).vp_apprised  # reading apprised nobody

    page.table.setFocus()
    page.table.select_id(esc)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    view = page.detail
    assert view.vp_banner.isVisible()
    assert view.vp_banner.text() == (
        f"VP of Customer Success to be apprised: open more than 3 business days, since {local_time(due)}. "
        "Apprise VP… records it."
    )
    assert (
        view.people.values["vp"].text() == f"To be apprised since {local_time(due)} (open more than 3 business days)."
    )

    def vp(dialog: TextDialog) -> None:
        qtbot.keyClicks(dialog.text, "Briefed; advises a daily summary")
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.append(vp)
    qtbot.mouseClick(view.vp_button, LEFT)
    assert not view.vp_banner.isVisible()
    assert view.timeline_model.rows()[-1].text == (
        "VP of Customer Success apprised (open more than 3 business days). Briefed; advises a daily summary"
    )
    assert "Late: 2.0 business days past the limit of 3 business days" in view.people.values["vp"].text()
    load(qtbot, page)
    assert model.data(model.index(0, vp_column)) == "Apprised late"
    assert page.count_label.text() == "1 open"


def test_the_detail_says_when_the_vp_will_be_due(qtbot: Any, ctx: Context, tickets: dict[str, int]) -> None:
    view = detail_view(qtbot, ctx, escalate(ctx, tickets["SUP-2"]))
    due = datetime(2026, 3, 13, 14, 30, tzinfo=UTC)  # Tue 10 Mar 15:30 Berlin + 3 business days
    assert view.people.values["vp"].text() == (
        f"Not apprised. To be apprised from {local_time(due)} if still open (3 business days); Sev1 tickets and "
        "requests apprise the VP at once."
    )
    assert not view.vp_banner.isVisible()


def test_page_lists_open_first_and_filters(
    qtbot: Any, ctx: Context, tickets: dict[str, int], runner: TaskRunner, qtmodeltester: Any
) -> None:
    closed = escalate(ctx, tickets["SUP-2"], "Slow")
    advance_escalation(ctx, closed, 1, EscalationState.DECLINED, decline_reason="Not a bug")
    acme = escalate(ctx, tickets["SUP-1"], "Down")
    globex = escalate(ctx, tickets["SUP-3"], "Login broken")
    page = EscalationsPage(ctx, runner)
    qtbot.addWidget(page)
    page.show()
    load(qtbot, page)
    ids = [r.id for r in page.table.rows_model.rows()]
    assert ids[-1] == closed and set(ids[:2]) == {acme, globex}
    assert page.count_label.text() == "2 open"
    qtmodeltester.check(page.table.rows_model)
    qtmodeltester.check(page.table.proxy)

    page.state_filter.setCurrentIndex(page.state_filter.findData("open"))
    assert {r.id for r in page.table.rows_model.rows()} == {acme, globex}
    page.customer_filter.setCurrentIndex(page.customer_filter.findText("Globex"))
    assert [r.id for r in page.table.rows_model.rows()] == [globex]
    page.customer_filter.setCurrentIndex(0)
    qtbot.keyClicks(page.search, "sup-1")
    assert [r.id for r in page.table.rows_model.rows()] == [acme]
    page.search.setText("nothing like this")
    assert page.content.currentWidget() is page.empty
    assert page.empty.heading.text() == "No matching escalations"
    qtbot.mouseClick(page.empty.button, LEFT)  # Clear filters
    assert len(page.table.rows_model.rows()) == 3

    page.table.setFocus()
    page.table.select_id(globex)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.stack.currentWidget() is page.detail
    assert page.detail.escalation_id == globex


def test_timeline_model_passes_the_model_tester(
    qtbot: Any, ctx: Context, tickets: dict[str, int], qtmodeltester: Any
) -> None:
    view = detail_view(qtbot, ctx, escalate(ctx, tickets["SUP-1"]))
    assert view.timeline_model.rowCount() == 2  # requested, VP apprised (Sev1)
    qtmodeltester.check(view.timeline_model)


# -- the tab ----------------------------------------------------------------------------------------------------


def test_ticket_tab_requests_and_opens_escalations(
    qtbot: Any, ctx: Context, tickets: dict[str, int], dialogs: list[Handler]
) -> None:
    tab = EscalationsTab(ctx, ticket_id=tickets["SUP-3"])
    qtbot.addWidget(tab)
    tab.show()
    assert tab.content.currentWidget() is tab.empty

    def request(dialog: EscalationDialog) -> None:
        assert dialog.chooser is None and "SUP-3" in dialog.ticket_info.text()
        qtbot.mouseClick(dialog.by_customer, LEFT)
        qtbot.keyClicks(dialog.reason, "Nobody can log in")
        qtbot.keyClicks(dialog.impact, "No orders taken")
        qtbot.mouseClick(dialog.ok_button, LEFT)

    def detail(dialog: QDialog) -> None:
        assert dialog.view.state_badge.text() == "Requested"  # type: ignore[attr-defined]
        dialog.reject()

    dialogs.extend([request, detail])
    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(tab.request_button, LEFT)
    assert tab.summary.text() == "1 escalation, 1 open"
    customer_tab = EscalationsTab(ctx, customer_id=tickets["globex"])
    qtbot.addWidget(customer_tab)
    assert [r.ticket_number for r in customer_tab.table.rows_model.rows()] == ["SUP-3"]
    shown = [customer_tab.table.rows_model.columns[c].title for c in range(customer_tab.table.rows_model.columnCount())
             if not customer_tab.table.isColumnHidden(c)]  # fmt: skip
    assert "Customer" not in shown and "Ticket" in shown  # the customer is the one whose tab this is
    customer_tab.show_for(customer_id=tickets["acme"])
    assert customer_tab.table.rows_model.rowCount() == 0
