"""Onboarding checklist rules: the default template, steps the data proves, the derived state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from tamdesk.domain.calendar import BusinessCalendar
from tamdesk.domain.states import SeatStatus


class AutoRule(StrEnum):
    """Steps that complete themselves when the data proves them."""

    USERS_DESIGNATED = "users_designated"
    ACCESS_FORM_SENT = "access_form_sent"
    ACCESS_FORM_RETURNED = "access_form_returned"
    SEATS_GRANTED = "seats_granted"
    WELCOME_CONFIRMED = "welcome_confirmed"

    @property
    def asks_why_by_hand(self) -> bool:
        """Whether ticking the step by hand needs a reason. The designated users are named at the kickoff, before
        the access form brings their seats: ticking that step by hand is the usual way, and needs none."""
        return self is not AutoRule.USERS_DESIGNATED

    @property
    def follows_the_data(self) -> bool:
        """Whether the step also reopens itself when the data stops proving it (the others, once proved, stay
        done: access granted once is not undone by a later revocation)."""
        return self is AutoRule.USERS_DESIGNATED

    @property
    def explanation(self) -> str:
        return {
            AutoRule.USERS_DESIGNATED: (
                "Completes itself when every seat of the allowance is held by a distinct person (requested, "
                "granted or active) or a returned access form named everyone, and reopens itself when fewer are."
            ),
            AutoRule.ACCESS_FORM_SENT: "Completes itself when the access form is sent.",
            AutoRule.ACCESS_FORM_RETURNED: "Completes itself when a returned access form is applied.",
            AutoRule.SEATS_GRANTED: (
                "Completes itself when every designated user has portal access "
                "(every seat of the allowance, or everyone on the returned access form)."
            ),
            AutoRule.WELCOME_CONFIRMED: (
                "Completes itself when every designated user confirmed the welcome email "
                "(every seat of the allowance, or everyone on the returned access form)."
            ),
        }[self]

    @property
    def trigger(self) -> str:
        """When the step completes itself, as the template's list says it: ``when the access form is sent``."""
        return {
            AutoRule.USERS_DESIGNATED: "when every seat is held by a distinct person",
            AutoRule.ACCESS_FORM_SENT: "when the access form is sent",
            AutoRule.ACCESS_FORM_RETURNED: "when a returned form is applied",
            AutoRule.SEATS_GRANTED: "when every seat is granted",
            AutoRule.WELCOME_CONFIRMED: "when every welcome is confirmed",
        }[self]

    @property
    def proof(self) -> str:
        """What the data showed when the step completed itself, followed by when: ``the form sent``."""
        return {
            AutoRule.USERS_DESIGNATED: "every seat held by a distinct person, the last",
            AutoRule.ACCESS_FORM_SENT: "the form sent",
            AutoRule.ACCESS_FORM_RETURNED: "the returned form applied",
            AutoRule.SEATS_GRANTED: "every seat granted, the last",
            AutoRule.WELCOME_CONFIRMED: "every welcome email confirmed, the last",
        }[self]


class OnboardingState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class TemplateStep:
    title: str
    description: str
    offset_days: int
    auto_rule: AutoRule | None = None


DEFAULT_TEMPLATE: tuple[TemplateStep, ...] = (
    TemplateStep("Kickoff held", "Kickoff meeting with the customer's project lead and sponsors.", 0),
    TemplateStep(
        "TAM introduced and support process explained",
        "Severities, SLA targets and the escalation path walked through with the customer.",
        2,
    ),
    TemplateStep(
        "Five designated users identified",
        "Five distinct people, never alias addresses.",
        5,
        AutoRule.USERS_DESIGNATED,
    ),
    TemplateStep("Access form sent", "The portal access form sent to the customer.", 5, AutoRule.ACCESS_FORM_SENT),
    TemplateStep(
        "Access form returned and validated",
        "The returned form checked against the seat rules and applied.",
        10,
        AutoRule.ACCESS_FORM_RETURNED,
    ),
    TemplateStep("Portal access granted", "Portal access provisioned for every seat.", 12, AutoRule.SEATS_GRANTED),
    TemplateStep(
        "Welcome emails confirmed by each user",
        "Each seat holder confirmed the welcome email with the portal link.",
        15,
        AutoRule.WELCOME_CONFIRMED,
    ),
    TemplateStep(
        "Knowledge base, downloads and ticket submission walked through",
        "A session on the customer portal: troubleshooting guides, downloads and submitting tickets.",
        18,
    ),
    TemplateStep("Escalation contacts shared", "Support manager and senior director contacts shared.", 18),
    TemplateStep("Onboarding signed off", "The customer confirms onboarding is complete.", 21),
)


