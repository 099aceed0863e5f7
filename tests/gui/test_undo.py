"""Edit › Undo takes back a revoke or an archive; a failed undo is explained and the stack moves on."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from tamdesk.domain.states import SeatStatus
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer, get_customer
from tamdesk.services.seats import (
    SeatInput,
    current_seat_version,
    reissue_seat,
    request_seat,
    revoke_seat,
    seat_overview,
    undo_revoke,
)
from tamdesk.views.main_window import MainWindow
from tamdesk.views.undo import push_done, undo_stack


@pytest.fixture(autouse=True)
def fresh_stack(qapp) -> None:
    undo_stack().clear()


def _revoke(ctx: Context, seat: int) -> None:
    revoke_seat(ctx, seat, current_seat_version(seat), "Left")
    push_done(
        "Revoke seat 1",
        undo=lambda: undo_revoke(ctx, seat, current_seat_version(seat)),
        redo=lambda: revoke_seat(ctx, seat, current_seat_version(seat), "Left"),
    )


def test_undo_and_redo_a_revoke_from_the_edit_menu(window: MainWindow, ctx: Context) -> None:
    acme = create_customer(ctx, CustomerInput(name="Acme", email_domains=["acme.com"]))
    seat = request_seat(ctx, acme, SeatInput("Ana Silva", "ana@acme.com"))
    _revoke(ctx, seat)
    assert window.undo_action.text() == "&Undo Revoke seat 1"
    window.statusBar().showMessage("Seat 1 (ana@acme.com) revoked; Ctrl+Z brings it back.", 10000)
    window.undo_action.trigger()
    assert seat_overview(acme).seats[0].status is SeatStatus.REQUESTED
    assert window.statusBar().currentMessage() == "Undone: Revoke seat 1"  # the offer to undo is gone
    window.redo_action.trigger()
    assert seat_overview(acme).history[0].status is SeatStatus.REVOKED
    assert window.statusBar().currentMessage() == "Redone: Revoke seat 1"


def test_a_failed_undo_says_why(window: MainWindow, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    acme = create_customer(ctx, CustomerInput(name="Acme", email_domains=["acme.com"], seat_allowance=1))
    seat = request_seat(ctx, acme, SeatInput("Ana Silva", "ana@acme.com"))
    _revoke(ctx, seat)
    reissue_seat(ctx, seat, SeatInput("Bo Chen", "bo@acme.com"))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    window.undo_action.trigger()
    assert shown == [
        "Seat 1 was re-issued to Bo Chen (bo@acme.com) since; revoke that seat first to bring back ana@acme.com."
    ]
    assert [s.full_name for s in seat_overview(acme).seats] == ["Bo Chen"]


def test_archive_is_undone(window: MainWindow, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    acme = create_customer(ctx, CustomerInput(name="Acme"))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.show_page(1)
    page = window.pages[1]
    page.set_customer_archived(acme, True)
    assert get_customer(acme).archived
    window.undo_action.trigger()
    assert not get_customer(acme).archived
    # the restored customer is selected again, so Edit and Archive work on it straight away
    assert page.selected_customer() is not None and page.selected_customer().id == acme
    assert page.edit_button.isEnabled() and page.archive_button.isEnabled()
