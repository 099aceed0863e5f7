"""The seat dialog as a TAM meets it: each rule shows beside its field as they type, warnings need a confirm."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from tamdesk.domain.states import SeatStatus
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.seats import SeatInput, grant_seat, request_seat, revoke_seat, seat_overview
from tamdesk.views.seat_dialog import RevokeSeatDialog, SeatDialog
from tamdesk.views.widgets import Tone


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    """Acme (acme.com) with Ana Silva on seat 1."""
    customer_id = create_customer(ctx, CustomerInput("Acme", "Europe/Berlin", "DE", ("acme.com",), tam="Tess Tam"))
    request_seat(ctx, customer_id, SeatInput("Ana Silva", "ana@acme.com", "Platform lead"))
    return customer_id


def _dialog(qtbot, ctx: Context, customer_id: int, **kwargs) -> SeatDialog:
    dialog = SeatDialog(ctx, customer_id, check_delay_ms=10, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _type(qtbot, dialog: SeatDialog, name: str, email: str) -> None:
    """Type like a user, then wait for the live check and the relayout of what it shows."""
    qtbot.keyClicks(dialog.inputs["full_name"], name)
    qtbot.keyClicks(dialog.inputs["email"], email)
    qtbot.waitUntil(lambda: not dialog._debouncer.timer.isActive() and dialog.check is not None, timeout=10_000)
    qtbot.wait(1)


def test_same_mailbox_is_an_error_naming_both_seats(qtbot, ctx: Context, acme: int) -> None:
    dialog = _dialog(qtbot, ctx, acme)
    _type(qtbot, dialog, "Bob Stone", "Ana+portal@ACME.com")
    error = dialog.errors["email"]
    assert error.isVisible()
    assert error.tone is Tone.ERROR
    assert error.text() == "Seat 2 (Ana+portal@acme.com) is the same mailbox as seat 1 (ana@acme.com)."
    assert not dialog.save_button.isEnabled()
    assert not dialog.confirm.isVisible()


def test_role_address_is_an_error(qtbot, ctx: Context, acme: int) -> None:
    dialog = _dialog(qtbot, ctx, acme)
    _type(qtbot, dialog, "Help Desk", "support@acme.com")
    assert dialog.errors["email"].text() == (
        "Seat 2 (support@acme.com) is a role or distribution address; portal seats are for named people."
    )
    assert not dialog.save_button.isEnabled()


def test_invalid_address_is_an_error(qtbot, ctx: Context, acme: int) -> None:
    dialog = _dialog(qtbot, ctx, acme)
    _type(qtbot, dialog, "Bob Stone", "bob@@acme.com")
    assert dialog.errors["email"].isVisible()
    assert dialog.errors["email"].text().startswith("Seat 2 (bob@@acme.com) is not a valid email address:")
    assert not dialog.save_button.isEnabled()


def test_full_allowance_is_said_under_the_form(qtbot, ctx: Context, db_path: Path) -> None:
    customer_id = create_customer(ctx, CustomerInput("Tiny", seat_allowance=1))
    request_seat(ctx, customer_id, SeatInput("Una Only", "una@tiny.io"))
    dialog = _dialog(qtbot, ctx, customer_id)
    _type(qtbot, dialog, "Bob Stone", "bob@tiny.io")
    assert dialog.intro.text() == "Tiny has 1 of 1 seats in use."
    assert dialog.seat_error.isVisible()
    assert dialog.seat_error.text() == (
        "New seat (bob@tiny.io) would exceed the allowance: the only seat is in use; revoke one first."
    )
    assert not dialog.save_button.isEnabled()


def test_warnings_need_a_confirm_before_save(qtbot, ctx: Context, acme: int) -> None:
    dialog = _dialog(qtbot, ctx, acme)
    _type(qtbot, dialog, "Ana Silva", "ana.silva@partner.org")
    warning = dialog.warnings["email"]
    assert warning.isVisible()
    assert warning.tone is Tone.WARNING
    assert warning.text() == (
        "Seat 2 (ana.silva@partner.org): partner.org is not one of the customer's domains (acme.com)."
    )
    assert dialog.warnings["full_name"].text() == (
        "Seat 2 (ana.silva@partner.org) has the same full name, Ana Silva, as seat 1 (ana@acme.com)."
    )
    assert not dialog.errors["email"].isVisible()
    assert dialog.confirm.isVisible()
    assert not dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.confirm, Qt.MouseButton.LeftButton, pos=QPoint(8, dialog.confirm.height() // 2))
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == SeatDialog.DialogCode.Accepted
    seats = seat_overview(acme).seats
    assert [(s.seat_no, s.email, s.status) for s in seats][-1] == (2, "ana.silva@partner.org", SeatStatus.REQUESTED)


def test_a_changed_warning_needs_a_new_confirm(qtbot, ctx: Context, acme: int) -> None:
    dialog = _dialog(qtbot, ctx, acme)
    _type(qtbot, dialog, "Bob Stone", "bob@partner.org")
    dialog.confirm.setChecked(True)
    qtbot.keyClicks(dialog.inputs["email"], "x")
    qtbot.waitUntil(lambda: not dialog._debouncer.timer.isActive(), timeout=10_000)
    assert "partner.orgx" in dialog.warnings["email"].text()
    assert not dialog.confirm.isChecked()
    assert not dialog.save_button.isEnabled()


def test_clean_seat_saves_without_confirm(qtbot, ctx: Context, acme: int) -> None:
    dialog = _dialog(qtbot, ctx, acme)
    _type(qtbot, dialog, "Bob Stone", "  bob.stone@acme.com ")
    assert not any(m.isVisible() for m in (*dialog.errors.values(), *dialog.warnings.values()))
    assert not dialog.confirm.isVisible()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.seat_id is not None
    assert seat_overview(acme).seats[-1].email == "bob.stone@acme.com"


def test_untouched_fields_are_not_scolded(qtbot, ctx: Context, acme: int) -> None:
    dialog = _dialog(qtbot, ctx, acme)
    assert not dialog.errors["email"].isVisible()
    assert not dialog.errors["full_name"].isVisible()
    assert not dialog.save_button.isEnabled()


def test_edit_keeps_the_seat_and_checks_against_the_others(qtbot, ctx: Context, acme: int) -> None:
    request_seat(ctx, acme, SeatInput("Bob Stone", "bob@acme.com"))
    bob = seat_overview(acme).seats[1]
    dialog = _dialog(qtbot, ctx, acme, seat=bob)
    assert dialog.windowTitle() == "Edit seat 2 — Acme"
    assert dialog.inputs["email"].text() == "bob@acme.com"
    dialog.inputs["email"].clear()
    _type(qtbot, dialog, "", "ana@acme.com")
    assert dialog.errors["email"].text() == "Seat 2 (ana@acme.com) is the same mailbox as seat 1 (ana@acme.com)."


def test_reissue_gives_the_freed_slot_to_someone_new(qtbot, ctx: Context, acme: int) -> None:
    ana = seat_overview(acme).seats[0]
    revoke_seat(ctx, ana.id, ana.version, "Left the company")
    revoked = seat_overview(acme).history[0]
    dialog = _dialog(qtbot, ctx, acme, reissue_of=revoked)
    assert dialog.save_button.text() == "Re-issue seat"
    _type(qtbot, dialog, "Carla Diaz", "carla@acme.com")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    seats = seat_overview(acme).seats
    assert [(s.seat_no, s.full_name) for s in seats] == [(1, "Carla Diaz")]


def test_stale_edit_keeps_the_entries_and_says_what_changed(
    qtbot, ctx: Context, acme: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = seat_overview(acme).seats[0]
    dialog = _dialog(qtbot, ctx, acme, seat=ana)
    grant_seat(ctx, ana.id, ana.version)  # someone else, meanwhile
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    qtbot.keyClicks(dialog.inputs["job_title"], " (EMEA)")
    dialog.save()
    assert "was saved by someone else" in shown[0]
    assert "it is now granted" in shown[0]
    assert dialog.inputs["job_title"].text() == "Platform lead (EMEA)"
    dialog.save()
    assert dialog.result() == SeatDialog.DialogCode.Accepted
    assert seat_overview(acme).seats[0].job_title == "Platform lead (EMEA)"


def test_revoke_needs_a_reason(qtbot, ctx: Context, acme: int) -> None:
    ana = seat_overview(acme).seats[0]
    dialog = RevokeSeatDialog(ctx, ana)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)
    assert dialog.messages["reason"].isVisible()
    assert dialog.messages["reason"].text() == "Give a reason for revoking seat 1 (ana@acme.com)."
    qtbot.keyClicks(dialog.reason, "Left the company")
    assert dialog.revoked_on() == date(2026, 3, 10)
    qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)
    overview = seat_overview(acme)
    assert overview.used == 0
    assert overview.history[0].revoke_reason == "Left the company"
