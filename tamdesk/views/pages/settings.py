"""Settings: the domain rules a TAM can change, each in its own section, all stored in the database.

Every section is a small form over one service: it loads from the database, enables Save only when something
changed, shows a refused value next to its field, and reloads with a clear message when someone else saved first.
Secrets are the exception: the SMTP password goes only to the keyring, through the app session's ``SecretStore``
(or the one handed in), taken when the page first needs it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QDate, QItemSelectionModel, QLocale, QModelIndex, QSize, Qt, QTime, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.calendar import BUSINESS_DAY, BusinessCalendar
from tamdesk.domain.mailbox import DEFAULT_ROLE_LOCAL_PARTS, role_local_part_set
from tamdesk.domain.onboarding import AutoRule
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SeverityTarget, SlaPolicy, format_day, format_duration
from tamdesk.domain.states import ClockKind, PersonRole
from tamdesk.models import database_label
from tamdesk.models import tables as t
from tamdesk.secrets import SecretName, SecretStore
from tamdesk.services import sla
from tamdesk.services.base import Context, DomainError, FieldError, StaleEdit, ValidationFailed, default_actor
from tamdesk.services.customers import countries
from tamdesk.services.directory import (
    DirectoryEntry,
    PersonInput,
    add_person,
    escalation_contacts,
    list_directory,
    set_active,
    set_escalation_contact,
    update_person,
)
from tamdesk.services.email import (
    SmtpSecurity,
    SmtpSettings,
    load_smtp_settings,
    save_smtp_settings,
    send_test_email,
    validate_smtp_settings,
)
from tamdesk.services.people import list_people
from tamdesk.services.seats import ROLE_SETTING, role_local_parts
from tamdesk.services.settings import get_setting, set_setting
from tamdesk.services.templates import (
    StepInput,
    Template,
    TemplateStepRow,
    add_step,
    default_template,
    delete_step,
    move_step,
    reset_to_default,
    update_step,
)
from tamdesk.views.pages.base import Page
from tamdesk.views.session import shared_secrets
from tamdesk.views.table_model import Column, RowTableModel, local_time
from tamdesk.views.tasks import TaskControl, TaskRunner
from tamdesk.views.widgets import (
    Debouncer,
    FieldMessage,
    SearchableComboBox,
    Tone,
    configure_table,
    show_failure,
    tone_color,
)

FORM_WIDTH = 760
SPIN_WIDTH = 280
USER_NAME_SETTING = "user_name"
CADENCE_SETTING = "defect_update_cadence_business_days"
DEFAULT_CADENCE = {"1": 1, "2": 5, "3": 10, "4": 20}
VP_SETTING = "escalation_vp_after_business_days"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_LOCAL_PART = re.compile(r"^[\w!#$%&'*+/=?^`{|}~.-]+$")


# -- how things read ---------------------------------------------------------------------------------------------


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


def _days_suffix(spin: QSpinBox) -> None:
    """Keep a "business days" suffix grammatical as the value changes."""
    spin.setSuffix(" business day" if spin.value() == 1 else " business days")


def _label(text: str, *, hint: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if hint:
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        label.setFont(font)
        label.setStyleSheet("color: palette(placeholder-text);")
    return label


def _focusable_in(layout: QLayout) -> list[QWidget]:
    """Widgets that take Tab focus, in the order the layouts show them."""
    found: list[QWidget] = []
    for index in range(layout.count()):
        item = layout.itemAt(index)
        widget, inner = item.widget(), item.layout()
        if inner is not None:
            found += _focusable_in(inner)
        elif widget is not None:
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.layout() is None:
                found.append(widget)
            elif widget.layout() is not None:
                found += _focusable_in(widget.layout())
    return found


def _tab_in_layout_order(layout: QLayout) -> None:
    """Tab moves through a section top to bottom, left to right, whatever order its widgets were created in."""
    chain = _focusable_in(layout)
    for first, second in pairwise(chain):
        QWidget.setTabOrder(first, second)


def _arrow_button(arrow: str, name: str) -> QPushButton:
    """A button showing only an arrow character, named for screen readers and tooltips.

    The icon set has no arrows, and the style's arrow pixmaps are not tinted for a dark palette; a text arrow is
    drawn in the button text colour of either scheme and scales with the font.
    """
    button = QPushButton(arrow)
    button.setAccessibleName(name)
    button.setToolTip(name)
    width = button.fontMetrics().horizontalAdvance(arrow) + 24
    button.setFixedWidth(max(width, button.sizeHint().height()))
    return button


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
# Plain rows straight from the tables, for lists that services/sla.py and services/settings.py do not return.


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


@dataclass(frozen=True)
class CalendarRow:
    id: int
    version: int
    name: str
    hours: dict[int, tuple[time, time]]


@dataclass(frozen=True)
class HolidayRow:
    """A day of the holiday list: a national holiday (maybe marked worked) or a custom closed day."""

    day: date
    name: str
    national: bool
    worked: bool
    custom: bool
    working_day: bool = True  # the weekday has business hours

    @property
    def status(self) -> str:
        if self.worked:
            return "Worked: marked in Settings"
        if not self.working_day:
            return f"No effect: no business hours on {WEEKDAYS[self.day.weekday()]}s"
        if self.custom and not self.national:
            return "Closed: custom closed day"
        return "Closed: national holiday"


def _setting_version(key: str) -> int | None:
    row = t.Setting.get_or_none(t.Setting.key == key)
    return None if row is None else int(row.version)


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
    rows = list(
        t.SlaPolicyRevision.select()
        .where(t.SlaPolicyRevision.policy == policy_id)
        .order_by(t.SlaPolicyRevision.revision)
    )
    result, previous = [], None
    for row in rows:
        policy = sla.policy(policy_id, row.revision)
        result.append(RevisionRow(row.revision, row.revision == current, row.created_at, row.created_by, row.note,
                                  _changes(previous, policy), _targets_text(policy)))  # fmt: skip
        previous = policy
    return result[::-1]


def _policy_customers(policy_id: int) -> list[str]:
    query = t.Customer.select(t.Customer.name).where((t.Customer.sla_policy == policy_id) & ~t.Customer.archived)
    return sorted((c.name for c in query), key=str.casefold)


def _calendars() -> list[CalendarRow]:
    return [
        CalendarRow(c.id, c.version, c.name, dict(sla.calendar(c.id, "UTC", "").weekly_hours))
        for c in t.BusinessCalendar.select().order_by(t.BusinessCalendar.name)
    ]


def _holidays(country: str, year: int, working_days: frozenset[int] = frozenset(range(5))) -> list[HolidayRow]:
    """National holidays of ``country`` in ``year`` (any weekday), with the custom changes made in Settings."""
    every_day = {day: (time(0), time(23, 59)) for day in range(7)}
    national = dict(
        BusinessCalendar(weekly_hours=every_day, country=country).holidays_between(date(year, 1, 1), date(year, 12, 31))
    )
    custom = {
        row.day: row
        for row in t.CalendarHoliday.select().where(t.CalendarHoliday.country == country)
        if row.day.year == year
    }
    rows = []
    for day in sorted(set(national) | set(custom)):
        mark = custom.get(day)
        name = national.get(day) or (mark.name if mark else "") or "Custom closed day"
        if mark is not None and not mark.removed and mark.name:
            name = mark.name
        worked = bool(mark and mark.removed)
        rows.append(HolidayRow(day, name, day in national, worked, mark is not None, day.weekday() in working_days))
    return rows


@cache
def country_names() -> dict[str, str]:
    """ISO code -> English country name for every country with a holiday calendar, sorted by name."""
    names = {}
    for code in countries():
        if len(code) == 2:
            territory = QLocale.codeToTerritory(code)
            known = territory != QLocale.Country.AnyTerritory
            names[code] = QLocale.territoryToString(territory) if known else code
    return dict(sorted(names.items(), key=lambda item: item[1].casefold()))


def _usual_country() -> str:
    """The country most customers are in, else the system locale's, else US."""
    found = Counter(c.country for c in t.Customer.select(t.Customer.country) if c.country)
    if found:
        return found.most_common(1)[0][0]
    code = QLocale.system().name().partition("_")[2]
    return code if code in country_names() else "US"


