"""Sample data for the account beyond its tickets (services.demo_accounts, written by generate_demo)."""

from __future__ import annotations

from datetime import datetime

from tamdesk.domain.contacts import ContactRole
from tamdesk.domain.versions import parse_version
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.demo import generate_demo
from tamdesk.services.today import Section, needs_attention
from tamdesk.services.versions import production_versions


def test_every_account_feature_has_something_to_show(db_path: object, fixed_now: datetime) -> None:
    ctx = Context(actor="tamdesk demo", clock=lambda: fixed_now)
    generate_demo(ctx, customers=40, tickets=600)
    customers = t.Customer.select().where(~t.Customer.archived).count()

    # one contract per customer, renewing after its entitlement starts
    contracts = list(t.Contract.select())
    assert len(contracts) == customers
    assert all(c.entitlement_start < c.renewal_on for c in contracts)

    # every seat holder still seated is a contact linked to their seat, not a copy of a different person
    seated = {s.id: s.email for s in t.PortalSeat.select().where(t.PortalSeat.status != "revoked")}
    linked = {c.seat_id: c.email for c in t.Contact.select().where(t.Contact.seat.is_null(False))}
    assert linked == seated
    roles = {c.role for c in t.Contact.select()}
    assert {r.value for r in ContactRole} - {"other"} <= roles

    # production versions all parse under the product's scheme, with history
    for row in t.InstalledVersion.select():
        parse_version(row.version)
    assert t.InstalledVersion.select().count() > 2 * customers

    # attendees are contacts of the entry's own customer
    for attendee in t.TimelineAttendee.select().where(t.TimelineAttendee.contact.is_null(False)):
        assert attendee.contact.customer_id == attendee.entry.customer_id

    items = needs_attention(fixed_now, tam=None)
    shown = {section for section in Section if items.rows(section)}
    assert {Section.FOLLOW_UPS, Section.ACCOUNTS} <= shown
    ids = [c.id for c in t.Customer.select()]
    assert len(production_versions(ids)) == customers  # every customer runs something in production


def test_the_same_seed_gives_the_same_accounts(db_path: object, fixed_now: datetime) -> None:
    ctx = Context(actor="tamdesk demo", clock=lambda: fixed_now)

    def snapshot() -> list[tuple[object, ...]]:
        return [
            *((c.full_name, c.email, c.role) for c in t.Contact.select().order_by(t.Contact.id)),
            *((e.kind, e.at, e.title) for e in t.TimelineEntry.select().order_by(t.TimelineEntry.id)),
            *((v.version, v.environment, v.since) for v in t.InstalledVersion.select().order_by(t.InstalledVersion.id)),
        ]

    generate_demo(ctx, customers=12, tickets=200)
    first = snapshot()
    generate_demo(ctx, customers=12, tickets=200, force=True)
    assert snapshot() == first
