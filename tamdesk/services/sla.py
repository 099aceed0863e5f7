"""SLA policies and calendars as stored in the database, turned into the domain's pure objects.

Policy edits add a revision: a ticket is measured against the revision in force when it was opened (the latest one
created at or before then; a ticket older than the policy uses its first), so a revision never rewrites past
compliance, and reports name every revision they applied. Calendars and holidays are edited in place, and because
SLA state is always recomputed from history, an edit to them re-applies to past tickets.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from tamdesk.domain.calendar import (
    CALENDAR_YEARS,
    END_OF_DAY,
    BusinessCalendar,
    DayHours,
    Interval,
    check_weekly_hours,
    day_hours,
    day_label,
    format_day_hours,
    format_time,
)
from tamdesk.domain.compliance import DEFAULT_GOAL, goal_refusal
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SeverityTarget, SlaPolicy
from tamdesk.domain.states import ClockKind
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, FieldError, NotFound, record_audit, save_versioned, tuples
from tamdesk.services.settings import set_setting


def _targets_from_json(text: str) -> dict[Severity, SeverityTarget]:
    raw = json.loads(text)
    return {
        Severity(int(sev)): SeverityTarget(
            timedelta(minutes=v["first_response_min"]),
            timedelta(minutes=v["update_cadence_min"]),
            ClockKind(v["clock"]),
        )
        for sev, v in raw.items()
    }


def _targets_to_json(targets: Mapping[Severity, SeverityTarget]) -> str:
    return json.dumps(
        {
            str(int(sev)): {
                "first_response_min": int(tg.first_response.total_seconds() // 60),
                "update_cadence_min": int(tg.update_cadence.total_seconds() // 60),
                "clock": tg.clock.value,
            }
            for sev, tg in sorted(targets.items())
        }
    )


def policy(policy_id: int, revision: int | None = None) -> SlaPolicy:
    """The policy's revision in force (or the one asked for) as a domain object."""
    row = t.SlaPolicy.get_or_none(t.SlaPolicy.id == policy_id)
    if row is None:
        raise NotFound(f"SLA policy #{policy_id} no longer exists.")
    wanted = revision or row.current_revision
    rev = t.SlaPolicyRevision.get((t.SlaPolicyRevision.policy == policy_id) & (t.SlaPolicyRevision.revision == wanted))
    return SlaPolicy(row.name, rev.revision, _targets_from_json(rev.targets), rev.at_risk_fraction)


def _read_time(text: str) -> time:
    return END_OF_DAY if text == "24:00" else time.fromisoformat(text)


def _read_intervals(raw: list[Any]) -> DayHours:
    """``["09:00", "18:00"]`` (one interval, as stored before several were possible) or a list of such pairs."""
    pairs = [raw] if raw and isinstance(raw[0], str) else raw
    return tuple((_read_time(a), _read_time(b)) for a, b in pairs)


def _write_intervals(hours: DayHours, *, pair_for_one: bool) -> list[str] | list[list[str]]:
    pairs = [[format_time(a), format_time(b, closing=True)] for a, b in hours]
    return pairs[0] if pair_for_one and len(pairs) == 1 else pairs


def _weekly_hours(text: str) -> dict[int, DayHours]:
    return {int(day): _read_intervals(value) for day, value in json.loads(text).items()}


def _encode_weekly_hours(hours: Mapping[int, DayHours]) -> str:
    """JSON of weekly hours; a one-interval day keeps the one-pair form that earlier versions read."""
    return json.dumps({str(d): _write_intervals(h, pair_for_one=True) for d, h in sorted(hours.items())})


def _date_hours(calendar_id: int) -> dict[date, DayHours]:
    query = t.CalendarDay.select(t.CalendarDay.day, t.CalendarDay.hours).where(t.CalendarDay.calendar == calendar_id)
    return {_as_date(day): _read_intervals(json.loads(hours)) for day, hours in tuples(query)}


