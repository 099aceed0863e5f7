"""Logging, editing and deleting timeline entries, and the merged timeline of a customer (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.timeline import EntryKind, ItemSource
from tamdesk.models import tables as t
from tamdesk.services.base import Context, StaleEdit, ValidationFailed
from tamdesk.services.timeline import (
    EntryInput,
    FollowUpInput,
    add_entry,
    customer_timeline,
    delete_entry,
    edit_entry,
    get_entry,
)
from tests.db.timeline_book import Book, make_book


@pytest.fixture
def book(db_path: Path, ctx: Context, fixed_now: datetime) -> Book:
    return make_book(ctx, fixed_now)


def _meeting(b: Book, at: datetime, **changes: object) -> EntryInput:
    values: dict[str, object] = dict(
        kind="meeting", at=at, title="Quarterly review", body="Went through the open tickets.\nAll good.",
        attendee_contact_ids=[b.ana, b.bo], attendee_person_ids=[b.tess], ticket_ids=[b.ticket],
        escalation_ids=[b.escalation], defect_ids=[b.defect],
        follow_ups=[FollowUpInput("Send the API fix plan", date(2026, 3, 12), owner_person_id=b.tess),
                    FollowUpInput("Share the load test", date(2026, 3, 14), owner_contact_id=b.ana),
                    FollowUpInput("Book the next review", date(2026, 4, 3), owner_person_id=b.tess)],
    )  # fmt: skip
    values.update(changes)
    return EntryInput(**values)  # type: ignore[arg-type]


def _counts() -> tuple[int, int, int, int, int]:
    return (t.TimelineEntry.select().count(), t.TimelineAttendee.select().count(), t.TimelineLink.select().count(),
            t.FollowUp.select().count(), t.AuditEntry.select().where(
                t.AuditEntry.entity.in_(["timeline_entry", "follow_up"])).count())  # fmt: skip


def test_a_meeting_with_attendees_links_and_follow_ups_is_saved_and_audited(book: Book, ctx: Context,
                                                                            fixed_now: datetime) -> None:  # fmt: skip
    saved = add_entry(ctx, book.acme, _meeting(book, fixed_now - timedelta(hours=2)))
    assert _counts() == (1, 3, 3, 3, 4)
    assert saved.notes == (
        "“Share the load test”: Sat 14 Mar 2026 is not a business day at Acme, so the follow-up is due on the "
        "next business day, Mon 16 Mar 2026.",
        "“Book the next review”: Fri 3 Apr 2026 is a holiday (Good Friday) at Acme, so the follow-up is due on "
        "the next business day, Tue 7 Apr 2026.",
    )
    detail = get_entry(saved.id)
    assert detail.input.kind is EntryKind.MEETING and detail.author == "Tess Tam"
    assert sorted(detail.input.attendee_contact_ids) == sorted([book.ana, book.bo])
    assert [f.due_on for f in detail.input.follow_ups] == [date(2026, 3, 12), date(2026, 3, 16), date(2026, 4, 7)]
    audit = t.AuditEntry.get((t.AuditEntry.entity == "timeline_entry") & (t.AuditEntry.action == "create"))
    assert audit.summary == "Meeting “Quarterly review” logged on Acme's timeline" and audit.actor == "Tess Tam"
    assert json.loads(audit.after)["body"] == "Went through the open tickets.\nAll good."


def test_a_due_date_in_the_past_is_saved_with_a_warning(book: Book, ctx: Context, fixed_now: datetime) -> None:
    data = _meeting(
        book, fixed_now, follow_ups=[FollowUpInput("Call back", date(2026, 3, 9), owner_contact_id=book.bo)]
    )
    saved = add_entry(ctx, book.acme, data)
    assert saved.notes == ("“Call back”: The due date Mon 9 Mar 2026 is in the past.",)
    assert t.FollowUp.get().due_on == date(2026, 3, 9)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"attendee_contact_ids": "gil"}, "attendees",
         "Attendee Gil Globex is not a contact of Acme; add them as a contact first."),
        ({"attendee_contact_ids": [9999]}, "attendees", "Attendee contact #9999 does not exist."),
        ({"attendee_person_ids": [9999]}, "attendees", "Attendee #9999 is not in the people directory."),
        ({"kind": "lunch"}, "kind", "Kind 'lunch' is not one of meeting, call, email, note."),
        ({"kind": "note", "body": "  \n "}, "body", "A note needs some text."),
        ({"ticket_ids": "other_ticket"}, "links", "Ticket SUP-2 is not a ticket of Acme."),
        ({"escalation_ids": [9999]}, "links", "Escalation #9999 is not an escalation of Acme."),
        ({"defect_ids": [9999]}, "links", "Defect #9999 is not linked to a ticket of Acme."),
        ({"follow_ups": "unknown owner"}, "follow_up_1",
         "Follow-up 1: the owner #9999 is not in the people directory."),
        ({"follow_ups": "globex owner"}, "follow_up_1", "Follow-up 1: the owner is not a contact of Acme."),
        ({"follow_ups": "no owner"}, "follow_up_1",
         "Follow-up 1: choose one owner, a person of our side or a contact of Acme."),
        ({"follow_ups": "empty"}, "follow_up_1", "Follow-up 1: say what is to be done."),
    ],
)  # fmt: skip
def test_bad_input_is_one_sentence_and_nothing_is_saved(
    book: Book, ctx: Context, fixed_now: datetime, changes: dict[str, object], field: str, message: str
) -> None:
    resolved: dict[str, object] = {}
    for key, value in changes.items():
        if value == "gil":
            value = [book.ana, book.gil]
        elif value == "other_ticket":
            value = [book.ticket, book.other_ticket]
        elif value == "unknown owner":
            value = [FollowUpInput("x", date(2026, 3, 12), owner_person_id=9999)]
        elif value == "globex owner":
            value = [FollowUpInput("x", date(2026, 3, 12), owner_contact_id=book.gil)]
        elif value == "no owner":
            value = [FollowUpInput("x", date(2026, 3, 12))]
        elif value == "empty":
            value = [FollowUpInput("  ", date(2026, 3, 12), owner_person_id=book.tess)]
        resolved[key] = value
    before = _counts()
    with pytest.raises(ValidationFailed) as caught:
        add_entry(ctx, book.acme, _meeting(book, fixed_now, **resolved))
    assert caught.value.errors == {field: message}
    assert _counts() == before


def test_edit_replaces_attendees_and_links_and_refuses_a_stale_version(book: Book, ctx: Context,
                                                                       fixed_now: datetime) -> None:  # fmt: skip
    saved = add_entry(ctx, book.acme, _meeting(book, fixed_now, follow_ups=[]))
    detail = get_entry(saved.id)
    changed = _meeting(book, fixed_now, kind="call", title="Check-in", attendee_contact_ids=[book.cy],
                       attendee_person_ids=[], ticket_ids=[], escalation_ids=[], defect_ids=[],
                       follow_ups=[FollowUpInput("Send notes", date(2026, 3, 11),
                                                 owner_person_id=book.tess)])  # fmt: skip
    edit_entry(ctx, saved.id, detail.version, changed)
    after = get_entry(saved.id)
    assert (after.input.kind, after.input.title, list(after.input.attendee_contact_ids)) == (
        EntryKind.CALL,
        "Check-in",
        [book.cy],
    )
    assert _counts()[1:4] == (1, 0, 1)
    with pytest.raises(StaleEdit):
        edit_entry(ctx, saved.id, detail.version, changed)
    audit = t.AuditEntry.get((t.AuditEntry.entity == "timeline_entry") & (t.AuditEntry.action == "update"))
    assert json.loads(audit.before)["kind"] == "meeting" and json.loads(audit.after)["kind"] == "call"


def test_delete_keeps_the_follow_ups(book: Book, ctx: Context, fixed_now: datetime) -> None:
    saved = add_entry(ctx, book.acme, _meeting(book, fixed_now))
    version = get_entry(saved.id).version
    with pytest.raises(StaleEdit):
        delete_entry(ctx, saved.id, version + 1)
    assert delete_entry(ctx, saved.id, version) == "Meeting “Quarterly review” deleted."
    assert _counts()[:4] == (0, 0, 0, 3)
    assert all(f.entry_id is None for f in t.FollowUp.select())


def test_the_timeline_merges_every_record_of_the_customer(book: Book, ctx: Context, fixed_now: datetime) -> None:
    from tamdesk.services.seats import grant_seat

    grant_seat(ctx, book.seat, t.PortalSeat.get_by_id(book.seat).version)
    add_entry(ctx, book.acme, _meeting(book, fixed_now - timedelta(hours=3), follow_ups=[]))
    add_entry(ctx, book.acme, EntryInput("note", fixed_now - timedelta(days=5), body="Champion moves to a new role."))
    items = customer_timeline(book.acme)
    assert [i.at for i in items] == sorted((i.at for i in items), reverse=True)
    titles = [i.title for i in items]
    for expected in ("Quarterly review", "Note", "Ticket SUP-1 opened", "Ticket SUP-1: Support responded",
                     "Seat 1: requested", "Seat 1: granted"):  # fmt: skip
        assert expected in titles
    assert any(i.source is ItemSource.ESCALATION and i.escalation_id == book.escalation for i in items)
    assert any(i.source is ItemSource.DEFECT and i.defect_id == book.defect for i in items)
    assert not any("SUP-2" in i.title for i in items)  # Globex's ticket stays on Globex's timeline
    meeting = next(i for i in items if i.title == "Quarterly review")
    assert not meeting.read_only and meeting.text.startswith("Went through")
    assert meeting.people == ("Ana Ruiz", "Bo Li", "Tess Tam")
    assert all(i.read_only for i in items if i.source is not ItemSource.ENTRY)


def test_the_timeline_filters_by_kind_and_period(book: Book, ctx: Context, fixed_now: datetime) -> None:
    add_entry(ctx, book.acme, EntryInput("call", fixed_now - timedelta(days=1), title="Check-in"))
    add_entry(ctx, book.acme, EntryInput("note", fixed_now - timedelta(days=10), body="Old note"))
    assert [i.title for i in customer_timeline(book.acme, kinds=["call", "note"])] == ["Check-in", "Note"]
    recent = customer_timeline(book.acme, kinds=["note", "call"], start=fixed_now - timedelta(days=3))
    assert [i.title for i in recent] == ["Check-in"]
    assert {i.source for i in customer_timeline(book.acme, kinds=["ticket"])} == {ItemSource.TICKET}
    with pytest.raises(ValueError, match="Kind 'lunch'"):
        customer_timeline(book.acme, kinds=["lunch"])


def test_a_contacts_last_contact_is_their_latest_entry(book: Book, ctx: Context, fixed_now: datetime) -> None:
    from tamdesk.services.contacts import list_contacts

    add_entry(
        ctx, book.acme, EntryInput("call", fixed_now - timedelta(days=3), "Old call", attendee_contact_ids=[book.ana])
    )
    add_entry(ctx, book.acme, _meeting(book, fixed_now - timedelta(hours=1), follow_ups=[]))
    last = {c.full_name: c.last_contact_at for c in list_contacts(book.acme)}
    assert last == {
        "Ana Ruiz": fixed_now - timedelta(hours=1),
        "Bo Li": fixed_now - timedelta(hours=1),
        "Cy Park": None,
    }


def test_events_are_read_for_the_period_only(book: Book, fixed_now: datetime) -> None:
    start = fixed_now - timedelta(days=2) + timedelta(minutes=30)  # after SUP-1 opened, before support responded
    titles = [i.title for i in customer_timeline(book.acme, kinds=["ticket"], start=start)]
    assert titles == ["Ticket SUP-1: Support responded"]
    assert [i.title for i in customer_timeline(book.acme, kinds=["ticket"], end=start)] == ["Ticket SUP-1 opened"]
    assert customer_timeline(book.acme, kinds=["seat", "onboarding"], start=fixed_now + timedelta(days=1)) == []
