"""Several onboarding steps at once: select them, mark them done or not done, take it back with one Ctrl+Z."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QInputDialog, QMessageBox

from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.onboarding import checklist, current_step_versions, set_step_done
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


def _click(tab: OnboardingTab, qtbot, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    rect = tab.table.visualRect(tab.model.index(row, ChecklistModel.STEP))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def _statuses(tab: OnboardingTab) -> list[str]:
    return [tab.model.index(row, ChecklistModel.STATUS).data() for row in range(tab.model.rowCount())]


def _undo(window: MainWindow, tab: OnboardingTab, qtbot) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_mark_three_steps_done_with_shift_down_and_undo_them_at_once(
    window: MainWindow, tab: OnboardingTab, qtbot
) -> None:
    assert not tab.done_button.isEnabled() and not tab.not_done_button.isEnabled()
    _click(tab, qtbot, 0)
    qtbot.keyClick(tab.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(tab.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert tab.done_button.text() == "&Mark 3 steps done" and tab.done_button.isEnabled()
    qtbot.mouseClick(tab.done_button, Qt.MouseButton.LeftButton)
    assert _statuses(tab)[:4] == ["Done", "Done", "Done", "Completes itself when the access form is sent."]
    assert tab.progress.text() == "3 of 10 steps done"
    assert [tab.model.index(r, ChecklistModel.BY).data() for r in range(3)] == ["Tess Tam"] * 3
    # the same three stay selected: now they can be reopened, not ticked
    assert tab.not_done_button.text() == "Mark 3 steps &not done" and not tab.done_button.isEnabled()
    assert undo_stack().count() == 1 and window.undo_action.text() == "&Undo Mark 3 onboarding steps done"
    _undo(window, tab, qtbot)
    assert tab.progress.text() == "0 of 10 steps done"
    assert _statuses(tab)[:3] == ["Open"] * 3


def test_mark_not_done_counts_only_steps_ticked_by_hand(
    window: MainWindow, tab: OnboardingTab, acme: int, ctx: Context, qtbot
) -> None:
    steps = checklist(acme, tab.ctx.now().date()).steps
    for step in steps[:2]:
        set_step_done(ctx, step.id, step.version, True)
    tab.changed.emit()
    for row in (0, 1, 3):
        _click(tab, qtbot, row, Qt.KeyboardModifier.ControlModifier)
    assert tab.not_done_button.text() == "Mark 2 steps &not done"
    assert tab.done_button.text() == "&Mark 1 step done"
    qtbot.mouseClick(tab.not_done_button, Qt.MouseButton.LeftButton)
    assert tab.progress.text() == "0 of 10 steps done"
    _undo(window, tab, qtbot)
    assert _statuses(tab)[:3] == ["Done", "Done", "Open"]


def test_a_step_changed_meanwhile_stops_the_batch_and_is_named(
    tab: OnboardingTab, acme: int, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    for row in (0, 1, 2):
        _click(tab, qtbot, row, Qt.KeyboardModifier.ControlModifier)
    second = tab.model.row_at(1)
    # someone else notes the second step while the tab shows its old version
    set_step_done(ctx, second.id, current_step_versions([second.id])[0][1], False, note="Booked for Friday")
    qtbot.mouseClick(tab.done_button, Qt.MouseButton.LeftButton)
    assert shown == [
        (
            "Mark 3 onboarding steps done",
            f"No step was marked done: step '{second.title}' was changed by someone else since it was shown; "
            "review it and try again.",
        )
    ]
    assert tab.progress.text() == "0 of 10 steps done" and undo_stack().count() == 0
    assert tab.model.index(1, ChecklistModel.NOTE).data() == "Booked for Friday"  # the tab shows the change


def test_steps_the_data_proves_ask_one_reason_and_the_sign_off_asks_first(
    tab: OnboardingTab, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def get_text(parent: object, title: str, label: str, **kwargs: object) -> tuple[str, bool]:
        asked.append(label)
        return ("Acme sent the names by email", True)

    def question(*args: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    monkeypatch.setattr(QMessageBox, "question", question)
    tab.table.setFocus()
    tab.table.selectAll()
    assert tab.done_button.text() == "&Mark 10 steps done"
    qtbot.mouseClick(tab.done_button, Qt.MouseButton.LeftButton)
    # one reason for every step that completes itself, and no sign-off question: nothing stays open
    assert len(asked) == 1 and asked[0].endswith("Tick them by hand anyway? Say why; it is kept as their note:")
    assert asked[0].count("•") == 4
    assert tab.progress.text() == "10 of 10 steps done"
    automatic = [s for s in tab.model.rows() if s.auto_rule is not None and s.auto_rule.asks_why_by_hand]
    assert {s.note for s in automatic} == {"Acme sent the names by email"}


def test_ticking_the_sign_off_with_others_open_asks_and_cancel_changes_nothing(
    tab: OnboardingTab, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def question(*args: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", question)
    last = tab.model.rowCount() - 1
    _click(tab, qtbot, 0)
    _click(tab, qtbot, last, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(tab.done_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and asked[0].startswith("Tick “Onboarding signed off” while 8 steps are still open?")
    assert tab.progress.text() == "0 of 10 steps done" and undo_stack().count() == 0


def test_the_new_buttons_mnemonics_are_free_on_the_onboarding_tab(window: MainWindow, tab: OnboardingTab) -> None:
    def letter(text: str) -> str | None:
        plain = text.replace("&&", "")
        at = plain.find("&")
        return plain[at + 1].lower() if at >= 0 else None

    detail = tab.parentWidget()
    while detail is not None and not hasattr(detail, "tabs"):
        detail = detail.parentWidget()
    assert detail is not None
    others = [action.text() for action in window.menuBar().actions()]
    others += [detail.tabs.tabText(i) for i in range(detail.tabs.count())]
    others += [b.text() for b in detail.findChildren(QAbstractButton) if b.isVisibleTo(window)]
    taken = [letter(text) for text in others]
    assert taken.count("m") == 1 and taken.count("n") == 1  # the two buttons' own