@dataclass(frozen=True)
class SeatFact:
    """What the checklist needs of one portal seat."""

    mailbox_key: str  # the same person's addresses share it (see domain.mailbox.mailbox_key)
    status: SeatStatus
    requested_at: datetime


@dataclass(frozen=True)
class Designation:
    """How many distinct people hold the customer's seats now, against its allowance."""

    people: int
    allowance: int
    since: datetime | None  # when the users were all designated; None while some are still to come
    by_form: bool = False  # fewer than the allowance, but a returned access form named everyone

    @property
    def complete(self) -> bool:
        return self.since is not None

    @property
    def summary(self) -> str:
        """``5 of 5 seats held by distinct people`` (``…, everyone the returned access form names``)."""
        text = f"{self.people} of {self.allowance} seat{'' if self.allowance == 1 else 's'} held by distinct people"
        return text + (", everyone the returned access form names" if self.by_form else "")


def designation(seats: Sequence[SeatFact], allowance: int, form_returned_at: datetime | None = None) -> Designation:
    """Whether the customer's designated users are all identified now, and since when.

    They are once every seat of ``allowance`` is held by a distinct person, or (a customer who designates fewer)
    once a returned access form named them. A seat counts while requested, granted or active (a revoked one freed
    its slot); two seats of one mailbox are one person. ``since`` is when the last person needed was requested, or
    when the form came back.
    """
    first_seen: dict[str, datetime] = {}
    for seat in sorted((s for s in seats if s.status.counts), key=lambda s: s.requested_at):
        first_seen.setdefault(seat.mailbox_key, seat.requested_at)
    people = len(first_seen)
    if people >= allowance > 0:
        return Designation(people, allowance, sorted(first_seen.values())[allowance - 1])
    if people and form_returned_at is not None:
        return Designation(people, allowance, form_returned_at, by_form=True)
    return Designation(people, allowance, None)


@dataclass(frozen=True)
class StepStatus:
    due_date: date | None
    done_at: datetime | None


def due_on(start: date, offset_days: int, calendar: BusinessCalendar | None = None) -> date:
    """The day a step falls due: ``offset_days`` after the start, moved to a day the customer works.

    With the customer's ``calendar`` that is its next business day, so a step never falls due on a holiday, a
    closed weekday or a date closed by date-specific hours (the same calendar as its SLA deadlines). Without one,
    a weekend day moves to the Monday.
    """
    day = start + timedelta(days=offset_days)
    if calendar is not None:
        return calendar.next_business_day(day)
    weekend = day.weekday() - 4  # Saturday 1, Sunday 2
    return day + timedelta(days=3 - weekend) if weekend > 0 else day


def progress(steps: Sequence[StepStatus]) -> tuple[int, int]:
    """(done, total) for a checklist."""
    return sum(1 for s in steps if s.done_at is not None), len(steps)


def is_overdue(step: StepStatus, today: date) -> bool:
    return step.done_at is None and step.due_date is not None and step.due_date < today


def onboarding_state(steps: Sequence[StepStatus], started: date | None, today: date) -> OnboardingState:
    """The customer's onboarding state, derived from its steps."""
    done, total = progress(steps)
    if total and done == total:
        return OnboardingState.COMPLETE
    if any(is_overdue(s, today) for s in steps):
        return OnboardingState.OVERDUE
    if started is None and done == 0:
        return OnboardingState.NOT_STARTED
    return OnboardingState.IN_PROGRESS
