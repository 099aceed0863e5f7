"""The next step of an escalation or a defect from its row: a right-click (or a Ctrl+Shift shortcut) on the
Escalations and Defects pages and tabs advances, declines or takes the defect's next step in a small form, copies the
ticket number or engineering key, and opens the record, its ticket or its tracker entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QContextMenuEvent, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QMessageBox, QWidget

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import DefectState, EscalationState
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import (
    defect_detail,
    escalate_to_engineering,
    link_ticket,
    report_defect,
    validate_defect,
)
from tamdesk.services.escalations import (
    EscalationInput,
    advance_escalation,
    escalation_detail,
    request_escalation,
)
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.views.pages.defects import DefectsPage, DefectsTab
from tamdesk.views.pages.escalations import EscalationsPage, EscalationsTab
from tamdesk.views.pages.record_list import RecordTable
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.undo import undo_stack

Handler = Callable[[Any], None]
LEFT = Qt.MouseButton.LeftButton
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


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
def menus(monkeypatch: pytest.MonkeyPatch) -> list[QMenu]:
    """The menus that popped up (recorded, as a click would not reach them headless)."""
    shown: list[QMenu] = []
    monkeypatch.setattr(QMenu, "popup", lambda self, *args: shown.append(self))
    return shown


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def question(parent: QWidget, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(QUrl(url).toString())))
    return opened


@pytest.fixture
def runner(db_path: Path) -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.wait(5000)


@pytest.fixture
def tickets(db_path: Path, ctx: Context, fixed_now: datetime) -> dict[str, int]:
    """The people directory; Acme with a Sev1 and a Sev3 ticket, Globex with a Sev2 ticket."""
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


def right_click(table: RecordTable, record_id: int, menus: list[QMenu]) -> dict[str, Any]:
    """Right-click the row of ``record_id``; the menu's entries by their plain text (a submenu as a QMenu)."""
    row = next(r for r in range(table.proxy.rowCount()) if table.proxy.row_at(r).id == record_id)
    pos = table.visualRect(table.proxy.index(row, 1)).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, table.viewport().mapToGlobal(pos))
    QApplication.sendEvent(table.viewport(), event)
    assert menus, "no context menu was shown"
    menu = menus.pop()
    entries: dict[str, Any] = {}
    for action in menu.actions():
        if not action.isSeparator():
            entries[action.text().replace("&", "").removesuffix("…")] = action.menu() or action
    return entries


def press(qtbot: Any, table: RecordTable, key: Qt.Key) -> None:
    table.setFocus()
    qtbot.keyClick(table, key, CTRL_SHIFT)


def load(qtbot: Any, page: EscalationsPage | DefectsPage) -> None:
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.refresh()


def escalate(ctx: Context, ticket_id: int) -> int:
    return request_escalation(ctx, ticket_id, EscalationInput("customer", "Ana Ruiz", "Production down", "Orders stop"))


@pytest.fixture
def escalations(qtbot: Any, ctx: Context, tickets: dict[str, int], runner: TaskRunner) -> EscalationsPage:
    page = EscalationsPage(ctx, runner)
    qtbot.addWidget(page)
    page.resize(1300, 600)
    page.show()
    return page


# -- escalations ------------------------------------------------------------------------------------------------


def test_an_escalation_row_offers_its_next_state_and_advances_to_it(
    qtbot: Any, ctx: Context, tickets: dict[str, int], escalations: EscalationsPage, menus: list[QMenu],
    dialogs: list[Handler],
) -> None:  # fmt: skip
    esc = escalate(ctx, tickets["SUP-1"])
    load(qtbot, escalations)
    entries = right_click(escalations.table, esc, menus)
    assert list(entries) == [f"Open #{esc}", "Advance to Acknowledged", "Decline", "Copy SUP-1", "Open ticket SUP-1"]
    keys = {name: entries[name].shortcut().toString() for name in entries}
    assert keys == {f"Open #{esc}": "", "Advance to Acknowledged": "Ctrl+Shift+A", "Decline": "",
                    "Copy SUP-1": "Ctrl+Shift+C", "Open ticket SUP-1": "Ctrl+Shift+T"}  # fmt: skip
    seen: list[str] = []

    def advance(dialog: Any) -> None:
        seen.append(dialog.state.currentText())
        qtbot.keyClicks(dialog.note, "Maya took it on")
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.append(advance)
    with qtbot.waitSignal(escalations.loaded, timeout=5000):
        entries["Advance to Acknowledged"].trigger()
    assert seen == ["Acknowledged"]
    detail = escalation_detail(esc, ctx.now())
    assert detail.row.state is EscalationState.ACKNOWLEDGED
    assert detail.timeline[-1].text == "Requested → Acknowledged: Maya took it on"
    # the row follows, and so does the page's Advance… button beside Open
    assert "Advance to Action plan" in right_click(escalations.table, esc, menus)
    button = next(b for b in escalations.findChildren(type(escalations.open_button)) if b.text() == "&Advance…")
    assert button.isEnabled() and button.isVisible()


