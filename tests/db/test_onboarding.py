"""The onboarding checklist: ticking steps, due dates, derived state, steps that complete themselves."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.onboarding import AutoRule, OnboardingState
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError, StaleEdit
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.onboarding import (
    AUTOMATIC,
    checklist,
    record_access_form,
    set_step_done,
    set_step_due,
    start_onboarding,
    sync_automatic_steps,
)

TODAY = date(2026, 3, 10)


@pytest.fixture
def customer(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput(name="Acme", onboarding_started=date(2026, 3, 10), seat_allowance=2))


def test_new_checklist_is_in_progress_then_overdue(customer: int) -> None:
    assert checklist(customer, TODAY).state is OnboardingState.IN_PROGRESS
    late = checklist(customer, date(2026, 3, 11))
    assert late.state is OnboardingState.OVERDUE
    assert [s.title for s in late.steps if s.overdue] == ["Kickoff held"]


def test_ticking_records_who_and_when(customer: int, ctx: Context, fixed_now) -> None:
    step = checklist(customer, TODAY).steps[0]
    set_step_done(ctx, step.id, step.version, True, note="Held on Teams")
    done = checklist(customer, TODAY).steps[0]
    assert (done.done_at, done.done_by, done.note) == (fixed_now, "Tess Tam", "Held on Teams")
    with pytest.raises(StaleEdit):
        set_step_done(ctx, step.id, step.version, False)
    set_step_done(ctx, done.id, done.version, False)
    assert checklist(customer, TODAY).steps[0].done_at is None


def test_every_step_done_is_complete(customer: int, ctx: Context) -> None:
    for step in checklist(customer, TODAY).steps:
        if step.auto_rule is None:
            set_step_done(ctx, step.id, step.version, True)
    assert checklist(customer, TODAY).done == 5
    t.OnboardingStep.update(done_at=ctx.now(), done_by=AUTOMATIC).where(t.OnboardingStep.done_at.is_null()).execute()
    result = checklist(customer, TODAY + timedelta(days=60))
    assert (result.done, result.total, result.state) == (10, 10, OnboardingState.COMPLETE)


def test_an_automatic_step_is_ticked_by_hand_only_with_a_reason(customer: int, ctx: Context) -> None:
    sent = next(s for s in checklist(customer, TODAY).steps if s.auto_rule is AutoRule.ACCESS_FORM_SENT)
    with pytest.raises(DomainError) as refused:
        set_step_done(ctx, sent.id, sent.version, True)
    assert str(refused.value) == (
        "Step 'Access form sent' completes itself when the access form is sent; to tick it by hand, say why in its "
        "note (for example: the customer designates three users)."
    )
    set_step_done(ctx, sent.id, sent.version, True, note="Names came by email; no form")
    sent = next(s for s in checklist(customer, TODAY).steps if s.id == sent.id)
    assert (sent.done, sent.done_by, sent.note) == (True, ctx.actor, "Names came by email; no form")
    set_step_done(ctx, sent.id, sent.version, False)  # ticked by hand, unticked by hand
    assert not checklist(customer, TODAY).steps[sent.position - 1].done


def test_a_step_that_completed_itself_stays_done(customer: int, ctx: Context) -> None:
    sent = next(s for s in checklist(customer, TODAY).steps if s.auto_rule is AutoRule.ACCESS_FORM_SENT)
    set_step_done(ctx, sent.id, sent.version, False, note="Sent by post")  # the note is the TAM's
    record_access_form(ctx, customer, sent=True)
    sent = next(s for s in checklist(customer, TODAY).steps if s.id == sent.id)
    assert (sent.done, sent.done_by, sent.note) == (True, AUTOMATIC, "Sent by post")
    with pytest.raises(DomainError, match="completed itself when the access form is sent; it cannot be unticked"):
        set_step_done(ctx, sent.id, sent.version, False)
    assert checklist(customer, TODAY).steps[sent.position - 1].done


def test_due_date_edit_and_restart(customer: int, ctx: Context) -> None:
    step = checklist(customer, TODAY).steps[1]
    set_step_due(ctx, step.id, step.version, date(2026, 4, 1))
    assert checklist(customer, TODAY).steps[1].due_date == date(2026, 4, 1)
    start_onboarding(ctx, customer, date(2026, 5, 4))
    steps = checklist(customer, TODAY).steps
    assert steps[0].due_date == date(2026, 5, 4)
    assert steps[-1].due_date == date(2026, 5, 25)


def test_access_form_steps_complete_themselves(customer: int, ctx: Context, fixed_now) -> None:
    record_access_form(ctx, customer, sent=True)
    steps = {s.auto_rule: s for s in checklist(customer, TODAY).steps if s.auto_rule}
    assert steps[AutoRule.ACCESS_FORM_SENT].done_at == fixed_now
    assert steps[AutoRule.ACCESS_FORM_SENT].done_by == AUTOMATIC
    assert steps[AutoRule.ACCESS_FORM_RETURNED].done_at is None
    record_access_form(ctx, customer, returned=True)
    steps = {s.auto_rule: s for s in checklist(customer, TODAY).steps if s.auto_rule}
    assert steps[AutoRule.ACCESS_FORM_RETURNED].done_by == AUTOMATIC


def test_seat_steps_complete_when_every_seat_is_granted_then_active(customer: int, ctx: Context, fixed_now) -> None:
    def seat(no: int, status: str) -> t.PortalSeat:
        return t.PortalSeat.create(customer=customer, seat_no=no, full_name=f"P{no}", email=f"p{no}@acme.com",
                                   mailbox_key=f"p{no}@acme.com", status=status, requested_at=fixed_now,
                                   granted_at=fixed_now if status != "requested" else None)  # fmt: skip

    seat(1, "granted")
    assert sync_automatic_steps(ctx, customer) == []  # one of two designated users
    second = seat(2, "requested")
    assert sync_automatic_steps(ctx, customer) == ["Five designated users identified"]  # both of the allowance
    second.status, second.granted_at = "granted", fixed_now
    second.save()
    assert sync_automatic_steps(ctx, customer) == ["Portal access granted"]
    t.PortalSeat.update(status="active", welcome_confirmed_at=fixed_now).execute()
    assert sync_automatic_steps(ctx, customer) == ["Welcome emails confirmed by each user"]
    audit = t.AuditEntry.select().order_by(t.AuditEntry.id.desc()).get()
    assert "completed itself" in audit.summary


def test_a_returned_form_names_every_designated_user(customer: int, ctx: Context, fixed_now) -> None:
    """A customer who designates fewer users than the allowance: the returned form is their whole list."""
    t.PortalSeat.create(customer=customer, seat_no=1, full_name="P1", email="p1@acme.com", mailbox_key="p1@acme.com",
                        status="granted", requested_at=fixed_now, granted_at=fixed_now)  # fmt: skip
    assert sync_automatic_steps(ctx, customer) == []  # one of two seats, and no form back yet
    record_access_form(ctx, customer, returned=True)  # completes what the data now proves
    done = {step.title: step.done_by for step in checklist(customer, TODAY).steps if step.done}
    assert done["Portal access granted"] == AUTOMATIC
    assert "Welcome emails confirmed by each user" not in done


def test_a_note_edit_is_recorded_as_a_note_not_a_reopening(customer: int, ctx: Context) -> None:
    step = checklist(customer, TODAY).steps[2]
    set_step_done(ctx, step.id, step.version, False, note="Names due Friday")
    step = checklist(customer, TODAY).steps[2]
    set_step_done(ctx, step.id, step.version, False, note="")
    summaries = [e.summary for e in t.AuditEntry.select().order_by(t.AuditEntry.id)][-2:]
    assert summaries == [
        f"Onboarding step '{step.title}' note: Names due Friday",
        f"Onboarding step '{step.title}' note cleared",
    ]