# -- the section frame ---------------------------------------------------------------------------------------


class Section(QWidget):
    """One settings section: heading, explanation, a form whose Save is enabled only while something changed.

    Subclasses build their widgets in ``build``, read the database in ``read``, return the form's comparable
    ``values`` and store them in ``write``; errors a user can cause come back next to their field.
    """

    title = ""
    intro = ""
    saved_text = "Saved."
    save_label = "Save"
    expanding = False  # True: the section's list grows with the window

    def __init__(self, page: SettingsPage) -> None:
        super().__init__()
        self.page = page
        self.ctx = page.ctx
        self.messages: dict[str, FieldMessage] = {}
        self.fields: dict[str, QWidget] = {}
        self._snapshot: object = None
        self.loaded = False
        self._loading = False
        self.setObjectName(f"section-{self.title.lower().replace(' ', '-')}")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 18)
        heading = QLabel(self.title)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        heading.setFont(font)
        outer.addWidget(heading)
        if self.intro:
            intro = _label(self.intro)
            intro.setMaximumWidth(760)
            outer.addWidget(intro)
        outer.addSpacing(8)
        self.body = QVBoxLayout()
        outer.addLayout(self.body, 1 if self.expanding else 0)
        self.status = FieldMessage()
        self.save_button = QPushButton(self.save_label)
        self.save_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        self.extra_buttons: list[QWidget] = []
        self._save_row_placed = False
        self.build()
        if not self._save_row_placed:
            outer.addSpacing(6)
            outer.addLayout(self.save_row())
        if not self.expanding:
            outer.addStretch(1)
        _tab_in_layout_order(outer)

    # -- for subclasses

    def build(self) -> None:
        """Create the section's widgets in ``self.body``."""

    def read(self) -> None:
        """Fill the widgets from the database."""

    def values(self) -> object:
        """What the form holds, comparable with what was loaded (Save is enabled while they differ)."""
        return None

    def write(self) -> None:
        """Store the form; raise the service's errors."""

    # -- shared behaviour

    def add_form(self, form: QFormLayout) -> None:
        """Put a form in the section at a width that keeps it readable."""
        holder = QWidget()
        holder.setLayout(form)
        form.setContentsMargins(0, 0, 0, 0)
        holder.setMaximumWidth(FORM_WIDTH)
        self.body.addWidget(holder)

    def save_row(self) -> QHBoxLayout:
        """Save, the section's extra buttons and its status message, for ``build`` to place (else at the end)."""
        self._save_row_placed = True
        row = QHBoxLayout()
        row.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        for widget in self.extra_buttons:
            row.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.status, 1)
        row.addStretch(0)
        return row

    def form(self, parent: QWidget | None = None) -> QFormLayout:
        form = QFormLayout(parent)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        return form

    def add_field(self, form: QFormLayout, key: str, label: str, widget: QWidget, hint: str = "") -> FieldMessage:
        """A labelled row: the widget, its (hidden) message, and an optional hint under it."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        message = FieldMessage()
        column.addWidget(message)
        if hint:
            column.addWidget(_label(hint, hint=True))
        caption = QLabel(label)
        caption.setBuddy(widget)
        if not widget.accessibleName():
            widget.setAccessibleName(label.replace("&", ""))
        form.addRow(caption, box)
        self.messages[key] = message
        self.fields[key] = widget
        return message

    def track(self, *signals: Any) -> None:
        """Re-check whether the form changed whenever one of ``signals`` fires."""
        for signal in signals:
            signal.connect(self.changed)

    @property
    def dirty(self) -> bool:
        return self.loaded and self.values() != self._snapshot

    def changed(self, *_: object) -> None:
        dirty = self.dirty
        self.save_button.setEnabled(dirty)
        if dirty and self.status.tone is Tone.OK:
            self.status.clear()

    def mark_clean(self) -> None:
        """What the form holds now is what the database holds."""
        self._snapshot = self.values()
        self.changed()

    def load(self) -> None:
        """Read the database into the form and forget unsaved edits."""
        self.clear_messages()
        self._loading = True
        try:
            self.read()
        finally:
            self._loading = False
        self.loaded = True
        self.mark_clean()

    def may_discard(self) -> bool:
        """True when the form holds no unsaved edits, or the user agrees to drop them."""
        if self._loading or not self.dirty:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Discard your unsaved changes in {self.title}?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def pick_row(self, table: QTableView, current: QModelIndex, previous: QModelIndex) -> bool:
        """Whether the form may follow the table to ``current``; if not, the table goes back to ``previous``."""
        if not current.isValid():
            return False
        if self.may_discard():
            return True
        selection = table.selectionModel()
        selection.blockSignals(True)
        if previous.isValid():
            table.selectRow(previous.row())
        else:
            table.clearSelection()
            selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.NoUpdate)
        selection.blockSignals(False)
        return False

    def clear_messages(self) -> None:
        for message in self.messages.values():
            message.clear()
        self.status.clear()

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each error next to its field (or under the section when it has no field); focus the first."""
        first = None
        for key, text in errors.items():
            self.messages.get(key, self.status).set_error(text)
            first = first or self.fields.get(key)
        if first is not None:
            first.setFocus()

    def attempt(
        self, action: Callable[[], object], done: str | None = None, reload: Callable[[], None] | None = None
    ) -> bool:
        """Run a change; on success reload and say ``done`` (default: ``saved_text`` as the action left it),
        else show why next to the field or under the section."""
        self.clear_messages()
        try:
            action()
        except ValidationFailed as exc:
            self.show_errors(exc.errors)
            return False
        except FieldError as exc:
            self.show_errors({exc.field: str(exc)})
            return False
        except StaleEdit as exc:
            (reload or self.load)()
            self.status.set_warning(f"{exc} What is shown now includes their changes.")
            return False
        except DomainError as exc:
            self.status.set_error(str(exc))
            return False
        (reload or self.load)()
        self.status.show_message(Tone.OK, self.saved_text if done is None else done)
        return True

    def save(self) -> None:
        if self.dirty:
            self.attempt(self.write)


