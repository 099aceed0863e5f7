"""The seat dialog on hostile text: a pasted control character is an error beside its field, shown escaped; a
look-alike address is a warning the TAM confirms."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.seats import seat_overview
from tamdesk.views.seat_dialog import SeatDialog
from tamdesk.views.widgets import Tone


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput("Acme", "Europe/Berlin", "DE", ("acme.com",), tam="Tess Tam"))


def _filled(qtbot, ctx: Context, customer_id: int, name: str, email: str) -> SeatDialog:
    """The dialog with ``name`` and ``email`` pasted in, after the live check has run."""
    dialog = SeatDialog(ctx, customer_id, check_delay_ms=10)
    qtbot.addWidget(dialog)
    dialog.show()
    for field, text in (("full_name", name), ("email", email)):
        QApplication.clipboard().setText(text)
        dialog.inputs[field].setFocus()
        qtbot.keySequence(dialog.inputs[field], QKeySequence.StandardKey.Paste)
    qtbot.waitUntil(lambda: not dialog._debouncer.timer.isActive() and dialog.check is not None, timeout=10_000)
    qtbot.wait(1)
    return dialog


def test_a_pasted_escape_sequence_is_an_error_beside_the_name(qtbot, ctx: Context, acme: int) -> None:
    dialog = _filled(qtbot, ctx, acme, "Ana\x1b[2J Lima", "ana@acme.com")
    error = dialog.errors["full_name"]
    assert error.isVisible()
    assert error.tone is Tone.ERROR
    assert error.text() == (
        r"Seat 1 (ana@acme.com): the full name 'Ana\x1b[2J Lima' contains a control character (ESC); remove it."
    )
    assert not dialog.save_button.isEnabled()


def test_a_direction_override_in_the_address_is_an_error(qtbot, ctx: Context, acme: int) -> None:
    dialog = _filled(qtbot, ctx, acme, "Ana Lima", "ana\u202e@acme.com")
    assert dialog.errors["email"].text() == (
        r"Seat 1 (ana\u202e@acme.com): the email address contains an invisible text-direction character "
        "(U+202E RIGHT-TO-LEFT OVERRIDE); remove it."
    )
    assert not dialog.save_button.isEnabled()


def test_a_look_alike_address_is_a_warning_to_confirm(qtbot, ctx: Context, acme: int) -> None:
    dialog = _filled(qtbot, ctx, acme, "Ana Lima", "\u0430na.lima@acme.com")
    warning = dialog.warnings["email"]
    assert warning.isVisible()
    assert warning.tone is Tone.WARNING
    assert warning.text() == (
        "Seat 1 (\u0430na.lima@acme.com) looks like ana.lima@acme.com written with a Cyrillic \u0430 (U+0430)."
    )
    assert dialog.confirm.isVisible()
    assert not dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.confirm, Qt.MouseButton.LeftButton, pos=QPoint(8, dialog.confirm.height() // 2))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == SeatDialog.DialogCode.Accepted
    assert [s.email for s in seat_overview(acme).seats] == ["\u0430na.lima@acme.com"]
