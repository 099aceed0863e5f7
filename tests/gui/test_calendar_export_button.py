"""The Today page's "Export calendar…" button, clicked as a TAM clicks it: a file dialog, the file written in the
background, a line saying what was written, and the same file offered next time.

The file is read back with the ``icalendar`` package (``Calendar.from_ical`` and ``walk("VEVENT")`` from its usage
chapter) and with ``vobject``; each VEVENT carries a VALARM (RFC 5545 §3.6.6).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import icalendar
import pytest
import vobject
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.identity import save_name
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.today import CALENDAR_KEY, SCOPE_KEY, TodayPage
from tests.gui.test_today_page import load, make_book, today_page


class Dialog:
    """Stands in for the save dialog: answers with ``answer`` and records where it started."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answer = ""
        self.started: list[str] = []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self)

    def __call__(self, parent: object, title: str, start: str, filters: str) -> tuple[str, str]:
        assert (title, filters) == ("Export calendar", "iCalendar files (*.ics)")
        self.started.append(start)
        return self.answer, filters


@pytest.fixture
def book(db_path: Path, ctx: Context, fixed_now: datetime) -> dict[str, int]:
    """Acme (Tess Tam's, and she is the user) and Globex (Omar's), as on the Today page's own tests."""
    ids = make_book(ctx, fixed_now)
    save_name("Tess Tam")
    return ids


@pytest.fixture
def dialog(monkeypatch: pytest.MonkeyPatch) -> Dialog:
    return Dialog(monkeypatch)


def _ready(qtbot: QtBot, window: MainWindow) -> TodayPage:
    page = today_page(window)
    qtbot.waitUntil(lambda: page.current is not None and not page.busy, timeout=10_000)
    return page


def _click(qtbot: QtBot, page: TodayPage) -> None:
    page.calendar_button.click()
    qtbot.waitUntil(lambda: page.calendar_button.isEnabled(), timeout=10_000)


def _customers(path: Path) -> set[str]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["DESCRIPTION"]).splitlines()[0].removeprefix("Customer: ") for e in cal.walk("VEVENT")}


def test_the_button_writes_the_calendar_and_says_so(
    qtbot: QtBot, window: MainWindow, book: dict[str, int], dialog: Dialog, tmp_path: Path, fixed_now: datetime
) -> None:
    page = _ready(qtbot, window)
    t.FollowUp.create(customer=book["acme"], what="Send the notes", due_on=date(2026, 3, 12), created_at=fixed_now)
    dialog.answer = str(tmp_path / "tess")  # typed without the extension
    _click(qtbot, page)
    written = tmp_path / "tess.ics"
    events = vobject.readOne(written.read_text(encoding="utf-8")).vevent_list
    assert page.calendar_note.text() == f"✓ Wrote {len(events)} events to {written} (your customers)."
    assert _customers(written) == {"Acme"}  # the page shows Tess's customers, so the calendar holds them
    assert "Follow-up · Acme: Send the notes" in {ev.summary.value for ev in events}
    assert all(ev.valarm.action.value == "DISPLAY" for ev in events)
    assert QSettings().value(CALENDAR_KEY) == str(written)
    assert dialog.started[0].endswith("tamdesk.ics")
    _click(qtbot, page)  # the same file is offered again: a subscribed calendar reads that one
    assert dialog.started[1] == str(written)


def test_all_customers_when_the_page_shows_all(
    qtbot: QtBot, window: MainWindow, book: dict[str, int], dialog: Dialog, tmp_path: Path
) -> None:
    QSettings().setValue(SCOPE_KEY, "all")
    page = _ready(qtbot, window)
    load(qtbot, page)
    dialog.answer = str(tmp_path / "all.ics")
    _click(qtbot, page)
    assert _customers(tmp_path / "all.ics") == {"Acme", "Globex"}
    assert page.calendar_note.text().endswith("(every customer).")


def test_a_bad_path_is_said_beside_the_button_and_nothing_is_written(
    qtbot: QtBot, window: MainWindow, book: dict[str, int], dialog: Dialog, tmp_path: Path
) -> None:
    page = _ready(qtbot, window)
    dialog.answer = str(tmp_path / "missing" / "tess.ics")
    _click(qtbot, page)
    assert page.calendar_note.text() == (
        f"⚠ Cannot write {tmp_path / 'missing' / 'tess.ics'}: folder {tmp_path / 'missing'} does not exist."
    )
    assert not (tmp_path / "missing").exists()
    dialog.answer = str(tmp_path / "tess.txt")
    _click(qtbot, page)
    assert page.calendar_note.text().endswith("a calendar file's name must end in .ics.")
    assert not (tmp_path / "tess.txt").exists()


def test_cancelling_the_dialog_writes_nothing(
    qtbot: QtBot, window: MainWindow, book: dict[str, int], dialog: Dialog, tmp_path: Path
) -> None:
    page = _ready(qtbot, window)
    assert page.ask_calendar_export() is None
    assert page.calendar_note.text() == "" and page.calendar_button.isEnabled()
    assert QSettings().value(CALENDAR_KEY) is None


def test_the_message_line_keeps_its_place(qtbot: QtBot, window: MainWindow, book: dict[str, int]) -> None:
    page = _ready(qtbot, window)
    height = page.calendar_note.height()
    assert height >= page.calendar_note.fontMetrics().height()
    page.calendar_note.setText("✓ Wrote 3 events to /tmp/x.ics (your customers).")
    qtbot.wait(10)
    assert page.calendar_note.height() == height
