"""Salesforce Service Cloud cases through the REST API, read into ``domain.sync`` objects.

Sign-in is the OAuth 2.0 refresh token flow: ``POST {base_url}/services/oauth2/token`` with
``grant_type=refresh_token``, the connected app's consumer key (``ConnectionInfo.user``) and the refresh token (the
secret) answers an ``access_token`` and the ``instance_url`` every later request goes to, as
``Authorization: Bearer <access_token>``. A session that expires mid-sync (HTTP 401 ``INVALID_SESSION_ID``) is
renewed once per request. A connected app with refresh token rotation answers a new refresh token with each access
token and invalidates the old one: the client signs in with the new one from then on and offers it as
``rotated_secret``, which the caller must store in place of the secret it passed.

Everything is read with SOQL through the Query resource (``/services/data/v60.0/query?q=…``), following
``nextRecordsUrl``:

- Cases changed since the cursor, ``ORDER BY SystemModstamp, Id``; ``SystemModstamp`` changes on every change to the
  case, including system ones, so nothing is missed. SOQL takes datetimes to the second, so the query starts at the
  cursor's second and the cases at or before the cursor (its time and case Id) are dropped here.
- For the cases of each batch, one ``CaseHistory`` query (``Field = 'Status'``) and one ``CaseMilestone`` query (the
  "First Response" milestone) with ``CaseId IN (…)``, instead of a request per case. Batches are asked for at 200
  cases (``Sforce-Query-Options: batchSize=200``, the documented minimum) so the ``IN`` lists stay short enough for
  a URL; longer batches are split.

History comes from the status changes: into "Waiting on Customer" is a wait, out of it to another open status is
the customer's reply, into a closed status is the solve and out of one a reopening. The First Response milestone's
``CompletionDate`` is the first response (also given as a response event) and its ``IsViolated`` the source's own
verdict. Priority and status are passed as Salesforce writes them; ``domain.sources`` maps them.
"""

from __future__ import annotations

import io
import json
import re
import time
import urllib.error
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tamdesk.domain.sources import ImportSource, status_for
from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.domain.sync import (
    ConnectionInfo,
    Failure,
    RemoteEvent,
    RemotePage,
    RemoteTicket,
    SourceKind,
    SyncError,
    retry_after_seconds,
)
from tamdesk.services.http_client import DEFAULT_TIMEOUT, HttpClient

API_VERSION = "v60.0"  # Spring '24: every object and field read here exists at this version and later
TOKEN_PATH = "/services/oauth2/token"
QUERY_PATH = f"/services/data/{API_VERSION}/query"
BATCH_SIZE = 200  # cases per batch; also the longest CaseId IN list sent
FIRST_RESPONSE_MILESTONE = "First Response"  # the milestone name Salesforce's entitlement setup guides use

Record = dict[str, Any]  # one record of a query answer, as JSON
CASE_FIELDS = (
    "Id, CaseNumber, Subject, Priority, Status, CreatedDate, SystemModstamp, ClosedDate, IsClosed, Account.Name, "
    "ContactEmail, SuppliedEmail"
)
_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_OBJECT_LABELS = {"Case": "cases", "CaseHistory": "case history", "CaseMilestone": "case milestones"}
_PERMISSION_CODES = frozenset(
    ("INVALID_TYPE", "INVALID_FIELD", "INSUFFICIENT_ACCESS", "INSUFFICIENT_ACCESS_OR_READONLY")
)
_CLOSED = frozenset({TicketStatus.SOLVED, TicketStatus.CLOSED})


