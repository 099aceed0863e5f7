"""Today's sections: the words for times, and each section's columns and texts (shown by views.pages.today)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
)

from tamdesk.domain.health import DROP_POINTS
from tamdesk.domain.sla import SlaState, format_day
from tamdesk.domain.states import SeatStatus
from tamdesk.services.follow_ups import FollowUpRow
from tamdesk.services.health import HealthDrop
from tamdesk.services.stakeholder_alerts import HORIZON as STAKEHOLDER_HORIZON
from tamdesk.services.stakeholder_alerts import Loss, StakeholderLost
from tamdesk.services.today import (
    FOLLOW_UP_HORIZON,
    ONBOARDING_HORIZON,
    AccountAlert,
    EscalationWaiting,
    OnboardingDue,
    SeatPending,
    Section,
    TicketAlert,
    UpdateDue,
)
from tamdesk.views.health_format import BAND_MARKS, health_colour, health_text, reasons_text
from tamdesk.views.sla_format import business_days, short_duration
from tamdesk.views.table_model import Column, Priority, local_time
from tamdesk.views.widgets import Tone, tone_color

# -- words for times -----------------------------------------------------------------------------------------------


def due_text(due: datetime, now: datetime, late: str = "overdue") -> str:
    """``due in 15 m`` before ``due``; ``overdue 2 h`` (or ``breached 2 h ago``) after it."""
    left = due - now
    if left >= timedelta(0):
        return "due now" if left < timedelta(minutes=1) else f"due in {short_duration(left)}"
    if late == "breached":
        return f"breached {short_duration(left)} ago"
    return f"{late} {short_duration(left)}"


def day_text(due: date, today: date) -> str:
    """``overdue 3 days``, ``due today``, ``due tomorrow`` or ``due Thu 12 Mar``."""
    days = (due - today).days
    if days < 0:
        return f"overdue {-days} day{'s' if days != -1 else ''}"
    return {0: "due today", 1: "due tomorrow"}.get(days, f"due {format_day(due)}")


def waited(since: datetime, now: datetime) -> str:
    """How long something has waited: ``12 days``, ``1 day``, ``5 h 10 m``, ``just now``."""
    delta = now - since
    if delta >= timedelta(days=1):
        return f"{delta.days} day{'s' if delta.days != 1 else ''}"
    return "just now" if delta < timedelta(minutes=1) else short_duration(delta)


VP_TO_BE_APPRISED = "VP of Customer Success to be apprised"


def _who(waiting: str, tam: str) -> str:
    if waiting == "TAM":
        return f"{tam} (TAM)" if tam else "TAM"
    return waiting[:1].upper() + waiting[1:] if waiting else "—"


def waiting_on(row: EscalationWaiting) -> str:
    """Who the escalation waits on, with the TAM's name when it is the TAM; the TAM while the VP is owed."""
    return _who("TAM" if row.vp_owed else row.waiting_on, row.customer_tam)


def escalation_step(row: EscalationWaiting) -> str:
    """The step it waits for: ``✖ VP of Customer Success to be apprised`` while the VP rule says so."""
    return f"✖ {VP_TO_BE_APPRISED}" if row.vp_owed else row.next_step


def escalation_step_tip(row: EscalationWaiting) -> str:
    """The step in full; while the VP is owed, since when, and the step the escalation itself waits for."""
    step = f"{row.state.label}: {_who(row.waiting_on, row.customer_tam)} to {row.next_step}"
    if row.vp_due_at is None:
        return step
    return (
        f"{VP_TO_BE_APPRISED}: open more than {row.vp_days} business days, since {local_time(row.vp_due_at)}. "
        f"Open the escalation and use Apprise VP….\n{step}"
    )


# -- the columns of each section --------------------------------------------------------------------------------

Now = Callable[[], datetime]


def _tone(tone: Tone | None) -> QColor | None:
    return tone_color(tone) if tone else None


