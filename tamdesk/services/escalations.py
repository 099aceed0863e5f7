"""Escalations of a ticket to support management, followed on a dated timeline until resolved or declined."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from tamdesk.domain.calendar import BUSINESS_DAY, Clock
from tamdesk.domain.deadlines import deadline_words, local_time
from tamdesk.domain.severity import Severity
from tamdesk.domain.states import EscalationState, PersonRole, TicketStatus
from tamdesk.domain.text import clean_text, identity_problem
from tamdesk.domain.vp_rule import VP_DAYS_DEFAULT, VP_DAYS_RANGE, VpApprisal, vp_apprisal, vp_days_problem
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import (
    Context,
    DomainError,
    FieldError,
    NotFound,
    ValidationFailed,
    record_audit,
    save_versioned,
)
from tamdesk.services.settings import get_setting, set_setting
from tamdesk.services.sla import SlaResolver

ORDER = (
    EscalationState.REQUESTED,
    EscalationState.ACKNOWLEDGED,
    EscalationState.ACTION_PLAN,
    EscalationState.MONITORING,
    EscalationState.RESOLVED,
)
NEXT_STEP = {
    EscalationState.REQUESTED: ("support manager", "acknowledge the escalation"),
    EscalationState.ACKNOWLEDGED: ("support manager", "agree an action plan"),
    EscalationState.ACTION_PLAN: ("support", "carry out the action plan"),
    EscalationState.MONITORING: ("TAM", "confirm with the customer that it is resolved"),
}


class NeedsConfirmation(DomainError):
    """The action is allowed but unusual; repeat it with confirmation (``confirm=True``)."""


@dataclass(frozen=True)
class EscalationInput:
    requested_by: str  # "customer" or "tam"
    requester_name: str
    reason: str
    business_impact: str = ""
    desired_outcome: str = ""
    apprise_vp: bool = False
    vp_note: str = ""


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    author: str
    state: EscalationState | None
    text: str


@dataclass(frozen=True)
class EscalationRow:
    id: int
    version: int
    ticket_id: int
    ticket_number: str
    customer_id: int
    customer: str
    severity: Severity
    state: EscalationState
    opened_at: datetime
    closed_at: datetime | None
    age_business_days: float
    support_manager: str
    senior_director: str
    vp_apprised: bool
    next_owner: str
    next_step: str
    reason: str
    vp_apprised_at: datetime | None
    vp: VpApprisal  # the VP rule at the time the row was read


@dataclass(frozen=True)
class EscalationDetail:
    row: EscalationRow
    input: EscalationInput
    decline_reason: str
    vp_apprised_at: datetime | None
    vp_note: str
    timeline: tuple[TimelineEntry, ...]


def _person(role: PersonRole) -> t.Person | None:
    """The directory's person for ``role``: the one named in Settings, else the first active one."""
    preferred = get_setting(f"escalation_{role.value}")
    query = t.Person.select().where((t.Person.role == role.value) & t.Person.active)
    if preferred:
        match = query.where(t.Person.name == preferred).first()
        if match:
            return match
    return query.order_by(t.Person.name).first()


def _entry(esc: t.Escalation, ctx: Context, text: str, state: EscalationState | None = None) -> int:
    entry = t.EscalationEntry.create(
        escalation=esc, at=ctx.now(), author=ctx.actor, state=state.value if state else None, text=text
    )
    return int(entry.id)


