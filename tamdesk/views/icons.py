"""tamdesk's own line icons: SVGs drawn in ``currentColor``, tinted to the palette and rendered crisp at any scale.

``icon("tickets")`` returns a QIcon whose engine renders the SVG when Qt asks for a pixmap, at the size and device
pixel ratio asked for (1× and 2× screens, and fractional scales in between), in the palette's text colour for the
icon mode (normal, selected, disabled). The colour is read when the pixmap is made, so icons follow a light/dark
switch by themselves: the palette change repaints every widget and the new colour misses the pixmap cache.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

ICON_NAMES: tuple[str, ...] = (
    "today",
    "customers",
    "tickets",
    "escalations",
    "defects",
    "reports",
    "settings",
    "search",
    "add",
    "edit",
    "archive",
    "export",
    "import",
    "refresh",
    "warning",
    "error",
    "ok",
    "clock",
    "mail",
    "link",
    "back",
    "undo",
    "redo",
    "history",
    "tamdesk",
)
"""Every icon shipped in ``tamdesk/resources/icons``; ``tamdesk`` is the full-colour application icon."""

_PIXMAP_CACHE_LIMIT = 2048
_pixmaps: dict[tuple[str, int, int, float, int], QPixmap] = {}


@cache
def svg_source(name: str) -> bytes:
    """The SVG text of icon ``name``; raises KeyError for a name that is not in the set."""
    if name not in ICON_NAMES:
        raise KeyError(f"No icon named {name!r}; the set has {', '.join(ICON_NAMES)}")
    return resources.files("tamdesk.resources").joinpath("icons", f"{name}.svg").read_bytes()


def tint_for(mode: QIcon.Mode, palette: QPalette | None = None) -> QColor:
    """The colour a line icon takes in ``mode`` on ``palette`` (default: the application's)."""
    palette = palette if palette is not None else QGuiApplication.palette()
    if mode == QIcon.Mode.Disabled:
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    if mode == QIcon.Mode.Selected:
        return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText)
    return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)


def render_pixmap(name: str, size: QSize, scale: float, color: QColor) -> QPixmap:
    """Icon ``name`` in ``color``, ``size`` logical pixels at device pixel ratio ``scale`` (cached)."""
    key = (name, size.width(), size.height(), round(scale, 3), color.rgba())
    pixmap = _pixmaps.get(key)
    if pixmap is None:
        if len(_pixmaps) >= _PIXMAP_CACHE_LIMIT:
            _pixmaps.clear()
        pixmap = _render(svg_source(name), size, scale, color)
        _pixmaps[key] = pixmap
    return pixmap


def _render(source: bytes, size: QSize, scale: float, color: QColor) -> QPixmap:
    tinted = source.replace(b"currentColor", color.name(QColor.NameFormat.HexRgb).encode())  # SVG has no #argb
    renderer = QSvgRenderer(QByteArray(tinted))
    width, height = max(1, round(size.width() * scale)), max(1, round(size.height() * scale))
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    side = min(width, height)  # square icons stay square, centred in a non-square request
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setOpacity(color.alphaF())
    renderer.render(painter, QRectF((width - side) / 2, (height - side) / 2, side, side))
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(scale)
    return pixmap


class TintedSvgEngine(QIconEngine):
    """Renders one icon of the set on demand, tinted for the icon mode (or in a fixed colour)."""

    def __init__(self, name: str, color: QColor | None = None) -> None:
        super().__init__()
        self._name = name
        self._color = QColor(color) if color is not None else None

    def clone(self) -> QIconEngine:
        return TintedSvgEngine(self._name, self._color)

    def key(self) -> str:
        return "tamdesk-tinted-svg"

    def iconName(self) -> str:
        return self._name

    def isNull(self) -> bool:
        return False

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        return size

    def availableSizes(self, mode: QIcon.Mode = QIcon.Mode.Normal, state: QIcon.State = QIcon.State.Off) -> list:
        return [QSize(side, side) for side in (16, 20, 24, 32, 48, 64, 128, 256)]

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        return render_pixmap(self._name, size, scale, self._tint(mode))

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, scale))

    def _tint(self, mode: QIcon.Mode) -> QColor:
        if self._color is None or mode == QIcon.Mode.Disabled:
            return tint_for(mode)
        return self._color


_icons: dict[tuple[str, int | None], QIcon] = {}


def icon(name: str, color: QColor | None = None) -> QIcon:
    """The icon ``name`` from tamdesk's set, in the palette's text colour (or in ``color``, e.g. a warning tone).

    Raises KeyError for a name that is not in ``ICON_NAMES``.
    """
    key = (name, color.rgba() if color is not None else None)
    cached = _icons.get(key)
    if cached is None:
        if not QSvgRenderer(QByteArray(svg_source(name))).isValid():
            raise ValueError(f"The icon {name!r} is not a valid SVG")
        cached = QIcon(TintedSvgEngine(name, color))
        _icons[key] = cached
    return QIcon(cached)


def clear_cache() -> None:
    """Forget rendered pixmaps (they are re-rendered on the next paint)."""
    _pixmaps.clear()