def calendar(calendar_id: int, zone: str, country: str) -> BusinessCalendar:
    """The business calendar of a customer: weekly and date-specific hours in its zone, its country's holidays as
    edited."""
    row = t.BusinessCalendar.get_by_id(calendar_id)
    extra: set[date] = set()
    removed: set[date] = set()
    if country:
        for day, is_removed in tuples(
            t.CalendarHoliday.select(t.CalendarHoliday.day, t.CalendarHoliday.removed).where(
                t.CalendarHoliday.country == country
            )
        ):
            (removed if is_removed else extra).add(_as_date(day))
    return BusinessCalendar(
        zone=zone,
        weekly_hours=_weekly_hours(row.weekly_hours),
        country=country or None,
        extra_holidays=frozenset(extra),
        removed_holidays=frozenset(removed),
        date_hours=_date_hours(calendar_id),
    )


def customer_calendar(customer: t.Customer) -> BusinessCalendar:
    """The calendar that the customer's deadlines and onboarding due dates follow."""
    return calendar(customer.calendar_id, customer.time_zone, customer.country)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class PolicyRevisions:
    """Every revision of one policy in revision order, and when each revision after the first came into force.

    ``changes[i]`` is when ``policies[i + 1]`` took over. The first revision covers everything before the second,
    even tickets older than the policy itself.
    """

    policies: Sequence[SlaPolicy]
    changes: Sequence[datetime]

    def in_force(self, opened: datetime | None = None) -> SlaPolicy:
        """The revision for a ticket opened at ``opened``: the latest one created at or before it, else the first.

        ``None`` means the revision in force now (for a ticket not yet opened).
        """
        if opened is None or not self.changes:
            return self.policies[-1]
        return self.policies[bisect_right(self.changes, opened)]

    def since(self, policy: SlaPolicy) -> datetime | None:
        """When ``policy`` came into force; None for the first revision."""
        n = self.policies.index(policy)
        return self.changes[n - 1] if n else None

    def until(self, policy: SlaPolicy) -> datetime | None:
        """When the revision after ``policy`` came into force; None while ``policy`` is the latest."""
        n = self.policies.index(policy)
        return self.changes[n] if n < len(self.changes) else None

    def describe(self, policy: SlaPolicy, tz: tzinfo) -> str:
        """``Standard v1 (tickets opened before 27 Nov 2026 14:05)``; the latest revision by its label alone."""
        until = self.until(policy)
        if until is None:
            return policy.label
        since = self.since(policy)
        end = f"{until.astimezone(tz):%d %b %Y %H:%M}"
        if since is None:
            return f"{policy.label} (tickets opened before {end})"
        return f"{policy.label} (tickets opened from {since.astimezone(tz):%d %b %Y %H:%M} to before {end})"


def policy_revisions(policy_id: int) -> PolicyRevisions:
    """All revisions of the policy, and when each came into force.

    Raises:
        NotFound: the policy no longer exists.
    """
    row = t.SlaPolicy.get_or_none(t.SlaPolicy.id == policy_id)
    if row is None:
        raise NotFound(f"SLA policy #{policy_id} no longer exists.")
    revisions = list(
        t.SlaPolicyRevision.select()
        .where(t.SlaPolicyRevision.policy == policy_id)
        .order_by(t.SlaPolicyRevision.revision)
    )
    changes: list[datetime] = []
    for rev in revisions[1:]:  # a clock set back on one laptop must not make a later revision apply earlier
        changes.append(max(rev.created_at, changes[-1]) if changes else rev.created_at)
    policies = [SlaPolicy(row.name, rev.revision, _targets_from_json(rev.targets), rev.at_risk_fraction)
                for rev in revisions]  # fmt: skip
    return PolicyRevisions(tuple(policies), tuple(changes))


