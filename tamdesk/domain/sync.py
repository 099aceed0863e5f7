"""Live sync with a support system, the pure part: what a source ticket says, how a failure is told, when to retry.

A *source client* (one per support system, in ``services/sources/``) reads the system's API and yields
:class:`RemotePage` objects: a batch of :class:`RemoteTicket` and the cursor to resume *after* that batch. The sync
service writes each page and its cursor in one transaction, so a sync stopped at any point (a cancel, a lost
network, a killed process) resumes after the last page written, and a page read twice changes nothing.

A remote ticket carries the source's own words for its priority and status (mapped by ``domain.sources`` exactly as
the file import maps them) and its history as dated events. The ticket number is what the source's export writes
(Zendesk's id, Salesforce's case number, the Jira issue key), so a ticket imported from a file and then synced is
one ticket.

Failures are :class:`SyncError` with a :class:`Failure` kind and one sentence that names the connection and never
holds a secret. Retries wait :func:`backoff` seconds: the server's Retry-After when it gave one, else an exponential
wait with a cap.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Protocol

from tamdesk.domain.sources import ImportSource
from tamdesk.domain.states import TicketEventKind

MAX_WAIT = 300.0  # seconds: the longest a retry waits (a Retry-After beyond it is honoured by giving up for now)
FIRST_WAIT = 2.0


class SourceKind(StrEnum):
    """The support systems tamdesk syncs with; each reads its values as the matching export does."""

    ZENDESK = "zendesk"
    JSM = "jsm"
    SALESFORCE = "salesforce"

    @property
    def label(self) -> str:
        return {"zendesk": "Zendesk", "jsm": "Jira Service Management", "salesforce": "Salesforce"}[self.value]

    @property
    def import_source(self) -> ImportSource:
        """The file-import source whose priorities and statuses this system uses."""
        return ImportSource(self.value)

    @classmethod
    def parse(cls, text: str) -> SourceKind:
        """``zendesk``, ``jsm`` (or ``jira``), ``salesforce`` (or ``sfdc``), any case.

        Raises:
            ValueError: naming the text and the choices.
        """
        try:
            return cls(ImportSource.parse(text).value)
        except ValueError:
            raise ValueError(f"'{text}' is not a source kind; use zendesk, jsm or salesforce") from None


@dataclass(frozen=True)
class RemoteEvent:
    """One dated step of a ticket's history as the source recorded it (UTC)."""

    at: datetime
    kind: TicketEventKind


@dataclass(frozen=True)
class RemoteTicket:
    """A ticket as the source has it now. Times are timezone-aware UTC; priority and status are the source's words.

    ``events`` is the whole history the source gave (responses, waits, solves, reopens), oldest first; an empty
    tuple with ``history_known`` False means the source could not say it (the sync keeps what it had).
    """

    number: str
    subject: str
    priority: str
    status: str
    created: datetime
    updated: datetime
    organization: str = ""
    requester_email: str = ""
    first_response: datetime | None = None
    solved: datetime | None = None
    events: tuple[RemoteEvent, ...] = ()
    history_known: bool = True
    first_response_breached: bool | None = None  # the source's own SLA verdict, when it has one
    resolution_breached: bool | None = None


@dataclass(frozen=True)
class RemotePage:
    """A batch of tickets and the cursor that resumes after it (opaque to everything but its client)."""

    tickets: Sequence[RemoteTicket]
    cursor: str
    done: bool  # True when this page reached the present


@dataclass(frozen=True)
class ConnectionInfo:
    """A connection as its client needs it; the secret (API token, or OAuth refresh token) is passed beside it."""

    name: str
    kind: SourceKind
    base_url: str
    user: str = ""  # Zendesk and Jira: the account's email; Salesforce: the connected app's consumer key


class SourceClient(Protocol):
    """What every support-system client does; the sync service needs nothing else."""

    kind: SourceKind

    def check(self) -> str:
        """Sign in and read one thing; one sentence of what worked. Raises SyncError."""

    def pages(self, cursor: str | None) -> Iterator[RemotePage]:
        """Tickets changed since ``cursor`` (None: since the start), a page at a time. Raises SyncError."""


class Failure(StrEnum):
    """Why a sync or a connection test failed; decides whether to retry."""

    AUTH = "auth"  # a wrong, expired or revoked token
    PERMISSION = "permission"  # signed in, but not allowed to read what is needed
    NOT_FOUND = "not_found"  # the base URL is not the service (wrong host, path or product)
    TLS = "tls"  # the certificate cannot be trusted
    UNREACHABLE = "unreachable"  # no network, DNS failure, refused, timed out
    UNAVAILABLE = "unavailable"  # the service answered with an HTTP 5xx
    RATE_LIMITED = "rate_limited"  # HTTP 429
    MALFORMED = "malformed"  # an answer tamdesk cannot read
    NO_TOKEN = "no_token"  # the token is not in this computer's keyring (set on another computer)

    @property
    def retry(self) -> bool:
        """Whether waiting and trying again can help."""
        return self in (Failure.UNREACHABLE, Failure.UNAVAILABLE, Failure.RATE_LIMITED)

    @property
    def short(self) -> str:
        """For the status bar: ``Zendesk unreachable``."""
        return {
            "auth": "sign-in refused", "permission": "no permission", "not_found": "not found",
            "tls": "certificate not trusted", "unreachable": "unreachable", "unavailable": "unavailable",
            "rate_limited": "busy (rate limited)", "malformed": "unreadable answer",
            "no_token": "no token on this computer",
        }[self.value]  # fmt: skip


class SyncError(Exception):
    """A failure talking to a support system: one sentence, no secret; ``retry_after`` in seconds when told."""

    def __init__(self, failure: Failure, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.failure = failure
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """A Retry-After header as seconds from ``now``: delay-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def backoff(attempt: int, retry_after: float | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (1 for the first): the server's word, else 2, 4, 8… capped."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), MAX_WAIT)
    return min(FIRST_WAIT * 2 ** max(attempt - 1, 0), MAX_WAIT)


def _ago(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    return f"{hours // 24} days ago"


@dataclass(frozen=True)
class SyncState:
    """What the status bar says of one connection."""

    name: str
    kind: SourceKind
    last_success: datetime | None = None
    failure: Failure | None = None  # of the last attempt, when it failed
    running: bool = False

    def describe(self, now: datetime) -> str:
        """``Zendesk: last synced 2 h ago — unreachable``, ``Zendesk: syncing…``, ``Zendesk: never synced``."""
        if self.running:
            return f"{self.name}: syncing…"
        synced = f"last synced {_ago(now - self.last_success)}" if self.last_success else "never synced"
        return f"{self.name}: {synced}" + (f" — {self.failure.short}" if self.failure else "")
