"""The calendar export: everything that falls due, as an iCalendar file a TAM imports or subscribes to.

What goes in (archived customers left out; ``mine`` keeps the customers whose TAM is the user, as Today does):

- onboarding steps not done that have a due date (all day);
- open follow-ups (all day, on their due date);
- each open ticket's next SLA deadline: its first response while that is pending, else its next customer update
  (timed; a ticket waiting on the customer has none); and each running customer-update clock of an open defect,
  one per linked customer. These are Today's rows (``services.today.upcoming_deadlines``: the same reading and SLA
  evaluation), every one and not only those at risk: a calendar shows what comes, not only what is late;
- each open escalation's next step, who it waits on for what, as Today shows it. A step has no deadline of its
  own, so it is an all-day event on the day of the export; while the VP of Customer Success is not apprised, the
  VP rule's deadline (``domain.vp_rule``) is a timed event of its own;
- contract renewals (all day).

Timed deadlines are UTC instants and dates are all-day events; UIDs, SEQUENCE and the stamps follow
``domain.due_items``. The file is written by the ``icalendar`` package (never by hand), to a temporary file beside
the target that then replaces it, so a failed export leaves the previous file as it was.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import peewee as pw

from tamdesk import __version__
from tamdesk.domain.due_items import DueItem, DueKind, Revision, count_text, is_identity, revise
from tamdesk.domain.states import EscalationState
from tamdesk.domain.timestamps import zone
from tamdesk.domain.vp_rule import vp_due_at
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError
from tamdesk.services.identity import directory_name
from tamdesk.services.private_files import remove_stale
from tamdesk.services.scope import same_name, tam_names
from tamdesk.services.settings import get_setting, set_setting
from tamdesk.services.sla import SlaResolver
from tamdesk.services.today import (
    Section,
    UpdateSource,
    customers_in_scope,
    needs_attention,
    upcoming_deadlines,
)

IDENTITY_SETTING = "calendar_identity"
SUFFIX = ".ics"
FINGERPRINT = "X-TAMDESK-FINGERPRINT"
MAX_PREVIOUS_BYTES = 64 * 1024 * 1024
"""A replaced file larger than this is not read for its revisions (every event then counts as new)."""
TEMP_FILE = re.compile(r"\..+\.ics\.[0-9a-f]{8}\.tmp", re.IGNORECASE)
VP = "the VP of Customer Success"
_NO_DEADLINE = "A next step has no deadline of its own: it is shown on the day of the export."
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


class CalendarExportError(DomainError):
    """The calendar cannot be written where asked, or ``mine`` names nobody; nothing was written."""


@dataclass(frozen=True)
class CalendarExport:
    """What an export wrote."""

    path: Path
    events: int
    by_kind: Mapping[DueKind, int] = field(default_factory=dict)
    tam: str | None = None  # the TAM whose customers it covers; None for every customer

    @property
    def summary(self) -> str:
        """``Wrote 12 events to /home/tess/tamdesk.ics.``"""
        return f"Wrote {count_text(self.events)} to {self.path}."


# -- who and which customers --------------------------------------------------------------------------------------


def my_tam_name() -> str:
    """The user's name (Settings › You) when some customer has them as TAM.

    Raises:
        CalendarExportError: the name is not set, or no customer has it as TAM (naming the TAMs there are).
    """
    name = directory_name()
    if not name:
        raise CalendarExportError(
            "Your name is not set, so no customer is yours: enter it in Settings › You as the people directory "
            "lists you as TAM, or export every customer."
        )
    tams = tam_names()
    if same_name(name) not in {same_name(tam) for tam in tams}:
        known = ", ".join(tams) if tams else "none yet"
        raise CalendarExportError(f"No customer has “{name}” (your name in Settings › You) as TAM; TAMs: {known}.")
    return name


def database_identity(ctx: Context) -> str:
    """This database's identity in event UIDs: a random token kept as a setting, made on the first export."""
    stored = get_setting(IDENTITY_SETTING)
    if is_identity(stored):
        return str(stored)
    # another export of a shared database may make it at the same moment: then theirs is taken
    with suppress(pw.IntegrityError):
        set_setting(ctx, IDENTITY_SETTING, secrets.token_hex(8))
    return str(get_setting(IDENTITY_SETTING))


