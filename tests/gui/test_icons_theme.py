"""The icon set, the light/dark theme and Help › Keyboard shortcuts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import QApplication, QListWidget, QListWidgetItem

from tamdesk.views.icons import ICON_NAMES, icon, render_pixmap, tint_for
from tamdesk.views.main_window import MainWindow
from tamdesk.views.shortcuts_dialog import ShortcutEntry, ShortcutsDialog, gather_shortcuts, plain_text
from tamdesk.views.theme import SCHEME_ENV, STYLESHEET, apply_theme, dark_palette, is_dark
from tests.gui.looks import close, ink, look_restored


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The application, with its palette, style and stylesheet put back after the test."""
    with look_restored(qapp):
        yield qapp


@pytest.mark.parametrize("name", ICON_NAMES)
@pytest.mark.parametrize("side", [16, 24, 48])
def test_every_icon_renders_at_each_size(app: QApplication, name: str, side: int) -> None:
    pixmap = icon(name).pixmap(QSize(side, side), 1.0)
    assert not icon(name).isNull()
    assert pixmap.size() == QSize(side, side)
    image = pixmap.toImage()
    opaque = sum(image.pixelColor(x, y).alpha() > 128 for y in range(side) for x in range(side))
    assert opaque >= side, f"{name} at {side} px is (nearly) empty"


def test_high_dpi_pixmaps_have_twice_the_pixels(app: QApplication) -> None:
    pixmap = icon("tickets").pixmap(QSize(24, 24), 2.0)
    assert pixmap.devicePixelRatio() == 2.0
    assert pixmap.size() == QSize(48, 48)
    assert pixmap.deviceIndependentSize().toSize() == QSize(24, 24)


def test_line_icons_take_the_palette_text_colour_light_and_dark(app: QApplication) -> None:
    light = QPalette(app.palette())
    assert close(ink(icon("search").pixmap(24).toImage()), light.color(QPalette.ColorRole.WindowText))
    app.setPalette(dark_palette())
    dark_ink = ink(icon("search").pixmap(24).toImage())
    assert close(dark_ink, QColor("#e8e8ea")), dark_ink.name()
    assert dark_ink.lightness() > 200


def test_selected_and_disabled_modes_use_their_palette_roles(app: QApplication) -> None:
    app.setPalette(dark_palette())
    selected = icon("ok").pixmap(QSize(24, 24), 1.0, QIcon.Mode.Selected).toImage()
    disabled = icon("ok").pixmap(QSize(24, 24), 1.0, QIcon.Mode.Disabled).toImage()
    assert close(ink(selected), tint_for(QIcon.Mode.Selected))
    assert close(ink(disabled), tint_for(QIcon.Mode.Disabled))


def test_a_fixed_colour_and_the_app_icon_keep_their_colours(app: QApplication) -> None:
    amber = QColor("#8a5300")
    assert close(ink(icon("warning", amber).pixmap(24).toImage()), amber)
    app_icon = render_pixmap("tamdesk", QSize(48, 48), 1.0, QColor("black")).toImage()
    centre_left = app_icon.pixelColor(4, 24)
    assert centre_left.blue() > 150 and centre_left.red() < 120, centre_left.name()  # the blue tile


def test_unknown_icon_names_fail_loudly(app: QApplication) -> None:
    with pytest.raises(KeyError, match="No icon named 'nope'"):
        icon("nope")


def test_theme_follows_the_requested_scheme_without_qt_warnings(
    app: QApplication, monkeypatch: pytest.MonkeyPatch, qtlog: object
) -> None:
    monkeypatch.setenv(SCHEME_ENV, "dark")
    theme = apply_theme(app)
    assert apply_theme(app) is theme
    assert is_dark(app.palette()) and theme.scheme() == Qt.ColorScheme.Dark
    assert app.styleSheet() == STYLESHEET
    monkeypatch.setenv(SCHEME_ENV, "light")
    theme.apply()
    assert not is_dark(app.palette()) and theme.scheme() == Qt.ColorScheme.Light
    warnings = [r for r in qtlog.records if r.type != 0]  # type: ignore[attr-defined]  # 0: QtDebugMsg
    assert not warnings, [r.message for r in warnings]


def test_a_system_scheme_change_retints_icons_already_on_screen(
    app: QApplication, monkeypatch: pytest.MonkeyPatch, qtbot: object
) -> None:
    monkeypatch.setenv(SCHEME_ENV, "light")
    theme = apply_theme(app)
    view = QListWidget()
    view.setIconSize(QSize(24, 24))
    QListWidgetItem(icon("customers"), "Customers", view)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    view.show()
    before = _icon_stroke(view)
    monkeypatch.setenv(SCHEME_ENV, "dark")  # what the desktop now reports
    with qtbot.wait_signal(theme.scheme_applied, timeout=10_000):  # type: ignore[attr-defined]
        app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    after = _icon_stroke(view)
    assert before.lightness() < 100 < 200 < after.lightness(), (before.name(), after.name())


