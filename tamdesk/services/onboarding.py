"""The onboarding checklist of a customer: steps done by hand, and steps the data proves."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import peewee as pw

from tamdesk.domain.onboarding import (
    DEFAULT_TEMPLATE,
    AutoRule,
    Designation,
    OnboardingState,
    SeatFact,
    StepStatus,
    designation,
    due_on,
    is_overdue,
    onboarding_state,
)
from tamdesk.domain.states import SeatStatus
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import (
    Context,
    DomainError,
    NotFound,
    StaleEdit,
    record_audit,
    save_audited,
    save_versioned,
)
from tamdesk.services.sla import customer_calendar

AUTOMATIC = "tamdesk (automatic)"
# Checklists copied before "Five designated users identified" completed itself hold that step without its rule:
# the step is known by the default template's title (a renamed one stays a step ticked by hand).
_LEGACY_TITLES = {s.title: s.auto_rule for s in DEFAULT_TEMPLATE if s.auto_rule is AutoRule.USERS_DESIGNATED}


def step_rule(step: t.OnboardingStep) -> AutoRule | None:
    """The rule by which the data proves ``step``, if any."""
    return AutoRule(step.auto_rule) if step.auto_rule else _LEGACY_TITLES.get(step.title)


@dataclass(frozen=True)
class StepRow:
    id: int
    version: int
    position: int
    title: str
    description: str
    due_date: date | None
    done_at: datetime | None
    done_by: str
    note: str
    auto_rule: AutoRule | None
    overdue: bool
    evidence: str = ""  # what the data says now, for a step that follows it ("5 of 5 seats held by …")

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def asks_why_by_hand(self) -> bool:
        """Ticking it by hand needs a reason: the data proves it, and has not yet."""
        return self.auto_rule is not None and self.auto_rule.asks_why_by_hand and not self.done


@dataclass(frozen=True)
class Checklist:
    customer_id: int
    customer_name: str
    tam: str
    started: date | None
    steps: tuple[StepRow, ...]
    state: OnboardingState

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def total(self) -> int:
        return len(self.steps)


def checklist(customer_id: int, today: date) -> Checklist:
    customer = t.Customer.get_or_none(t.Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer #{customer_id} no longer exists.")
    rows = []
    for s in customer.onboarding_steps.order_by(t.OnboardingStep.position):
        status = StepStatus(s.due_date, s.done_at)
        rule = step_rule(s)
        rows.append(
            StepRow(
                id=s.id,
                version=s.version,
                position=s.position,
                title=s.title,
                description=s.description,
                due_date=s.due_date,
                done_at=s.done_at,
                done_by=s.done_by,
                note=s.note,
                auto_rule=rule,
                overdue=is_overdue(status, today),
                evidence=_designation(customer).summary if rule is AutoRule.USERS_DESIGNATED else "",
            )
        )
    state = onboarding_state([StepStatus(r.due_date, r.done_at) for r in rows], customer.onboarding_started, today)
    tam = customer.tam.name if customer.tam else ""
    return Checklist(customer.id, customer.name, tam, customer.onboarding_started, tuple(rows), state)


@dataclass(frozen=True)
class StartedByTick:
    """The onboarding start date a first tick set, so that taking the tick back takes the date back too."""

    customer_id: int
    started: date
    version: int  # the customer's version once the date was set


@dataclass(frozen=True)
class MarkedSteps:
    """How many steps ``mark_steps`` marked, and the start date their tick set (None: it was set already)."""

    count: int
    started: StartedByTick | None = None


def _step(step_id: int) -> t.OnboardingStep:
    step = t.OnboardingStep.get_or_none(t.OnboardingStep.id == step_id)
    if step is None:
        raise NotFound(f"Onboarding step #{step_id} no longer exists.")
    return step


def set_step_done(
    ctx: Context, step_id: int, expected_version: int, done: bool, note: str | None = None
) -> StartedByTick | None:
    """Tick or untick a step; ticking records who and when. Returns the onboarding start date the tick set, if any.

    Raises:
        DomainError: ticking a step the data proves (an automatic step) without a note saying why, or unticking
            one that completed itself. StaleEdit, NotFound.
    """
    with database.atomic():
        step = _step(step_id)
        rule = step_rule(step)
        if rule and done != (step.done_at is not None):
            _check_by_hand(step, rule, done, note)
        return _write_done(ctx, step, expected_version, done, note)


def _write_done(
    ctx: Context, step: t.OnboardingStep, expected_version: int, done: bool, note: str | None
) -> StartedByTick | None:
    """Save a checked tick (or untick) and note with its audit entry; a first tick starts the onboarding (returned)."""
    changes: dict[str, object] = {}
    if done and step.done_at is None:
        changes.update(done_at=ctx.now(), done_by=ctx.actor)
    elif not done and step.done_at is not None:
        changes.update(done_at=None, done_by="")
    if note is not None and note != step.note:
        changes["note"] = note
    if not changes:
        return None
    what = []
    if "done_at" in changes:
        what.append("done" if done else "reopened")
    if "note" in changes:
        what.append(f"note: {note}" if note else "note cleared")
    summary = f"Onboarding step '{step.title}' {', '.join(what)}"
    save_audited(
        ctx, step, expected_version, changes, entity="onboarding_step", summary=summary, customer=step.customer_id
    )
    return _started_by_first_tick(ctx, step.customer) if done and "done_at" in changes else None


StepVersion = tuple[int, int]
"""A step's id and the version it had when it was shown."""


