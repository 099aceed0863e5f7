"""The Contract tab: the customer's contract facts in a form, and the product versions it runs with their history.

Dates are typed as ``YYYY-MM-DD`` (empty: not known). Each field's message sits in space kept for it beside the
field, so nothing moves when one appears; a refused save writes nothing. "Record version…" adds a version to the
history; the one with the latest "since" per product and environment is the one running now.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.contracts import ContractFacts, arr_text, day_text, parse_arr
from tamdesk.domain.text import visible
from tamdesk.domain.versions import VERSION_SCHEME, VERSION_SHAPE, Environment, VersionError, parse_version
from tamdesk.services.base import Context, DomainError, StaleEdit, ValidationFailed
from tamdesk.services.contracts import ContractView, get_contract, set_contract
from tamdesk.services.sla import support_tiers
from tamdesk.services.versions import InstalledRow, installed_versions, record_version
from tamdesk.views.table_model import Column, RowTableModel, local_date, local_time
from tamdesk.views.widgets import (
    FieldMessage,
    Tone,
    configure_table,
    remember_header,
    reserve_space,
    set_tone_style,
    today,
)

CURRENCIES = ("EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "INR", "BRL")
DATE_FIELDS = {"entitlement_start": "Entitlement start", "entitlement_end": "Entitlement end", "renewal_on": "Renewal"}


def reserved_message() -> FieldMessage:
    """A field message whose space stays reserved while it is empty, so a message appearing moves nothing."""
    return reserve_space(FieldMessage())


def beside(widget: QWidget, message: FieldMessage, width: int = 200) -> QWidget:
    """``widget`` with ``message`` beside it, on the right."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(10)
    widget.setMaximumWidth(width)
    widget.setMinimumWidth(width)
    row.addWidget(widget)
    row.addWidget(message, 1)
    return box


def parse_day(label: str, text: str) -> date | None:
    """A typed ``YYYY-MM-DD`` date; empty is None.

    Raises:
        ValueError: the text is not such a date; the message names the field and the text.
    """
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{label} '{visible(text.strip())}' is not a date such as 2027-03-03.") from None


