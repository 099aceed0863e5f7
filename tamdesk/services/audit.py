"""The audit trail across the whole database: filter by text, entity, who, time and customer, one page at a time.

``services.history`` lists one customer's entries; this module serves the History window, which reads them all.
Text matches the summary and the values before and after, case-insensitively, with ``%``, ``_`` and ``!`` taken
literally; the same queries run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import Any

import peewee as pw

from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services import history
from tamdesk.services.search import MAX_QUERY_LENGTH, contains_text

ENTITY_LABELS = {
    "sla_policy": "SLA policy",
    "portal_seat": "Portal seat",
    "onboarding_step": "Onboarding step",
    "onboarding_template": "Onboarding template",
    "ticket_event": "Ticket event",
}


@dataclass(frozen=True)
class AuditRow(history.AuditRow):
    """An audit entry as the History window lists it: the customer's entry fields plus which customer."""

    customer_id: int | None = None
    customer: str = ""


@dataclass(frozen=True)
class FieldChange:
    """One field of an audited change: its value before and after (None when the side did not hold it)."""

    field: str
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return self.before != self.after


def entity_label(entity: str) -> str:
    """``portal_seat`` -> ``Portal seat``; ``sla_policy`` -> ``SLA policy``."""
    return ENTITY_LABELS.get(entity, entity.replace("_", " ").capitalize())


def _load(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"value": text}  # an entry written by hand or an old version: show it rather than hide it
    return value if isinstance(value, dict) else {"value": value}


def _conditions(
    text: str,
    entity: str | None,
    actor: str | None,
    since: datetime | None,
    until: datetime | None,
    customer_id: int | None,
) -> list[pw.Node]:
    entry = t.AuditEntry
    conditions: list[pw.Node] = []
    needle = " ".join(text.split())[:MAX_QUERY_LENGTH]
    if needle:
        conditions.append(contains_text(needle, entry.summary, entry.before, entry.after))
    if entity:
        conditions.append(entry.entity == entity)
    if actor:
        conditions.append(entry.actor == actor)
    if since is not None:
        conditions.append(entry.at >= since)
    if until is not None:
        conditions.append(entry.at < until)
    if customer_id is not None:
        conditions.append(entry.customer == customer_id)
    return conditions


def list_audit(
    *,
    text: str = "",
    entity: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    customer_id: int | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[AuditRow]:
    """One page of audit entries, newest first.

    Args:
        text: found in the summary or the values before or after (case-insensitive, plain text; the first
            ``MAX_QUERY_LENGTH`` characters count).
        entity: only entries about this kind of record (``customer``, ``portal_seat`` … see ``audit_entities``).
        actor: only entries made by this person (see ``audit_actors``).
        since: only entries at or after this moment (timezone-aware).
        until: only entries before this moment (timezone-aware; exclusive, so a day's end is the next midnight).
        customer_id: only entries about this customer's records.
        limit: at most this many entries (a page).
        offset: skip this many entries first (the pages before).
    """
    entry = t.AuditEntry
    query = (
        entry.select(entry, t.Customer.name)
        .join(t.Customer, pw.JOIN.LEFT_OUTER, on=(entry.customer == t.Customer.id))
        .order_by(entry.at.desc(), entry.id.desc())
        .limit(max(0, limit))
        .offset(max(0, offset))
    )
    conditions = _conditions(text, entity, actor, since, until, customer_id)
    if conditions:
        query = query.where(reduce(operator.and_, conditions))
    return [_row(e) for e in query.objects()]


def _row(e: Any) -> AuditRow:
    return AuditRow(
        id=e.id,
        at=e.at,
        actor=e.actor,
        entity=e.entity,
        entity_id=e.entity_id,
        action=e.action,
        summary=e.summary,
        before=_load(e.before),
        after=_load(e.after),
        customer_id=e.customer_id,
        customer=e.name or "",
    )


def audit_entities() -> list[str]:
    """The kinds of record the audit trail holds entries about, for a filter (sorted by their labels)."""
    entities = [str(row[0]) for row in database.execute_sql("SELECT DISTINCT entity FROM audit_entry")]
    return sorted(entities, key=lambda e: entity_label(e).casefold())


def audit_actors() -> list[str]:
    """Everyone who made an audited change, for a filter (sorted by name)."""
    actors = [str(row[0]) for row in database.execute_sql("SELECT DISTINCT actor FROM audit_entry")]
    return sorted(actors, key=str.casefold)


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested values as one level: ``{"targets": {"1": {"clock": "24x7"}}}`` -> ``{"targets › 1 › clock": "24x7"}``."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix} › {key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, name))
        else:
            flat[name] = value
    return flat


def field_changes(row: history.AuditRow) -> list[FieldChange]:
    """The fields of a change side by side (nested values one per line): changed ones first, each in name order."""
    before, after = flatten(row.before), flatten(row.after)
    changes = [FieldChange(name, before.get(name), after.get(name)) for name in sorted(set(before) | set(after))]
    return sorted(changes, key=lambda c: not c.changed)


def audit_customers() -> list[tuple[int, str]]:
    """The customers the audit trail holds entries about, as ``(id, name)`` by name, for a filter."""
    sql = "SELECT DISTINCT c.id, c.name FROM customer c WHERE c.id IN (SELECT customer_id FROM audit_entry)"
    return sorted(((int(cid), str(name)) for cid, name in database.execute_sql(sql)), key=lambda c: c[1].casefold())


@dataclass(frozen=True)
class AuditChoices:
    """What the History window's filters offer."""

    entities: list[str]
    actors: list[str]
    customers: list[tuple[int, str]]


def audit_choices() -> AuditChoices:
    """Every filter choice in one call (meant for a background thread: each reads the whole trail once)."""
    return AuditChoices(audit_entities(), audit_actors(), audit_customers())
