"""The one field for a date and time a person types or picks: whole minutes, in their zone or the customer's.

The text is read by ``domain.typed_time`` (ISO, ``4 Dec 2026 17:05``, ``17:05`` for today ...); a calendar button
picks the day and the arrow keys step the time. A switch beside the field says which clock the text is on (yours or
the customer's); the choice is remembered for every field, and switching converts the text, never the instant.
Text that names no usable time is explained beside the field and ``value()`` is None, so nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QEvent, QObject, QSettings, Qt, QTimeZone, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from tamdesk.domain.sla import format_local
from tamdesk.domain.timestamps import localize
from tamdesk.domain.typed_time import (
    EXAMPLES,
    TypedTimeError,
    fold_note,
    format_typed_time,
    has_seconds,
    parse_typed_time,
    whole_minute,
)
from tamdesk.views.icons import icon
from tamdesk.views.widgets import FieldMessage, reserve_space

ZONE_SETTING = "times/zone"  # "mine" or "customer": which clock every date-time field types on
MINE, CUSTOMER = "mine", "customer"
STORED_WITH_SECONDS = "Stored with seconds (imported or entered before whole minutes)"
SECONDS_NOTE = f"{STORED_WITH_SECONDS}; kept unless you change the time"
STEPS = {Qt.Key.Key_Up: timedelta(minutes=1), Qt.Key.Key_Down: timedelta(minutes=-1),
         Qt.Key.Key_PageUp: timedelta(hours=1), Qt.Key.Key_PageDown: timedelta(hours=-1)}  # fmt: skip


def my_zone() -> ZoneInfo:
    """The computer's IANA zone as Qt reads it (on Windows too), else UTC."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode(errors="ignore")
    try:
        return ZoneInfo(name)
    except (ValueError, OSError):
        return ZoneInfo("UTC")


def remembered_zone() -> str:
    """Which clock the user last chose to type times on (``mine`` unless they chose the customer's)."""
    return CUSTOMER if QSettings().value(ZONE_SETTING, MINE) == CUSTOMER else MINE