class ContractTab(QWidget):
    """The contract form and the installed versions of one customer."""

    changed = Signal()
    status_message = Signal(str)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view: ContractView | None = None
        self.customer_id: int | None = None
        self.inputs: dict[str, QLineEdit] = {}
        self.messages: dict[str, FieldMessage] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_form())
        layout.addWidget(self._build_versions(), 1)

    # -- construction -------------------------------------------------------------------------------------

    def _line(self, key: str, placeholder: str, width: int = 200) -> QWidget:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.textEdited.connect(lambda _=None, k=key: self._edited(k))
        self.inputs[key] = edit
        self.messages[key] = reserved_message()
        return beside(edit, self.messages[key], width)

    def _build_form(self) -> QGroupBox:
        box = QGroupBox("Contract")
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setVerticalSpacing(2)
        self.tier = QComboBox()
        self.tier.setEditable(True)
        self.tier.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.tier.lineEdit().setPlaceholderText("Premium")
        self.tier.lineEdit().textEdited.connect(lambda _=None: self._edited("support_tier"))
        self.messages["support_tier"] = reserved_message()
        self.currency = QComboBox()
        self.currency.setEditable(True)
        self.currency.addItems(CURRENCIES)
        self.currency.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.currency.lineEdit().setMaxLength(3)
        self.currency.lineEdit().textEdited.connect(lambda _=None: self._edited("currency"))
        # Mnemonics: distinct from each other, from the detail tabs' and from the menus' (File, Edit, Go, Tools, Help)
        rows: list[tuple[str, QWidget, QWidget]] = [
            ("Support t&ier", self.tier, beside(self.tier, self.messages["support_tier"])),
            ("Entitle&ment start", *self._dated("entitlement_start")),
            ("Entit&lement end", *self._dated("entitlement_end")),
            ("Rene&wal", *self._dated("renewal_on")),
            ("&ARR", *self._arr_row()),
            ("Editio&n", *self._lined("edition", "Enterprise")),
        ]
        for label, buddy, field in rows:
            caption = QLabel(label)
            caption.setBuddy(buddy)
            buddy.setAccessibleName(label.replace("&", ""))
            form.addRow(caption, field)
        self.form_message = reserved_message()
        self.form_message.label.setWordWrap(False)  # one short line: a wrapped label asks for two lines' height
        self.save_button = QPushButton("&Save contract")
        self.save_button.setToolTip("Save the contract facts (a renewal before the entitlement start is refused)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("&Undo changes")
        self.revert_button.setToolTip("Show the saved contract again, dropping what was typed")
        self.revert_button.clicked.connect(self.reload)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.form_message, 1)
        form.addRow("", buttons)
        return box

    def _arr_row(self) -> tuple[QWidget, QWidget]:
        """The ARR and its currency side by side, each with its message."""
        self.inputs["arr"] = QLineEdit()
        self.inputs["arr"].setPlaceholderText("120,000")
        self.inputs["arr"].textEdited.connect(lambda _=None: self._edited("arr"))
        self.messages["arr"] = reserved_message()
        self.inputs["arr"].setFixedWidth(140)
        self.currency.setFixedWidth(80)
        self.currency.setAccessibleName("Currency")
        self.currency.setToolTip("The ARR's currency: a three-letter code such as EUR")
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.inputs["arr"])
        row.addWidget(self.currency)
        self.messages["currency"] = self.messages["arr"]  # one line beside the pair says what is wrong with either
        row.addSpacing(4)
        row.addWidget(self.messages["arr"], 1)
        return self.inputs["arr"], box

    def _dated(self, key: str) -> tuple[QWidget, QWidget]:
        field = self._line(key, "YYYY-MM-DD (empty: not known)")
        return self.inputs[key], field

    def _lined(self, key: str, placeholder: str) -> tuple[QWidget, QWidget]:
        field = self._line(key, placeholder)
        return self.inputs[key], field

    def _build_versions(self) -> QGroupBox:
        box = QGroupBox("Installed versions")
        self.versions_model = RowTableModel[InstalledRow](
            [
                Column[InstalledRow]("Product", lambda r: r.product or "—"),
                Column[InstalledRow]("Version", lambda r: r.version),
                Column[InstalledRow]("Environment", lambda r: r.environment.label),
                Column[InstalledRow]("Since", lambda r: local_date(r.since)),
                Column[InstalledRow]("Now", lambda r: "Running now" if r.current else "History",
                                     tooltip=lambda r: "The latest version recorded for this product and "
                                     "environment" if r.current else "An earlier version (history)"),
                Column[InstalledRow]("Recorded", lambda r: local_time(r.recorded_at)),
                Column[InstalledRow]("By", lambda r: r.recorded_by),
            ],
            self,
        )  # fmt: skip
        self.versions_table = QTableView()
        self.versions_table.setAccessibleName("Installed versions")
        configure_table(self.versions_table)
        self.versions_table.setModel(self.versions_model)
        remember_header(self.versions_table, "customer_versions", widths=(140, 90, 110, 110, 110, 170))
        self.versions_empty = QLabel("No versions recorded yet: a deployed fix cannot tell whether it has reached "
                                     "this customer until its production version is recorded.")  # fmt: skip
        self.versions_empty.setWordWrap(True)
        self.record_button = QPushButton("Record &version…")
        self.record_button.clicked.connect(self.record_version)
        top = QHBoxLayout()
        top.addWidget(self.versions_empty, 1)
        top.addWidget(self.record_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(self.versions_table, 1)
        return box

    # -- showing ------------------------------------------------------------------------------------------

    def show_customer(self, customer_id: int) -> None:
        """Read and show the customer's contract and versions."""
        self.customer_id = customer_id
        self.reload()

    def reload(self) -> None:
        if self.customer_id is None:
            return
        self.view = get_contract(self.customer_id, today(self.ctx))
        self._fill(self.view.facts)
        self._clear_messages()
        self._show_warning()
        rows = installed_versions(self.customer_id)
        self.versions_model.set_rows(rows)
        self.versions_empty.setText(
            "The current version of each product and environment first, then the history."
            if rows
            else "No versions recorded yet: a deployed fix cannot tell whether it has reached this customer until "
            "its production version is recorded."
        )
        self.tier.blockSignals(True)
        current = self.tier.currentText()
        self.tier.clear()
        self.tier.addItems(sorted(support_tiers()))
        self.tier.setCurrentText(current)
        self.tier.blockSignals(False)

    def _fill(self, facts: ContractFacts) -> None:
        self.tier.setCurrentText(facts.support_tier)
        for key in DATE_FIELDS:
            value = getattr(facts, key)
            self.inputs[key].setText(value.isoformat() if value else "")
        self.inputs["arr"].setText(arr_text(facts.arr_cents, "").strip())
        self.currency.setCurrentText(facts.currency)
        self.inputs["edition"].setText(facts.edition)

    def _clear_messages(self) -> None:
        for message in self.messages.values():
            message.clear()
        self.form_message.clear()

    def _show_warning(self) -> None:
        """The renewal warning beside the renewal date, in amber (red from 60 days or once passed)."""
        warning = self.view.warning if self.view else None
        if warning is None:
            return
        tone = Tone.ERROR if warning.passed or warning.threshold == 60 else Tone.WARNING
        self.messages["renewal_on"].show_message(tone, warning.text)

    def _edited(self, key: str) -> None:
        self.messages[key].clear()
        self.form_message.clear()

    # -- saving -------------------------------------------------------------------------------------------

    def typed_facts(self) -> ContractFacts:
        """The facts as typed.

        Raises:
            ValidationFailed: a date or the ARR cannot be read; by field.
        """
        errors: dict[str, str] = {}
        days: dict[str, date | None] = {}
        for key, label in DATE_FIELDS.items():
            try:
                days[key] = parse_day(label, self.inputs[key].text())
            except ValueError as exc:
                errors[key] = str(exc)
        arr = None
        try:
            arr = parse_arr(self.inputs["arr"].text())
        except ValueError as exc:
            errors["arr"] = str(exc)
        if errors:
            raise ValidationFailed(errors)
        return ContractFacts(
            support_tier=self.tier.currentText(), entitlement_start=days["entitlement_start"],
            entitlement_end=days["entitlement_end"], renewal_on=days["renewal_on"], arr_cents=arr,
            currency=self.currency.currentText(), edition=self.inputs["edition"].text(),
        )  # fmt: skip

    def save(self) -> bool:
        """Save the typed contract; refused fields get their message beside them and nothing is written."""
        if self.customer_id is None or self.view is None:
            return False
        self._clear_messages()
        try:
            set_contract(self.ctx, self.customer_id, self.view.version, self.typed_facts())
        except ValidationFailed as exc:
            for key, text in exc.errors.items():
                message = self.messages.get(key, self.form_message)
                message.set_error(f"{message.text()} {text}".strip())
            self.form_message.set_error("Not saved: correct the fields marked in red.")
            return False
        except StaleEdit as exc:
            QMessageBox.warning(self, "Contract", str(exc))
            self.reload()
            return False
        except DomainError as exc:
            self.form_message.set_error(str(exc))
            return False
        name = self.view.customer
        self.reload()
        self.form_message.show_message(Tone.OK, "Saved.")
        self.status_message.emit(f"Contract of {name} saved")
        self.changed.emit()
        return True

    def record_version(self) -> None:
        """Ask for a version and record it."""
        if self.customer_id is None:
            return
        dialog = RecordVersionDialog(self.ctx, self.customer_id, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload()
            self.status_message.emit(dialog.summary)
            self.changed.emit()


class RecordVersionDialog(QDialog):
    """Product, version, environment and since; the version is checked against the scheme as it is typed."""

    def __init__(self, ctx: Context, customer_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer_id = customer_id
        self.summary = ""
        self.setWindowTitle("Record version")
        self.setMinimumWidth(560)
        self.product = QLineEdit()
        self.product.setPlaceholderText("empty: the one product")
        self.version = QLineEdit()
        self.version.setPlaceholderText("437, 437.2 or 436-e.9")
        self.version.textEdited.connect(self._check_version)
        self.environment = QComboBox()
        for env in Environment:
            self.environment.addItem(env.label, env.value)
        self.since = QDateEdit()
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("ddd d MMM yyyy")
        day = today(ctx)
        self.since.setDate(QDate(day.year, day.month, day.day))
        self.since.setMaximumDate(QDate(day.year, day.month, day.day))
        # under each field, with room kept: a refused version quotes the scheme and takes two lines
        lines = {"product": 1, "version": 2, "environment": 1, "since": 1}
        self.messages = {key: reserve_space(FieldMessage(), n) for key, n in lines.items()}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label, widget in (
            ("product", "&Product", self.product),
            ("version", "&Version", self.version),
            ("environment", "&Environment", self.environment),
            ("since", "&Since", self.since),
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            widget.setAccessibleName(label.replace("&", ""))
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            column.addWidget(self.messages[key])
            form.addRow(caption, box)
        hint = QLabel(f"{VERSION_SHAPE.capitalize()}: {VERSION_SCHEME}. Earlier versions stay in the history.")
        hint.setWordWrap(True)
        set_tone_style(hint, None, plain="color: palette(placeholder-text);")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton("Record", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)

    def _check_version(self, text: str) -> None:
        message = self.messages["version"]
        if not text.strip():
            message.clear()
            return
        try:
            parse_version(text)
        except VersionError as exc:
            message.set_error(str(exc))
        else:
            message.clear()

    def save(self) -> None:
        for message in self.messages.values():
            message.clear()
        since = self.since.date().toPython()
        env = str(self.environment.currentData())
        try:
            record_version(self.ctx, self.customer_id, self.product.text(), self.version.text(), env, since)
        except ValidationFailed as exc:
            for key, text in exc.errors.items():
                self.messages.get(key, self.messages["version"]).set_error(text)
            return
        except DomainError as exc:
            self.messages["version"].set_error(str(exc))
            return
        product = f"{self.product.text().strip()} " if self.product.text().strip() else ""
        self.summary = f"Recorded {product}{parse_version(self.version.text())} in {env} since {day_text(since)}"
        self.accept()
