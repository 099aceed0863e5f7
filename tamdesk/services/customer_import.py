"""Customers from a file: upsert by name from .csv/.xlsx, all or nothing (the file readers load only here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from tamdesk.domain.text import case_key, collapse_spaces, strip_spaces, visible
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, ValidationFailed
from tamdesk.services.customer_aliases import aliases_of, split_aliases
from tamdesk.services.customers import CustomerInput, create_customer, customer_named, update_customer
from tamdesk.services.tabular import ImportFailed, read_table


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int

    @property
    def summary(self) -> str:
        return f"Imported customers: {self.created} created, {self.updated} updated, {self.unchanged} unchanged."


def import_customers(ctx: Context, path: str | Path, encoding: str | None = None) -> ImportSummary:
    """Upsert customers by name from .csv/.xlsx (Name, Email domains, Time zone, Country, TAM, Also known as);
    all or nothing. Names under Also known as are added to a customer's, never put in place of them.

    Raises:
        ImportFailed: lists every bad row; nothing was changed.
    """
    table = read_table(path, encoding=encoding)
    source = Path(path).name
    table.require(source, "Name")
    parsed: list[tuple[int, CustomerInput]] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, row in table.rows:
        # controls and separators stay in, for the rules to refuse them (split() would make them spaces)
        name = collapse_spaces(str(row.get("name") or ""))
        if case_key(name) in seen:
            problems.append(f"row {line}: Name '{visible(name)}' also appears in row {seen[case_key(name)]}")
            continue
        seen[case_key(name)] = line
        parsed.append((line, _row_input(row, name)))
    created = updated = unchanged = 0
    with database.atomic():
        for line, data in parsed:
            existing = customer_named(data.name)
            try:
                if existing is None:
                    create_customer(ctx, data)
                    created += 1
                else:
                    merged = replace(
                        data,
                        name=existing.name,
                        sla_policy=existing.sla_policy.name,
                        seat_allowance=existing.seat_allowance,
                        onboarding_started=existing.onboarding_started,
                        notes=existing.notes,
                        # the file's other names are added to those the customer has, never put in their place
                        aliases=None
                        if data.aliases is None
                        else (*aliases_of(existing.id), *split_aliases(data.aliases)),
                    )
                    version = existing.version
                    update_customer(ctx, existing.id, version, merged)
                    changed = t.Customer.get_by_id(existing.id).version != version
                    updated += changed
                    unchanged += not changed
            except ValidationFailed as exc:
                problems.extend(f"row {line}: {message}" for message in exc.errors.values())
        if problems:
            raise ImportFailed(source, problems)  # rolls the whole import back
    return ImportSummary(created, updated, unchanged)


def _row_input(row: Mapping[str, object], name: str) -> CustomerInput:
    def text(key: str) -> str:
        value = row.get(key)
        return "" if value is None else strip_spaces(str(value))

    return CustomerInput(
        name=name,
        time_zone=text("timezone") or "UTC",
        country=text("country"),
        email_domains=text("emaildomains") or text("domains"),
        tam=text("tam"),
        aliases=text("alsoknownas") or text("aliases") or None,
    )
