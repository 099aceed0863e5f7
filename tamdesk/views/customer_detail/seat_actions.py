"""The next step of a seat from its row on the Portal seats tab: grant, confirm the welcome, revoke, email the access
form to the seat holders, copy their email; re-issue a revoked seat's slot. Several selected seats are acted on at
once where the tab's buttons do so too, and each such step is one undo."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTableView

from tamdesk.domain.states import SeatStatus
from tamdesk.services.seats import SeatRow
from tamdesk.views.row_actions import ActionSpec, TableActions, one, some

EDIT = ActionSpec("Ed&it…", "", "Correct the seat holder's details")
GRANT = ActionSpec("&Grant", "Ctrl+Shift+G", "Record that portal access was provisioned")
CONFIRM = ActionSpec("Confirm &welcome", "Ctrl+Shift+W", "Record that the user confirmed the welcome email")
REVOKE = ActionSpec("Re&voke…", "", "Revoke the seat with a reason; Ctrl+Z brings it back")
EMAIL_FORM = ActionSpec("Emai&l access form…", "Ctrl+Shift+M", "Email the access form to the seat holders")
COPY_EMAIL = ActionSpec("&Copy email", "Ctrl+Shift+C", "Copy the email address to the clipboard")
REISSUE = ActionSpec("Re-iss&ue…", "", "Give the revoked seat's slot to someone new")


class SeatsHost(Protocol):
    """What the row actions ask of the Portal seats tab."""

    table: QTableView
    history_table: QTableView

    def selected_seats(self) -> list[SeatRow]: ...
    def selected_revoked(self) -> SeatRow | None: ...
    def edit_selected(self) -> None: ...
    def grant_selected(self) -> None: ...
    def confirm_selected(self) -> None: ...
    def revoke_selected(self) -> None: ...
    def email_form(self, seats: Sequence[SeatRow] | None = None) -> None: ...
    def reissue_selected(self) -> None: ...
    def free_slots(self) -> int: ...
    def email_problem(self) -> str | None: ...
    def show_status(self, text: str) -> None: ...


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _seat_name(seat: SeatRow) -> str:
    return f"Seat {seat.seat_no} ({seat.email})"


def _in(status: SeatStatus, why: Callable[[SeatRow], str], none: str) -> Callable[[list[SeatRow]], str | None]:
    """Applies to a selection holding a seat in ``status``; else why not (``why`` of the one seat selected, or
    ``none`` of several)."""

    def why_not(rows: list[SeatRow]) -> str | None:
        if not rows:
            return "Select a seat first"
        if any(seat.status is status for seat in rows):
            return None
        return why(rows[0]) if len(rows) == 1 else f"None of the {len(rows)} selected seats is {none}"

    return why_not


def _not_grantable(seat: SeatRow) -> str:
    return f"{_seat_name(seat)} has portal access already"


def _not_confirmable(seat: SeatRow) -> str:
    if seat.status is SeatStatus.REQUESTED:
        return f"{_seat_name(seat)} is not granted yet: grant it first"
    return f"{_seat_name(seat)} confirmed the welcome already"


def _copy_emails(host: SeatsHost, rows: Sequence[SeatRow]) -> None:
    QGuiApplication.clipboard().setText("; ".join(seat.email for seat in rows))
    host.show_status(f"Copied {rows[0].email}." if len(rows) == 1 else f"Copied {len(rows)} email addresses.")


def _email_why_not(host: SeatsHost) -> Callable[[list[SeatRow]], str | None]:
    return lambda rows: some(rows) or host.email_problem()


def seat_actions(host: SeatsHost) -> TableActions[SeatRow]:
    """Edit…, Grant, Confirm welcome, Revoke…, Email access form… and Copy email on the held seats' rows."""
    actions = TableActions[SeatRow](host.table, host.selected_seats)
    requested = _in(SeatStatus.REQUESTED, _not_grantable, "awaiting access")
    granted = _in(SeatStatus.GRANTED, _not_confirmable, "awaiting a welcome")

    def counted(status: SeatStatus, one_text: str, many: str) -> Callable[[list[SeatRow]], str]:
        def text(rows: list[SeatRow]) -> str:
            n = sum(seat.status is status for seat in rows)
            return many.format(n) if n > 1 else one_text

        return text

    actions.add(EDIT, lambda rows: host.edit_selected(), one, default=True)
    actions.add(
        GRANT,
        lambda rows: host.grant_selected(),
        requested,
        text=counted(SeatStatus.REQUESTED, GRANT.text, "&Grant {} seats"),
    )
    actions.add(
        CONFIRM,
        lambda rows: host.confirm_selected(),
        granted,
        text=counted(SeatStatus.GRANTED, CONFIRM.text, "Confirm {} &welcomes"),
    )
    actions.add(
        REVOKE,
        lambda rows: host.revoke_selected(),
        some,
        text=lambda rows: f"Re&voke {_count(len(rows), 'seat')}…" if len(rows) > 1 else REVOKE.text,
    )
    actions.separator()
    actions.add(
        EMAIL_FORM,
        lambda rows: host.email_form(rows),
        _email_why_not(host),
        text=lambda rows: f"Emai&l access form to {_count(len(rows), 'seat holder')}…",
    )
    actions.add(
        COPY_EMAIL,
        lambda rows: _copy_emails(host, rows),
        some,
        text=lambda rows: f"&Copy {len(rows)} emails" if len(rows) > 1 else COPY_EMAIL.text,
    )
    return actions


def revoked_seat_actions(host: SeatsHost) -> TableActions[SeatRow]:
    """Re-issue… and Copy email on the revoked seats' rows."""
    actions = TableActions[SeatRow](
        host.history_table, lambda: [seat] if (seat := host.selected_revoked()) is not None else []
    )

    def reissue_why_not(rows: list[SeatRow]) -> str | None:
        return one(rows) or (None if host.free_slots() > 0 else "All seats are in use: revoke one to free a slot")

    actions.add(REISSUE, lambda rows: host.reissue_selected(), reissue_why_not, default=True)
    actions.add(COPY_EMAIL, lambda rows: _copy_emails(host, rows), one)
    return actions
