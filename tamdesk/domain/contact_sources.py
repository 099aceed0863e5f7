"""The contact exports tamdesk reads: which tool wrote a file (from its header row) and which column feeds what.

Column names follow each tool's documentation (named in tests/fixtures/contacts/README.md):

- **Salesforce** contact report, "Details only" export: the Contact object's field labels — ``First Name``, ``Last
  Name``, ``Title``, ``Email``, ``Phone`` (Business Phone), ``Mobile`` — and the parent account as ``Account Name``.
- **HubSpot** contacts export: the contact properties ``First Name``, ``Last Name``, ``Email``, ``Phone Number``,
  ``Job Title`` and ``Company Name`` (the contact's own company property).
- **Gainsight** People (Person and Company Person): ``First Name``, ``Last Name`` (or ``Name``), ``Email``,
  ``Title``, ``Phone``, ``Company Name`` and the person's ``Role`` (Champion, Decision Maker, End User …, editable
  in each tenant).
- **tamdesk**'s own file: ``Customer``, ``Name``, ``Email``, ``Title``, ``Role``, ``Influence``, ``Phone``.

Headers compare like every import's: case, spaces and punctuation aside.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tamdesk.domain.contacts import ContactRole


class ContactSource(StrEnum):
    SALESFORCE = "salesforce"
    HUBSPOT = "hubspot"
    GAINSIGHT = "gainsight"
    TAMDESK = "tamdesk"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ContactSource.SALESFORCE: "Salesforce contact report",
    ContactSource.HUBSPOT: "HubSpot contacts export",
    ContactSource.GAINSIGHT: "Gainsight people export",
    ContactSource.TAMDESK: "tamdesk contact file",
}

# the fields a contact import reads
CUSTOMER = "customer"
FIRST_NAME = "first_name"
LAST_NAME = "last_name"
FULL_NAME = "full_name"
EMAIL = "email"
TITLE = "title"
PHONE = "phone"
ROLE = "role"
INFLUENCE = "influence"


def header_key(text: object) -> str:
    """Headers compare case-insensitively, ignoring spaces and punctuation (as ``services.tabular`` does)."""
    return re.sub(r"[\W_]+", "", str(text or "")).lower()


@dataclass(frozen=True)
class ContactPreset:
    """One tool's contact export: the headers that feed each field (first found wins), and those that tell it.

    ``marks`` are headers of which at least one must be there: what sets this tool's file apart from the others.
    Every CRM export has an Email column; tamdesk's own file may leave it out.
    """

    source: ContactSource
    headers: Mapping[str, tuple[str, ...]]
    marks: tuple[str, ...]
    needs_email: bool = True

    def find(self, field: str, headers: Sequence[object]) -> str | None:
        """The header key of the file's column that feeds ``field``, or None."""
        keys = {header_key(h) for h in headers}
        return next((header_key(c) for c in self.headers.get(field, ()) if header_key(c) in keys), None)

    def missing(self, headers: Sequence[object]) -> list[str]:
        """What the file lacks to be this tool's export (named as the tool names it)."""
        gone = []
        if self.find(CUSTOMER, headers) is None:
            gone.append(self.headers[CUSTOMER][0])
        has_name = self.find(FULL_NAME, headers) or (self.find(FIRST_NAME, headers) and self.find(LAST_NAME, headers))
        if not has_name:
            names = [self.headers[f][0] for f in (FIRST_NAME, LAST_NAME, FULL_NAME) if f in self.headers]
            gone.append(" and ".join(names[:2]) + (f" (or {names[2]})" if len(names) > 2 else ""))
        if self.needs_email and self.find(EMAIL, headers) is None:
            gone.append(self.headers[EMAIL][0])
        keys = {header_key(h) for h in headers}
        if self.marks and not any(header_key(m) in keys for m in self.marks):
            gone.append(" or ".join(self.marks))
        return gone

    def columns(self, headers: Sequence[object]) -> dict[str, str]:
        """Field → header key, for every field of this preset the file has."""
        found = {field: self.find(field, headers) for field in self.headers}
        return {field: key for field, key in found.items() if key}


