"""Create or edit a customer: every field validated by the service, each message shown beside its field."""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import QTimeZone
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.states import PersonRole
from tamdesk.services.base import Context, DomainError, StaleEdit, ValidationFailed
from tamdesk.services.customer_aliases import aliases_text, split_aliases
from tamdesk.services.customers import (
    DEFAULT_ALLOWANCE,
    MAX_ALLOWANCE,
    CustomerDetail,
    CustomerInput,
    countries,
    create_customer,
    get_customer,
    time_zones,
    update_customer,
)
from tamdesk.services.people import list_people, sla_policy_names
from tamdesk.services.sla import support_tiers
from tamdesk.views.changes import changed
from tamdesk.views.widgets import (
    FieldMessage,
    SearchableComboBox,
    country_items,
    country_name,
    grow_to_fit,
    reserve_space,
    size_to_content,
)

FIELD_LABELS = {
    "name": "Name",
    "aliases": "Also known as",
    "time_zone": "Time zone",
    "country": "Country",
    "email_domains": "Email domains",
    "tam": "TAM",
    "sla_policy": "SLA policy",
    "seat_allowance": "Seat allowance",
    "notes": "Notes",
}


def _default_zone() -> str:
    zone = bytes(QTimeZone.systemTimeZoneId().data()).decode(errors="ignore")
    return zone if zone in time_zones() else "UTC"


def _shown(data: CustomerInput, key: str) -> str:
    value = getattr(data, key)
    if key == "email_domains":
        return ", ".join(value) or "(none)"
    if key == "aliases":
        return aliases_text(split_aliases(value or ())) or "(none)"
    if key == "country":
        return f"{country_name(value)} ({value})" if value else "(none)"
    return str(value) if value not in ("", None) else "(none)"