class SlaResolver:
    """Policy revisions and calendar per customer, loaded once for many tickets (a list or a report)."""

    def __init__(self) -> None:
        self._policies: dict[int, PolicyRevisions] = {}
        self._calendars: dict[tuple[int, str, str], BusinessCalendar] = {}
        self._customers: dict[int, tuple[int, int, str, str]] = {}

    def _customer(self, customer_id: int) -> tuple[int, int, str, str]:
        if customer_id not in self._customers:
            for cid, pid, cal, zone, country in tuples(
                t.Customer.select(
                    t.Customer.id, t.Customer.sla_policy, t.Customer.calendar, t.Customer.time_zone, t.Customer.country
                )
            ):
                self._customers[cid] = (pid, cal, zone, country)
        return self._customers[customer_id]

    def revisions(self, customer_id: int) -> PolicyRevisions:
        """Every revision of the customer's policy."""
        pid = self._customer(customer_id)[0]
        found = self._policies.get(pid)
        if found is None:
            found = self._policies[pid] = policy_revisions(pid)
        return found

    def loaded(self) -> list[PolicyRevisions]:
        """The revisions of every policy looked up so far."""
        return list(self._policies.values())

    def policy(self, customer_id: int, opened: datetime | None = None) -> SlaPolicy:
        """The customer's policy revision for a ticket opened at ``opened`` (None: the revision in force now)."""
        return self.revisions(customer_id).in_force(opened)

    def calendar(self, customer_id: int) -> BusinessCalendar:
        _, cal, zone, country = self._customer(customer_id)
        key = (cal, zone, country)
        if key not in self._calendars:
            self._calendars[key] = calendar(cal, zone, country)
        return self._calendars[key]


# -- editing ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicySummary:
    id: int
    version: int
    name: str
    description: str
    policy: SlaPolicy
    customers: int
    goal: float = DEFAULT_GOAL  # the compliance goal, 0–1


def list_policies() -> list[PolicySummary]:
    result = []
    goals = compliance_goals()
    for row in t.SlaPolicy.select().order_by(t.SlaPolicy.name):
        result.append(
            PolicySummary(
                row.id, row.version, row.name, row.description, policy(row.id), row.customers.count(),
                goals.get(row.id, DEFAULT_GOAL),
            )
        )  # fmt: skip
    return result


def describe_tier(policy: SlaPolicy) -> str:
    """Which severities' clocks run 24×7 and which in business hours, e.g. ``Sev1 and Sev2 24×7; Sev3 and Sev4
    in business hours``.

    A support tier (``Premium: Sev1 and Sev2 24×7``) is an SLA policy: each severity's targets name their clock,
    and business-hours clocks follow the customer's calendar.
    """
    parts = []
    for clock, words in ((ClockKind.TWENTY_FOUR_SEVEN, "24×7"), (ClockKind.BUSINESS_HOURS, "in business hours")):
        severities = [f"Sev{int(sev)}" for sev, target in sorted(policy.targets.items()) if target.clock is clock]
        if severities:
            listed = severities[0] if len(severities) == 1 else f"{', '.join(severities[:-1])} and {severities[-1]}"
            parts.append(f"{listed} {words}")
    return "; ".join(parts)


def support_tiers() -> dict[str, str]:
    """Policy name -> :func:`describe_tier` of its revision in force, for every policy."""
    return {row.name: describe_tier(policy(row.id)) for row in t.SlaPolicy.select(t.SlaPolicy.id, t.SlaPolicy.name)}


@dataclass(frozen=True)
class SavedRevision:
    """One saved revision of a policy: its targets, and who saved it when and why."""

    policy: SlaPolicy
    created_at: datetime
    created_by: str
    note: str


def policy_history(policy_id: int) -> list[SavedRevision]:
    """Every revision of a policy, oldest first."""
    query = (
        t.SlaPolicyRevision.select()
        .where(t.SlaPolicyRevision.policy == policy_id)
        .order_by(t.SlaPolicyRevision.revision)
    )
    return [SavedRevision(policy(policy_id, row.revision), row.created_at, row.created_by, row.note) for row in query]


def policy_customers(policy_id: int) -> list[str]:
    """The names of the customers (not archived) a policy applies to, sorted."""
    query = t.Customer.select(t.Customer.name).where((t.Customer.sla_policy == policy_id) & ~t.Customer.archived)
    return sorted((name for (name,) in tuples(query)), key=str.casefold)


# -- compliance goals ----------------------------------------------------------------------------------------------

_GOAL_PREFIX = "sla.goal."


def compliance_goals() -> dict[int, float]:
    """Each policy's compliance goal (0–1) that was set; a policy not listed has :data:`DEFAULT_GOAL`."""
    query = t.Setting.select(t.Setting.key, t.Setting.value).where(t.Setting.key.startswith(_GOAL_PREFIX))
    goals = {}
    for key, value in tuples(query):
        with suppress(ValueError):
            goals[int(key.removeprefix(_GOAL_PREFIX))] = int(json.loads(value)) / 100
    return goals


