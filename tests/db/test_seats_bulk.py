"""Several seats at once: grant, confirm and revoke all or none, and their inverses for undo."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tamdesk.domain.onboarding import AutoRule
from tamdesk.domain.states import SeatStatus
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError, FieldError
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.onboarding import checklist
from tamdesk.services.seat_batches import (
    SeatVersion,
    confirm_welcomes,
    current_seat_versions,
    grant_seats,
    revoke_seats,
    unconfirm_welcomes,
    undo_revokes,
    ungrant_seats,
)
from tamdesk.services.seats import (
    SeatInput,
    request_seat,
)


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(
        ctx, CustomerInput(name="Acme", email_domains=["acme.com"], onboarding_started=date(2026, 3, 1))
    )


@pytest.fixture
def seats(acme: int, ctx: Context) -> list[int]:
    return [request_seat(ctx, acme, SeatInput(f"Person {i}", f"person{i}@acme.com")) for i in range(1, 6)]


def _status(seat_ids: Sequence[int]) -> list[SeatStatus]:
    return [SeatStatus(t.PortalSeat.get_by_id(i).status) for i in seat_ids]


def _versions(seat_ids: Sequence[int]) -> list[SeatVersion]:
    return current_seat_versions(seat_ids)


def _audits(action: str) -> list[str]:
    query = t.AuditEntry.select().where(t.AuditEntry.action == action).order_by(t.AuditEntry.id)
    return [a.summary for a in query]


def test_grant_then_confirm_five_seats_in_two_steps(seats: list[int], ctx: Context) -> None:
    assert grant_seats(ctx, _versions(seats)) == 5
    assert _status(seats) == [SeatStatus.GRANTED] * 5
    assert _audits("granted") == [f"Seat {i} (person{i}@acme.com) granted portal access" for i in range(1, 6)]
    assert confirm_welcomes(ctx, _versions(seats)) == 5
    assert _status(seats) == [SeatStatus.ACTIVE] * 5
    assert all(t.PortalSeat.get_by_id(i).welcome_confirmed_at == ctx.now() for i in seats)
    assert len(_audits("active")) == 5


def _automatic_done(customer: int) -> set[AutoRule]:
    return {s.auto_rule for s in checklist(customer, date(2026, 3, 10)).steps if s.auto_rule and s.done}


def test_the_checklist_follows_bulk_actions(acme: int, seats: list[int], ctx: Context) -> None:
    grant_seats(ctx, _versions(seats))
    assert _automatic_done(acme) == {AutoRule.USERS_DESIGNATED, AutoRule.SEATS_GRANTED}
    confirm_welcomes(ctx, _versions(seats))
    assert _automatic_done(acme) == {AutoRule.USERS_DESIGNATED, AutoRule.SEATS_GRANTED, AutoRule.WELCOME_CONFIRMED}


def test_a_stale_seat_in_the_batch_changes_nothing_and_is_named(seats: list[int], ctx: Context) -> None:
    shown = _versions(seats[:3])
    grant_seats(ctx, _versions([seats[1]]))  # someone granted seat 2 meanwhile ...
    ungrant_seats(ctx, _versions([seats[1]]))  # ... and took it back: same state, newer version
    before = t.AuditEntry.select().count()
    with pytest.raises(DomainError) as caught:
        grant_seats(ctx, shown)
    assert str(caught.value) == (
        "No seat was granted: seat 2 (person2@acme.com) was changed by someone else since it was shown; "
        "review it and try again."
    )
    assert _status(seats[:3]) == [SeatStatus.REQUESTED] * 3
    assert t.AuditEntry.select().count() == before


def _granted_but_odd_requested(ctx: Context, batch: list[int], odd: int) -> None:
    grant_seats(ctx, _versions([s for s in batch if s != odd]))


def _active_but_odd_granted(ctx: Context, batch: list[int], odd: int) -> None:
    grant_seats(ctx, _versions(batch))
    confirm_welcomes(ctx, _versions([s for s in batch if s != odd]))


def _odd_revoked(ctx: Context, batch: list[int], odd: int) -> None:
    revoke_seats(ctx, _versions([odd]), "Left")


def _odd_granted(ctx: Context, batch: list[int], odd: int) -> None:
    grant_seats(ctx, _versions([odd]))


@pytest.mark.parametrize(
    ("prepare", "act", "message"),
    [
        (_odd_granted, grant_seats,
         "No seat was granted: seat 3 (person3@acme.com) already has portal access (it is granted)."),
        (_odd_revoked, grant_seats, "No seat was granted: seat 3 (person3@acme.com) was revoked."),
        (_granted_but_odd_requested, confirm_welcomes,
         "No seat was confirmed: seat 3 (person3@acme.com) has no portal access yet."),
        (_active_but_odd_granted, ungrant_seats,
         "No seat was changed: seat 1 (person1@acme.com) is active, not granted."),
        (_granted_but_odd_requested, ungrant_seats,
         "No seat was changed: seat 3 (person3@acme.com) is requested, not granted."),
        (_active_but_odd_granted, unconfirm_welcomes,
         "No seat was changed: seat 3 (person3@acme.com) is granted, not active."),
        (_odd_revoked, revoke_seats, "No seat was revoked: seat 3 (person3@acme.com) is already revoked."),
    ],
)  # fmt: skip
def test_a_seat_not_in_the_state_for_the_action_refuses_the_whole_batch(
    seats: list[int],
    ctx: Context,
    prepare: Callable[[Context, list[int], int], object],
    act: Callable[..., int],
    message: str,
) -> None:
    batch = seats[:4]
    prepare(ctx, batch, seats[2])
    before = [(s.status, s.version) for s in t.PortalSeat.select().order_by(t.PortalSeat.id)]
    audits = t.AuditEntry.select().count()
    with pytest.raises(DomainError) as caught:
        act(ctx, _versions(batch), *(["Left"] if act is revoke_seats else []))
    assert str(caught.value) == message
    assert [(s.status, s.version) for s in t.PortalSeat.select().order_by(t.PortalSeat.id)] == before
    assert t.AuditEntry.select().count() == audits


def test_a_deleted_seat_refuses_the_batch(seats: list[int], ctx: Context) -> None:
    items = [*_versions(seats[:2]), (999_999, 1)]
    with pytest.raises(DomainError, match=r"^No seat was granted: seat #999999 no longer exists\.$"):
        grant_seats(ctx, items)
    assert _status(seats[:2]) == [SeatStatus.REQUESTED] * 2


def test_undo_of_a_grant_and_a_confirm_goes_back_one_state(seats: list[int], ctx: Context) -> None:
    grant_seats(ctx, _versions(seats))
    confirm_welcomes(ctx, _versions(seats[:2]))
    assert unconfirm_welcomes(ctx, _versions(seats[:2])) == 2
    assert _status(seats) == [SeatStatus.GRANTED] * 5
    assert all(t.PortalSeat.get_by_id(i).welcome_confirmed_at is None for i in seats)
    assert ungrant_seats(ctx, _versions(seats)) == 5
    assert _status(seats) == [SeatStatus.REQUESTED] * 5
    assert all(t.PortalSeat.get_by_id(i).granted_at is None for i in seats)
    assert _audits("requested")[-1] == "Seat 5 (person5@acme.com) requested again: grant undone"
    assert (
        _audits("granted")[-1] == "Seat 2 (person2@acme.com) granted portal access again: welcome confirmation undone"
    )


def test_revoke_several_with_one_reason_and_bring_them_back(acme: int, seats: list[int], ctx: Context) -> None:
    grant_seats(ctx, _versions(seats[:2]))
    assert revoke_seats(ctx, _versions(seats[:3]), "  Team   left ") == 3
    revoked = [t.PortalSeat.get_by_id(i) for i in seats[:3]]
    assert [(s.status, s.revoke_reason) for s in revoked] == [("revoked", "Team   left")] * 3
    assert _audits("revoked")[0] == "Seat 1 (person1@acme.com) revoked: Team   left"
    assert undo_revokes(ctx, _versions(seats[:3])) == 3
    assert _status(seats[:3]) == [SeatStatus.GRANTED, SeatStatus.GRANTED, SeatStatus.REQUESTED]


def test_revoke_needs_a_reason_and_refuses_a_revoked_seat(seats: list[int], ctx: Context) -> None:
    with pytest.raises(FieldError) as caught:
        revoke_seats(ctx, _versions(seats[:2]), "  ")
    assert caught.value.field == "reason"
    revoke_seats(ctx, _versions([seats[1]]), "Left")
    with pytest.raises(DomainError, match=r"seat 2 \(person2@acme.com\) is already revoked\.$"):
        revoke_seats(ctx, _versions(seats[:2]), "Left")
    assert _status(seats[:2]) == [SeatStatus.REQUESTED, SeatStatus.REVOKED]


def test_bringing_back_several_is_all_or_none(acme: int, seats: list[int], ctx: Context) -> None:
    revoke_seats(ctx, _versions(seats[:2]), "Left")
    t.Customer.update(seat_allowance=4).where(t.Customer.id == acme).execute()  # room for one of the two only
    with pytest.raises(DomainError):
        undo_revokes(ctx, _versions(seats[:2]))
    assert _status(seats[:2]) == [SeatStatus.REVOKED] * 2


def test_duplicates_in_a_batch_count_once(seats: list[int], ctx: Context) -> None:
    items = _versions(seats[:2])
    assert grant_seats(ctx, [*items, *items]) == 2
    assert len(_audits("granted")) == 2


_ACTIONS = {
    "grant": (grant_seats, {SeatStatus.REQUESTED}, SeatStatus.GRANTED),
    "confirm": (confirm_welcomes, {SeatStatus.GRANTED}, SeatStatus.ACTIVE),
    "ungrant": (ungrant_seats, {SeatStatus.GRANTED}, SeatStatus.REQUESTED),
    "unconfirm": (unconfirm_welcomes, {SeatStatus.ACTIVE}, SeatStatus.GRANTED),
    "revoke": (
        lambda ctx, items: revoke_seats(ctx, items, "Left"),
        {SeatStatus.REQUESTED, SeatStatus.GRANTED, SeatStatus.ACTIVE},
        SeatStatus.REVOKED,
    ),
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    states=st.lists(st.sampled_from(list(SeatStatus)), min_size=5, max_size=5),
    chosen=st.sets(st.integers(0, 4), min_size=1),
    action=st.sampled_from(sorted(_ACTIONS)),
)
def test_a_batch_changes_every_chosen_seat_or_none(
    seats: list[int], ctx: Context, states: list[SeatStatus], chosen: set[int], action: str
) -> None:
    for seat_id, status in zip(seats, states, strict=True):
        t.PortalSeat.update(status=status.value).where(t.PortalSeat.id == seat_id).execute()
    act, applies, after = _ACTIONS[action]
    items = _versions([seats[i] for i in sorted(chosen)])
    fits = all(states[i] in applies for i in chosen)
    try:
        act(ctx, items)
    except DomainError:
        assert not fits
        assert _status(seats) == states
    else:
        assert fits
        assert _status(seats) == [after if i in chosen else s for i, s in enumerate(states)]
