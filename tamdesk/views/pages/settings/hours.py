"""The Business hours & holidays section: a calendar's weekly hours (several intervals a day, or 24 hours), its
date-specific hours (a half day, a closed date), and each country's holidays with changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from functools import cache

from PySide6.QtCore import QDate, QLocale
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
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

from tamdesk.domain.calendar import (
    END_OF_DAY,
    WEEKDAY_NAMES,
    BusinessCalendar,
    DayHours,
    day_label,
    format_day_hours,
    parse_day_hours,
)
from tamdesk.domain.sla import format_day
from tamdesk.models import tables as t
from tamdesk.services import sla
from tamdesk.services.base import DomainError, FieldError, ValidationFailed
from tamdesk.services.customers import countries
from tamdesk.services.what_if import CalendarDraft, check_draft
from tamdesk.views.changes import changed
from tamdesk.views.pages.reports import system_zone
from tamdesk.views.pages.settings.helpers import text_label
from tamdesk.views.pages.settings.section import Section
from tamdesk.views.table_model import Column, RowTableModel
from tamdesk.views.what_if_dialog import WhatIfDialog
from tamdesk.views.widgets import FieldMessage, SearchableComboBox, Tone, configure_table, country_name, tone_color

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WHOLE_DAY: DayHours = ((time(0), END_OF_DAY),)
STANDARD_DAY: DayHours = ((time(9), time(18)),)


# -- reads the services do not offer (yet) --------------------------------------------------------------------
# Plain rows straight from the tables, for lists that services/sla.py does not return.


@dataclass(frozen=True)
class CalendarRow:
    id: int
    version: int
    name: str
    hours: dict[int, DayHours]


@dataclass(frozen=True)
class DayRow:
    """One weekday of the form: open or not, its intervals as typed, or all 24 hours; its message beside it."""

    open_box: QCheckBox
    hours: QLineEdit
    whole_day: QCheckBox
    message: FieldMessage

    def value(self) -> tuple[bool, str, bool]:
        return self.open_box.isChecked(), self.hours.text().strip(), self.whole_day.isChecked()


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
    names = {code: country_name(code) for code in countries() if len(code) == 2}
    return dict(sorted(names.items(), key=lambda item: item[1].casefold()))


def _usual_country() -> str:
    """The country most customers are in, else the system locale's, else US."""
    found = Counter(c.country for c in t.Customer.select(t.Customer.country) if c.country)
    if found:
        return found.most_common(1)[0][0]
    code = QLocale.system().name().partition("_")[2]
    return code if code in country_names() else "US"


def _worked_colour(holiday: HolidayRow) -> QColor | None:
    """Amber for a holiday that is worked; read when the cell is painted, so it follows a light/dark switch."""
    return tone_color(Tone.WARNING) if holiday.worked else None


