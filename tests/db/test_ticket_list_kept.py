"""The SLA state a ticket list keeps equals a full recomputation from history, whatever changed since it loaded.

The list evaluates every ticket once (``load_tickets``, ``first_page``), then, as the Tickets page does, refreshes
one ticket after it changed (``ticket_row``) and the whole list after a calendar or policy change. After any
sequence of late events, reopenings, severity changes, holidays and policy revisions each kept row's SLA state is
the one ``ticket_detail`` works out from the ticket's whole history.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SeverityTarget
from tamdesk.domain.states import ClockKind, TicketEventKind
from tamdesk.models import tables as t
from tamdesk.services import ticket_lists
from tamdesk.services.base import Context, DomainError
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.sla import policy, revise_policy, set_holiday
from tamdesk.services.ticket_lists import TicketFilter, TicketRow, first_page, load_tickets, ticket_row
from tamdesk.services.tickets import TicketInput, add_event, change_severity, create_ticket, ticket_detail

NOW = datetime(2026, 3, 13, 15, 0, tzinfo=UTC)  # Friday
OPENED = NOW - timedelta(days=4)  # Monday 16:00 Berlin
TICKETS = 3
_names = itertools.count()

ticket = st.integers(0, TICKETS - 1)
minutes = st.integers(0, 4 * 24 * 60)  # any time from the opening to now: often before events already recorded
event = st.tuples(st.just("event"), ticket, st.sampled_from(list(TicketEventKind)), minutes)
reopen = st.tuples(st.just("reopen"), ticket, minutes, st.integers(1, 600))
severity = st.tuples(st.just("severity"), ticket, st.sampled_from(list(Severity)), minutes)
holiday = st.tuples(st.just("holiday"), st.integers(0, 6))  # a day of the week the tickets run through
revision = st.tuples(st.just("policy"), st.integers(1, 8), st.integers(0, 2))  # hours, before or after opening
steps = st.lists(st.one_of(event, reopen, severity, holiday, revision), min_size=1, max_size=8)


def _revise(ctx: Context, first_response_hours: int, when: int) -> None:
    """A revision of the Standard policy with another Sev2 first-response target, in force from ``when``: before
    the tickets opened (it applies to them), between their openings or after them (it does not)."""
    row = t.SlaPolicy.get(t.SlaPolicy.name == "Standard")
    targets = dict(policy(row.id).targets)
    old = targets[Severity.HIGH]
    targets[Severity.HIGH] = SeverityTarget(timedelta(hours=first_response_hours), old.update_cadence,
                                            ClockKind.BUSINESS_HOURS)  # fmt: skip
    at = OPENED + timedelta(minutes=30 * when - 1)
    revise_policy(Context(ctx.actor, clock=lambda: at), row.id, row.version, targets, 0.75, note="test")


def _apply(ctx: Context, ids: list[int], step: tuple) -> str:
    """Make one change as a user would; says whether it touched one ticket or the list's rules."""
    kind = step[0]
    if kind == "event":
        _, n, event_kind, after = step
        add_event(ctx, ids[n], event_kind, OPENED + timedelta(minutes=after))
        return "ticket"
    if kind == "reopen":
        _, n, after, later = step
        solved = OPENED + timedelta(minutes=after)
        add_event(ctx, ids[n], TicketEventKind.SOLVED, solved)
        add_event(ctx, ids[n], TicketEventKind.REOPENED, min(solved + timedelta(minutes=later), NOW))
        return "ticket"
    if kind == "severity":
        _, n, sev, after = step
        version = t.Ticket.get_by_id(ids[n]).version
        change_severity(ctx, ids[n], version, sev, OPENED + timedelta(minutes=after))
        return "ticket"
    if kind == "holiday":
        set_holiday(ctx, "DE", (OPENED + timedelta(days=step[1])).date(), name="Closed")
        return "rules"
    _revise(ctx, step[1], step[2])
    return "rules"


def _sla(row: TicketRow) -> tuple:
    sla = row.sla
    return (
        sla.first_response_due, sla.first_response_at, sla.first_response_state, sla.next_update_due,
        sla.update_state, sla.missed_updates, sla.paused, sla.resolved_at, sla.deadline, sla.state,
    )  # fmt: skip


def _recomputed(ticket_id: int) -> tuple:
    sla = ticket_detail(ticket_id, NOW).sla
    return (
        sla.first_response_due, sla.first_response_at, sla.first_response_state, sla.next_update_due,
        sla.update_state, sla.missed_updates, sla.paused, sla.resolved_at, sla.deadline, sla.state,
    )  # fmt: skip