def set_steps_done(ctx: Context, items: Sequence[StepVersion], done: bool, note: str | None = None) -> int:
    """Mark several steps done (or not done) in one transaction, all or none; returns how many (``mark_steps``)."""
    return mark_steps(ctx, items, done, note).count


def mark_steps(
    ctx: Context,
    items: Sequence[StepVersion],
    done: bool,
    note: str | None = None,
    *,
    undo_start: StartedByTick | None = None,
) -> MarkedSteps:
    """Mark several steps done (or not done) in one transaction, all or none.

    Args:
        ctx: Who and when.
        items: The steps with the versions they were shown at.
        done: True to tick them, False to reopen them.
        note: The reason kept as the note of a step the data proves that is ticked by hand without a note yet.
        undo_start: Reopening steps whose tick started the onboarding (an undo): the start date goes again once no
            step is done, unless the customer changed since it was set.

    Raises:
        DomainError: one sentence naming the first step that is already in that state, that the data proves and
            has no reason to be ticked by hand, that completed itself (for reopening), that was changed since it
            was shown, or that no longer exists, or the customer whose start date changed since; nothing is written.
    """
    verb = "marked done" if done else "marked not done"
    reason = (note or "").strip() or None
    with database.atomic():
        steps = []
        for step_id, version in dict.fromkeys(items):
            step = t.OnboardingStep.get_or_none(t.OnboardingStep.id == step_id)
            if step is None:
                raise DomainError(f"No step was {verb}: onboarding step #{step_id} no longer exists.")
            if (why := _batch_refusal(step, done, reason)) is not None:
                raise DomainError(f"No step was {verb}: step '{step.title}' {why}.")
            if step.version != version:
                raise DomainError(f"No step was {verb}: step '{step.title}' was changed by someone else since it "
                                  "was shown; review it and try again.")  # fmt: skip
            steps.append((step, version))
        started = None
        for step, version in steps:
            rule = step_rule(step)
            by_hand = done and rule is not None and rule.asks_why_by_hand and not step.note.strip()
            try:
                started = _write_done(ctx, step, version, done, reason if by_hand else None) or started
            except StaleEdit:  # saved by someone between the read above and this write
                raise DomainError(
                    f"No step was {verb}: step '{step.title}' was changed by someone else meanwhile; try again."
                ) from None
        if undo_start is not None and not done:
            _take_back_start(ctx, undo_start)
        return MarkedSteps(len(steps), started)


def _batch_refusal(step: t.OnboardingStep, done: bool, reason: str | None) -> str | None:
    """Why ``step`` cannot be marked done (or not done) in a batch, or None."""
    rule = step_rule(step)
    when = rule.explanation.removeprefix("Completes itself ").rstrip(".") if rule else ""
    if done:
        if step.done_at is not None:
            return "is already done"
        if rule and rule.asks_why_by_hand and not step.note.strip() and reason is None:
            return f"completes itself {when}; to tick it by hand, give the reason"
        return None
    if step.done_at is None:
        return "is not done"
    if step.done_by == AUTOMATIC:
        return f"completed itself {when}; it cannot be unticked by hand"
    return None


def current_step_versions(step_ids: Iterable[int]) -> list[StepVersion]:
    """The steps' ids with their versions now (an undo acts on the steps as they are), skipping deleted ones."""
    ids = list(dict.fromkeys(step_ids))
    query = t.OnboardingStep.select(t.OnboardingStep.id, t.OnboardingStep.version).where(t.OnboardingStep.id.in_(ids))
    versions = {step.id: step.version for step in query}
    return [(i, versions[i]) for i in ids if i in versions]


