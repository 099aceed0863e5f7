"""Search everywhere: customers, seat holders, tickets, defects and escalations by name, number, email or key,
and the text of timeline entries.

Whatever the user types is plain text: regex metacharacters mean nothing here, SQL wildcards (``%``, ``_``) and
the LIKE escape character are escaped, FTS5 query syntax is quoted, and values travel as parameters, never inside
the SQL text. Matching is case-insensitive, letters beyond ASCII too (``MÜLLER`` finds ``Müller``): on SQLite as
the full-text index folds case (one letter for one: ``ß`` is not ``ss``), on PostgreSQL by ILIKE.

Ranking: an exact number, engineering key, name, email or email domain first (``8245`` is exact for
``ENG-8245``), then a field or one of its words starting with the text, then the text anywhere. Within a rank,
tickets, defects and escalations come newest first, customers and seat holders by name.

Speed (a million tickets): matches are found by index (schema v9). On SQLite each searched table has a trigram
full-text index of its text, framed so a field's start and end can be asked for too, kept in step by triggers; on
PostgreSQL pg_trgm indexes serve ILIKE. The index gives the newest ``CANDIDATES`` matches of each kind; only then do
two more queries fetch the exact and starts-with matches that may be older, so a common word can never hide the
exact ticket number. A needle too short for trigrams is looked for in the newest ``SHORT_WINDOW`` ids of each kind;
on SQLite its exact and (from two characters) starts-with matches everywhere still, on PostgreSQL only the newest
``SHORT_CANDIDATES`` matches of the window are ranked.

A customer is found by the names it is also known as too; an exact one ranks as its name does.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import peewee as pw

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import DefectState, EscalationState, SeatStatus, TicketStatus
from tamdesk.models.db import database, is_sqlite

MAX_QUERY_LENGTH = 200
"""Only this many characters of a query are searched (a pasted page of text is cut, and the UI says so)."""

CANDIDATES = 250
"""How many of the newest matches of one kind are ranked before the extra exact and starts-with passes (five times
the hits a palette shows: ranking them in Python is what a common word costs)."""

ESCAPE = "!"


class HitKind(StrEnum):
    """What a search hit is; the order here is the order of kinds within one rank."""

    CUSTOMER = "customer"
    SEAT = "seat"
    TICKET = "ticket"
    DEFECT = "defect"
    ESCALATION = "escalation"
    TIMELINE_ENTRY = "timeline_entry"

    @property
    def label(self) -> str:
        if self is HitKind.TIMELINE_ENTRY:
            return "Timeline"
        return "Seat holder" if self is HitKind.SEAT else self.value.capitalize()


class Rank:
    """How well a hit matches: lower is better."""

    EXACT = 0
    STARTS = 1
    CONTAINS = 2


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One thing the search found; ``id`` is the id of a row of ``kind``'s table."""

    kind: HitKind
    id: int
    title: str
    subtitle: str
    customer_id: int | None
    rank: int = Rank.CONTAINS


# -- the text --------------------------------------------------------------------------------------------------


def clean_query(text: str) -> str:
    """The text a search looks for: whitespace runs made one space, cut to ``MAX_QUERY_LENGTH`` characters."""
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def is_truncated(text: str) -> bool:
    """Whether ``clean_query`` cut ``text`` short (the UI tells the user)."""
    return len(" ".join(text.split())) > MAX_QUERY_LENGTH


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards and the escape character itself matched literally (``ESCAPE '!'``)."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def contains_text(text: str, *columns: pw.Field) -> pw.Expression:
    """Any of ``columns`` contains ``text`` as plain text, ignoring case: ``%`` and ``_`` are no wildcards here.

    peewee's ``contains`` escapes them; SQLite's lower() folds ASCII only, so a needle with other letters
    compares the ``casefold`` of the column (a function registered on SQLite connections) instead.
    """
    unicode_on_sqlite = is_sqlite() and not text.isascii()
    fold, needle = (pw.fn.casefold, text.casefold()) if unicode_on_sqlite else (pw.fn.lower, text.lower())
    tests = [fold(pw.fn.coalesce(column, "")).contains(needle) for column in columns]
    return functools.reduce(operator.or_, tests)


