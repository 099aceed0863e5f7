"""Deadlines in words for people: a local time with its zone's name, and how far off it is (or how long ago)."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo


def zone_name(moment: datetime) -> str:
    """The zone's short name at ``moment`` (``CET``, ``EDT``); ``UTC+03`` where the zone has only an offset."""
    name = moment.strftime("%Z")
    return f"UTC{name}" if name[:1] in "+-" else name or "UTC"


def local_time(moment: datetime, tz: tzinfo, *, weekday: bool = True) -> str:
    """``Tue 10 Mar 2026 15:30 CET``: ``moment`` (UTC or any aware time) on the reader's clock, zone named."""
    shown = moment.astimezone(tz)
    return f"{shown:%a %d %b %Y %H:%M} {zone_name(shown)}" if weekday else f"{shown:%Y-%m-%d %H:%M} {zone_name(shown)}"


def span_words(span: timedelta) -> str:
    """A length of time as people say it: ``under a minute``, ``45 min``, ``3 h 20 min``, ``1 day 4 h``, ``5 days``."""
    minutes = int(abs(span).total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    days, hours = divmod(hours, 24)
    count = f"{days} day{'' if days == 1 else 's'}"
    return count + (f" {hours} h" if hours and days < 3 else "")


def deadline_words(what: str, due: datetime, now: datetime, tz: tzinfo) -> str:
    """``First response due Tue 10 Mar 2026 16:30 CET — in 2 h``, or once it passed, plainly:
    ``First response was due Tue 10 Mar 2026 13:30 CET — 3 h ago``."""
    when = local_time(due, tz)
    if due > now:
        return f"{what} due {when} — in {span_words(due - now)}"
    return f"{what} was due {when} — {span_words(now - due)} ago"
