"""One onboarding step ticked or unticked (its box, or Space) is one Edit › Undo that names the step; Redo ticks it
again; an undo of a step someone changed meanwhile is refused with the step's name."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QStyle, QStyleOptionViewItem

from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.onboarding import checklist, set_step_done
from tamdesk.views.customer_detail.onboarding import ChecklistModel, OnboardingTab
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.undo import undo_stack


@pytest.fixture(autouse=True)
def fresh_stack(qapp) -> None:
    undo_stack().clear()


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput("Acme", seat_allowance=2))


@pytest.fixture
def tab(window: MainWindow, acme: int) -> OnboardingTab:
    customers = next(p for p in window.pages if isinstance(p, CustomersPage))
    window.navigation.setCurrentRow(window.pages.index(customers))
    customers.refresh()
    customers.open_customer(acme)
    customers.detail.tabs.setCurrentWidget(customers.detail.onboarding)
    return customers.detail.onboarding


def _click_box(tab: OnboardingTab, qtbot, row: int) -> None:
    """Click the tick box of ``row`` where the style draws it."""
    index = tab.model.index(row, ChecklistModel.DONE)
    option = QStyleOptionViewItem()
    option.initFrom(tab.table)
    option.rect = tab.table.visualRect(index)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = tab.table.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, tab.table)
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, box.center())


def _keys(window: MainWindow, tab: OnboardingTab, qtbot, modifiers: Qt.KeyboardModifier) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, modifiers)


def _undo(window: MainWindow, tab: OnboardingTab, qtbot) -> None:
    _keys(window, tab, qtbot, Qt.KeyboardModifier.ControlModifier)


def _redo(window: MainWindow, tab: OnboardingTab, qtbot) -> None:
    _keys(window, tab, qtbot, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)


def _status(tab: OnboardingTab, row: int) -> str:
    return str(tab.model.index(row, ChecklistModel.STATUS).data())


def test_ticking_a_box_is_undone_and_redone_by_name(window: MainWindow, tab: OnboardingTab, qtbot) -> None:
    _click_box(tab, qtbot, 0)
    assert _status(tab, 0) == "Done" and tab.progress.text() == "1 of 10 steps done"
    assert window.undo_action.text() == "&Undo Mark “Kickoff held” done"
    _undo(window, tab, qtbot)
    assert _status(tab, 0) == "Open" and tab.progress.text() == "0 of 10 steps done"
    assert window.statusBar().currentMessage() == "Undone: Mark “Kickoff held” done"
    assert window.redo_action.text() == "&Redo Mark “Kickoff held” done"
    _redo(window, tab, qtbot)
    assert _status(tab, 0) == "Done" and tab.progress.text() == "1 of 10 steps done"
    assert tab.model.index(0, ChecklistModel.BY).data() == "Tess Tam"
    assert undo_stack().count() == 1  # one command each way, nothing added by the redo


def test_unticking_with_space_is_undone(window: MainWindow, tab: OnboardingTab, acme: int, ctx: Context, qtbot) -> None:
    first = checklist(acme, ctx.now().date()).steps[0]
    set_step_done(ctx, first.id, first.version, True)
    tab.changed.emit()
    tab.table.setFocus()
    tab.table.selectRow(0)
    qtbot.keyClick(tab.table, Qt.Key.Key_Space)
    assert _status(tab, 0) == "Open"
    assert window.undo_action.text() == "&Undo Mark “Kickoff held” not done"
    _undo(window, tab, qtbot)
    assert _status(tab, 0) == "Done" and tab.progress.text() == "1 of 10 steps done"


def test_an_undo_of_a_step_changed_meanwhile_is_refused_by_name(
    window: MainWindow, tab: OnboardingTab, acme: int, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    _click_box(tab, qtbot, 0)
    step = checklist(acme, ctx.now().date()).steps[0]
    set_step_done(ctx, step.id, step.version, True, note="Held with the CIO")  # someone else, meanwhile
    _undo(window, tab, qtbot)
    assert shown == [
        "No step was marked not done: step 'Kickoff held' was changed by someone else since it was shown; "
        "review it and try again."
    ]
    assert _status(tab, 0) == "Done" and tab.model.index(0, ChecklistModel.NOTE).data() == "Held with the CIO"


def test_undoing_the_tick_that_started_the_onboarding_says_not_started_again(
    window: MainWindow, tab: OnboardingTab, acme: int, ctx: Context, qtbot
) -> None:
    assert tab.started.text() == "Not started"
    _click_box(tab, qtbot, 0)
    started = tab.started.text()
    assert started.startswith("Started ") and checklist(acme, ctx.now().date()).started == ctx.now().date()
    _undo(window, tab, qtbot)
    assert tab.started.text() == "Not started" and _status(tab, 0) == "Open"
    assert window.statusBar().currentMessage() == "Undone: Mark “Kickoff held” done"
    assert checklist(acme, ctx.now().date()).started is None
    _redo(window, tab, qtbot)
    assert tab.started.text() == started and _status(tab, 0) == "Done"
    _undo(window, tab, qtbot)  # the redo's tick started it again, and goes with it again
    assert tab.started.text() == "Not started"
