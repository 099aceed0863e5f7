"""The people directory and the SLA policy names, as the forms that pick them need them."""

from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from tamdesk.domain.states import PersonRole
from tamdesk.domain.text import sort_key
from tamdesk.models import tables as t


@dataclass(frozen=True)
class PersonRow:
    """One person of the directory."""

    id: int
    name: str
    email: str
    role: PersonRole
    active: bool


def list_people(role: PersonRole | str | None = None, *, include_inactive: bool = False) -> list[PersonRow]:
    """People of the directory sorted by name, optionally only those of one role."""
    query = t.Person.select()
    if role is not None:
        query = query.where(t.Person.role == PersonRole(role).value)
    if not include_inactive:
        query = query.where(t.Person.active)
    rows = [PersonRow(p.id, p.name, p.email, PersonRole(p.role), p.active) for p in query]
    # sorted in Python: SQLite's lower() would leave Åsa and Özil after every ASCII name
    return sorted(rows, key=lambda p: (sort_key(p.name), p.name))


def sla_policy_names() -> list[str]:
    """Names of the SLA policies a customer can be assigned, ``Standard`` first."""
    names = [p.name for p in t.SlaPolicy.select(t.SlaPolicy.name).order_by(pw.fn.lower(t.SlaPolicy.name))]
    return sorted(names, key=lambda n: (n != "Standard", n.lower()))