def _started_by_first_tick(ctx: Context, customer: t.Customer) -> StartedByTick | None:
    """Ticking a step of a customer whose onboarding has no start date starts it today (due dates stay)."""
    if customer.onboarding_started is not None:
        return None
    today = ctx.now().astimezone().date()
    save_versioned(customer, customer.version, {"onboarding_started": today})
    record_audit(
        ctx,
        entity="customer",
        entity_id=customer.id,
        customer=customer,
        action="update",
        summary=f"Onboarding of {customer.name} started {today.isoformat()} (its first step was ticked)",
    )
    return StartedByTick(customer.id, today, customer.version)


def _take_back_start(ctx: Context, start: StartedByTick) -> None:
    """The start date a tick set goes with the tick, while no other step is done (their onboarding has begun)."""
    customer = t.Customer.get_or_none(t.Customer.id == start.customer_id)
    if customer is None:
        raise NotFound("That customer no longer exists.")
    if customer.onboarding_steps.where(t.OnboardingStep.done_at.is_null(False)).exists():
        return
    if customer.version != start.version or customer.onboarding_started != start.started:
        raise DomainError(
            f"No step was marked not done: {customer.name} was changed by someone else since its onboarding "
            f"started on {start.started.isoformat()}; review it and try again."
        )
    summary = f"Onboarding of {customer.name} not started after all (the tick that started it was undone)"
    save_audited(ctx, customer, start.version, {"onboarding_started": None}, entity="customer", summary=summary,
                 customer=customer)  # fmt: skip


def current_step_version(step_id: int) -> int:
    """The step's version now (an undo acts on the step as it is, and still refuses one changed since)."""
    return int(_step(step_id).version)


def _check_by_hand(step: t.OnboardingStep, rule: AutoRule, done: bool, note: str | None) -> None:
    """A step the data proves may still be ticked by hand, with the reason in its note (the customer designates
    three users, or sent their names by email instead of the form); one that completed itself stays done."""
    when = rule.explanation.removeprefix("Completes itself ").rstrip(".")
    if done and rule.asks_why_by_hand and not (note or step.note or "").strip():
        raise DomainError(
            f"Step '{step.title}' completes itself {when}; to tick it by hand, say why in its note "
            "(for example: the customer designates three users)."
        )
    if not done and step.done_by == AUTOMATIC:
        raise DomainError(f"Step '{step.title}' completed itself {when}; it cannot be unticked by hand.")


def set_step_due(ctx: Context, step_id: int, expected_version: int, due: date | None) -> None:
    with database.atomic():
        step = _step(step_id)
        if step.due_date == due:
            return
        summary = f"Onboarding step '{step.title}' due {due.isoformat() if due else 'date cleared'}"
        save_audited(ctx, step, expected_version, {"due_date": due}, entity="onboarding_step", summary=summary,
                     customer=step.customer_id)  # fmt: skip


def start_onboarding(ctx: Context, customer_id: int, start: date) -> None:
    """Set the onboarding start and move every open step's due date by the template offsets from it."""
    with database.atomic():
        customer = t.Customer.get_by_id(customer_id)
        first = customer.onboarding_steps.order_by(t.OnboardingStep.position).first()
        if first is None:
            raise DomainError(f"{customer.name} has no onboarding checklist.")
        anchor = first.due_date
        calendar = customer_calendar(customer)
        for step in customer.onboarding_steps:
            if step.done_at is None and anchor is not None and step.due_date is not None:
                # the same distance, on a business day of the customer's calendar
                step.due_date = due_on(start, (step.due_date - anchor).days, calendar)
                step.version += 1
                step.save()
        customer.onboarding_started = start
        customer.version += 1
        customer.save()
        record_audit(
            ctx,
            entity="customer",
            entity_id=customer.id,
            customer=customer,
            action="update",
            summary=f"Onboarding of {customer.name} starts {start.isoformat()}",
        )


def _evidence(customer: t.Customer, rule: AutoRule) -> datetime | None:
    """When the data proved ``rule``, or None while it does not hold."""
    if rule is AutoRule.ACCESS_FORM_SENT:
        return customer.access_form_sent_at
    if rule is AutoRule.ACCESS_FORM_RETURNED:
        return customer.access_form_returned_at
    if rule is AutoRule.USERS_DESIGNATED:
        return _designation(customer).since
    seats = [s for s in customer.seats if s.status != SeatStatus.REVOKED.value]
    designated = len(seats) >= customer.seat_allowance or (customer.access_form_returned_at is not None and seats)
    if not designated:
        return None  # more users to come: every seat of the allowance, or everyone the returned form names
    if rule is AutoRule.SEATS_GRANTED:
        if all(s.status in (SeatStatus.GRANTED.value, SeatStatus.ACTIVE.value) for s in seats):
            return max(s.granted_at or s.requested_at for s in seats)
        return None
    if all(s.status == SeatStatus.ACTIVE.value for s in seats):
        return max(s.welcome_confirmed_at or s.requested_at for s in seats)
    return None


