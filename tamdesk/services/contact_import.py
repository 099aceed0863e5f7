"""Contacts from a CRM's export (.csv/.xlsx): Salesforce, HubSpot, Gainsight or tamdesk's own columns, detected
from the header row; all or nothing.

Each row's customer is matched as the ticket imports match theirs (``services.customer_match``: names and aliases,
else the address's domain). A row whose mailbox (else, without an address, whose name) is already a contact of that
customer updates it — blank cells keep what tamdesk has — so importing the same file again changes nothing. Any bad
row, or a customer that matches nothing, and nothing is saved: every problem is listed with its row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tamdesk.domain.contact_sources import (
    CUSTOMER,
    EMAIL,
    FIRST_NAME,
    FULL_NAME,
    INFLUENCE,
    LAST_NAME,
    PHONE,
    PRESETS,
    ROLE,
    TITLE,
    ContactSource,
    detect_contact_source,
    role_for,
)
from tamdesk.domain.contacts import ContactRole, Influence, safe_key
from tamdesk.domain.names import name_key
from tamdesk.domain.text import case_key, collapse_spaces, strip_spaces, visible
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, ValidationFailed
from tamdesk.services.contacts import ContactInput, add_contact, edit_contact
from tamdesk.services.customer_match import (
    CustomerChoices,
    CustomerIndex,
    check_mapped,
    customer_index,
    email_domain,
    remember_alias,
)
from tamdesk.services.tabular import ImportFailed, read_table

_FIELD_LABELS = {
    "full_name": "Name",
    "email": "Email",
    "title": "Title",
    "phone": "Phone",
    "role": "Role",
    "influence": "Influence",
    "notes": "Notes",
}


@dataclass(frozen=True)
class ContactImportSummary:
    """What an import did."""

    source: ContactSource
    created: int
    updated: int
    unchanged: int
    other_roles: Mapping[str, int] = field(default_factory=dict)  # a CRM's role tamdesk has no word for → rows
    aliases: Mapping[str, str] = field(default_factory=dict)  # a company name mapped → the customer it names now

    @property
    def summary(self) -> str:
        """``Salesforce contact report: 3 contacts added, 1 updated, 2 unchanged.``"""
        parts = [f"{self.created} contact{'s' if self.created != 1 else ''} added", f"{self.updated} updated"]
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        text = f"{self.source.label}: {', '.join(parts)}."
        for alias, customer in sorted(self.aliases.items()):
            text += f" {visible(alias)!r} is now another name of {customer}."
        if self.other_roles:
            roles = ", ".join(f"{visible(r)!r} ({n})" for r, n in sorted(self.other_roles.items()))
            text += f" Roles read as Other: {roles}."
        return text


@dataclass(frozen=True)
class _Row:
    line: int
    customer_id: int
    data: ContactInput
    role_given: bool


def import_contacts(
    ctx: Context, path: str | Path, encoding: str | None = None, mapped: Mapping[str, str] | None = None
) -> ContactImportSummary:
    """Add or update the contacts of a file, all or nothing.

    ``mapped`` says which customer a company name that matches none means (export name → customer name); the
    name is remembered as another name of that customer, so the next export matches by itself.

    Raises:
        ImportFailed: the file is unreadable or of no known kind, or rows are bad (every one listed); nothing was
            changed.
    """
    source_name = Path(path).name
    table = read_table(path, encoding=encoding)
    detection = detect_contact_source(table.headers)
    if detection.source is None:
        raise ImportFailed(source_name, [f"this is not a contact export tamdesk knows: {detection.describe()}"])
    source = detection.source
    columns = PRESETS[source].columns(table.headers)
    index = customer_index()
    mapped_problems = check_mapped(index, CustomerChoices(mapped=dict(mapped or {})))
    if mapped_problems:
        raise ImportFailed(source_name, mapped_problems)
    rows, problems, other_roles, aliases = _parse(table.rows, source, columns, index, mapped or {})
    created = updated = unchanged = 0
    # the good rows are applied even when others are bad, to find every problem; then all is rolled back
    with database.atomic():
        for alias, customer_id in aliases.items():
            remember_alias(ctx, customer_id, alias)
        for row in rows:
            try:
                outcome = _apply(ctx, row)
            except ValidationFailed as exc:
                problems += [
                    (row.line, f"row {row.line}, {_FIELD_LABELS.get(k, k)}: {m.rstrip('.')}")
                    for k, m in exc.errors.items()
                ]
                continue
            created += outcome == "created"
            updated += outcome == "updated"
            unchanged += outcome == "unchanged"
        if problems:
            raise ImportFailed(source_name, [text for _, text in sorted(problems, key=lambda p: p[0])])
    named = {alias: index.names[customer_id] for alias, customer_id in aliases.items()}
    return ContactImportSummary(source, created, updated, unchanged, other_roles, named)


def _parse(
    rows: tuple[tuple[int, dict[str, Any]], ...],
    source: ContactSource,
    columns: Mapping[str, str],
    index: CustomerIndex,
    mapped: Mapping[str, str],
) -> tuple[list[_Row], list[tuple[int, str]], dict[str, int], dict[str, int]]:
    """The rows as inputs, with their customers; every problem found without touching the database; the company
    names ``mapped`` resolved (name → customer id)."""
    targets = {name_key(name): index.named(customer) for name, customer in mapped.items()}
    aliases: dict[str, int] = {}
    parsed: list[_Row] = []
    problems: list[tuple[int, str]] = []
    unmatched: dict[str, list[int]] = {}
    other_roles: dict[str, int] = {}
    seen: dict[tuple[int, str], int] = {}
    customer_label = PRESETS[source].headers[CUSTOMER][0]

    def cell(row: Mapping[str, Any], name: str) -> str:
        key = columns.get(name)
        value = row.get(key) if key else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a phone number typed into a spreadsheet
        return "" if value is None else strip_spaces(str(value))

    for line, row in rows:
        name = collapse_spaces(cell(row, FULL_NAME) or f"{cell(row, FIRST_NAME)} {cell(row, LAST_NAME)}")
        email = cell(row, EMAIL)
        company = collapse_spaces(cell(row, CUSTOMER))
        if not name:
            problems.append((line, f"row {line}: no name (the name columns are empty)"))
            continue
        customer_id = index.match(company, email_domain(email))
        if customer_id is None and company and (customer_id := targets.get(name_key(company))) is not None:
            aliases.setdefault(company, customer_id)
        if customer_id is None:
            unmatched.setdefault(company, []).append(line)
            continue
        role_text = cell(row, ROLE)
        role = role_for(source, role_text)
        if role is None:
            allowed = ", ".join(r.label.lower() for r in ContactRole)
            problems.append((line, f"row {line}: Role '{visible(role_text)}' is not one of {allowed}"))
            continue
        if role is ContactRole.OTHER and role_text and case_key(role_text) != "other":
            other_roles[role_text] = other_roles.get(role_text, 0) + 1
        influence = cell(row, INFLUENCE)
        if influence:
            try:
                Influence.parse(influence)
            except ValueError as exc:
                problems.append((line, f"row {line}: Influence {exc}"))
                continue
        key = (customer_id, safe_key(email) or f"name:{case_key(name)}")
        if key in seen:
            what = f"Email {visible(email)} is the same mailbox as" if email else f"Name '{visible(name)}' is also in"
            problems.append((line, f"row {line}: {what} row {seen[key]} for {index.names[customer_id]}"))
            continue
        seen[key] = line
        data = ContactInput(name, email, cell(row, TITLE), role, influence or None, cell(row, PHONE))
        parsed.append(_Row(line, customer_id, data, bool(role_text)))
    for company, lines in unmatched.items():
        where = f"row {lines[0]}" if len(lines) == 1 else f"rows {', '.join(map(str, lines))}"
        if company:
            text = (
                f"{where}: {customer_label} '{visible(company)}' matches no customer; add the customer, or add "
                f"'{visible(company)}' to its other names, and import again"
            )
        else:
            text = f"{where}: no {customer_label}, and the email domain matches no customer"
        problems.append((lines[0], text))
    return parsed, problems, other_roles, aliases


def _apply(ctx: Context, row: _Row) -> str:
    """Add the row's contact, or update the one it matches: ``created``, ``updated`` or ``unchanged``."""
    existing = _match(row)
    if existing is None:
        add_contact(ctx, row.customer_id, row.data)
        return "created"
    data = row.data
    merged = replace(
        data,
        full_name=data.full_name or existing.full_name,
        email=data.email or existing.email,
        title=data.title or existing.title,
        phone=data.phone or existing.phone,
        role=data.role if row.role_given else existing.role,
        influence=data.influence or existing.influence or None,
        notes=existing.notes,
    )
    return "updated" if edit_contact(ctx, existing.id, existing.version, merged) else "unchanged"


def _match(row: _Row) -> t.Contact | None:
    """The customer's contact with the row's mailbox; without an address, the one with its name."""
    mine = t.Contact.customer == row.customer_id
    if key := safe_key(row.data.email):
        return t.Contact.select().where(mine & (t.Contact.mailbox_key == key)).order_by(t.Contact.id).first()
    if row.data.email:
        return None  # an invalid address: the rules name it when the contact is added
    wanted = case_key(row.data.full_name)
    return next(
        (c for c in t.Contact.select().where(mine).order_by(t.Contact.id) if case_key(c.full_name) == wanted), None
    )
