"""Jira Service Management Cloud: issues changed since a cursor, read through Jira's documented REST API.

Endpoints (Jira Cloud platform REST API v3, Basic auth with the account's email and an API token):

- ``GET /rest/api/3/myself``: who signed in, and the time zone JQL dates are read in.
- ``GET /rest/api/3/field``: the ids of the Service Management custom fields (the Organizations field and the
  "Time to first response" / "Time to resolution" SLA fields), found by their schema type; read once per client.
- ``GET /rest/api/3/search/jql``: issues ``updated >= "yyyy/MM/dd HH:mm"`` oldest first, with ``expand=changelog``,
  a page at a time through ``nextPageToken`` (absent on the last page).
- ``GET /rest/api/3/issue/{key}/changelog``: the whole history of an issue whose search changelog was cut short
  (the search returns at most the 40 most recent histories).

JQL dates have minute resolution and are read in the signed-in user's time zone, so a sync asks from the cursor's
minute in that zone (an hour earlier when a clock change makes the minute ambiguous) and reads that boundary minute
again; only the cursor's own issue, unchanged, is left out. Reading an issue twice is harmless: a page is idempotent.

History comes from the changelog's status transitions; the first response is where the "Time to first response"
SLA's first cycle stopped, and its ``breached`` is the source's verdict.

Known limits: the default "Time to first response" SLA also stops when the request is resolved, so a request
resolved without a reply reads as answered at its resolution.

The search pages through ``nextPageToken`` as documented. Should that token be an offset, an issue that changes
during a sync moves to the end of the result and the issues after its old place shift back, so one could be
missed; such an issue shows up twice in the sync, and the cursors from then on point back to before its first
page, so the next sync reads that stretch again.
"""

from __future__ import annotations

import base64
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
)
from tamdesk.services.http_client import HttpClient

PAGE_SIZE = 100
CHANGELOG_PAGE_SIZE = 100
ORGANIZATIONS_TYPE = "com.atlassian.servicedesk:sd-customer-organizations"
SLA_TYPE = "com.atlassian.servicedesk:sd-sla-field"
FIRST_RESPONSE_SLA = "time to first response"
RESOLUTION_SLA = "time to resolution"
_BASE_FIELDS = ("summary", "priority", "status", "created", "updated", "resolutiondate", "reporter")
_UNKNOWN_ZONE_MARGIN = timedelta(hours=14)  # the widest UTC offset: a bound this much earlier is early in any zone


