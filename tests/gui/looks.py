"""Helpers for tests that look at colours: the ink of a tinted icon, colours that match, an app look restored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication

from tamdesk.views import icons
from tamdesk.views.theme import Theme


@contextmanager
def look_restored(qapp: QApplication) -> Iterator[QApplication]:
    """The application, with its palette, style, stylesheet and themes put back (and icons re-tinted) after."""
    palette, style, sheet = QPalette(qapp.palette()), qapp.style().name(), qapp.styleSheet()
    yield qapp
    for theme in qapp.findChildren(Theme):
        theme.setParent(None)
        theme.deleteLater()
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)
    icons.clear_cache()


def ink(image: QImage) -> QColor:
    """The colour of the most opaque pixel: the line colour of a tinted icon."""
    best = QColor(0, 0, 0, 0)
    for y in range(image.height()):
        for x in range(image.width()):
            color = image.pixelColor(x, y)
            if color.alpha() > best.alpha():
                best = color
    return best


def close(a: QColor, b: QColor, tolerance: int = 3) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))
