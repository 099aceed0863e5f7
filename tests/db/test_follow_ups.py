"""Follow-ups: listed open by TAM or customer, done, deferred and reassigned, each audited and optimistic-locked."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from tamdesk.domain.timeline import Owner
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError, StaleEdit
from tamdesk.services.follow_ups import complete, defer, open_follow_ups, owner_choices, reassign
from tamdesk.services.timeline import EntryInput, FollowUpInput, add_entry
from tests.db.timeline_book import Book, make_book

TODAY = date(2026, 3, 10)


@pytest.fixture
def book(db_path: Path, ctx: Context, fixed_now: datetime) -> Book:
    b = make_book(ctx, fixed_now)
    add_entry(ctx, b.acme, EntryInput("meeting", fixed_now, "Review", follow_ups=[
        FollowUpInput("Send the plan", date(2026, 3, 12), owner_person_id=b.tess),
        FollowUpInput("Share the logs", date(2026, 3, 9), owner_contact_id=b.ana),
    ]))  # fmt: skip
    add_entry(ctx, b.globex, EntryInput("call", fixed_now, "Globex call", follow_ups=[
        FollowUpInput("Globex quote", date(2026, 3, 11), owner_contact_id=b.gil),
    ]))  # fmt: skip
    return b


def _audit(action: str) -> t.AuditEntry:
    return t.AuditEntry.get((t.AuditEntry.entity == "follow_up") & (t.AuditEntry.action == action))


def test_open_follow_ups_by_scope(book: Book) -> None:
    every = open_follow_ups(TODAY)
    assert [(r.what, r.customer, r.owner, r.overdue) for r in every] == [
        ("Share the logs", "Acme", "Ana Ruiz", True),
        ("Globex quote", "Globex", "Gil Globex", False),
        ("Send the plan", "Acme", "Tess Tam", False),
    ]
    assert [r.what for r in open_follow_ups(TODAY, tam="  tess   TAM ")] == ["Share the logs", "Send the plan"]
    assert [r.what for r in open_follow_ups(TODAY, tam="Nobody")] == []
    assert [r.what for r in open_follow_ups(TODAY, customer_id=book.globex)] == ["Globex quote"]
    assert [r.what for r in open_follow_ups(TODAY, due_by=date(2026, 3, 11))] == ["Share the logs", "Globex quote"]
    assert every[0].entry_title == "Review"


def test_complete_once_and_audited(book: Book, ctx: Context) -> None:
    row = open_follow_ups(TODAY, customer_id=book.globex)[0]
    assert complete(ctx, row.id, row.version) == "Done: Globex quote."
    assert open_follow_ups(TODAY, customer_id=book.globex) == []
    assert t.FollowUp.get_by_id(row.id).done_by == "Tess Tam"
    assert _audit("done").summary == "Follow-up done: Globex quote"
    with pytest.raises(StaleEdit):
        complete(ctx, row.id, row.version)
    with pytest.raises(DomainError, match="already done"):
        complete(ctx, row.id, row.version + 1)


def test_defer_moves_to_a_business_day_and_says_so(book: Book, ctx: Context) -> None:
    row = next(r for r in open_follow_ups(TODAY) if r.what == "Send the plan")
    summary = defer(ctx, row.id, row.version, date(2026, 3, 21))
    assert summary == ("“Send the plan” is now due on Mon 23 Mar 2026. Sat 21 Mar 2026 is not a business day at "
                       "Acme, so the follow-up is due on the next business day, Mon 23 Mar 2026.")  # fmt: skip
    assert t.FollowUp.get_by_id(row.id).due_on == date(2026, 3, 23)
    audit = _audit("defer")
    assert (json.loads(audit.before), json.loads(audit.after)) == ({"due_on": "2026-03-12"}, {"due_on": "2026-03-23"})
    with pytest.raises(StaleEdit):
        defer(ctx, row.id, row.version, date(2026, 3, 25))
    with pytest.raises(DomainError, match=r"already due on Mon 23 Mar 2026; choose another date\."):
        defer(ctx, row.id, row.version + 1, date(2026, 3, 22))
    assert "is in the past" in defer(ctx, row.id, row.version + 1, date(2026, 3, 2))


def test_reassign_to_a_contact_or_a_person_of_our_side(book: Book, ctx: Context) -> None:
    row = next(r for r in open_follow_ups(TODAY) if r.what == "Send the plan")
    assert reassign(ctx, row.id, row.version, Owner(contact_id=book.bo)) == "“Send the plan” is now Bo Li's."
    assert _audit("reassign").summary == "Follow-up reassigned to Bo Li: Send the plan"
    with pytest.raises(DomainError, match=r"^The follow-up is already owned by Bo Li\.$"):
        reassign(ctx, row.id, row.version + 1, Owner(contact_id=book.bo))
    with pytest.raises(DomainError, match=r"^Reassign: the owner is not a contact of Acme\.$"):
        reassign(ctx, row.id, row.version + 1, Owner(contact_id=book.gil))
    with pytest.raises(DomainError, match="not in the people directory"):
        reassign(ctx, row.id, row.version + 1, Owner(person_id=9999))
    with pytest.raises(StaleEdit):
        reassign(ctx, row.id, row.version, Owner(person_id=book.maya))
    assert (
        reassign(ctx, row.id, row.version + 1, Owner(person_id=book.maya)) == "“Send the plan” is now Maya Support's."
    )


def test_owner_choices_are_our_people_then_the_customers_contacts(book: Book) -> None:
    names = [(c.name, c.detail) for c in owner_choices(book.acme)]
    assert names[:2] == [("Maya Support", "our side"), ("Omar Other", "our side")]
    assert ("Ana Ruiz", "contact") in names and ("Gil Globex", "contact") not in names


def test_today_lists_follow_ups_due_within_a_week_scoped_by_tam(book: Book, ctx: Context, fixed_now: datetime) -> None:
    from tamdesk.services.today import Section, needs_attention

    add_entry(ctx, book.acme, EntryInput("note", fixed_now, body="Later", follow_ups=[
        FollowUpInput("Renewal prep", date(2026, 4, 20), owner_person_id=book.tess)]))  # fmt: skip
    mine = needs_attention(fixed_now, tam="Tess Tam", today=TODAY)
    assert [r.what for r in mine.follow_ups] == ["Share the logs", "Send the plan"]
    assert mine.counts()[Section.FOLLOW_UPS] == 2 and mine.urgent()[Section.FOLLOW_UPS] == 1
    everyone = needs_attention(fixed_now, tam=None, today=TODAY, sections=[Section.FOLLOW_UPS])
    assert [r.what for r in everyone.follow_ups] == ["Share the logs", "Globex quote", "Send the plan"]
    assert everyone.tickets == () and everyone.follow_ups[0].target == ("timeline", book.acme)
