"""A Salesforce org on loopback: the OAuth token endpoint and the REST Query resource over an in-memory dataset.

Use::

    fake = fake_salesforce(load_org(), page_size=2)
    with loopback(fake.server) as live:
        client = SalesforceClient(ConnectionInfo("acme", SourceKind.SALESFORCE, live.url, fake.client_id),
                                  fake.refresh_token, start=..., sleep=waits.append)

What it serves (as the REST API Developer Guide describes it, API v60.0):

- ``POST /services/oauth2/token``: ``grant_type=refresh_token`` with ``client_id`` = ``fake.client_id`` and
  ``refresh_token`` = ``fake.refresh_token`` answers ``{"access_token", "instance_url" (the loopback URL), …}``;
  a wrong consumer key answers 400 ``invalid_client_id``, a wrong refresh token 400 ``invalid_grant``. With
  ``fake.rotate`` each answer also holds a new ``refresh_token``, which replaces ``fake.refresh_token``.
  ``fake.sign_ins`` counts the tokens issued.
- ``GET /services/data/v60.0/query?q=<SOQL>``: needs ``Authorization: Bearer <fake.access_token>``, else 401
  ``[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]``. It reads just the SOQL the
  client sends: the object after ``FROM`` (Case, CaseHistory or CaseMilestone), ``SystemModstamp >= <dateTime>``
  (unquoted ``YYYY-MM-DDThh:mm:ssZ``, as SOQL wants it; anything else is 400 MALFORMED_QUERY), ``Field = '…'``,
  ``MilestoneType.Name = '…'``, ``CaseId IN ('…', …)`` and ``LIMIT n``. Cases come ordered by SystemModstamp then
  Id. Answers have ``totalSize``, ``done``, ``records`` and, while more remain, ``nextRecordsUrl``
  (``/services/data/v60.0/query/01gFAKE…-<offset>``), ``page_size`` records a batch.
- ``fake.expire_session()`` makes the access token in use invalid (the next sign-in gets a new one).
- ``fake.denied``: objects this user may not read; a query on one answers 400 ``INVALID_TYPE``.
- ``fake.faults``: replies given, one per query request (first query or next batch), before any normal answer:
  ``rate_limited()`` (403 REQUEST_LIMIT_EXCEEDED), ``too_many(seconds)`` (429 with Retry-After), ``server_error()``
  (500), ``slow(seconds)`` and ``malformed()`` (a 200 without ``records``).
- ``fake.queries`` records every SOQL statement received; ``fake.server.requests`` every request.

``fake.data`` is the dataset (``load_org()`` reads tests/fixtures/sync/salesforce/org.json); tests may change it
between syncs, e.g. append a case with a later SystemModstamp.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.sync.loopback import LoopbackServer, Reply, Request

QUERY = "/services/data/v60.0/query"
FIXTURE = Path(__file__).parent.parent / "fixtures" / "sync" / "salesforce" / "org.json"
_SOQL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def load_org() -> dict[str, list[dict[str, Any]]]:
    """The fixture org: ``{"cases": […], "history": […], "milestones": […]}`` as the Query resource writes them."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return {key: data[key] for key in ("cases", "history", "milestones")}


def rate_limited() -> Reply:
    return Reply(403, [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])


