"""A customer's other names ("Also known as"): split from what a user types, checked against every customer's
names, and stored under the ``name_key`` that support-system imports match by."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tamdesk.domain.names import name_key
from tamdesk.models import tables as t
from tamdesk.services.base import tuples

MAX_ALIAS_LENGTH = 200  # as long as a customer's name may be

# A comma before one of these is part of the name ("Acme, Inc."), not a separator between two names.
_LEGAL_FORMS = frozenset([
    "inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "plc", "corp", "corporation", "co", "company",
    "coltd", "gmbh", "ag", "kg", "se", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as", "aps",
    "pty", "ptyltd", "pteltd", "kk",
])  # fmt: skip


def split_aliases(aliases: Sequence[str] | str) -> list[str]:
    """Names from a list, or from text separated by semicolons, commas or lines; spacing tidied, empties dropped.

    A comma before a legal form stays in the name: ``"Acme, Inc., Initech"`` is ``["Acme, Inc.", "Initech"]``.
    """
    if not isinstance(aliases, str):
        return [clean for clean in (" ".join(str(a).split()) for a in aliases) if clean]
    names: list[str] = []
    for part in re.split(r"[;\n]", aliases):
        pieces: list[str] = []
        for piece in part.split(","):
            if pieces and name_key(piece) in _LEGAL_FORMS:
                pieces[-1] += "," + piece
            else:
                pieces.append(piece)
        names.extend(" ".join(p.split()) for p in pieces)
    return [n for n in names if n]


def aliases_text(aliases: Iterable[str]) -> str:
    """Names as one line a user can edit again: ``Acme Inc; ACME GmbH``."""
    return "; ".join(aliases)


@dataclass(frozen=True)
class AliasCheck:
    """The names to keep (own name and repeats dropped), and what is wrong with the others."""

    kept: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def message(self) -> str:
        """All problems in one sentence, for the form's field or an import row."""
        return "; ".join(self.problems) + "." if self.problems else ""


def check_aliases(aliases: Sequence[str] | str, own_name: str, customer_id: int | None) -> AliasCheck:
    """Check the names ``customer_id`` (None: a new customer called ``own_name``) is also known as.

    A name equal to the customer's own name, or to one listed before it, is dropped; a name that is another
    customer's name or alias is a problem naming that customer.
    """
    own = name_key(own_name)
    kept: dict[str, str] = {}
    problems: list[str] = []
    for alias in split_aliases(aliases):
        key = name_key(alias)
        if len(alias) > MAX_ALIAS_LENGTH:
            problems.append(f"'{alias[:40]}…' is longer than {MAX_ALIAS_LENGTH} characters")
        elif not key:
            problems.append(f"'{alias}' has no letters or digits to match a name by")
        elif key != own and key not in kept:
            kept[key] = alias
    owners = names_taken(kept, customer_id)
    problems.extend(f"'{alias}' is already a name of {owners[key]}" for key, alias in kept.items() if key in owners)
    return AliasCheck(tuple(kept.values()), tuple(problems))


def names_taken(keys: Iterable[str], customer_id: int | None) -> dict[str, str]:
    """Of ``keys``, those that are the name or an alias of a customer other than ``customer_id``: key -> its name."""
    wanted = set(keys)
    if not wanted:
        return {}
    others = t.Customer.select(t.Customer.id, t.Customer.name)
    if customer_id is not None:
        others = others.where(t.Customer.id != customer_id)
    # names are compared in Python: name_key folds accents and punctuation, which neither engine's SQL does alike
    taken = {name_key(name): name for _, name in tuples(others.order_by(t.Customer.id))}
    by_alias = (
        t.CustomerAlias.select(t.CustomerAlias.name_key, t.Customer.name)
        .join(t.Customer)
        .where(t.CustomerAlias.name_key.in_(sorted(wanted)))
    )
    if customer_id is not None:
        by_alias = by_alias.where(t.CustomerAlias.customer != customer_id)
    taken.update(dict(tuples(by_alias)))
    return {key: taken[key] for key in wanted if key in taken}


def alias_owner(name: str, customer_id: int | None) -> str | None:
    """The customer other than ``customer_id`` that is also known as ``name``, by its name; None if none is."""
    query = t.CustomerAlias.select(t.Customer.name).join(t.Customer).where(t.CustomerAlias.name_key == name_key(name))
    if customer_id is not None:
        query = query.where(t.CustomerAlias.customer != customer_id)
    found = tuples(query)
    return str(found[0][0]) if found else None


def aliases_of(customer_id: int) -> tuple[str, ...]:
    """The names a customer is also known as, in the order they were added."""
    query = t.CustomerAlias.select(t.CustomerAlias.name).where(t.CustomerAlias.customer == customer_id)
    return tuple(name for (name,) in tuples(query.order_by(t.CustomerAlias.id)))


def aliases_by_customer(customer_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """Each customer's other names, in one query (the customers list)."""
    found: dict[int, list[str]] = {}
    query = t.CustomerAlias.select(t.CustomerAlias.customer, t.CustomerAlias.name).order_by(t.CustomerAlias.id)
    wanted = set(customer_ids)
    for cid, name in tuples(query):
        if cid in wanted:
            found.setdefault(cid, []).append(name)
    return {cid: tuple(names) for cid, names in found.items()}


def store_aliases(customer_id: int, aliases: Sequence[str]) -> bool:
    """Make the customer's stored aliases exactly ``aliases`` (already checked); whether anything changed.

    Rows whose key stays are kept (a new spelling is written over the old), so their order stays too.
    """
    keys = {name_key(a): a for a in aliases}
    current = list(t.CustomerAlias.select().where(t.CustomerAlias.customer == customer_id))
    changed = False
    for row in current:
        if row.name_key not in keys:
            row.delete_instance()
            changed = True
        elif row.name != keys[row.name_key]:
            row.name = keys[row.name_key]
            row.save()
            changed = True
    stored = {row.name_key for row in current}
    for key, alias in keys.items():
        if key not in stored:
            t.CustomerAlias.create(customer=customer_id, name=alias, name_key=key)
            changed = True
    return changed