def _icon_stroke(view: QListWidget) -> QColor:
    """The icon's line colour in the item as painted: the pixel furthest in lightness from the background."""
    rect = view.visualItemRect(view.item(0))
    image = view.viewport().grab(rect.adjusted(0, 0, -(rect.width() - 34), 0)).toImage()
    background = image.pixelColor(0, 0).lightness()
    pixels = (image.pixelColor(x, y) for y in range(image.height()) for x in range(image.width()))
    return max(pixels, key=lambda color: abs(color.lightness() - background))


# -- Help › Keyboard shortcuts ----------------------------------------------------------------------------------


def _native(keys: str) -> str:
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


def test_plain_text_drops_mnemonics_and_ellipsis() -> None:
    assert plain_text("&Open database…") == "Open database"
    assert plain_text("Save && close...") == "Save & close"


def test_shortcuts_are_gathered_from_the_menus(window: MainWindow) -> None:
    entries = {(e.group, e.text): e.keys for e in gather_shortcuts(window)}
    assert entries[("File", "Quit")] == _native("Ctrl+Q")
    assert entries[("File", "Open database")] == QKeySequence(QKeySequence.StandardKey.Open).toString(
        QKeySequence.SequenceFormat.NativeText
    )
    assert entries[("Go", "Today")] == _native("Ctrl+1")
    assert entries[("Help", "Keyboard shortcuts")] == _native("Ctrl+/")
    assert ("Help", "About tamdesk") not in entries  # no shortcut, not listed


def test_page_shortcuts_that_say_what_they_do_are_listed_under_the_page(window: MainWindow) -> None:
    page = window.pages[1]
    described = QShortcut(QKeySequence("Ctrl+Shift+F9"), page)
    described.setWhatsThis("Frobnicate the list")
    QShortcut(QKeySequence("Ctrl+Shift+F10"), page)  # says nothing: not listed
    entries = gather_shortcuts(window)
    assert ShortcutEntry(page.title, "Frobnicate the list", _native("Ctrl+Shift+F9")) in entries
    assert all(entry.keys != _native("Ctrl+Shift+F10") for entry in entries)


def test_the_shortcuts_pages_and_tables_use_are_listed(window: MainWindow) -> None:
    entries = {(e.group, e.text): e.keys for e in gather_shortcuts(window)}
    find = QKeySequence(QKeySequence.StandardKey.Find).toString(QKeySequence.SequenceFormat.NativeText)
    assert entries[("Tickets", "Search tickets")] == find
    assert entries[("Customers", "Search customers")] == find
    assert entries[("Tickets", "Open the selected ticket")] == ", ".join(_native(k) for k in ("Return", "Enter"))
    assert entries[("Customers", "Tick or untick the selected onboarding step")] == _native("Space")
    assert entries[("In tables", "Change the selected cell (a due date or a note)")] == _native("F2")


def test_shortcuts_dialog_lists_and_filters(window: MainWindow, qtbot: object) -> None:
    dialog = ShortcutsDialog(window)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    shown = dialog.shown_shortcuts()
    assert ("File", "Quit", _native("Ctrl+Q")) in shown
    assert [group for group, _, _ in shown].index("File") < [group for group, _, _ in shown].index("Help")
    qtbot.keyClicks(dialog.filter, "quit")  # type: ignore[attr-defined]
    assert dialog.shown_shortcuts() == [("File", "Quit", _native("Ctrl+Q"))]
    dialog.filter.setText("no such action")
    assert dialog.shown_shortcuts() == [] and not dialog.empty.isHidden()


def test_help_menu_opens_the_shortcuts_dialog(window: MainWindow) -> None:
    seen: list[str] = []

    def close_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ShortcutsDialog)
        seen.append(dialog.windowTitle())
        dialog.reject()

    QTimer.singleShot(0, close_dialog)
    window.shortcuts_action.trigger()
    assert seen == ["Keyboard shortcuts"]


def test_main_window_uses_the_icon_set(window: MainWindow) -> None:
    assert not window.windowIcon().isNull()
    for row in range(window.navigation.count()):
        item_icon = window.navigation.item(row).icon()
        assert not item_icon.isNull()
        assert item_icon.pixmap(20).toImage().pixelColor(10, 10).isValid()
