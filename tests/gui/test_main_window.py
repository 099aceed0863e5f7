"""The main window as a user meets it: navigation, menus, status bar, remembered layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tamdesk.services.base import Context
from tamdesk.services.database import open_database
from tamdesk.views.main_window import MainWindow

PAGES = ["Today", "Customers", "Tickets", "Escalations", "Defects", "Reports", "Settings"]


def test_navigation_lists_every_page(window: MainWindow) -> None:
    titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert titles == PAGES


@pytest.mark.parametrize("row", range(len(PAGES)))
def test_clicking_a_navigation_entry_shows_its_page(window: MainWindow, qtbot, row: int) -> None:
    item = window.navigation.item(row)
    rect = window.navigation.visualItemRect(item)
    qtbot.mouseClick(window.navigation.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.stack.currentWidget() is window.pages[row]
    assert window.pages[row].title == PAGES[row]
    assert window.pages[row].isVisible()


def test_empty_database_has_an_honest_empty_state(window: MainWindow) -> None:
    window.show_page(2)
    page = window.pages[2]
    assert page.empty_state.heading.text() == "No tickets yet"
    assert page.empty_state.button.isVisible()
    assert page.empty_state.button.text() == "Load sample data…"


def test_go_menu_shortcuts_switch_pages(window: MainWindow, qtbot) -> None:
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page().title == "Escalations"


def test_status_bar_names_the_database(window: MainWindow, db_path: Path) -> None:
    assert window.database_status.text() == f"Database: {db_path}"
    assert window.counts_status.text() == "0 customers · 0 tickets"
    assert window.windowTitle() == "tamdesk — tamdesk.db"


def test_menus_carry_standard_shortcuts(window: MainWindow) -> None:
    assert window.new_item_action.shortcut().toString() == "Ctrl+N"
    assert window.new_action.shortcut().toString() == "Ctrl+Shift+N"
    assert window.open_action.shortcut().toString() == "Ctrl+O"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"


def test_geometry_splitter_and_page_are_restored(qtbot, db_path: Path) -> None:
    first = MainWindow(Context(), open_database)
    qtbot.addWidget(first)
    first.show()
    first.resize(790, 580)
    first.show_page(3)
    first.splitter.setSizes([150, 640])
    nav_width = first.splitter.sizes()[0]  # what the pages' minimum widths allowed
    assert 140 <= nav_width <= 200
    size = first.size()
    first.close()
    second = MainWindow(Context(), open_database)
    qtbot.addWidget(second)
    second.show()
    assert second.size() == size
    assert second.current_page().title == "Escalations"
    assert second.splitter.sizes()[0] == nav_width


def test_switching_to_another_database(window: MainWindow, tmp_path: Path, qtbot) -> None:
    other = tmp_path / "other.db"
    with qtbot.wait_signal(window.database_changed) as blocker:
        assert window.switch_database(other, create=True)
    assert blocker.args == [str(other)]
    assert window.database_status.text() == f"Database: {other}"


def test_opening_a_bad_file_says_why_and_keeps_the_current_one(
    window: MainWindow, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "photo.db"
    bad.write_bytes(b"\x89PNG....")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    assert not window.switch_database(bad)
    assert shown == [f"Cannot open {bad}: it is not a tamdesk database (not a SQLite file)."]
    assert window.database_status.text() == f"Database: {db_path}"
    assert bad.read_bytes() == b"\x89PNG...."


def test_about_names_the_version(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    window.about_action.trigger()
    assert "tamdesk 0.1.0" in shown[0]


def test_a_closed_window_starts_no_more_reads(window: MainWindow, qtbot) -> None:
    """A closed window lingers until Qt deletes it: an import or a save made after must not make it read.

    (It once did: a ticket import in a later test reloaded a closed window's ticket list on that test's
    database as it closed, and the read failed with "no such table".)
    """
    from tamdesk.views.changes import ticket_changes
    from tamdesk.views.pages.tickets import TicketList, TicketsPage

    window.show_page(PAGES.index("Tickets"))
    page = window.findChild(TicketsPage)
    qtbot.waitUntil(lambda: not page.list.busy())
    window.close()
    ticket_changes().imported.emit()
    ticket_changes().changed.emit(1)
    lists = window.findChildren(TicketList)
    assert lists and not any(lst.busy() or lst.timer.isActive() for lst in lists)
    assert window.notifier.check() is None


def test_start_up_builds_only_the_page_shown_and_loads_it_once(qtbot, db_path: Path, monkeypatch) -> None:
    from tamdesk.views.pages import today

    loads: list[object] = []
    real = today.load_today
    monkeypatch.setattr(today, "load_today", lambda *args: loads.append(args) or real(*args))
    win = MainWindow(Context(), open_database)
    qtbot.addWidget(win)
    assert loads == []  # nothing read before the window is on screen
    with qtbot.waitSignal(win.pages[0].loaded, timeout=10_000):
        win.show()
    page = win.pages.built()
    assert [p.title for p in page] == ["Today"]
    assert len(loads) == 1

    win.show_page(2)  # Tickets: built on its first visit, and shown
    assert [p.title for p in win.pages.built()] == ["Today", "Tickets"]
    assert win.stack.currentWidget() is win.pages[2]
    assert win.stack.count() == len(PAGES)
    for runner_page in win.pages.built():
        qtbot.waitUntil(lambda p=runner_page: not getattr(p, "busy", False))


def test_the_status_bar_counts_follow_a_change_made_on_any_page(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tamdesk.views.customer_dialog import CustomerDialog

    def fill(dialog: CustomerDialog) -> int:
        dialog.name.setText("Initech")
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(CustomerDialog, "exec", fill)
    assert window.counts_status.text() == "0 customers · 0 tickets"
    window.show_page(1)
    qtbot.mouseClick(window.pages[1].empty.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.counts_status.text() == "1 customer · 0 tickets", timeout=3000)


def test_ctrl_n_makes_a_new_item_of_the_page_shown(window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    from tamdesk.views.customer_dialog import CustomerDialog

    opened: list[str] = []
    monkeypatch.setattr(CustomerDialog, "exec", lambda dialog: opened.append(dialog.windowTitle()) or 0)
    assert not window.new_item_action.isEnabled()  # Today makes nothing new
    assert window.new_item_action.text() == "&New…"
    window.show_page(1)
    assert window.new_item_action.isEnabled() and window.new_item_action.text() == "&New customer…"
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(opened) == 1  # the New customer dialog, not a new database
    window.show_page(4)
    assert window.new_item_action.text() == "&Report defect…"
