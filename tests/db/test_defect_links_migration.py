"""Schema v3's backfill of defect links, on both engines: its SQL must be portable (the v1 and v2 fixtures cover
SQLite files; this runs the same step on whatever database the tests use, PostgreSQL included)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from tamdesk.domain.severity import Severity
from tamdesk.models import tables as t
from tamdesk.models.migrations import _v3_defect_links
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import link_ticket, report_defect
from tamdesk.services.tickets import TicketInput, create_ticket


def test_undated_links_get_the_later_of_report_and_ticket_opening(
    db_path: Path, ctx: Context, fixed_now: datetime
) -> None:
    acme = create_customer(ctx, CustomerInput(name="Acme"))
    old = create_ticket(ctx, TicketInput("T-1", acme, "Crash", Severity.HIGH, fixed_now - timedelta(days=9)))
    new = create_ticket(ctx, TicketInput("T-2", acme, "Crash", Severity.HIGH, fixed_now - timedelta(days=2)))
    did = report_defect(Context(clock=lambda: fixed_now - timedelta(days=5)), old, "Crash")
    link_ticket(ctx, did, new)
    t.DefectTicket.update(linked_at=None).execute()  # as a v2 database has them

    _v3_defect_links(t.DefectTicket._meta.database)
    _v3_defect_links(t.DefectTicket._meta.database)  # a second run changes nothing

    linked = {link.ticket_id: link.linked_at for link in t.DefectTicket.select()}
    assert linked == {old: fixed_now - timedelta(days=5), new: fixed_now - timedelta(days=2)}