def _date_hours_columns() -> list[Column[sla.DateHours]]:
    return [
        Column[sla.DateHours]("Date", lambda d: day_label(d.day)),
        Column[sla.DateHours]("Hours", lambda d: format_day_hours(d.hours)),
        Column[sla.DateHours]("Name", lambda d: d.name),
    ]


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
        grid.addWidget(
            text_label("Type one or more intervals a day, e.g. 09:00–12:30, 13:30–18:00 for a lunch break.", hint=True),
            0, 0, 1, 4,
        )  # fmt: skip
        self.days: list[DayRow] = []
        for weekday, name in enumerate(WEEKDAYS):
            self.days.append(self._day_row(grid, weekday + 1, weekday, name))
        grid.setColumnStretch(3, 1)
        self.messages["weekly_hours"] = FieldMessage()
        grid.addWidget(self.messages["weekly_hours"], len(WEEKDAYS) + 1, 0, 1, 4)
        self.compare_button = QPushButton("&Compare before saving…")
        self.compare_button.setToolTip(
            "Past compliance of this calendar's customers under the hours saved and the hours typed, side by side; "
            "nothing is saved."
        )
        self.compare_button.setEnabled(False)
        self.compare_button.clicked.connect(self.compare)
        self.extra_buttons.append(self.compare_button)
        grid.addLayout(self.save_row(), len(WEEKDAYS) + 2, 0, 1, 4)
        self.body.addWidget(hours)
        self.body.addWidget(self._date_hours_group())
        self.body.addWidget(self._holidays_group())

    def _day_row(self, grid: QGridLayout, line: int, weekday: int, name: str) -> DayRow:
        """A weekday's row: Open, its intervals as text, 24 hours; an error about the day shows beside it."""
        open_box = QCheckBox(name)
        text = QLineEdit()
        text.setPlaceholderText("09:00–18:00")
        text.setAccessibleName(f"{name} hours")
        text.setMinimumWidth(220)
        whole_day = QCheckBox("24 hours")
        whole_day.setAccessibleName(f"{name} 24 hours")
        whole_day.setToolTip(f"Open all day on {name}s (00:00–24:00); two such days in a row count as one stretch.")
        message = FieldMessage()
        row = DayRow(open_box, text, whole_day, message)
        open_box.toggled.connect(lambda _: self._enable_day(row))
        whole_day.toggled.connect(lambda _: self._enable_day(row))
        whole_day.clicked.connect(lambda checked: checked and text.setText(format_day_hours(WHOLE_DAY)))
        self.track(open_box.toggled, whole_day.toggled, text.textChanged)
        text.textChanged.connect(lambda _: message.clear())
        for column, widget in enumerate((open_box, text, whole_day, message)):
            grid.addWidget(widget, line, column)
        self.messages[f"hours_{weekday}"] = message
        self.fields[f"hours_{weekday}"] = text
        return row

    @staticmethod
    def _enable_day(row: DayRow) -> None:
        is_open = row.open_box.isChecked()
        row.whole_day.setEnabled(is_open)
        row.hours.setEnabled(is_open and not row.whole_day.isChecked())

    def _date_hours_group(self) -> QGroupBox:
        group = QGroupBox("Date-specific hours")
        layout = QVBoxLayout(group)
        layout.addWidget(
            text_label(
                "Hours for one date replace its weekly hours and any holiday: a half day on 24 December, or a "
                "working day closed. They apply to every customer on this calendar.",
                hint=True,
            )
        )
        self.date_hours_model = RowTableModel[sla.DateHours](_date_hours_columns(), self)
        self.date_hours_view = QTableView()
        self.date_hours_view.setAccessibleName("Date-specific hours")
        configure_table(self.date_hours_view)
        self.date_hours_view.setModel(self.date_hours_model)
        self.date_hours_view.setMinimumHeight(120)
        self.date_hours_view.setColumnWidth(0, 150)
        self.date_hours_view.setColumnWidth(1, 220)
        self.date_hours_view.selectionModel().currentRowChanged.connect(lambda *_: self._update_date_buttons())
        layout.addWidget(self.date_hours_view)
        add = QHBoxLayout()
        self.special_day = QDateEdit()
        self.special_day.setCalendarPopup(True)
        self.special_day.setDisplayFormat("ddd d MMM yyyy")
        self.special_day.setAccessibleName("Date")
        self.special_hours = QLineEdit()
        self.special_hours.setPlaceholderText("09:00–13:00, or closed")
        self.special_hours.setAccessibleName("Hours on the date")
        self.special_name = QLineEdit()
        self.special_name.setPlaceholderText("Name, e.g. Christmas Eve")
        self.special_name.setAccessibleName("Name of the date")
        self.set_date_button = QPushButton("&Set hours")
        self.remove_date_button = QPushButton("&Remove date")
        self.remove_date_button.setToolTip("The date follows the weekly hours and holidays again.")
        caption = QLabel("O&n")
        caption.setBuddy(self.special_day)
        widgets: tuple[tuple[QWidget, int], ...] = (
            (caption, 0), (self.special_day, 0), (self.special_hours, 1), (self.special_name, 1),
            (self.set_date_button, 0), (self.remove_date_button, 0),
        )  # fmt: skip
        for widget, stretch in widgets:
            add.addWidget(widget, stretch)
        layout.addLayout(add)
        self.messages["date_hours"] = FieldMessage()
        self.fields["date_hours"] = self.special_hours
        layout.addWidget(self.messages["date_hours"])
        self.special_hours.textChanged.connect(lambda _: self.messages["date_hours"].clear())
        self.set_date_button.clicked.connect(self._set_date_hours)
        self.remove_date_button.clicked.connect(self._remove_date_hours)
        return group

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
        self.holiday_note = text_label("", hint=True)
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
        for weekday, row in enumerate(self.days):
            hours = calendar.hours.get(weekday) if calendar else None
            row.open_box.setChecked(hours is not None)
            row.whole_day.setChecked(hours == WHOLE_DAY)
            row.hours.setText(format_day_hours(hours or STANDARD_DAY))
            row.message.clear()
            self._enable_day(row)
        if not self.country.count():
            self._fill_countries()
        self.load_date_hours()
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
        self.special_day.setDate(QDate(self.ctx.now().year, 12, 24))

    def _calendar(self) -> CalendarRow | None:
        chosen = self.calendar_box.currentData()
        return next((c for c in self._calendar_rows if c.id == chosen), None)

    def hours(self) -> dict[int, DayHours]:
        """The weekly hours the form holds.

        Raises:
            ValidationFailed: per weekday whose text is not intervals (or is empty while the day is open), naming it.
        """
        found: dict[int, DayHours] = {}
        errors: dict[str, str] = {}
        for weekday, row in enumerate(self.days):
            is_open, text, whole_day = row.value()
            if not is_open:
                continue
            if whole_day:
                found[weekday] = WHOLE_DAY
                continue
            try:
                found[weekday] = parse_day_hours(text, WEEKDAY_NAMES[weekday])
            except ValueError as exc:
                errors[f"hours_{weekday}"] = str(exc)
                continue
            if not found[weekday]:
                errors[f"hours_{weekday}"] = f"Type {WEEKDAYS[weekday]}'s hours, e.g. 09:00–18:00, or untick it."
        if errors:
            raise ValidationFailed(errors)
        return found

    def values(self) -> object:
        return self.calendar_box.currentData(), tuple(row.value() for row in self.days)

    def changed(self, *_: object) -> None:
        super().changed()
        self.compare_button.setEnabled(self.dirty)

    def compare(self) -> WhatIfDialog | None:
        """Open the comparison of the weekly hours typed with those saved; bad hours are refused beside their day."""
        calendar = self._calendar()
        if calendar is None:
            return None
        self.clear_messages()
        try:
            draft = CalendarDraft(calendar.id, self.hours())
            check_draft(draft)
        except ValidationFailed as exc:
            self.show_errors(exc.errors)
            return None
        except FieldError as exc:
            self.show_errors({exc.field: str(exc)})
            return None
        dialog = WhatIfDialog(self.ctx, draft, system_zone(), self)
        dialog.open()
        dialog.start()
        return dialog

    def write(self) -> None:
        calendar = self._calendar()
        assert calendar is not None
        sla.set_weekly_hours(self.ctx, calendar.id, calendar.version, self.hours())
        changed("calendar")

    # -- date-specific hours

    def load_date_hours(self) -> None:
        """List the chosen calendar's date-specific hours."""
        calendar = self._calendar()
        self.date_hours_model.set_rows(sla.date_hours(calendar.id) if calendar else [])
        self._update_date_buttons()

    def _selected_date(self) -> sla.DateHours | None:
        index = self.date_hours_view.currentIndex()
        return self.date_hours_model.row_at(index.row()) if index.isValid() else None

    def _update_date_buttons(self) -> None:
        self.remove_date_button.setEnabled(self._selected_date() is not None)

    def _date_action(self, action: Callable[[], object], done: str) -> bool:
        """Change one date of the calendar at once; the outcome shows under the list of dates."""
        message = self.messages["date_hours"]
        try:
            action()
        except DomainError as exc:
            message.set_error(str(exc))
            self.special_hours.setFocus()
            return False
        changed("calendar")
        self.load_date_hours()
        message.show_message(Tone.OK, done)
        return True

    def _set_date_hours(self) -> None:
        calendar = self._calendar()
        if calendar is None:
            return
        day: date = self.special_day.date().toPython()  # type: ignore[assignment]
        text = self.special_hours.text()
        if not text.strip():
            self.messages["date_hours"].set_error(f"Type the hours of {day_label(day)}, e.g. 09:00–13:00, or closed.")
            return
        try:
            hours = parse_day_hours(text, day_label(day))
        except ValueError as exc:
            self.messages["date_hours"].set_error(str(exc))
            return
        name = self.special_name.text()

        def store() -> None:
            sla.set_date_hours(self.ctx, calendar.id, day, hours, name)
            self.special_hours.clear()
            self.special_name.clear()

        shown = "closed" if not hours else f"open {format_day_hours(hours)}"
        if self._date_action(store, f"{day_label(day)} is {shown} in {calendar.name}."):
            for row, dated in enumerate(self.date_hours_model.rows()):
                if dated.day == day:
                    self.date_hours_view.selectRow(row)

    def _remove_date_hours(self) -> None:
        calendar, dated = self._calendar(), self._selected_date()
        if calendar is not None and dated is not None:
            self._date_action(
                lambda: sla.clear_date_hours(self.ctx, calendar.id, dated.day),
                f"{day_label(dated.day)} follows the weekly hours of {calendar.name} again.",
            )

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
        changed("calendar")
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