def request_escalation(ctx: Context, ticket_id: int, data: EscalationInput, *, confirm: bool = False) -> int:
    """Escalate a ticket to support management; a solved ticket needs ``confirm``.

    Raises:
        ValidationFailed: missing reason, business impact or requester.
        DomainError: the ticket already has an open escalation (the message names it).
        NeedsConfirmation: the ticket is solved.
    """
    errors = {}
    if refused := identity_problem("Requester", data.requester_name):
        errors["requester_name"] = refused
    data = replace(
        data,
        reason=clean_text(data.reason),
        business_impact=clean_text(data.business_impact),
        desired_outcome=clean_text(data.desired_outcome),
        vp_note=clean_text(data.vp_note),
    )
    if data.requested_by not in ("customer", "tam"):
        errors["requested_by"] = "Say whether the customer or the TAM requests the escalation."
    if not data.reason.strip():
        errors["reason"] = "An escalation needs a reason."
    if not data.business_impact.strip():
        errors["business_impact"] = "An escalation needs its business impact: what the problem costs the customer."
    if errors:
        raise ValidationFailed(errors)
    with database.atomic():
        ticket = t.Ticket.get_or_none(t.Ticket.id == ticket_id)
        if ticket is None:
            raise NotFound(f"Ticket #{ticket_id} no longer exists.")
        for other in ticket.escalations:
            if EscalationState(other.state).is_open:
                raise DomainError(
                    f"Ticket {ticket.number} already has an open escalation (#{other.id}, "
                    f"{EscalationState(other.state).label.lower()}); update that one instead."
                )
        if ticket.status in (TicketStatus.SOLVED.value, TicketStatus.CLOSED.value) and not confirm:
            raise NeedsConfirmation(f"Ticket {ticket.number} is {ticket.status}. Escalate it anyway?")
        vp = data.apprise_vp or ticket.severity == Severity.URGENT
        esc = t.Escalation.create(
            ticket=ticket, requested_by=data.requested_by, requester_name=data.requester_name.strip(),
            reason=data.reason.strip(), business_impact=data.business_impact.strip(),
            desired_outcome=data.desired_outcome.strip(), state=EscalationState.REQUESTED.value,
            support_manager=_person(PersonRole.SUPPORT_MANAGER), senior_director=_person(PersonRole.SENIOR_DIRECTOR),
            vp_apprised=vp, vp_apprised_at=ctx.now() if vp else None, vp_note=data.vp_note.strip(),
            opened_at=ctx.now(),
        )  # fmt: skip
        who = "the customer" if data.requested_by == "customer" else "the TAM"
        _entry(esc, ctx, f"Escalation requested by {who}: {esc.reason}", EscalationState.REQUESTED)
        if vp:
            why = "Sev1 ticket" if ticket.severity == Severity.URGENT else "on request"
            _entry(esc, ctx, f"VP of Customer Success apprised ({why}). {esc.vp_note}".strip())
        record_audit(
            ctx, entity="escalation", entity_id=esc.id, customer=ticket.customer_id, action="create",
            summary=f"Ticket {ticket.number} escalated: {esc.reason}",
        )  # fmt: skip
        return int(esc.id)


def _escalation(esc_id: int) -> t.Escalation:
    esc = t.Escalation.get_or_none(t.Escalation.id == esc_id)
    if esc is None:
        raise NotFound(f"Escalation #{esc_id} no longer exists.")
    return esc


def advance_escalation(
    ctx: Context, esc_id: int, expected_version: int, state: EscalationState, note: str = "", decline_reason: str = ""
) -> int:
    """Move an escalation forward (any later state) or decline it with a reason; every change is a timeline entry,
    whose id is returned (``take_back_state_change`` removes it)."""
    note, decline_reason = clean_text(note), clean_text(decline_reason)
    with database.atomic():
        esc = _escalation(esc_id)
        current = EscalationState(esc.state)
        if not current.is_open:
            raise DomainError(f"Escalation #{esc.id} is already {current.label.lower()}.")
        changes: dict[str, object] = {"state": state.value}
        if state is EscalationState.DECLINED:
            if not decline_reason.strip():
                raise FieldError("decline_reason", "Declining an escalation needs a reason.")
            changes.update(decline_reason=decline_reason.strip(), closed_at=ctx.now())
        elif state not in ORDER or ORDER.index(state) <= ORDER.index(current):
            raise DomainError(f"Escalation #{esc.id} cannot go from {current.label.lower()} to {state.label.lower()}.")
        elif state is EscalationState.RESOLVED:
            changes["closed_at"] = ctx.now()
        save_versioned(esc, expected_version, changes)
        text = f"{current.label} → {state.label}"
        extra = decline_reason.strip() if state is EscalationState.DECLINED else note.strip()
        entry_id = _entry(esc, ctx, f"{text}: {extra}" if extra else text, state)
        record_audit(
            ctx, entity="escalation", entity_id=esc.id, customer=esc.ticket.customer_id, action="state",
            summary=f"Escalation #{esc.id} of ticket {esc.ticket.number}: {text}",
            before={"state": current.value}, after={"state": state.value},
        )  # fmt: skip
        return entry_id


