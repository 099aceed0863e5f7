"""Several onboarding steps at once: marked done or not done in one transaction, all or none."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tamdesk.domain.onboarding import AutoRule
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.onboarding import (
    AUTOMATIC,
    checklist,
    current_step_versions,
    record_access_form,
    set_step_done,
    set_steps_done,
)

TODAY = date(2026, 3, 10)


@pytest.fixture
def customer(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput(name="Acme", seat_allowance=2))


def _ids(customer: int) -> list[int]:
    return [s.id for s in checklist(customer, TODAY).steps]


def _done(customer: int) -> list[bool]:
    return [s.done for s in checklist(customer, TODAY).steps]


def _step(customer: int, rule: AutoRule) -> int:
    return next(s.id for s in checklist(customer, TODAY).steps if s.auto_rule is rule)


def test_three_steps_done_then_not_done(customer: int, ctx: Context, fixed_now) -> None:
    ids = _ids(customer)[:3]
    assert set_steps_done(ctx, current_step_versions(ids), True) == 3
    steps = checklist(customer, TODAY).steps
    assert [(s.done_by, s.done_at) for s in steps[:3]] == [("Tess Tam", fixed_now)] * 3
    assert not any(s.done for s in steps[3:])
    assert checklist(customer, TODAY).started == fixed_now.astimezone().date()  # a first tick starts onboarding
    summaries = [a.summary for a in t.AuditEntry.select().where(t.AuditEntry.entity == "onboarding_step")]
    assert summaries == [f"Onboarding step '{s.title}' done" for s in steps[:3]]
    assert set_steps_done(ctx, current_step_versions(ids), False) == 3
    assert not any(_done(customer))


def test_a_stale_step_refuses_the_batch_and_is_named(customer: int, ctx: Context) -> None:
    ids = _ids(customer)[:3]
    shown = current_step_versions(ids)
    second = checklist(customer, TODAY).steps[1]
    set_step_done(ctx, second.id, second.version, False, note="Call booked")  # someone edits its note meanwhile
    audits = t.AuditEntry.select().count()
    with pytest.raises(DomainError) as caught:
        set_steps_done(ctx, shown, True)
    assert str(caught.value) == (
        f"No step was marked done: step '{second.title}' was changed by someone else since it was shown; "
        "review it and try again."
    )
    assert not any(_done(customer)) and t.AuditEntry.select().count() == audits


@pytest.mark.parametrize(
    ("done", "message"),
    [
        (True, "No step was marked done: step '{title}' is already done."),
        (False, "No step was marked not done: step '{title}' is not done."),
    ],
)
def test_a_step_already_in_that_state_refuses_the_batch(customer: int, ctx: Context, done: bool, message: str) -> None:
    steps = checklist(customer, TODAY).steps
    if done:  # the second is done already
        set_step_done(ctx, steps[1].id, steps[1].version, True)
        before = [False, True, False]
    else:  # the second is still open
        set_steps_done(ctx, current_step_versions([steps[0].id, steps[2].id]), True)
        before = [True, False, True]
    with pytest.raises(DomainError) as caught:
        set_steps_done(ctx, current_step_versions([s.id for s in steps[:3]]), done)
    assert str(caught.value) == message.format(title=steps[1].title)
    assert _done(customer)[:3] == before


def test_an_automatic_step_needs_a_reason_kept_as_its_note(customer: int, ctx: Context) -> None:
    granted = _step(customer, AutoRule.SEATS_GRANTED)
    items = current_step_versions([_ids(customer)[0], granted])
    with pytest.raises(DomainError, match=r"completes itself when .*; to tick it by hand, give the reason\.$"):
        set_steps_done(ctx, items, True)
    assert not any(_done(customer))
    assert set_steps_done(ctx, items, True, note="  Acme designates one user  ") == 2
    rows = {s.id: s for s in checklist(customer, TODAY).steps}
    assert rows[granted].done and rows[granted].note == "Acme designates one user"
    assert rows[_ids(customer)[0]].note == ""  # the reason is for the steps the data proves only


def test_a_step_that_completed_itself_cannot_be_reopened_in_a_batch(customer: int, ctx: Context) -> None:
    record_access_form(ctx, customer, sent=True)
    sent = _step(customer, AutoRule.ACCESS_FORM_SENT)
    first = _ids(customer)[0]
    set_steps_done(ctx, current_step_versions([first]), True)
    with pytest.raises(DomainError, match=r"completed itself when the access form is sent; it cannot be unticked"):
        set_steps_done(ctx, current_step_versions([first, sent]), False)
    rows = {s.id: s for s in checklist(customer, TODAY).steps}
    assert rows[first].done and rows[sent].done_by == AUTOMATIC


def test_a_deleted_step_refuses_the_batch(customer: int, ctx: Context) -> None:
    items = [*current_step_versions(_ids(customer)[:2]), (987_654, 1)]
    with pytest.raises(DomainError, match=r"^No step was marked done: onboarding step #987654 no longer exists\.$"):
        set_steps_done(ctx, items, True)
    assert not any(_done(customer))
