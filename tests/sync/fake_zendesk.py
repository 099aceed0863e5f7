"""A fake Zendesk Support account on loopback, serving what ``services.sources.zendesk`` reads, from memory.

Usage::

    zd = FakeZendesk(email="ann@acme.example", token="tok")      # the clock starts at FakeZendesk.EPOCH
    org = zd.add_org("Acme Corp")
    ann = zd.add_user("Ann Agent", "ann@acme.example", role="admin")
    bob = zd.add_user("Bob Buyer", "bob@acme.example", org=org)
    t = zd.add_ticket("Printer on fire", requester=bob, priority="urgent")   # status "new", created now
    zd.advance(600); zd.comment(t, ann)                         # a public reply by an agent, 10 min later
    zd.advance(60); zd.set_status(t, "pending", by=ann)
    zd.advance(3600); zd.set_status(t, "open", by=bob)          # the customer answered
    with loopback(zd.server) as live:                            # live.url is the base URL
        ...
    zd.fail_next(TICKETS, Reply(429, {...}, {"Retry-After": "7"}))  # the next request to that path answers this
    zd.fail_next(EVENTS, *[Reply(500, {...})] * 4)                   # ... or these, one request each
    zd.fail_next(ME, Reply(200, {}, delay=2))                        # a slow answer; Reply(200, b"<html>") for HTML

``zd.user(email)`` finds a user's id; ``zd.me`` is the user the token belongs to (the first admin added);
``zd.page_size`` is how many tickets a page of the ticket export holds (2, so three tickets make two pages);
``zd.server.requests`` records every request (query, headers) for assertions.

Every change stamps the ticket's ``updated_at`` and ``generated_timestamp`` with the fake clock and records a ticket
event (one update with its ``child_events``) as the Incremental Ticket Event Export returns it, so an incremental
sync sees exactly the tickets changed since its cursor: call :meth:`advance` between syncs, change tickets, sync.

Endpoints: ``GET /api/v2/users/me.json`` (the signed-in user; Zendesk's anonymous user for wrong credentials),
``GET /api/v2/incremental/tickets/cursor.json`` (``start_time`` or ``cursor``; ``page_size`` tickets a page;
``after_cursor``/``end_of_stream``; sideloads ``users``, ``organizations`` and ``metric_sets`` computed from the
events) and
``GET /api/v2/incremental/ticket_events.json`` (``start_time``; ``end_time``/``end_of_stream``; comment child events
as with the ``comment_events`` sideload). The incremental endpoints answer 401 ``Couldn't authenticate you`` to a
wrong Authorization header, as Zendesk does.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.sync.loopback import LoopbackServer, Reply, Request

ME = "/api/v2/users/me.json"
TICKETS = "/api/v2/incremental/tickets/cursor.json"
EVENTS = "/api/v2/incremental/ticket_events.json"
ANONYMOUS = {"id": None, "name": "Anonymous user", "email": "invalid@example.com", "role": "end-user"}


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FakeZendesk:
    """An account's tickets, users, organizations and ticket events, and the server that answers for them."""

    EPOCH = 1_796_000_000  # 2026-11-30 (UTC), the fake clock's start

    email: str = "ann@acme.example"
    token: str = "zd-token-123"
    page_size: int = 2
    now: int = EPOCH
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    orgs: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    faults: dict[str, list[Reply]] = field(default_factory=dict)
    me: int | None = None  # the user the token belongs to (the first admin added, unless set)
    server: LoopbackServer = field(default_factory=LoopbackServer)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1001))

    def __post_init__(self) -> None:
        self.server.route("GET", ME)(self._me)
        self.server.route("GET", TICKETS)(self._tickets)
        self.server.route("GET", EVENTS)(self._events)

    # -- the dataset ------------------------------------------------------------------------------------------------

    def advance(self, seconds: int) -> int:
        """Move the fake clock on; returns the new time (Unix seconds)."""
        self.now += seconds
        return self.now

    def add_org(self, name: str) -> int:
        org = next(self._ids)
        self.orgs[org] = {"id": org, "name": name, "created_at": iso(self.now), "updated_at": iso(self.now)}
        return org

    def add_user(self, name: str, email: str, *, role: str = "end-user", org: int | None = None) -> int:
        user = next(self._ids)
        self.users[user] = {"id": user, "name": name, "email": email, "role": role, "organization_id": org}
        if self.me is None and role == "admin":
            self.me = user
        return user

    def user(self, email: str) -> int:
        """The id of the user with ``email``."""
        return next(uid for uid, user in self.users.items() if user["email"] == email)

    def add_ticket(self, subject: str, *, requester: int, priority: str = "normal", status: str = "new") -> int:
        """A ticket created now by ``requester`` (in the requester's organization)."""
        ticket = next(self._ids)
        self.tickets[ticket] = {
            "id": ticket, "subject": subject, "raw_subject": subject, "priority": priority, "status": status,
            "requester_id": requester, "submitter_id": requester, "assignee_id": None,
            "organization_id": self.users[requester].get("organization_id"), "type": "incident",
            "created_at": iso(self.now), "updated_at": iso(self.now), "generated_timestamp": self.now,
            "url": f"https://acme.zendesk.com/api/v2/tickets/{ticket}.json", "via": {"channel": "web"},
        }  # fmt: skip
        self._update(ticket, requester, [{"event_type": "Create", "status": status, "priority": priority}])
        return ticket

    def set_status(self, ticket: int, status: str, *, by: int) -> None:
        """``by`` changes the ticket's status now."""
        old = self.tickets[ticket]["status"]
        self.tickets[ticket]["status"] = status
        self._update(ticket, by, [{"event_type": "Change", "status": status, "previous_value": old}])

    def comment(self, ticket: int, author: int, *, public: bool = True, status: str | None = None) -> None:
        """``author`` comments now, changing the status in the same update when ``status`` is given."""
        comment = {"event_type": "Comment", "type": "Comment", "author_id": author, "public": public, "body": "…",
                   "html_body": "<p>…</p>", "attachments": [], "created_at": iso(self.now)}  # fmt: skip
        children: list[dict[str, Any]] = [comment]
        if status is not None:
            children.append({"event_type": "Change", "status": status,
                             "previous_value": self.tickets[ticket]["status"]})  # fmt: skip
            self.tickets[ticket]["status"] = status
        self._update(ticket, author, children)

    def fail_next(self, path: str, *replies: Reply) -> None:
        """The next requests to ``path`` answer ``replies`` (in order) before the data is served again."""
        self.faults.setdefault(path, []).extend(replies)

    def _update(self, ticket: int, updater: int, children: list[dict[str, Any]]) -> None:
        self.tickets[ticket]["updated_at"] = iso(self.now)
        self.tickets[ticket]["generated_timestamp"] = self.now
        for child in children:
            child.setdefault("id", next(self._ids))
            child.setdefault("via", "Web form")
        self.events.append({
            "id": next(self._ids), "ticket_id": ticket, "timestamp": self.now, "created_at": iso(self.now),
            "updater_id": updater, "via": "Web form", "event_type": "Audit", "child_events": children,
        })  # fmt: skip

    # -- answering --------------------------------------------------------------------------------------------------

    def _authorized(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.email}/token:{self.token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    def _fault(self, path: str) -> Reply | None:
        queued = self.faults.get(path)
        return queued.pop(0) if queued else None

    def _me(self, request: Request) -> Reply:
        if fault := self._fault(ME):
            return fault
        known = self._authorized(request) and self.me is not None
        return Reply(200, {"user": self.users[self.me] if known and self.me is not None else ANONYMOUS})

    def _tickets(self, request: Request) -> Reply:
        if fault := self._fault(TICKETS):
            return fault
        if not self._authorized(request):
            return Reply(401, {"error": "Couldn't authenticate you"})
        cursor = request.arg("cursor")
        position = _decode(cursor) if cursor else (int(request.arg("start_time") or 0), 0)
        ordered = sorted(self.tickets.values(), key=lambda t: (t["generated_timestamp"], t["id"]))
        rest = [t for t in ordered if (t["generated_timestamp"], t["id"]) > position]
        page = rest[: self.page_size]
        if page:
            position = (page[-1]["generated_timestamp"], page[-1]["id"])
        after = _encode(position)
        user_ids = {t["requester_id"] for t in page} | {t["submitter_id"] for t in page}
        return Reply(200, {
            "tickets": page, "after_cursor": after, "before_cursor": None, "before_url": None,
            "after_url": f"https://acme.zendesk.com{TICKETS}?cursor={after}", "end_of_stream": len(rest) <= len(page),
            "users": [self.users[u] for u in sorted(user_ids) if u in self.users],
            "organizations": [self.orgs[o] for o in sorted(self.orgs) if o in {t["organization_id"] for t in page}],
            "metric_sets": [self._metric_set(t) for t in page],
        })  # fmt: skip

    def _metric_set(self, ticket: dict[str, Any]) -> dict[str, Any]:
        """The ticket metrics Zendesk keeps: minutes to the first public agent reply, when it was last solved."""
        updates = [e for e in self.events if e["ticket_id"] == ticket["id"]]
        replies = [e["timestamp"] for e in updates for c in e["child_events"] if c["event_type"] == "Comment"
                   and c["public"] and self.users[c["author_id"]]["role"] != "end-user"]  # fmt: skip
        solves = [e["timestamp"] for e in updates for c in e["child_events"] if c.get("status") == "solved"]
        created = int(datetime.fromisoformat(ticket["created_at"]).timestamp())
        minutes = (replies[0] - created) // 60 if replies else None
        solved = ticket["status"] in ("solved", "closed") and solves
        return {
            "id": ticket["id"] + 500_000, "ticket_id": ticket["id"], "created_at": ticket["created_at"],
            "reply_time_in_minutes": {"calendar": minutes, "business": minutes},
            "solved_at": iso(solves[-1]) if solved else None, "reopens": 0, "replies": len(replies),
        }  # fmt: skip

    def _events(self, request: Request) -> Reply:
        if fault := self._fault(EVENTS):
            return fault
        if not self._authorized(request):
            return Reply(401, {"error": "Couldn't authenticate you"})
        start = int(request.arg("start_time") or 0)
        rest = [e for e in self.events if e["timestamp"] >= start]
        page = rest[:1000]
        end = page[-1]["timestamp"] if page else start
        return Reply(200, {
            "ticket_events": page, "count": len(page), "end_time": end, "end_of_stream": len(rest) <= len(page),
            "next_page": f"https://acme.zendesk.com{EVENTS}?start_time={end}",
        })  # fmt: skip


def _encode(position: tuple[int, int]) -> str:
    return base64.b64encode(f"{position[0]}.0||{position[1]}|".encode()).decode()


def _decode(cursor: str) -> tuple[int, int]:
    stamp, _, ticket = base64.b64decode(cursor).decode().rstrip("|").partition("||")
    return int(float(stamp)), int(ticket)
