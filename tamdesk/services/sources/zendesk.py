"""Zendesk Support's REST API read into ``domain.sync`` pages: tickets changed since a cursor, with their history.

Endpoints (developer.zendesk.com, API reference → Ticketing):

- ``GET /api/v2/users/me.json`` for :meth:`ZendeskClient.check`. Zendesk answers a request with wrong credentials
  there with HTTP 200 and an *anonymous user* (``id`` null), so a wrong token is detected by that, not by a 401.
- ``GET /api/v2/incremental/tickets/cursor.json`` (Incremental Ticket Export, cursor based): ``start_time`` on the
  first call, then ``cursor=<after_cursor>``; ``end_of_stream`` says the page reached the present. It sideloads
  ``users``, ``organizations`` and ``metric_sets`` (it takes every tickets sideload but ``last_audits``), which gives
  the requester's email, the organization's name and the first reply time without one request per ticket.
- ``GET /api/v2/incremental/ticket_events.json`` (Incremental Ticket Event Export, time based, with the
  ``comment_events`` sideload) for the history. Each event is one ticket update: its ``child_events`` hold the
  status changes (``event_type`` "Change", the new ``status`` and its ``previous_value``) and the comments
  (``event_type`` "Comment", ``public``, ``author_id``).

Why the event export and not per-ticket audits or ticket metric events: audits are one request per ticket, and the
incremental endpoints allow 10 requests a minute; metric events are derived (a "pause" of requester_wait_time is
not said to be a *pending* status) and do not tell who moved a ticket out of pending. The event export is one
stream for all tickets, paged by time, and holds exactly what the SLA engine replays: when a ticket went pending,
who brought it back, when it was solved and reopened, and when an agent replied publicly.

A sync therefore reads the event stream from its watermark to the present, then the ticket export page by page;
each ticket gets its updates of that window. When a page holds a ticket updated after the stream's end (it changed
while the sync ran), the stream is read on once before the page is handed out, so no update falls between the two
exports. The cursor this client hands out is ``v1:<event watermark>:<after_cursor>``: every page but the last keeps
the watermark it started from (resuming after any page reads the same window again), the last page moves it to
where the stream ended. Requests: one to the event stream a sync (another per 1,000 updates, and one for a page
holding a ticket changed since), one a ticket page; none per ticket.

History, as ``domain.sla`` replays it: a public comment by an agent (a user whose sideloaded role is agent or admin,
or an author the sideload does not list who is not the requester) is a ``response``; a change to pending is
``waiting_on_customer``; pending back to new or open by the requester is ``customer_replied`` (by an agent it is no
event: the wait ends at the agent's next response); a change to solved is ``solved``; solved back to new, open,
pending or on-hold is ``reopened``. Internal notes and other field changes are not history.

The events of a ticket are those of the sync window (since ``start`` on the first sync, since the previous sync
later), so the sync service merges them with what it has; Zendesk repeats the updates of the boundary second, which
give the same (time, kind) again. ``first_response`` comes from the events when the ticket was created inside the
window (to the second), else from the ticket metrics' ``reply_time_in_minutes`` (sideloaded as ``metric_sets``, whole
minutes); ``solved`` from the metrics' ``solved_at``. A ticket with no priority has ``priority`` "".
"""

from __future__ import annotations

import base64
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tamdesk.domain.states import TicketEventKind
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

ME = "/api/v2/users/me.json"
TICKETS = "/api/v2/incremental/tickets/cursor.json"
EVENTS = "/api/v2/incremental/ticket_events.json"
_CURSOR_PREFIX = "v1"
_AGENT_ROLES = frozenset({"agent", "admin"})
_OPEN_AGAIN = frozenset({"new", "open", "pending", "hold"})

Json = Mapping[str, Any]