def take_back_state_change(ctx: Context, esc_id: int, expected_version: int, entry_id: int) -> None:
    """Undo a state change: its timeline entry goes and the escalation is in the state the entry before it names,
    open again (no closing time, no decline reason).

    Raises:
        DomainError: one sentence when the escalation changed since ``expected_version`` (another state change, the
            VP apprised) or the entry is not the one that set its state; nothing is written. NotFound.
    """
    with database.atomic():
        esc = _escalation(esc_id)
        current = EscalationState(esc.state)
        entry = t.EscalationEntry.get_or_none(
            (t.EscalationEntry.id == entry_id) & (t.EscalationEntry.escalation == esc.id)
        )
        if esc.version != expected_version or entry is None or entry.state != current.value:
            raise DomainError(
                f"Escalation #{esc.id} was changed by someone else since (it is {current.label.lower()} now); "
                "its state change was not taken back."
            )
        earlier = (
            esc.entries.where(t.EscalationEntry.state.is_null(False) & (t.EscalationEntry.id < entry.id))
            .order_by(t.EscalationEntry.id.desc())
            .first()
        )
        if earlier is None:  # the request itself: no state change to take back
            raise DomainError(f"Escalation #{esc.id} has no state change to take back.")
        before = EscalationState(earlier.state)
        save_versioned(esc, expected_version, {"state": before.value, "closed_at": None, "decline_reason": ""})
        entry.delete_instance()
        record_audit(
            ctx, entity="escalation", entity_id=esc.id, customer=esc.ticket.customer_id, action="state",
            summary=f"Escalation #{esc.id} of ticket {esc.ticket.number}: {current.label} taken back "
            f"({before.label} again)",
            before={"state": current.value}, after={"state": before.value},
        )  # fmt: skip


def add_note(ctx: Context, esc_id: int, text: str) -> None:
    """Add a dated note to the escalation's timeline (control characters other than tab and newline dropped)."""
    text = clean_text(text)
    if not text.strip():
        raise FieldError("note", "The note is empty.")
    with database.atomic():
        esc = _escalation(esc_id)
        _entry(esc, ctx, text.strip())
        record_audit(
            ctx, entity="escalation", entity_id=esc.id, customer=esc.ticket.customer_id, action="note",
            summary=f"Note on escalation #{esc.id}",
        )  # fmt: skip


def apprise_vp(ctx: Context, esc_id: int, expected_version: int, note: str, why: str | None = None) -> None:
    """Mark the VP of Customer Success apprised, with an advisory note on the timeline.

    ``why`` defaults to the VP rule's reason when the apprisal is owed (``open more than 3 business days``), else
    ``on request``.
    """
    note = clean_text(note)
    with database.atomic():
        esc = _escalation(esc_id)
        if esc.vp_apprised:
            raise DomainError(f"The VP of Customer Success was already apprised of escalation #{esc.id}.")
        if why is None:
            rule = _vp(esc, ctx.now(), vp_limit().business_days, SlaResolver().calendar(esc.ticket.customer_id))
            why = f"open more than {rule.days} business days" if rule.owed else "on request"
        save_versioned(esc, expected_version, {"vp_apprised": True, "vp_apprised_at": ctx.now(), "vp_note": note})
        _entry(esc, ctx, f"VP of Customer Success apprised ({why}). {note}".strip())
        record_audit(
            ctx, entity="escalation", entity_id=esc.id, customer=esc.ticket.customer_id, action="vp",
            summary=f"VP apprised of escalation #{esc.id}",
        )  # fmt: skip


