"""How health reads in the views: a score with its band in words and colour, its reasons, its weekly trend."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QColor

from tamdesk.domain.health import Band, Health, trend_line
from tamdesk.services.health import HealthPoint
from tamdesk.views.widgets import Tone, tone_color

BAND_TONES = {Band.GREEN: Tone.OK, Band.AMBER: Tone.WARNING, Band.RED: Tone.ERROR}
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
    """``▆▆▅▃ 80 → 48 over 4 weeks``; a sentence when there is no snapshot yet."""
    if not points:
        return "No weekly snapshot yet: tamdesk takes one each day it runs."
    first, last = points[0], points[-1]
    weeks = len(points)
    span = f"{first.score} → {last.score} over {weeks} weeks" if weeks > 1 else f"{last.score} this week"
    return f"{trend_line([p.score for p in points])}  {span} (weekly snapshots, the week of {last.week:%d %b} last)"