def set_compliance_goal(ctx: Context, policy_id: int, percent: int) -> None:
    """Set a policy's compliance goal, a whole percent from 1 to 100 (audited like any setting).

    Raises:
        FieldError: ``percent`` is outside 1–100 or not whole. NotFound: no such policy.
    """
    refusal = goal_refusal(percent)
    if refusal:
        raise FieldError("goal", refusal)
    row = t.SlaPolicy.get_or_none(t.SlaPolicy.id == policy_id)
    if row is None:
        raise NotFound(f"SLA policy #{policy_id} no longer exists.")
    set_setting(ctx, f"{_GOAL_PREFIX}{policy_id}", percent)


def create_policy(ctx: Context, name: str, based_on: int | None = None) -> int:
    """A new policy, starting from another's targets (default: the Standard policy's)."""
    name = " ".join(name.split())
    if not name:
        raise FieldError("name", "A policy needs a name.")
    if t.SlaPolicy.get_or_none(t.SlaPolicy.name == name):
        raise FieldError("name", f"A policy named '{name}' already exists.")
    with database.atomic():
        source = policy(based_on) if based_on else SlaPolicy.standard()
        row = t.SlaPolicy.create(name=name)
        t.SlaPolicyRevision.create(
            policy=row,
            revision=1,
            targets=_targets_to_json(source.targets),
            at_risk_fraction=source.at_risk_fraction,
            created_at=ctx.now(),
            created_by=ctx.actor,
        )
        record_audit(ctx, entity="sla_policy", entity_id=row.id, action="create", summary=f"SLA policy {name} created")
        return int(row.id)


def revise_policy(
    ctx: Context,
    policy_id: int,
    expected_version: int,
    targets: Mapping[Severity, SeverityTarget],
    at_risk_fraction: float,
    note: str = "",
) -> int:
    """Save edited targets as a new revision of the policy; returns the revision number."""
    if set(targets) != set(Severity):
        raise FieldError("targets", "Every severity needs its targets.")
    if not 0 < at_risk_fraction <= 1:
        raise FieldError("at_risk_fraction", f"At risk at {at_risk_fraction:.0%} must be above 0% and at most 100%.")
    with database.atomic():
        row = t.SlaPolicy.get_by_id(policy_id)
        before = policy(policy_id)
        revision = row.current_revision + 1
        save_versioned(row, expected_version, {"current_revision": revision})
        t.SlaPolicyRevision.create(
            policy=row,
            revision=revision,
            targets=_targets_to_json(targets),
            at_risk_fraction=at_risk_fraction,
            created_at=ctx.now(),
            created_by=ctx.actor,
            note=note,
        )
        record_audit(
            ctx,
            entity="sla_policy",
            entity_id=row.id,
            action="revise",
            summary=f"SLA policy {row.name} revised to v{revision}" + (f": {note}" if note else ""),
            before={"targets": json.loads(_targets_to_json(before.targets)), "at_risk": before.at_risk_fraction},
            after={"targets": json.loads(_targets_to_json(targets)), "at_risk": at_risk_fraction},
        )
        return revision


def set_weekly_hours(
    ctx: Context, calendar_id: int, expected_version: int, hours: Mapping[int, DayHours | Interval]
) -> None:
    """Change the weekly hours: per weekday one ``(opens, close)`` pair or several intervals (a lunch break).

    Raises:
        FieldError: on ``weekly_hours``, naming the day and value: intervals that are empty, reversed or overlap.
    """
    try:
        checked = check_weekly_hours(hours)
    except ValueError as exc:
        raise FieldError("weekly_hours", str(exc)) from None
    encoded = _encode_weekly_hours(checked)
    with database.atomic():
        row = t.BusinessCalendar.get_by_id(calendar_id)
        before = json.loads(row.weekly_hours)
        save_versioned(row, expected_version, {"weekly_hours": encoded})
        record_audit(
            ctx,
            entity="calendar",
            entity_id=row.id,
            action="update",
            summary=f"Business hours of {row.name} changed",
            before={"hours": before},
            after={"hours": json.loads(encoded)},
        )