def rank_of(needle: str, exact: Iterable[str], words: Iterable[str]) -> int:
    """The rank of a row whose ``exact`` values (numbers, keys, names) and searched ``words`` matched ``needle``."""
    return _ranking(needle)(exact, words)


def _ranking(needle: str) -> Callable[[Iterable[str], Iterable[str]], int]:
    """``rank_of`` for one needle, its work on the needle done once: thousands of rows are ranked per search.

    A word starts where nothing alphanumeric comes before (``[^\\W_]`` is what ``str.isalnum`` calls alphanumeric).
    """
    folded = needle.casefold()
    suffix = "-" + folded
    starts = re.compile(r"(?<![^\W_])" + re.escape(folded)).search

    def rank(exact: Iterable[str], words: Iterable[str]) -> int:
        for value in exact:
            v = value.casefold().strip()
            if v == folded or v.endswith(suffix):
                return Rank.EXACT
        if any(starts(value.casefold()) for value in words):
            return Rank.STARTS
        return Rank.CONTAINS

    return rank


# -- the SQL ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """Where one kind is found: a SELECT (its first column the row id), the id column, the searched columns and
    the columns whose exact value ranks first; ``index`` is the table's full-text index on SQLite, whose columns
    ``indexed`` and ``indexed_exact`` hold the text of ``columns`` and ``exact``, framed by ``FRAME`` (schema v9)."""

    select: str
    id_column: str
    columns: tuple[str, ...]
    exact: tuple[str, ...]
    table: str
    indexed: tuple[str, ...]
    indexed_exact: tuple[str, ...]

    @property
    def index(self) -> str:
        return f"{self.table}_search"


SHORT_CANDIDATES = 100
"""``CANDIDATES`` for a needle too short for trigrams: nearly every row holds one or two characters, so only ranking
costs, and their newest matches are as good as any."""

SHORT_WINDOW = 5_000
"""A needle too short for the trigram indexes (one or two characters on SQLite; no run of three letters or digits on
PostgreSQL) is looked for among the newest this many ids of each kind only; a longer one everywhere."""

FRAME = "\x01"
"""What frames each field in the SQLite index, so that a field's start and end can be searched for."""


def _pairs(columns: Iterable[str], patterns: Iterable[str]) -> list[tuple[str, str]]:
    return [(column, pattern) for column in columns for pattern in patterns]


PROBE_ROWS = 10_000
"""On PostgreSQL a needle whose longest word is three letters or digits (``SUP-1``: one trigram, ``sup``, which may be
in every ticket number) is first looked for among the newest this many ids of a kind: where it is that common, its
newest matches are there, and a trigram index would read every row holding it."""


def _newest(source: _Source) -> int:
    (newest,) = database.execute_sql(f"SELECT max(id) FROM {source.table}").fetchone()
    return int(newest or 0)


def _window(source: _Source) -> int:
    """The lowest id a short needle is looked for in (see ``SHORT_WINDOW``)."""
    return _newest(source) - SHORT_WINDOW


def _one_trigram(needle: str) -> bool:
    return max((len(run) for run in re.findall(r"[^\W_]+", needle)), default=0) == 3


def _trigram_searchable(needle: str) -> bool:
    """Whether PostgreSQL's trigram indexes can find ``needle``: it holds a run of three letters or digits."""
    return any(len(run) >= 3 for run in re.findall(r"[^\W_]+", needle))


def _rarest_word(needle: str) -> str | None:
    """The longest run of letters or digits of a needle that has others (``600001`` of ``SUP-600001``), or None.

    pg_trgm reads the rows of every trigram of a needle, and ``sup`` is in every ticket number: the trigram index is
    asked for this run alone, and the whole needle checked on the rows it gives.
    """
    runs = re.findall(r"[^\W_]+", needle)
    return max(reversed(runs), key=len) if len(runs) > 1 and len(max(runs, key=len)) >= 3 else None


