"""Taking a seat re-issue back: the slot is free again, unless the new seat was changed or used since."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import SeatStatus
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError, NotFound
from tamdesk.services.contacts import ContactInput, add_contact
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.seats import (
    SeatInput,
    edit_seat,
    grant_seat,
    reissue_seat,
    request_seat,
    revoke_seat,
    seat_overview,
    undo_reissue,
)
from tamdesk.services.tickets import TicketInput, create_ticket

BO = SeatInput("Bo Chen", "bo@acme.com")


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    customer = CustomerInput(name="Acme", email_domains=["acme.com"], onboarding_started=date(2026, 3, 1))
    return create_customer(ctx, customer)


@pytest.fixture
def revoked(acme: int, ctx: Context) -> int:
    """Ana's seat 1, granted and then revoked."""
    ana = request_seat(ctx, acme, SeatInput("Ana Silva", "ana@acme.com"))
    grant_seat(ctx, ana, _version(ana))
    revoke_seat(ctx, ana, _version(ana), "Left the company")
    return ana


def _version(seat_id: int) -> int:
    return int(t.PortalSeat.get_by_id(seat_id).version)


def test_undo_reissue_frees_the_slot_and_keeps_the_revoked_seat(acme: int, revoked: int, ctx: Context) -> None:
    bo = reissue_seat(ctx, revoked, BO)
    assert [s.email for s in seat_overview(acme).seats] == ["bo@acme.com"]
    undo_reissue(ctx, bo, _version(bo))
    overview = seat_overview(acme)
    assert (overview.seats, [s.id for s in overview.history]) == ((), [revoked])
    assert overview.history[0].status is SeatStatus.REVOKED
    audit = t.AuditEntry.select().order_by(t.AuditEntry.id.desc()).get()
    assert (audit.actor, audit.action, audit.summary) == (
        "Tess Tam", "undo_reissue", "Re-issue of seat 1 to Bo Chen (bo@acme.com) undone"
    )  # fmt: skip
    again = reissue_seat(ctx, revoked, BO)  # redo: the slot can be given again
    assert [(s.id, s.seat_no) for s in seat_overview(acme).seats] == [(again, 1)]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda ctx, seat: grant_seat(ctx, seat, _version(seat)), "was granted portal access"),
        (
            lambda ctx, seat: edit_seat(ctx, seat, _version(seat), SeatInput("Bo Chen", "bo.chen@acme.com")),
            "was edited",
        ),
        (lambda ctx, seat: revoke_seat(ctx, seat, _version(seat), "Wrong person"), "was revoked"),
    ],
)
def test_undo_reissue_is_refused_once_the_seat_changed(
    acme: int, revoked: int, ctx: Context, change: object, said: str
) -> None:
    bo = reissue_seat(ctx, revoked, BO)
    version = _version(bo)
    change(ctx, bo)  # type: ignore[operator]
    with pytest.raises(DomainError) as info:
        undo_reissue(ctx, bo, version)
    label = t.PortalSeat.get_by_id(bo)
    assert str(info.value) == (f"Seat 1 ({label.email}) {said} since it was re-issued, so the re-issue is not undone.")
    assert t.PortalSeat.get_or_none(t.PortalSeat.id == bo) is not None
    assert not t.AuditEntry.select().where(t.AuditEntry.action == "undo_reissue").exists()


def test_undo_reissue_is_refused_once_the_seat_reported_a_ticket(acme: int, revoked: int, ctx: Context) -> None:
    bo = reissue_seat(ctx, revoked, BO)
    opened = datetime(2026, 3, 5, 9, tzinfo=UTC)
    create_ticket(ctx, TicketInput("SUP-1", acme, "Login fails", Severity.HIGH, opened, reporter_seat_id=bo))
    with pytest.raises(DomainError, match=r"^Seat 1 \(bo@acme.com\) has reported 1 ticket since it was re-issued"):
        undo_reissue(ctx, bo, _version(bo))
    assert t.Ticket.get(t.Ticket.number == "SUP-1").reporter_id == bo


def test_undo_reissue_of_a_seat_already_gone_says_so(acme: int, revoked: int, ctx: Context) -> None:
    bo = reissue_seat(ctx, revoked, BO)
    version = _version(bo)
    undo_reissue(ctx, bo, version)
    with pytest.raises(NotFound):
        undo_reissue(ctx, bo, version)


def test_undo_reissue_gives_the_contact_back_its_earlier_seat(acme: int, ctx: Context) -> None:
    bo_first = request_seat(ctx, acme, BO)
    contact = add_contact(ctx, acme, ContactInput("Bo Chen", "bo@acme.com"))
    assert t.Contact.get_by_id(contact).seat_id == bo_first
    revoke_seat(ctx, bo_first, _version(bo_first), "Left")
    bo_again = reissue_seat(ctx, bo_first, BO)  # Bo came back
    assert t.Contact.get_by_id(contact).seat_id == bo_again
    undo_reissue(ctx, bo_again, _version(bo_again))
    assert t.Contact.get_by_id(contact).seat_id == bo_first