# -- the VP rule's limit -----------------------------------------------------------------------------------------

VP_DAYS_SETTING = "escalation_vp_after_business_days"


@dataclass(frozen=True)
class VpLimit:
    """The VP rule's limit as stored: business days, and the setting's version for a stale-edit check."""

    business_days: int
    version: int | None


def vp_limit() -> VpLimit:
    """The business days after which an open escalation owes the VP an apprisal (default 3).

    A stored value that is not a whole number in range (written by hand or an old build) reads as the nearest
    allowed one, so the rule always has a limit to apply.
    """
    row = t.Setting.get_or_none(t.Setting.key == VP_DAYS_SETTING)
    stored = get_setting(VP_DAYS_SETTING, VP_DAYS_DEFAULT)
    try:
        days = round(float(stored))
    except (TypeError, ValueError):
        days = VP_DAYS_DEFAULT
    days = min(max(days, VP_DAYS_RANGE.start), VP_DAYS_RANGE.stop - 1)
    return VpLimit(days, None if row is None else int(row.version))


def set_vp_limit(ctx: Context, business_days: object, expected_version: int | None = None) -> None:
    """Store the VP rule's limit.

    Raises:
        FieldError: (field ``vp``) not a whole number from 1 to 60; the message names the value. Nothing is stored.
        StaleEdit: someone changed it since ``expected_version`` was read.
    """
    if problem := vp_days_problem(business_days):
        raise FieldError("vp", problem)
    set_setting(ctx, VP_DAYS_SETTING, business_days, expected_version)


def _vp(esc: t.Escalation, now: datetime, days: int, calendar: Clock) -> VpApprisal:
    apprised_at = esc.vp_apprised_at
    if esc.vp_apprised and apprised_at is None:  # apprised at an unknown time: nothing says it was late
        apprised_at = esc.opened_at
    return vp_apprisal(esc.opened_at, esc.closed_at, apprised_at, now, days, calendar)


def _row(esc: t.Escalation, now: datetime, resolver: SlaResolver, vp_days: int) -> EscalationRow:
    ticket = esc.ticket
    state = EscalationState(esc.state)
    end = esc.closed_at or now
    calendar = resolver.calendar(ticket.customer_id)
    age = calendar.elapsed(esc.opened_at, end) / BUSINESS_DAY
    owner, step = NEXT_STEP.get(state, ("", ""))
    manager = esc.support_manager.name if esc.support_manager else ""
    if owner == "support manager" and manager:
        owner = manager
    return EscalationRow(
        esc.id, esc.version, ticket.id, ticket.number, ticket.customer_id, ticket.customer.name,
        Severity(ticket.severity), state, esc.opened_at, esc.closed_at, round(age, 1), manager,
        esc.senior_director.name if esc.senior_director else "", esc.vp_apprised, owner, step, esc.reason,
        esc.vp_apprised_at, _vp(esc, now, vp_days, calendar),
    )  # fmt: skip


def list_escalations(
    now: datetime, *, customer_id: int | None = None, open_only: bool = False, ticket_id: int | None = None
) -> list[EscalationRow]:
    """Escalations, open ones first (oldest first), then closed ones (newest first)."""
    query = t.Escalation.select()
    if customer_id is not None:
        query = query.join(t.Ticket).where(t.Ticket.customer == customer_id)
    if ticket_id is not None:
        query = query.where(t.Escalation.ticket == ticket_id)
    resolver = SlaResolver()
    days = vp_limit().business_days
    rows = [_row(e, now, resolver, days) for e in query]
    if open_only:
        rows = [r for r in rows if r.state.is_open]
    opened = sorted((r for r in rows if r.state.is_open), key=lambda r: r.opened_at)
    closed = sorted((r for r in rows if not r.state.is_open), key=lambda r: r.closed_at or r.opened_at, reverse=True)
    return opened + closed


