"""A Jira Service Management Cloud site on loopback, answering the endpoints ``JsmClient`` uses as Jira documents them.

Use::

    site = JsmSite(issues=[jsm_issue("SUP-1", created=..., updated=..., organization="Acme Analytics")], page_size=2)
    with loopback(fake_jsm(site)) as live:
        info = ConnectionInfo("acme", SourceKind.JSM, live.url, EMAIL)
        client = JsmClient(info, TOKEN, start=..., sleep=waits.append)

``fake_jsm(site)`` returns a :class:`LoopbackServer` serving, from the in-memory :class:`JsmSite`:

- ``GET /rest/api/3/myself``: the account (``displayName``, ``emailAddress``, ``timeZone``).
- ``GET /rest/api/3/field``: system fields and the Service Management custom fields (Organizations, "Time to first
  response" and "Time to resolution"), with the ids in ``ORGANIZATIONS``, ``FIRST_RESPONSE`` and ``RESOLUTION``.
- ``GET /rest/api/3/search/jql``: the issues whose ``updated`` is at or after the JQL's ``updated >= "yyyy/MM/dd
  HH:mm"`` (read in ``site.time_zone``; any other JQL is answered 400 like Jira), ordered by updated then key,
  ``site.page_size`` at a time with an opaque ``nextPageToken`` that is absent on the last page, each issue with
  its changelog cut to the ``site.history_limit`` most recent histories, newest first (as the search does).
- ``GET /rest/api/3/issue/{key}/changelog``: the whole changelog, oldest first, paged by ``startAt``/``maxResults``.

Every request must carry ``Authorization: Basic base64(email:token)`` of ``site.email`` and ``site.token``; any other
gets 401 with Jira's plain-text refusal. ``site.faults[path]`` is a list of :class:`Reply` answered, in order, before
the real answer (a 429 with Retry-After, a 500, a slow reply with ``delay``, a malformed body, an HTML page);
``site.issues`` may be changed between syncs, and ``server.requests`` records what the client sent.

``jsm_issue(...)`` builds an issue as the site stores it (its whole changelog in ``histories``; the search shows
the fields asked for and the recent histories); ``status_change(at, before, after)`` builds one history.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.sync.loopback import LoopbackServer, Reply, Request, Route

EMAIL = "ann@acme.example"
TOKEN = "ATATT3xFfGF0-not-a-real-token"
ORGANIZATIONS = "customfield_10002"
FIRST_RESPONSE = "customfield_10030"
RESOLUTION = "customfield_10031"
UNAUTHORIZED = b"Client must be authenticated to access this resource."
_CHANGELOG = re.compile(r"/rest/api/3/issue/([^/]+)/changelog")
_JQL = re.compile(r'^updated >= "(\d{4}/\d{2}/\d{2} \d{2}:\d{2})" ORDER BY updated ASC, key ASC$')


@dataclass
class JsmSite:
    """The site's data and behaviour; see the module docstring."""

    issues: list[dict[str, Any]] = field(default_factory=list)
    email: str = EMAIL
    token: str = TOKEN
    display_name: str = "Ann Agent"
    time_zone: str = "UTC"
    page_size: int = 50
    history_limit: int = 40
    faults: dict[str, list[Reply]] = field(default_factory=dict)

    def authorized(self, request: Request) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        return request.headers.get("Authorization") == expected


def fake_jsm(site: JsmSite) -> LoopbackServer:
    """A loopback server answering as ``site``."""
    server = LoopbackServer()

    def guarded(answer: Route) -> Route:
        def route(request: Request) -> Reply:
            if not site.authorized(request):
                return Reply(401, UNAUTHORIZED, {"Content-Type": "text/plain;charset=UTF-8"})
            waiting = site.faults.get(request.path)
            if waiting:
                return waiting.pop(0)
            return answer(request)

        return route

    server.route("GET", "/rest/api/3/myself")(guarded(lambda r: _myself(site)))
    server.route("GET", "/rest/api/3/field")(guarded(lambda r: Reply(200, _FIELDS)))
    server.route("GET", "/rest/api/3/search/jql")(guarded(lambda r: _search(site, r)))
    server.routes = _Routes(server.routes, lambda key: guarded(lambda r: _changelog(site, key, r)))
    return server