class SalesforceClient:
    """A Salesforce org's cases, signed in with a connected app's consumer key and a user's refresh token."""

    kind = SourceKind.SALESFORCE

    def __init__(
        self,
        info: ConnectionInfo,
        secret: str,
        *,
        start: datetime,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = DEFAULT_TIMEOUT,
        first_response_milestone: str = FIRST_RESPONSE_MILESTONE,
    ) -> None:
        self.name = f"Salesforce ({info.name})"
        self._info = info
        self._secret = secret
        self._start = start if start.tzinfo else start.replace(tzinfo=UTC)
        self._milestone = first_response_milestone
        self._login = _SalesforceHttp(self.name, info.base_url, sleep=sleep, timeout=timeout)
        self._rest = _SalesforceHttp(self.name, info.base_url, {}, sleep=sleep, timeout=timeout)
        self._signed_in = False
        self.rotated_secret: str | None = None  # a new refresh token, when the connected app rotates them

    @property
    def requests(self) -> int:
        """How many requests were sent, sign-ins included."""
        return self._login.requests + self._rest.requests

    def check(self) -> str:
        """Sign in and read one record of each object a sync needs. Raises SyncError."""
        self._sign_in()
        for sobject in _OBJECT_LABELS:
            self._batch(QUERY_PATH, {"q": f"SELECT Id FROM {sobject} LIMIT 1"}, sobject)
        return f"Signed in to {self.name} at {self._rest.base_url}; cases, case history and milestones are readable."

    def pages(self, cursor: str | None) -> Iterator[RemotePage]:
        """Cases changed after ``cursor`` (None: since ``start``), a batch of cases a page. Raises SyncError."""
        after = _Position.parse(cursor, self.name) if cursor else _Position(self._start, "")
        if not self._signed_in:
            self._sign_in()
        where = f"SystemModstamp >= {_soql_time(after.stamp)}"
        soql = f"SELECT {CASE_FIELDS} FROM Case WHERE {where} ORDER BY SystemModstamp, Id"
        records, following = self._batch(QUERY_PATH, {"q": soql}, "Case")
        while True:
            cases = [(case, position) for case in records if (position := self._position(case)) > after]
            tickets = self._tickets([case for case, _ in cases])
            after = cases[-1][1] if cases else after
            yield RemotePage(tickets, after.encode(), done=following is None)
            if following is None:
                return
            records, following = self._batch(following, None, "Case")

    # -- signing in -------------------------------------------------------------------------------------------------

    def _sign_in(self) -> None:
        """Trade the refresh token for an access token and the org's instance URL."""
        form = {"grant_type": "refresh_token", "client_id": self._info.user, "refresh_token": self._secret}
        answer = self._login.post_form(TOKEN_PATH, form)
        token = answer.get("access_token") if isinstance(answer, dict) else None
        instance = answer.get("instance_url") if isinstance(answer, dict) else None
        if not (isinstance(token, str) and token and isinstance(instance, str) and instance.startswith("http")):
            where = self._info.base_url
            raise SyncError(Failure.NOT_FOUND, f"{self.name} did not answer the sign-in as Salesforce does: is "
                                               f"{where} the org's login or My Domain address?")  # fmt: skip
        rotated = answer.get("refresh_token")
        if isinstance(rotated, str) and rotated and rotated != self._secret:
            self._secret = self.rotated_secret = rotated  # the one sent is no longer valid: store this one instead
        self._rest.base_url = instance.rstrip("/")
        self._rest.headers = {"Authorization": f"Bearer {token}", "Sforce-Query-Options": f"batchSize={BATCH_SIZE}"}
        self._signed_in = True

    def _get(self, path: str, params: dict[str, str] | None) -> Any:
        """GET with the session, renewing it once when Salesforce says it expired."""
        try:
            return self._rest.get_json(path, params)
        except SyncError as exc:
            if exc.failure is not Failure.AUTH:
                raise
        self._sign_in()
        return self._rest.get_json(path, params)

    # -- querying ---------------------------------------------------------------------------------------------------

    def _batch(self, path: str, params: dict[str, str] | None, sobject: str) -> tuple[list[Record], str | None]:
        """One batch of a query's records and the ``nextRecordsUrl`` of the next batch (None at the end)."""
        try:
            answer = self._get(path, params)
        except SyncError as exc:
            if exc.failure is not Failure.PERMISSION:
                raise
            raise SyncError(Failure.PERMISSION, f"{self.name} does not let this user read "
                                                f"{_OBJECT_LABELS[sobject]} ({sobject}): ask the Salesforce admin "
                                                f"for read access to it.") from None  # fmt: skip
        records = answer.get("records") if isinstance(answer, dict) else None
        following = answer.get("nextRecordsUrl") if isinstance(answer, dict) else None
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise self._malformed(f"a {sobject} query answer without its records")
        if following is not None and not isinstance(following, str):
            raise self._malformed(f"a {sobject} query answer with an unreadable nextRecordsUrl")
        return records, following or None

    def _query_all(self, soql: str, sobject: str) -> list[Record]:
        """Every record of a query, following ``nextRecordsUrl``."""
        records, following = self._batch(QUERY_PATH, {"q": soql}, sobject)
        while following:
            more, following = self._batch(following, None, sobject)
            records += more
        return records

    def _related(self, sobject: str, select: str, where: str, case_ids: Sequence[str]) -> dict[str, list[Record]]:
        """Records of ``sobject`` for these cases, by case Id, in ``IN`` lists of at most BATCH_SIZE Ids."""
        found: dict[str, list[Record]] = {case_id: [] for case_id in case_ids}
        for first in range(0, len(case_ids), BATCH_SIZE):
            ids = ", ".join(f"'{case_id}'" for case_id in case_ids[first : first + BATCH_SIZE])
            soql = f"SELECT {select} FROM {sobject} WHERE {where} AND CaseId IN ({ids}) ORDER BY CreatedDate"
            for record in self._query_all(soql, sobject):
                found.setdefault(str(record.get("CaseId")), []).append(record)
        return found

    # -- reading ----------------------------------------------------------------------------------------------------

    def _tickets(self, cases: list[Record]) -> list[RemoteTicket]:
        """The tickets of a batch of cases, with their status history and First Response milestone."""
        if not cases:
            return []
        ids = [str(case["Id"]) for case in cases]
        history = self._related("CaseHistory", "CaseId, CreatedDate, OldValue, NewValue", "Field = 'Status'", ids)
        milestone = _soql_text(self._milestone)
        milestones = self._related("CaseMilestone", "CaseId, CompletionDate, IsViolated",
                                   f"MilestoneType.Name = {milestone}", ids)  # fmt: skip
        closed = {str(case.get("Status")) for case in cases if case.get("IsClosed") is True}
        return [self._ticket(case, history[str(case["Id"])], milestones[str(case["Id"])], closed) for case in cases]

    def _ticket(self, case: Record, history: list[Record], milestones: list[Record], closed: set[str]) -> RemoteTicket:
        number = case.get("CaseNumber")
        if not isinstance(number, str) or not number:
            raise self._malformed("a case without its case number")
        first_response, breached = self._first_response(number, milestones)
        events = self._status_events(number, history, closed)
        if first_response is not None:
            events.append(RemoteEvent(first_response, TicketEventKind.RESPONSE))
        account = case.get("Account")
        return RemoteTicket(
            number=number,
            subject=_text(case.get("Subject")),
            priority=_text(case.get("Priority")),
            status=_text(case.get("Status")),
            created=self._time(case.get("CreatedDate"), number, "CreatedDate"),
            updated=self._time(case.get("SystemModstamp"), number, "SystemModstamp"),
            organization=_text(account.get("Name")) if isinstance(account, dict) else "",
            requester_email=_text(case.get("ContactEmail")) or _text(case.get("SuppliedEmail")),
            first_response=first_response,
            solved=self._time(case.get("ClosedDate"), number, "ClosedDate") if case.get("IsClosed") is True else None,
            events=tuple(sorted(events, key=lambda event: event.at)),
            first_response_breached=breached,
        )

    def _first_response(self, number: str, milestones: list[Record]) -> tuple[datetime | None, bool | None]:
        """The earliest completion of the case's First Response milestones, and whether any was violated."""
        done = [
            self._time(m["CompletionDate"], number, "CompletionDate") for m in milestones if m.get("CompletionDate")
        ]
        breached = any(m.get("IsViolated") is True for m in milestones) if milestones else None
        return (min(done) if done else None), breached

    def _status_events(self, number: str, history: list[Record], closed: set[str]) -> list[RemoteEvent]:
        """The waits, replies, solves and reopenings the case's Status changes mean."""
        events: list[RemoteEvent] = []
        for change in history:
            at = self._time(change.get("CreatedDate"), number, "CaseHistory CreatedDate")
            before, after = _text(change.get("OldValue")), _text(change.get("NewValue"))
            events += [RemoteEvent(at, kind) for kind in _transition(before, after, closed)]
        return events

    def _position(self, case: Record) -> _Position:
        case_id = case.get("Id")
        if not isinstance(case_id, str) or not _ID.fullmatch(case_id):
            raise self._malformed("a case without a readable Id")
        return _Position(self._time(case.get("SystemModstamp"), case_id, "SystemModstamp"), case_id)

    def _time(self, value: object, record: str, field: str) -> datetime:
        """A dateTime as the REST API writes it (``2026-12-01T09:30:00.000+0000``), in UTC."""
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise self._malformed(f"case {record} with an unreadable {field} ('{str(value)[:40]}')") from None
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)

    def _malformed(self, what: str) -> SyncError:
        return SyncError(Failure.MALFORMED, f"{self.name} sent {what}; the sync stopped before it.")