class ZendeskClient:
    """Reads one Zendesk Support account with an API token (Basic auth as ``{email}/token:{token}``)."""

    kind = SourceKind.ZENDESK

    def __init__(
        self,
        info: ConnectionInfo,
        secret: str,
        *,
        start: datetime,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
    ) -> None:
        self.info = info
        self.start = start
        login = base64.b64encode(f"{info.user}/token:{secret}".encode()).decode()
        self.http = HttpClient(
            f"Zendesk ({info.name})", info.base_url, {"Authorization": f"Basic {login}"}, timeout=timeout, sleep=sleep
        )

    @property
    def name(self) -> str:
        return self.http.name

    def check(self) -> str:
        """Sign in and read who this is: ``Signed in to Zendesk (acme) as Ann Agent <ann@acme.example>.``"""
        body = self.http.get_json(ME)
        user = body.get("user") if isinstance(body, dict) else None
        if not isinstance(user, dict):
            raise self._malformed(ME, "no user")
        if user.get("id") is None:  # Zendesk's anonymous user: the credentials were not accepted
            raise SyncError(
                Failure.AUTH, f"{self.name} did not accept the sign-in: the email or API token is wrong or revoked."
            )
        who = f"{user.get('name') or 'an unnamed user'} <{user.get('email') or self.info.user}>"
        if user.get("role") != "admin":
            raise SyncError(
                Failure.PERMISSION,
                f"{self.name} signed in {who}, but only an admin may read the incremental ticket export.",
            )
        return f"Signed in to {self.name} as {who}."

    def pages(self, cursor: str | None) -> Iterator[RemotePage]:
        """Tickets changed since ``cursor`` (None: since ``start``), a page of the ticket export at a time."""
        watermark, after = self._parse_cursor(cursor)
        window = _Window(watermark, watermark)
        self._read_events(window)
        params: dict[str, Any] = {"include": "users,organizations,metric_sets"}
        while True:
            page = self.http.get_json(TICKETS, {**params, "cursor": after} if after else
                                      {**params, "start_time": watermark})  # fmt: skip
            tickets, after, done = self._read_page(page, window)
            yield RemotePage(tickets, _format_cursor(window.end if done else watermark, after), done)
            if done:
                return

    # -- cursor -----------------------------------------------------------------------------------------------------

    def _parse_cursor(self, cursor: str | None) -> tuple[int, str]:
        """The event watermark (Unix seconds) and the ticket export's after_cursor ("" before the first page)."""
        if cursor is None:
            return int(self.start.timestamp()), ""
        parts = cursor.split(":", 2)
        if len(parts) != 3 or parts[0] != _CURSOR_PREFIX or not parts[1].isdigit():
            raise SyncError(Failure.MALFORMED, f"{self.name}'s stored sync position is not one tamdesk wrote.")
        return int(parts[1]), parts[2]

    # -- history ----------------------------------------------------------------------------------------------------

    def _read_events(self, window: _Window) -> None:
        """Read the event stream from where ``window`` ends to the present, each ticket update once."""
        start_time = window.end
        while True:
            body = self.http.get_json(EVENTS, {"start_time": start_time, "include": "comment_events"})
            events = body.get("ticket_events") if isinstance(body, dict) else None
            end_time = body.get("end_time") if isinstance(body, dict) else None
            if not isinstance(events, list) or not isinstance(end_time, int):
                raise self._malformed(EVENTS, "no ticket_events or end_time")
            for event in events:
                if not isinstance(event, dict) or not isinstance(event.get("ticket_id"), int):
                    raise self._malformed(EVENTS, "an event without a ticket")
                window.updates[event["ticket_id"]][event.get("id")] = event
            window.end = max(window.end, end_time)
            if body.get("end_of_stream") is True or end_time <= start_time:
                return
            start_time = end_time

    def _history(self, updates: list[Json], requester: Any, roles: Mapping[Any, str]) -> list[RemoteEvent]:
        """What the SLA engine replays, oldest first, from one ticket's updates."""
        found: list[RemoteEvent] = []
        for update in updates:
            at = self._time(update.get("created_at"), EVENTS)
            updater = update.get("updater_id")
            for child in update.get("child_events") or ():
                if isinstance(child, dict):
                    found.extend(RemoteEvent(at, kind) for kind in _kinds(child, updater, requester, roles))
        return sorted(set(found), key=lambda e: (e.at, e.kind.value))

    # -- tickets ----------------------------------------------------------------------------------------------------

    def _read_page(self, page: Any, window: _Window) -> tuple[list[RemoteTicket], str, bool]:
        tickets = page.get("tickets") if isinstance(page, dict) else None
        after = page.get("after_cursor") if isinstance(page, dict) else None
        if not isinstance(tickets, list) or not isinstance(after, str) or not after:
            raise self._malformed(TICKETS, "no tickets or after_cursor")
        updated = [self._time(raw.get("updated_at"), TICKETS) for raw in tickets if isinstance(raw, dict)]
        if updated and max(updated).timestamp() > window.end:
            self._read_events(window)  # a ticket changed after the stream was read: read on, once
        users = _by_id(page.get("users"))
        orgs = _by_id(page.get("organizations"))
        metrics = {m.get("ticket_id"): m for m in _by_id(page.get("metric_sets")).values()}
        sideloads = _Sideloads(users, orgs, metrics, {uid: str(user.get("role") or "") for uid, user in users.items()})
        read = [self._ticket(raw, sideloads, window) for raw in tickets]
        return [ticket for ticket in read if ticket is not None], after, page.get("end_of_stream") is True

    def _ticket(self, raw: Any, sideloads: _Sideloads, window: _Window) -> RemoteTicket | None:
        """One ticket of the export; None for a deleted one."""
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), int):
            raise self._malformed(TICKETS, "a ticket without an id")
        if raw.get("status") == "deleted":
            return None
        requester = raw.get("requester_id")
        created = self._time(raw.get("created_at"), TICKETS)
        events = self._history(list(window.updates[raw["id"]].values()), requester, sideloads.roles)
        metric = sideloads.metrics.get(raw["id"], {})
        status = str(raw.get("status") or "")
        return RemoteTicket(
            number=str(raw["id"]),
            subject=str(raw.get("subject") or raw.get("raw_subject") or ""),
            priority=str(raw.get("priority") or ""),
            status=status,
            created=created,
            updated=self._time(raw.get("updated_at"), TICKETS),
            organization=str(sideloads.orgs.get(raw.get("organization_id"), {}).get("name") or ""),
            requester_email=str(sideloads.users.get(requester, {}).get("email") or ""),
            first_response=_first_response(created, events, metric, whole=created.timestamp() >= window.start),
            solved=self._solved(events, metric) if status in ("solved", "closed") else None,
            events=tuple(events),
        )

    def _solved(self, events: list[RemoteEvent], metric: Json) -> datetime | None:
        """When a solved ticket was last solved: the ticket metrics' ``solved_at``, else the last solve read."""
        if metric.get("solved_at"):
            return self._time(metric["solved_at"], TICKETS)
        return next((e.at for e in reversed(events) if e.kind is TicketEventKind.SOLVED), None)

    # -- reading ----------------------------------------------------------------------------------------------------

    def _time(self, value: Any, where: str) -> datetime:
        """An ISO 8601 timestamp of the API as UTC. Raises SyncError (MALFORMED)."""
        try:
            when = datetime.fromisoformat(str(value))
        except ValueError:
            raise self._malformed(where, f"the time {str(value)[:40]!r}") from None
        if when.tzinfo is None:
            raise self._malformed(where, f"the time {str(value)[:40]!r} without a zone")
        return when.astimezone(UTC)

    def _malformed(self, where: str, what: str) -> SyncError:
        return SyncError(Failure.MALFORMED, f"{self.name} sent an answer at {where} that tamdesk cannot read ({what}).")