def _link(_: object) -> QColor:
    return QApplication.palette().color(QPalette.ColorRole.Link)


def _open_column(what: Callable[[Any], str]) -> Column[Any]:
    return Column[Any]("", lambda r: "Open ›", tooltip=lambda r: f"Open {what(r)} (Enter or double-click)",
                       foreground=_link, align_right=True, priority=Priority.KEEP)  # fmt: skip


def ticket_columns(now: Now) -> list[Column[TicketAlert]]:
    mark = {SlaState.BREACHED: "✖ ", SlaState.AT_RISK: "⚠ "}
    return [
        Column[TicketAlert]("First response", lambda r: mark.get(r.state, "") + due_text(r.deadline, now(), "breached"),
                            tooltip=lambda r: f"First response due {local_time(r.deadline)}",
                            foreground=lambda r: _tone(Tone.ERROR if r.breached else Tone.WARNING),
                            priority=Priority.KEEP),
        Column[TicketAlert]("Ticket", lambda r: r.number, priority=Priority.KEEP),
        Column[TicketAlert]("Severity", lambda r: r.severity.label, tooltip=lambda r: r.severity.definition),
        Column[TicketAlert]("Customer", lambda r: r.customer),
        Column[TicketAlert]("Subject", lambda r: r.subject, tooltip=lambda r: r.subject, stretch=True),
        _open_column(lambda r: f"ticket {r.number}"),
    ]  # fmt: skip


def update_columns(now: Now) -> list[Column[UpdateDue]]:
    return [
        Column[UpdateDue]("Update", lambda r: ("✖ " if r.overdue else "⚠ ") + due_text(r.due, now()),
                          tooltip=lambda r: f"Customer update due {local_time(r.due)}",
                          foreground=lambda r: _tone(Tone.ERROR if r.overdue else Tone.WARNING),
                          priority=Priority.KEEP),
        Column[UpdateDue]("Ticket or defect", lambda r: r.reference, priority=Priority.KEEP),
        Column[UpdateDue]("Severity", lambda r: r.severity.label, tooltip=lambda r: r.severity.definition),
        Column[UpdateDue]("Customer", lambda r: r.customer),
        Column[UpdateDue]("Subject", lambda r: r.title, tooltip=lambda r: r.title, stretch=True),
        _open_column(lambda r: r.reference),
    ]  # fmt: skip


def escalation_columns(now: Now) -> list[Column[EscalationWaiting]]:
    return [
        Column[EscalationWaiting]("Waiting on", waiting_on, foreground=lambda r: _tone(Tone.INFO)),
        Column[EscalationWaiting]("Next step", escalation_step, tooltip=escalation_step_tip, stretch=True,
                                  foreground=lambda r: _tone(Tone.ERROR) if r.vp_owed else None),
        Column[EscalationWaiting]("Escalation", lambda r: f"#{r.escalation_id} · {r.ticket_number}",
                                  tooltip=lambda r: r.reason),
        Column[EscalationWaiting]("Customer", lambda r: r.customer),
        Column[EscalationWaiting]("Open for", lambda r: business_days(r.age_business_days),
                                  tooltip=lambda r: f"Opened {local_time(r.opened_at)}"),
        _open_column(lambda r: f"escalation #{r.escalation_id}"),
    ]  # fmt: skip


def onboarding_columns(now: Now) -> list[Column[OnboardingDue]]:
    def today() -> date:
        return now().astimezone().date()

    return [
        Column[OnboardingDue]("Due", lambda r: ("✖ " if r.overdue else "") + day_text(r.due, today()),
                              tooltip=lambda r: f"Due {r.due:%A %d %B %Y}",
                              foreground=lambda r: _tone(Tone.ERROR if r.overdue else Tone.WARNING)),
        Column[OnboardingDue]("Customer", lambda r: r.customer),
        Column[OnboardingDue]("Step", lambda r: r.title, tooltip=lambda r: r.title, stretch=True),
        _open_column(lambda r: f"{r.customer}'s onboarding checklist"),
    ]  # fmt: skip


