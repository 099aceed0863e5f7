"""The Defect updates section: how often a customer waiting on a defect hears from the TAM, by severity."""

from __future__ import annotations

from PySide6.QtWidgets import QSpinBox

from tamdesk.domain.severity import Severity
from tamdesk.services.settings import get_setting, set_setting
from tamdesk.views.pages.settings.helpers import SPIN_WIDTH, days_suffix, setting_version
from tamdesk.views.pages.settings.section import Section

CADENCE_SETTING = "defect_update_cadence_business_days"
DEFAULT_CADENCE = {"1": 1, "2": 5, "3": 10, "4": 20}


class CadenceSection(Section):
    title = "Defect updates"
    intro = (
        "How often a customer waiting on a product defect hears from you, by the severity of the ticket. Defects "
        "whose customers are overdue for an update are marked in the Defects list."
    )

    def build(self) -> None:
        form = self.form()
        self.spins: dict[Severity, QSpinBox] = {}
        for sev in Severity:
            spin = QSpinBox()
            spin.setRange(1, 250)
            spin.setMaximumWidth(SPIN_WIDTH)
            spin.setPrefix("every ")
            spin.setToolTip(sev.definition)
            spin.valueChanged.connect(lambda _, s=spin: days_suffix(s))
            self.add_field(form, str(int(sev)), sev.label, spin)
            self.spins[sev] = spin
            self.track(spin.valueChanged)
        self.add_form(form)

    def read(self) -> None:
        self._version = setting_version(CADENCE_SETTING)
        stored = {**DEFAULT_CADENCE, **(get_setting(CADENCE_SETTING, DEFAULT_CADENCE) or {})}
        for sev, spin in self.spins.items():
            spin.setValue(int(stored[str(int(sev))]))
            days_suffix(spin)

    def values(self) -> object:
        return {str(int(sev)): spin.value() for sev, spin in self.spins.items()}

    def write(self) -> None:
        set_setting(self.ctx, CADENCE_SETTING, self.values(), self._version)