@dataclass(frozen=True)
class _Customer:
    name: str
    zone: str
    tam: str


def _customers(ids: Iterable[int]) -> dict[int, _Customer]:
    wanted = list(ids)
    found: dict[int, _Customer] = {}
    for start in range(0, len(wanted), 900):
        query = (
            t.Customer.select(t.Customer.id, t.Customer.name, t.Customer.time_zone, t.Person.name.alias("tam_name"))
            .join(t.Person, pw.JOIN.LEFT_OUTER, on=t.Customer.tam == t.Person.id)
            .where(t.Customer.id.in_(wanted[start : start + 900]))
            .objects()
        )
        for row in query:
            found[row.id] = _Customer(row.name, row.time_zone or "UTC", getattr(row, "tam_name", None) or "")
    return found


# -- words ----------------------------------------------------------------------------------------------------------


def _line(text: str) -> str:
    """One line of text from a person or an import: controls removed, runs of space made one."""
    return " ".join(_CONTROLS.sub("", text).split())


def _when(due: datetime, customer: _Customer) -> str:
    """``Tue 03 Mar 2026 10:00 Asia/Tokyo (01:00 UTC)``: the customer's wall time first."""
    try:
        local, name = due.astimezone(zone(customer.zone)), customer.zone
    except ValueError:  # a zone this machine's tz database lacks: UTC only, said as such
        local, name = due.astimezone(UTC), "UTC"
    utc = due.astimezone(UTC)
    return f"{local:%a %d %b %Y %H:%M} {name} ({utc:%H:%M} UTC{'' if utc.date() == local.date() else f' {utc:%d %b}'})"


def _description(customer: _Customer, due: datetime | date | None, owner: str, *details: str) -> str:
    """The event's text; ``due`` None for an item with no deadline of its own (an escalation's next step)."""
    when = _when(due, customer) if isinstance(due, datetime) else f"{due:%a %d %b %Y}" if due else ""
    lines = [f"Customer: {customer.name}", f"Due: {when}" if when else _NO_DEADLINE]
    if owner:
        lines.append(f"Owner: {owner}")
    lines.extend(d for d in details if d)
    lines.append("From tamdesk: change it there; the next export replaces this event.")
    return "\n".join(lines)


def _item(kind: DueKind, key: str, customer: _Customer, what: str, due: datetime | date, owner: str,
          *details: str) -> DueItem:  # fmt: skip
    title = f"{kind.label} · {customer.name}: {what}" if what else f"{kind.label} · {customer.name}"
    dated = None if kind is DueKind.ESCALATION_STEP else due
    return DueItem(kind, key, _line(title), _description(customer, dated, owner, *details), customer.name, due, owner)


# -- what falls due -------------------------------------------------------------------------------------------------


def _onboarding(scope: Mapping[int, _Customer]) -> list[DueItem]:
    query = t.OnboardingStep.select().where(
        t.OnboardingStep.done_at.is_null(), t.OnboardingStep.due_date.is_null(False)
    )
    return [
        _item(DueKind.ONBOARDING_STEP, str(step.id), scope[step.customer_id], _line(step.title), step.due_date,
              scope[step.customer_id].tam, f"Step {step.position} of the onboarding checklist")
        for step in query
        if step.customer_id in scope
    ]  # fmt: skip