class _Routes(dict[tuple[str, str], Route]):
    """The fixed routes, and ``/rest/api/3/issue/{key}/changelog`` for any key (issues come and go)."""

    def __init__(self, fixed: dict[tuple[str, str], Route], changelog: Callable[[str], Route]) -> None:
        super().__init__(fixed)
        self.changelog = changelog

    def get(self, key: tuple[str, str], default: Any = None) -> Any:  # type: ignore[override]
        match = _CHANGELOG.fullmatch(key[1])
        if key[0] == "GET" and match:
            return self.changelog(urllib.parse.unquote(match.group(1)))
        return super().get(key, default)


def _myself(site: JsmSite) -> Reply:
    return Reply(200, {
        "self": "https://acme.atlassian.net/rest/api/3/user?accountId=5b10ac8d82e05b22cc7d4ef5",
        "accountId": "5b10ac8d82e05b22cc7d4ef5", "accountType": "atlassian", "emailAddress": site.email,
        "displayName": site.display_name, "active": True, "timeZone": site.time_zone, "locale": "en_US",
    })  # fmt: skip


def _field(field_id: str, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    custom = field_id.startswith("customfield_")
    return {"id": field_id, "key": field_id, "name": name, "custom": custom, "orderable": True, "navigable": True,
            "searchable": True, "clauseNames": [name.lower()], "schema": schema}  # fmt: skip


_FIELDS = [
    _field("summary", "Summary", {"type": "string", "system": "summary"}),
    _field("status", "Status", {"type": "status", "system": "status"}),
    _field("priority", "Priority", {"type": "priority", "system": "priority"}),
    _field("customfield_10010", "Request Type", {"type": "sd-customerrequesttype",
                                                 "custom": "com.atlassian.servicedesk:vp-origin", "customId": 10010}),
    _field(ORGANIZATIONS, "Organizations", {"type": "array", "items": "sd-customerorganization",
                                            "custom": "com.atlassian.servicedesk:sd-customer-organizations",
                                            "customId": 10002}),
    _field(FIRST_RESPONSE, "Time to first response", {"type": "sd-servicelevelagreement",
                                                      "custom": "com.atlassian.servicedesk:sd-sla-field",
                                                      "customId": 10030}),
    _field(RESOLUTION, "Time to resolution", {"type": "sd-servicelevelagreement",
                                              "custom": "com.atlassian.servicedesk:sd-sla-field", "customId": 10031}),
]  # fmt: skip


def _search(site: JsmSite, request: Request) -> Reply:
    match = _JQL.match(request.arg("jql") or "")
    if not match:
        return Reply(400, {"errorMessages": ["Error in the JQL Query: the query is not one this site knows."],
                           "errors": {}})  # fmt: skip
    bound = datetime.strptime(match.group(1), "%Y/%m/%d %H:%M").replace(tzinfo=ZoneInfo(site.time_zone))
    found = sorted((i for i in site.issues if _when(i["fields"]["updated"]) >= bound), key=_order)
    offset = int(base64.urlsafe_b64decode(request.arg("nextPageToken") or "MA==").decode())
    size = int(request.arg("maxResults") or 50)
    page = found[offset : offset + min(size, site.page_size)]
    body: dict[str, Any] = {"issues": [_searched(site, issue, request) for issue in page]}
    if offset + len(page) < len(found):
        body["nextPageToken"] = base64.urlsafe_b64encode(str(offset + len(page)).encode()).decode()
    body["isLast"] = "nextPageToken" not in body
    return Reply(200, body)


def _searched(site: JsmSite, issue: dict[str, Any], request: Request) -> dict[str, Any]:
    """The issue as the search answers it: the fields asked for, the most recent histories when expanded."""
    wanted = set((request.arg("fields") or "").split(","))
    shown = {**issue, "fields": {k: v for k, v in issue["fields"].items() if k in wanted}}
    del shown["histories"]
    if "changelog" in (request.arg("expand") or ""):
        recent = sorted(issue["histories"], key=lambda h: _when(h["created"]), reverse=True)[: site.history_limit]
        shown["changelog"] = {"startAt": 0, "maxResults": len(recent), "total": len(issue["histories"]),
                              "histories": recent}  # fmt: skip
    return shown


def _changelog(site: JsmSite, key: str, request: Request) -> Reply:
    issue = next((i for i in site.issues if i["key"] == key), None)
    if issue is None:
        return Reply(404, {"errorMessages": ["Issue does not exist or you do not have permission to see it."]})
    start, size = int(request.arg("startAt") or 0), int(request.arg("maxResults") or 100)
    histories = sorted(issue["histories"], key=lambda h: _when(h["created"]))
    values = histories[start : start + size]
    return Reply(200, {"self": f"https://acme.atlassian.net/rest/api/3/issue/{key}/changelog", "maxResults": size,
                       "startAt": start, "total": len(histories), "isLast": start + size >= len(histories),
                       "values": values})  # fmt: skip


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _order(issue: dict[str, Any]) -> tuple[datetime, str, int]:
    project, _, number = issue["key"].partition("-")
    return _when(issue["fields"]["updated"]), project, int(number)


# -- building issues --------------------------------------------------------------------------------------------------


def jira_date(moment: datetime) -> str:
    """``2026-03-02T09:15:00.000+0000``: how Jira writes a date-time field."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _sla_date(moment: datetime) -> dict[str, Any]:
    utc = moment.astimezone(UTC)
    return {"iso8601": f"{utc:%Y-%m-%dT%H:%M:%S+0000}", "jira": jira_date(moment),
            "friendly": f"{utc:%d/%b/%y %I:%M %p}", "epochMillis": int(moment.timestamp() * 1000)}  # fmt: skip


def sla_value(name: str, start: datetime, stop: datetime | None, breached: bool, goal_ms: int = 3_600_000) -> Any:
    """An SLA field's value: one completed cycle when ``stop`` is given, else an ongoing one."""
    duration = {"millis": goal_ms, "friendly": f"{goal_ms // 60000}m"}
    value: dict[str, Any] = {"id": "1", "name": name, "_links": {"self": "https://acme.atlassian.net/rest/x"},
                             "completedCycles": [], "slaDisplayFormat": "NEW_SLA_FORMAT"}  # fmt: skip
    if stop is not None:
        value["completedCycles"].append({"startTime": _sla_date(start), "stopTime": _sla_date(stop),
                                         "breached": breached, "goalDuration": duration,
                                         "elapsedTime": duration, "remainingTime": duration})  # fmt: skip
    else:
        value["ongoingCycle"] = {"startTime": _sla_date(start), "breachTime": _sla_date(start), "breached": breached,
                                 "paused": False, "withinCalendarHours": False, "goalDuration": duration,
                                 "elapsedTime": duration, "remainingTime": duration}  # fmt: skip
    return value


def status_change(at: datetime, before: str, after: str, history_id: int = 0) -> dict[str, Any]:
    """One changelog history: a status transition from ``before`` to ``after``."""
    return {"id": str(history_id or int(at.timestamp())), "created": jira_date(at),
            "author": {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Ann Agent"},
            "items": [{"field": "status", "fieldtype": "jira", "fieldId": "status", "from": "10001",
                       "fromString": before, "to": "10002", "toString": after}]}  # fmt: skip


def jsm_issue(
    key: str,
    *,
    created: datetime,
    updated: datetime,
    summary: str = "VPN drops every hour",
    priority: str = "High",
    status: str = "Waiting for support",
    organization: str = "Acme Analytics",
    reporter_email: str = "ana@acme.example",
    resolved: datetime | None = None,
    first_response: datetime | None = None,
    first_response_breached: bool = False,
    histories: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An issue as Jira stores it (``histories`` is the whole changelog; the search shows what it shows of it)."""
    number = key.partition("-")[2]
    return {
        "id": f"10{number}", "key": key, "self": f"https://acme.atlassian.net/rest/api/3/issue/10{number}",
        "fields": {
            "summary": summary, "created": jira_date(created), "updated": jira_date(updated),
            "resolutiondate": jira_date(resolved) if resolved else None,
            "priority": {"id": "2", "name": priority}, "status": {"id": "10001", "name": status},
            "reporter": {"accountId": "qm:1", "emailAddress": reporter_email, "displayName": reporter_email},
            ORGANIZATIONS: [{"id": "1", "name": organization}] if organization else [],
            FIRST_RESPONSE: sla_value("Time to first response", created, first_response, first_response_breached),
            RESOLUTION: sla_value("Time to resolution", created, resolved, False, goal_ms=28_800_000),
        },
        "histories": histories or [],
    }  # fmt: skip
