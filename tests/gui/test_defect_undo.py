"""A defect's step taken in its window (validated, prioritized, closed …) is one Ctrl+Z there, named after the step;
the window shows the step before at once, Ctrl+Shift+Z takes it again, and a change made meanwhile refuses it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import DefectState
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import (
    defect_detail,
    escalate_to_engineering,
    report_defect,
    set_defect_product,
    validate_defect,
)
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.views.defect_detail import DefectDetailDialog, PrioritizeStep
from tamdesk.views.undo import undo_stack

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def fresh_stack(qapp) -> None:
    undo_stack().clear()


@pytest.fixture
def defect(db_path: Path, ctx: Context, fixed_now: datetime) -> int:
    acme = create_customer(ctx, CustomerInput(name="Acme"))
    ticket = create_ticket(ctx, TicketInput("SUP-1", acme, "OOM", Severity.URGENT, fixed_now - timedelta(hours=2)))
    return report_defect(ctx, ticket, "Coordinator OOM on large joins")


def _window(qtbot: Any, ctx: Context, defect: int) -> DefectDetailDialog:
    dialog = DefectDetailDialog(ctx, defect)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


def _keys(window: DefectDetailDialog, qtbot: Any, redo: bool = False) -> None:
    modifiers = Qt.KeyboardModifier.ControlModifier
    if redo:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Z, modifiers)


def test_validation_is_undone_and_redone_from_the_keyboard(
    qtbot: Any, ctx: Context, defect: int, fixed_now: datetime
) -> None:
    window = _window(qtbot, ctx, defect)
    view = window.view
    validate = view.step_forms[DefectState.REPORTED]
    qtbot.keyClicks(validate.notes, "Repro with TPC-H q9")  # type: ignore[attr-defined]
    qtbot.mouseClick(validate.button, LEFT)
    assert view.state_badge.text() == "Validated"
    assert window.undo_action.text() == f"&Undo Validate defect #{defect}"
    _keys(window, qtbot)
    assert view.state_badge.text() == "Reported"
    assert view.step_box.title() == "Next step: Validate"
    assert view.facts.values["validated"].text() == "Not yet"
    assert window.changed
    _keys(window, qtbot, redo=True)
    assert view.state_badge.text() == "Validated"
    assert view.facts.values["validated"].text().endswith("by Tess Tam")
    assert defect_detail(defect, fixed_now).repro_notes == "Repro with TPC-H q9"


def test_an_overridden_priority_is_undone(qtbot: Any, ctx: Context, defect: int, fixed_now: datetime) -> None:
    validate_defect(ctx, defect, 1, "Sam", fixed_now)
    escalate_to_engineering(ctx, defect, 2, "ENG-7", "https://eng.example.com/browse/ENG-7")
    window = _window(qtbot, ctx, defect)
    view = window.view
    form = view.step_forms[DefectState.ESCALATED]
    assert isinstance(form, PrioritizeStep)
    form.priority.setCurrentIndex(1)
    qtbot.keyClicks(form.reason, "Workaround exists")
    qtbot.mouseClick(form.button, LEFT)
    assert view.facts.values["priority"].text().startswith("P2")
    assert window.undo_action.text() == f"&Undo Prioritize defect #{defect} P2"
    window.undo_action.trigger()  # Edit › Undo of the window
    assert view.state_badge.text() == "Escalated to engineering"
    assert view.facts.values["priority"].text() == "Not prioritized yet (P1 from Sev1 Urgent)"
    assert defect_detail(defect, fixed_now).priority_reason == ""


def test_an_undo_after_a_change_made_meanwhile_says_why(
    qtbot: Any, ctx: Context, defect: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    window = _window(qtbot, ctx, defect)
    qtbot.mouseClick(window.view.step_forms[DefectState.REPORTED].button, LEFT)
    set_defect_product(ctx, defect, 2, "Analytics")  # someone else, meanwhile
    _keys(window, qtbot)
    assert shown == [
        (
            f"Undo validate defect #{defect}",
            f"Defect #{defect} was changed by someone else since (it is validated now); its step was not taken back.",
        )
    ]
    assert window.view.state_badge.text() == "Validated"
    assert window.view.product.text() == "Analytics"  # the window shows the change made meanwhile
