"""Which tamdesk customer an exported ticket belongs to: matched, never duplicated.

A ticket's organization (Zendesk), account (Salesforce) or organization (JSM) matches a customer whose name, or a
name it is also known as (``CustomerAlias``), has the same ``name_key``: case, accents, spacing and punctuation
aside. Failing that, the requester's email domain matches the customer that lists it among its email domains
(a domain two customers list matches neither). What matches nothing is the caller's to decide, name by name: map
it to a customer (remembered as an alias, so the next export matches by itself), create it, or skip its tickets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tamdesk.domain.names import name_key
from tamdesk.models import tables as t
from tamdesk.services.base import Context, tuples
from tamdesk.services.customers import CustomerInput, add_alias, create_customer, normalize_domains

NO_NAME = "(no organization)"


def email_domain(text: object) -> str:
    """``ana@Acme.com`` → ``acme.com``; a bare domain (Zendesk's "Requester domain") as itself; "" otherwise."""
    raw = "" if text is None else str(text).strip().lower()
    domain = raw.rpartition("@")[2] if "@" in raw else raw
    domain = domain.strip(" .>")
    return domain if "." in domain and " " not in domain else ""


@dataclass(frozen=True)
class CustomerIndex:
    """Every customer's name keys (its name and aliases) and unambiguous email domains, loaded once."""

    by_key: Mapping[str, int]
    by_domain: Mapping[str, int]
    names: Mapping[int, str]

    def match(self, name: str, domain: str = "") -> int | None:
        """The customer a ticket's organization ``name`` or requester ``domain`` names, or None."""
        if name and (found := self.by_key.get(name_key(name))) is not None:
            return found
        return self.by_domain.get(domain) if domain else None

    def named(self, name: str) -> int | None:
        """The customer called ``name`` (or known as it), for a user's choice such as ``--map "Acme Inc=Acme"``."""
        return self.by_key.get(name_key(name))


def customer_index() -> CustomerIndex:
    names = dict(tuples(t.Customer.select(t.Customer.id, t.Customer.name)))
    by_key = {name_key(name): cid for cid, name in names.items()}
    for cid, key in tuples(t.CustomerAlias.select(t.CustomerAlias.customer, t.CustomerAlias.name_key)):
        by_key.setdefault(key, cid)
    owners: dict[str, set[int]] = {}
    for cid, domains in tuples(t.Customer.select(t.Customer.id, t.Customer.email_domains)):
        for domain in (d.strip().lower() for d in (domains or "").split(",")):
            if domain:
                owners.setdefault(domain, set()).add(cid)
    by_domain = {domain: next(iter(ids)) for domain, ids in owners.items() if len(ids) == 1}
    return CustomerIndex(by_key, by_domain, names)


@dataclass(frozen=True)
class UnmatchedCustomer:
    """An organization name (or a requester domain when the export names none) that matched no customer."""

    name: str
    rows: tuple[int, ...]
    domains: tuple[str, ...] = ()

    @property
    def tickets(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class CustomerChoices:
    """What to do with names that match no customer: ``mapped`` export name → tamdesk customer name; ``created``
    and ``skipped`` names; or all the rest (``create_all``, ``skip_all``)."""

    mapped: Mapping[str, str] = field(default_factory=dict)
    created: frozenset[str] = frozenset()
    skipped: frozenset[str] = frozenset()
    create_all: bool = False
    skip_all: bool = False

    def decision(self, name: str) -> str | None:
        """``map``, ``create``, ``skip`` or None (not decided) for an unmatched name."""
        key = name_key(name)
        if any(name_key(k) == key for k in self.mapped):
            return "map"
        if any(name_key(k) == key for k in self.created):
            return "create"
        if any(name_key(k) == key for k in self.skipped):
            return "skip"
        return "create" if self.create_all else "skip" if self.skip_all else None

    def target(self, name: str) -> str:
        key = name_key(name)
        return next(v for k, v in self.mapped.items() if name_key(k) == key)


def check_mapped(index: CustomerIndex, choices: CustomerChoices) -> list[str]:
    """Problems with ``choices.mapped``: a target that is no customer."""
    return [
        f"--map {source!r}: there is no customer {target!r}"
        for source, target in choices.mapped.items()
        if index.named(target) is None
    ]


def remember_alias(ctx: Context, customer_id: int, name: str) -> bool:
    """Keep ``name`` as a name the customer is also known as (``customers.add_alias``); False when it already is.

    Raises:
        DomainError: the name is already another customer's name or alias.
    """
    return add_alias(ctx, customer_id, name)


def create_named(ctx: Context, unmatched: Iterable[UnmatchedCustomer]) -> dict[str, int]:
    """Create a customer per name (with the requester domains its tickets share); name → new id."""
    created: dict[str, int] = {}
    for item in unmatched:
        try:
            domains = normalize_domains(list(item.domains))
        except ValueError:
            domains = ()
        created[item.name] = create_customer(ctx, CustomerInput(name=item.name, email_domains=domains))
    return created