SEAT_WAITING = {
    SeatStatus.REQUESTED: "Requested · to be granted",
    SeatStatus.GRANTED: "Granted · welcome not confirmed",
}


def seat_columns(now: Now) -> list[Column[SeatPending]]:
    return [
        Column[SeatPending]("Waiting", lambda r: waited(r.since, now()),
                            tooltip=lambda r: f"{r.status.label} {local_time(r.since)}",
                            foreground=lambda r: _tone(Tone.INFO)),
        Column[SeatPending]("Customer", lambda r: r.customer),
        Column[SeatPending]("Seat holder", lambda r: f"Seat {r.seat_no} · {r.full_name} <{r.email}>", email=True,
                            stretch=True),
        Column[SeatPending]("Status", lambda r: SEAT_WAITING.get(r.status, r.status.label)),
        _open_column(lambda r: f"{r.customer}'s portal seats"),
    ]  # fmt: skip


def follow_up_columns(now: Now) -> list[Column[FollowUpRow]]:
    def today() -> date:
        return now().astimezone().date()

    return [
        Column[FollowUpRow]("Due", lambda r: ("✖ " if r.overdue else "") + day_text(r.due_on, today()),
                            tooltip=lambda r: f"Due {r.due_on:%A %d %B %Y}",
                            foreground=lambda r: _tone(Tone.ERROR if r.overdue else Tone.WARNING)),
        Column[FollowUpRow]("Customer", lambda r: r.customer),
        Column[FollowUpRow]("Follow-up", lambda r: r.what, tooltip=lambda r: f"{r.what}\nFrom: {r.entry_title}"
                            if r.entry_title else r.what, stretch=True),
        Column[FollowUpRow]("Owner", lambda r: r.owner or "—"),
        _open_column(lambda r: f"{r.customer}'s timeline"),
    ]  # fmt: skip


STAKEHOLDER_LOSS = {Loss.LEFT: "Left the customer", Loss.SEAT_REVOKED: "Portal seat revoked"}


def stakeholder_columns(now: Now) -> list[Column[StakeholderLost]]:
    return [
        Column[StakeholderLost]("What happened", lambda r: f"⚠ {STAKEHOLDER_LOSS[r.loss]}",
                                tooltip=lambda r: r.message, foreground=lambda r: _tone(Tone.WARNING)),
        Column[StakeholderLost]("On", lambda r: r.day, tooltip=lambda r: local_time(r.at)),
        Column[StakeholderLost]("Customer", lambda r: r.customer),
        Column[StakeholderLost]("Stakeholder", lambda r: f"{r.full_name} · {r.role.label}",
                                tooltip=lambda r: r.message, stretch=True),
        _open_column(lambda r: f"{r.customer}'s contacts"),
    ]  # fmt: skip


