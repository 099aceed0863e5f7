"""The calendar export, read back as a TAM's calendar reads it.

Each written file is parsed twice: with the ``icalendar`` package (its "Usage" chapter: ``Calendar.from_ical``,
``walk``, ``decoded``), and with ``vobject``, a second parser written independently, as a second calendar client
importing the file. The checks follow RFC 5545: UID (§3.8.4.7) stable across exports and unique within one,
SEQUENCE (§3.8.7.4) raised only when an event changed, DTSTAMP (§3.8.7.2) and LAST-MODIFIED (§3.8.7.3) kept
with it, DTSTART as a UTC date-time with ``Z`` (§3.3.5, form #2) for a deadline and ``VALUE=DATE`` (§3.3.4) for a
due date, and a VALARM (§3.6.6) with ACTION:DISPLAY and a relative TRIGGER in every event.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import vobject

from tamdesk.domain.due_items import is_identity
from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketEventKind
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.calendar_export import (
    IDENTITY_SETTING,
    CalendarExportError,
    database_identity,
    export_calendar,
)
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.database import close_database, open_database
from tamdesk.services.defects import escalate_to_engineering, report_defect, validate_defect
from tamdesk.services.escalations import EscalationInput, request_escalation
from tamdesk.services.identity import save_name
from tamdesk.services.settings import get_setting
from tamdesk.services.tickets import TicketInput, add_event, create_ticket
from tamdesk.services.today import UpdateSource, needs_attention

TESS, OMAR = "Tess Tam", "Omar Other"
# FIXED_NOW is Tue 10 Mar 2026 14:30 UTC: 23:30 in Tokyo (UTC+9), 10:30 in New York (EDT since Sun 8 Mar, UTC-4)


def _ticket(ctx: Context, number: str, customer: int, severity: Severity, opened: datetime) -> int:
    return create_ticket(ctx, TicketInput(number, customer, f"Subject of {number}", severity, opened))


def _follow_up(customer: int, what: str, due: date, owner: str, fixed_now: datetime) -> int:
    person = t.Person.get(t.Person.name == owner)
    row = t.FollowUp.create(customer=customer, what=what, owner_person=person, due_on=due, created_at=fixed_now)
    return int(row.id)


@pytest.fixture
def book(db_path: Path, ctx: Context, fixed_now: datetime) -> dict[str, int]:
    """Tokyo (Tess's), New York (Omar's) and an archived customer, each with something that falls due."""
    t.Person.create(name="Maya Support", role="support_manager", email="maya@vendor.example")
    tokyo = create_customer(
        ctx, CustomerInput(name="Kabushiki Tokyo", time_zone="Asia/Tokyo", country="JP", tam=TESS,
                           onboarding_started=date(2026, 3, 2)),
    )  # fmt: skip
    york = create_customer(ctx, CustomerInput(name="Hudson Bank", time_zone="America/New_York", country="US", tam=OMAR))
    gone = create_customer(ctx, CustomerInput(name="Gone Ltd", time_zone="Europe/Berlin", country="DE", tam=TESS))
    ids = {"tokyo": tokyo, "york": york, "gone": gone}
    # Sev2 (2 business hours) opened Tue 17:00 in Tokyo: one hour that day, one from 09:00 Wed: due Wed 10:00 JST
    ids["JP-1"] = _ticket(ctx, "JP-1", tokyo, Severity.HIGH, datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    # Sev2 opened Tue 09:00 in New York (EDT): due 11:00 EDT, 15:00 UTC (16:00 UTC if the DST change were missed)
    ids["NY-1"] = _ticket(ctx, "NY-1", york, Severity.HIGH, datetime(2026, 3, 10, 13, 0, tzinfo=UTC))
    # answered Fri 6 Mar 10:00 EST: a Sev3 update falls due 3 business days on, Wed 11 Mar 10:00 EDT (14:00 UTC)
    ids["NY-2"] = _ticket(ctx, "NY-2", york, Severity.NORMAL, datetime(2026, 3, 6, 14, 0, tzinfo=UTC))
    add_event(ctx, ids["NY-2"], TicketEventKind.RESPONSE, datetime(2026, 3, 6, 15, 0, tzinfo=UTC))
    # waiting on the customer: its update clock is paused, nothing falls due
    ids["NY-3"] = _ticket(ctx, "NY-3", york, Severity.NORMAL, datetime(2026, 3, 9, 14, 0, tzinfo=UTC))
    add_event(ctx, ids["NY-3"], TicketEventKind.RESPONSE, datetime(2026, 3, 9, 15, 0, tzinfo=UTC))
    add_event(ctx, ids["NY-3"], TicketEventKind.WAITING_ON_CUSTOMER, datetime(2026, 3, 9, 15, 1, tzinfo=UTC))
    # a Sev2 defect escalated now (10:30 EDT): Hudson Bank's update is due 5 business days on, Tue 17 Mar 10:30 EDT
    ids["defect"] = report_defect(ctx, ids["NY-2"], "Export hangs", severity=Severity.HIGH)
    validate_defect(ctx, ids["defect"], 1, "Sam Support", fixed_now)
    escalate_to_engineering(ctx, ids["defect"], 2, "ENG-1", "https://eng.example/browse/ENG-1")
    # escalated now, 23:30 Tue in Tokyo: the VP is owed 3 business days on, Fri 13 Mar 18:00 JST (09:00 UTC)
    ids["escalation"] = request_escalation(ctx, ids["JP-1"], EscalationInput("customer", "Aiko", "Down", "Stops"))
    ids["fu-tokyo"] = _follow_up(tokyo, "Send the architecture notes", date(2026, 3, 12), TESS, fixed_now)
    ids["fu-york"] = _follow_up(york, "Book the QBR", date(2026, 3, 20), OMAR, fixed_now)
    ids["fu-gone"] = _follow_up(gone, "Never shown", date(2026, 3, 13), TESS, fixed_now)
    t.FollowUp.create(customer=tokyo, what="Already done", due_on=date(2026, 3, 11), created_at=fixed_now,
                      done_at=fixed_now)  # fmt: skip
    t.Contract.create(customer=york, renewal_on=date(2026, 9, 30), support_tier="Premium")
    t.Customer.update(archived=True).where(t.Customer.id == gone).execute()
    return ids


def _events(path: Path) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    events = list(cal.walk("VEVENT"))
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)), "two events share a UID"
    return {uid.split("@")[0]: e for uid, e in zip(uids, events, strict=True)}


def _vobject_events(path: Path) -> dict[str, object]:
    cal = vobject.readOne(path.read_text(encoding="utf-8"))
    return {ev.uid.value.split("@")[0]: ev for ev in cal.vevent_list}


def _start(event: icalendar.Event) -> datetime | date:
    return event.decoded("DTSTART")  # type: ignore[no-any-return]


@pytest.fixture
def exported(book: dict[str, int], ctx: Context, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "tamdesk.ics"
    result = export_calendar(path, ctx)
    assert result.summary == f"Wrote {result.events} events to {path}."
    yield path


def test_every_due_item_is_an_event_at_its_time(book: dict[str, int], exported: Path) -> None:
    events = _events(exported)
    jp, ny1, ny2 = book["JP-1"], book["NY-1"], book["NY-2"]
    expected = {
        f"ticket-first-response-{jp}": datetime(2026, 3, 11, 1, 0, tzinfo=UTC),
        f"ticket-first-response-{ny1}": datetime(2026, 3, 10, 15, 0, tzinfo=UTC),
        f"ticket-update-{ny2}": datetime(2026, 3, 11, 14, 0, tzinfo=UTC),
        f"defect-update-{book['defect']}-customer-{book['york']}": datetime(2026, 3, 17, 14, 30, tzinfo=UTC),
        f"escalation-vp-{book['escalation']}": datetime(2026, 3, 13, 9, 0, tzinfo=UTC),
        f"escalation-step-{book['escalation']}": date(2026, 3, 10),
        f"follow-up-{book['fu-tokyo']}": date(2026, 3, 12),
        f"follow-up-{book['fu-york']}": date(2026, 3, 20),
        f"renewal-{book['york']}": date(2026, 9, 30),
    }
    customers = (book["tokyo"], book["york"])  # not the archived one's
    steps = t.OnboardingStep.select().where(
        t.OnboardingStep.customer.in_(customers), t.OnboardingStep.due_date.is_null(False)
    )
    expected |= {f"onboarding-step-{s.id}": s.due_date for s in steps}
    assert len(steps) == 20
    assert {key: _start(e) for key, e in events.items()} == expected
    # a timed deadline is written in UTC with Z, a due date as VALUE=DATE (RFC 5545 §3.3.5 and §3.3.4)
    raw = exported.read_text(encoding="utf-8")
    assert "DTSTART:20260311T010000Z" in raw and "DTSTART:20260310T150000Z" in raw
    assert "DTSTART;VALUE=DATE:20260312" in raw and "DTEND;VALUE=DATE:20260313" in raw


def test_deadlines_not_yet_at_risk_are_in_the_calendar_too(
    book: dict[str, int], exported: Path, fixed_now: datetime, tmp_path: Path
) -> None:
    """Today lists what is at risk now; the calendar also holds what comes, with the same instants."""
    assert "JP-1" not in {a.number for a in needs_attention(fixed_now, tam=None).tickets}  # half its time left
    assert f"ticket-first-response-{book['JP-1']}" in _events(exported)
    later = datetime(2026, 3, 11, 13, 0, tzinfo=UTC)  # Wed 09:00 in New York: NY-2's update is at risk
    today = needs_attention(later, tam=None)
    assert today.tickets and today.updates
    export_calendar(tmp_path / "later.ics", Context(actor=TESS, clock=lambda: later))
    events = _events(tmp_path / "later.ics")
    for alert in today.tickets:
        assert _start(events[f"ticket-first-response-{alert.ticket_id}"]) == alert.deadline
    for update in today.updates:
        key = (
            f"ticket-update-{update.item_id}"
            if update.source is UpdateSource.TICKET
            else (f"defect-update-{update.item_id}-customer-{update.customer_id}")
        )
        assert _start(events[key]) == update.due


def test_the_customers_zone_is_named_beside_the_utc_time(book: dict[str, int], exported: Path) -> None:
    events = _events(exported)
    tokyo = str(events[f"ticket-first-response-{book['JP-1']}"]["DESCRIPTION"])
    york = str(events[f"ticket-first-response-{book['NY-1']}"]["DESCRIPTION"])
    assert "Due: Wed 11 Mar 2026 10:00 Asia/Tokyo (01:00 UTC)" in tokyo
    assert "Due: Tue 10 Mar 2026 11:00 America/New_York (15:00 UTC)" in york
    step = str(events[f"escalation-step-{book['escalation']}"]["DESCRIPTION"]).splitlines()
    assert step[:3] == ["Customer: Kabushiki Tokyo",
                        "A next step has no deadline of its own: it is shown on the day of the export.",
                        "Owner: Maya Support"]  # fmt: skip
    assert str(events[f"ticket-first-response-{book['JP-1']}"]["SUMMARY"]) == (
        "First response · Kabushiki Tokyo: JP-1 Subject of JP-1"
    )


def test_a_second_parser_reads_the_same_events(book: dict[str, int], exported: Path) -> None:
    ours, theirs = _events(exported), _vobject_events(exported)
    assert set(theirs) == set(ours)
    for key, event in theirs.items():
        start = event.dtstart.value  # type: ignore[attr-defined]
        if isinstance(start, datetime):
            assert start.utcoffset() == timedelta(0), key
            assert start == _start(ours[key])
        else:
            assert start == _start(ours[key]) and isinstance(start, date)
        alarm = event.valarm  # type: ignore[attr-defined]
        assert alarm.action.value == "DISPLAY"
        assert alarm.trigger.value == (
            -timedelta(hours=15) if not isinstance(start, datetime) else -timedelta(minutes=30)
        )
        assert event.summary.value == str(ours[key]["SUMMARY"])  # type: ignore[attr-defined]


def test_every_event_has_a_display_reminder(exported: Path) -> None:
    for key, event in _events(exported).items():
        alarms = [c for c in event.subcomponents if c.name == "VALARM"]
        assert len(alarms) == 1, key
        assert str(alarms[0]["ACTION"]) == "DISPLAY" and str(alarms[0]["DESCRIPTION"]) == str(event["SUMMARY"])
        timed = isinstance(_start(event), datetime)
        assert alarms[0].decoded("TRIGGER") == (-timedelta(minutes=30) if timed else -timedelta(hours=15))


def test_archived_paused_and_done_are_left_out(book: dict[str, int], exported: Path) -> None:
    keys = set(_events(exported))
    assert f"follow-up-{book['fu-gone']}" not in keys  # an archived customer's
    assert not any(k.endswith(f"-{book['NY-3']}") for k in keys if k.startswith("ticket-"))  # waiting on the customer
    done = t.FollowUp.get(t.FollowUp.what == "Already done")
    assert f"follow-up-{done.id}" not in keys


def test_uids_are_stable_and_an_unchanged_reexport_writes_the_same_bytes(
    book: dict[str, int], exported: Path, ctx: Context, tmp_path: Path
) -> None:
    first = exported.read_bytes()
    minutes_later = ctx.now() + timedelta(minutes=20)  # nothing changed meanwhile; ages and clocks ran on
    export_calendar(exported, Context(actor=ctx.actor, clock=lambda: minutes_later))
    assert exported.read_bytes() == first
    other = tmp_path / "other.ics"
    export_calendar(other, ctx)
    assert {str(e["UID"]) for e in _events(other).values()} == {str(e["UID"]) for e in _events(exported).values()}
    identity = get_setting(IDENTITY_SETTING)
    assert is_identity(identity)
    assert all(str(e["UID"]).endswith(f"@{identity}.tamdesk") for e in _events(exported).values())


def test_a_change_raises_the_sequence_of_that_event_only(
    book: dict[str, int], exported: Path, ctx: Context, fixed_now: datetime
) -> None:
    before = _events(exported)
    t.FollowUp.update(due_on=date(2026, 3, 16)).where(t.FollowUp.id == book["fu-tokyo"]).execute()
    an_hour_later = fixed_now + timedelta(hours=1)
    export_calendar(exported, Context(actor=ctx.actor, clock=lambda: an_hour_later))
    after = _events(exported)
    moved = f"follow-up-{book['fu-tokyo']}"
    assert _start(after[moved]) == date(2026, 3, 16)
    assert (after[moved]["SEQUENCE"], before[moved]["SEQUENCE"]) == (1, 0)
    assert after[moved].decoded("DTSTAMP") == after[moved].decoded("LAST-MODIFIED") == an_hour_later
    kept = f"follow-up-{book['fu-york']}"
    assert after[kept]["SEQUENCE"] == 0 and after[kept].decoded("DTSTAMP") == fixed_now
    assert str(after[moved]["UID"]) == str(before[moved]["UID"])


def test_a_done_follow_up_disappears_on_the_next_export(
    book: dict[str, int], exported: Path, ctx: Context, fixed_now: datetime
) -> None:
    key = f"follow-up-{book['fu-tokyo']}"
    assert key in _events(exported)
    t.FollowUp.update(done_at=fixed_now, done_by=TESS).where(t.FollowUp.id == book["fu-tokyo"]).execute()
    export_calendar(exported, ctx)
    assert key not in _events(exported) and key not in _vobject_events(exported)
    assert f"follow-up-{book['fu-york']}" in _events(exported)


def test_mine_keeps_the_users_customers(book: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "mine.ics"
    with pytest.raises(CalendarExportError, match=r"^Your name is not set"):
        export_calendar(path, ctx, mine=True)
    save_name("Nobody Here")
    with pytest.raises(CalendarExportError, match=r"^No customer has “Nobody Here” .* TAMs: Omar Other, Tess Tam\.$"):
        export_calendar(path, ctx, mine=True)
    assert not path.exists()
    save_name("  tess   TAM ")
    result = export_calendar(path, ctx, mine=True)
    customers = {str(e["DESCRIPTION"]).splitlines()[0] for e in _events(path).values()}
    assert customers == {"Customer: Kabushiki Tokyo"}
    assert result.tam == "tess TAM" and result.events == len(_events(path)) == 14
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    assert str(cal["X-WR-CALNAME"]) == "tamdesk: tess TAM's customers"


BAD_NAMES = [
    ("calendar.txt", "a calendar file's name must end in .ics"),
    ("missing/calendar.ics", "folder {tmp}/missing does not exist"),
    ("folder.ics", "it is a folder"),
    ("notes.ics", "it exists and is not a calendar file, so it is left as it is; choose another name"),
    ("notes.ics/calendar.ics", "{tmp}/notes.ics is not a folder"),
]


@pytest.mark.parametrize(("name", "reason"), BAD_NAMES)
def test_a_bad_path_writes_nothing(book: dict[str, int], ctx: Context, tmp_path: Path, name: str, reason: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "folder.ics").mkdir()
    (out / "notes.ics").write_text("My notes, not a calendar")
    target = out / name
    with pytest.raises(CalendarExportError) as raised:
        export_calendar(target, ctx)
    assert str(raised.value) == f"Cannot write {target}: {reason.format(tmp=out)}."
    assert (out / "notes.ics").read_text() == "My notes, not a calendar"
    assert sorted(p.name for p in out.iterdir()) == ["folder.ics", "notes.ics"]
    assert list((out / "folder.ics").iterdir()) == []


def test_a_failed_write_keeps_the_previous_file(
    book: dict[str, int], exported: Path, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = exported.read_bytes()
    t.FollowUp.update(done_at=ctx.now()).execute()

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tamdesk.services.calendar_export.os.fsync", full_disk)
    with pytest.raises(CalendarExportError, match=r"^Cannot write .*tamdesk\.ics: No space left on device\.$"):
        export_calendar(exported, ctx)
    assert exported.read_bytes() == before
    assert [p.name for p in exported.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.sqlite_only
def test_two_databases_never_share_a_uid(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    first = database_identity(ctx)
    assert database_identity(ctx) == first
    close_database()
    open_database(tmp_path / "second.db", create=True)
    second = database_identity(ctx)
    assert is_identity(second) and second != first
