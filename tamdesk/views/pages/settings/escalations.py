"""The Escalations section: the default support manager and senior director, and when the VP is apprised."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QSpinBox

from tamdesk.domain.states import PersonRole
from tamdesk.services.directory import escalation_contacts, set_escalation_contact
from tamdesk.services.escalations import set_vp_limit, vp_limit
from tamdesk.services.people import list_people
from tamdesk.views.pages.settings.helpers import SPIN_WIDTH, days_suffix
from tamdesk.views.pages.settings.section import Section


class EscalationSection(Section):
    title = "Escalations"
    intro = (
        "Who an escalation names by default, and when the VP of Customer Success is to be apprised of an "
        "escalation that stays open (Sev1 tickets and requests apprise the VP at once). An escalation past the "
        "limit shows “VP of Customer Success to be apprised” on Today, in its detail and in the list until "
        "someone apprises the VP."
    )

    def build(self) -> None:
        form = self.form()
        self.support_manager = QComboBox()
        self.senior_director = QComboBox()
        self.vp_days = QSpinBox()
        self.vp_days.setRange(0, 999)  # the service says which values it takes, beside the field
        self.vp_days.setMaximumWidth(SPIN_WIDTH)
        self.vp_days.valueChanged.connect(lambda _: days_suffix(self.vp_days))
        self.add_field(form, PersonRole.SUPPORT_MANAGER.value, "&Support manager", self.support_manager,
                       "Add people in the People directory section.")  # fmt: skip
        self.add_field(form, PersonRole.SENIOR_DIRECTOR.value, "Senior &director", self.senior_director)
        self.add_field(form, "vp", "Apprise the &VP after", self.vp_days,
                       "1 to 60 business days of the customer's calendar; escalations open longer owe the VP of "
                       "Customer Success an apprisal.")  # fmt: skip
        self.add_form(form)
        self.track(self.support_manager.currentIndexChanged, self.senior_director.currentIndexChanged,
                   self.vp_days.valueChanged)  # fmt: skip

    def _fill(self, combo: QComboBox, role: PersonRole, chosen: str | None) -> None:
        combo.clear()
        combo.addItem(f"(the first active {role.label.lower()})", "")
        for person in list_people(role):
            combo.addItem(person.name, person.name)
        if chosen and combo.findData(chosen) < 0:
            combo.addItem(f"{chosen} (no longer an active {role.label.lower()})", chosen)
        combo.setCurrentIndex(max(combo.findData(chosen or ""), 0))

    def read(self) -> None:
        contacts = escalation_contacts()
        self._fill(self.support_manager, PersonRole.SUPPORT_MANAGER, contacts.support_manager)
        self._fill(self.senior_director, PersonRole.SENIOR_DIRECTOR, contacts.senior_director)
        limit = vp_limit()
        self._vp_version = limit.version
        self.vp_days.setValue(limit.business_days)
        days_suffix(self.vp_days)

    def values(self) -> object:
        return self.support_manager.currentData(), self.senior_director.currentData(), self.vp_days.value()

    def write(self) -> None:
        manager, director, days = self.values()  # type: ignore[misc]
        set_vp_limit(self.ctx, days, self._vp_version)  # first: a refused limit leaves everything unsaved
        contacts = escalation_contacts()
        if manager != (contacts.support_manager or ""):
            set_escalation_contact(self.ctx, PersonRole.SUPPORT_MANAGER, manager)
        if director != (contacts.senior_director or ""):
            set_escalation_contact(self.ctx, PersonRole.SENIOR_DIRECTOR, director)