def escalation_detail(esc_id: int, now: datetime) -> EscalationDetail:
    esc = _escalation(esc_id)
    timeline = tuple(
        TimelineEntry(e.at, e.author, EscalationState(e.state) if e.state else None, e.text)
        for e in esc.entries.order_by(t.EscalationEntry.at, t.EscalationEntry.id)
    )
    data = EscalationInput(
        esc.requested_by, esc.requester_name, esc.reason, esc.business_impact, esc.desired_outcome,
        esc.vp_apprised, esc.vp_note,
    )  # fmt: skip
    row = _row(esc, now, SlaResolver(), vp_limit().business_days)
    return EscalationDetail(row, data, esc.decline_reason, esc.vp_apprised_at, esc.vp_note, timeline)


# -- the email that goes to support management -------------------------------------------------------------------


@dataclass(frozen=True)
class EmailDraft:
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    body: str

    def mailto(self) -> str:
        """A mailto: URL that opens the draft in the user's mail client."""
        query = urllib.parse.urlencode(
            {"cc": ",".join(self.cc), "subject": self.subject, "body": self.body}, quote_via=urllib.parse.quote
        )
        return f"mailto:{','.join(urllib.parse.quote(a, safe='@') for a in self.to)}?{query}"


def draft_email(esc_id: int, now: datetime, tz: tzinfo | None = None) -> EmailDraft:
    """The escalation email: to the support manager and senior director, cc the TAM (and VP when apprised).

    Times are on the clock of ``tz`` (the user's own zone by default), each with its zone's name; a deadline that
    already passed says so and how long ago.
    """
    from tamdesk.services.report_data import local_zone
    from tamdesk.services.tickets import ticket_detail

    tz = tz or local_zone()

    detail = escalation_detail(esc_id, now)
    esc = _escalation(esc_id)
    ticket = ticket_detail(esc.ticket_id, now)
    people = [esc.support_manager, esc.senior_director]
    to = tuple(p.email for p in people if p is not None and p.email)
    cc_people = [esc.ticket.customer.tam] if esc.ticket.customer.tam_id else []
    if esc.vp_apprised:
        vp = _person(PersonRole.VP_CUSTOMER_SUCCESS)
        cc_people.append(vp)
    cc = tuple(p.email for p in cc_people if p is not None and p.email)
    row = detail.row
    sla = ticket.sla
    what = "First response" if sla.first_response_at is None else "Next customer update"
    deadline = [deadline_words(what, sla.deadline, now, tz)] if sla.deadline else []
    lines = [
        f"Escalation #{row.id} of ticket {row.ticket_number} for {row.customer}",
        "",
        f"Ticket: {row.ticket_number} — {ticket.input.subject}",
        f"Severity: {row.severity.label} ({row.severity.definition})",
        f"Status: {ticket.input.status.label}; SLA: {sla.state.label}",
        *deadline,
        f"Requested by: {'the customer' if detail.input.requested_by == 'customer' else 'the TAM'}"
        + (f" ({detail.input.requester_name})" if detail.input.requester_name else ""),
        f"State: {row.state.label}; open {row.age_business_days:g} business days",
        *(
            [f"VP of Customer Success to be apprised: open more than {row.vp.days} business days."]
            if row.vp.owed
            else []
        ),
        "",
        f"Reason: {detail.input.reason}",
        f"Business impact: {detail.input.business_impact or '—'}",
        f"Desired outcome: {detail.input.desired_outcome or '—'}",
        "",
        "Timeline:",
        *(f"  {local_time(e.at, tz, weekday=False)}  {e.author}: {e.text}" for e in detail.timeline),
    ]
    subject = f"[Escalation] {row.customer} — {row.ticket_number} ({row.severity.label}): {detail.input.reason}"
    return EmailDraft(to, cc, subject[:200], "\n".join(lines))