@pytest.fixture
def ctx() -> Context:
    return Context(actor="Tess Tam", clock=lambda: NOW)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_the_kept_list_equals_a_full_recomputation_after_any_changes(
    db_path: Path, ctx: Context, steps: list[tuple]
) -> None:
    name = f"Acme {next(_names)}"
    customer = create_customer(ctx, CustomerInput(name, "Europe/Berlin", "DE", tam="Tess Tam"))
    ids = [
        create_ticket(ctx, TicketInput(f"{name}-{n}", customer, "Slow", Severity.HIGH, OPENED + timedelta(hours=n)))
        for n in range(TICKETS)
    ]
    flt = TicketFilter(customer_id=customer, tam="Tess Tam")
    kept = {r.id: r for r in first_page(flt, NOW)}
    assert sorted(kept) == sorted(ids)
    kept = {r.id: r for r in load_tickets(flt, NOW)}
    for step in steps:
        try:
            touched = _apply(ctx, ids, step)
        except DomainError:
            continue  # refused (e.g. a severity it already has): nothing changed
        if touched == "ticket":
            n = step[1]
            fresh = ticket_row(ids[n], flt, NOW)
            assert fresh is not None
            kept[ids[n]] = fresh
        else:  # a calendar or policy change re-evaluates the whole list
            kept = {r.id: r for r in load_tickets(flt, NOW)}
    for ticket_id in ids:
        assert _sla(kept[ticket_id]) == _recomputed(ticket_id), ticket_id
    assert {r.id: _sla(r) for r in first_page(flt, NOW)} == {i: _sla(kept[i]) for i in ids}


def test_a_ticket_of_another_customer_or_gone_is_no_row_of_the_list(db_path: Path, ctx: Context) -> None:
    acme = create_customer(ctx, CustomerInput("Acme", "Europe/Berlin", "DE", tam="Tess Tam"))
    globex = create_customer(ctx, CustomerInput("Globex", "Europe/Berlin", "DE", tam="Omar Other"))
    mine = create_ticket(ctx, TicketInput("A-1", acme, "Slow", Severity.HIGH, OPENED))
    theirs = create_ticket(ctx, TicketInput("G-1", globex, "Slow", Severity.HIGH, OPENED))
    row = ticket_row(mine, TicketFilter(tam="Tess Tam"), NOW)
    assert row is not None and row.number == "A-1"
    assert ticket_row(theirs, TicketFilter(tam="Tess Tam"), NOW) is None
    assert ticket_row(theirs, TicketFilter(customer_id=acme), NOW) is None
    assert ticket_row(10_000, TicketFilter(), NOW) is None


@pytest.mark.parametrize("tam", ["Tess Tam", None], ids=["scoped", "every customer"])
def test_a_list_read_in_chunks_is_the_list_read_at_once(
    db_path: Path, ctx: Context, monkeypatch: pytest.MonkeyPatch, tam: str | None
) -> None:
    """Chunks of two tickets, each reading its own tickets' events by id range (other TAMs' tickets among them)."""
    for name, owner in (("Acme", "Tess Tam"), ("Globex", "Omar Other")):
        customer = create_customer(ctx, CustomerInput(name, "Europe/Berlin", "DE", tam=owner))
        for n in range(3):
            opened = OPENED + timedelta(hours=n)
            ticket_id = create_ticket(ctx, TicketInput(f"{name}-{n}", customer, "Slow", Severity.HIGH, opened))
            add_event(ctx, ticket_id, TicketEventKind.RESPONSE, opened + timedelta(minutes=10 * n + 5))
            if n == 1:
                add_event(ctx, ticket_id, TicketEventKind.SOLVED, opened + timedelta(hours=3))
    at_once = {r.id: _sla(r) for r in load_tickets(TicketFilter(tam=tam), NOW)}
    monkeypatch.setattr(ticket_lists, "LOAD_CHUNK", 2)
    monkeypatch.setattr(ticket_lists, "IN_LIST_LIMIT", 2)
    seen: list[tuple[int, int]] = []
    rows = load_tickets(TicketFilter(tam=tam), NOW, progress=lambda done, total: seen.append((done, total)))
    assert {r.id: _sla(r) for r in rows} == at_once
    assert {r.id: _recomputed(r.id) for r in rows} == at_once
    assert len(at_once) == (3 if tam else 6)
    assert seen == [(n, len(at_once)) for n in range(0, len(at_once), 2)] + [(len(at_once), len(at_once))]
