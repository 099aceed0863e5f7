"""Contract facts and installed versions through the services: saved, refused, audited, locked, listed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.contracts import ContractFacts
from tamdesk.domain.severity import Severity
from tamdesk.domain.versions import Environment
from tamdesk.models import tables as t
from tamdesk.services.base import Context, StaleEdit, ValidationFailed
from tamdesk.services.contracts import get_contract, outside_entitlement, renewals_due, set_contract
from tamdesk.services.customers import CustomerInput, create_customer, set_archived
from tamdesk.services.history import list_audit
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.services.today import Section, needs_attention
from tamdesk.services.versions import installed_versions, production_versions, record_version

TODAY = date(2026, 3, 10)
FACTS = ContractFacts("Premium", date(2026, 1, 1), date(2026, 12, 31), date(2026, 6, 5), 12_000_050, "eur", " Ent ")


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput(name="Acme", time_zone="Pacific/Auckland", country="NZ"))


def test_a_contract_is_saved_cleaned_and_audited(acme: int, ctx: Context) -> None:
    assert get_contract(acme, TODAY).version == 0
    assert get_contract(acme, TODAY).facts == ContractFacts()
    version = set_contract(ctx, acme, 0, FACTS)
    view = get_contract(acme, TODAY)
    assert (view.version, view.facts.currency, view.facts.edition, view.facts.arr_cents) == (
        version,
        "EUR",
        "Ent",
        12_000_050,
    )
    assert view.warning is not None and view.warning.text == "Renewal in 87 days (5 Jun 2026)"
    set_contract(
        ctx,
        acme,
        version,
        replace(FACTS, renewal_on=date(2026, 12, 1), currency="EUR", edition="Ent"),
    )
    summaries = [e.summary for e in list_audit(acme)]
    assert "Contract of Acme changed: renewal" in summaries
    assert "Contract of Acme recorded" in summaries


def test_a_renewal_before_the_start_is_refused_and_nothing_is_written(acme: int, ctx: Context) -> None:
    bad = ContractFacts(entitlement_start=date(2026, 2, 1), renewal_on=date(2026, 1, 31))
    with pytest.raises(ValidationFailed) as info:
        set_contract(ctx, acme, 0, bad)
    assert info.value.errors == {"renewal_on": "Renewal 31 Jan 2026 is before the entitlement start 1 Feb 2026."}
    assert t.Contract.select().count() == 0


def test_a_stale_edit_is_refused(acme: int, ctx: Context) -> None:
    version = set_contract(ctx, acme, 0, FACTS)
    set_contract(ctx, acme, version, ContractFacts(support_tier="Standard"))
    with pytest.raises(StaleEdit):
        set_contract(ctx, acme, version, ContractFacts(support_tier="Premium"))
    with pytest.raises(StaleEdit):
        set_contract(ctx, acme, 0, ContractFacts(support_tier="Premium"))  # someone else created it meanwhile
    assert get_contract(acme, TODAY).facts.support_tier == "Standard"


def test_renewals_due_within_120_days_of_customers_not_archived(acme: int, ctx: Context) -> None:
    globex = create_customer(ctx, CustomerInput(name="Globex"))
    initech = create_customer(ctx, CustomerInput(name="Initech"))
    set_contract(ctx, acme, 0, ContractFacts(renewal_on=TODAY + timedelta(days=88)))
    set_contract(ctx, globex, 0, ContractFacts(renewal_on=TODAY + timedelta(days=121)))
    set_contract(ctx, initech, 0, ContractFacts(renewal_on=TODAY + timedelta(days=30)))
    assert [(r.customer, r.warning.threshold) for r in renewals_due(TODAY)] == [("Initech", 60), ("Acme", 90)]
    assert [r.customer for r in renewals_due(TODAY, [acme])] == ["Acme"]
    set_archived(ctx, initech, t.Customer.get_by_id(initech).version, True)
    assert [r.customer for r in renewals_due(TODAY)] == ["Acme"]


def test_today_warns_of_renewals_of_the_customers_in_scope(acme: int, ctx: Context, fixed_now: datetime) -> None:
    globex = create_customer(ctx, CustomerInput(name="Globex", tam="Omar Other"))
    today = fixed_now.astimezone().date()
    set_contract(ctx, acme, 0, ContractFacts(renewal_on=today + timedelta(days=88)))
    set_contract(ctx, globex, 0, ContractFacts(renewal_on=today + timedelta(days=45)))
    items = needs_attention(fixed_now, tam=None, today=today)
    assert [(a.customer, a.headline.split(" (")[0], a.urgent, a.target) for a in items.accounts] == [
        ("Globex", "Renewal in 45 days", True, ("contract", globex)),
        ("Acme", "Renewal in 88 days", False, ("contract", acme)),
    ]
    assert items.urgent()[Section.ACCOUNTS] == 1
    assert [a.customer for a in needs_attention(fixed_now, tam="Omar Other", today=today).accounts] == ["Globex"]


def test_a_ticket_opened_outside_the_entitlement_is_flagged_by_the_customers_day(acme: int, ctx: Context) -> None:
    # 31 Dec 2025 12:00 UTC is already 1 Jan 2026 in Auckland: within an entitlement starting 1 Jan
    inside = create_ticket(ctx, TicketInput("SUP-1", acme, "A", Severity.LOW, datetime(2025, 12, 31, 12, tzinfo=UTC)))
    before = create_ticket(ctx, TicketInput("SUP-2", acme, "B", Severity.LOW, datetime(2025, 12, 31, 9, tzinfo=UTC)))
    assert outside_entitlement(before) == "", "no contract: nothing to say"
    set_contract(ctx, acme, 0, ContractFacts(entitlement_start=date(2026, 1, 1), entitlement_end=date(2026, 3, 1)))
    assert outside_entitlement(inside) == ""
    assert outside_entitlement(before) == "Opened 31 Dec 2025, before the entitlement starts on 1 Jan 2026"
    after = create_ticket(ctx, TicketInput("SUP-3", acme, "C", Severity.LOW, datetime(2026, 3, 2, tzinfo=UTC)))
    assert outside_entitlement(after) == "Opened 2 Mar 2026, after the entitlement ended on 1 Mar 2026"


def test_versions_keep_their_history_and_the_latest_since_is_current(acme: int, ctx: Context) -> None:
    record_version(ctx, acme, "", "436-e.9", "production", date(2026, 1, 5))
    record_version(ctx, acme, "", "437-E.1", "Production", date(2026, 3, 1))
    record_version(ctx, acme, "", "436-e.2", "production", date(2025, 11, 1))  # an older one, recorded late
    record_version(ctx, acme, "", "437-e.2", "staging", date(2026, 3, 2))
    rows = installed_versions(acme)
    assert [(r.version, r.environment, r.current) for r in rows] == [
        ("437-e.1", Environment.PRODUCTION, True),
        ("437-e.2", Environment.STAGING, True),
        ("436-e.9", Environment.PRODUCTION, False),
        ("436-e.2", Environment.PRODUCTION, False),
    ]
    assert production_versions([acme]) == {(acme, ""): "437-e.1"}
    with pytest.raises(ValidationFailed, match="436-e.9 in production since 2026-01-05 is already recorded."):
        record_version(ctx, acme, "", "436-E.9", "production", date(2026, 1, 5))
    assert len(installed_versions(acme)) == 4
    assert "Version 437-e.1 in production since 2026-03-01" in [e.summary for e in list_audit(acme)]


@pytest.mark.parametrize(
    ("product", "version", "environment", "since", "field", "message"),
    [
        (
            "",
            "4.x",
            "production",
            TODAY,
            "version",
            "'4.x' is not a version: versions look like 437, 437.2 or 436-e.9",
        ),
        ("", "437", "prod", TODAY, "environment", "Environment 'prod' is not production or staging."),
        (
            "",
            "437",
            "staging",
            TODAY + timedelta(days=1),
            "since",
            "Since 2026-03-11 is in the future (today is 2026-03-10).",
        ),
        ("x" * 61, "437", "staging", TODAY, "product", "is longer than 60 characters"),
    ],
)
def test_a_bad_version_record_is_refused_by_field_and_nothing_is_written(
    acme: int, ctx: Context, product: str, version: str, environment: str, since: date, field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as info:
        record_version(ctx, acme, product, version, environment, since)
    assert list(info.value.errors) == [field]
    assert message in info.value.errors[field]
    assert t.InstalledVersion.select().count() == 0
