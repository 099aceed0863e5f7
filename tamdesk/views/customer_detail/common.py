"""What the customer detail tabs share: the onboarding state's text and tone, headings, access form dates."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QLabel

from tamdesk.domain.onboarding import OnboardingState
from tamdesk.services.customers import CustomerDetail
from tamdesk.views.table_model import local_date
from tamdesk.views.widgets import Tone

STATE_TONES = {OnboardingState.OVERDUE: Tone.ERROR, OnboardingState.COMPLETE: Tone.OK}


def state_text(state: OnboardingState) -> str:
    """The onboarding state as a user reads it; overdue carries a sign besides its colour."""
    return f"⚠ {state.label}" if state is OnboardingState.OVERDUE else state.label


def heading(text: str, scale: float = 1.6) -> QLabel:
    """A bold title ``scale`` times the size of the usual font."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


def form_text(detail: CustomerDetail) -> str:
    """``Sent 09 Feb 2026, returned 12 Feb 2026`` or ``Not sent yet``."""
    sent = f"Sent {short_date(detail.access_form_sent_at)}" if detail.access_form_sent_at else "Not sent yet"
    back = f", returned {short_date(detail.access_form_returned_at)}" if detail.access_form_returned_at else ""
    return f"{sent}{back}"


def short_date(moment: datetime | None) -> str:
    """A UTC moment as the user's local calendar date: ``09 Feb 2026``."""
    return local_date(moment.astimezone().date()) if moment else ""