@dataclass
class _Window:
    """The event window of a sync: from ``start`` to ``end`` (Unix seconds), the ticket updates read in it by
    ticket id, each once by update id (the export repeats the updates of its boundary second)."""

    start: int
    end: int
    updates: defaultdict[int, dict[Any, Json]] = field(default_factory=lambda: defaultdict(dict))


@dataclass(frozen=True)
class _Sideloads:
    """What a ticket page sideloads, by id (metric sets by ticket id), and each user's role."""

    users: Mapping[Any, Json]
    orgs: Mapping[Any, Json]
    metrics: Mapping[Any, Json]
    roles: Mapping[Any, str]


def _first_response(created: datetime, events: list[RemoteEvent], metric: Json, *, whole: bool) -> datetime | None:
    """The first public agent reply: read from the events when they cover the ticket's whole life (to the second),
    else from the ticket metrics' ``reply_time_in_minutes`` (calendar minutes after creation)."""
    responses = [e.at for e in events if e.kind is TicketEventKind.RESPONSE]
    if whole and responses:
        return responses[0]
    reply = metric.get("reply_time_in_minutes")
    minutes = reply.get("calendar") if isinstance(reply, dict) else None
    if isinstance(minutes, int):
        return created + timedelta(minutes=minutes)
    return responses[0] if responses else None


def _format_cursor(watermark: int, after: str) -> str:
    return f"{_CURSOR_PREFIX}:{watermark}:{after}"


def _by_id(items: Any) -> dict[Any, Json]:
    """A sideload list by id (an absent or odd sideload is empty: the fields it fills stay blank)."""
    return {item.get("id"): item for item in items if isinstance(item, dict)} if isinstance(items, list) else {}


def _kinds(child: Json, updater: Any, requester: Any, roles: Mapping[Any, str]) -> list[TicketEventKind]:
    """The history kinds one child event of a ticket update means (none for most).

    A comment's author is an agent when the sideloaded users say so; an author they do not list (an agent who is
    neither requester nor assignee) counts as an agent unless it is the requester.
    """
    kind = child.get("event_type") or child.get("type")
    if kind == "Comment":
        author = child.get("author_id", updater)
        is_agent = roles[author] in _AGENT_ROLES if author in roles else author not in (None, requester)
        return [TicketEventKind.RESPONSE] if child.get("public") is True and is_agent else []
    change = _status_change(child) if kind == "Change" else None
    if change is None:
        return []
    new, old = change
    found = []
    if old == "solved" and new in _OPEN_AGAIN:
        found.append(TicketEventKind.REOPENED)
    if new == "pending" and old != "pending":
        found.append(TicketEventKind.WAITING_ON_CUSTOMER)
    elif old == "pending" and new in ("new", "open") and updater == requester:
        found.append(TicketEventKind.CUSTOMER_REPLIED)
    elif new == "solved" and old != "solved":
        found.append(TicketEventKind.SOLVED)
    return found


def _status_change(child: Json) -> tuple[Any, Any] | None:
    """(new, previous) status of a "Change" child event, or None when it changes another field.

    The event export names the changed field as the key (``"status": "pending"``); an audit event names it in
    ``field_name`` with the new ``value``. Both carry ``previous_value``.
    """
    if "status" in child:
        return child["status"], child.get("previous_value")
    if child.get("field_name") == "status":
        return child.get("value"), child.get("previous_value")
    return None