class DateTimeField(QWidget):
    """A typed or picked instant; ``value()`` is the UTC instant, or None with the reason shown under the field.

    A time set from a clock (``set_value``) is floored to the minute; a stored one (``show_stored``) keeps its
    seconds, shown with a note, and comes back exactly while its text is left alone (history is history).
    """

    changed = Signal()

    def __init__(self, clock: Callable[[], datetime], name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._mine = my_zone()
        self._customer: ZoneInfo | None = None
        self._exact: datetime | None = None
        self._shown = ""  # the text shown for ``_exact``: while it is unchanged, ``_exact`` is the value
        self._shown_zone = self._mine  # the zone the text is on, until a switch converts it
        self._build(name)
        # a label's shortcut may focus the field (see focusInEvent); Tab goes to its parts, not to it
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._fill_zones()
        self._update_hint()

    def _build(self, name: str) -> None:
        self.edit = QLineEdit()
        self.edit.setAccessibleName(name)
        self.edit.setPlaceholderText("e.g. 4 Dec 2026 17:05")
        self.edit.setToolTip(
            f"Type e.g. {EXAMPLES}, or yesterday 17:05. Whole minutes. ↑/↓ steps a minute, Page Up/Down an hour."
        )
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance("Wed 30 Sep 2026 23:59:59") + 16)
        self.edit.installEventFilter(self)
        self.edit.textEdited.connect(self._edited)
        self.edit.editingFinished.connect(self._tidy)
        self._build_calendar(name)
        self.zone_switch = QComboBox()
        self.zone_switch.setAccessibleName(f"{name}: time zone")
        self.zone_switch.setToolTip("Which clock the time is typed on; switching converts the text, not the time")
        self.zone_switch.currentIndexChanged.connect(self._zone_switched)
        # the other clock's time and the message keep their lines: a customer chosen or a typo moves nothing beneath
        self.hint = reserve_space(QLabel())
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        self.message = reserve_space(FieldMessage())
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.edit, 1)
        line.addWidget(self.pick)
        line.addWidget(self.zone_switch)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(line)
        column.addWidget(self.hint)
        column.addWidget(self.message)

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Focus given to the field (a label's shortcut, ``setFocus``) goes to its text.

        Not a focus proxy: with one, Qt links the field's own widgets into a closed Tab loop once the field is put
        in a form, and Tab never leaves the time.
        """
        super().focusInEvent(event)
        self.edit.setFocus(event.reason())

    def _build_calendar(self, name: str) -> None:
        """The button whose popup calendar picks the day, keeping the time of day."""
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        menu = QMenu(self)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        menu.aboutToShow.connect(self._calendar_to_value)
        self.pick = QToolButton()
        self.pick.setIcon(icon("today"))  # the calendar icon
        self.pick.setToolTip("Pick the day on a calendar (the time stays)")
        self.pick.setAccessibleName(f"{name}: pick a day")
        self.pick.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.pick.setMenu(menu)

    # -- zones --------------------------------------------------------------------------------------------

    def set_customer_zone(self, name: str | None) -> None:
        """Offer the customer's clock too (None: only the user's); the instant shown stays the same."""
        try:
            customer = ZoneInfo(name) if name else None
        except (ValueError, OSError):
            customer = None
        if customer == self._customer:
            return
        moment = self._quiet_value()
        self._customer = customer
        self._fill_zones()
        self._redisplay(moment)

    def zone(self) -> ZoneInfo:
        """The zone the text is on."""
        return self._customer if self.zone_switch.currentData() == CUSTOMER and self._customer else self._mine

    def _fill_zones(self) -> None:
        self.zone_switch.blockSignals(True)
        self.zone_switch.clear()
        self.zone_switch.addItem(f"Your time ({self._mine.key})", MINE)
        if self._customer is not None:
            self.zone_switch.addItem(f"Customer's time ({self._customer.key})", CUSTOMER)
            self.zone_switch.setCurrentIndex(self.zone_switch.findData(remembered_zone()))
        self.zone_switch.setEnabled(self._customer is not None)
        self.zone_switch.blockSignals(False)

    def _zone_switched(self, *_: object) -> None:
        if self._customer is not None:
            QSettings().setValue(ZONE_SETTING, self.zone_switch.currentData())
        moment = self._exact if self.edit.text() == self._shown else None
        if moment is None:
            moment = self._parse(self._shown_zone)
        self._redisplay(moment)

    def _redisplay(self, moment: datetime | None) -> None:
        """Show ``moment`` on the current clock; text that names no time stays as typed."""
        if moment is not None:
            self._show(moment)
        self._shown_zone = self.zone()
        self._update_hint()

    # -- the value ----------------------------------------------------------------------------------------

    def set_value(self, moment: datetime) -> None:
        """Show a time from a clock (a default of now), floored to the whole minute people type."""
        self._show(whole_minute(moment.astimezone(UTC)))

    def show_stored(self, moment: datetime) -> None:
        """Show a stored time as it is, seconds and all."""
        self._show(moment.astimezone(UTC))

    def value(self) -> datetime | None:
        """The instant in UTC; None when the text names none, with the reason shown under the field."""
        if self._exact is not None and self.edit.text() == self._shown:
            return self._exact
        try:
            return parse_typed_time(self.edit.text(), self.zone(), self._today())
        except TypedTimeError as exc:
            self.message.set_error(str(exc))
            return None

    def text(self) -> str:
        """The text shown in the field."""
        return self.edit.text()

    def _show(self, moment: datetime) -> None:
        self._exact = moment
        self._shown = format_typed_time(moment, self.zone())
        self._shown_zone = self.zone()
        self.edit.setText(self._shown)
        self.message.clear()
        self._update_hint()
        self.changed.emit()

    def _quiet_value(self) -> datetime | None:
        """The value without showing a message (for conversions and hints)."""
        if self._exact is not None and self.edit.text() == self._shown:
            return self._exact
        return self._parse(self.zone())

    def _parse(self, zone: ZoneInfo) -> datetime | None:
        try:
            return parse_typed_time(self.edit.text(), zone, self._today(zone))
        except TypedTimeError:
            return None

    def _today(self, zone: ZoneInfo | None = None) -> date:
        return self._clock().astimezone(zone or self.zone()).date()

    # -- typing, picking and stepping ---------------------------------------------------------------------

    def _edited(self, *_: object) -> None:
        self.message.clear()
        self._update_hint()
        self.changed.emit()

    def _tidy(self) -> None:
        """When the user leaves the field: a time they typed is shown in full, bad text is explained."""
        if self.edit.text() == self._shown:
            return
        moment = self.value()
        if moment is not None:
            self._show(moment)

    def _calendar_to_value(self) -> None:
        moment = self._quiet_value() or self._clock()
        day = moment.astimezone(self.zone()).date()
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))

    def _picked(self, picked: QDate) -> None:
        """The day chosen on the calendar, at the time of day the field shows (whole minutes)."""
        self.pick.menu().close()
        zone = self.zone()
        wall = whole_minute(self._quiet_value() or self._clock()).astimezone(zone)
        day: date = picked.toPython()  # type: ignore[assignment]
        naive = datetime(day.year, day.month, day.day, wall.hour, wall.minute)
        try:
            self._show(localize(naive, zone))
        except ValueError as exc:
            self.message.set_error(f"{naive:%d %b %Y %H:%M}: {exc}")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            step = STEPS.get(Qt.Key(event.key()))
            if step is not None:
                moment = self._quiet_value()
                if moment is not None:
                    self._show(whole_minute(moment) + step)
                return True
        return super().eventFilter(watched, event)

    # -- the line under the field -------------------------------------------------------------------------

    def _update_hint(self) -> None:
        moment = self._quiet_value()
        notes = []
        if moment is not None and self._customer is not None:
            on_mine = self.zone_switch.currentData() != CUSTOMER
            other, whose = (self._customer, "the customer's time") if on_mine else (self._mine, "your time")
            if other != self.zone():
                notes.append(f"= {format_local(moment.astimezone(other))}, {whose}")
        if moment is not None and moment == self._exact and has_seconds(moment):
            notes.append(SECONDS_NOTE)
        if moment is not None:
            notes.append(fold_note(moment, self.zone()))
        text = " · ".join(note for note in notes if note)
        self.hint.setText(text)
        self.hint.setVisible(bool(text))