def _fetch(
    source: _Source, pairs: Sequence[tuple[str, str]], limit: int, since: int | None, needle: str = ""
) -> list[tuple[Any, ...]]:
    """The newest ``limit`` rows (by id, above ``since`` if given) where any ``(column, pattern)`` of ``pairs``
    matches (LIKE/ILIKE); ``needle`` is what the patterns look for (see ``_rarest_word``)."""
    p = database.obj.param
    tests: list[tuple[str, list[str]]] = []  # each test with its parameters
    rarest = _rarest_word(needle) if since is None else None
    for column, pattern in pairs:
        if isinstance(database.obj, pw.PostgresqlDatabase):
            if since is None and not pattern.startswith("%"):
                # a field's start, or all of it: by the ordered index of its lowered first 200 characters (v9)
                tests.append((f"left(lower({column}), 200) LIKE lower({p}) ESCAPE '{ESCAPE}'", [pattern]))
            elif rarest is not None:
                test = f"{column} ILIKE {p} ESCAPE '{ESCAPE}' AND ({column} || '') ILIKE {p} ESCAPE '{ESCAPE}'"
                tests.append((test, [f"%{escape_like(rarest)}%", pattern]))
            else:
                # a needle without trigrams would make a trigram index read all of itself: `|| ''` keeps the
                # planner on the id range of the window instead
                plain = column if since is None else f"({column} || '')"
                tests.append((f"{plain} ILIKE {p} ESCAPE '{ESCAPE}'", [pattern]))
        elif pattern.isascii():
            tests.append((f"{column} LIKE {p} ESCAPE '{ESCAPE}'", [pattern]))
        else:  # SQLite's LIKE leaves non-ASCII case alone; slower, so only for such needles
            tests.append((f"casefold({column}) LIKE {p} ESCAPE '{ESCAPE}'", [pattern.casefold()]))
    window = "" if since is None else f" AND {source.id_column} > {int(since)}"
    order = f"ORDER BY {source.id_column} DESC LIMIT {p}"
    if isinstance(database.obj, pw.PostgresqlDatabase) and since is None:
        # one branch per column, so each is served by its column's trigram index (an OR across joined tables is
        # served by none); the union of each branch's newest holds the newest of all. A window is read once.
        branches = " UNION ".join(f"({source.select} WHERE {test}{window} {order})" for test, _ in tests)
        sql = f"SELECT * FROM ({branches}) found ORDER BY 1 DESC LIMIT {p}"
        return list(database.execute_sql(sql, [*(v for _, values in tests for v in (*values, limit)), limit]))
    sql = f"{source.select} WHERE ({' OR '.join(f'({test})' for test, _ in tests)}){window} {order}"
    return list(database.execute_sql(sql, [*(v for _, values in tests for v in values), limit]))


def _find_scanning(source: _Source, needle: str, cap: int) -> list[tuple[Any, ...]]:
    """``_find`` by LIKE/ILIKE: served by the trigram indexes on PostgreSQL (and a scan where pg_trgm is missing)."""
    lit = escape_like(needle)
    since = None if _trigram_searchable(needle) else _window(source)
    cap = cap if since is None else min(cap, SHORT_CANDIDATES)
    probe = since is None and not is_sqlite() and _one_trigram(needle)  # see PROBE_ROWS

    def fetch(pairs: Sequence[tuple[str, str]]) -> list[tuple[Any, ...]]:
        if probe:
            start = _newest(source) - PROBE_ROWS
            found = _fetch(source, pairs, cap, start, needle)
            if len(found) >= cap or start <= 0:  # the newest matches, or all of them
                return found
        return _fetch(source, pairs, cap, since, needle)

    rows = fetch(_pairs(source.columns, [f"%{lit}%"]))
    if len(rows) < cap or since is not None:
        return rows  # every match; or a short needle's newest in the window, whose exact matches no index finds
    # "8245" is exact for "ENG-8245": on PostgreSQL older such ends are sought for digits only, as the trigram of a
    # word (sup of SUP-1) may be in every row
    exact = _pairs(source.exact, [lit, *([f"%-{lit}"] if is_sqlite() or needle.isdigit() else [])])
    # one more pass finds older exact and starts-with matches; a separate exact pass only when many start so
    more = fetch([*exact, *_pairs(source.columns, [f"{lit}%", f"% {lit}%"])])
    if len(more) >= cap:
        more += fetch(exact)
    return _merged(rows, more)