def account_when(row: AccountAlert, today: date) -> str:
    """``in 88 days`` or ``passed 3 days ago`` for a renewal; ``deployed 8 days ago`` for a fix."""
    days = (row.on - today).days
    if row.kind == "renewal":
        if days >= 0:
            return {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")
        return f"passed {-days} day{'s' if days != -1 else ''} ago"
    return "deployed today" if days == 0 else f"deployed {-days} day{'s' if days != -1 else ''} ago"


def account_columns(now: Now) -> list[Column[AccountAlert]]:
    def today() -> date:
        return now().astimezone().date()

    return [
        Column[AccountAlert]("When", lambda r: ("✖ " if r.urgent else "⚠ ") + account_when(r, today()),
                             tooltip=lambda r: r.detail,
                             foreground=lambda r: _tone(Tone.ERROR if r.urgent else Tone.WARNING)),
        Column[AccountAlert]("Customer", lambda r: r.customer),
        Column[AccountAlert]("What", lambda r: r.headline, tooltip=lambda r: r.detail, stretch=True),
        _open_column(lambda r: f"{r.customer}'s contract" if r.kind == "renewal" else f"defect #{r.item_id}"),
    ]  # fmt: skip


def health_columns(now: Now) -> list[Column[HealthDrop]]:
    def before(r: HealthDrop) -> str:
        return f"{r.before.score} {BAND_MARKS[r.before.band]} {r.before.band.label}, week of {r.before.week:%d %b}"

    return [
        Column[HealthDrop]("Health", lambda r: health_text(r.now), tooltip=lambda r: reasons_text(r.now),
                           foreground=lambda r: health_colour(r.now)),
        Column[HealthDrop]("Fell", lambda r: f"−{r.points}" if r.points > 0 else "band",
                           tooltip=lambda r: f"From {before(r)}"),
        Column[HealthDrop]("Customer", lambda r: r.customer),
        Column[HealthDrop]("Biggest reason", lambda r: str(r.now.reasons[0]) if r.now.reasons else "—",
                           tooltip=lambda r: reasons_text(r.now), stretch=True),
        _open_column(lambda r: r.customer),
    ]  # fmt: skip


@dataclass(frozen=True)
class SectionSpec:
    """How the page shows one section: its columns (one of them the text that stretches) and its words."""

    columns: Callable[[Now], list[Column[Any]]]
    tile: str  # under the tile's number
    note: str  # under the section heading
    clear: str  # when the section is empty


SPECS: dict[Section, SectionSpec] = {
    Section.TICKETS: SectionSpec(
        ticket_columns, "Tickets at risk",
        "Tickets still waiting for their first response, at risk or past the deadline; soonest deadline first.",
        "No first response is at risk."),
    Section.UPDATES: SectionSpec(
        update_columns, "Customer updates",
        "Customers owed an update: tickets whose update clock is at risk or breached, and defects whose update "
        "is due within a business day.",
        "Every customer is up to date."),
    Section.ESCALATIONS: SectionSpec(
        escalation_columns, "Escalations waiting",
        "Open escalations, the longest waiting first, and who each is waiting on; those open past the VP rule's "
        "limit first, until the VP of Customer Success is apprised.",
        "No escalation is open."),
    Section.ONBOARDING: SectionSpec(
        onboarding_columns, "Onboarding steps",
        f"Checklist steps overdue or due in the next {ONBOARDING_HORIZON.days} days.",
        "No onboarding step is due."),
    Section.SEATS: SectionSpec(
        seat_columns, "Portal seats pending",
        "Seats requested but not yet granted, and granted seats whose welcome email is not yet confirmed.",
        "Every portal seat is active."),
    Section.FOLLOW_UPS: SectionSpec(
        follow_up_columns, "Follow-ups",
        f"Follow-ups promised on the timeline, overdue or due in the next {FOLLOW_UP_HORIZON.days} days. Select one "
        "to mark it done, defer it or give it to someone else.",
        "No follow-up is due."),
    Section.STAKEHOLDERS: SectionSpec(
        stakeholder_columns, "Stakeholders lost",
        f"Champions and executive sponsors who left their company, or whose portal seat was revoked, in the last "
        f"{STAKEHOLDER_HORIZON.days} days: find who takes their place.",
        "No champion or executive sponsor was lost."),
    Section.ACCOUNTS: SectionSpec(
        account_columns, "Renewals and fixes",
        "Contracts renewing within 120 days (red from 60 days), and customers still on a version older than a "
        "deployed fix they are waiting for.",
        "No renewal is near and every deployed fix is installed."),
    Section.HEALTH: SectionSpec(
        health_columns, "Health dropped",
        f"Customers whose health fell by {DROP_POINTS} points or more, or into a worse band, since last week's "
        "snapshot; the biggest fall first.",
        "No customer's health dropped since last week."),
}  # fmt: skip
