"""One customer in full: Overview, Onboarding, Portal seats, Contacts, Timeline, Contract, Tickets, Escalations,
Defects and History tabs.

One module per tab of its own (Tickets, Escalations and Defects come from their pages), ``common`` for what they
share, and ``view`` for the ``CustomerDetailView`` that holds them.
"""

from tamdesk.views.customer_detail.common import STATE_TONES, state_text
from tamdesk.views.customer_detail.contacts import ContactsTab, ContactTableModel
from tamdesk.views.customer_detail.history import HistoryTab
from tamdesk.views.customer_detail.onboarding import ChecklistModel, DueDateDelegate, OnboardingTab
from tamdesk.views.customer_detail.overview import OverviewTab
from tamdesk.views.customer_detail.seats import SeatsTab, SlotsBar, revoked_columns, seat_columns
from tamdesk.views.customer_detail.view import CustomerDetailView

__all__ = [
    "STATE_TONES",
    "ChecklistModel",
    "ContactTableModel",
    "ContactsTab",
    "CustomerDetailView",
    "DueDateDelegate",
    "HistoryTab",
    "OnboardingTab",
    "OverviewTab",
    "SeatsTab",
    "SlotsBar",
    "revoked_columns",
    "seat_columns",
    "state_text",
]
