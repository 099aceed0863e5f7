"""Settings › Business hours as a TAM uses it: a lunch break, a 24-hour day, a half day on a date; each error beside
its field naming the value, nothing saved."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QPushButton

from tamdesk.domain.calendar import END_OF_DAY
from tamdesk.models import tables as t
from tamdesk.secrets import SecretStore
from tamdesk.services.base import Context
from tamdesk.services.sla import calendar
from tamdesk.views.pages.settings import HoursSection, SettingsPage
from tamdesk.views.tasks import TaskRunner


@pytest.fixture
def section(qtbot, db_path: Path, ctx: Context) -> Iterator[HoursSection]:
    runner = TaskRunner()
    page = SettingsPage(ctx, runner, secrets=SecretStore())
    qtbot.addWidget(page)
    page.resize(1100, 900)
    page.show()
    page.refresh()
    yield page.show_section(HoursSection)
    runner.wait(5000)


def click(qtbot, button: QPushButton) -> None:
    assert button.isEnabled(), f"{button.text() or button.accessibleName()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(qtbot, field, text: str) -> None:
    field.clear()
    qtbot.keyClicks(field, text)


def _stored_hours() -> dict[str, list[object]]:
    return json.loads(t.BusinessCalendar.select().first().weekly_hours)


def test_a_lunch_break_and_a_24_hour_day_are_saved(qtbot, section: HoursSection) -> None:
    assert section.days[0].hours.text() == "09:00–18:00"
    type_into(qtbot, section.days[0].hours, "09:00-12:30, 13:30-18:00")
    section.days[5].open_box.setChecked(True)
    qtbot.mouseClick(section.days[5].whole_day, Qt.MouseButton.LeftButton)
    assert section.days[5].whole_day.isChecked()
    assert not section.days[5].hours.isEnabled()
    assert section.days[5].hours.text() == "00:00–24:00"
    click(qtbot, section.save_button)
    assert section.status.text() == "Business hours saved."
    stored = _stored_hours()
    assert stored["0"] == [["09:00", "12:30"], ["13:30", "18:00"]]
    assert stored["5"] == ["00:00", "24:00"]
    saved = calendar(t.BusinessCalendar.select().first().id, "UTC", "")
    assert saved.weekly_hours[0] == ((time(9), time(12, 30)), (time(13, 30), time(18)))
    assert saved.weekly_hours[5] == ((time(0), END_OF_DAY),)
    assert section.days[0].hours.text() == "09:00–12:30, 13:30–18:00"  # read back as saved
    assert section.days[5].whole_day.isChecked()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("09:00-13:00, 12:00-18:00", "Tue 09:00–13:00 overlaps 12:00–18:00"),
        ("10:00-10:00", "Tue 10:00–10:00 is empty"),
        ("nine to five", "Tue: 'nine to five' is not a time range like 09:00–12:30"),
        ("", "Type Tuesday's hours, e.g. 09:00–18:00, or untick it."),
    ],
)
def test_bad_weekly_hours_show_beside_the_day_and_nothing_is_saved(
    qtbot, section: HoursSection, text: str, message: str
) -> None:
    before = _stored_hours()
    type_into(qtbot, section.days[1].hours, text)
    click(qtbot, section.save_button)
    assert message in section.messages["hours_1"].text()
    assert section.messages["hours_0"].text() == ""
    assert _stored_hours() == before


def test_a_half_day_on_christmas_eve_is_listed_and_removed(qtbot, section: HoursSection) -> None:
    section.special_day.setDate(QDate(2026, 12, 24))
    type_into(qtbot, section.special_hours, "09:00-13:00")
    type_into(qtbot, section.special_name, "Christmas Eve")
    click(qtbot, section.set_date_button)
    assert section.messages["date_hours"].text() == "Thu 24 Dec 2026 is open 09:00–13:00 in Standard hours."
    rows = section.date_hours_model.rows()
    assert [(r.day, r.hours, r.name) for r in rows] == [(date(2026, 12, 24), ((time(9), time(13)),), "Christmas Eve")]
    assert section.date_hours_model.data(section.date_hours_model.index(0, 1)) == "09:00–13:00"
    section.special_day.setDate(QDate(2026, 12, 31))
    type_into(qtbot, section.special_hours, "closed")
    click(qtbot, section.set_date_button)
    assert [r.hours for r in section.date_hours_model.rows()] == [((time(9), time(13)),), ()]
    section.date_hours_view.selectRow(0)
    click(qtbot, section.remove_date_button)
    assert [r.day for r in section.date_hours_model.rows()] == [date(2026, 12, 31)]
    assert "Thu 24 Dec 2026 follows the weekly hours" in section.messages["date_hours"].text()


@pytest.mark.parametrize(
    ("day", "text", "message"),
    [
        (QDate(2026, 12, 24), "09:00-13:00, 12:00-14:00", "Thu 24 Dec 2026 09:00–13:00 overlaps 12:00–14:00"),
        (QDate(2026, 12, 24), "13-9", "Thu 24 Dec 2026 opens at 13:00 but closes at 09:00"),
        (QDate(2026, 12, 24), "half day", "Thu 24 Dec 2026: 'half day' is not a time range"),
        (QDate(2026, 12, 24), "", "Type the hours of Thu 24 Dec 2026, e.g. 09:00–13:00, or closed."),
        (QDate(2150, 12, 24), "09:00-13:00", "Thu 24 Dec 2150 is outside the calendar's years (2000–2100)."),
    ],
)
def test_bad_date_hours_show_beside_the_field_and_nothing_is_saved(
    qtbot, section: HoursSection, day: QDate, text: str, message: str
) -> None:
    section.special_day.setDate(day)
    type_into(qtbot, section.special_hours, text)
    click(qtbot, section.set_date_button)
    assert message in section.messages["date_hours"].text()
    assert t.CalendarDay.select().count() == 0
    assert section.date_hours_model.rowCount() == 0
