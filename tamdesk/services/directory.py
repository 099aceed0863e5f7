"""Editing the people directory: add, edit, deactivate people with their role; the default escalation contacts.

Names are unique (ignoring case in any script and repeated spaces) because forms and settings refer to people by
name; they are compared in Python, because SQLite's lower() folds ASCII letters only (``Åsa`` stays ``Åsa``) and
PostgreSQL's follows the server's locale (ASCII only under ``C``). Names and addresses refuse control and
text-direction characters (see ``domain.text``). An email
address is optional (a TAM imported from a customer list may have none) but must be valid when given; it is checked
by email-validator without DNS. The escalation service reads the default support manager and senior director by
name from the settings ``escalation_support_manager`` and ``escalation_senior_director``; renaming such a person
keeps the setting pointing at them, and deactivating them or changing their role clears it.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee as pw
from email_validator import EmailNotValidError, validate_email

from tamdesk.domain.states import PersonRole
from tamdesk.domain.text import case_key, identity_problem, sort_key
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import (
    Context,
    DomainError,
    FieldError,
    NotFound,
    ValidationFailed,
    record_audit,
    save_versioned,
    tuples,
)
from tamdesk.services.settings import get_setting, set_setting

MAX_NAME_LENGTH = 120
ESCALATION_ROLES = (PersonRole.SUPPORT_MANAGER, PersonRole.SENIOR_DIRECTOR)
"""The roles an escalation names by default; each has a setting ``escalation_<role>`` holding a person's name."""


@dataclass(frozen=True)
class PersonInput:
    """What the person form hands to the service."""

    name: str
    email: str = ""
    role: PersonRole | str = PersonRole.TAM


@dataclass(frozen=True)
class DirectoryEntry:
    """One person of the directory as the Settings list shows it."""

    id: int
    version: int
    name: str
    email: str
    role: PersonRole
    active: bool
    customers: int  # customers whose TAM this person is


@dataclass(frozen=True)
class EscalationContacts:
    """The people escalations name by default (None: the first active person of the role is used)."""

    support_manager: str | None
    senior_director: str | None


def escalation_setting(role: PersonRole) -> str:
    """The setting key holding the default person for ``role``: ``escalation_support_manager``."""
    return f"escalation_{role.value}"


# -- reading ---------------------------------------------------------------------------------------------------


def list_directory(*, include_inactive: bool = True) -> list[DirectoryEntry]:
    """Everyone in the directory, active people first, then by name."""
    query_counts = (
        t.Customer.select(t.Customer.tam, pw.fn.count(t.Customer.id))
        .where(t.Customer.tam.is_null(False) & ~t.Customer.archived)
        .group_by(t.Customer.tam)
        .tuples()
    )
    counts: dict[int, int] = {int(tam): int(n) for tam, n in query_counts}  # type: ignore[misc,has-type]
    query = t.Person.select()
    if not include_inactive:
        query = query.where(t.Person.active)
    rows = [
        DirectoryEntry(p.id, p.version, p.name, p.email, PersonRole(p.role), p.active, counts.get(p.id, 0))
        for p in query
    ]
    return sorted(rows, key=lambda r: (not r.active, sort_key(r.name), r.name))


def get_person(person_id: int) -> DirectoryEntry:
    """One person of the directory.

    Raises:
        NotFound: nobody has this id (any more).
    """
    p = _get(person_id)
    customers = t.Customer.select().where((t.Customer.tam == p.id) & ~t.Customer.archived).count()
    return DirectoryEntry(p.id, p.version, p.name, p.email, PersonRole(p.role), p.active, customers)


def people_named(name: str) -> list[t.Person]:
    """The people whose name is ``name`` but for case (``Åsa``, ``ÅSA``, ``åsa``) and spacing, exact spelling first
    (two such names saved before this rule may both exist)."""
    wanted, exact = case_key(name), " ".join(name.split())
    rows = [(int(pid), str(stored)) for pid, stored in tuples(t.Person.select(t.Person.id, t.Person.name))]
    found = [pid for pid, stored in rows if stored == exact] + [
        pid for pid, stored in rows if stored != exact and case_key(stored) == wanted
    ]
    return [t.Person.get_by_id(pid) for pid in found]


def person_named(name: str) -> t.Person | None:
    """The person ``people_named`` finds first, or None."""
    found = people_named(name)
    return found[0] if found else None


def escalation_contacts() -> EscalationContacts:
    """The default support manager and senior director, as stored in Settings."""
    return EscalationContacts(
        support_manager=get_setting(escalation_setting(PersonRole.SUPPORT_MANAGER)) or None,
        senior_director=get_setting(escalation_setting(PersonRole.SENIOR_DIRECTOR)) or None,
    )


# -- validation ------------------------------------------------------------------------------------------------