def _follow_ups(scope: Mapping[int, _Customer]) -> list[DueItem]:
    owner_person = t.Person.alias()
    query = (
        t.FollowUp.select(t.FollowUp, owner_person.name.alias("person_name"), t.Contact.full_name.alias("contact_name"))
        .join(owner_person, pw.JOIN.LEFT_OUTER, on=t.FollowUp.owner_person == owner_person.id)
        .switch(t.FollowUp)
        .join(t.Contact, pw.JOIN.LEFT_OUTER, on=t.FollowUp.owner_contact == t.Contact.id)
        .where(t.FollowUp.done_at.is_null())
        .objects()
    )
    items = []
    for task in query:
        if task.customer_id not in scope:
            continue
        customer = scope[task.customer_id]
        contact = getattr(task, "contact_name", None)
        owner = _line(getattr(task, "person_name", None) or (f"{contact} ({customer.name})" if contact else ""))
        what = _line(task.what)
        items.append(_item(DueKind.FOLLOW_UP, str(task.id), customer, what, task.due_on, owner, f"Task: {what}"))
    return items


def _deadlines(now: datetime, tam: str | None, scope: Mapping[int, _Customer]) -> list[DueItem]:
    """Tickets' first responses and customer updates, and defects' customer updates: Today's rows, every one."""
    alerts, updates = upcoming_deadlines(now, tam=tam)
    items = []
    for alert in alerts:
        if (customer := scope.get(alert.customer_id)) is None:  # archived since the scope was read
            continue
        late = " (breached)" if alert.breached else ""
        items.append(
            _item(DueKind.FIRST_RESPONSE, str(alert.ticket_id), customer, f"{alert.number} {_line(alert.subject)}",
                  alert.deadline, customer.tam, f"Ticket: {alert.number} · {alert.severity.label}",
                  f"First response due{late} by the SLA", _subject(alert.subject))
        )  # fmt: skip
    for update in updates:
        if (customer := scope.get(update.customer_id)) is None:
            continue
        late = " (overdue)" if update.overdue else ""
        if update.source is UpdateSource.TICKET:
            kind, key, what = DueKind.TICKET_UPDATE, str(update.item_id), "Next customer update due"
        else:
            kind, key = DueKind.DEFECT_UPDATE, f"{update.item_id}-customer-{update.customer_id}"
            what = "Customer update due on the defect's cadence"
        items.append(
            _item(kind, key, customer, f"{update.reference} {_line(update.title)}", update.due, customer.tam,
                  f"{update.reference} · {update.severity.label}", f"{what}{late}", _subject(update.title))
        )  # fmt: skip
    return items


def _subject(text: str) -> str:
    return f"Subject: {_line(text)}" if text.strip() else ""


def _not_apprised() -> set[int]:
    """Open escalations whose VP of Customer Success was never apprised (an apprisal of unknown time counts)."""
    esc = t.Escalation
    open_states = [s.value for s in EscalationState if s.is_open]
    query = esc.select(esc.id).where(esc.state.in_(open_states), ~esc.vp_apprised, esc.vp_apprised_at.is_null())
    return {row.id for row in query}


def _escalations(now: datetime, today: date, tam: str | None, scope: Mapping[int, _Customer]) -> list[DueItem]:
    """Each open escalation's next step as Today shows it, and the VP rule's deadline while the VP is not apprised."""
    waiting = needs_attention(now, tam=tam, sections=(Section.ESCALATIONS,), today=today).escalations
    not_apprised, resolver = _not_apprised(), SlaResolver()
    items = []
    for row in waiting:
        if (customer := scope.get(row.customer_id)) is None:
            continue
        reference = f"#{row.escalation_id} ({row.ticket_number})"
        owner = (row.customer_tam or "") if row.waiting_on == "TAM" else row.waiting_on
        if row.next_step:
            who = f"the TAM ({owner})" if row.waiting_on == "TAM" and owner else owner or "someone"
            items.append(
                _item(DueKind.ESCALATION_STEP, str(row.escalation_id), customer,
                      f"{reference} waits on {who} to {row.next_step}", today, owner,
                      f"State: {row.state.label}", f"Open since: {row.opened_at:%Y-%m-%d %H:%M} UTC",
                      f"Reason: {_line(row.reason)}")
            )  # fmt: skip
        due = row.vp_due_at
        if due is None and row.escalation_id in not_apprised:
            due = vp_due_at(row.opened_at, row.vp_days, resolver.calendar(row.customer_id))
        if due is not None:
            items.append(
                _item(DueKind.VP_APPRISAL, str(row.escalation_id), customer, f"apprise {VP} of escalation {reference}",
                      due, customer.tam,
                      f"The VP rule: apprise {VP} of an escalation open longer than {row.vp_days} business days.")
            )  # fmt: skip
    return items


