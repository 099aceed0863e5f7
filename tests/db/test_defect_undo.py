"""Taking back a defect's step: the state before returns without what the step recorded, with an audit entry; a
change made meanwhile refuses it in one sentence."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import DefectState
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError, NotFound
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import (
    close_defect,
    defect_detail,
    deploy_fix,
    escalate_to_engineering,
    prioritize_defect,
    report_defect,
    set_defect_product,
    start_fix,
    take_back_step,
    validate_defect,
)
from tamdesk.services.tickets import TicketInput, create_ticket

D = DefectState
Step = Callable[[Context, int, int], object]
STEPS: dict[DefectState, Step] = {
    D.VALIDATED: lambda ctx, d, v: validate_defect(ctx, d, v, "Sam Support", ctx.now(), "Repro with q9"),
    D.ESCALATED: lambda ctx, d, v: escalate_to_engineering(ctx, d, v, "ENG-7", "https://eng.example.com/browse/ENG-7"),
    D.PRIORITIZED: lambda ctx, d, v: prioritize_defect(ctx, d, v, "P1", "Three customers down"),
    D.FIX_IN_PROGRESS: lambda ctx, d, v: start_fix(ctx, d, v),
    D.FIX_DEPLOYED: lambda ctx, d, v: deploy_fix(ctx, d, v, "435-e.2", ctx.now().date()),
    D.CLOSED: lambda ctx, d, v: close_defect(ctx, d, v, confirm=True),
}


@pytest.fixture
def defect(db_path: Path, ctx: Context, fixed_now: datetime) -> int:
    acme = create_customer(ctx, CustomerInput(name="Acme"))
    ticket = create_ticket(ctx, TicketInput("SUP-1", acme, "OOM", Severity.NORMAL, fixed_now - timedelta(hours=2)))
    return report_defect(ctx, ticket, "Coordinator OOM on large joins")


def _fields(defect: int) -> dict[str, object]:
    return {k: v for k, v in t.Defect.get_by_id(defect).__data__.items() if k != "version"}


@pytest.mark.parametrize("last", list(STEPS))
def test_each_step_taken_back_leaves_the_defect_as_before(defect: int, ctx: Context, last: DefectState) -> None:
    version = 1
    for state, step in STEPS.items():
        if state is last:
            break
        step(ctx, defect, version)
        version += 1
    before = _fields(defect)
    was = DefectState(str(before["state"]))
    STEPS[last](ctx, defect, version)
    take_back_step(ctx, defect, version + 1, was)
    assert _fields(defect) == before
    audit = t.AuditEntry.select().where(t.AuditEntry.entity == "defect").order_by(t.AuditEntry.id.desc()).get()
    assert audit.summary == f"Defect #{defect}: {last.label.lower()} taken back ({was.label.lower()} again)"
    assert (json.loads(audit.before)["state"], json.loads(audit.after)["state"]) == (last.value, was.value)
    STEPS[last](ctx, defect, version + 2)  # and it can be taken again
    assert t.Defect.get_by_id(defect).state == last.value


def test_a_skip_is_taken_back_to_where_it_started(defect: int, ctx: Context, fixed_now: datetime) -> None:
    STEPS[D.VALIDATED](ctx, defect, 1)
    before = _fields(defect)
    prioritize_defect(ctx, defect, 2, "P1", "Three customers down")  # skips the engineering step
    take_back_step(ctx, defect, 3, D.VALIDATED)
    assert _fields(defect) == before
    assert defect_detail(defect, fixed_now).row.priority == "P3"  # the severity's again


def test_a_change_made_meanwhile_refuses_the_undo(defect: int, ctx: Context, fixed_now: datetime) -> None:
    STEPS[D.VALIDATED](ctx, defect, 1)
    set_defect_product(ctx, defect, 2, "Analytics")  # someone else, meanwhile
    with pytest.raises(DomainError) as info:
        take_back_step(ctx, defect, 2, D.REPORTED)
    assert str(info.value) == (
        f"Defect #{defect} was changed by someone else since (it is validated now); its step was not taken back."
    )
    assert defect_detail(defect, fixed_now).row.state is D.VALIDATED
    with pytest.raises(NotFound):
        take_back_step(ctx, defect + 1, 3, D.REPORTED)


def test_a_later_step_taken_meanwhile_refuses_the_undo(defect: int, ctx: Context) -> None:
    STEPS[D.VALIDATED](ctx, defect, 1)
    STEPS[D.ESCALATED](ctx, defect, 2)
    with pytest.raises(DomainError, match=r"\(it is escalated now\); its step was not taken back\.$"):
        take_back_step(ctx, defect, 2, D.REPORTED)
    assert t.Defect.get_by_id(defect).engineering_key == "ENG-7"
