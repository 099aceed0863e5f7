"""How health reads in the views: a score with its band in words, sign and colour, its reasons, its weekly trend."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget

from tamdesk.domain.health import AMBER_FROM, GREEN_FROM, Band, Health
from tamdesk.services.health import HealthPoint
from tamdesk.views.widgets import Tone, tone_color

BAND_TONES = {Band.GREEN: Tone.OK, Band.AMBER: Tone.WARNING, Band.RED: Tone.ERROR}
CHART_SIZE = QSize(140, 36)
BAND_MARKS = {Band.GREEN: "●", Band.AMBER: "▲", Band.RED: "✖"}  # a sign besides the colour, for print and for all eyes


def health_text(health: Health | None) -> str:
    """``48 ✖ Red``; ``…`` while it is being computed."""
    if health is None:
        return "…"
    return f"{health.score} {BAND_MARKS[health.band]} {health.band.label}"


def health_colour(health: Health | None) -> QColor | None:
    return None if health is None else tone_color(BAND_TONES[health.band])


def reasons_text(health: Health | None) -> str:
    """The score and every reason, one a line: the tooltip of a health cell."""
    if health is None:
        return "Health is being computed…"
    return f"Health {health.score} of 100 ({health.band.label})\n{health.explain()}"


def trend_text(points: Sequence[HealthPoint]) -> str:
    """``80 → 48 over 4 weeks (…)``; a sentence when there is no snapshot yet."""
    if not points:
        return "No weekly snapshot yet: tamdesk takes one each day it runs."
    first, last = points[0], points[-1]
    weeks = len(points)
    span = f"{first.score} → {last.score} over {weeks} weeks" if weeks > 1 else f"{last.score} this week"
    return f"{span} (weekly snapshots, the week of {last.week:%d %b} last)"


class TrendChart(QWidget):
    """A small line of weekly scores (0 at the bottom, 100 at the top), each week a dot in its band's colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[HealthPoint] = []
        self.setFixedSize(CHART_SIZE)
        self.setAccessibleName("Weekly health trend")

    def set_points(self, points: Sequence[HealthPoint]) -> None:
        self.points = list(points)
        self.setVisible(bool(points))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.points:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        margin = 4.0
        width, height = self.width() - 2 * margin, self.height() - 2 * margin
        step = width / max(len(self.points) - 1, 1)
        spots = [
            QPointF(margin + i * step if len(self.points) > 1 else margin + width / 2,
                    margin + height * (1 - p.score / 100))
            for i, p in enumerate(self.points)
        ]  # fmt: skip
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1, Qt.PenStyle.DashLine))
        for score in (GREEN_FROM, AMBER_FROM):  # the bands' thresholds
            y = margin + height * (1 - score / 100)
            painter.drawLine(QPointF(margin, y), QPointF(margin + width, y))
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.WindowText), 1.5))
        painter.drawPolyline(spots)
        painter.setPen(Qt.PenStyle.NoPen)
        for spot, point in zip(spots, self.points, strict=True):
            painter.setBrush(tone_color(BAND_TONES[point.band]))
            painter.drawEllipse(spot, 2.5, 2.5)
        painter.end()
