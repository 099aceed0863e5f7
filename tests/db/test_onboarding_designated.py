"""'Five designated users identified' follows the seats: ticked when every seat of the allowance is held by a
distinct person, unticked when one is revoked, ticked again when the seat comes back or is re-issued."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tamdesk.domain.onboarding import AutoRule
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError
from tamdesk.services.customers import CustomerInput, create_customer, get_customer, update_customer
from tamdesk.services.database import close_database, open_database
from tamdesk.services.onboarding import (
    AUTOMATIC,
    SETTLED_KEY,
    StepRow,
    checklist,
    set_step_done,
    settle_automatic_steps,
)
from tamdesk.services.seats import SeatInput, current_seat_version, reissue_seat, request_seat, revoke_seat, undo_revoke

TODAY = date(2026, 3, 10)
PEOPLE = [("Ana Silva", "ana"), ("Bob Stone", "bob"), ("Cy Ng", "cy"), ("Di Hu", "di"), ("Ed Roe", "ed")]


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput("Acme", email_domains=("acme.com",), time_zone="Europe/Berlin"))


def _designated(customer: int) -> StepRow:
    return next(s for s in checklist(customer, TODAY).steps if s.title == "Five designated users identified")


def _seat_five(ctx: Context, customer: int) -> list[int]:
    return [request_seat(ctx, customer, SeatInput(name, f"{user}@acme.com")) for name, user in PEOPLE]


def _audit(customer: int) -> list[str]:
    query = t.AuditEntry.select().where(t.AuditEntry.entity == "onboarding_step").order_by(t.AuditEntry.id)
    return [a.summary for a in query if a.customer_id == customer]


def test_ticked_by_five_seats_and_unticked_by_a_revoke(acme: int, ctx: Context, fixed_now) -> None:
    seats = _seat_five(ctx, acme)
    step = _designated(acme)
    assert step.auto_rule is AutoRule.USERS_DESIGNATED
    assert (step.done, step.done_by, step.done_at) == (True, AUTOMATIC, fixed_now)
    assert step.evidence == "5 of 5 seats held by distinct people"
    revoke_seat(ctx, seats[4], current_seat_version(seats[4]), "Left the company")
    step = _designated(acme)
    assert (step.done, step.done_by, step.evidence) == (False, "", "4 of 5 seats held by distinct people")
    assert checklist(acme, TODAY).done == 0
    undo_revoke(ctx, seats[4], current_seat_version(seats[4]))
    assert _designated(acme).done
    revoke_seat(ctx, seats[0], current_seat_version(seats[0]), "Moved team")
    reissue_seat(ctx, seats[0], SeatInput("Flo Bay", "flo@acme.com"))
    assert _designated(acme).done
    assert _audit(acme) == [
        "Onboarding step 'Five designated users identified' completed itself: 5 of 5 seats held by distinct people",
        "Onboarding step 'Five designated users identified' reopened itself: 4 of 5 seats held by distinct people",
        "Onboarding step 'Five designated users identified' completed itself: 5 of 5 seats held by distinct people",
        "Onboarding step 'Five designated users identified' reopened itself: 4 of 5 seats held by distinct people",
        "Onboarding step 'Five designated users identified' completed itself: 5 of 5 seats held by distinct people",
    ]


def test_a_larger_allowance_reopens_it_and_a_smaller_one_ticks_it(acme: int, ctx: Context) -> None:
    _seat_five(ctx, acme)
    detail = get_customer(acme)
    update_customer(ctx, acme, detail.version, CustomerInput(**{**vars(detail.input), "seat_allowance": 6,
                                                                "allowance_reason": "Contract amendment"}))  # fmt: skip
    assert not _designated(acme).done
    assert _designated(acme).evidence == "5 of 6 seats held by distinct people"
    detail = get_customer(acme)
    update_customer(ctx, acme, detail.version, CustomerInput(**{**vars(detail.input), "seat_allowance": 5,
                                                                "allowance_reason": "Back to five"}))  # fmt: skip
    assert _designated(acme).done


def test_ticked_by_hand_it_stays_ticked(acme: int, ctx: Context) -> None:
    """The users are named at the kickoff, before the form brings their seats: a tick by hand needs no reason, and
    the seats never undo the TAM's word (only a tick the step gave itself)."""
    step = _designated(acme)
    assert step.auto_rule is not None and not step.auto_rule.asks_why_by_hand
    set_step_done(ctx, step.id, step.version, True)
    seats = _seat_five(ctx, acme)
    revoke_seat(ctx, seats[0], current_seat_version(seats[0]), "Left")
    step = _designated(acme)
    assert (step.done, step.done_by) == (True, "Tess Tam")


def test_a_step_that_ticked_itself_is_not_unticked_by_hand(acme: int, ctx: Context) -> None:
    _seat_five(ctx, acme)
    step = _designated(acme)
    with pytest.raises(DomainError, match="completed itself when every seat of the allowance .* cannot be unticked"):
        set_step_done(ctx, step.id, step.version, False)
    assert _designated(acme).done


def test_a_checklist_made_before_the_rule_follows_the_seats_too(acme: int, ctx: Context) -> None:
    """Customers created before the step completed itself hold it without its rule; it is known by its title."""
    t.OnboardingStep.update(auto_rule=None).where(
        t.OnboardingStep.auto_rule == AutoRule.USERS_DESIGNATED.value
    ).execute()
    assert _designated(acme).auto_rule is AutoRule.USERS_DESIGNATED
    seats = _seat_five(ctx, acme)
    assert _designated(acme).done
    revoke_seat(ctx, seats[1], current_seat_version(seats[1]), "Left")
    assert not _designated(acme).done


def test_a_database_from_before_the_rule_catches_up_when_it_is_opened(acme: int, ctx: Context, db_path) -> None:
    """Five seats held before this tamdesk: the step ticks itself once the database is opened, not at the next
    seat change; opening again changes nothing."""
    _seat_five(ctx, acme)
    t.OnboardingStep.update(done_at=None, done_by="").execute()  # as an older tamdesk left it
    t.Setting.delete().where(t.Setting.key == SETTLED_KEY).execute()
    assert not _designated(acme).done

    close_database()
    open_database(db_path)

    assert (_designated(acme).done, _designated(acme).done_by) == (True, AUTOMATIC)
    assert settle_automatic_steps(ctx) == 0  # settled once per database