def too_many(seconds: int) -> Reply:
    return Reply(429, [{"message": "Too many requests", "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
                 {"Retry-After": str(seconds)})  # fmt: skip


def server_error() -> Reply:
    return Reply(500, [{"message": "An unexpected error occurred.", "errorCode": "UNKNOWN_EXCEPTION"}])


def slow(seconds: float) -> Reply:
    return Reply(200, {"totalSize": 0, "done": True, "records": []}, delay=seconds)


def malformed() -> Reply:
    return Reply(200, {"totalSize": 1, "done": True})


@dataclass
class FakeSalesforce:
    """The org's state; ``server`` is what ``loopback()`` serves."""

    data: dict[str, list[dict[str, Any]]]
    page_size: int = 2000
    client_id: str = "3MVG9fakeConsumerKey"
    refresh_token: str = "5Aep861fakeRefreshToken"
    access_token: str = "00DHs000001fake!AQ0AQaccessToken1"
    denied: set[str] = field(default_factory=set)
    faults: list[Reply] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    sign_ins: int = 0
    rotate: bool = False  # refresh token rotation: each sign-in answers a new refresh token, the old one dies
    server: LoopbackServer = field(default_factory=LoopbackServer)
    _locators: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def expire_session(self) -> None:
        """The current access token stops working, as when the session times out."""
        self.access_token = self.access_token[:-1] + str(int(self.access_token[-1]) % 9 + 1)

    # -- the token endpoint -----------------------------------------------------------------------------------------

    def token(self, request: Request) -> Reply:
        form = request.form()
        if form.get("grant_type") != "refresh_token":
            return Reply(400, {"error": "unsupported_grant_type", "error_description": "grant type not supported"})
        if form.get("client_id") != self.client_id:
            return Reply(400, {"error": "invalid_client_id", "error_description": "client identifier invalid"})
        if form.get("refresh_token") != self.refresh_token:
            return Reply(400, {"error": "invalid_grant", "error_description": "expired access/refresh token"})
        self.sign_ins += 1
        body = {"access_token": self.access_token, "instance_url": self.server.url,
                "id": f"{self.server.url}/id/00DHs000001fake/005Hs000001fake", "token_type": "Bearer",
                "issued_at": "1796630400000", "signature": "c2lnbmF0dXJl"}  # fmt: skip
        if self.rotate:
            self.refresh_token = body["refresh_token"] = f"5Aep861fakeRotatedToken{self.sign_ins}"
        return Reply(200, body)

    # -- the Query resource -----------------------------------------------------------------------------------------

    def query(self, request: Request) -> Reply:
        if (refused := self._refuse(request)) is not None:
            return refused
        soql = request.arg("q") or ""
        self.queries.append(soql)
        sobject = _match(r"\bFROM (\w+)", soql)
        if sobject in self.denied:
            return Reply(400, [{"errorCode": "INVALID_TYPE", "message": f"\n{soql[:40]}\n^\nERROR at Row:1:Column:16"
                                f"\nsObject type '{sobject}' is not supported."}])  # fmt: skip
        try:
            records = self._select(sobject, soql)
        except ValueError as exc:
            return Reply(400, [{"errorCode": "MALFORMED_QUERY", "message": f"\n{soql[:40]}\n^\nERROR {exc}"}])
        return self._batch(records, 0, f"01gFAKE{next(self._locators):08d}")

    def _refuse(self, request: Request) -> Reply | None:
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return Reply(401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
        return self.faults.pop(0) if self.faults else None

    def _select(self, sobject: str | None, soql: str) -> list[dict[str, Any]]:
        if sobject == "Case":
            records = [c for c in self.data["cases"] if _after(c["SystemModstamp"], soql)]
            records.sort(key=lambda c: (c["SystemModstamp"], c["Id"]))
        elif sobject == "CaseHistory":
            records = [h for h in self.data["history"] if _has(h, "Field", soql) and _in(h, soql)]
        elif sobject == "CaseMilestone":
            name = _match(r"MilestoneType\.Name = '([^']*)'", soql)
            records = [m for m in self.data["milestones"] if (name is None or m["MilestoneType"]["Name"] == name)
                       and _in(m, soql)]  # fmt: skip
        else:
            raise ValueError(f"sObject type '{sobject}' is not supported.")
        limit = _match(r"\bLIMIT (\d+)", soql)
        return copy.deepcopy(records[: int(limit)] if limit else records)

    def _batch(self, records: list[dict[str, Any]], offset: int, locator: str) -> Reply:
        """One batch from ``offset``; while records remain, registers the route of the next batch."""
        end = offset + self.page_size
        body: dict[str, Any] = {"totalSize": len(records), "done": end >= len(records), "records": records[offset:end]}
        if end < len(records):
            path = f"{QUERY}/{locator}-{end}"
            body["nextRecordsUrl"] = path
            self.server.routes[("GET", path)] = lambda r: self._refuse(r) or self._batch(records, end, locator)
        return Reply(200, body)


def fake_salesforce(data: dict[str, list[dict[str, Any]]] | None = None, *, page_size: int = 2000) -> FakeSalesforce:
    """A fake org serving ``data`` (default: the fixture org) in batches of ``page_size`` records."""
    fake = FakeSalesforce(data if data is not None else load_org(), page_size)
    fake.server.route("POST", "/services/oauth2/token")(fake.token)
    fake.server.route("GET", QUERY)(fake.query)
    return fake


def _match(pattern: str, soql: str) -> str | None:
    found = re.search(pattern, soql)
    return found[1] if found else None


def _after(stamp: str, soql: str) -> bool:
    """Whether a record's SystemModstamp is at or after the query's ``SystemModstamp >= …`` bound."""
    bound = _match(r"SystemModstamp >= (\S+)", soql)
    if bound is None:
        return True
    if not _SOQL_TIME.fullmatch(bound):
        raise ValueError(f"value of filter criterion for field 'SystemModstamp' must be of type dateTime: {bound}")
    return stamp[:19] + "Z" >= bound


def _has(record: dict[str, Any], name: str, soql: str) -> bool:
    wanted = _match(rf"\b{name} = '([^']*)'", soql)
    return wanted is None or record.get(name) == wanted


def _in(record: dict[str, Any], soql: str) -> bool:
    ids = _match(r"CaseId IN \(([^)]*)\)", soql)
    return ids is None or record["CaseId"] in re.findall(r"'([^']*)'", ids)