class JsmClient:
    """Reads one Jira Service Management site; ``start`` is where a first sync begins."""

    kind = SourceKind.JSM

    def __init__(
        self,
        info: ConnectionInfo,
        secret: str,
        *,
        start: datetime,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
    ) -> None:
        self.name = f"{SourceKind.JSM.label} ({info.name})"
        token = base64.b64encode(f"{info.user}:{secret}".encode()).decode()
        self.http = HttpClient(self.name, info.base_url, {"Authorization": f"Basic {token}"}, timeout=timeout,
                               sleep=sleep)  # fmt: skip
        self.start = start
        self._fields: _FieldIds | None = None
        self._zone: ZoneInfo | None = None
        self._zone_read = False

    def check(self) -> str:
        """Sign in and read the account: ``Signed in to Jira Service Management (acme) as Ann Agent <ann@…>.``"""
        me = self._myself()
        who = str(me.get("displayName") or me.get("accountId") or "an unnamed account")
        email = me.get("emailAddress")
        return f"Signed in to {self.name} as {who}{f' <{email}>' if email else ''}."

    def pages(self, cursor: str | None) -> Iterator[RemotePage]:
        """Issues updated since ``cursor`` (None: since ``start``), oldest first, a search page at a time."""
        since, seen_key = _read_cursor(cursor, self.name) if cursor else (self.start, "")
        fields = self._field_ids()
        params: dict[str, Any] = {
            "jql": f'updated >= "{self._jql_minute(since)}" ORDER BY updated ASC, key ASC',
            "fields": ",".join(fields.requested()),
            "expand": "changelog",
            "maxResults": PAGE_SIZE,
        }
        last = cursor or _write_cursor(since, seen_key)
        resume = _Resume(last)
        while True:
            body = self.http.get_json("/rest/api/3/search/jql", params)
            issues, token = self._page_of(body)
            tickets = []
            for issue in issues:
                ticket = self._ticket(issue, fields)
                if (ticket.updated, ticket.number) == (since, seen_key):
                    continue  # the cursor's own issue, unchanged since it was read
                resume.read(ticket.number)
                tickets.append(ticket)
                last = _write_cursor(ticket.updated, ticket.number)
            yield RemotePage(tickets, resume.end_page(last), done=not token)
            if not token:
                return
            params["nextPageToken"] = token

    # -- reading ----------------------------------------------------------------------------------------------------

    def _myself(self) -> Mapping[str, Any]:
        me = self.http.get_json("/rest/api/3/myself")
        if not isinstance(me, dict):
            raise self._malformed("its account (/rest/api/3/myself) is not an object")
        return me

    def _field_ids(self) -> _FieldIds:
        """The Service Management custom fields of this site, read once (ids differ from site to site)."""
        if self._fields is None:
            listing = self.http.get_json("/rest/api/3/field")
            if not isinstance(listing, list):
                raise self._malformed("its field list (/rest/api/3/field) is not a list")
            self._fields = _FieldIds.of(listing)
        return self._fields

    def _jql_minute(self, moment: datetime) -> str:
        """``moment`` as a JQL date no later than it, in the user's time zone (JQL reads dates in that zone)."""
        zone = self._user_zone()
        if zone is None:
            return f"{(moment - _UNKNOWN_ZONE_MARGIN).astimezone(UTC):%Y/%m/%d %H:%M}"
        local = moment.astimezone(zone)
        if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():  # a wall time met twice
            local = (moment - timedelta(hours=1)).astimezone(zone)
        return f"{local:%Y/%m/%d %H:%M}"

    def _user_zone(self) -> ZoneInfo | None:
        """The time zone of the user's profile, read once; None when Jira names none tamdesk knows."""
        if not self._zone_read:
            name = str(self._myself().get("timeZone") or "")
            try:
                self._zone = ZoneInfo(name) if name else None
            except (ZoneInfoNotFoundError, ValueError):
                self._zone = None
            self._zone_read = True
        return self._zone

    def _page_of(self, body: Any) -> tuple[list[Mapping[str, Any]], str]:
        if not isinstance(body, dict) or not isinstance(body.get("issues"), list):
            raise self._malformed("a page of the issue search has no list of issues")
        if not all(isinstance(issue, dict) for issue in body["issues"]):
            raise self._malformed("a page of the issue search holds an issue that is not an object")
        return body["issues"], str(body.get("nextPageToken") or "")

    def _ticket(self, issue: Mapping[str, Any], ids: _FieldIds) -> RemoteTicket:
        key = str(issue.get("key") or "")
        fields = issue.get("fields")
        if not key or not isinstance(fields, dict):
            raise self._malformed("an issue of the search has no key or no fields")
        try:
            return _ticket_of(key, fields, self._histories(key, issue), ids)
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            raise self._malformed(f"issue {key} has a value it cannot read ({_short(exc)})") from None

    def _histories(self, key: str, issue: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """The issue's whole changelog: the search's, or every page of the issue's own when the search's was cut."""
        changelog = issue.get("changelog") or {}
        histories = changelog.get("histories") if isinstance(changelog, dict) else None
        if not isinstance(histories, list):
            raise self._malformed(f"issue {key} came without its changelog")
        if int(changelog.get("total") or 0) <= len(histories):
            return histories
        return self._full_changelog(key)

    def _full_changelog(self, key: str) -> list[Mapping[str, Any]]:
        path = f"/rest/api/3/issue/{urllib.parse.quote(key)}/changelog"
        histories: list[Mapping[str, Any]] = []
        while True:
            body = self.http.get_json(path, {"startAt": len(histories), "maxResults": CHANGELOG_PAGE_SIZE})
            values = body.get("values") if isinstance(body, dict) else None
            if not isinstance(values, list):
                raise self._malformed(f"the changelog of issue {key} has no list of values")
            histories.extend(values)
            if body.get("isLast", True) or not values:
                return histories

    def _malformed(self, what: str) -> SyncError:
        return SyncError(Failure.MALFORMED, f"{self.name} sent an answer tamdesk cannot read: {what}.")


class _Resume:
    """The cursor each page hands back: after its last issue, or before the page where an issue read twice began."""

    def __init__(self, cursor: str) -> None:
        self.page_starts = [cursor]
        self.first_page: dict[str, int] = {}  # issue key → the page of this sync that first held it
        self.rewind_to: int | None = None

    def read(self, key: str) -> None:
        """Note an issue of the current page; one already read on an earlier page changed during this sync."""
        current = len(self.page_starts) - 1
        first = self.first_page.setdefault(key, current)
        if first < current:
            self.rewind_to = first if self.rewind_to is None else min(self.rewind_to, first)

    def end_page(self, last: str) -> str:
        """The page's cursor, given ``last`` (after its last issue), which is where the next page starts."""
        self.page_starts.append(last)
        return last if self.rewind_to is None else self.page_starts[self.rewind_to]


@dataclass(frozen=True)
class _FieldIds:
    """Ids of the site's Organizations field and its first-response and resolution SLA fields ("" when absent)."""

    organizations: str
    first_response: str
    resolution: str

    @classmethod
    def of(cls, listing: list[Any]) -> _FieldIds:
        """Found by schema type, and the SLAs by name, as ``GET /rest/api/3/field`` lists them."""
        found = {"org": "", FIRST_RESPONSE_SLA: "", RESOLUTION_SLA: ""}
        for item in listing:
            if not isinstance(item, dict) or not isinstance(item.get("schema"), dict):
                continue
            kind, field_id = item["schema"].get("custom"), str(item.get("id") or "")
            if kind == ORGANIZATIONS_TYPE and not found["org"]:
                found["org"] = field_id
            name = str(item.get("name") or "").strip().lower()
            if kind == SLA_TYPE and name in found and not found[name]:
                found[name] = field_id
        return cls(found["org"], found[FIRST_RESPONSE_SLA], found[RESOLUTION_SLA])

    def requested(self) -> list[str]:
        """The ``fields`` a search asks for."""
        return [*_BASE_FIELDS, *(f for f in (self.organizations, self.first_response, self.resolution) if f)]


def _ticket_of(key: str, fields: Mapping[str, Any], histories: list[Mapping[str, Any]], ids: _FieldIds) -> RemoteTicket:
    """The ticket an issue's fields and changelog describe."""
    first_sla = _sla(fields.get(ids.first_response)) if ids.first_response else None
    resolution_sla = _sla(fields.get(ids.resolution)) if ids.resolution else None
    first_response = _first_stop(first_sla)
    events = _status_events(histories)
    if first_response is not None:
        events.append(RemoteEvent(first_response, TicketEventKind.RESPONSE))
    resolved = fields.get("resolutiondate")
    return RemoteTicket(
        number=key,
        subject=str(fields.get("summary") or ""),
        priority=_name(fields.get("priority")),
        status=_name(fields.get("status")),
        created=jira_time(fields["created"]),
        updated=jira_time(fields["updated"]),
        organization=_organization(fields.get(ids.organizations)) if ids.organizations else "",
        requester_email=str((fields.get("reporter") or {}).get("emailAddress") or ""),
        first_response=first_response,
        solved=jira_time(resolved) if resolved else None,
        events=tuple(sorted(events, key=lambda event: event.at)),
        history_known=True,
        first_response_breached=_verdict(first_sla),
        resolution_breached=_verdict(resolution_sla),
    )


# -- values -----------------------------------------------------------------------------------------------------------


def jira_time(value: object) -> datetime:
    """A Jira timestamp (``2026-03-02T09:15:00.000+0000``) as UTC. Raises ValueError for anything else."""
    if not isinstance(value, str):
        raise ValueError(f"'{value}' is not a date")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"'{value}' has no time zone")
    return moment.astimezone(UTC)