def test_a_closed_escalation_cannot_advance_and_the_menu_says_why(
    qtbot: Any, ctx: Context, tickets: dict[str, int], escalations: EscalationsPage, menus: list[QMenu]
) -> None:
    esc = escalate(ctx, tickets["SUP-3"])
    advance_escalation(ctx, esc, 1, EscalationState.RESOLVED)
    escalations.state_filter.setCurrentIndex(escalations.state_filter.findData(""))
    load(qtbot, escalations)
    entries = right_click(escalations.table, esc, menus)
    advance, decline = entries["Advance"], entries["Decline"]
    assert not advance.isEnabled() and not decline.isEnabled()
    assert advance.toolTip() == f"Escalation #{esc} is resolved: it has no next step"
    assert entries["Copy SUP-3"].isEnabled() and entries["Open ticket SUP-3"].isEnabled()


def test_decline_from_the_row_asks_a_reason(
    qtbot: Any, ctx: Context, tickets: dict[str, int], escalations: EscalationsPage, menus: list[QMenu],
    dialogs: list[Handler],
) -> None:  # fmt: skip
    esc = escalate(ctx, tickets["SUP-2"])
    load(qtbot, escalations)

    def decline(dialog: Any) -> None:
        qtbot.mouseClick(dialog.ok_button, LEFT)  # no reason: refused beside the field, the dialog stays
        assert dialog.messages["decline_reason"].text() == "Declining an escalation needs a reason."
        qtbot.keyClicks(dialog.text, "Working as designed")
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.append(decline)
    with qtbot.waitSignal(escalations.loaded, timeout=5000):
        right_click(escalations.table, esc, menus)["Decline"].trigger()
    assert escalation_detail(esc, ctx.now()).row.state is EscalationState.DECLINED
    assert escalations.table.rows_model.rows()[0].state is EscalationState.DECLINED  # the row follows
    assert not right_click(escalations.table, esc, menus)["Decline"].isEnabled()

    assert undo_stack().undoText() == f"Decline escalation #{esc}"  # a decline from the row is undone as one
    undo_stack().undo()
    assert escalation_detail(esc, ctx.now()).row.state is EscalationState.REQUESTED


def test_copy_and_open_the_ticket_with_the_keyboard(
    qtbot: Any, ctx: Context, tickets: dict[str, int], escalations: EscalationsPage, dialogs: list[Handler]
) -> None:
    esc = escalate(ctx, tickets["SUP-1"])
    load(qtbot, escalations)
    escalations.table.select_id(esc)
    QGuiApplication.clipboard().setText("")
    press(qtbot, escalations.table, Qt.Key.Key_C)
    assert QGuiApplication.clipboard().text() == "SUP-1"
    opened: list[str] = []
    dialogs.append(lambda dialog: (opened.append(dialog.windowTitle()), dialog.reject()))
    press(qtbot, escalations.table, Qt.Key.Key_T)
    assert len(opened) == 1 and "SUP-1" in opened[0]


def test_the_escalations_tab_of_a_customer_advances_from_the_row(
    qtbot: Any, ctx: Context, tickets: dict[str, int], menus: list[QMenu], dialogs: list[Handler]
) -> None:
    esc = escalate(ctx, tickets["SUP-1"])
    tab = EscalationsTab(ctx, customer_id=tickets["acme"])
    qtbot.addWidget(tab)
    tab.show()
    dialogs.append(lambda dialog: qtbot.mouseClick(dialog.ok_button, LEFT))
    with qtbot.waitSignal(tab.changed):
        right_click(tab.table, esc, menus)["Advance to Acknowledged"].trigger()
    assert tab.table.selected() is not None and tab.table.selected().state is EscalationState.ACKNOWLEDGED


# -- defects ----------------------------------------------------------------------------------------------------


@pytest.fixture
def defects(qtbot: Any, ctx: Context, tickets: dict[str, int], runner: TaskRunner) -> DefectsPage:
    page = DefectsPage(ctx, runner)
    qtbot.addWidget(page)
    page.resize(1300, 600)
    page.show()
    return page


def test_a_reported_defect_is_validated_from_its_row(
    qtbot: Any, ctx: Context, tickets: dict[str, int], defects: DefectsPage, menus: list[QMenu],
    dialogs: list[Handler],
) -> None:  # fmt: skip
    did = report_defect(ctx, tickets["SUP-1"], "Coordinator OOM", severity=Severity.HIGH)
    load(qtbot, defects)
    entries = right_click(defects.table, did, menus)
    assert list(entries) == [f"Open #{did}", "Validate", "Copy engineering key", "Open in tracker",
                             "Open ticket SUP-1"]  # fmt: skip
    assert not entries["Copy engineering key"].isEnabled()
    assert entries["Copy engineering key"].toolTip() == (
        f"Defect #{did} has no engineering key yet: escalate it to engineering"
    )
    assert entries["Validate"].shortcut().toString() == "Ctrl+Shift+A"
    seen: list[str] = []

    def validate(dialog: Any) -> None:
        seen.append(dialog.windowTitle())
        assert dialog.form.by.text() == "Tess Tam"
        qtbot.keyClicks(dialog.form.notes, "Join of 2 large tables")
        qtbot.mouseClick(dialog.form.button, LEFT)

    dialogs.append(validate)
    with qtbot.waitSignal(defects.loaded, timeout=5000):
        entries["Validate"].trigger()
    assert seen == [f"Validate — defect #{did}"]
    detail = defect_detail(did, ctx.now())
    assert (detail.row.state, detail.validated_by, detail.repro_notes) == (
        DefectState.VALIDATED, "Tess Tam", "Join of 2 large tables"
    )  # fmt: skip
    assert "Escalate to engineering" in right_click(defects.table, did, menus)


