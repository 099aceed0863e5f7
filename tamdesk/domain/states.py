"""The states that tickets, seats, escalations and defects move through."""

from __future__ import annotations

from enum import StrEnum


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        """Human label: ``waiting_on_customer`` -> ``Waiting on customer``."""
        return self.value.replace("_", " ").capitalize()

    @classmethod
    def parse(cls, text: object) -> _Labelled:
        """Read a state written as its value or label, in any case, with spaces, dashes or underscores."""
        key = "_".join(str(text).strip().lower().replace("-", " ").replace("_", " ").split())
        try:
            return cls(key)
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ValueError(f"'{text}' is not one of {allowed}") from None


class TicketStatus(_Labelled):
    NEW = "new"
    OPEN = "open"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    WAITING_ON_ENGINEERING = "waiting_on_engineering"
    SOLVED = "solved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        """Not solved or closed: the ticket still needs work."""
        return self not in (TicketStatus.SOLVED, TicketStatus.CLOSED)


class TicketEventKind(_Labelled):
    """Events of a ticket's history; SLA clocks are recomputed from these."""

    RESPONSE = "response"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    CUSTOMER_REPLIED = "customer_replied"
    SOLVED = "solved"
    REOPENED = "reopened"


class SeatStatus(_Labelled):
    REQUESTED = "requested"
    GRANTED = "granted"
    ACTIVE = "active"
    REVOKED = "revoked"

    @property
    def counts(self) -> bool:
        """A seat uses one of the customer's slots unless revoked."""
        return self is not SeatStatus.REVOKED


class EscalationState(_Labelled):
    REQUESTED = "requested"
    ACKNOWLEDGED = "acknowledged"
    ACTION_PLAN = "action_plan"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    DECLINED = "declined"

    @property
    def is_open(self) -> bool:
        return self not in (EscalationState.RESOLVED, EscalationState.DECLINED)


class DefectState(_Labelled):
    REPORTED = "reported"
    VALIDATED = "validated"
    ESCALATED = "escalated"
    PRIORITIZED = "prioritized"
    FIX_IN_PROGRESS = "fix_in_progress"
    FIX_DEPLOYED = "fix_deployed"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self not in (DefectState.FIX_DEPLOYED, DefectState.CLOSED)


class ClockKind(_Labelled):
    """Whether an SLA target counts every hour or only business hours."""

    TWENTY_FOUR_SEVEN = "24x7"
    BUSINESS_HOURS = "business_hours"

    @property
    def label(self) -> str:
        return "24×7" if self is ClockKind.TWENTY_FOUR_SEVEN else "Business hours"


class PersonRole(_Labelled):
    TAM = "tam"
    SUPPORT_MANAGER = "support_manager"
    SENIOR_DIRECTOR = "senior_director"
    VP_CUSTOMER_SUCCESS = "vp_customer_success"
    SUPPORT_ENGINEER = "support_engineer"

    @property
    def label(self) -> str:
        return {
            "tam": "TAM",
            "support_manager": "Support manager",
            "senior_director": "Senior director of support",
            "vp_customer_success": "VP of Customer Success",
            "support_engineer": "Support engineer",
        }[self.value]
