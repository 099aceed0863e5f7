"""The app's look: the system's light or dark colour scheme, followed live, and a small stylesheet.

Qt 6 reports the desktop's scheme through ``QStyleHints.colorScheme()`` and, where the platform theme can, already
hands the application a matching palette (Windows 11, macOS, GNOME and KDE with Qt 6.5+). Where it cannot (an older
style, a bare X server) the palette stays light while the scheme says dark; then tamdesk uses Fusion with its own
dark palette. ``TAMDESK_COLOR_SCHEME=light|dark`` overrides the system (used for screenshots and by people whose
desktop reports nothing).
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from tamdesk.views import icons

SCHEME_ENV = "TAMDESK_COLOR_SCHEME"

# Spacing and headings only; colours come from the palette (``palette(...)``) so the same sheet serves both schemes.
STYLESHEET = """
QListWidget#navigation { padding: 6px 4px; }
QListWidget#navigation::item { padding: 2px 6px; margin: 1px 2px; border-radius: 5px; }
QListWidget#navigation::item:selected { background: palette(highlight); color: palette(highlighted-text); }
QListWidget#navigation::item:hover:!selected { background: palette(alternate-base); }
QLabel[heading="1"] { font-size: 16pt; font-weight: 600; }
QLabel[heading="2"] { font-size: 12pt; font-weight: 600; }
QStatusBar QLabel { padding: 0 6px; }
QToolTip { padding: 4px; }
QDialogButtonBox { dialogbuttonbox-buttons-have-icons: 0; }
"""

_DARK_COLORS: dict[QPalette.ColorRole, str] = {
    QPalette.ColorRole.Window: "#2b2b2e",
    QPalette.ColorRole.WindowText: "#e8e8ea",
    QPalette.ColorRole.Base: "#1f1f22",
    QPalette.ColorRole.AlternateBase: "#2a2a2e",
    QPalette.ColorRole.ToolTipBase: "#3a3a3f",
    QPalette.ColorRole.ToolTipText: "#e8e8ea",
    QPalette.ColorRole.PlaceholderText: "#9a9aa0",
    QPalette.ColorRole.Text: "#e8e8ea",
    QPalette.ColorRole.Button: "#36363a",
    QPalette.ColorRole.ButtonText: "#e8e8ea",
    QPalette.ColorRole.BrightText: "#ff8a80",
    QPalette.ColorRole.Light: "#4a4a50",
    QPalette.ColorRole.Midlight: "#3e3e43",
    QPalette.ColorRole.Mid: "#2f2f33",
    QPalette.ColorRole.Dark: "#1c1c1f",
    QPalette.ColorRole.Shadow: "#0d0d0f",
    QPalette.ColorRole.Highlight: "#3b6fc4",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#8ab4f8",
    QPalette.ColorRole.LinkVisited: "#c58af9",
}
_DARK_DISABLED: dict[QPalette.ColorRole, str] = {
    QPalette.ColorRole.WindowText: "#7c7c82",
    QPalette.ColorRole.Text: "#7c7c82",
    QPalette.ColorRole.ButtonText: "#7c7c82",
    QPalette.ColorRole.Highlight: "#4a4a50",
    QPalette.ColorRole.HighlightedText: "#b0b0b5",
}


def dark_palette() -> QPalette:
    """tamdesk's dark palette, for styles and platforms that do not provide one."""
    palette = QPalette()
    for role, color in _DARK_COLORS.items():
        palette.setColor(role, QColor(color))
    for role, color in _DARK_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(color))
    return palette


def is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` draws light text on a dark window."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def requested_scheme(app: QApplication) -> Qt.ColorScheme:
    """The scheme to show: ``TAMDESK_COLOR_SCHEME`` if set, else what the system reports (maybe Unknown)."""
    override = os.environ.get(SCHEME_ENV, "").strip().lower()
    if override == "dark":
        return Qt.ColorScheme.Dark
    if override == "light":
        return Qt.ColorScheme.Light
    return app.styleHints().colorScheme()


class Theme(QObject):
    """Applies the scheme now and again whenever the system's scheme changes."""

    scheme_applied = Signal(object)  # the Qt.ColorScheme now shown (Light or Dark)

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._own_palette = False  # True while tamdesk's dark palette replaces the platform's
        self._system_style = app.style().name()  # read before the stylesheet wraps the style (its name is "")
        self._style = self._system_style
        self._initial_palette = QPalette(app.palette())
        # Deferred: the platform updates its palette around the signal, and apply() must see the result.
        self._apply_later = QTimer(self, singleShot=True, interval=0)
        self._apply_later.timeout.connect(self.apply)
        app.styleHints().colorSchemeChanged.connect(self._apply_later.start)
        self.apply()

    def scheme(self) -> Qt.ColorScheme:
        """The scheme the application shows now."""
        return Qt.ColorScheme.Dark if is_dark(self._app.palette()) else Qt.ColorScheme.Light

    def apply(self) -> None:
        """Match the palette to the requested scheme; a scheme of Unknown keeps the platform's palette."""
        wanted = requested_scheme(self._app)
        # Qt does not pass a new application palette on to widgets polished by an application stylesheet, so the
        # sheet comes off while the palette changes; putting it back re-polishes every widget in the new colours.
        self._app.setStyleSheet("")
        if wanted == Qt.ColorScheme.Dark and (self._own_palette or not is_dark(self._app.palette())):
            self._use_style("fusion")  # native styles that ignore dark mode (windowsvista) paint it badly
            self._app.setPalette(dark_palette())
            self._own_palette = True
        elif wanted != Qt.ColorScheme.Dark and self._own_palette:
            self._use_style(self._system_style)
            light = self._initial_palette
            self._app.setPalette(light if not is_dark(light) else self._app.style().standardPalette())
            self._own_palette = False
        self._app.setStyleSheet(STYLESHEET)
        icons.clear_cache()
        self.scheme_applied.emit(self.scheme())

    def _use_style(self, name: str) -> None:
        if name.lower() != self._style.lower() and name.lower() in map(str.lower, QStyleFactory.keys()):
            self._app.setStyle(name)
            self._style = name


def apply_theme(app: QApplication) -> Theme:
    """Give ``app`` tamdesk's look and keep it in step with the system's colour scheme; returns the controller."""
    existing = app.findChild(Theme)
    return existing if existing is not None else Theme(app)