def _renewals(scope: Mapping[int, _Customer]) -> list[DueItem]:
    query = t.Contract.select().where(t.Contract.renewal_on.is_null(False))
    return [
        _item(DueKind.RENEWAL, str(contract.customer_id), scope[contract.customer_id], "", contract.renewal_on,
              scope[contract.customer_id].tam,
              f"Support tier: {_line(contract.support_tier)}" if contract.support_tier.strip() else "",
              f"Edition: {_line(contract.edition)}" if contract.edition.strip() else "")
        for contract in query
        if contract.customer_id in scope
    ]  # fmt: skip


def _order(item: DueItem) -> tuple[datetime, str, str]:
    start = item.start
    at = start if isinstance(start, datetime) else datetime.combine(start, datetime.min.time(), UTC)
    return (at, item.kind.value, item.key)


def due_items(now: datetime, *, tam: str | None, today: date | None = None) -> list[DueItem]:
    """Everything that falls due for ``tam``'s customers (None: every customer), soonest first.

    Args:
        now: the instant SLA and update clocks are evaluated at (timezone-aware).
        tam: a TAM's name, compared as Today compares it; None for every customer.
        today: the day an escalation's next step is shown on; default ``now``'s date in the local zone.
    """
    today = today or now.astimezone().date()
    scope = _customers(customers_in_scope(tam))
    items = [
        *_onboarding(scope),
        *_follow_ups(scope),
        *_deadlines(now, tam, scope),
        *_escalations(now, today, tam, scope),
        *_renewals(scope),
    ]
    return sorted(items, key=_order)


# -- the file -------------------------------------------------------------------------------------------------------


def calendar_name(tam: str | None) -> str:
    return f"tamdesk: {tam}'s customers" if tam else "tamdesk: every customer"


def calendar_bytes(items: Iterable[DueItem], identity: str, revisions: Mapping[str, Revision], *, name: str) -> bytes:
    """The iCalendar file of ``items``; ``revisions`` holds each event's revision by UID (``domain.due_items``)."""
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//tamdesk//tamdesk {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", name)  # RFC 7986
    cal.add("x-wr-calname", name)  # the same, for the clients that predate RFC 7986
    for item in items:
        uid = item.uid(identity)
        revision = revisions[uid]
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("dtstamp", revision.modified)
        event.add("last-modified", revision.modified)
        event.add("sequence", revision.sequence)
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
        event.add("summary", item.title)
        event.add("description", item.description)
        event.add("categories", [item.kind.label])
        event.add("transp", "TRANSPARENT")  # a deadline is not a meeting: it does not make the TAM busy
        event.add("class", "PRIVATE")  # customer names and tickets: kept from anyone the calendar is shared with
        event.add(FINGERPRINT, revision.fingerprint)
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", item.title)
        alarm.add("trigger", -item.reminder)
        event.add_component(alarm)
        cal.add_component(event)
    return bytes(cal.to_ical())