# -- You -------------------------------------------------------------------------------------------------------


class YouSection(Section):
    title = "You"
    intro = "Your name as it appears in history: every change you make is recorded with it."

    def build(self) -> None:
        form = self.form()
        self.user_name = QLineEdit()
        self.user_name.setPlaceholderText(default_actor())
        self.add_field(form, "user_name", "Your &name", self.user_name,
                       f"Leave empty to use your computer user name ({default_actor()}). "
                       "A change applies from the next start of tamdesk.")  # fmt: skip
        self.add_form(form)
        self.track(self.user_name.textChanged)

    def read(self) -> None:
        self._version = _setting_version(USER_NAME_SETTING)
        self.user_name.setText(str(get_setting(USER_NAME_SETTING, "") or ""))

    def values(self) -> object:
        return " ".join(self.user_name.text().split())

    def write(self) -> None:
        name = str(self.values())
        if len(name) > 120:
            raise FieldError("user_name", f"A name can have at most 120 characters (this one has {len(name)}).")
        set_setting(self.ctx, USER_NAME_SETTING, name, self._version)


# -- People directory ------------------------------------------------------------------------------------------


def _people_columns() -> list[Column[DirectoryEntry]]:
    muted = QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    return [
        Column[DirectoryEntry]("Name", lambda p: p.name, foreground=lambda p: None if p.active else muted),
        Column[DirectoryEntry]("Role", lambda p: p.role.label),
        Column[DirectoryEntry]("Email", lambda p: p.email or "—"),
        Column[DirectoryEntry]("Status", lambda p: "Active" if p.active else "Left (inactive)"),
        Column[DirectoryEntry]("Customers", lambda p: str(p.customers) if p.role is PersonRole.TAM else "",
                               align_right=True),
    ]  # fmt: skip


