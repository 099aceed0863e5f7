"""Whose customers a screen shows: the user's own, or every customer.

A customer is the user's when its TAM, in the people directory, has the user's name (Settings › You), compared
without case and extra spaces. Today, the Tickets list and notifications show the user's customers by default,
with every customer one click away; when the name is not set or is nobody's TAM, they show every customer and say
why (``CustomerScope.notice``) rather than an empty screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.identity import directory_name


def same_name(name: str) -> str:
    """A name as compared: case-folded, runs of spaces as one (``"Tess  TAM"`` is ``"tess tam"``)."""
    return " ".join(name.split()).casefold()


def tam_names() -> list[str]:
    """Names of the people who are the TAM of at least one customer that is not archived."""
    query = (
        t.Person.select(t.Person.name)
        .join(t.Customer, on=t.Customer.tam == t.Person.id)
        .where(~t.Customer.archived)
        .distinct()
    )
    return sorted((p.name for p in query), key=str.casefold)


def tam_person_ids(tam: str) -> list[int]:
    """Ids of the people named ``tam`` (compared as :func:`same_name` compares, Unicode included)."""
    wanted = same_name(tam)
    return [pid for pid, name in database.execute_sql("SELECT id, name FROM person") if same_name(name) == wanted]


@dataclass(frozen=True)
class CustomerScope:
    """The customers a screen covers: ``tam``'s, or every customer when ``tam`` is None."""

    tam: str | None
    notice: str = ""  # why every customer is shown although the user asked for theirs ("" otherwise)

    @property
    def mine(self) -> bool:
        return self.tam is not None


def customer_scope(want_mine: bool) -> CustomerScope:
    """The user's customers when ``want_mine`` and their name is some customer's TAM; else every customer, with a
    notice saying why when the user asked for theirs."""
    if not want_mine:
        return CustomerScope(None)
    name = directory_name()
    if not name:
        return CustomerScope(
            None,
            "Your name is not set, so every customer is shown. To see only yours, enter your name in Settings › You "
            "exactly as the people directory lists you as TAM.",
        )
    tams = tam_names()
    if same_name(name) in {same_name(tam) for tam in tams}:
        return CustomerScope(name)
    known = ", ".join(tams) if tams else "none yet"
    return CustomerScope(
        None,
        f"No customer has “{name}” as TAM, so every customer is shown. Your name in Settings › You must match your "
        f"entry in the people directory (TAMs: {known}).",
    )


def my_tam_name() -> str | None:
    """The user's name when some customer has them as TAM; None means every customer."""
    return customer_scope(True).tam