def _designation(customer: t.Customer) -> Designation:
    seats = [SeatFact(s.mailbox_key, SeatStatus(s.status), s.requested_at) for s in customer.seats]
    return designation(seats, customer.seat_allowance, customer.access_form_returned_at)


def _because(customer: t.Customer, rule: AutoRule) -> str:
    """What the data says, for the audit entry."""
    return _designation(customer).summary if rule is AutoRule.USERS_DESIGNATED else rule.explanation


def sync_automatic_steps(ctx: Context, customer_id: int) -> list[str]:
    """Complete the steps the data now proves, and reopen a step that follows the data once it no longer holds
    (a seat revoked leaves four designated users); returns the titles of the steps completed. Called by the seat
    and form services after every change."""
    completed = []
    customer = t.Customer.get_by_id(customer_id)
    maybe_proved = t.OnboardingStep.auto_rule.is_null(False) | t.OnboardingStep.title.in_(list(_LEGACY_TITLES))
    for step in customer.onboarding_steps.where(maybe_proved):
        rule = step_rule(step)
        if rule is None:
            continue
        when = _evidence(customer, rule)
        if step.done_at is None and when is not None:
            save_versioned(step, step.version, {"done_at": when, "done_by": AUTOMATIC})
            action, summary = (
                "auto_complete",
                f"Onboarding step '{step.title}' completed itself: {_because(customer, rule)}",
            )
            completed.append(step.title)
        elif step.done_by == AUTOMATIC and when is None and rule.follows_the_data:
            save_versioned(step, step.version, {"done_at": None, "done_by": ""})
            action, summary = (
                "auto_reopen",
                f"Onboarding step '{step.title}' reopened itself: {_because(customer, rule)}",
            )
        else:
            continue
        record_audit(
            ctx,
            entity="onboarding_step",
            entity_id=step.id,
            customer=customer,
            action=action,
            summary=summary,
        )
    return completed


SETTLED_KEY = "automatic_steps_settled"
SETTLED_VERSION = 1  # raise it when a new automatic rule should catch up on the checklists already there


def settle_automatic_steps(ctx: Context | None = None) -> int:
    """Once per database, and again when a new automatic rule comes: settle every customer's steps by what the
    data proves now, as the seat services do after each change. A database from before "Five designated users
    identified" followed the seats ticks it for the customers whose five seats are held already. Returns how many
    steps ticked themselves."""
    done = t.Setting.get_or_none(t.Setting.key == SETTLED_KEY)
    if done is not None and json.loads(done.value) >= SETTLED_VERSION:
        return 0
    ctx = ctx or Context()
    try:
        with database.atomic():
            sql = 'SELECT DISTINCT "customer_id" FROM "onboarding_step"'
            customers: list[int] = [row[0] for row in database.execute_sql(sql)]
            completed = sum(len(sync_automatic_steps(ctx, customer_id)) for customer_id in customers)
            if done is None:  # bookkeeping, not a user's setting: no audit entry of its own
                t.Setting.create(key=SETTLED_KEY, value=json.dumps(SETTLED_VERSION))
            else:
                t.Setting.update(value=json.dumps(SETTLED_VERSION)).where(t.Setting.key == SETTLED_KEY).execute()
    except pw.IntegrityError:  # another app on the team database settled them at the same moment
        return 0
    return completed


def record_access_form(ctx: Context, customer_id: int, *, sent: bool = False, returned: bool = False) -> None:
    """Record that the access form was sent to (or returned by) the customer; feeds the checklist."""
    with database.atomic():
        customer = t.Customer.get_by_id(customer_id)
        changes: dict[str, object] = {}
        if sent:
            changes["access_form_sent_at"] = ctx.now()
        if returned:
            changes["access_form_returned_at"] = ctx.now()
        save_versioned(customer, customer.version, changes)
        what = " and ".join(w for w, on in (("sent", sent), ("returned", returned)) if on)
        record_audit(
            ctx,
            entity="customer",
            entity_id=customer.id,
            customer=customer,
            action="access_form",
            summary=f"Access form {what} for {customer.name}",
        )
        sync_automatic_steps(ctx, customer_id)