def _sla_time(value: object) -> datetime:
    """An SLA cycle's time object: ``epochMillis`` when given, else its ``iso8601`` text."""
    if not isinstance(value, dict):
        raise ValueError("an SLA time is not an object")
    if isinstance(value.get("epochMillis"), int):
        return datetime.fromtimestamp(value["epochMillis"] / 1000, UTC)
    return jira_time(value.get("iso8601"))


def _name(value: object) -> str:
    """The ``name`` of a priority or status object."""
    return str(value.get("name") or "") if isinstance(value, dict) else ""


def _organization(value: object) -> str:
    """The first organization the request is shared with (a ticket belongs to one customer)."""
    if isinstance(value, list):
        names = [str(item.get("name") or "") for item in value if isinstance(item, dict)]
        return next((name for name in names if name), "")
    return ""


def _sla(value: object) -> Mapping[str, Any] | None:
    return value if isinstance(value, dict) else None


def _first_cycle(sla: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The SLA's completed cycle that stopped first (the documentation promises no order), or None."""
    cycles = (sla.get("completedCycles") or []) if sla else []
    if not isinstance(cycles, list) or not all(isinstance(cycle, dict) for cycle in cycles):
        raise ValueError("an SLA's completed cycles are not a list of objects")
    return min(cycles, key=lambda cycle: _sla_time(cycle.get("stopTime")), default=None)


def _first_stop(sla: Mapping[str, Any] | None) -> datetime | None:
    """Where the SLA's first cycle stopped: for "Time to first response", the first response."""
    cycle = _first_cycle(sla)
    return _sla_time(cycle.get("stopTime")) if cycle else None


def _verdict(sla: Mapping[str, Any] | None) -> bool | None:
    """The SLA's own verdict: its first completed cycle's ``breached``, an ongoing breach, else None (not yet)."""
    cycle = _first_cycle(sla)
    if cycle:
        return bool(cycle.get("breached"))
    ongoing = sla.get("ongoingCycle") if sla else None
    return True if isinstance(ongoing, dict) and ongoing.get("breached") else None


def _status_kind(name: str) -> TicketStatus:
    """What a JSM status means; a status tamdesk does not know (a custom workflow's) counts as open."""
    try:
        return status_for(ImportSource.JSM, name)
    except ValueError:
        return TicketStatus.OPEN


def _status_events(histories: list[Mapping[str, Any]]) -> list[RemoteEvent]:
    """SLA events of the changelog's status transitions, in the order they happened."""
    events: list[RemoteEvent] = []
    for history in sorted(histories, key=lambda h: jira_time(h["created"])):
        at = jira_time(history["created"])
        for item in history.get("items") or ():
            if item.get("field") == "status" and item.get("fieldtype", "jira") == "jira":
                events.extend(RemoteEvent(at, kind) for kind in _transition(item.get("fromString"),
                                                                             item.get("toString")))  # fmt: skip
    return events


def _transition(before: object, after: object) -> list[TicketEventKind]:
    """Events of one status change: a reopen, a wait for the customer and its end, a solve."""
    was, now = _status_kind(str(before or "")), _status_kind(str(after or ""))
    kinds = []
    if not was.is_open and now.is_open:
        kinds.append(TicketEventKind.REOPENED)
    if was is TicketStatus.WAITING_ON_CUSTOMER and now.is_open and now is not TicketStatus.WAITING_ON_CUSTOMER:
        kinds.append(TicketEventKind.CUSTOMER_REPLIED)
    if now is TicketStatus.WAITING_ON_CUSTOMER and was is not TicketStatus.WAITING_ON_CUSTOMER:
        kinds.append(TicketEventKind.WAITING_ON_CUSTOMER)
    if was.is_open and not now.is_open:
        kinds.append(TicketEventKind.SOLVED)
    return kinds


def _write_cursor(updated: datetime, key: str) -> str:
    """``2026-03-02T09:15:00.123000+00:00|SUP-12``: the last issue read and when it was last updated."""
    return f"{updated.astimezone(UTC).isoformat()}|{key}"


def _read_cursor(cursor: str, name: str) -> tuple[datetime, str]:
    when, _, key = cursor.partition("|")
    try:
        return jira_time(when), key
    except ValueError:
        raise SyncError(Failure.MALFORMED, f"{name} has a stored sync position tamdesk cannot read.") from None


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
