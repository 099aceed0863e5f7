"""The onboarding start date a first tick set goes when that tick is taken back (and returns with the tick), while
no other step is done; a customer changed since refuses the undo in one sentence and nothing is written."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError
from tamdesk.services.customers import CustomerInput, create_customer, get_customer, update_customer
from tamdesk.services.onboarding import (
    StartedByTick,
    checklist,
    current_step_versions,
    mark_steps,
    set_step_done,
    start_onboarding,
)

TODAY = date(2026, 3, 10)


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput(name="Acme", seat_allowance=2))


def _steps(customer: int) -> list[int]:
    return [s.id for s in checklist(customer, TODAY).steps]


def _started(customer: int) -> date | None:
    return checklist(customer, TODAY).started


def _tick_first(ctx: Context, customer: int) -> tuple[int, StartedByTick | None]:
    first = checklist(customer, TODAY).steps[0]
    return first.id, set_step_done(ctx, first.id, first.version, True)


def test_undoing_the_first_tick_takes_its_start_date_back_and_redo_sets_it(acme: int, ctx: Context) -> None:
    assert _started(acme) is None
    step, started = _tick_first(ctx, acme)
    assert started is not None and (started.customer_id, started.started) == (acme, TODAY)
    assert _started(acme) == TODAY
    marked = mark_steps(ctx, current_step_versions([step]), False, undo_start=started)
    assert (marked.count, _started(acme), checklist(acme, TODAY).done) == (1, None, 0)
    entry = t.AuditEntry.select().order_by(t.AuditEntry.id.desc()).get()
    assert entry.summary == "Onboarding of Acme not started after all (the tick that started it was undone)"
    again = mark_steps(ctx, current_step_versions([step]), True)  # the redo
    assert again.started is not None and _started(acme) == TODAY
    mark_steps(ctx, current_step_versions([step]), False, undo_start=again.started)
    assert _started(acme) is None


def test_a_start_date_set_before_the_tick_stays(acme: int, ctx: Context) -> None:
    start_onboarding(ctx, acme, date(2026, 3, 2))
    step, started = _tick_first(ctx, acme)
    assert started is None
    mark_steps(ctx, current_step_versions([step]), False, undo_start=started)
    assert _started(acme) == date(2026, 3, 2)


def test_the_start_date_stays_while_another_step_is_done(acme: int, ctx: Context) -> None:
    step, started = _tick_first(ctx, acme)
    second = _steps(acme)[1]
    mark_steps(ctx, current_step_versions([second]), True)
    mark_steps(ctx, current_step_versions([step]), False, undo_start=started)
    assert _started(acme) == TODAY and [s.done for s in checklist(acme, TODAY).steps][:2] == [False, True]


def _renamed(ctx: Context, customer: int) -> None:
    detail = get_customer(customer)
    update_customer(ctx, customer, detail.version, replace(detail.input, name="Acme Corp"))


def _restarted(ctx: Context, customer: int) -> None:
    start_onboarding(ctx, customer, date(2026, 3, 2))


@pytest.mark.parametrize("meanwhile", [_renamed, _restarted])
def test_a_customer_changed_since_refuses_the_undo(acme: int, ctx: Context, fixed_now: datetime, meanwhile) -> None:
    step, started = _tick_first(ctx, acme)
    meanwhile(ctx, acme)
    before = checklist(acme, TODAY)
    with pytest.raises(DomainError) as info:
        mark_steps(ctx, current_step_versions([step]), False, undo_start=started)
    assert str(info.value) == (
        f"No step was marked not done: {before.customer_name} was changed by someone else since its onboarding "
        "started on 2026-03-10; review it and try again."
    )
    assert checklist(acme, TODAY) == before  # the step still done, the start as it was