def _transition(before: str, after: str, closed: set[str]) -> list[TicketEventKind]:
    """What one Status change means for the SLA clocks (nothing for a move between open statuses)."""
    was_closed, is_closed = _is_closed(before, closed), _is_closed(after, closed)
    if is_closed:
        return [] if was_closed else [TicketEventKind.SOLVED]
    kinds = [TicketEventKind.REOPENED] if was_closed else []
    if _is_waiting(after) and (was_closed or not _is_waiting(before)):
        kinds.append(TicketEventKind.WAITING_ON_CUSTOMER)
    elif _is_waiting(before) and not _is_waiting(after):
        kinds.append(TicketEventKind.CUSTOMER_REPLIED)
    return kinds


def _is_closed(status: str, closed: set[str]) -> bool:
    """Closed as Salesforce's Closed, or as a status that closed cases of this batch have (IsClosed)."""
    return status in closed or _meaning(status) in _CLOSED


def _is_waiting(status: str) -> bool:
    return _meaning(status) is TicketStatus.WAITING_ON_CUSTOMER


def _meaning(status: str) -> TicketStatus | None:
    try:
        return status_for(ImportSource.SALESFORCE, status)
    except ValueError:
        return None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _soql_time(moment: datetime) -> str:
    """A SOQL dateTime literal (unquoted, UTC, to the second), at or before ``moment``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _soql_text(text: str) -> str:
    """A quoted SOQL string literal (backslash escapes, as SOQL's reference says)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True, order=True)
class _Position:
    """Where a sync stands: the last case read, by SystemModstamp then Id (the order the query reads them in)."""

    stamp: datetime
    case_id: str

    def encode(self) -> str:
        return f"{self.stamp.astimezone(UTC).isoformat(timespec='milliseconds')}|{self.case_id}"

    @classmethod
    def parse(cls, text: str, name: str) -> _Position:
        stamp, _, case_id = text.partition("|")
        try:
            moment = datetime.fromisoformat(stamp)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None or (case_id and not _ID.fullmatch(case_id)):
            raise SyncError(Failure.MALFORMED, f"{name}'s saved sync position ('{text[:60]}') is not one tamdesk "
                                               "wrote; clear it to sync again from the start.")  # fmt: skip
        return cls(moment.astimezone(UTC), case_id)


class _SalesforceHttp(HttpClient):
    """The HTTP client, reading Salesforce's own error shapes before the generic ones.

    The token endpoint answers OAuth errors (``{"error": "invalid_grant", "error_description": …}``, HTTP 400) and
    the REST API a list of ``{"message", "errorCode"}``; the codes that mean something other than their HTTP status
    (a refused refresh token, the org's API request limit, an object or field this user may not read) become their
    own failure, and every other answer goes on to ``HttpClient`` with its body intact.
    """

    def _http_error(self, exc: urllib.error.HTTPError) -> SyncError:
        raw = exc.read(4096)
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        oauth = isinstance(body, dict) and exc.code in (400, 401)  # RFC 6749 §5.2: a token endpoint's refusals
        found = self._oauth_error(body) if oauth else None
        if isinstance(body, list) and body and isinstance(body[0], dict):
            found = self._api_error(exc, str(body[0].get("errorCode") or ""), str(body[0].get("message") or ""))
        if found is not None:
            return found
        return super()._http_error(urllib.error.HTTPError(exc.url, exc.code, exc.msg, exc.headers, io.BytesIO(raw)))

    def _oauth_error(self, body: Record) -> SyncError | None:
        error = body.get("error")
        if not isinstance(error, str):
            return None
        said = _one_line(body.get("error_description")) or error
        if error == "invalid_grant":
            why = "the refresh token is wrong, expired or revoked; connect tamdesk to Salesforce again"
        elif error in ("invalid_client", "invalid_client_id"):
            why = "it does not know the connected app's consumer key"
        else:
            why = "the connected app or the user may not sign in this way"
        return SyncError(Failure.AUTH, f'{self.name} refused the sign-in ("{said}"): {why}.')

    def _api_error(self, exc: urllib.error.HTTPError, code: str, message: str) -> SyncError | None:
        if code == "REQUEST_LIMIT_EXCEEDED":
            seconds = retry_after_seconds(exc.headers.get("Retry-After"), self.now())
            return SyncError(Failure.RATE_LIMITED, f"{self.name} refused the request: the org's API request limit "
                                                   f'is reached ("{_one_line(message)}").', seconds)  # fmt: skip
        if code in _PERMISSION_CODES:
            return SyncError(Failure.PERMISSION, f"{self.name} does not let this user read what it needs ({code}).")
        if exc.code == 400:  # MALFORMED_QUERY and the like: their message quotes the query over several lines
            return SyncError(Failure.MALFORMED, f"{self.name} refused a query (HTTP 400, {code or 'no error code'}).")
        return None


def _one_line(value: object) -> str:
    return " ".join(str(value or "").split())[:200]
