"""The audit trail across the database, on SQLite and PostgreSQL: every filter, paging and before/after values."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.models import tables as t
from tamdesk.services.audit import (
    AuditRow,
    FieldChange,
    audit_actors,
    audit_choices,
    audit_entities,
    entity_label,
    field_changes,
    list_audit,
)
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer, get_customer, update_customer


@pytest.fixture
def trail(db_path: Path, fixed_now: datetime) -> dict[str, int]:
    """Changes by two people over three days: Acme created and renamed, Globex created, a setting changed."""
    tess = Context(actor="Tess Tam", clock=lambda: fixed_now - timedelta(days=2))
    omar = Context(actor="Omar Ops", clock=lambda: fixed_now - timedelta(days=1))
    acme = create_customer(tess, CustomerInput(name="Acme", email_domains=["acme.com"]))
    globex = create_customer(omar, CustomerInput(name="Globex 100% Corp", email_domains=["globex.com"]))
    now = Context(actor="Tess Tam", clock=lambda: fixed_now)
    update_customer(
        now, acme, get_customer(acme).version, CustomerInput(name="Acme Europe", email_domains=["acme.com"])
    )
    t.AuditEntry.create(
        at=fixed_now, actor="Omar Ops", entity="setting", action="set", summary="Role addresses: added ops@",
        before='{"role_addresses": ["support"]}', after='{"role_addresses": ["support", "ops"]}',
    )  # fmt: skip
    return {"acme": acme, "globex": globex}


def _summaries(rows: list[AuditRow]) -> list[str]:
    return [row.summary for row in rows]


def test_newest_first_with_customer(trail: dict[str, int]) -> None:
    rows = list_audit()
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)
    assert rows[0].entity == "setting" and rows[0].customer == "" and rows[0].customer_id is None
    renamed = next(r for r in rows if r.entity == "customer" and r.action == "update")
    assert (renamed.customer_id, renamed.customer, renamed.actor) == (trail["acme"], "Acme Europe", "Tess Tam")
    assert renamed.before["name"] == "Acme" and renamed.after["name"] == "Acme Europe"


FILTERS = [
    ("text in summary", {"text": "role addresses"}, {"setting"}),
    ("text in values after", {"text": "ACME EUROPE"}, {"customer"}),
    ("text in values before, not after", {"text": '"support"]'}, {"setting"}),
    ("percent is literal", {"text": "100%"}, {"customer"}),
    ("underscore is literal", {"text": "role_addresses"}, {"setting"}),
    ("underscore is no wildcard", {"text": "100_ Corp"}, set()),
    ("percent is no wildcard", {"text": "Acme%Europe"}, set()),
    ("escape character is literal", {"text": "!%"}, set()),
    ("regex is literal", {"text": ".*"}, set()),
    ("quote and SQL", {"text": "'; DROP TABLE audit_entry; --"}, set()),
    ("entity", {"entity": "setting"}, {"setting"}),
    ("actor", {"actor": "Omar Ops", "entity": "customer"}, {"customer"}),
]


@pytest.mark.parametrize(("case", "filters", "entities"), FILTERS, ids=[f[0] for f in FILTERS])
def test_filters(trail: dict[str, int], case: str, filters: dict[str, str], entities: set[str]) -> None:
    rows = list_audit(**filters)  # type: ignore[arg-type]
    assert {r.entity for r in rows} == entities, case
    if "actor" in filters:
        assert {r.actor for r in rows} == {filters["actor"]}
    assert t.AuditEntry.select().count() > 0


def test_date_range_is_since_inclusive_until_exclusive(trail: dict[str, int], fixed_now: datetime) -> None:
    day_before = fixed_now - timedelta(days=1)
    rows = list_audit(since=day_before, until=fixed_now)
    assert {r.at for r in rows} == {day_before}
    assert {r.actor for r in rows} == {"Omar Ops"}
    assert all(r.at >= fixed_now for r in list_audit(since=fixed_now))


def test_customer_filter(trail: dict[str, int]) -> None:
    rows = list_audit(customer_id=trail["globex"])
    assert rows and {r.customer_id for r in rows} == {trail["globex"]}


def test_paging(trail: dict[str, int]) -> None:
    everything = list_audit()
    pages = [list_audit(limit=2, offset=offset) for offset in range(0, len(everything), 2)]
    assert [r.id for page in pages for r in page] == [r.id for r in everything]
    assert list_audit(limit=2, offset=len(everything)) == []


def test_ten_thousand_characters(trail: dict[str, int]) -> None:
    assert list_audit(text="x" * 10_000) == []
    assert _summaries(list_audit(text="Role addresses: added ops@" + " " * 10_000)) == ["Role addresses: added ops@"]


def test_filter_choices(trail: dict[str, int]) -> None:
    assert audit_actors() == ["Omar Ops", "Tess Tam"]
    entities = audit_entities()
    assert {"customer", "setting"} <= set(entities)
    assert [entity_label(e) for e in entities] == sorted((entity_label(e) for e in entities), key=str.casefold)
    assert entity_label("sla_policy") == "SLA policy"
    assert entity_label("portal_seat") == "Portal seat"
    assert entity_label("defect") == "Defect"


def test_field_changes_put_changes_first(trail: dict[str, int], fixed_now: datetime) -> None:
    row = AuditRow(1, fixed_now, "x", "customer", 1, "update", "", {"a": 1, "b": 2, "c": None}, {"a": 1, "b": 3})
    assert field_changes(row) == [FieldChange("b", 2, 3), FieldChange("a", 1, 1), FieldChange("c", None, None)]
    assert [c.changed for c in field_changes(row)] == [True, False, False]


def test_unreadable_values_are_shown_not_hidden(trail: dict[str, int], fixed_now: datetime) -> None:
    t.AuditEntry.create(at=fixed_now, actor="legacy", entity="customer", action="update", summary="old", after="n/a")
    row = list_audit(actor="legacy")[0]
    assert row.after == {"value": "n/a"} and row.before == {}


def test_choices_name_the_customers_with_history(trail: dict[str, int]) -> None:
    choices = audit_choices()
    assert choices.customers == [(trail["acme"], "Acme Europe"), (trail["globex"], "Globex 100% Corp")]
    assert choices.actors == audit_actors() and choices.entities == audit_entities()


def test_nested_values_are_one_field_each(trail: dict[str, int], fixed_now: datetime) -> None:
    before = {"targets": {"1": {"clock": "24x7", "first": 60}}}
    after = {"targets": {"1": {"clock": "24x7", "first": 30}}, "note": "faster"}
    row = AuditRow(1, fixed_now, "x", "sla_policy", 1, "revise", "", before, after)
    assert field_changes(row) == [
        FieldChange("note", None, "faster"),
        FieldChange("targets › 1 › first", 60, 30),
        FieldChange("targets › 1 › clock", "24x7", "24x7"),
    ]
