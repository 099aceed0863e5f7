"""The SLA policies section: targets per severity, saved as a new revision, with the revision history."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.calendar import BUSINESS_DAY
from tamdesk.domain.compliance import GOAL_RANGE
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SeverityTarget, SlaPolicy, format_duration
from tamdesk.domain.states import ClockKind
from tamdesk.services import sla
from tamdesk.services.base import DomainError, FieldError
from tamdesk.services.what_if import PolicyDraft, check_draft
from tamdesk.views.changes import changed
from tamdesk.views.pages.reports import system_zone
from tamdesk.views.pages.settings.helpers import SPIN_WIDTH, text_label
from tamdesk.views.pages.settings.section import Section
from tamdesk.views.table_model import Column, RowTableModel, local_time
from tamdesk.views.what_if_dialog import WhatIfDialog
from tamdesk.views.widgets import FieldMessage, Tone, configure_table, reserve_space


def _phrase(duration: timedelta, business: bool) -> str:
    """``2 business hours``, ``1 business day``, ``1 hour``, ``2 days`` (whole days on a 24×7 clock)."""
    day = timedelta(days=1)
    if not business and duration >= day and not duration % day:
        return _plural(duration // day, "day")
    return format_duration(duration, business)


def target_text(duration: timedelta, clock: ClockKind) -> str:
    """A target the way the policy says it: ``2 business hours``, ``1 business day``, ``1 hour (24×7)``."""
    business = clock is ClockKind.BUSINESS_HOURS
    text = _phrase(duration, business)
    return text if business else f"{text} (24×7)"


def _reads(first_response: timedelta, cadence: timedelta, clock: ClockKind) -> str:
    """One severity's targets: ``2 business hours; every business day``, ``1 hour; every 2 hours (24×7)``."""
    business = clock is ClockKind.BUSINESS_HOURS
    every = _phrase(cadence, business)
    if re.fullmatch(r"1 [a-z ]+", every):  # "every business day", not "every 1 business day"
        every = every[2:]
    text = f"{_phrase(first_response, business)}; every {every}"
    return text if business else f"{text} (24×7)"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class DurationEdit(QWidget):
    """A positive duration as a number and a unit; on a business-hours clock a day is one business day (9 h)."""

    changed = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.amount = QSpinBox()
        self.amount.setRange(1, 9999)
        self.amount.setAccessibleName(f"{name}: amount")
        self.unit = QComboBox()
        self.unit.setAccessibleName(f"{name}: unit")
        self._clock = ClockKind.BUSINESS_HOURS
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.amount)
        layout.addWidget(self.unit, 1)
        self._relabel()
        self.amount.valueChanged.connect(self._relabel)
        self.amount.valueChanged.connect(self.changed)
        self.unit.currentIndexChanged.connect(self.changed)

    def _day(self) -> timedelta:
        return BUSINESS_DAY if self._clock is ClockKind.BUSINESS_HOURS else timedelta(hours=24)

    def _relabel(self) -> None:
        """Unit names for the clock, singular for an amount of 1 ("1 business day")."""
        business = "business " if self._clock is ClockKind.BUSINESS_HOURS else ""
        s = "" if self.amount.value() == 1 else "s"
        for index, text in enumerate((f"minute{s}", f"{business}hour{s}", f"{business}day{s}")):
            if self.unit.count() <= index:
                self.unit.addItem(text)
            else:
                self.unit.setItemText(index, text)

    def set_clock(self, clock: ClockKind) -> None:
        """Count days on ``clock`` (the number and unit stay as typed)."""
        if clock is not self._clock:
            self._clock = clock
            self._relabel()
            self.changed.emit()

    def set_duration(self, duration: timedelta, clock: ClockKind) -> None:
        """Show ``duration`` in the largest unit that holds it exactly."""
        self._clock = clock
        self._relabel()
        minutes = int(duration.total_seconds() // 60)
        day = int(self._day().total_seconds() // 60)
        amount, unit = (minutes // day, 2) if minutes % day == 0 else (minutes // 60, 1) if minutes % 60 == 0 else (
            minutes, 0)  # fmt: skip
        self.blockSignals(True)
        self.amount.setValue(amount)
        self.unit.setCurrentIndex(unit)
        self.blockSignals(False)

    def duration(self) -> timedelta:
        unit = (timedelta(minutes=1), timedelta(hours=1), self._day())[self.unit.currentIndex()]
        return unit * self.amount.value()


# -- reads the services do not offer (yet) --------------------------------------------------------------------
# Plain rows straight from the tables, for lists that services/sla.py does not return.


@dataclass(frozen=True)
class RevisionRow:
    """One revision of an SLA policy for the history list."""

    revision: int
    current: bool
    created_at: datetime
    created_by: str
    note: str
    changes: str
    targets: str


def _targets_text(policy: SlaPolicy) -> str:
    return (
        "\n".join(
            f"{sev.label}: first response {target_text(tg.first_response, tg.clock)}, "
            f"updates every {target_text(tg.update_cadence, tg.clock)}"
            for sev, tg in sorted(policy.targets.items())
        )
        + f"\nAt risk at {policy.at_risk_fraction:.0%}"
    )


def _changes(before: SlaPolicy | None, after: SlaPolicy) -> str:
    """What a revision changed, the way the policy says it."""
    if before is None:
        return "Initial targets"
    parts = []
    for sev, new in sorted(after.targets.items()):
        old = before.targets.get(sev)
        if old is None:
            continue
        for label, a, b in (("first response", old.first_response, new.first_response),
                            ("updates every", old.update_cadence, new.update_cadence)):  # fmt: skip
            if a != b or old.clock != new.clock:
                parts.append(f"Sev{int(sev)} {label} {target_text(a, old.clock)} → {target_text(b, new.clock)}")
    if before.at_risk_fraction != after.at_risk_fraction:
        parts.append(f"at risk {before.at_risk_fraction:.0%} → {after.at_risk_fraction:.0%}")
    return "; ".join(parts) or "No change to the targets"


def _policy_revisions(policy_id: int, current: int) -> list[RevisionRow]:
    result, previous = [], None
    for saved in sla.policy_history(policy_id):
        policy = saved.policy
        result.append(RevisionRow(policy.version, policy.version == current, saved.created_at, saved.created_by,
                                  saved.note, _changes(previous, policy), _targets_text(policy)))  # fmt: skip
        previous = policy
    return result[::-1]


def _revision_columns() -> list[Column[RevisionRow]]:
    return [
        Column[RevisionRow]("Revision", lambda r: f"v{r.revision}" + (" (in force)" if r.current else "")),
        Column[RevisionRow]("Saved", lambda r: local_time(r.created_at)),
        Column[RevisionRow]("By", lambda r: r.created_by),
        Column[RevisionRow]("Note", lambda r: r.note or "—", tooltip=lambda r: r.note),
        Column[RevisionRow]("Changes", lambda r: r.changes, tooltip=lambda r: f"{r.changes}\n\n{r.targets}"),
    ]


class NameDialog(QDialog):
    """Asks for a name and hands it to ``create``; a refused name is shown under the field and the dialog stays."""

    def __init__(self, parent: QWidget, title: str, label: str, create: Callable[[str], object]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._create = create
        self.result_value: object = None
        self.name = QLineEdit()
        self.name.setAccessibleName(label.replace("&", ""))
        self.message = reserve_space(FieldMessage(), 2)  # the buttons stay put when a name is refused
        caption = QLabel(label)
        caption.setBuddy(self.name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (caption, self.name, self.message, buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(420)

    def accept(self) -> None:
        try:
            self.result_value = self._create(self.name.text())
        except DomainError as exc:
            self.message.set_error(str(exc))
            self.name.setFocus()
            return
        super().accept()


class SlaSection(Section):
    title = "SLA policies"
    intro = (
        "Targets per severity. Saving creates a new revision for tickets opened from then on: each ticket keeps "
        "the revision in force when it was opened, reports name every revision they applied, and earlier revisions "
        "stay in the history below."
    )

    def build(self) -> None:
        self._policies: list[sla.PolicySummary] = []
        top = QHBoxLayout()
        self.policy_box = QComboBox()
        self.policy_box.setAccessibleName("SLA policy")
        self.policy_box.setMinimumWidth(220)
        caption = QLabel("&Policy")
        caption.setBuddy(self.policy_box)
        self.new_policy = QPushButton("New &policy…")
        top.addWidget(caption)
        top.addWidget(self.policy_box)
        top.addWidget(self.new_policy)
        top.addStretch(1)
        self.body.addLayout(top)
        self.used_by = text_label("")
        self.body.addWidget(self.used_by)
        self.body.addWidget(self._targets_group())
        form = self.form()
        self.at_risk = QSpinBox()
        self.at_risk.setRange(1, 100)
        self.at_risk.setMaximumWidth(SPIN_WIDTH)
        self.at_risk.setSuffix(" % of the target used")
        self.goal = QSpinBox()
        self.goal.setRange(*GOAL_RANGE)
        self.goal.setMaximumWidth(SPIN_WIDTH)
        self.goal.setSuffix(" % in time")
        self.note = QLineEdit()
        self.note.setPlaceholderText("What changed and why, e.g. Contract addendum 2026: Sev2 within 1 hour")
        self.add_field(form, "at_risk_fraction", "At &risk from", self.at_risk,
                       "A running clock shows as at risk once this share of its target has elapsed.")  # fmt: skip
        self.add_field(form, "goal", "Compliance &goal", self.goal,
                       "The share of first responses, and of tickets with every customer update kept, that SLA "
                       "reports count as meeting this policy: at or above it reads ✓ (green), up to five points "
                       "below ! (amber), lower ✖ (red). Changing it needs no revision note.")  # fmt: skip
        self.add_field(form, "note", "Revision &note", self.note, "Kept with the revision and shown in its history.")
        self.add_form(form)
        self.compare_button = QPushButton("&Compare before saving…")
        self.compare_button.setToolTip(
            "Past compliance of this policy's customers under the targets in force and under those typed, "
            "side by side; nothing is saved."
        )
        self.compare_button.setEnabled(False)
        self.compare_button.clicked.connect(self.compare)
        self.extra_buttons.append(self.compare_button)
        self.body.addLayout(self.save_row())
        self.body.addSpacing(12)
        self.history = RowTableModel[RevisionRow](_revision_columns(), self)
        self.history_view = QTableView()
        self.history_view.setAccessibleName("Revision history")
        configure_table(self.history_view)
        self.history_view.setModel(self.history)
        self.history_view.setMinimumHeight(150)
        for column, width in enumerate((100, 150, 110, 200)):
            self.history_view.setColumnWidth(column, width)
        self.body.addWidget(QLabel("<b>Revision history</b>"))
        self.body.addWidget(self.history_view)
        self._shown_policy: int | None = None
        self.policy_box.currentIndexChanged.connect(self._policy_switched)
        self.new_policy.clicked.connect(self._new_policy)
        self.track(self.at_risk.valueChanged, self.goal.valueChanged)

    def _targets_group(self) -> QGroupBox:
        group = QGroupBox("Targets")
        grid = QGridLayout(group)
        for column, text in enumerate(("Severity", "First response within", "Customer updates every", "Clock",
                                       "As the policy says it")):  # fmt: skip
            grid.addWidget(QLabel(f"<b>{text}</b>"), 0, column)
        self.rows: dict[Severity, tuple[DurationEdit, DurationEdit, QComboBox, QLabel]] = {}
        for row, sev in enumerate(Severity, start=1):
            label = QLabel(sev.label)
            label.setToolTip(sev.definition)
            first = DurationEdit(f"{sev.label} first response")
            cadence = DurationEdit(f"{sev.label} update cadence")
            clock = QComboBox()
            clock.setAccessibleName(f"{sev.label} clock")
            for kind in ClockKind:
                clock.addItem(kind.label, kind)
            reads = text_label("")
            for column, widget in enumerate((label, first, cadence, clock, reads)):
                grid.addWidget(widget, row, column)
            self.rows[sev] = (first, cadence, clock, reads)
            clock.currentIndexChanged.connect(lambda _, s=sev: self._clock_changed(s))
            self.track(first.changed, cadence.changed, clock.currentIndexChanged)
        self.messages["targets"] = FieldMessage()
        grid.addWidget(self.messages["targets"], len(Severity) + 1, 0, 1, 5)
        grid.setColumnStretch(4, 1)
        return group

    def _policy_switched(self, _index: int) -> None:
        if self.may_discard():
            self.load()
        else:
            self.policy_box.blockSignals(True)
            self.policy_box.setCurrentIndex(self.policy_box.findData(self._shown_policy))
            self.policy_box.blockSignals(False)

    def _clock_changed(self, sev: Severity) -> None:
        first, cadence, clock, _ = self.rows[sev]
        first.set_clock(ClockKind(clock.currentData()))
        cadence.set_clock(ClockKind(clock.currentData()))

    def _policy_id(self) -> int | None:
        data = self.policy_box.currentData()
        return int(data) if data is not None else None

    def read(self) -> None:
        chosen = self._policy_id()
        self._policies = sla.list_policies()
        self.policy_box.blockSignals(True)
        self.policy_box.clear()
        for summary in self._policies:
            self.policy_box.addItem(summary.policy.label, summary.id)
        index = self.policy_box.findData(chosen)
        self.policy_box.setCurrentIndex(
            index if index >= 0 else self.policy_box.findText("Standard", Qt.MatchFlag.MatchStartsWith)
        )
        self.policy_box.blockSignals(False)
        summary = self._summary()
        if summary is None:
            return
        self._shown_policy = summary.id
        for sev, (first, cadence, clock, _) in self.rows.items():
            target = summary.policy.target(sev)
            clock.blockSignals(True)
            clock.setCurrentIndex(clock.findData(target.clock))
            clock.blockSignals(False)
            first.set_duration(target.first_response, target.clock)
            cadence.set_duration(target.update_cadence, target.clock)
        self.at_risk.setValue(round(summary.policy.at_risk_fraction * 100))
        self.goal.setValue(round(summary.goal * 100))
        self.note.clear()
        customers = sla.policy_customers(summary.id)
        shown = ", ".join(customers[:8]) + (f" and {len(customers) - 8} more" if len(customers) > 8 else "")
        self.used_by.setText(
            f"{summary.policy.label} is used by {_plural(len(customers), 'customer')}" + (f": {shown}." if customers
            else ". Assign it to a customer in the customer's dialog.")
        )  # fmt: skip
        self.history.set_rows(_policy_revisions(summary.id, summary.policy.version))
        self.save_button.setText(f"Save as revision {summary.policy.version + 1}")

    def _summary(self) -> sla.PolicySummary | None:
        pid = self._policy_id()
        return next((p for p in self._policies if p.id == pid), None)

    def targets(self) -> dict[Severity, SeverityTarget]:
        return {
            sev: SeverityTarget(first.duration(), cadence.duration(), ClockKind(clock.currentData()))
            for sev, (first, cadence, clock, _) in self.rows.items()
        }

    def values(self) -> object:
        return self._shown_policy, self.targets(), self.at_risk.value(), self.goal.value()

    def changed(self, *_: object) -> None:
        for first, cadence, clock, reads in self.rows.values():
            kind = ClockKind(clock.currentData())
            reads.setText(_reads(first.duration(), cadence.duration(), kind))
        super().changed()
        self.compare_button.setEnabled(self.dirty)

    def compare(self) -> WhatIfDialog | None:
        """Open the comparison of the targets typed with those in force; a bad value is refused beside its field."""
        summary = self._summary()
        if summary is None:
            return None
        self.clear_messages()
        draft = PolicyDraft(summary.id, self.targets(), self.at_risk.value() / 100)
        try:
            check_draft(draft)
        except FieldError as exc:
            self.show_errors({exc.field: str(exc)})
            return None
        dialog = WhatIfDialog(self.ctx, draft, system_zone(), self)
        dialog.open()
        dialog.start()
        return dialog

    def write(self) -> None:
        summary = self._summary()
        assert summary is not None
        goal_changed = self.goal.value() != round(summary.goal * 100)
        revised = (dict(self.targets()), self.at_risk.value()) != (
            dict(summary.policy.targets),
            round(summary.policy.at_risk_fraction * 100),
        )
        note = " ".join(self.note.text().split())
        if revised and not note:
            raise FieldError("note", "Say what changed and why: the note is kept with the revision.")
        if goal_changed:
            sla.set_compliance_goal(self.ctx, summary.id, self.goal.value())
        goal_text = f"Compliance goal of {summary.name} set to {self.goal.value()}%."
        if not revised:
            self.saved_text = goal_text + " Reports exported from now on use it."
            return
        revision = sla.revise_policy(self.ctx, summary.id, summary.version, self.targets(),
                                     self.at_risk.value() / 100, note)  # fmt: skip
        changed("policy")
        self.saved_text = (
            f"Saved as {summary.name} v{revision}: it applies to tickets opened from now on; "
            "older tickets keep the revision in force when they were opened."
            + (f" {goal_text}" if goal_changed else "")
        )

    def _new_policy(self) -> None:
        if not self.may_discard():
            return
        based_on = self._policy_id()
        dialog = NameDialog(self, "New SLA policy", "&Name of the new policy (it starts as a copy of the one shown)",
                            lambda name: sla.create_policy(self.ctx, name, based_on))  # fmt: skip
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.policy_box.blockSignals(True)
            self.policy_box.addItem("", dialog.result_value)
            self.policy_box.setCurrentIndex(self.policy_box.count() - 1)
            self.policy_box.blockSignals(False)
            self.load()
            self.status.show_message(Tone.OK, "Policy created. Assign it to customers in the customer's dialog.")