def _merged(rows: list[tuple[Any, ...]], more: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    seen = {row[0] for row in rows}
    for row in more:
        if row[0] not in seen:
            seen.add(row[0])
            rows.append(row)
    return rows


def _phrase(text: str) -> str:
    """``text`` as one FTS5 phrase: in double quotes, its own double quotes doubled; nothing in it is syntax."""
    return '"' + text.replace('"', '""') + '"'


def _like_patterns(text: str) -> list[str]:
    """LIKE patterns (``ESCAPE '!'``) that find ``text`` in the index's own framed text: each letter beyond ASCII in
    lower and upper case, as SQLite's LIKE folds ASCII only (``ö`` gives ``%ö%`` and ``%Ö%``)."""
    cases = [{ch} if ch.isascii() else {ch, ch.lower(), ch.upper()} for ch in text]
    return [f"%{escape_like(''.join(chars))}%" for chars in itertools.product(*cases)]


def _indexed_ids(source: _Source, tests: Sequence[tuple[tuple[str, ...], str]], limit: int) -> list[int]:
    """The newest ``limit`` ids whose indexed text of any of the columns of a test contains its text.

    A text of three characters or more is a trigram query of the full-text index; a shorter one is looked for by
    LIKE in the index's own text of the newest ``SHORT_WINDOW`` ids (see ``_like_patterns``).
    """
    p = database.obj.param
    ids: set[int] = set()
    long_tests = [(columns, text) for columns, text in tests if len(text) >= 3]
    if long_tests:
        query = " OR ".join(f"{{{' '.join(columns)}}} : {_phrase(text)}" for columns, text in long_tests)
        sql = f"SELECT rowid FROM {source.index} WHERE {source.index} MATCH {p} ORDER BY rowid DESC LIMIT {p}"
        ids.update(row[0] for row in database.execute_sql(sql, [query, limit]))
    short_tests = [(column, text) for columns, text in tests if len(text) < 3 for column in columns]
    if short_tests:
        pairs = [(column, pattern) for column, text in short_tests for pattern in _like_patterns(text)]
        found = " OR ".join(f"{column} LIKE {p} ESCAPE '{ESCAPE}'" for column, _ in pairs)
        sql = f"SELECT rowid FROM {source.index} WHERE rowid > {p} AND ({found}) ORDER BY rowid DESC LIMIT {p}"
        params = [_window(source), *(pattern for _, pattern in pairs), limit]
        ids.update(row[0] for row in database.execute_sql(sql, params))
    return sorted(ids, reverse=True)[:limit]


def _find_indexed(source: _Source, needle: str, cap: int) -> list[tuple[Any, ...]]:
    """``_find`` through the SQLite full-text index, which folds the case of the needle and the text alike."""
    cap = cap if len(needle) >= 3 else min(cap, SHORT_CANDIDATES)
    ids = _indexed_ids(source, [(source.indexed, needle)], cap)
    if len(ids) >= cap or len(needle) < 3:  # a short needle's matches in the window may not be all of them
        exact = [(source.indexed_exact, FRAME + needle + FRAME), (source.indexed_exact, f"-{needle}{FRAME}")]
        starts = [(source.indexed, FRAME + needle), (source.indexed, f" {needle}")]
        more = _indexed_ids(source, [*exact, *starts], cap)
        if len(more) >= cap:
            more += _indexed_ids(source, exact, cap)
        ids = list(dict.fromkeys([*ids, *more]))
    if not ids:
        return []
    listed = ", ".join(str(int(i)) for i in ids)
    rows = {row[0]: row for row in database.execute_sql(f"{source.select} WHERE {source.id_column} IN ({listed})")}
    return [rows[i] for i in ids if i in rows]


def _indexed(source: _Source) -> bool:
    """Whether the SQLite database has ``source``'s full-text index (an SQLite without FTS5 trigrams has none)."""
    sql = f"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = {database.obj.param}"
    return database.execute_sql(sql, [source.index]).fetchone() is not None


def _find(source: _Source, needle: str, cap: int = CANDIDATES) -> list[tuple[Any, ...]]:
    """Rows of ``source`` containing ``needle``: the newest ``cap``, plus older exact and starts-with matches."""
    if is_sqlite() and FRAME not in needle and _indexed(source):
        return _find_indexed(source, needle, cap)
    return _find_scanning(source, needle, cap)


Row = tuple[Any, ...]


def _best(rows: Iterable[Row], score: Callable[[Row], tuple[Any, ...]], limit: int) -> list[tuple[int, Row]]:
    """The ``limit`` rows with the lowest ``score`` (rank first, then the kind's own order), with their rank.

    Only these few become hits: ranking thousands of candidates must stay cheap.
    """
    scored = sorted(((score(row), row) for row in rows), key=lambda pair: pair[0])[:limit]
    return [(key[0], row) for key, row in scored]


# -- the kinds -------------------------------------------------------------------------------------------------


def _customer_source() -> _Source:
    """Customers with their TAM and the names they are also known as (one line each, so one row per customer)."""
    known_as = "group_concat(name, char(10))" if is_sqlite() else "string_agg(name, chr(10) ORDER BY id)"
    return _Source(
        "SELECT c.id, c.name, c.email_domains, c.archived, p.name, a.names FROM customer c "
        "LEFT JOIN person p ON p.id = c.tam_id "
        f"LEFT JOIN (SELECT customer_id, {known_as} AS names FROM customer_alias GROUP BY customer_id) a "
        "ON a.customer_id = c.id",
        "c.id",
        ("c.name", "c.email_domains", "p.name", "a.names"),
        ("c.name",),
        "customer",
        ("name", "email_domains", "tam", "aliases"),
        ("name",),
    )


def _domains(text: str) -> list[str]:
    return [d.strip() for d in text.split(",") if d.strip()]


def _customers(needle: str, limit: int) -> list[SearchHit]:
    folded = needle.casefold()
    ranking = _ranking(needle)

    def score(row: Row) -> tuple[Any, ...]:
        _, name, domains, _archived, tam, known_as = row
        aliases = (known_as or "").splitlines()
        rank = ranking([name, *aliases, *_domains(domains)], [name, domains, tam or "", *aliases])
        return rank, name.casefold()

    hits = []
    for rank, (cid, name, domains, archived, tam, known_as) in _best(_find(_customer_source(), needle), score, limit):
        matched = [alias for alias in (known_as or "").splitlines() if folded in alias.casefold()]
        parts = [
            *([f"Also known as {', '.join(matched)}"] if matched and folded not in name.casefold() else []),
            ", ".join(_domains(domains)) or "No email domains",
            *([f"TAM {tam}"] if tam else []),
            *(["Archived"] if archived else []),
        ]
        hits.append(SearchHit(HitKind.CUSTOMER, cid, name, " · ".join(parts), cid, rank))
    return hits


_SEATS = _Source(
    "SELECT s.id, s.full_name, s.email, s.seat_no, s.status, s.customer_id, c.name "
    "FROM portal_seat s JOIN customer c ON c.id = s.customer_id",
    "s.id",
    ("s.full_name", "s.email"),
    ("s.full_name", "s.email"),
    "portal_seat",
    ("full_name", "email"),
    ("full_name", "email"),
)


def _seats(needle: str, limit: int) -> list[SearchHit]:
    ranking = _ranking(needle)

    def score(row: Row) -> tuple[Any, ...]:
        sid, name, email, _, status = row[:5]
        revoked = status == SeatStatus.REVOKED.value  # revoked seats after the seats in use
        return ranking([name, email], [name, email]), revoked, name.casefold(), sid

    return [
        SearchHit(HitKind.SEAT, sid, name, f"{email} · {customer} · seat {no} · {SeatStatus(status).label}", cid, rank)
        for rank, (sid, name, email, no, status, cid, customer) in _best(_find(_SEATS, needle), score, limit)
    ]


_TICKETS = _Source(
    "SELECT t.id, t.number, t.subject, t.opened_at, t.severity, t.status, t.customer_id, c.name "
    "FROM ticket t JOIN customer c ON c.id = t.customer_id",
    "t.id",
    ("t.number", "t.subject"),
    ("t.number",),
    "ticket",
    ("number", "subject"),
    ("number",),
)


def _tickets(needle: str, limit: int) -> list[SearchHit]:
    ranking = _ranking(needle)

    def score(row: Row) -> tuple[Any, ...]:
        tid, number, subject, opened = row[:4]
        return ranking([number], [number, subject]), -opened, -tid

    hits = []
    for rank, (tid, number, subject, _, severity, status, cid, customer) in _best(
        _find(_TICKETS, needle), score, limit
    ):
        title = f"{number} · {_one_line(subject)}" if subject else number
        subtitle = f"{customer} · {Severity(severity).label} · {TicketStatus(status).label}"
        hits.append(SearchHit(HitKind.TICKET, tid, title, subtitle, cid, rank))
    return hits


_DEFECTS = _Source(
    "SELECT d.id, d.title, d.engineering_key, d.reported_at, d.severity, d.state, "
    "(SELECT MIN(t.customer_id) FROM defect_ticket dt JOIN ticket t ON t.id = dt.ticket_id "
    "WHERE dt.defect_id = d.id) FROM defect d",
    "d.id",
    ("d.engineering_key", "d.title"),
    ("d.engineering_key",),
    "defect",
    ("engineering_key", "title"),
    ("engineering_key",),
)


_NUMBERED = re.compile(
    r"(?:(?P<kind>defect|escalation)\s*)?#\s*(?P<number>\d{1,9})|(?P<named>defect|escalation)\s+(?P<digits>\d{1,9})",
    re.IGNORECASE,
)


def numbered(needle: str, kind: str) -> int | None:
    """The id that ``#6``, ``Defect #6`` or ``defect 6`` names, if the needle names one of ``kind``."""
    match = _NUMBERED.fullmatch(needle)
    if match is None:
        return None
    named = (match["kind"] or match["named"] or kind).casefold()
    return int(match["number"] or match["digits"]) if named == kind else None


def _find_numbered(source: _Source, needle: str, kind: str) -> tuple[list[Row], int | None]:
    """The rows containing ``needle``, and first the record its number names (see :func:`numbered`)."""
    number = numbered(needle, kind)
    rows = _find(source, needle)
    if number is None:
        return rows, None
    p = database.obj.param
    named = list(database.execute_sql(f"{source.select} WHERE {source.id_column} = {p}", [number]))
    return named + [row for row in rows if row[0] != number], number


def _defects(needle: str, limit: int) -> list[SearchHit]:
    ranking = _ranking(needle)

    def score(row: Row) -> tuple[Any, ...]:
        did, title, key, reported = row[:4]
        rank = Rank.EXACT if did == number else ranking([key or ""], [key or "", title])
        return rank, -reported, -did

    rows, number = _find_numbered(_DEFECTS, needle, "defect")
    hits = []
    for rank, (did, title, key, _, severity, state, cid) in _best(rows, score, limit):
        subtitle = f"Defect #{did} · {Severity(severity).label} · {DefectState(state).label}"
        hits.append(SearchHit(HitKind.DEFECT, did, f"{key} · {title}" if key else title, subtitle, cid, rank))
    return hits


_ESCALATIONS = _Source(
    "SELECT e.id, t.number, e.reason, e.opened_at, e.state, t.customer_id, c.name FROM escalation e "
    "JOIN ticket t ON t.id = e.ticket_id JOIN customer c ON c.id = t.customer_id",
    "e.id",
    ("t.number", "e.reason"),
    ("t.number",),
    "escalation",
    ("number", "reason"),
    ("number",),
)


def _escalations(needle: str, limit: int) -> list[SearchHit]:
    ranking = _ranking(needle)

    def score(row: Row) -> tuple[Any, ...]:
        eid, ticket, reason, opened = row[:4]
        rank = Rank.EXACT if eid == named else ranking([ticket], [ticket, reason])
        return rank, -opened, -eid

    rows, named = _find_numbered(_ESCALATIONS, needle, "escalation")
    hits = []
    for rank, (eid, number, reason, _, state, cid, customer) in _best(rows, score, limit):
        title = f"Escalation #{eid} of {number} · {_one_line(reason)}"
        hits.append(
            SearchHit(HitKind.ESCALATION, eid, title, f"{customer} · {EscalationState(state).label}", cid, rank)
        )
    return hits


_ENTRIES = _Source(
    "SELECT e.id, e.title, e.body, e.at, e.kind, e.customer_id, c.name "
    "FROM timeline_entry e JOIN customer c ON c.id = e.customer_id",
    "e.id",
    ("e.title", "e.body"),
    ("e.title",),
    "timeline_entry",
    ("title", "body"),
    ("title",),
)


def _snippet(text: str, needle: str, width: int = 110) -> str:
    """The part of ``text`` around the first ``needle`` on one line (the whole line when it is short)."""
    line = " ".join(text.split())
    at = line.casefold().find(needle.casefold())
    if len(line) <= width or at < 0:
        return _one_line(line, width)
    start = max(0, at - width // 3)
    return ("…" if start else "") + _one_line(line[start:], width)


def _timeline_entries(needle: str, limit: int) -> list[SearchHit]:
    ranking = _ranking(needle)

    def score(row: Row) -> tuple[Any, ...]:
        eid, title, body, at = row[:4]
        return ranking([title], [title, body]), -at, -eid

    hits = []
    for rank, (eid, title, body, at, kind, cid, customer) in _best(_find(_ENTRIES, needle), score, limit):
        label = kind.capitalize()
        when = datetime.fromtimestamp(int(at), UTC).astimezone()
        heading = f"{label} · {_one_line(title)}" if title else f"{label} · {_snippet(body, needle)}"
        subtitle = f"{customer} · {when:%d %b %Y}" + (f" · {_snippet(body, needle)}" if title and body else "")
        hits.append(SearchHit(HitKind.TIMELINE_ENTRY, eid, heading, subtitle, cid, rank))
    return hits


def _one_line(text: str, width: int = 120) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


_SEARCHES: tuple[Callable[[str, int], list[SearchHit]], ...] = (
    _customers,
    _seats,
    _tickets,
    _defects,
    _escalations,
    _timeline_entries,
)


# -- the search ------------------------------------------------------------------------------------------------


def search(text: str, limit: int = 50) -> list[SearchHit]:
    """Everything matching ``text`` (see the module docstring), best first, at most ``limit`` hits.

    Every kind that matches keeps a fair share of the list, so a common word in ticket subjects cannot hide the
    customer it also names.
    """
    needle = clean_query(text)
    if not needle or limit <= 0:
        return []
    return merge_hits([find(needle, limit) for find in _SEARCHES], limit)


def search_in_worker(text: str, limit: int = 50) -> list[SearchHit]:
    """``search`` for a background thread: afterwards that thread's SQLite connection is closed, so no file handle
    outlives the search (a database switch or a restore may replace the file). PostgreSQL connections are kept."""
    try:
        return search(text, limit)
    finally:
        if is_sqlite() and not database.is_closed():
            database.close()


def merge_hits(per_kind: Sequence[Sequence[SearchHit]], limit: int) -> list[SearchHit]:
    """Merge each kind's ranked hits into one list: by rank, then kind, keeping each kind's own order.

    Each kind first gets up to ``limit // kinds`` places; the places left go to the best of the rest.
    """
    order = {kind: n for n, kind in enumerate(HitKind)}
    share = max(1, limit // max(1, len(per_kind)))
    chosen = [hit for hits in per_kind for hit in hits[:share]]
    rest = sorted((hit for hits in per_kind for hit in hits[share:]), key=lambda h: (h.rank, order[h.kind]))
    chosen.extend(rest[: max(0, limit - len(chosen))])
    position = {id(hit): n for hits in per_kind for n, hit in enumerate(hits)}
    chosen.sort(key=lambda h: (h.rank, order[h.kind], position[id(h)]))
    return chosen[:limit]


def entry_customer(entry_id: int) -> int | None:
    """The customer a timeline entry belongs to (it opens on that customer's Timeline tab); None if gone."""
    sql = f"SELECT customer_id FROM timeline_entry WHERE id = {database.obj.param}"
    rows = list(database.execute_sql(sql, [entry_id]))
    return int(rows[0][0]) if rows else None


def seat_customer(seat_id: int) -> int | None:
    """The customer a seat belongs to (a seat holder opens on its customer's Portal seats tab); None if gone."""
    rows = list(database.execute_sql(f"SELECT customer_id FROM portal_seat WHERE id = {database.obj.param}", [seat_id]))
    return int(rows[0][0]) if rows else None
