"""Search everywhere, on SQLite and PostgreSQL: what it finds, how it ranks, and input that must stay plain text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.severity import Severity
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import escalate_to_engineering, report_defect, validate_defect
from tamdesk.services.escalations import EscalationInput, request_escalation
from tamdesk.services.search import (
    CANDIDATES,
    MAX_QUERY_LENGTH,
    HitKind,
    Rank,
    SearchHit,
    clean_query,
    escape_like,
    is_truncated,
    merge_hits,
    rank_of,
    search,
    search_in_worker,
    seat_customer,
)
from tamdesk.services.seats import SeatInput, request_seat
from tamdesk.services.tickets import TicketInput, create_ticket


@dataclass(frozen=True)
class World:
    acme: int
    globex: int
    ana: int
    bob: int
    cluster: int  # SUP-1001, Acme
    percent: int  # SUP-1002, a subject with % _ ! and regex characters
    glob: int  # SUP-2001, Globex
    long_number: int  # SUP-10010, contains "1001" but is not ticket 1001
    defect: int
    escalation: int


def _version(defect_id: int) -> int:
    return int(t.Defect.get_by_id(defect_id).version)


def _people() -> None:
    for name, role in [("Maya Support", "support_manager"), ("Dan Director", "senior_director")]:
        t.Person.create(name=name, role=role, email=f"{name.split()[0].lower()}@vendor.example")


@pytest.fixture
def world(db_path: Path, ctx: Context, fixed_now: datetime) -> World:
    _people()
    acme = create_customer(ctx, CustomerInput(name="Acme Corp", email_domains=["acme.com", "acme.de"]))
    globex = create_customer(ctx, CustomerInput(name="Globex", email_domains=["globex.com"]))
    ana = request_seat(ctx, acme, SeatInput("Ana Ruiz", "ana.ruiz@acme.com"))
    bob = request_seat(ctx, globex, SeatInput("Bob Acmeson", "bob@globex.com"))
    opened = fixed_now - timedelta(days=3)

    def ticket(number: str, customer: int, subject: str, days: int = 0) -> int:
        data = TicketInput(number, customer, subject, Severity.HIGH, opened + timedelta(days=days))
        return create_ticket(ctx, data)

    cluster = ticket("SUP-1001", acme, "Cluster down after upgrade")
    percent = ticket("SUP-1002", acme, "Discount 100% off_peak! .* [a-z]+ (x|y)", 1)
    glob = ticket("SUP-2001", globex, "Slow queries on the acme connector", 2)
    long_number = ticket("SUP-10010", globex, "Login page blank", 2)
    defect = report_defect(ctx, cluster, "Coordinator crash on upgrade", severity=Severity.HIGH)
    validate_defect(ctx, defect, _version(defect), "Maya Support", fixed_now)
    escalate_to_engineering(ctx, defect, _version(defect), "ENG-4711", "https://tracker.example/browse/ENG-4711")
    escalation = request_escalation(
        ctx, glob, EscalationInput("customer", "Bob Acmeson", "Quarter-end reporting blocked", "Revenue at risk")
    )
    return World(acme, globex, ana, bob, cluster, percent, glob, long_number, defect, escalation)


def _kinds_ids(hits: list[SearchHit]) -> list[tuple[str, int]]:
    return [(hit.kind.value, hit.id) for hit in hits]


# -- what it finds ---------------------------------------------------------------------------------------------

FINDS = [
    ("customer by name", "globex", "customer", "globex"),
    ("customer by name, any case", "ACME CORP", "customer", "acme"),
    ("customer by email domain", "acme.de", "customer", "acme"),
    ("seat holder by name", "ruiz", "seat", "ana"),
    ("seat holder by email", "ANA.RUIZ@ACME.COM", "seat", "ana"),
    ("ticket by number", "sup-1001", "ticket", "cluster"),
    ("ticket by the digits of its number", "2001", "ticket", "glob"),
    ("ticket by subject", "after upgrade", "ticket", "cluster"),
    ("defect by engineering key", "eng-4711", "defect", "defect"),
    ("defect by the digits of its key", "4711", "defect", "defect"),
    ("defect by title", "coordinator crash", "defect", "defect"),
    ("escalation by reason", "quarter-end", "escalation", "escalation"),
]


@pytest.mark.parametrize(("case", "text", "kind", "attr"), FINDS, ids=[f[0] for f in FINDS])
def test_finds(world: World, case: str, text: str, kind: str, attr: str) -> None:
    hits = search(text)
    assert hits, case
    assert (hits[0].kind.value, hits[0].id) == (kind, getattr(world, attr)), case


def test_escalation_by_ticket_number_and_customer_of_every_hit(world: World) -> None:
    hits = search("SUP-2001")
    assert ("escalation", world.escalation) in _kinds_ids(hits)
    by_kind = {hit.kind: hit for hit in hits}
    assert by_kind[HitKind.ESCALATION].customer_id == world.globex
    assert by_kind[HitKind.TICKET].customer_id == world.globex
    assert search("eng-4711")[0].customer_id == world.acme  # a defect belongs to its tickets' customer
    assert search("ruiz")[0].customer_id == world.acme


def test_hits_read_like_a_palette(world: World) -> None:
    ticket = search("SUP-1001")[0]
    assert ticket.title == "SUP-1001 · Cluster down after upgrade"
    assert ticket.subtitle == "Acme Corp · Sev2 High · New"
    seat = search("ana.ruiz")[0]
    assert seat.title == "Ana Ruiz"
    assert seat.subtitle.startswith("ana.ruiz@acme.com · Acme Corp · seat 1")
    defect = search("ENG-4711")[0]
    assert defect.title == "ENG-4711 · Coordinator crash on upgrade"
    assert defect.subtitle == f"Defect #{world.defect} · Sev2 High · Escalated"
    customer = search("Acme Corp")[0]
    assert customer.subtitle == "acme.com, acme.de"


# -- ranking ---------------------------------------------------------------------------------------------------


def test_exact_number_before_prefix_before_contains(world: World) -> None:
    hits = [h for h in search("1001") if h.kind is HitKind.TICKET]
    assert [(h.id, h.rank) for h in hits] == [(world.cluster, Rank.EXACT), (world.long_number, Rank.STARTS)]
    hits = [h for h in search("001") if h.kind is HitKind.TICKET]  # newest first within a rank
    assert [(h.id, h.rank) for h in hits] == [
        (world.long_number, Rank.CONTAINS),
        (world.glob, Rank.CONTAINS),
        (world.cluster, Rank.CONTAINS),
    ]


def test_prefix_before_contains_across_kinds(world: World) -> None:
    hits = search("acme")
    ranks = [h.rank for h in hits]
    assert ranks == sorted(ranks)
    assert hits[0].kind is HitKind.CUSTOMER and hits[0].id == world.acme  # "Acme Corp" starts with it
    assert ("seat", world.bob) in _kinds_ids(hits)  # "Bob Acmeson": a word starts with it
    assert ("ticket", world.glob) in _kinds_ids(hits)  # "… on the acme connector"
    last = {h.kind: h.rank for h in hits}
    assert last[HitKind.TICKET] == Rank.STARTS


def test_exact_ticket_number_survives_a_common_word(world: World, ctx: Context, fixed_now: datetime) -> None:
    """More tickets than the candidate cap contain the text; the exact number still comes first."""
    rows = [
        {
            "number": f"BULK-{n}",
            "customer": world.globex,
            "subject": "Dashboard SUP-1001x lag",
            "severity": 3,
            "status": "open",
            "opened_at": fixed_now - timedelta(minutes=n),
        }
        for n in range(CANDIDATES + 5)
    ]
    with database.atomic():
        for start in range(0, len(rows), 500):
            t.Ticket.insert_many(rows[start : start + 500]).execute()
    hits = search("sup-1001")
    assert (hits[0].kind, hits[0].id, hits[0].rank) == (HitKind.TICKET, world.cluster, Rank.EXACT)
    assert len(hits) == 50


@pytest.mark.parametrize(
    ("value", "exact", "words", "rank"),
    [
        ("sup-7", ["SUP-7"], ["SUP-7"], Rank.EXACT),
        ("7", ["SUP-7"], ["SUP-7"], Rank.EXACT),
        ("sup", ["SUP-7"], ["SUP-7"], Rank.STARTS),
        ("down", ["SUP-7"], ["SUP-7", "Cluster down"], Rank.STARTS),
        ("ruiz", [], ["ana.ruiz@acme.com"], Rank.STARTS),
        ("own", ["SUP-7"], ["SUP-7", "Cluster down"], Rank.CONTAINS),
        ("Ökonom", [], ["die ökonomie"], Rank.STARTS),
    ],
)
def test_rank_of(value: str, exact: list[str], words: list[str], rank: int) -> None:
    assert rank_of(value, exact, words) == rank


def test_merge_keeps_a_share_for_every_kind() -> None:
    tickets = [SearchHit(HitKind.TICKET, n, f"T{n}", "", 1, Rank.STARTS) for n in range(50)]
    customer = [SearchHit(HitKind.CUSTOMER, 1, "C", "", 1, Rank.CONTAINS)]
    exact = [SearchHit(HitKind.DEFECT, 9, "D", "", None, Rank.EXACT)]
    merged = merge_hits([customer, [], tickets, exact, []], 10)
    assert len(merged) == 10
    assert merged[0].kind is HitKind.DEFECT
    assert merged[-1].kind is HitKind.CUSTOMER  # worst rank, but still shown
    assert [h.id for h in merged if h.kind is HitKind.TICKET] == list(range(8))


# -- input that must stay plain text -----------------------------------------------------------------------------

PLAIN = [
    ("percent sign", "100%", ["percent"]),
    ("lone percent", "%", ["percent"]),
    ("underscore", "off_peak", ["percent"]),
    ("lone underscore", "_", ["percent"]),
    ("escape character", "peak!", ["percent"]),
    ("lone escape character", "!", ["percent"]),
    ("regex dot star", ".*", ["percent"]),
    ("regex class", "[a-z]+", ["percent"]),
    ("regex group", "(x|y)", ["percent"]),
    ("backslash", "\\", []),
    ("quote", "o'brien", []),
    ("SQL injection", "'; DROP TABLE ticket; --", []),
]


@pytest.mark.parametrize(("case", "text", "expected"), PLAIN, ids=[p[0] for p in PLAIN])
def test_plain_text(world: World, case: str, text: str, expected: list[str]) -> None:
    hits = search(text)
    assert [h.id for h in hits if h.kind is HitKind.TICKET] == [getattr(world, a) for a in expected], case
    assert [h.kind for h in hits if h.kind is not HitKind.TICKET] == [], case
    assert t.Ticket.select().count() == 4  # nothing dropped


def test_ten_thousand_characters(world: World) -> None:
    text = "Cluster down after upgrade " + "x" * 10_000
    assert is_truncated(text)
    assert len(clean_query(text)) == MAX_QUERY_LENGTH
    assert search(text) == []
    assert [h.id for h in search("Cluster down after upgrade" + " " * 10_000)] == [world.cluster]
    assert search("%" * 10_000) == []


def test_defects_and_escalations_by_their_number(world: World) -> None:
    for text in (f"#{world.defect}", f"Defect #{world.defect}", f"defect {world.defect}", f"DEFECT#{world.defect}"):
        hit = search(text)[0]
        assert (hit.kind.value, hit.id) == ("defect", world.defect), text
    hit = search(f"escalation #{world.escalation}")[0]
    assert (hit.kind.value, hit.id) == ("escalation", world.escalation)
    assert hit.title.startswith(f"Escalation #{world.escalation} of SUP-2001")
    assert ("escalation", world.escalation) in _kinds_ids(search(f"#{world.escalation}"))
    assert ("defect", world.defect) not in _kinds_ids(search(f"escalation #{world.defect}"))
    assert search("#999999") == [] and search("defect #0") == []


def test_customers_by_their_tam(world: World, ctx: Context) -> None:
    tam = t.Person.create(name="Pablo Varga", role="tam", email="pablo@vendor.example")
    t.Customer.update(tam=tam).where(t.Customer.id == world.globex).execute()
    hits = [h for h in search("pablo varga") if h.kind.value == "customer"]
    assert [h.id for h in hits] == [world.globex]
    assert "TAM Pablo Varga" in hits[0].subtitle


UNICODE_CASES = [
    ("ÖSTERREICH", "customer"),  # Ö/ö: SQLite's own LIKE folds ASCII letters only
    ("österreichische", "customer"),
    ("GROßE EXPORTE", "ticket"),
    ("ærø", "seat"),
    ("ÆRØ", "seat"),
]


@pytest.mark.parametrize(("text", "kind"), UNICODE_CASES, ids=[c[0] for c in UNICODE_CASES])
def test_case_never_matters_beyond_ascii(world: World, ctx: Context, fixed_now: datetime, text: str, kind: str) -> None:
    oebb = create_customer(ctx, CustomerInput(name="Österreichische Bahn", email_domains=["oebb.at"]))
    seat = request_seat(ctx, oebb, SeatInput("Søren Ærø", "soeren@oebb.at"))
    ticket = create_ticket(ctx, TicketInput("SUP-3001", oebb, "Große Exporte brechen ab", Severity.LOW, fixed_now))
    expected = {"customer": oebb, "seat": seat, "ticket": ticket}[kind]
    assert (kind, expected) in _kinds_ids(search(text))


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_query_finds_nothing(world: World, text: str) -> None:
    assert search(text) == []


def test_whitespace_is_one_space(world: World) -> None:
    assert [h.id for h in search("  cluster \t down ")] == [world.cluster]


def test_escape_like() -> None:
    assert escape_like("a%b_c!d") == "a!%b!_c!!d"


def test_limit(world: World) -> None:
    assert len(search("a", limit=3)) == 3
    assert search("a", limit=0) == []


def test_seat_customer(world: World) -> None:
    assert seat_customer(world.bob) == world.globex
    assert seat_customer(999_999) is None


def test_search_in_worker_lets_go_of_the_sqlite_file(world: World, engine: str) -> None:
    hits = search_in_worker("globex")
    assert database.is_closed() == (engine == "sqlite")
    assert search("globex") == hits  # the next search connects again
