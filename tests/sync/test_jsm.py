"""The Jira Service Management client against a fake JSM site on loopback (tests/sync/fake_jsm.py).

Documentation followed (read on Atlassian's pages where the stored copy had them, else through faithful copies of
Atlassian's OpenAPI descriptions: the jira.js reference at mrrefactoring.github.io/jira.js and pub.dev's
atlassian_apis):

- https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/ — GET /rest/api/3/search/jql:
  ``jql`` (bounded, ORDER BY), ``fields``, ``expand=changelog`` (newest histories first), ``maxResults``,
  ``nextPageToken`` ("null on the last or only page")
- https://jira.atlassian.com/browse/JRACLOUD-96459 — the search returns at most 40 histories; read the rest with
  GET /rest/api/3/issue/{issueIdOrKey}/changelog (``startAt``, ``maxResults``, ``isLast``, ``values`` oldest first;
  https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/)
- https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/ — GET /rest/api/3/myself
  (``displayName``, ``emailAddress``, ``timeZone``)
- https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-fields/ — GET /rest/api/3/field, the
  schema ``custom`` keys ``com.atlassian.servicedesk:sd-customer-organizations`` and
  ``com.atlassian.servicedesk:sd-sla-field``
- https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/ — SLA information: completedCycles
  (startTime, stopTime as {iso8601, jira, friendly, epochMillis}, breached), ongoingCycle
- https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-organization/ — an organization {id, name}
- https://developer.atlassian.com/cloud/jira/service-desk/basic-auth-for-rest-apis/ — Basic email:api_token
- https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ — 429 with Retry-After in seconds
- JQL dates as "yyyy/MM/dd HH:mm" in the searching user's time zone: Jira's JQL field reference
  (https://support.atlassian.com/jira-software-cloud/docs/jql-fields/), not in the stored copy; as the brief states
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tamdesk.domain.states import TicketEventKind as K
from tamdesk.domain.sync import (
    ConnectionInfo,
    Failure,
    RemoteEvent,
    RemotePage,
    RemoteTicket,
    SourceKind,
    SyncError,
)
from tamdesk.services.sources import make_client
from tamdesk.services.sources.jsm import JsmClient
from tests.sync.fake_jsm import EMAIL, TOKEN, JsmSite, fake_jsm, jsm_issue, status_change
from tests.sync.loopback import LoopbackServer, Reply, loopback

START = datetime(2026, 3, 1, tzinfo=UTC)
SEARCH = "/rest/api/3/search/jql"
NAME = "Jira Service Management (acme)"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "sync" / "jsm"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def dataset() -> list[dict[str, Any]]:
    """Three requests: one waited on the customer, was solved, reopened and solved again."""
    return [
        jsm_issue(
            "SUP-1", created=at(2, 9), updated=at(3, 10), status="Resolved", resolved=at(3, 10),
            priority="Highest", first_response=at(2, 9, 45),
            histories=[
                status_change(at(2, 9, 50), "Waiting for support", "Waiting for customer"),
                status_change(at(2, 11), "Waiting for customer", "Waiting for support"),
                status_change(at(2, 14), "Waiting for support", "Resolved"),
                status_change(at(3, 9), "Resolved", "In progress"),
                status_change(at(3, 10), "In progress", "Resolved"),
            ],
        ),
        jsm_issue("SUP-2", created=at(2, 10), updated=at(2, 12), organization="Globex", priority="Low",
                  reporter_email="bo@globex.example", summary="Export is slow"),
        jsm_issue("SUP-3", created=at(4, 7), updated=at(4, 8), first_response=at(4, 7, 50),
                  first_response_breached=True, summary="Login fails"),
    ]  # fmt: skip


def client(url: str, waits: list[float] | None = None, secret: str = TOKEN, timeout: float = 30.0) -> JsmClient:
    info = ConnectionInfo("acme", SourceKind.JSM, url, EMAIL)
    sleep: Callable[[float], None] = waits.append if waits is not None else _no_sleep
    made = make_client(info, secret, start=START, sleep=sleep, timeout=timeout)
    assert isinstance(made, JsmClient)
    return made


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"slept {seconds} s")


def failure(call: Callable[[], object]) -> SyncError:
    """The SyncError ``call`` raises; one sentence naming the connection, holding neither the token nor its Basic."""
    with pytest.raises(SyncError) as caught:
        call()
    message = str(caught.value)
    basic = base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
    assert TOKEN not in message and basic not in message and "\n" not in message
    assert message.startswith(NAME) and message.endswith((".", "?"))
    return caught.value


def sync(jsm: JsmClient, cursor: str | None) -> list[RemotePage]:
    return list(jsm.pages(cursor))


def keys(pages: list[RemotePage]) -> list[str]:
    return [ticket.number for page in pages for ticket in page.tickets]


def tickets(pages: list[RemotePage]) -> dict[str, RemoteTicket]:
    return {ticket.number: ticket for page in pages for ticket in page.tickets}


def serve(site: JsmSite) -> LoopbackServer:
    return fake_jsm(site)


# -- check ------------------------------------------------------------------------------------------------------------


def test_check_names_the_account() -> None:
    with loopback(serve(JsmSite())) as live:
        assert client(live.url).check() == f"Signed in to {NAME} as Ann Agent <ann@acme.example>."
    basic = base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
    assert [(r.path, r.headers["Authorization"]) for r in live.requests] == [("/rest/api/3/myself", f"Basic {basic}")]


def test_check_with_a_wrong_token() -> None:
    with loopback(serve(JsmSite())) as live:
        error = failure(lambda: client(live.url, secret="ATATT-wrong").check())
    assert error.failure is Failure.AUTH
    assert str(error) == f"{NAME} refused the sign-in: the user or token is wrong or expired."


def test_check_against_a_site_that_is_not_jira() -> None:
    site = JsmSite(faults={"/rest/api/3/myself": [Reply(200, b"<!DOCTYPE html><title>Log in</title>",
                                                        {"Content-Type": "text/html"})]})  # fmt: skip
    with loopback(serve(site)) as live:
        error = failure(lambda: client(live.url).check())
    assert error.failure is Failure.NOT_FOUND and "did not answer with JSON at /rest/api/3/myself" in str(error)


def test_check_without_permission() -> None:
    refusal = Reply(403, {"errorMessages": ["You do not have permission to access this resource."], "errors": {}})
    with loopback(serve(JsmSite(faults={"/rest/api/3/myself": [refusal]}))) as live:
        error = failure(lambda: client(live.url).check())
    assert error.failure is Failure.PERMISSION
    assert str(error) == (f'{NAME} does not let this user read /rest/api/3/myself: "You do not have permission to '
                          f'access this resource.".')  # fmt: skip


# -- pages ------------------------------------------------------------------------------------------------------------


def test_first_sync_reads_every_issue_since_the_start_across_two_pages() -> None:
    with loopback(serve(JsmSite(issues=dataset(), page_size=2))) as live:
        pages = sync(client(live.url), None)
    assert [(len(p.tickets), p.done) for p in pages] == [(2, False), (1, True)]
    assert keys(pages) == ["SUP-2", "SUP-1", "SUP-3"]
    assert pages[0].cursor == "2026-03-03T10:00:00+00:00|SUP-1"
    assert pages[-1].cursor == "2026-03-04T08:00:00+00:00|SUP-3"
    searches = [r for r in live.requests if r.path == SEARCH]
    assert searches[0].arg("jql") == 'updated >= "2026/03/01 00:00" ORDER BY updated ASC, key ASC'
    assert searches[0].arg("expand") == "changelog"
    assert "customfield_10002" in (searches[0].arg("fields") or "").split(",")
    assert searches[1].arg("nextPageToken") and not searches[0].arg("nextPageToken")
    assert [r.path for r in live.requests].count("/rest/api/3/field") == 1


def test_a_ticket_as_jsm_says_it() -> None:
    with loopback(serve(JsmSite(issues=dataset()))) as live:
        found = tickets(sync(client(live.url), None))
    assert found["SUP-2"] == RemoteTicket(
        number="SUP-2", subject="Export is slow", priority="Low", status="Waiting for support",
        created=at(2, 10), updated=at(2, 12), organization="Globex", requester_email="bo@globex.example",
    )  # fmt: skip
    assert found["SUP-3"].first_response == at(4, 7, 50) and found["SUP-3"].first_response_breached is True
    assert found["SUP-1"].first_response_breached is False and found["SUP-1"].resolution_breached is False
    assert (found["SUP-1"].organization, found["SUP-1"].requester_email) == ("Acme Analytics", "ana@acme.example")


def test_history_from_the_changelog() -> None:
    with loopback(serve(JsmSite(issues=dataset()))) as live:
        one = tickets(sync(client(live.url), None))["SUP-1"]
    assert [(e.at, e.kind) for e in one.events] == [
        (at(2, 9, 45), K.RESPONSE),
        (at(2, 9, 50), K.WAITING_ON_CUSTOMER),
        (at(2, 11), K.CUSTOMER_REPLIED),
        (at(2, 14), K.SOLVED),
        (at(3, 9), K.REOPENED),
        (at(3, 10), K.SOLVED),
    ]
    assert one.history_known and one.solved == at(3, 10) and one.status == "Resolved" and one.priority == "Highest"


def test_a_long_changelog_is_read_from_the_issue_itself() -> None:
    site = JsmSite(issues=dataset(), history_limit=2)
    with loopback(serve(site)) as live:
        one = tickets(sync(client(live.url), None))["SUP-1"]
    assert [e.kind for e in one.events] == [K.RESPONSE, K.WAITING_ON_CUSTOMER, K.CUSTOMER_REPLIED, K.SOLVED,
                                            K.REOPENED, K.SOLVED]  # fmt: skip
    assert [r.path for r in live.requests].count("/rest/api/3/issue/SUP-1/changelog") == 1


def test_an_incremental_sync_reads_only_what_changed_and_the_same_cursor_reads_the_same() -> None:
    site = JsmSite(issues=dataset(), page_size=2)
    with loopback(serve(site)) as live:
        cursor = sync(client(live.url), None)[-1].cursor
        waiting = status_change(at(6, 9), "Waiting for support", "Waiting for customer")
        site.issues[1] = jsm_issue("SUP-2", created=at(2, 10), updated=at(6, 9), status="Waiting for customer",
                                   organization="Globex", histories=[waiting])  # fmt: skip
        site.issues.append(jsm_issue("SUP-4", created=at(6, 10), updated=at(6, 10)))
        first = sync(client(live.url), cursor)
        again = sync(client(live.url), cursor)
        nothing_new = sync(client(live.url), first[-1].cursor)
    assert keys(first) == ["SUP-2", "SUP-4"] and first[-1].done
    assert [e.kind for e in tickets(first)["SUP-2"].events] == [K.WAITING_ON_CUSTOMER]
    assert first == again
    assert [(p.tickets, p.cursor, p.done) for p in nothing_new] == [([], first[-1].cursor, True)]
    jql = [r.arg("jql") for r in live.requests if r.path == SEARCH]
    assert jql[-3] == 'updated >= "2026/03/04 08:00" ORDER BY updated ASC, key ASC'


def test_the_jql_bound_is_in_the_users_time_zone() -> None:
    site = JsmSite(issues=dataset(), time_zone="Australia/Sydney")
    with loopback(serve(site)) as live:
        pages = sync(client(live.url), "2026-03-04T08:00:00+00:00|SUP-3")
    assert keys(pages) == []
    assert [r.arg("jql") for r in live.requests if r.path == SEARCH] == [
        'updated >= "2026/03/04 19:00" ORDER BY updated ASC, key ASC'
    ]


def test_a_wall_time_met_twice_is_asked_an_hour_early() -> None:
    site = JsmSite(time_zone="America/New_York")
    first_one_thirty = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT; 01:30 EST comes an hour later
    with loopback(serve(site)) as live:
        sync(client(live.url), f"{first_one_thirty.isoformat()}|SUP-1")
    assert [r.arg("jql") for r in live.requests if r.path == SEARCH] == [
        'updated >= "2026/11/01 00:30" ORDER BY updated ASC, key ASC'
    ]


def test_rate_limited_then_answered() -> None:
    busy = Reply(429, {"errorMessages": ["Rate limit exceeded."]}, {"Retry-After": "7"})
    waits: list[float] = []
    with loopback(serve(JsmSite(issues=dataset(), faults={SEARCH: [busy]}))) as live:
        pages = sync(client(live.url, waits), None)
    assert waits == [7.0] and keys(pages) == ["SUP-2", "SUP-1", "SUP-3"]


def test_a_broken_service_is_retried_then_told() -> None:
    down = [Reply(500, {"errorMessages": ["Internal server error"]}) for _ in range(4)]
    waits: list[float] = []
    with loopback(serve(JsmSite(issues=dataset(), faults={SEARCH: down}))) as live:
        error = failure(lambda: sync(client(live.url, waits), None))
    assert (error.failure, str(error)) == (Failure.UNAVAILABLE, f'{NAME} is unavailable (HTTP 500): "Internal server '
                                                                f'error".')  # fmt: skip
    assert waits == [2.0, 4.0, 8.0] and [r.path for r in live.requests].count(SEARCH) == 4


def test_a_slow_answer_times_out() -> None:
    slow = [Reply(200, {"issues": []}, delay=1.0) for _ in range(4)]
    waits: list[float] = []
    with loopback(serve(JsmSite(issues=dataset(), faults={SEARCH: slow}))) as live:
        error = failure(lambda: sync(client(live.url, waits, timeout=0.2), None))
    assert (error.failure, str(error)) == (Failure.UNREACHABLE, f"{NAME} did not answer within 0.2 s.")
    assert len(waits) == 3


@pytest.mark.parametrize(
    ("body", "told"),
    [
        ({"total": 0, "isLast": True}, "a page of the issue search has no list of issues"),
        ({"issues": [{"key": "SUP-9"}]}, "an issue of the search has no key or no fields"),
    ],
)
def test_a_malformed_page(body: object, told: str) -> None:
    with loopback(serve(JsmSite(faults={SEARCH: [Reply(200, body)]}))) as live:
        error = failure(lambda: sync(client(live.url), None))
    assert (error.failure, str(error)) == (Failure.MALFORMED, f"{NAME} sent an answer tamdesk cannot read: {told}.")


def test_a_bad_date_is_malformed() -> None:
    issue = jsm_issue("SUP-9", created=at(2, 9), updated=at(2, 9))
    issue["fields"]["created"] = "02/Mar/26 9:15 AM"  # the CSV export's way, not the API's
    with loopback(serve(JsmSite(issues=[issue]))) as live:
        error = failure(lambda: sync(client(live.url), None))
    assert error.failure is Failure.MALFORMED
    assert str(error).startswith(f"{NAME} sent an answer tamdesk cannot read: issue SUP-9 has a value it cannot read")


def test_a_stored_cursor_tamdesk_did_not_write() -> None:
    with loopback(serve(JsmSite())) as live:
        error = failure(lambda: sync(client(live.url), "page=2"))
    assert error.failure is Failure.MALFORMED and live.requests == []


def test_a_site_without_service_management_fields_still_syncs() -> None:
    site = JsmSite(issues=dataset()[1:2], faults={"/rest/api/3/field": [Reply(200, [])]})
    with loopback(serve(site)) as live:
        only = tickets(sync(client(live.url), None))["SUP-2"]
    assert (only.organization, only.first_response, only.first_response_breached) == ("", None, None)
    assert only.requester_email == "bo@globex.example" and START + timedelta(days=1) < only.updated


def test_a_page_written_from_the_documentation_examples() -> None:
    """SUP-101 of tests/fixtures/exports/jsm_issues.csv, as the search answers it: one ticket either way."""
    page = json.loads((FIXTURES / "search_page.json").read_text(encoding="utf-8"))
    with loopback(serve(JsmSite(faults={SEARCH: [Reply(200, page)]}))) as live:
        (only,) = tickets(sync(client(live.url), None)).values()
    assert only == RemoteTicket(
        number="SUP-101", subject="VPN drops every hour", priority="Highest", status="Waiting for customer",
        created=at(2, 9, 15), updated=at(3, 10), organization="Acme Analytics", requester_email="ana@acme.example",
        first_response=at(2, 9, 50), first_response_breached=False, resolution_breached=True,
        events=(RemoteEvent(at(2, 9, 50), K.WAITING_ON_CUSTOMER), RemoteEvent(at(2, 9, 50), K.RESPONSE)),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("before", "after", "kinds"),
    [
        ("Waiting for support", "Waiting for customer", [K.WAITING_ON_CUSTOMER]),
        ("Waiting for customer", "Waiting for support", [K.CUSTOMER_REPLIED]),
        ("Waiting for customer", "Pending", [K.CUSTOMER_REPLIED]),
        ("Waiting for customer", "Resolved", [K.SOLVED]),
        ("In progress", "Done", [K.SOLVED]),
        ("Resolved", "Closed", []),
        ("Resolved", "In progress", [K.REOPENED]),
        ("Closed", "Waiting for customer", [K.REOPENED, K.WAITING_ON_CUSTOMER]),
        ("Waiting for support", "Under review", []),  # a custom workflow's status counts as open
        ("Under review", "Canceled", [K.SOLVED]),
    ],
)
def test_status_transitions(before: str, after: str, kinds: list[K]) -> None:
    issue = jsm_issue("SUP-5", created=at(2, 9), updated=at(2, 10), histories=[status_change(at(2, 10), before, after)])
    with loopback(serve(JsmSite(issues=[issue]))) as live:
        (only,) = tickets(sync(client(live.url), None)).values()
    assert [event.kind for event in only.events] == kinds


def test_an_issue_changed_during_a_sync_sends_the_next_sync_back_before_it() -> None:
    """The fake pages by offset: SUP-1 changing after page 1 shifts SUP-2 into page 1's place, unread."""
    site = JsmSite(issues=[jsm_issue(f"SUP-{n}", created=at(2, 9), updated=at(2, 9 + n)) for n in (1, 2, 3)],
                   page_size=1)  # fmt: skip
    with loopback(serve(site)) as live:
        pages = client(live.url).pages(None)
        first = next(pages)
        site.issues[0] = jsm_issue("SUP-1", created=at(2, 9), updated=at(2, 20), status="In progress")
        rest = list(pages)
        again = sync(client(live.url), rest[-1].cursor)
    assert keys([first, *rest]) == ["SUP-1", "SUP-3", "SUP-1"]  # SUP-2 was skipped by the shift
    assert first.cursor == "2026-03-02T10:00:00+00:00|SUP-1"
    assert [p.cursor for p in rest] == ["2026-03-02T12:00:00+00:00|SUP-3", "2026-03-01T00:00:00+00:00|"]
    assert keys(again) == ["SUP-2", "SUP-3", "SUP-1"]