def test_a_refused_step_stays_open_with_the_message_beside_the_field(
    qtbot: Any, ctx: Context, tickets: dict[str, int], defects: DefectsPage, menus: list[QMenu],
    dialogs: list[Handler],
) -> None:  # fmt: skip
    did = report_defect(ctx, tickets["SUP-1"], "Coordinator OOM")
    validate_defect(ctx, did, 1, "Sam Support", ctx.now())
    load(qtbot, defects)
    said: list[str] = []

    def escalate_bad_key(dialog: Any) -> None:
        qtbot.keyClicks(dialog.form.key, "eng 12")
        qtbot.keyClicks(dialog.form.link, "https://eng.example.com/browse/ENG-12")
        qtbot.mouseClick(dialog.form.button, LEFT)
        said.append(dialog.form.messages["engineering_key"].text())
        assert dialog.isVisible()
        dialog.reject()

    dialogs.append(escalate_bad_key)
    right_click(defects.table, did, menus)["Escalate to engineering"].trigger()
    assert said == ["Engineering key 'eng 12' is not like ENG-1234."]
    assert defect_detail(did, ctx.now()).row.state is DefectState.VALIDATED


def test_an_escalated_defect_copies_its_key_opens_its_tracker_and_its_tickets(
    qtbot: Any, ctx: Context, tickets: dict[str, int], defects: DefectsPage, menus: list[QMenu],
    dialogs: list[Handler], browser: list[str],
) -> None:  # fmt: skip
    did = report_defect(ctx, tickets["SUP-1"], "Coordinator OOM")
    validate_defect(ctx, did, 1, "Sam Support", ctx.now())
    escalate_to_engineering(ctx, did, 2, "ENG-77", "https://eng.example.com/browse/ENG-77")
    link_ticket(ctx, did, tickets["SUP-3"])
    load(qtbot, defects)
    entries = right_click(defects.table, did, menus)
    assert list(entries) == [f"Open #{did}", "Prioritize", "Copy ENG-77", "Open in tracker", "Open linked ticket"]
    QGuiApplication.clipboard().setText("")
    entries["Copy ENG-77"].trigger()
    assert QGuiApplication.clipboard().text() == "ENG-77"
    entries["Open in tracker"].trigger()
    assert browser == ["https://eng.example.com/browse/ENG-77"]
    linked = entries["Open linked ticket"]
    assert isinstance(linked, QMenu)
    assert [a.text() for a in linked.actions()] == ["SUP-1 — Cluster down", "SUP-3 — Login fails"]
    opened: list[str] = []
    dialogs.append(lambda dialog: (opened.append(dialog.windowTitle()), dialog.reject()))
    linked.actions()[1].trigger()
    assert len(opened) == 1 and "SUP-3" in opened[0]
    # the shortcut shows the same choice at the row
    press(qtbot, defects.table, Qt.Key.Key_T)
    assert [a.text() for a in menus.pop().actions()] == ["SUP-1 — Cluster down", "SUP-3 — Login fails"]


def test_the_defects_tab_closes_a_deployed_fix_after_asking(
    qtbot: Any, ctx: Context, tickets: dict[str, int], menus: list[QMenu], dialogs: list[Handler],
    questions: list[str],
) -> None:  # fmt: skip
    from tamdesk.services.defects import deploy_fix, prioritize_defect, start_fix

    did = report_defect(ctx, tickets["SUP-1"], "Coordinator OOM")
    validate_defect(ctx, did, 1, "Sam Support", ctx.now())
    escalate_to_engineering(ctx, did, 2, "ENG-77", "https://eng.example.com/browse/ENG-77")
    prioritize_defect(ctx, did, 3)
    start_fix(ctx, did, 4)
    deploy_fix(ctx, did, 5, "437-e.2", ctx.now().date())
    tab = DefectsTab(ctx, customer_id=tickets["acme"])
    qtbot.addWidget(tab)
    tab.show()
    next_step = next(b for b in tab.findChildren(type(tab.open_button)) if b.text() == "&Next step…")
    assert not next_step.isEnabled()
    tab.table.select_id(did)
    assert next_step.isEnabled()
    dialogs.append(lambda dialog: qtbot.mouseClick(dialog.form.button, LEFT))
    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(next_step, LEFT)
    assert questions == [f"Defect #{did} still has open tickets (SUP-1). Close it anyway?"]
    assert defect_detail(did, ctx.now()).row.state is DefectState.CLOSED
    entries = right_click(tab.table, did, menus)
    assert not entries["Next step"].isEnabled()
    assert entries["Next step"].toolTip() == f"Defect #{did} is closed: no step is left"
