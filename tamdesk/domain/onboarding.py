"""Onboarding checklist rules: the default template, steps the data proves, the derived state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from tamdesk.domain.calendar import BusinessCalendar


class AutoRule(StrEnum):
    """Steps that complete themselves when the data proves them."""

    ACCESS_FORM_SENT = "access_form_sent"
    ACCESS_FORM_RETURNED = "access_form_returned"
    SEATS_GRANTED = "seats_granted"
    WELCOME_CONFIRMED = "welcome_confirmed"

    @property
    def explanation(self) -> str:
        return {
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
    TemplateStep("Five designated users identified", "Five distinct people, never alias addresses.", 5),
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
