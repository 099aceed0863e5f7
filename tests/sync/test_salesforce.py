"""The Salesforce client against a fake org on loopback (tests/sync/fake_salesforce.py).

Documentation followed (Salesforce's own pages, as found):

- OAuth 2.0 refresh token flow (rotation included):
  https://help.salesforce.com/apex/HTViewHelpDoc?id=remoteaccess_oauth_refresh_token_flow.htm&language=en_US
  https://developer.salesforce.com/docs/atlas.en-us.222.0.api_rest.meta/api/intro_understanding_refresh_token_oauth.htm
- Query resource, nextRecordsUrl: https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.md
  https://developer.salesforce.com/docs/platform/api-rest/guide/dome-query.md
- Query Options header (batchSize 200 to 2,000, not guaranteed):
  https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
- SOQL dateTime literals, unquoted:
  https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/api/sforce_api_calls_soql_select_dateformats.htm
- Case: https://developer.salesforce.com/docs/atlas.en-us.252.0.object_reference.meta/object_reference/sforce_api_objects_case.htm
- CaseHistory: https://developer.salesforce.com/docs/atlas.en-us.264.0.object_reference.meta/object_reference/sforce_api_objects_casehistory.htm
- CaseMilestone: https://developer.salesforce.com/docs/atlas.en-us.264.0.object_reference.meta/object_reference/sforce_api_objects_casemilestone.htm
- Status codes and error responses (INVALID_SESSION_ID, REQUEST_LIMIT_EXCEEDED):
  https://developer.salesforce.com/docs/atlas.en-us.264.0.api_rest.meta/api_rest/errorcodes.htm
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tamdesk.domain.states import TicketEventKind as K
from tamdesk.domain.sync import ConnectionInfo, Failure, RemotePage, RemoteTicket, SourceKind, SyncError
from tamdesk.services.sources import make_client
from tamdesk.services.sources.salesforce import SalesforceClient
from tests.sync.fake_salesforce import (
    FakeSalesforce,
    fake_salesforce,
    malformed,
    rate_limited,
    server_error,
    slow,
    too_many,
)
from tests.sync.loopback import LoopbackServer, Reply, loopback

START = datetime(2026, 11, 30, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakeSalesforce]:
    org = fake_salesforce(page_size=3)
    with loopback(org.server):
        yield org


def client(fake: FakeSalesforce, waits: list[float] | None = None, secret: str | None = None,
           **kwargs: object) -> SalesforceClient:  # fmt: skip
    info = ConnectionInfo("acme", SourceKind.SALESFORCE, fake.server.url, fake.client_id)
    made = make_client(info, fake.refresh_token if secret is None else secret, start=START,
                       sleep=(waits if waits is not None else []).append, **kwargs)  # type: ignore[arg-type]  # fmt: skip
    assert isinstance(made, SalesforceClient)
    return made


def failure(fake: FakeSalesforce, call: object) -> SyncError:
    """The SyncError ``call`` raises, checked to be one line holding no token."""
    with pytest.raises(SyncError) as caught:
        call()  # type: ignore[operator]
    message = str(caught.value)
    assert "\n" not in message and message.endswith((".", "?"))
    for secret in (fake.refresh_token, fake.access_token, "fakeRefreshToken", "accessToken"):
        assert secret not in message
    return caught.value


def tickets(pages: list[RemotePage]) -> dict[str, RemoteTicket]:
    return {t.number: t for page in pages for t in page.tickets}


# -- check --------------------------------------------------------------------------------------------------------


def test_check_signs_in_and_reads_each_object(fake: FakeSalesforce) -> None:
    said = client(fake).check()
    assert said == (f"Signed in to Salesforce (acme) at {fake.server.url}; cases, case history and milestones are "
                     "readable.")  # fmt: skip
    assert [q.split(" FROM ")[1] for q in fake.queries] == [
        f"{o} LIMIT 1" for o in ("Case", "CaseHistory", "CaseMilestone")
    ]
    token = next(r for r in fake.server.requests if r.method == "POST")
    assert token.path == "/services/oauth2/token"
    assert token.form() == {"grant_type": "refresh_token", "client_id": fake.client_id,
                            "refresh_token": fake.refresh_token}  # fmt: skip
    query = next(r for r in fake.server.requests if r.method == "GET")
    assert query.headers["Authorization"] == f"Bearer {fake.access_token}"
    assert query.headers["Sforce-Query-Options"] == "batchSize=200"


def test_an_invalid_refresh_token_is_a_refused_sign_in(fake: FakeSalesforce) -> None:
    error = failure(fake, lambda: client(fake, secret="5Aep861revokedToken").check())
    assert error.failure is Failure.AUTH
    assert str(error) == ('Salesforce (acme) refused the sign-in ("expired access/refresh token"): the refresh token '
                          "is wrong, expired or revoked; connect tamdesk to Salesforce again.")  # fmt: skip
    assert "5Aep861revokedToken" not in str(error)
    assert len(fake.server.requests) == 1, "a refused sign-in is not retried"


def test_a_wrong_consumer_key_is_named(fake: FakeSalesforce) -> None:
    info = ConnectionInfo("acme", SourceKind.SALESFORCE, fake.server.url, "3MVG9wrongKey")
    error = failure(fake, lambda: SalesforceClient(info, fake.refresh_token, start=START).check())
    assert error.failure is Failure.AUTH and "consumer key" in str(error)


def test_a_base_url_that_is_not_salesforce() -> None:
    site = LoopbackServer()
    site.route("POST", "/services/oauth2/token")(lambda r: Reply(200, b"<!doctype html><title>Acme intranet</title>"))
    with loopback(site) as live:
        info = ConnectionInfo("acme", SourceKind.SALESFORCE, live.url, "3MVG9key")
        with pytest.raises(SyncError) as caught:
            SalesforceClient(info, "5Aep861token", start=START, sleep=lambda s: None).check()
    assert caught.value.failure is Failure.NOT_FOUND
    assert str(caught.value) == (
        "Salesforce (acme) did not answer with JSON at /services/oauth2/token: is the base URL the service's address?"
    )


def test_a_server_without_a_token_endpoint() -> None:
    with loopback() as live:  # answers 404 {"error": "InvalidEndpoint", …}: an error, but not an OAuth refusal
        info = ConnectionInfo("acme", SourceKind.SALESFORCE, live.url, "3MVG9key")
        with pytest.raises(SyncError) as caught:
            SalesforceClient(info, "5Aep861token", start=START).check()
    assert caught.value.failure is Failure.NOT_FOUND
    assert str(caught.value) == "Salesforce (acme) has nothing at /services/oauth2/token: is the base URL right?"


def test_a_json_answer_without_a_token_is_not_salesforce() -> None:
    site = LoopbackServer()
    site.route("POST", "/services/oauth2/token")(lambda r: Reply(200, {"status": "ok"}))
    with loopback(site) as live:
        info = ConnectionInfo("acme", SourceKind.SALESFORCE, live.url, "3MVG9key")
        with pytest.raises(SyncError) as caught:
            SalesforceClient(info, "5Aep861token", start=START).check()
    assert caught.value.failure is Failure.NOT_FOUND and "login or My Domain address" in str(caught.value)


def test_no_permission_to_read_milestones_names_the_object(fake: FakeSalesforce) -> None:
    fake.denied.add("CaseMilestone")
    error = failure(fake, lambda: client(fake).check())
    assert error.failure is Failure.PERMISSION
    assert str(error) == ("Salesforce (acme) does not let this user read case milestones (CaseMilestone): ask the "
                          "Salesforce admin for read access to it.")  # fmt: skip


# -- syncing ------------------------------------------------------------------------------------------------------


def test_first_sync_reads_every_case_across_two_pages(fake: FakeSalesforce) -> None:
    pages = list(client(fake).pages(None))
    assert [len(p.tickets) for p in pages] == [3, 2] and [p.done for p in pages] == [False, True]
    assert [t.number for p in pages for t in p.tickets] == ["00001001", "00001002", "00001003", "00001004", "00001005"]
    assert pages[0].cursor == "2026-12-03T09:00:00.000+00:00|500Hs00001HookCIAF"
    assert pages[1].cursor == "2026-12-04T09:00:00.000+00:00|500Hs00001SloEeIAF"
    assert fake.queries[0] == (
        "SELECT Id, CaseNumber, Subject, Priority, Status, CreatedDate, SystemModstamp, ClosedDate, IsClosed, "
        "Account.Name, ContactEmail, SuppliedEmail FROM Case WHERE SystemModstamp >= 2026-11-30T00:00:00Z "
        "ORDER BY SystemModstamp, Id"
    )
    history, milestones = fake.queries[1], fake.queries[2]
    assert history == ("SELECT CaseId, CreatedDate, OldValue, NewValue FROM CaseHistory WHERE Field = 'Status' AND "
                       "CaseId IN ('500Hs00001SsoAaIAF', '500Hs00001CsvBbIAF', '500Hs00001HookCIAF') "
                       "ORDER BY CreatedDate")  # fmt: skip
    assert milestones.startswith("SELECT CaseId, CompletionDate, IsViolated FROM CaseMilestone WHERE "
                                 "MilestoneType.Name = 'First Response' AND CaseId IN (")  # fmt: skip
    assert len(fake.queries) == 5, "one case query and, per page, one history and one milestone query"


def test_fields_account_and_contact(fake: FakeSalesforce) -> None:
    found = tickets(list(client(fake).pages(None)))
    sso = found["00001001"]
    assert (sso.subject, sso.priority, sso.status) == ("SSO login fails after the 4.2 upgrade", "Critical", "Working")
    assert (sso.created, sso.updated, sso.solved) == (at(1, 8), at(1, 9, 45), None)
    assert (sso.organization, sso.requester_email) == ("Acme Corp", "ana@acme.com")
    csv = found["00001002"]
    assert (csv.organization, csv.requester_email, csv.solved) == ("Acme Corp", "ops@acme.com", at(2, 12))
    assert (found["00001004"].organization, found["00001004"].requester_email) == ("", "li@globex.com")


def test_history_and_first_response(fake: FakeSalesforce) -> None:
    found = tickets(list(client(fake).pages(None)))

    def kinds(number: str) -> list[tuple[datetime, K]]:
        return [(e.at, e.kind) for e in found[number].events]

    assert kinds("00001001") == [(at(1, 8, 40), K.RESPONSE), (at(1, 9), K.WAITING_ON_CUSTOMER),
                                 (at(1, 9, 45), K.CUSTOMER_REPLIED)]  # fmt: skip
    assert kinds("00001002") == [(at(1, 13), K.RESPONSE), (at(2, 12), K.SOLVED)]
    assert kinds("00001003") == [(at(2, 15), K.SOLVED), (at(3, 9), K.REOPENED)]
    assert kinds("00001004") == [(at(4, 9), K.WAITING_ON_CUSTOMER), (at(4, 9), K.RESPONSE)]
    assert kinds("00001005") == []
    assert [(found[n].first_response, found[n].first_response_breached) for n in sorted(found)] == [
        (at(1, 8, 40), False), (at(1, 13), True), (None, None), (at(4, 9), False), (None, False),
    ]  # fmt: skip
    assert all(t.history_known for t in found.values())


def test_incremental_sync_from_a_stored_cursor(fake: FakeSalesforce) -> None:
    first = list(client(fake).pages(None))
    fake.data["cases"][0]["SystemModstamp"] = "2026-12-05T10:00:00.000+0000"  # case 00001001 changed since
    again = list(client(fake).pages(first[-1].cursor))
    assert [t.number for p in again for t in p.tickets] == ["00001001"]
    assert again[-1].cursor == "2026-12-05T10:00:00.000+00:00|500Hs00001SsoAaIAF" and again[-1].done
    assert "WHERE SystemModstamp >= 2026-12-04T09:00:00Z" in fake.queries[-3]


def test_a_cursor_inside_a_second_skips_only_the_cases_read(fake: FakeSalesforce) -> None:
    """Two cases share a SystemModstamp; a sync stopped between them resumes with the second."""
    pages = list(client(fake).pages("2026-12-04T09:00:00.000+00:00|500Hs00001LimDdIAF"))
    assert [t.number for p in pages for t in p.tickets] == ["00001005"]


def test_the_same_cursor_twice_gives_the_same_tickets(fake: FakeSalesforce) -> None:
    cursor = next(client(fake).pages(None)).cursor
    once, twice = list(client(fake).pages(cursor)), list(client(fake).pages(cursor))
    assert once == twice and [t.number for p in once for t in p.tickets] == ["00001004", "00001005"]


def test_nothing_new_keeps_the_cursor(fake: FakeSalesforce) -> None:
    cursor = list(client(fake).pages(None))[-1].cursor
    (page,) = list(client(fake).pages(cursor))
    assert (page.tickets, page.cursor, page.done) == ([], cursor, True)


def test_an_expired_session_is_renewed_once(fake: FakeSalesforce) -> None:
    sync = client(fake)
    pages = sync.pages(None)
    next(pages)
    fake.expire_session()
    assert [t.number for t in next(pages).tickets] == ["00001004", "00001005"]
    assert fake.sign_ins == 2
    statuses = [(r.method, r.path.rsplit("/", 1)[-1]) for r in fake.server.requests]
    assert statuses.count(("POST", "token")) == 2


def test_a_session_refused_after_renewal_fails(fake: FakeSalesforce) -> None:
    fake.faults += [Reply(401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])] * 2
    error = failure(fake, lambda: list(client(fake).pages(None)))
    assert error.failure is Failure.AUTH and fake.sign_ins == 2


# -- failures -----------------------------------------------------------------------------------------------------


def test_429_waits_as_told_then_succeeds(fake: FakeSalesforce) -> None:
    waits: list[float] = []
    fake.faults.append(too_many(7))
    assert len(tickets(list(client(fake, waits).pages(None)))) == 5
    assert waits == [7.0]


def test_the_api_request_limit_is_rate_limiting(fake: FakeSalesforce) -> None:
    waits: list[float] = []
    fake.faults += [rate_limited()] * 4
    error = failure(fake, lambda: list(client(fake, waits).pages(None)))
    assert error.failure is Failure.RATE_LIMITED and error.failure.retry
    assert str(error) == ('Salesforce (acme) refused the request: the org\'s API request limit is reached '
                          '("TotalRequests Limit exceeded.").')  # fmt: skip
    assert waits == [2.0, 4.0, 8.0]


def test_a_500_is_retried_then_fails_clearly(fake: FakeSalesforce) -> None:
    waits: list[float] = []
    fake.faults += [server_error()] * 4
    error = failure(fake, lambda: list(client(fake, waits).pages(None)))
    assert (error.failure, str(error)) == (Failure.UNAVAILABLE, 'Salesforce (acme) is unavailable (HTTP 500): '
                                                                '"An unexpected error occurred.".')  # fmt: skip
    assert waits == [2.0, 4.0, 8.0]


def test_a_500_then_success(fake: FakeSalesforce) -> None:
    waits: list[float] = []
    fake.faults.append(server_error())
    assert len(tickets(list(client(fake, waits).pages(None)))) == 5 and waits == [2.0]


def test_a_timeout_ends_and_says_so(fake: FakeSalesforce) -> None:
    fake.faults += [slow(1.5)] * 4
    error = failure(fake, lambda: list(client(fake, timeout=0.2).pages(None)))
    assert (error.failure, str(error)) == (Failure.UNREACHABLE, "Salesforce (acme) did not answer within 0.2 s.")


def test_an_answer_without_records_is_malformed(fake: FakeSalesforce) -> None:
    fake.faults.append(malformed())
    error = failure(fake, lambda: list(client(fake).pages(None)))
    assert (error.failure, str(error)) == (
        Failure.MALFORMED, "Salesforce (acme) sent a Case query answer without its records; the sync stopped before it."
    )  # fmt: skip


def test_a_bad_date_is_malformed(fake: FakeSalesforce) -> None:
    fake.data["cases"][1]["CreatedDate"] = "yesterday"
    error = failure(fake, lambda: list(client(fake).pages(None)))
    assert error.failure is Failure.MALFORMED
    assert str(error) == ("Salesforce (acme) sent case 00001002 with an unreadable CreatedDate ('yesterday'); the "
                          "sync stopped before it.")  # fmt: skip


def test_a_cursor_tamdesk_did_not_write(fake: FakeSalesforce) -> None:
    error = failure(fake, lambda: list(client(fake).pages("page=2")))
    assert error.failure is Failure.MALFORMED and "saved sync position" in str(error)


def test_a_malformed_query_is_one_sentence(fake: FakeSalesforce) -> None:
    fake.data["cases"].clear()
    fake.faults.append(Reply(400, [{"message": "\nSELECT Id FROM\n^\nERROR at Row:1", "errorCode": "MALFORMED_QUERY"}]))
    error = failure(fake, lambda: list(client(fake).pages(None)))
    assert (error.failure, str(error)) == (Failure.MALFORMED, "Salesforce (acme) refused a query (HTTP 400, "
                                                              "MALFORMED_QUERY).")  # fmt: skip


def test_a_long_batch_asks_for_its_history_in_lists_of_200(fake: FakeSalesforce) -> None:
    """Salesforce may answer more cases than the batchSize asked for; the CaseId IN lists stay short anyway."""
    template = fake.data["cases"][4]
    fake.data["cases"][:] = [
        {**template, "Id": f"500Hs00002{n:05d}AAA", "CaseNumber": f"0000{2000 + n}"} for n in range(250)
    ]
    fake.page_size = 2000
    (page,) = list(client(fake).pages(None))
    assert len(page.tickets) == 250
    lists = [q.split("CaseId IN (")[1].count("'") // 2 for q in fake.queries if "CaseId IN" in q]
    assert lists == [200, 50, 200, 50]


def test_a_rotated_refresh_token_is_used_and_offered(fake: FakeSalesforce) -> None:
    fake.rotate = True
    sync = client(fake)
    assert sync.check().startswith("Signed in") and sync.rotated_secret == fake.refresh_token
    pages = sync.pages(None)
    next(pages)
    fake.expire_session()
    next(pages)  # signs in again with the rotated token, not the one it was given
    assert fake.sign_ins == 2 and sync.rotated_secret == fake.refresh_token == "5Aep861fakeRotatedToken2"
    assert client(fake).rotated_secret is None
