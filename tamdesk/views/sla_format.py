"""How an SLA position reads on screen: a countdown ("due in 1 h 12 m", "breached 3 h ago"), a mark and words
that carry the meaning without colour (⚠ at risk, ✖ breached, ‖ paused, ✓ solved; marks the common UI fonts
have), and the colours on top.

The countdown text is recomputed from ``SlaEvaluation.deadline`` and the current time on every paint, which is
cheap; the evaluation itself is redone in the background (a deadline passing turns a running clock into a breach
here at once, before the next full evaluation catches up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtGui import QColor

from tamdesk.domain.sla import SlaEvaluation, SlaState, format_local
from tamdesk.views.table_model import local_time
from tamdesk.views.widgets import Tone, tone_background, tone_color

RUNNING = frozenset({SlaState.OK, SlaState.AT_RISK, SlaState.BREACHED})
MARKS: dict[SlaState, str] = {
    SlaState.BREACHED: "✖",
    SlaState.MISSED: "✖",
    SlaState.AT_RISK: "⚠",
    SlaState.PAUSED: "‖",
    SlaState.SOLVED: "✓",
    SlaState.MET: "✓",
}
TONES: dict[SlaState, Tone] = {
    SlaState.BREACHED: Tone.ERROR,
    SlaState.MISSED: Tone.ERROR,
    SlaState.AT_RISK: Tone.WARNING,
    SlaState.MET: Tone.OK,
}
_MINUTE = timedelta(minutes=1)


def short_duration(delta: timedelta) -> str:
    """The two largest units of ``|delta|``, rounded down: ``45 m``, ``1 h 12 m``, ``2 d 3 h``, ``3 h``."""
    minutes = int(abs(delta).total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} m" if minutes else f"{hours} h"
    return f"{minutes} m"


def lateness(delta: timedelta) -> str:
    """How late: ``short_duration``, but ``23 s`` under a minute (a time stored with seconds can miss by seconds)."""
    if timedelta(0) < delta < timedelta(minutes=1):
        return f"{int(delta.total_seconds())} s"
    return short_duration(delta)


def countdown(deadline: datetime, now: datetime) -> str:
    """``due in 1 h 12 m`` before ``deadline``, ``breached 3 h ago`` after it (a reply at the instant is in time)."""
    left = deadline - now
    if left >= timedelta(0):
        return "due now" if left < _MINUTE else f"due in {short_duration(left)}"
    return "breached just now" if -left < _MINUTE else f"breached {short_duration(left)} ago"


def live_state(sla: SlaEvaluation, now: datetime) -> SlaState:
    """The ticket's state now: a running clock whose deadline has passed since it was evaluated is breached."""
    if sla.state in RUNNING and sla.deadline is not None and sla.deadline < now:
        return SlaState.BREACHED
    return sla.state


def clock_name(sla: SlaEvaluation) -> str:
    """Which clock ``sla.deadline`` belongs to: ``Response`` while the first response is pending, else ``Update``."""
    return "Response" if sla.first_response_at is None and sla.resolved_at is None else "Update"


def state_tone(state: SlaState) -> Tone | None:
    """The colour family of a state; None for states that need no attention."""
    return TONES.get(state)


@dataclass(frozen=True)
class SlaText:
    """An SLA position as one line of text and its state now."""

    text: str
    state: SlaState

    @property
    def tone(self) -> Tone | None:
        return state_tone(self.state)

    @property
    def needs_attention(self) -> bool:
        return self.state.needs_attention


def _solved_text(sla: SlaEvaluation) -> str:
    notes = []
    if sla.first_response_state is SlaState.MISSED:
        notes.append("response late")
    if sla.missed_updates:
        notes.append(f"{sla.missed_updates} update{'s' if sla.missed_updates != 1 else ''} missed")
    return "✓ Solved" + (" · " + ", ".join(notes) if notes else " · SLA met")


def describe(sla: SlaEvaluation, now: datetime) -> SlaText:
    """The SLA cell of a ticket list: ``⚠ Response due in 12 m``, ``✖ Update breached 3 h ago``, ``‖ Paused …``."""
    state = live_state(sla, now)
    if state in RUNNING and sla.deadline is not None:
        mark = MARKS.get(state, "")
        text = f"{mark} " if mark else ""
        text += f"{clock_name(sla)} {countdown(sla.deadline, now)}"
    elif state is SlaState.PAUSED:
        text = "‖ Paused · waiting on customer"
    elif state is SlaState.SOLVED:
        text = _solved_text(sla)
    else:
        text = f"{MARKS.get(state, '')} {state.label}".strip()
    return SlaText(text, state)


def tooltip(sla: SlaEvaluation, now: datetime, state: SlaState | None = None) -> str:
    """Several lines: the next deadline in the user's time and its state, the first response, missed updates."""
    state = state or live_state(sla, now)
    lines = []
    if sla.deadline is not None:
        lines.append(f"{clock_name(sla)} due {local_time(sla.deadline)} (your time): {state.label}")
    else:
        lines.append(f"SLA: {state.label}")
    lines.append(first_response_line(sla))
    if sla.missed_updates:
        lines.append(f"Customer updates missed: {sla.missed_updates}")
    return "\n".join(lines)


def first_response_line(sla: SlaEvaluation, zone: str | None = None) -> str:
    """``First response met (Tue 10 Mar 2026 09:40)``, ``… 2 h 5 m late``, or pending with its due time.

    Times are the user's, or with ``zone`` the customer's with its abbreviation (``Tue 10 Mar 09:40 CET``).
    """
    if sla.first_response_at is not None:
        when = at_customer(sla.first_response_at, zone) if zone else local_time(sla.first_response_at)
        if sla.first_response_met:
            return f"First response met ({when})"
        late = lateness(sla.first_response_late_by or timedelta(0))
        return f"✖ First response missed: {late} late ({when})"
    if sla.first_response_state is SlaState.MISSED:
        return "✖ First response missed: solved late without one"
    if sla.first_response_state is SlaState.SOLVED:
        return "No first response needed: solved in time"
    if zone:
        return f"First response due {at_customer(sla.first_response_due, zone)}"
    return f"First response due {local_time(sla.first_response_due)} (your time)"


def at_customer(moment: datetime, zone: str) -> str:
    """``Tue 10 Mar 15:30 CET``: an instant as the customer's clock shows it."""
    try:
        return format_local(moment.astimezone(ZoneInfo(zone)))
    except (ValueError, KeyError):
        return local_time(moment)


def foreground(state: SlaState) -> QColor | None:
    """Text colour of an SLA cell: red for breached or missed, amber for at risk."""
    tone = state_tone(state)
    return tone_color(tone) if tone is not None and tone is not Tone.OK else None


def background(state: SlaState) -> QColor | None:
    """A soft tint behind breached and at-risk cells, so they stand out in a long list."""
    return tone_background(TONES[state]) if state.needs_attention else None


def business_days(days: float) -> str:
    """Whole business days begun and finished: ``4 business days``, ``1 business day``, ``under 1 business day``."""
    if days < 1 / 9:
        return "under 1 business hour"
    if days < 1:
        return "under 1 business day"
    whole = int(days)
    return f"{whole} business day{'s' if whole != 1 else ''}"