class PeopleSection(Section):
    title = "People directory"
    intro = (
        "TAMs, support managers, senior directors and the VP of Customer Success. Customers name their TAM from "
        "here and escalations name support management. Someone who leaves is deactivated, not deleted, so "
        "history keeps their name."
    )
    saved_text = "Saved to the directory."
    expanding = True

    def build(self) -> None:
        self._editing: int | None = None
        self.show_inactive = QCheckBox("Show people who &left")
        self.model = RowTableModel[DirectoryEntry](_people_columns(), self)
        self.table = QTableView()
        self.table.setAccessibleName("People")
        configure_table(self.table)
        self.table.setModel(self.model)
        self.table.setMinimumHeight(220)
        for column, width in enumerate((170, 190, 230, 110)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        self.new_button = QPushButton("&New person")
        self.active_button = QPushButton("&Deactivate")
        self.active_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.active_button)
        buttons.addStretch(1)
        buttons.addWidget(self.show_inactive)
        self.body.addLayout(buttons)
        self.body.addWidget(self.table, 1)
        self.group = QGroupBox("New person")
        form = self.form(self.group)
        self.name = QLineEdit()
        self.name.setPlaceholderText("Full name, e.g. Maria Lopez")
        self.email = QLineEdit()
        self.email.setPlaceholderText("maria.lopez@example.com")
        self.role = QComboBox()
        for role in PersonRole:
            self.role.addItem(role.label, role)
        self.add_field(form, "name", "N&ame", self.name)
        self.add_field(form, "email", "&Email", self.email, "Optional; checked as you save (no mail is sent).")
        self.add_field(form, "role", "&Role", self.role)
        form.addRow(self.save_row())
        self.body.addWidget(self.group)
        self.new_button.clicked.connect(self.start_new)
        self.active_button.clicked.connect(self._toggle_active)
        self.show_inactive.toggled.connect(self._inactive_toggled)
        self.track(self.name.textChanged, self.email.textChanged, self.role.currentIndexChanged)

    def read(self) -> None:
        self.model.set_rows(list_directory(include_inactive=self.show_inactive.isChecked()))
        rows = self.model.rows()
        match = next((i for i, p in enumerate(rows) if p.id == self._editing), None)
        if match is None:
            self._fill(None)
        else:
            self.table.selectRow(match)
            self._fill(rows[match])

    def values(self) -> object:
        return self.name.text().strip(), self.email.text().strip(), PersonRole(self.role.currentData())

    def write(self) -> None:
        data = PersonInput(self.name.text(), self.email.text(), PersonRole(self.role.currentData()))
        if self._editing is None:
            self._editing = add_person(self.ctx, data)
        else:
            update_person(self.ctx, self._editing, self._current().version, data)

    def _inactive_toggled(self, checked: bool) -> None:
        if self.may_discard():
            self.load()
        else:
            self.show_inactive.blockSignals(True)
            self.show_inactive.setChecked(not checked)
            self.show_inactive.blockSignals(False)

    def _current(self) -> DirectoryEntry:
        return next(p for p in self.model.rows() if p.id == self._editing)

    def _fill(self, person: DirectoryEntry | None) -> None:
        self._editing = person.id if person else None
        self.name.setText(person.name if person else "")
        self.email.setText(person.email if person else "")
        self.role.setCurrentIndex(self.role.findData(person.role if person else PersonRole.TAM))
        self.group.setTitle(f"Edit {person.name}" if person else "New person")
        self.save_button.setText("Save changes" if person else "Add person")
        self.active_button.setEnabled(person is not None)
        self.active_button.setText("Re&activate" if person and not person.active else "&Deactivate")

    def _selected(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self.pick_row(self.table, current, previous):
            self.clear_messages()
            self._fill(self.model.row_at(current.row()))
            self.mark_clean()

    def start_new(self) -> None:
        """An empty form to add someone."""
        if not self.may_discard():
            return
        self.table.clearSelection()
        self.clear_messages()
        self._fill(None)
        self.mark_clean()
        self.name.setFocus()

    def _toggle_active(self) -> None:
        person = self._current()
        verb = "reactivated" if not person.active else "deactivated; they stay on past records"
        self.attempt(lambda: set_active(self.ctx, person.id, person.version, not person.active),
                     f"{person.name} {verb}.")  # fmt: skip


# -- Escalations -------------------------------------------------------------------------------------------------


class EscalationSection(Section):
    title = "Escalations"
    intro = (
        "Who an escalation names by default, and when the VP of Customer Success is apprised of an escalation "
        "that stays open (Sev1 tickets and requests apprise the VP at once)."
    )

    def build(self) -> None:
        form = self.form()
        self.support_manager = QComboBox()
        self.senior_director = QComboBox()
        self.vp_days = QSpinBox()
        self.vp_days.setRange(1, 60)
        self.vp_days.setMaximumWidth(SPIN_WIDTH)
        self.vp_days.valueChanged.connect(lambda _: _days_suffix(self.vp_days))
        self.add_field(form, PersonRole.SUPPORT_MANAGER.value, "&Support manager", self.support_manager,
                       "Add people in the People directory section.")  # fmt: skip
        self.add_field(form, PersonRole.SENIOR_DIRECTOR.value, "Senior &director", self.senior_director)
        self.add_field(form, "vp", "Apprise the &VP after", self.vp_days,
                       "Open escalations older than this are brought to the VP's attention.")  # fmt: skip
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
        self._vp_version = _setting_version(VP_SETTING)
        self.vp_days.setValue(round(float(get_setting(VP_SETTING, 3))))
        _days_suffix(self.vp_days)

    def values(self) -> object:
        return self.support_manager.currentData(), self.senior_director.currentData(), self.vp_days.value()

    def write(self) -> None:
        manager, director, days = self.values()  # type: ignore[misc]
        contacts = escalation_contacts()
        if manager != (contacts.support_manager or ""):
            set_escalation_contact(self.ctx, PersonRole.SUPPORT_MANAGER, manager)
        if director != (contacts.senior_director or ""):
            set_escalation_contact(self.ctx, PersonRole.SENIOR_DIRECTOR, director)
        set_setting(self.ctx, VP_SETTING, days, self._vp_version)


# -- SLA policies ------------------------------------------------------------------------------------------------


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
        self.message = FieldMessage()
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
        "Targets per severity. Saving creates a new revision: SLA clocks and reports use the revision in force and "
        "name it, and earlier revisions stay in the history below."
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
        self.used_by = _label("")
        self.body.addWidget(self.used_by)
        self.body.addWidget(self._targets_group())
        form = self.form()
        self.at_risk = QSpinBox()
        self.at_risk.setRange(1, 100)
        self.at_risk.setMaximumWidth(SPIN_WIDTH)
        self.at_risk.setSuffix(" % of the target used")
        self.note = QLineEdit()
        self.note.setPlaceholderText("What changed and why, e.g. Contract addendum 2026: Sev2 within 1 hour")
        self.add_field(form, "at_risk_fraction", "At &risk from", self.at_risk,
                       "A running clock shows as at risk once this share of its target has elapsed.")  # fmt: skip
        self.add_field(form, "note", "Revision &note", self.note, "Kept with the revision and shown in its history.")
        self.add_form(form)
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
        self.track(self.at_risk.valueChanged)

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
            reads = _label("")
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
        self.note.clear()
        customers = _policy_customers(summary.id)
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
        return self._shown_policy, self.targets(), self.at_risk.value()

    def changed(self, *_: object) -> None:
        for first, cadence, clock, reads in self.rows.values():
            kind = ClockKind(clock.currentData())
            reads.setText(_reads(first.duration(), cadence.duration(), kind))
        super().changed()

    def write(self) -> None:
        summary = self._summary()
        assert summary is not None
        note = " ".join(self.note.text().split())
        if not note:
            raise FieldError("note", "Say what changed and why: the note is kept with the revision.")
        revision = sla.revise_policy(self.ctx, summary.id, summary.version, self.targets(),
                                     self.at_risk.value() / 100, note)  # fmt: skip
        self.saved_text = f"Saved as {summary.name} v{revision}; SLA clocks and reports use it from now on."

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


# -- Business hours and holidays ---------------------------------------------------------------------------------


def _worked_colour(holiday: HolidayRow) -> QColor | None:
    """Amber for a holiday that is worked; read when the cell is painted, so it follows a light/dark switch."""
    return tone_color(Tone.WARNING) if holiday.worked else None


def _holiday_columns() -> list[Column[HolidayRow]]:
    return [
        Column[HolidayRow]("Date", lambda h: f"{format_day(h.day)} {h.day.year}"),
        Column[HolidayRow]("Holiday", lambda h: h.name),
        Column[HolidayRow]("Status", lambda h: h.status, foreground=_worked_colour),
    ]


class HoursSection(Section):
    title = "Business hours & holidays"
    intro = (
        "Business-hours SLA clocks run only in these hours, in each customer's own time zone, and skip the "
        "holidays of the customer's country. SLA state is recomputed from history, so a change here re-applies "
        "to past tickets too."
    )
    save_label = "Save business hours"
    saved_text = "Business hours saved."

    def build(self) -> None:
        self._calendar_rows: list[CalendarRow] = []
        self.calendar_box = QComboBox()
        self.calendar_box.setAccessibleName("Calendar")
        self.calendar_box.currentIndexChanged.connect(lambda _: self.load())
        self.body.addWidget(self.calendar_box)
        hours = QGroupBox("Weekly hours")
        grid = QGridLayout(hours)
        self.days: list[tuple[QCheckBox, QTimeEdit, QTimeEdit]] = []
        for weekday, name in enumerate(WEEKDAYS):
            open_box = QCheckBox(name)
            opens, closes = QTimeEdit(), QTimeEdit()
            for edit, what in ((opens, "opens"), (closes, "closes")):
                edit.setDisplayFormat("HH:mm")
                edit.setAccessibleName(f"{name} {what}")
                self.track(edit.timeChanged)
            open_box.toggled.connect(opens.setEnabled)
            open_box.toggled.connect(closes.setEnabled)
            self.track(open_box.toggled)
            for column, widget in enumerate((open_box, opens, QLabel("to"), closes)):
                grid.addWidget(widget, weekday, column)
            self.days.append((open_box, opens, closes))
        grid.setColumnStretch(4, 1)
        self.messages["weekly_hours"] = FieldMessage()
        grid.addWidget(self.messages["weekly_hours"], len(WEEKDAYS), 0, 1, 5)
        grid.addLayout(self.save_row(), len(WEEKDAYS) + 1, 0, 1, 5)
        self.body.addWidget(hours)
        self.body.addWidget(self._holidays_group())

    def _holidays_group(self) -> QGroupBox:
        group = QGroupBox("Holidays")
        layout = QVBoxLayout(group)
        pick = QHBoxLayout()
        self.country = SearchableComboBox()
        self.country.setAccessibleName("Country")
        self.country.setMinimumWidth(260)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setAccessibleName("Year")
        country_label = QLabel("&Country")
        country_label.setBuddy(self.country)
        year_label = QLabel("&Year")
        year_label.setBuddy(self.year)
        for widget in (country_label, self.country, year_label, self.year):
            pick.addWidget(widget)
        pick.addStretch(1)
        layout.addLayout(pick)
        self.holiday_note = _label("", hint=True)
        layout.addWidget(self.holiday_note)
        self.holiday_model = RowTableModel[HolidayRow](_holiday_columns(), self)
        self.holiday_view = QTableView()
        self.holiday_view.setAccessibleName("Holidays")
        configure_table(self.holiday_view)
        self.holiday_view.setModel(self.holiday_model)
        self.holiday_view.setMinimumHeight(240)
        self.holiday_view.setColumnWidth(0, 150)
        self.holiday_view.setColumnWidth(1, 300)
        self.holiday_view.selectionModel().currentRowChanged.connect(lambda *_: self._update_holiday_buttons())
        layout.addWidget(self.holiday_view)
        actions = QHBoxLayout()
        self.worked_button = QPushButton("Mark as &worked")
        self.worked_button.setToolTip("The customers of this country work on this national holiday.")
        self.clear_button = QPushButton("&Undo custom change")
        self.clear_button.setToolTip("The day follows the national calendar again.")
        actions.addWidget(self.worked_button)
        actions.addWidget(self.clear_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        add = QHBoxLayout()
        self.new_day = QDateEdit()
        self.new_day.setCalendarPopup(True)
        self.new_day.setDisplayFormat("ddd d MMM yyyy")
        self.new_day.setAccessibleName("Custom closed day")
        self.new_day_name = QLineEdit()
        self.new_day_name.setPlaceholderText("Name, e.g. Company shutdown")
        self.new_day_name.setAccessibleName("Name of the closed day")
        self.add_day_button = QPushButton("&Add closed day")
        caption = QLabel("Closed &on")
        caption.setBuddy(self.new_day)
        for widget, stretch in ((caption, 0), (self.new_day, 0), (self.new_day_name, 1), (self.add_day_button, 0)):
            add.addWidget(widget, stretch)
        layout.addLayout(add)
        self.messages["holiday"] = FieldMessage()
        self.fields["holiday"] = self.new_day
        layout.addWidget(self.messages["holiday"])
        self.country.currentIndexChanged.connect(lambda _: self.load_holidays())
        self.year.valueChanged.connect(lambda _: self.load_holidays())
        self.worked_button.clicked.connect(self._mark_worked)
        self.clear_button.clicked.connect(self._clear_change)
        self.add_day_button.clicked.connect(self._add_day)
        return group

    def read(self) -> None:
        chosen = self.calendar_box.currentData()
        self._calendar_rows = _calendars()
        self.calendar_box.blockSignals(True)
        self.calendar_box.clear()
        for row in self._calendar_rows:
            self.calendar_box.addItem(row.name, row.id)
        self.calendar_box.setCurrentIndex(max(self.calendar_box.findData(chosen), 0))
        self.calendar_box.blockSignals(False)
        self.calendar_box.setVisible(len(self._calendar_rows) > 1)
        calendar = self._calendar()
        for weekday, (open_box, opens, closes) in enumerate(self.days):
            start, end = calendar.hours.get(weekday, (time(9), time(18))) if calendar else (time(9), time(18))
            open_box.setChecked(calendar is not None and weekday in calendar.hours)
            opens.setEnabled(open_box.isChecked())
            closes.setEnabled(open_box.isChecked())
            opens.setTime(QTime(start.hour, start.minute))
            closes.setTime(QTime(end.hour, end.minute))
        if not self.country.count():
            self._fill_countries()
        self.load_holidays()

    def _fill_countries(self) -> None:
        self.country.blockSignals(True)
        self.country.set_items([(f"{name} ({code})", code) for code, name in country_names().items()])
        self.country.set_value(_usual_country())
        self.country.blockSignals(False)
        self.year.blockSignals(True)
        self.year.setValue(self.ctx.now().year)
        self.year.blockSignals(False)
        self.new_day.setDate(QDate(self.ctx.now().year, 12, 24))

    def _calendar(self) -> CalendarRow | None:
        chosen = self.calendar_box.currentData()
        return next((c for c in self._calendar_rows if c.id == chosen), None)

    def hours(self) -> dict[int, tuple[time, time]]:
        return {
            weekday: (opens.time().toPython(), closes.time().toPython())  # type: ignore[misc]
            for weekday, (open_box, opens, closes) in enumerate(self.days)
            if open_box.isChecked()
        }

    def values(self) -> object:
        return self.calendar_box.currentData(), self.hours()

    def write(self) -> None:
        calendar = self._calendar()
        assert calendar is not None
        sla.set_weekly_hours(self.ctx, calendar.id, calendar.version, self.hours())

    # -- holidays

    def _code(self) -> str:
        return self.country.value().strip().upper()

    def load_holidays(self) -> None:
        """List the chosen country's holidays of the chosen year with the custom changes."""
        code = self._code()
        self.messages["holiday"].clear()
        try:
            rows = _holidays(code, self.year.value(), self._working_days()) if code else []
        except ValueError as exc:
            rows = []
            self.messages["holiday"].set_error(str(exc))
        self.holiday_model.set_rows(rows)
        name = country_names().get(code, code)
        self.holiday_note.setText(
            f"{len(rows)} holidays of {name} in {self.year.value()}. Changes apply to every customer in {name}."
        )
        self._update_holiday_buttons()

    def _country_name(self) -> str:
        code = self._code()
        return country_names().get(code, code)

    def _working_days(self) -> frozenset[int]:
        calendar = self._calendar()
        return frozenset(calendar.hours) if calendar else frozenset(range(5))

    def _selected_holiday(self) -> HolidayRow | None:
        index = self.holiday_view.currentIndex()
        return self.holiday_model.row_at(index.row()) if index.isValid() else None

    def _update_holiday_buttons(self) -> None:
        row = self._selected_holiday()
        self.worked_button.setEnabled(row is not None and row.national and not row.worked)
        self.clear_button.setEnabled(row is not None and row.custom)

    def _holiday_action(self, action: Callable[[], object], done: str) -> bool:
        """Change a day of the calendar at once; the outcome shows under the holiday list."""
        message = self.messages["holiday"]
        try:
            action()
        except DomainError as exc:
            message.set_error(str(exc))
            return False
        self.load_holidays()
        message.show_message(Tone.OK, done)
        return True

    def _mark_worked(self) -> None:
        row = self._selected_holiday()
        if row is not None:
            code = self._code()
            done = f"{row.name} ({format_day(row.day)}) is a working day for customers in {self._country_name()}."
            self._holiday_action(lambda: sla.set_holiday(self.ctx, code, row.day, name=row.name, removed=True), done)

    def _clear_change(self) -> None:
        row = self._selected_holiday()
        if row is not None:
            code = self._code()
            done = f"{format_day(row.day)} follows the national calendar of {self._country_name()} again."
            self._holiday_action(lambda: sla.clear_holiday(self.ctx, code, row.day), done)

    def _add_day(self) -> None:
        day: date = self.new_day.date().toPython()  # type: ignore[assignment]
        code = self._code()
        existing = next((h for h in _holidays(code, day.year) if h.day == day), None) if code else None
        if existing is not None and not existing.worked and existing.national:
            self.messages["holiday"].set_error(f"{format_day(day)} {day.year} is already a holiday: {existing.name}.")
            return
        name = " ".join(self.new_day_name.text().split())
        if self.year.value() != day.year:
            self.year.setValue(day.year)

        def add() -> None:
            sla.set_holiday(self.ctx, code, day, name=name)
            self.new_day_name.clear()

        self._holiday_action(
            add, f"{format_day(day)} {day.year} is now a closed day for customers in {self._country_name()}."
        )
        self._select_day(day)

    def _select_day(self, day: date) -> None:
        for row, holiday in enumerate(self.holiday_model.rows()):
            if holiday.day == day:
                self.holiday_view.selectRow(row)


# -- Onboarding template -----------------------------------------------------------------------------------------


RULE_LABELS = {
    AutoRule.ACCESS_FORM_SENT: "when the access form is sent",
    AutoRule.ACCESS_FORM_RETURNED: "when a returned form is applied",
    AutoRule.SEATS_GRANTED: "when every seat is granted",
    AutoRule.WELCOME_CONFIRMED: "when every welcome is confirmed",
}


def _step_columns() -> list[Column[TemplateStepRow]]:
    return [
        Column[TemplateStepRow]("#", lambda s: str(s.position), align_right=True),
        Column[TemplateStepRow]("Step", lambda s: s.title, tooltip=lambda s: s.description),
        Column[TemplateStepRow]("Due", lambda s: "at the start" if not s.offset_days else f"day {s.offset_days}"),
        Column[TemplateStepRow](
            "Completes itself",
            lambda s: RULE_LABELS[s.auto_rule] if s.auto_rule else "—",
            tooltip=lambda s: s.auto_rule.explanation if s.auto_rule else "",
        ),
    ]


class TemplateSection(Section):
    title = "Onboarding template"
    intro = (
        "The checklist every new customer starts with. Changes apply to customers created from now on; existing "
        "customers keep their checklists. Steps the data proves complete themselves: they can be renamed and "
        "moved, but not deleted."
    )
    expanding = True

    def build(self) -> None:
        self._template: Template | None = None
        self._editing: int | None = None
        self.model = RowTableModel[TemplateStepRow](_step_columns(), self)
        self.table = QTableView()
        self.table.setAccessibleName("Template steps")
        configure_table(self.table)
        self.table.setModel(self.model)
        self.table.setMinimumHeight(300)
        for column, width in enumerate((36, 380, 100)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&New step")
        self.up_button = _arrow_button("↑", "Move step up")
        self.down_button = _arrow_button("↓", "Move step down")
        self.delete_button = QPushButton("De&lete step")
        self.reset_button = QPushButton("Reset to &default…")
        for widget in (self.add_button, self.up_button, self.down_button, self.delete_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        self.body.addLayout(buttons)
        self.body.addWidget(self.table, 1)
        self.group = QGroupBox("New step")
        form = self.form(self.group)
        self.step_title = QLineEdit()
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(self.fontMetrics().height() * 3 + 14)
        self.offset = QSpinBox()
        self.offset.setRange(0, 365)
        self.offset.setMaximumWidth(SPIN_WIDTH)
        self.offset.setPrefix("day ")
        self.offset.setSuffix(" of onboarding")
        self.rule = QComboBox()
        self.add_field(form, "title", "&Title", self.step_title)
        self.add_field(form, "description", "Des&cription", self.description)
        self.add_field(form, "offset_days", "Due &on", self.offset, "Counted from the customer's onboarding start.")
        self.rule_hint = _label("", hint=True)
        message = self.add_field(form, "auto_rule", "Completes &itself", self.rule)
        message.parentWidget().layout().addWidget(self.rule_hint)  # type: ignore[union-attr]
        form.addRow(self.save_row())
        self.body.addWidget(self.group)
        self.add_button.clicked.connect(self.start_new)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.delete_button.clicked.connect(self._delete)
        self.reset_button.clicked.connect(self._reset)
        self.track(self.step_title.textChanged, self.description.textChanged, self.offset.valueChanged,
                   self.rule.currentIndexChanged)  # fmt: skip

    def read(self) -> None:
        self._template = default_template()
        self.model.set_rows(self._template.steps)
        match = next((i for i, s in enumerate(self._template.steps) if s.id == self._editing), None)
        if match is None:
            self._fill(None)
        else:
            self.table.selectRow(match)
            self._fill(self._template.steps[match])

    def _fill(self, step: TemplateStepRow | None) -> None:
        self._editing = step.id if step else None
        self.step_title.setText(step.title if step else "")
        self.description.setPlainText(step.description if step else "")
        self.offset.setValue(step.offset_days if step else 0)
        self.rule.clear()
        if step is not None and step.auto_rule is not None:
            self.rule.addItem(step.auto_rule.explanation, step.auto_rule)
            self.rule_hint.setText("A step the data proves keeps its rule; it cannot be deleted.")
        else:
            self.rule.addItem("No: ticked by hand", None)
            for rule in self._template.unused_rules if self._template else ():
                self.rule.addItem(rule.explanation, rule)
            self.rule_hint.setText("")
        self.rule.setEnabled(self.rule.count() > 1)
        self.group.setTitle(f"Edit step {step.position}" if step else "New step (added at the end)")
        self.save_button.setText("Save step" if step else "Add step")
        position = step.position if step else 0
        count = len(self.model.rows())
        self.up_button.setEnabled(step is not None and position > 1)
        self.down_button.setEnabled(step is not None and position < count)
        self.delete_button.setEnabled(step is not None and step.deletable)
        self.delete_button.setToolTip("" if step is None or step.deletable else self.rule_hint.text())

    def _selected(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self.pick_row(self.table, current, previous):
            self.clear_messages()
            self._fill(self.model.row_at(current.row()))
            self.mark_clean()

    def _rule(self) -> AutoRule | None:
        data = self.rule.currentData()
        return AutoRule(data) if data else None

    def start_new(self) -> None:
        """An empty form to add a step at the end."""
        if not self.may_discard():
            return
        self.table.clearSelection()
        self.clear_messages()
        self._fill(None)
        self.mark_clean()
        self.step_title.setFocus()

    def values(self) -> object:
        return (self.step_title.text().strip(), self.description.toPlainText().strip(), self.offset.value(),
                self._rule())  # fmt: skip

    def write(self) -> None:
        assert self._template is not None
        data = StepInput(self.step_title.text(), self.description.toPlainText(), self.offset.value(),
                         self._rule())  # fmt: skip
        if self._editing is None:
            self._editing = add_step(self.ctx, self._template.version, data)
        else:
            update_step(self.ctx, self._editing, self._template.version, data)

    def _move(self, offset: int) -> None:
        if self._template is not None and self._editing is not None:
            step_id, version = self._editing, self._template.version
            self.attempt(lambda: move_step(self.ctx, step_id, version, offset), "Step moved.")

    def _delete(self) -> None:
        if self._template is None or self._editing is None:
            return
        step = self._template.step(self._editing)
        version = self._template.version
        if self.attempt(lambda: delete_step(self.ctx, step.id, version), f"Step '{step.title}' deleted."):
            self.start_new()

    def _reset(self) -> None:
        answer = QMessageBox.question(
            self, "Reset onboarding template",
            "Replace every step with tamdesk's default checklist? Existing customers keep their checklists.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel,
        )  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes and self._template is not None:
            version = self._template.version
            self._editing = None
            self.attempt(lambda: reset_to_default(self.ctx, version), "The template holds the default steps again.")


# -- Seat rules ------------------------------------------------------------------------------------------------


def _parse_parts(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\s]+", text) if part.strip()]


class SeatRulesSection(Section):
    title = "Seat rules"
    intro = (
        "Portal seats go to five distinct people, never to role or distribution mailboxes. An address whose part "
        "before the @ is in this list (at any domain, in any case, with or without a +tag) is refused for a seat."
    )

    def build(self) -> None:
        form = self.form()
        self.parts = QPlainTextEdit()
        self.parts.setTabChangesFocus(True)
        self.parts.setMinimumHeight(self.fontMetrics().height() * 7)
        hint = "Separate them with commas or new lines, e.g. support, admin, info, team, it, noreply."
        self.add_field(form, "role_local_parts", "&Role addresses", self.parts, hint)
        self.add_form(form)
        self.restore_button = QPushButton("Restore &defaults")
        self.restore_button.clicked.connect(self.restore_defaults)
        self.extra_buttons.append(self.restore_button)
        self.track(self.parts.textChanged)

    def restore_defaults(self) -> None:
        """Fill in the built-in list (saved with Save)."""
        self.parts.setPlainText(", ".join(sorted(DEFAULT_ROLE_LOCAL_PARTS)))

    def changed(self, *_: object) -> None:
        self.restore_button.setEnabled(self.values() != role_local_part_set(DEFAULT_ROLE_LOCAL_PARTS))
        super().changed()

    def read(self) -> None:
        self._version = _setting_version(ROLE_SETTING)
        self.parts.setPlainText(", ".join(sorted(role_local_parts())))

    def values(self) -> object:
        return role_local_part_set(_parse_parts(self.parts.toPlainText()))

    def write(self) -> None:
        entries = _parse_parts(self.parts.toPlainText())
        bad = [e for e in entries if not _LOCAL_PART.match(e.rstrip("@")) or e.count("@") > 1]
        if bad:
            listed = ", ".join(f"'{e}'" for e in bad[:5])
            raise FieldError("role_local_parts", f"{listed}: enter only the part of an address before the @.")
        if not entries:
            raise FieldError("role_local_parts", "Keep at least one role address, e.g. support.")
        set_setting(self.ctx, ROLE_SETTING, sorted(role_local_part_set(entries)), self._version)


# -- Defect update cadence -------------------------------------------------------------------------------------


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
            spin.valueChanged.connect(lambda _, s=spin: _days_suffix(s))
            self.add_field(form, str(int(sev)), sev.label, spin)
            self.spins[sev] = spin
            self.track(spin.valueChanged)
        self.add_form(form)

    def read(self) -> None:
        self._version = _setting_version(CADENCE_SETTING)
        stored = {**DEFAULT_CADENCE, **(get_setting(CADENCE_SETTING, DEFAULT_CADENCE) or {})}
        for sev, spin in self.spins.items():
            spin.setValue(int(stored[str(int(sev))]))
            _days_suffix(spin)

    def values(self) -> object:
        return {str(int(sev)): spin.value() for sev, spin in self.spins.items()}

    def write(self) -> None:
        set_setting(self.ctx, CADENCE_SETTING, self.values(), self._version)


# -- Email -----------------------------------------------------------------------------------------------------

_SECURITY_LABELS = {
    SmtpSecurity.STARTTLS: "STARTTLS (usually port 587)",
    SmtpSecurity.SSL: "SSL/TLS (usually port 465)",
    SmtpSecurity.NONE: "None: unencrypted (port 25)",
}


class EmailSection(Section):
    title = "Email"
    intro = (
        "The server tamdesk sends access forms, escalations and test messages through. The password is kept only "
        "in your system's keyring, never in the database or settings files."
    )
    saved_text = "Email settings saved."

    def build(self) -> None:
        form = self.form()
        self.host = QLineEdit()
        self.host.setPlaceholderText("smtp.example.com")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setMaximumWidth(SPIN_WIDTH)
        self.security = QComboBox()
        for security, label in _SECURITY_LABELS.items():
            self.security.addItem(label, security)
        self.user = QLineEdit()
        self.user.setPlaceholderText("Leave empty if the server takes mail without a login")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Type to store a new password")
        self.password_state = _label("", hint=True)
        self.forget_button = QPushButton("&Forget stored password")
        self.from_address = QLineEdit()
        self.from_address.setPlaceholderText("you@example.com")
        self.display_name = QLineEdit()
        self.display_name.setPlaceholderText("e.g. Ann Tam, Technical Account Manager")
        self.add_field(form, "host", "SMTP &host", self.host)
        self.add_field(form, "port", "&Port", self.port)
        self.add_field(form, "security", "&Security", self.security)
        self.add_field(form, "user", "&User", self.user)
        password_row = QWidget()
        row = QHBoxLayout(password_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.password, 1)
        row.addWidget(self.forget_button)
        self.password.setAccessibleName("Password")
        message = self.add_field(form, "password", "Pass&word", password_row)
        message.parentWidget().layout().addWidget(self.password_state)  # type: ignore[union-attr]
        self.fields["password"] = self.password
        self.add_field(form, "from_address", "&From address", self.from_address)
        self.add_field(form, "display_name", "Display &name", self.display_name)
        self.add_form(form)
        self.body.addLayout(self.save_row())
        self.body.addSpacing(12)
        self.body.addWidget(self._test_group())
        self._security = SmtpSecurity.STARTTLS
        self.security.currentIndexChanged.connect(self._security_changed)
        self.forget_button.clicked.connect(self._forget_password)
        self.track(self.host.textChanged, self.port.valueChanged, self.security.currentIndexChanged,
                   self.user.textChanged, self.password.textChanged, self.from_address.textChanged,
                   self.display_name.textChanged)  # fmt: skip
        # the keyring may be slow (D-Bus) or ask to unlock: look the password up once typing pauses
        self._state_debouncer = Debouncer(400, self._show_password_state, self)
        self.host.textChanged.connect(self._state_debouncer.trigger)
        self.user.textChanged.connect(self._state_debouncer.trigger)

    def _test_group(self) -> QGroupBox:
        group = QGroupBox("Test")
        form = self.form(group)
        self.test_to = QLineEdit()
        self.test_to.setPlaceholderText("the From address")
        self.test_button = QPushButton("Send &test email")
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.test_to, 1)
        line.addWidget(self.test_button)
        self.test_to.setAccessibleName("Send the test email to")
        self.add_field(form, "to", "Send &to", row, "Uses the settings as shown above, saved or not.")
        self.fields["to"] = self.test_to
        self.test_button.clicked.connect(self.send_test)
        return group

    def _security_changed(self) -> None:
        new = self.security.currentData()
        if self.port.value() == self._security.default_port:
            self.port.setValue(new.default_port)
        self._security = new

    def read(self) -> None:
        stored = load_smtp_settings()
        self.host.setText(stored.host)
        self.security.blockSignals(True)
        self.security.setCurrentIndex(self.security.findData(stored.security))
        self.security.blockSignals(False)
        self._security = stored.security
        self.port.setValue(stored.port)
        self.user.setText(stored.user)
        self.password.clear()
        self.from_address.setText(stored.from_address)
        self.display_name.setText(stored.display_name)
        self._state_debouncer.timer.stop()
        self._show_password_state()

    def settings(self) -> SmtpSettings:
        """The settings as the form shows them (not yet validated)."""
        return SmtpSettings(
            host=self.host.text(),
            port=self.port.value(),
            security=self.security.currentData(),
            user=self.user.text().strip(),
            from_address=self.from_address.text(),
            display_name=self.display_name.text(),
        )

    def values(self) -> object:
        return self.settings(), bool(self.password.text())

    def _show_password_state(self) -> None:
        settings = self.settings()
        store = self.page.secrets
        if not settings.user:
            text, stored = "No login: no password is needed.", False
        elif store.get(SecretName.SMTP_PASSWORD, SmtpSettings(host=settings.host.strip(), user=settings.user).account):
            where = "the keyring" if store.available else "memory for this session only (no keyring available)"
            text, stored = f"A password for {settings.user} on {settings.host.strip()} is stored in {where}.", True
        else:
            text, stored = f"No password stored for {settings.user} on {settings.host.strip() or '…'} yet.", False
        self.password_state.setText(text)
        self.forget_button.setEnabled(stored)

    def write(self) -> None:
        typed = self.password.text()
        if typed and not self.user.text().strip():
            raise FieldError("user", "Enter the user name the password belongs to.")
        saved = save_smtp_settings(self.ctx, self.settings())
        if typed:
            self.page.secrets.set(SecretName.SMTP_PASSWORD, saved.account, typed)

    def _forget_password(self) -> None:
        settings = self.settings()
        account = SmtpSettings(host=settings.host.strip(), user=settings.user).account
        self.page.secrets.delete(SecretName.SMTP_PASSWORD, account)
        self._show_password_state()
        self.status.show_message(Tone.OK, f"The password for {settings.user} was removed from the keyring.")

    def send_test(self) -> None:
        """Send a test message off the UI thread with the settings as shown; the outcome appears under Test."""
        self.clear_messages()
        try:
            settings = validate_smtp_settings(self.settings())
        except FieldError as exc:
            self.show_errors({exc.field: str(exc)})
            return
        to = self.test_to.text().strip() or settings.from_address
        typed = self.password.text()
        store = self.page.secrets
        prompt = (lambda _name, _account: typed) if typed else None

        def work(_control: TaskControl) -> str:
            send_test_email(settings, store, to=to, prompt=prompt)
            return to

        self.test_button.setEnabled(False)
        self.test_button.setText("Sending…")
        self.page.runner.run(work, lambda _: self._test_sent(settings, to, typed), self._test_failed)

    def _test_done(self) -> None:
        self.test_button.setEnabled(True)
        self.test_button.setText("Send &test email")

    def _test_sent(self, settings: SmtpSettings, to: str, typed: str) -> None:
        self._test_done()
        if typed and self.page.secrets.get(SecretName.SMTP_PASSWORD, settings.account) == typed:
            self.password.clear()
        self._show_password_state()
        self.messages["to"].show_message(Tone.OK, f"Test email sent to {to} through {settings.server}.")

    def _test_failed(self, exc: BaseException, details: str) -> None:
        self._test_done()
        if isinstance(exc, FieldError):
            self.show_errors({exc.field: str(exc)})
        elif isinstance(exc, DomainError):
            self.messages["to"].set_error(str(exc))
        else:
            show_failure(self, "Send test email", exc, details)


# -- Secrets ---------------------------------------------------------------------------------------------------


class SecretsSection(Section):
    title = "Secrets"
    intro = (
        "Passwords and tokens (SMTP, team database, engineering tracker) are kept only in your system's keyring: "
        "never in the database, settings files, logs or exports."
    )

    def build(self) -> None:
        form = self.form()
        self.backend = _label("")
        self.smtp = _label("")
        form.addRow("Keyring in use", self.backend)
        form.addRow("SMTP password", self.smtp)
        self.add_form(form)
        self.notice = FieldMessage()
        self.body.addWidget(self.notice)
        self.save_button.hide()

    def read(self) -> None:
        store = self.page.secrets
        self.backend.setText(store.backend_description())
        if store.notice:
            self.notice.set_warning(store.notice)
        else:
            self.notice.show_message(Tone.OK, "Secrets are stored in the keyring and survive a restart.")
        smtp = load_smtp_settings()
        if not smtp.user:
            self.smtp.setText("not needed (no SMTP login set up)")
        else:
            held = store.get(SecretName.SMTP_PASSWORD, smtp.account) is not None
            self.smtp.setText(f"{'stored' if held else 'not stored'} for {smtp.account}")


# -- the page ----------------------------------------------------------------------------------------------------

SECTIONS: tuple[type[Section], ...] = (
    YouSection,
    PeopleSection,
    EscalationSection,
    SlaSection,
    HoursSection,
    TemplateSection,
    SeatRulesSection,
    CadenceSection,
    EmailSection,
    SecretsSection,
)


# The look of the main window's navigation, one level in: rounded selection, on the window's colour.
SECTION_LIST_STYLE = """
QListWidget { padding: 8px 6px; background: palette(window); border-right: 1px solid palette(mid); }
QListWidget::item { padding: 2px 8px; margin: 1px 2px; border-radius: 5px; }
QListWidget::item:selected { background: palette(highlight); color: palette(highlighted-text); }
QListWidget::item:hover:!selected { background: palette(alternate-base); }
"""


class SettingsPage(Page):
    """Sections listed on the left, the chosen one on the right; each saves on its own."""

    title = "Settings"
    sample_data_requested = Signal()

    def __init__(
        self, ctx: Context, runner: TaskRunner, secrets: SecretStore | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self._secrets = secrets
        self._database: str | None = None
        self.section_list = QListWidget()
        self.section_list.setAccessibleName("Settings sections")
        self.section_list.setFixedWidth(210)
        self.section_list.setFrameShape(QFrame.Shape.NoFrame)
        self.section_list.setStyleSheet(SECTION_LIST_STYLE)
        self.stack = QStackedWidget()
        self.sections = [cls(self) for cls in SECTIONS]
        for section in self.sections:
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(section)
            self.stack.addWidget(scroll)
            item = QListWidgetItem(section.title)
            item.setSizeHint(QSize(0, 32))
            self.section_list.addItem(item)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.section_list)
        layout.addWidget(self.stack, 1)
        self.section_list.currentRowChanged.connect(self._show_row)
        self.section_list.setCurrentRow(0)

    def _show_row(self, row: int) -> None:
        """Show a section, fresh from the database unless it holds unsaved edits."""
        self.stack.setCurrentIndex(row)
        section = self.sections[row]
        if section.loaded and not section.dirty:
            section.load()

    @property
    def secrets(self) -> SecretStore:
        """The keyring wrapper: the one handed in, else the app session's, taken on first use."""
        if self._secrets is None:
            self._secrets = shared_secrets()
        return self._secrets

    def refresh(self) -> None:
        """Reload every section without unsaved edits (all of them after a database switch)."""
        label = database_label()
        switched = label != self._database
        self._database = label
        for section in self.sections:
            if switched or not section.dirty:
                section.load()

    def section(self, kind: type[Section]) -> Any:
        """The section of class ``kind``."""
        return next(s for s in self.sections if isinstance(s, kind))

    def show_section(self, kind: type[Section]) -> Any:
        """Bring the section of class ``kind`` to the front and return it."""
        found = self.section(kind)
        self.section_list.setCurrentRow(self.sections.index(found))
        return found
