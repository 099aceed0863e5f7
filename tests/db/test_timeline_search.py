"""Search everywhere finds the text of timeline entries (title or body, plain text, any case), on both engines."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.services.base import Context
from tamdesk.services.search import HitKind, entry_customer, search
from tamdesk.services.timeline import EntryInput, add_entry, delete_entry, get_entry
from tests.db.timeline_book import Book, make_book


@pytest.fixture
def book(db_path: Path, ctx: Context, fixed_now: datetime) -> Book:
    return make_book(ctx, fixed_now)


def test_entry_text_is_found_and_names_its_customer(book: Book, ctx: Context, fixed_now: datetime) -> None:
    body = "Discussed the Kafka migration plan.\nÖBB-style rollout, 50% of nodes first."
    meeting = add_entry(
        ctx, book.acme, EntryInput("meeting", fixed_now - timedelta(days=1), "Architecture review", body)
    )
    note = add_entry(ctx, book.globex, EntryInput("note", fixed_now, body="kafka lag seen again"))
    hits = [h for h in search("KAFKA") if h.kind is HitKind.TIMELINE_ENTRY]
    assert [h.id for h in hits] == [note.id, meeting.id]  # newest first within a rank
    assert hits[1].title == "Meeting · Architecture review"
    assert hits[1].subtitle.startswith("Acme · 09 Mar 2026 · Discussed the Kafka migration plan.")
    assert hits[0].title == "Note · kafka lag seen again" and hits[0].customer_id == book.globex
    assert [h.id for h in search("öbb-style") if h.kind is HitKind.TIMELINE_ENTRY] == [meeting.id]
    assert [h.id for h in search("50%") if h.kind is HitKind.TIMELINE_ENTRY] == [meeting.id]
    assert [h.id for h in search("architecture") if h.kind is HitKind.TIMELINE_ENTRY] == [meeting.id]
    assert not [h for h in search("5_%") if h.kind is HitKind.TIMELINE_ENTRY]
    assert HitKind.TIMELINE_ENTRY.label == "Timeline"
    assert entry_customer(meeting.id) == book.acme


def test_a_deleted_entry_is_no_longer_found(book: Book, ctx: Context, fixed_now: datetime) -> None:
    saved = add_entry(ctx, book.acme, EntryInput("call", fixed_now, "Renewal call", "Pricing questions"))
    delete_entry(ctx, saved.id, get_entry(saved.id).version)
    assert not [h for h in search("pricing") if h.kind is HitKind.TIMELINE_ENTRY]
    assert entry_customer(saved.id) is None
