"""The Health section: the most points each factor takes off a customer's health score of 100."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QSpinBox

from tamdesk.domain.health import AMBER_FROM, GREEN_FROM, MAX_WEIGHT, Factor, HealthWeights, weights_refusal
from tamdesk.services.health import get_weights, set_weights, weights_version
from tamdesk.views.pages.settings.helpers import SPIN_WIDTH
from tamdesk.views.pages.settings.section import Section
from tamdesk.views.widgets import Tone, set_tone_style

HINTS = {
    Factor.OPEN_SEV1: "Each open Sev1 ticket takes half of it; two or more take it all.",
    Factor.OPEN_SEV2: "A fifth for each open Sev2 ticket, all of it from five.",
    Factor.SLA_BREACHES: "A fifth per ticket breached in the last 90 days (excused ones not), all from five.",
    Factor.OPEN_ESCALATIONS: "Half for each open escalation, all of it from two.",
    Factor.OVERDUE_DEFECT_UPDATES: "Half for each open defect whose update to the customer is overdue.",
    Factor.ONBOARDING: "All of it while onboarding is overdue, half while it has not started.",
    Factor.SEATS: "The share of the seat allowance not active; a pending seat counts half.",
    Factor.LAST_CONTACT: "None up to 30 days since a meeting, call or email; all of it at 90 days or with none.",
    Factor.RENEWAL: "Half within 120 days of the renewal date, all of it within 60 days or once it passed.",
}


class HealthSection(Section):
    title = "Health"
    intro = (
        f"Every customer's health starts at 100; each factor takes off up to its weight in points, and every point "
        f"taken off is listed as a reason. Green from {GREEN_FROM}, amber from {AMBER_FROM}, red below."
    )
    saved_text = "Saved. Health is computed with these weights from now on."

    def build(self) -> None:
        form = self.form()
        self.spins: dict[Factor, QSpinBox] = {}
        for factor in Factor:
            spin = QSpinBox()
            spin.setRange(0, MAX_WEIGHT)
            spin.setMaximumWidth(SPIN_WIDTH)
            spin.setSuffix(" points")
            spin.valueChanged.connect(self._show_total)
            self.add_field(form, factor.value, factor.label, spin, HINTS[factor])
            self.spins[factor] = spin
            self.track(spin.valueChanged)
        self.add_form(form)
        # the sum, and why weights cannot be saved, in space kept for two lines so nothing below moves
        self.total = QLabel()
        self.total.setWordWrap(True)
        self.total.setAccessibleName("Weights total")
        self.total.setMinimumHeight(2 * self.total.fontMetrics().lineSpacing() + 4)
        self.body.addWidget(self.total)
        self.defaults_button = QPushButton("Use the &defaults")
        self.defaults_button.setToolTip("Put every weight back to its default (they sum to 100); Save keeps them")
        self.defaults_button.clicked.connect(self._use_defaults)
        self.extra_buttons.append(self.defaults_button)

    def weights(self) -> HealthWeights:
        return HealthWeights(**{factor.value: spin.value() for factor, spin in self.spins.items()})

    def _show_total(self, *_: object) -> None:
        weights = self.weights()
        refusal = weights_refusal(weights)
        text = f"Weights sum to {weights.total} points."
        if refusal:
            text += f"\n{refusal}"
        elif weights.total != 100:
            text += " (The defaults sum to 100; a score never goes below 0.)"
        self.total.setText(text)
        set_tone_style(self.total, Tone.ERROR if refusal else None, plain="color: palette(placeholder-text);")
        self.save_button.setEnabled(self.dirty and refusal is None)

    def changed(self, *_: object) -> None:
        super().changed()
        if weights_refusal(self.weights()):
            self.save_button.setEnabled(False)

    def _use_defaults(self) -> None:
        for factor, spin in self.spins.items():
            spin.setValue(HealthWeights().of(factor))

    def read(self) -> None:
        self._version = weights_version()
        weights = get_weights()
        for factor, spin in self.spins.items():
            spin.setValue(weights.of(factor))
        self._show_total()

    def values(self) -> object:
        return self.weights().as_dict()

    def write(self) -> None:
        set_weights(self.ctx, self.weights(), self._version)