def _clean(data: PersonInput, person_id: int | None) -> tuple[str, str, PersonRole]:
    """The tidied name, email and role.

    Raises:
        ValidationFailed: naming every bad field.
    """
    errors: dict[str, str] = {}
    name = " ".join(data.name.split())
    if refused := identity_problem("Name", data.name):
        errors["name"] = refused
    elif not name:
        errors["name"] = "Enter the person's full name."
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = f"A name can have at most {MAX_NAME_LENGTH} characters (this one has {len(name)})."
    else:
        clash = next((p for p in people_named(name) if p.id != person_id), None)
        if clash is not None:
            state = "" if clash.active else " (inactive)"
            errors["name"] = f"{clash.name}{state} is already in the directory; use another name or edit that entry."
    email = data.email.strip()
    if refused := identity_problem("Email", data.email, address=True):
        errors["email"] = refused
    elif email:
        try:
            valid = validate_email(email, check_deliverability=False)
        except EmailNotValidError as exc:
            errors["email"] = f"'{email}' is not a valid email address: {exc}"
        else:
            email = valid.normalized
    role: PersonRole | None = None
    try:
        role = PersonRole.parse(data.role)  # type: ignore[assignment]
    except ValueError:
        errors["role"] = f"'{data.role}' is not a role of the directory."
    if errors:
        raise ValidationFailed(errors)
    assert role is not None
    return name, email, role


def _get(person_id: int) -> t.Person:
    row = t.Person.get_or_none(t.Person.id == person_id)
    if row is None:
        raise NotFound(f"Person #{person_id} is no longer in the directory.")
    return row


# -- editing ---------------------------------------------------------------------------------------------------


def add_person(ctx: Context, data: PersonInput) -> int:
    """Add someone to the directory; returns the new id.

    Raises:
        ValidationFailed: empty or duplicate name, invalid email, unknown role.
    """
    with database.atomic():
        name, email, role = _clean(data, None)
        row = t.Person.create(name=name, email=email, role=role.value)
        record_audit(
            ctx,
            entity="person",
            entity_id=row.id,
            action="create",
            summary=f"{name} added to the directory as {role.label}",
            after={"name": name, "email": email, "role": role},
        )
        return int(row.id)


def update_person(ctx: Context, person_id: int, expected_version: int, data: PersonInput) -> None:
    """Save an edit of a person; a renamed default escalation contact stays the default.

    Raises:
        ValidationFailed, StaleEdit, NotFound.
    """
    with database.atomic():
        row = _get(person_id)
        name, email, role = _clean(data, person_id)
        before = {"name": row.name, "email": row.email, "role": row.role}
        after = {"name": name, "email": email, "role": role.value}
        changes = {k: v for k, v in after.items() if before[k] != v}
        if not changes:
            return
        old_name, old_role = row.name, PersonRole(row.role)
        save_versioned(row, expected_version, changes)
        record_audit(
            ctx,
            entity="person",
            entity_id=row.id,
            action="update",
            summary=f"Directory entry of {name} changed",
            before={k: before[k] for k in changes},
            after=changes,
        )
        _follow_contact(ctx, old_name, old_role, name if row.active and role is old_role else None)


def set_active(ctx: Context, person_id: int, expected_version: int, active: bool) -> None:
    """Deactivate someone who left (they stay in history and on past records), or bring them back.

    Raises:
        StaleEdit, NotFound.
    """
    with database.atomic():
        row = _get(person_id)
        if row.active == active:
            return
        save_versioned(row, expected_version, {"active": active})
        record_audit(
            ctx,
            entity="person",
            entity_id=row.id,
            action="activate" if active else "deactivate",
            summary=f"{row.name} {'reactivated' if active else 'deactivated'} in the directory",
            before={"active": not active},
            after={"active": active},
        )
        if not active:
            _follow_contact(ctx, row.name, PersonRole(row.role), None)


def _follow_contact(ctx: Context, old_name: str, role: PersonRole, new_name: str | None) -> None:
    """Keep a default escalation contact pointing at the person it named: renamed, or cleared when gone."""
    if role not in ESCALATION_ROLES:
        return
    key = escalation_setting(role)
    if get_setting(key) == old_name and new_name != old_name:
        set_setting(ctx, key, new_name or "")


def set_escalation_contact(ctx: Context, role: PersonRole, name: str | None) -> None:
    """Choose the person escalations name by default for ``role``; None or "" clears the choice.

    Raises:
        DomainError: ``role`` is not one escalations name.
        FieldError: (field ``role.value``) ``name`` is not an active person of that role.
    """
    if role not in ESCALATION_ROLES:
        raise DomainError(f"Escalations do not name a default {role.label.lower()}.")
    chosen = (name or "").strip()
    if chosen:
        person = person_named(chosen)
        if person is None or not person.active or person.role != role.value:
            raise FieldError(role.value, f"{chosen} is not an active {role.label.lower()} in the directory.")
        chosen = person.name
    set_setting(ctx, escalation_setting(role), chosen)