@dataclass(frozen=True)
class DateHours:
    """Date-specific hours of a calendar: ``hours`` replace the day's weekly hours (empty: closed)."""

    day: date
    hours: DayHours
    name: str


def date_hours(calendar_id: int) -> list[DateHours]:
    """The calendar's date-specific days, by date."""
    query = t.CalendarDay.select().where(t.CalendarDay.calendar == calendar_id).order_by(t.CalendarDay.day)
    return [DateHours(_as_date(row.day), _read_intervals(json.loads(row.hours)), row.name) for row in query]


def set_date_hours(ctx: Context, calendar_id: int, day: date, hours: DayHours, name: str = "") -> None:
    """Give ``day`` its own hours in the calendar (a half day), or close it (``hours`` empty); replaces any before.

    Raises:
        FieldError: on ``date_hours``: a day outside :data:`CALENDAR_YEARS`, or intervals that are empty, reversed
            or overlap, naming the value. NotFound: no such calendar.
    """
    label = day_label(day)
    if day.year not in CALENDAR_YEARS:
        first, last = CALENDAR_YEARS[0], CALENDAR_YEARS[-1]
        raise FieldError("date_hours", f"{label} is outside the calendar's years ({first}–{last}).")
    try:
        checked = day_hours(hours, label)
    except ValueError as exc:
        raise FieldError("date_hours", str(exc)) from None
    name = " ".join(name.split())
    with database.atomic():
        row = t.BusinessCalendar.get_or_none(t.BusinessCalendar.id == calendar_id)
        if row is None:
            raise NotFound(f"Calendar #{calendar_id} no longer exists.")
        t.CalendarDay.delete().where((t.CalendarDay.calendar == calendar_id) & (t.CalendarDay.day == day)).execute()
        encoded = json.dumps(_write_intervals(checked, pair_for_one=False))
        t.CalendarDay.create(calendar=row, day=day, hours=encoded, name=name)
        record_audit(
            ctx,
            entity="calendar",
            entity_id=row.id,
            action="date_hours",
            summary=f"{day.isoformat()} in {row.name}: {format_day_hours(checked)}" + (f" ({name})" if name else ""),
            after={"day": day.isoformat(), "hours": json.loads(encoded), "name": name},
        )


def clear_date_hours(ctx: Context, calendar_id: int, day: date) -> None:
    """Undo date-specific hours: ``day`` follows the weekly hours and holidays again."""
    with database.atomic():
        deleted = (
            t.CalendarDay.delete().where((t.CalendarDay.calendar == calendar_id) & (t.CalendarDay.day == day)).execute()
        )
        if deleted:
            row = t.BusinessCalendar.get_by_id(calendar_id)
            record_audit(
                ctx,
                entity="calendar",
                entity_id=row.id,
                action="clear_date_hours",
                summary=f"{day.isoformat()} in {row.name} follows the weekly hours again",
            )


def set_holiday(ctx: Context, country: str, day: date, *, name: str = "", removed: bool = False) -> None:
    """Add a custom closed day to ``country``'s calendar, or (``removed``) mark a national holiday as worked."""
    country = country.strip().upper()
    if not country:
        raise FieldError("country", "Choose the country whose calendar to change.")
    with database.atomic():
        t.CalendarHoliday.delete().where(
            (t.CalendarHoliday.country == country) & (t.CalendarHoliday.day == day)
        ).execute()
        t.CalendarHoliday.create(country=country, day=day, name=name, removed=removed)
        what = "worked (holiday removed)" if removed else f"a holiday ({name or 'custom'})"
        record_audit(
            ctx, entity="holiday", entity_id=None, action="set", summary=f"{day.isoformat()} in {country} is {what}"
        )


def clear_holiday(ctx: Context, country: str, day: date) -> None:
    """Undo a custom change: ``day`` follows the national calendar again."""
    with database.atomic():
        deleted = (
            t.CalendarHoliday.delete()
            .where((t.CalendarHoliday.country == country.upper()) & (t.CalendarHoliday.day == day))
            .execute()
        )
        if deleted:
            record_audit(
                ctx,
                entity="holiday",
                entity_id=None,
                action="clear",
                summary=f"{day.isoformat()} in {country.upper()} follows the national calendar again",
            )
