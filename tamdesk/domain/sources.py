"""The support systems tamdesk reads exports of: their column names, and what their priorities and statuses mean.

Columns, vocabularies and date formats come from each tool's documentation (named in tests/fixtures/exports/
README.md). Every value is mapped here, once, for the import and its preview alike:

- **Priority → severity.** Zendesk urgent/high/normal/low and Salesforce Critical/High/Medium/Low map one to one.
  Jira Service Management has five levels; Highest → Urgent, High → High, Medium → Normal, and both Low and
  Lowest → Low, because the policy's Low already covers "request for information" and shifting the scale would
  call Medium tickets High. P1–P4 and tamdesk's own Sev1…Sev4 read as their number.
- **Status → tamdesk status.** Zendesk pending and Salesforce "Waiting on Customer" and JSM "Waiting for
  customer" wait on the customer (the update clock pauses); Zendesk on-hold and JSM Pending wait on engineering
  or a third party (the clock runs); Salesforce Working/Escalated and JSM "Waiting for support"/"In progress"
  are open.

An unknown value is not guessed: ``severity_for`` and ``status_for`` raise, and the import lists the values found.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketStatus


class ImportSource(StrEnum):
    """Where an export comes from; the value is what ``Ticket.source`` and ``ImportMapping.source`` hold."""

    ZENDESK = "zendesk"
    SALESFORCE = "salesforce"
    JSM = "jsm"
    TAMDESK = "tamdesk"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> ImportSource:
        key = re.sub(r"[\W_]+", "", text).lower()
        found = {"zendesk": cls.ZENDESK, "salesforce": cls.SALESFORCE, "sfdc": cls.SALESFORCE, "jsm": cls.JSM,
                 "jira": cls.JSM, "jiraservicemanagement": cls.JSM, "tamdesk": cls.TAMDESK}.get(key)  # fmt: skip
        if found is None:
            raise ValueError(f"'{text}' is not a source; use zendesk, salesforce, jsm or tamdesk")
        return found


_LABELS = {
    ImportSource.ZENDESK: "Zendesk ticket export",
    ImportSource.SALESFORCE: "Salesforce case report",
    ImportSource.JSM: "Jira Service Management issue export",
    ImportSource.TAMDESK: "tamdesk ticket file",
}


def header_key(text: object) -> str:
    """Headers compare case-insensitively, ignoring spaces and punctuation (as ``services.tabular`` does)."""
    return re.sub(r"[\W_]+", "", str(text or "")).lower()


@dataclass(frozen=True)
class Preset:
    """One tool's export: which header feeds each import field (first found wins), and which must be there.

    ``required`` lists fields the file must have for the preset to match; ``customer_any`` lists fields of which
    at least one must be there to find the customer (an organization name or a requester's address).
    """

    source: ImportSource
    headers: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    customer_any: tuple[str, ...] = ()

    def find(self, field: str, headers: Sequence[object]) -> str | None:
        """The file's header that feeds ``field`` under this preset, or None."""
        keys = {header_key(h): str(h).strip() for h in reversed(headers) if h is not None}
        for candidate in self.headers.get(field, ()):
            if header_key(candidate) in keys:
                return keys[header_key(candidate)]
        return None

    def missing(self, headers: Sequence[object]) -> list[str]:
        """The columns this preset needs that ``headers`` lacks (named as the tool names them)."""
        gone = [self.headers[f][0] for f in self.required if self.find(f, headers) is None]
        if self.customer_any and all(self.find(f, headers) is None for f in self.customer_any):
            gone.append(" or ".join(self.headers[f][0] for f in self.customer_any))
        return gone

    def mapping(self, headers: Sequence[object]) -> dict[str, str]:
        """Field → the file's header, for every field of this preset the file has."""
        found = {field: self.find(field, headers) for field in self.headers}
        return {field: header for field, header in found.items() if header}


# Field labels beyond tamdesk's own (services.ticket_import.TICKET_FIELDS holds those with their meaning).
TICKET = "Ticket"
CUSTOMER = "Customer"
REQUESTER_EMAIL = "Requester email"
SUBJECT = "Subject"
SEVERITY = "Severity"
STATUS = "Status"
OPENED = "Opened"
UPDATED = "Updated"
FIRST_RESPONSE = "First response"
RESOLVED = "Resolved"
FIRST_REPLY_MINUTES = "First reply minutes"
FIRST_REPLY_BUSINESS_MINUTES = "First reply business minutes"
REOPENS = "Reopens"
FIRST_RESPONSE_SLA = "First response SLA"
RESOLUTION_SLA = "Resolution SLA"
MILESTONE = "Milestone"
MILESTONE_COMPLETED = "Milestone completed"
MILESTONE_VIOLATED = "Milestone violated"
MILESTONE_TARGET = "Milestone target"

PRESETS: dict[ImportSource, Preset] = {
    ImportSource.ZENDESK: Preset(
        ImportSource.ZENDESK,
        {
            TICKET: ("Id", "Ticket ID"),
            CUSTOMER: ("Organization", "Organization name"),
            REQUESTER_EMAIL: ("Requester email", "Requester domain"),
            SUBJECT: ("Subject",),
            SEVERITY: ("Priority",),
            STATUS: ("Status",),
            OPENED: ("Created at",),
            UPDATED: ("Updated at",),
            RESOLVED: ("Solved at",),
            FIRST_REPLY_MINUTES: ("First reply time in minutes",),
            FIRST_REPLY_BUSINESS_MINUTES: ("First reply time in minutes within business hours",),
            REOPENS: ("Reopens",),
        },
        required=(TICKET, SUBJECT, SEVERITY, STATUS, OPENED),
        customer_any=(CUSTOMER, REQUESTER_EMAIL),
    ),
    ImportSource.SALESFORCE: Preset(
        ImportSource.SALESFORCE,
        {
            TICKET: ("Case Number",),
            CUSTOMER: ("Account Name", "Account: Account Name"),
            REQUESTER_EMAIL: ("Contact Email", "Web Email", "Contact: Email"),
            SUBJECT: ("Subject",),
            SEVERITY: ("Priority",),
            STATUS: ("Status",),
            OPENED: ("Date/Time Opened", "Opened Date"),
            UPDATED: ("Last Modified Date", "Date/Time Last Modified", "Case Last Modified Date"),
            RESOLVED: ("Date/Time Closed", "Closed Date"),
            FIRST_RESPONSE: ("First Response", "First Response Date"),  # a custom field; map yours with --column
            MILESTONE: ("Milestone", "Milestone Name", "Milestone: Milestone Name"),
            MILESTONE_COMPLETED: ("Completion Date", "Milestone Completion Date"),
            MILESTONE_VIOLATED: ("Violation", "Violated", "Is Violated"),
            MILESTONE_TARGET: ("Target Date", "Milestone Target Date"),
        },
        required=(TICKET, SUBJECT, SEVERITY, STATUS, OPENED),
        customer_any=(CUSTOMER, REQUESTER_EMAIL),
    ),
    ImportSource.JSM: Preset(
        ImportSource.JSM,
        {
            TICKET: ("Issue key",),
            CUSTOMER: ("Custom field (Organizations)", "Organizations", "Organization"),
            REQUESTER_EMAIL: ("Reporter email", "Custom field (Customer email)", "Reporter"),
            SUBJECT: ("Summary",),
            SEVERITY: ("Priority",),
            STATUS: ("Status",),
            OPENED: ("Created",),
            UPDATED: ("Updated",),
            RESOLVED: ("Resolved",),
            FIRST_RESPONSE: ("Custom field (Date of First Response)", "Date of First Response"),
            FIRST_RESPONSE_SLA: ("Custom field (Time to first response)", "Time to first response"),
            RESOLUTION_SLA: ("Custom field (Time to resolution)", "Time to resolution"),
        },
        required=(TICKET, SUBJECT, SEVERITY, STATUS, OPENED),
        customer_any=(CUSTOMER, REQUESTER_EMAIL),
    ),
    ImportSource.TAMDESK: Preset(
        ImportSource.TAMDESK,
        {
            TICKET: ("Ticket",),
            CUSTOMER: ("Customer",),
            SUBJECT: ("Subject",),
            SEVERITY: ("Severity",),
            STATUS: ("Status",),
            OPENED: ("Opened",),
            FIRST_RESPONSE: ("First response",),
            RESOLVED: ("Resolved",),
        },
        required=(TICKET, CUSTOMER, SUBJECT, SEVERITY, OPENED),
    ),
}

DETECTION_ORDER = (ImportSource.ZENDESK, ImportSource.SALESFORCE, ImportSource.JSM, ImportSource.TAMDESK)


@dataclass(frozen=True)
class Detection:
    """What a header row looks like: the source it matches (None for none) and what each near miss lacks."""

    source: ImportSource | None
    near_misses: tuple[tuple[ImportSource, tuple[str, ...]], ...] = ()

    def describe(self) -> str:
        """``it nearly matches a Zendesk ticket export (no 'Priority')`` …, for a message."""
        if not self.near_misses:
            return "it matches none of the exports tamdesk knows (Zendesk, Salesforce, Jira Service Management)"
        parts = [f"a {s.label} (no {', '.join(repr(m) for m in missing)})" for s, missing in self.near_misses]
        return "it nearly matches " + " or ".join(parts)


def detect_source(headers: Sequence[object]) -> Detection:
    """The preset whose columns the header row has; near misses have at least half of their required columns."""
    near: list[tuple[ImportSource, tuple[str, ...]]] = []
    for source in DETECTION_ORDER:
        preset = PRESETS[source]
        missing = preset.missing(headers)
        if not missing:
            return Detection(source)
        if len(missing) <= (len(preset.required) + bool(preset.customer_any)) / 2:
            near.append((source, tuple(missing)))
    return Detection(None, tuple(near))


# -- vocabularies ---------------------------------------------------------------------------------------------------

S = Severity
PRIORITIES: dict[ImportSource, dict[str, Severity]] = {
    ImportSource.ZENDESK: {"urgent": S.URGENT, "high": S.HIGH, "normal": S.NORMAL, "low": S.LOW},
    ImportSource.SALESFORCE: {"critical": S.URGENT, "high": S.HIGH, "medium": S.NORMAL, "low": S.LOW},
    ImportSource.JSM: {
        "highest": S.URGENT,
        "high": S.HIGH,
        "medium": S.NORMAL,
        "low": S.LOW,
        "lowest": S.LOW,
        "blocker": S.URGENT,
        "critical": S.URGENT,
        "major": S.HIGH,
        "minor": S.LOW,
        "trivial": S.LOW,
    },
}
_P_LEVEL = re.compile(r"p([1-4])(?:\b.*)?")

T = TicketStatus
STATUS_WORDS: dict[ImportSource, dict[str, TicketStatus]] = {
    ImportSource.ZENDESK: {
        "New": T.NEW,
        "Open": T.OPEN,
        "Pending": T.WAITING_ON_CUSTOMER,
        "Hold": T.WAITING_ON_ENGINEERING,
        "On-hold": T.WAITING_ON_ENGINEERING,
        "Solved": T.SOLVED,
        "Closed": T.CLOSED,
    },
    ImportSource.SALESFORCE: {
        "New": T.NEW,
        "Working": T.OPEN,
        "Escalated": T.OPEN,
        "Waiting on Customer": T.WAITING_ON_CUSTOMER,
        "On Hold": T.WAITING_ON_ENGINEERING,
        "Closed": T.CLOSED,
    },
    ImportSource.JSM: {
        "Open": T.OPEN,
        "Waiting for support": T.OPEN,
        "In progress": T.OPEN,
        "Work in progress": T.OPEN,
        "Escalated": T.OPEN,
        "Waiting for customer": T.WAITING_ON_CUSTOMER,
        "Pending": T.WAITING_ON_ENGINEERING,
        "Resolved": T.SOLVED,
        "Done": T.SOLVED,
        "Closed": T.CLOSED,
        "Canceled": T.CLOSED,
        "Cancelled": T.CLOSED,
    },
    ImportSource.TAMDESK: {
        "pending": T.WAITING_ON_CUSTOMER,
        "hold": T.WAITING_ON_ENGINEERING,
        "on hold": T.WAITING_ON_ENGINEERING,
        "resolved": T.SOLVED,
        **{s.value: s for s in T},
    },
}
"""Each source's statuses as its screens write them; matched like headers (case, spaces and punctuation aside)."""
STATUSES: dict[ImportSource, dict[str, TicketStatus]] = {
    source: {header_key(word): status for word, status in words.items()} for source, words in STATUS_WORDS.items()
}


def severity_for(source: ImportSource, text: object) -> Severity:
    """The severity a source's priority means.

    Raises:
        ValueError: a value the source does not use, naming it.
    """
    raw = "" if text is None else str(text).strip()
    key = header_key(raw)
    found = PRIORITIES.get(source, {}).get(key)
    if found is not None:
        return found
    if match := _P_LEVEL.fullmatch(raw.lower()):
        return Severity(int(match[1]))
    if source is ImportSource.TAMDESK:
        return Severity.parse(raw)
    if not raw:
        raise ValueError("Priority is empty")
    known = ", ".join(sorted({k for k in PRIORITIES[source]}))
    raise ValueError(f"Priority '{raw}' is not one of {source.label}'s priorities ({known}, P1-P4)")


def status_for(source: ImportSource, text: object) -> TicketStatus:
    """The tamdesk status a source's status means.

    Raises:
        ValueError: a value the source does not use, naming it.
    """
    raw = "" if text is None else str(text).strip()
    found = STATUSES[source].get(header_key(raw))
    if found is not None:
        return found
    if source is ImportSource.TAMDESK:
        return TicketStatus.parse(raw)  # type: ignore[return-value]
    raise ValueError(f"Status '{raw}' is not one of the {source.label}'s statuses tamdesk knows")


def status_vocabulary(source: ImportSource) -> str:
    """``New, Open, Pending …``: the values ``status_for`` reads for a source, as the source writes them."""
    return ", ".join(STATUS_WORDS[source])


TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x", "violated", "breached", "checked"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "", "compliant", "notviolated", "unchecked"})


def flag(value: object) -> bool | None:
    """A checkbox as reports export it (``1``/``0``, ``true``/``false``, ``Yes``/``No``); None when empty.

    Raises:
        ValueError: any other text.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    key = header_key(value)
    if not key:
        return None
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise ValueError(f"'{value}' is neither yes nor no")
