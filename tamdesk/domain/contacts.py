"""Contacts and stakeholders of a customer: roles, influence, and what makes a contact's details acceptable.

A contact is a named person: no role or distribution address, and no two contacts of one customer sharing a
mailbox (``ana+crm@acme.com`` is Ana). The email is optional; a contact met at a conference may have none yet.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tamdesk.domain.mailbox import (
    DEFAULT_ROLE_LOCAL_PARTS,
    InvalidAddress,
    is_role_address,
    mailbox_key,
    normalize_address,
)
from tamdesk.domain.text import collapse_spaces, identity_problem, visible

LIMITS: Mapping[str, tuple[str, int]] = {
    "full_name": ("Name", 200),
    "email": ("Email", 254),
    "title": ("Title", 200),
    "phone": ("Phone", 50),
}
"""Field -> (label, longest accepted length)."""


class _Choice(StrEnum):
    @property
    def label(self) -> str:
        """``executive_sponsor`` -> ``Executive sponsor``."""
        return self.value.replace("_", " ").capitalize()

    @classmethod
    def parse(cls, text: object) -> _Choice:
        """Read a value written as its value or label, in any case, with spaces, dashes or underscores.

        Raises:
            ValueError: naming the text and the accepted values.
        """
        key = "_".join(str(text).strip().lower().replace("-", " ").replace("_", " ").split())
        try:
            return cls(key)
        except ValueError:
            allowed = ", ".join(m.label.lower() for m in cls)
            raise ValueError(f"'{visible(str(text))}' is not one of {allowed}") from None


class ContactRole(_Choice):
    """The part a person plays in the account."""

    EXECUTIVE_SPONSOR = "executive_sponsor"
    CHAMPION = "champion"
    TECHNICAL_LEAD = "technical_lead"
    PROCUREMENT = "procurement"
    OTHER = "other"

    @property
    def is_key(self) -> bool:
        """Champions and executive sponsors: losing one of them puts the account at risk."""
        return self in (ContactRole.CHAMPION, ContactRole.EXECUTIVE_SPONSOR)


class Influence(_Choice):
    """How much a person's word weighs in the customer's decisions."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class KnownContact:
    """Another contact of the same customer, for the same-mailbox rule."""

    id: int
    full_name: str
    email: str


@dataclass(frozen=True)
class ContactDetails:
    """A contact's details as typed: name and address tidied by ``tidy``."""

    full_name: str
    email: str = ""
    title: str = ""
    phone: str = ""


def tidy(details: ContactDetails) -> ContactDetails:
    """Spaces collapsed; a valid address with its domain normalized (an invalid one kept for the rules to name)."""
    email = details.email.strip()
    if email and identity_problem("Email", email, address=True) is None:
        with contextlib.suppress(InvalidAddress):  # the rules say why it is not valid
            email = normalize_address(email)
    return ContactDetails(
        full_name=collapse_spaces(details.full_name),
        email=email,
        title=collapse_spaces(details.title),
        phone=collapse_spaces(details.phone),
    )


def check_contact(
    details: ContactDetails,
    others: Sequence[KnownContact] = (),
    *,
    role_local_parts: Iterable[str] = DEFAULT_ROLE_LOCAL_PARTS,
) -> dict[str, str]:
    """The problems of a contact's details, field -> one sentence; empty when they are acceptable.

    Args:
        details: The details, already tidied.
        others: The customer's other contacts (not the one being edited).
        role_local_parts: Local parts of role and distribution addresses (the list the seats use).
    """
    problems: dict[str, str] = {}
    for name, (label, limit) in LIMITS.items():
        value = getattr(details, name)
        if len(value) > limit:
            problems[name] = f"{label} is longer than {limit} characters."
        elif refused := identity_problem(label, value, address=name == "email"):
            problems[name] = refused
    if "full_name" not in problems and not any(ch.isalpha() for ch in details.full_name):
        problems["full_name"] = (
            "Give the contact's name." if not details.full_name else f"Name '{details.full_name}' has no letters."
        )
    address = details.email if "email" not in problems else ""
    if address and (message := _address_problem(address, others, role_local_parts)):
        problems["email"] = message
    return problems


def _address_problem(email: str, others: Sequence[KnownContact], role_local_parts: Iterable[str]) -> str | None:
    try:
        key = mailbox_key(email)
        role = is_role_address(email, role_local_parts)
    except InvalidAddress as exc:
        return f"{exc}."
    if role:
        return f"{email} is a role or shared address; a contact needs the person's own address."
    for other in others:
        if other.email and safe_key(other.email) == key:
            if other.email.casefold() == email.casefold():
                return f"{email} is already the address of {other.full_name}, a contact of this customer."
            return (
                f"{email} is the same mailbox as {other.full_name} ({other.email}), already a contact of this customer."
            )
    return None


def safe_key(email: str) -> str:
    """The mailbox key of an address, or "" when there is none or it is not valid."""
    try:
        return mailbox_key(email) if email.strip() else ""
    except InvalidAddress:
        return ""