class CustomerDialog(QDialog):
    """The customer form; ``customer_id`` holds the saved customer after ``accept``."""

    def __init__(self, ctx: Context, detail: CustomerDetail | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._detail = detail
        self.customer_id: int | None = detail.id if detail else None
        self.messages: dict[str, FieldMessage] = {}
        self.setWindowTitle(f"Edit {detail.input.name}" if detail else "New customer")
        self.setMinimumWidth(600)
        self._build()
        self._load(detail.input if detail else CustomerInput(name="", time_zone=_default_zone()))
        self._update_reason_row()
        size_to_content(self)

    # -- construction -------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name = QLineEdit()
        self.name.setPlaceholderText("Acme Corporation")
        self.aliases = QLineEdit()
        self.aliases.setPlaceholderText("Acme Corp; ACME GmbH")
        self.time_zone = SearchableComboBox([(z, z) for z in time_zones()])
        self.time_zone.lineEdit().setPlaceholderText("Type to search, e.g. Berlin")
        self.country = SearchableComboBox([("(no holiday calendar)", ""), *country_items(list(countries()))])
        self.email_domains = QLineEdit()
        self.email_domains.setPlaceholderText("acme.com, acme.de")
        self.tam = QComboBox()
        self.tam.setEditable(True)
        self.tam.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.tam.addItems(["", *(p.name for p in list_people(PersonRole.TAM))])
        self.tam.lineEdit().setPlaceholderText("A TAM of the people directory, or a new name")
        self.sla_policy = QComboBox()
        self.sla_policy.addItems(sla_policy_names())
        self.seat_allowance = QSpinBox()
        self.seat_allowance.setRange(1, MAX_ALLOWANCE)
        self.seat_allowance.setSuffix(" seats")
        self.allowance_reason = QLineEdit()
        self.allowance_reason.setPlaceholderText("e.g. Contract amendment 2026-03: two extra seats")
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(self.fontMetrics().height() * 4)
        self.notes.setTabChangesFocus(True)
        rows: list[tuple[str, str, QWidget, str]] = [
            ("name", "&Name", self.name, ""),
            ("aliases", "Also &known as", self.aliases, "Other names of this customer in support systems, "
             "separated by semicolons. Imported tickets under these names go to this customer."),
            ("time_zone", "&Time zone", self.time_zone, "SLA clocks run in business hours of this IANA time zone."),
            ("country", "&Country", self.country, "Public holidays of this country pause business-hours clocks."),
            ("email_domains", "Email &domains", self.email_domains, "Seat holders elsewhere need a confirm."),
            ("tam", "T&AM", self.tam, ""),
            ("sla_policy", "S&LA policy", self.sla_policy, "The support tier: each severity's targets and whether "
             "its clock runs 24×7 or in the business hours of Settings › Business hours."),
            ("seat_allowance", "Seat a&llowance", self.seat_allowance, "Portal seats the contract grants (usually 5)."),
            ("allowance_reason", "&Reason for the change", self.allowance_reason, "Kept in the customer's history."),
            ("notes", "N&otes", self.notes, ""),
        ]  # fmt: skip
        for key, label, widget, hint in rows:
            self._add_row(key, label, widget, hint)
        self.aliases_note = self._add_note(self.aliases, "Other names in support systems, separated by semicolons.")
        self._tiers = support_tiers()
        self.tier_note = self._add_note(self.sla_policy, "")
        self.sla_policy.currentTextChanged.connect(self._update_tier_note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.seat_allowance.valueChanged.connect(self._update_reason_row)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def _add_row(self, key: str, label: str, widget: QWidget, hint: str) -> None:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        if hint:
            widget.setToolTip(hint)
        caption = QLabel(label)
        caption.setBuddy(widget)
        self.form.addRow(caption, box)
        widget.setAccessibleName(label.replace("&", ""))
        if key == "notes":  # the service finds no fault with notes: no room kept for a message
            return
        message = reserve_space(FieldMessage())  # a message appearing moves no field beneath it
        column.addWidget(message)
        self.messages[key] = message
        for signal in ("textChanged", "currentTextChanged", "valueChanged"):
            if hasattr(widget, signal):
                getattr(widget, signal).connect(lambda *_, k=key: self.messages[k].clear())

    def _add_note(self, widget: QWidget, text: str) -> QLabel:
        """A quiet line of help under ``widget``, above its message."""
        note = QLabel(text)
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")
        font = note.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        note.setFont(font)
        column = widget.parentWidget().layout()
        assert isinstance(column, QVBoxLayout)
        column.insertWidget(1, note)
        return note

    def _update_tier_note(self, name: str) -> None:
        """Say what support tier the chosen policy is: which severities run 24×7 (a Premium tier) and which not."""
        tier = self._tiers.get(name, "")
        self.tier_note.setText(f"Support tier: {tier}." if tier else "")
        self.tier_note.setVisible(bool(tier))

    def _load(self, data: CustomerInput) -> None:
        self.name.setText(data.name)
        self.aliases.setText(aliases_text(split_aliases(data.aliases or ())))
        self.time_zone.set_value(data.time_zone)
        self.country.set_value(data.country)
        self.email_domains.setText(", ".join(data.email_domains))
        self.tam.setCurrentText(data.tam)
        if self.sla_policy.findText(data.sla_policy) < 0:
            self.sla_policy.addItem(data.sla_policy)
        self.sla_policy.setCurrentText(data.sla_policy)
        self._update_tier_note(self.sla_policy.currentText())
        self.seat_allowance.setValue(data.seat_allowance or DEFAULT_ALLOWANCE)
        self.allowance_reason.clear()
        self.notes.setPlainText(data.notes)

    def _update_reason_row(self) -> None:
        """An existing customer's form always shows the reason row (so the notes beneath never jump); it takes text
        while the allowance differs from the saved one. A new customer's form has no such row."""
        changed = self._detail is not None and self.seat_allowance.value() != self._detail.input.seat_allowance
        self.form.setRowVisible(self.allowance_reason.parentWidget(), self._detail is not None)
        self.allowance_reason.setEnabled(changed)
        if changed and self._detail is not None:
            self.messages["allowance_reason"].set_warning(
                f"The allowance changes from {self._detail.input.seat_allowance} to {self.seat_allowance.value()}:"
                " say why (kept in the history)."
            )
        else:
            self.messages["allowance_reason"].clear()
        grow_to_fit(self)

    # -- saving -------------------------------------------------------------------------------------------

    def input(self) -> CustomerInput:
        """The customer as the form holds it (the service cleans and validates it)."""
        kept = self._detail.input if self._detail else CustomerInput(name="")
        return replace(
            kept,
            name=self.name.text(),
            aliases=self.aliases.text(),  # the service splits and checks the text
            time_zone=self.time_zone.value(),
            country=self.country.value(),
            email_domains=self.email_domains.text(),  # the service splits and checks the text
            tam=self.tam.currentText(),
            sla_policy=self.sla_policy.currentText(),
            seat_allowance=self.seat_allowance.value(),
            allowance_reason=self.allowance_reason.text() if self.allowance_reason.isEnabled() else "",
            notes=self.notes.toPlainText(),
        )

    def save(self) -> None:
        """Save through the service; on bad fields show each message beside its field and stay open."""
        for message in self.messages.values():
            message.clear()
        data = self.input()
        try:
            if self._detail is None:
                self.customer_id = create_customer(self.ctx, data)
            else:
                update_customer(self.ctx, self._detail.id, self._detail.version, data)
            changed("customer")
        except ValidationFailed as exc:
            self.show_errors(exc.errors)
            return
        except StaleEdit:
            self._resolve_stale(data)
            return
        except DomainError as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        self.accept()

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message beside its field; the first field with an error takes the focus."""
        first: QWidget | None = None
        for key, text in errors.items():
            message = self.messages.get(key) or self.messages["name"]
            if key == "allowance_reason":
                self.form.setRowVisible(self.allowance_reason.parentWidget(), True)
                self.allowance_reason.setEnabled(True)
            message.set_error(text)
            widget = getattr(self, key, None)
            if first is None and isinstance(widget, QWidget):
                first = widget
        if first is not None:
            first.setFocus()
        grow_to_fit(self)

    def _resolve_stale(self, mine: CustomerInput) -> None:
        """Someone saved the customer meanwhile: show their values beside ours and let the TAM choose."""
        assert self._detail is not None
        try:
            theirs = get_customer(self._detail.id)
        except DomainError as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        mine_clean = replace(
            mine,
            email_domains=tuple(d.strip() for d in self.email_domains.text().split(",") if d),
            aliases=tuple(split_aliases(self.aliases.text())),
        )
        lines = [
            f"<tr><td><b>{label}</b></td><td>{html.escape(_shown(theirs.input, key))}</td>"
            f"<td>{html.escape(_shown(mine_clean, key))}</td></tr>"
            for key, label in FIELD_LABELS.items()
            if _shown(theirs.input, key) != _shown(mine_clean, key)
        ]
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Changed by someone else")
        box.setText(f"{theirs.input.name} was saved by someone else after you opened it.")
        table = "".join(lines) or "<tr><td colspan=3>No field differs from yours.</td></tr>"
        box.setInformativeText(
            "<table cellspacing=6><tr><th></th><th align=left>Their values</th><th align=left>Yours</th></tr>"
            f"{table}</table><p>Save yours over theirs, or load theirs and edit again?</p>"
        )
        overwrite = box.addButton("Save mine", QMessageBox.ButtonRole.AcceptRole)
        load = box.addButton("Load theirs", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        self._detail = theirs
        if box.clickedButton() is overwrite:
            self._update_reason_row()
            self.save()
        elif box.clickedButton() is load:
            self._load(theirs.input)
            self._update_reason_row()