def previous_revisions(path: Path) -> dict[str, Revision]:
    """The revisions of the events of the calendar file at ``path``; empty when it is missing or unreadable."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_PREVIOUS_BYTES:
            return {}
        cal = icalendar.Calendar.from_ical(path.read_bytes())
    except Exception:  # a damaged earlier file only costs its revisions: every event then counts as new
        return {}
    found: dict[str, Revision] = {}
    for event in cal.walk("VEVENT"):
        try:
            uid, fingerprint = str(event["UID"]), str(event[FINGERPRINT])
            stamp = event.decoded("DTSTAMP")
            sequence = int(event.get("SEQUENCE", 0))
        except (KeyError, ValueError, TypeError):
            continue
        if isinstance(stamp, datetime) and stamp.tzinfo is not None and sequence >= 0:
            found[uid] = Revision(sequence, stamp.astimezone(UTC), fingerprint)
    return found


def _looks_like_a_calendar(path: Path) -> bool:
    """Whether the existing file at ``path`` may be replaced: empty, or an iCalendar file."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError:
        return True  # unreadable: replacing it says why
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return not head or head.upper().startswith(b"BEGIN:VCALENDAR")


def check_target(path: str | os.PathLike[str]) -> Path:
    """The path to write, once it may be written: ends in .ics, its folder exists, it is no folder nor another kind
    of file.

    Raises:
        CalendarExportError: naming the file and why.
    """
    target = Path(path)
    if target.suffix.lower() != SUFFIX:
        raise CalendarExportError(f"Cannot write {target}: a calendar file's name must end in {SUFFIX}.")
    if target.is_dir():
        raise CalendarExportError(f"Cannot write {target}: it is a folder.")
    folder = target.parent
    if not folder.exists():
        raise CalendarExportError(f"Cannot write {target}: folder {folder} does not exist.")
    if not folder.is_dir():
        raise CalendarExportError(f"Cannot write {target}: {folder} is not a folder.")
    if target.exists() and not _looks_like_a_calendar(target):
        raise CalendarExportError(
            f"Cannot write {target}: it exists and is not a calendar file, so it is left as it is; choose another name."
        )
    return target


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``target``, then put it in ``target``'s place in one step.

    Raises:
        CalendarExportError: the folder is not writable, the disk is full, ``target`` cannot be replaced.
    """
    folder = target.parent
    remove_stale(folder, TEMP_FILE)
    temp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    except PermissionError as exc:
        raise CalendarExportError(f"Cannot write {target}: folder {folder} is not writable.") from exc
    except OSError as exc:
        raise CalendarExportError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
    except BaseException as exc:
        with suppress(OSError):
            temp.unlink()
        if isinstance(exc, IsADirectoryError):
            raise CalendarExportError(f"Cannot write {target}: it is a folder.") from exc
        if isinstance(exc, PermissionError):
            raise CalendarExportError(f"Cannot write {target}: it is read-only or open in another program.") from exc
        if isinstance(exc, OSError):
            raise CalendarExportError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
        raise


def export_calendar(
    path: str | os.PathLike[str], ctx: Context, *, mine: bool = False, today: date | None = None
) -> CalendarExport:
    """Write everything that falls due to the iCalendar file at ``path``; meant for a background thread.

    Args:
        path: the .ics file to create or replace; replacing it keeps the SEQUENCE of the events that did not change.
        ctx: who exports and the clock (the instant the SLA clocks are evaluated at, and the stamp of what changed).
        mine: only the customers whose TAM is the user (Settings › You); else every customer.
        today: the day an escalation's next step is shown on; default the local date of ``ctx.now()``.

    Raises:
        CalendarExportError: a bad path (nothing is written), or ``mine`` without a name that is some customer's TAM.
    """
    target = check_target(path)
    tam = my_tam_name() if mine else None
    now = ctx.now()
    items = due_items(now, tam=tam, today=today)
    identity = database_identity(ctx)
    fingerprints = [(item.uid(identity), item.fingerprint) for item in items]
    if len({uid for uid, _ in fingerprints}) != len(fingerprints):
        raise AssertionError("two events of one export share a UID")  # a programming error, never the user's
    revisions = revise(fingerprints, previous_revisions(target), now)
    data = calendar_bytes(items, identity, revisions, name=calendar_name(tam))
    write_atomically(target, data)
    by_kind: dict[DueKind, int] = {}
    for item in items:
        by_kind[item.kind] = by_kind.get(item.kind, 0) + 1
    return CalendarExport(target, len(items), by_kind, tam)