PRESETS: dict[ContactSource, ContactPreset] = {
    ContactSource.SALESFORCE: ContactPreset(
        ContactSource.SALESFORCE,
        {
            CUSTOMER: ("Account Name", "Account: Account Name"),
            FIRST_NAME: ("First Name",),
            LAST_NAME: ("Last Name",),
            FULL_NAME: ("Full Name", "Contact Name", "Name"),
            EMAIL: ("Email",),
            TITLE: ("Title",),
            PHONE: ("Phone", "Business Phone", "Mobile", "Mobile Phone"),
        },
        marks=("Account Name", "Account: Account Name"),
    ),
    ContactSource.HUBSPOT: ContactPreset(
        ContactSource.HUBSPOT,
        {
            CUSTOMER: ("Company Name", "Associated Company"),
            FIRST_NAME: ("First Name",),
            LAST_NAME: ("Last Name",),
            EMAIL: ("Email", "Email Address"),
            TITLE: ("Job Title",),
            PHONE: ("Phone Number", "Mobile Phone Number"),
        },
        marks=("Job Title", "Phone Number", "Record ID"),
    ),
    ContactSource.GAINSIGHT: ContactPreset(
        ContactSource.GAINSIGHT,
        {
            CUSTOMER: ("Company Name", "Company"),
            FIRST_NAME: ("First Name",),
            LAST_NAME: ("Last Name",),
            FULL_NAME: ("Name", "Full Name"),
            EMAIL: ("Email",),
            TITLE: ("Title",),
            PHONE: ("Phone", "Office Phone", "Mobile Phone"),
            ROLE: ("Role",),
        },
        marks=("Role", "Title", "GSID"),
    ),
    ContactSource.TAMDESK: ContactPreset(
        ContactSource.TAMDESK,
        {
            CUSTOMER: ("Customer",),
            FULL_NAME: ("Name", "Full name"),
            EMAIL: ("Email",),
            TITLE: ("Title", "Job title"),
            PHONE: ("Phone",),
            ROLE: ("Role",),
            INFLUENCE: ("Influence",),
        },
        marks=(),
        needs_email=False,  # a list of names is enough to start from
    ),
}

DETECTION_ORDER = (ContactSource.SALESFORCE, ContactSource.GAINSIGHT, ContactSource.HUBSPOT, ContactSource.TAMDESK)
"""Gainsight before HubSpot: a HubSpot export has "Job Title", never a bare "Title" or "Role"."""


@dataclass(frozen=True)
class ContactDetection:
    """The tool a header row matches (None for none), and what the nearest one lacks."""

    source: ContactSource | None
    near_misses: tuple[tuple[ContactSource, tuple[str, ...]], ...] = ()

    def describe(self) -> str:
        """Why the file is not read, for a message (no full stop)."""
        if not self.near_misses:
            return (
                "its columns match none of the contact exports tamdesk reads (a Salesforce contact report, a HubSpot "
                "contacts export, a Gainsight people export, or Customer, Name and Email columns)"
            )
        parts = [f"a {s.label} (no {', '.join(repr(m) for m in gone)})" for s, gone in self.near_misses]
        return "it nearly matches " + " or ".join(parts)


def detect_contact_source(headers: Sequence[object]) -> ContactDetection:
    """The first preset the header row satisfies; near misses lack at most half of what their preset checks."""
    near: list[tuple[ContactSource, tuple[str, ...]]] = []
    for source in DETECTION_ORDER:
        preset = PRESETS[source]
        gone = preset.missing(headers)
        if not gone:
            return ContactDetection(source)
        checks = 2 + preset.needs_email + bool(preset.marks)  # customer, name, email, a mark
        if len(gone) <= checks // 2:
            near.append((source, tuple(gone)))
    near.sort(key=lambda item: len(item[1]))
    return ContactDetection(None, tuple(near[:2]))


# Roles as CRMs write them. Gainsight's roles are the tenant's own; the common ones map, anything else is "other".
_ROLE_WORDS: dict[str, ContactRole] = {
    **{header_key(r.value): r for r in ContactRole},
    **{header_key(r.label): r for r in ContactRole},
    "execsponsor": ContactRole.EXECUTIVE_SPONSOR,
    "sponsor": ContactRole.EXECUTIVE_SPONSOR,
    "executive": ContactRole.EXECUTIVE_SPONSOR,
    "technicalcontact": ContactRole.TECHNICAL_LEAD,
    "technicalexpert": ContactRole.TECHNICAL_LEAD,
    "techlead": ContactRole.TECHNICAL_LEAD,
    "purchasing": ContactRole.PROCUREMENT,
    "buyer": ContactRole.PROCUREMENT,
}


def role_for(source: ContactSource, text: str) -> ContactRole | None:
    """The role a CRM's role text means: None for tamdesk's own file when the text is none of its roles (an error
    there); ``other`` for a CRM's role tamdesk has no word for (``End User``); ``other`` for an empty cell."""
    if not text.strip():
        return ContactRole.OTHER
    found = _ROLE_WORDS.get(header_key(text))
    if found is None and source is not ContactSource.TAMDESK:
        return ContactRole.OTHER
    return found
