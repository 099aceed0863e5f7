"""Malformed files thrown at every import that reads a file: it imports, or it refuses in one sentence and the
database is exactly as it was. Never another exception, never a traceback.

Each example starts from a valid file of the import and damages it (bytes flipped, cut, inserted; an XML part
mutated; a huge dimension declared; the text re-encoded), so most examples reach deep into the readers.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tamdesk.services.access_form import apply_access_form
from tamdesk.services.base import Context, DomainError
from tamdesk.services.customer_import import import_customers
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.tabular import ImportFailed, ImportField, read_table
from tamdesk.services.ticket_import import import_ticket_events, import_tickets

pytestmark = pytest.mark.sqlite_only  # compares the SQLite file's tables before and after

CUSTOMERS = [
    ["Name", "Email domains", "Time zone", "Country", "TAM"],
    ["Initech", "initech.com", "UTC", "US", "Ann Ross"],
]
TICKETS = [
    ["Ticket", "Customer", "Subject", "Severity", "Status", "Opened", "First response", "Resolved"],
    ["T-1", "Acme", "Login fails", "Sev2", "open", "2026-03-01T09:00:00Z", "2026-03-01T10:00:00Z", ""],
]
EVENTS = [["Ticket", "At", "Event"], ["T-1", "2026-03-02T09:00:00Z", "response"]]
FORM = [["Full name", "Email", "Job title", "Phone"], ["Ana Lima", "ana@acme.com", "CTO", "+49 30 1234"]]


def _csv(rows: list[list[str]]) -> bytes:
    return "".join(",".join(r) + "\r\n" for r in rows).encode()


def _xlsx(rows: list[list[str]]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def dump(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


# -- damage ----------------------------------------------------------------------------------------------------

_SPECIAL = [b"\x00", b"\v", b"\f", b"\xc2\x85", b'"', b"\r", b"\n", b";", b"\t", b"\xff\xfe", b"\xe2\x80\xae", b","]


@st.composite
def damaged_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few random edits: a byte flipped, a run cut out, something inserted, the tail cut."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "truncate", "special"]))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if kind == "flip" and out:
            out[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del out[at : at + draw(st.integers(1, 64))]
        elif kind == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif kind == "truncate":
            del out[at:]
        else:
            out[at:at] = draw(st.sampled_from(_SPECIAL))
    return bytes(out)


_SEEDS: dict[str, bytes] = {}


def _seed(rows: list[list[str]]) -> bytes:
    """The valid workbook of ``rows``, made once: openpyxl stamps the time, and hypothesis needs one seed to replay."""
    key = repr(rows)
    if key not in _SEEDS:
        _SEEDS[key] = _xlsx(rows)
    return _SEEDS[key]


@st.composite
def damaged_csv(draw: st.DrawFn, rows: list[list[str]]) -> bytes:
    data = _csv(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "utf-32"]))
    text = data.decode().replace(",", draw(st.sampled_from([",", ";", "\t"])))
    encoded = text.encode(encoding, errors="replace")
    return draw(st.one_of(st.just(encoded), damaged_bytes(encoded), st.binary(max_size=300)))


_XML_EDITS: list[Callable[[bytes], bytes]] = [
    lambda x: x[: len(x) // 2],
    lambda x: x.replace(b"<", b"<<", 1),
    lambda x: x.replace(b'ref="', b'ref="A1:XFD1048576" x="', 1),
    lambda x: x.replace(b"</sheetData>", b'<row r="2000000"><c r="A2000000"><v>1</v></c></row></sheetData>'),
    lambda x: x.replace(b'r="', b'r="ZZZZ', 3),
    lambda x: x.replace(b"<sheet ", b'<sheet name="Dup" ', 1),
    lambda x: x.replace(b'Target="', b'Target="../../', 1),
    lambda x: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><x>&a;&a;</x>',
    lambda x: x.replace(b"</t>", b"</t>" + b"<t>" * 5, 1),
    lambda x: x.replace(b'"inlineStr"', b'"s"'),
    lambda x: x.replace(b"<v>", b"<v>1e309", 1),
    lambda x: b"",
]


@st.composite
def damaged_xlsx(draw: st.DrawFn, rows: list[list[str]]) -> bytes:
    data = _seed(rows)
    kind = draw(st.sampled_from(["part", "part", "zip", "random", "drop"]))
    if kind == "zip":
        return draw(damaged_bytes(data))
    if kind == "random":
        return b"PK\x03\x04" + draw(st.binary(max_size=400))
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    target = draw(st.sampled_from(names))
    edit = draw(st.sampled_from(_XML_EDITS))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            if kind == "drop" and name == target:
                continue
            part = source.read(name)
            if kind == "part" and name == target:
                part = edit(part) if draw(st.booleans()) else draw(damaged_bytes(part))
            zf.writestr(name, part)
    return out.getvalue()


# -- the property ----------------------------------------------------------------------------------------------


def _outcome(db: Path, run: Callable[[], Any]) -> None:
    before = dump(db)
    try:
        run()
    except DomainError as exc:  # ImportFailed and the other refusals a user can cause
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        assert dump(db) == before, "a refused import changed the database"


def _customer(ctx: Context, name: str) -> int:
    from tamdesk.models import tables as t

    found = t.Customer.get_or_none(t.Customer.name == name)
    return found.id if found else create_customer(ctx, CustomerInput(name=name, time_zone="UTC"))


_HUNT = os.environ.get("TAMDESK_FUZZ_EXAMPLES")
FUZZ = settings(  # `make test`: 25 fixed examples each, fast and never flaky; TAMDESK_FUZZ_EXAMPLES=2000 to hunt
    max_examples=int(_HUNT or "25"),
    derandomize=not _HUNT,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.one_of(damaged_csv(CUSTOMERS), damaged_xlsx(CUSTOMERS)), xlsx=st.booleans())
def test_customer_import(db_path: Path, ctx: Context, tmp_path: Path, data: bytes, xlsx: bool) -> None:
    path = tmp_path / ("customers.xlsx" if xlsx else "customers.csv")
    path.write_bytes(data)
    _outcome(db_path, lambda: import_customers(ctx, path))


@FUZZ
@given(data=st.one_of(damaged_csv(TICKETS), damaged_xlsx(TICKETS)), xlsx=st.booleans())
def test_ticket_import(db_path: Path, ctx: Context, tmp_path: Path, data: bytes, xlsx: bool) -> None:
    _customer(ctx, "Acme")
    path = tmp_path / ("tickets.xlsx" if xlsx else "tickets.csv")
    path.write_bytes(data)
    _outcome(db_path, lambda: import_tickets(ctx, path))


@FUZZ
@given(data=st.one_of(damaged_csv(EVENTS), damaged_xlsx(EVENTS)), xlsx=st.booleans())
def test_ticket_event_import(db_path: Path, ctx: Context, tmp_path: Path, data: bytes, xlsx: bool) -> None:
    _customer(ctx, "Acme")
    tickets = tmp_path / "seed.csv"
    tickets.write_bytes(_csv(TICKETS))
    import_tickets(ctx, tickets)
    path = tmp_path / ("events.xlsx" if xlsx else "events.csv")
    path.write_bytes(data)
    _outcome(db_path, lambda: import_ticket_events(ctx, path))


@FUZZ
@given(data=damaged_xlsx(FORM))
def test_access_form_import(db_path: Path, ctx: Context, tmp_path: Path, data: bytes) -> None:
    acme = _customer(ctx, "Acme")
    path = tmp_path / "form.xlsx"
    path.write_bytes(data)
    _outcome(db_path, lambda: apply_access_form(ctx, acme, path, accept_warnings=True))


def _two_sheets() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = "Summary"
    wb.active.append(["Report of", "March"])
    data = wb.create_sheet("Data")
    for row in EVENTS:
        data.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


TWO_SHEETS = _two_sheets()
EVENT_FIELDS = [ImportField(label, True, "") for label in EVENTS[0]]


@FUZZ
@given(data=st.one_of(st.just(TWO_SHEETS), damaged_bytes(TWO_SHEETS), damaged_xlsx(EVENTS)))
def test_choosing_a_sheet(tmp_path: Path, data: bytes) -> None:
    """The next imports choose the sheet by its header: that path reads every sheet's first rows."""
    path = tmp_path / "export.xlsx"
    path.write_bytes(data)
    try:
        table = read_table(path, EVENT_FIELDS, accept_header=lambda header: "Ticket" in header)
    except ImportFailed as exc:
        assert "\n" not in str(exc) and str(exc).startswith("export.xlsx: nothing was imported. ")
    else:
        assert table.rows[0][1]["ticket"]


def test_the_undamaged_files_import(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    """The seeds the damage starts from are good files: the property is not vacuous."""
    for suffix, make in ((".csv", _csv), (".xlsx", _xlsx)):
        (tmp_path / f"c{suffix}").write_bytes(make(CUSTOMERS))
        assert import_customers(ctx, tmp_path / f"c{suffix}").created == (1 if suffix == ".csv" else 0)
        _customer(ctx, "Acme")
        (tmp_path / f"t{suffix}").write_bytes(make(TICKETS))
        assert import_tickets(ctx, tmp_path / f"t{suffix}").summary.startswith("Imported tickets:")
        (tmp_path / f"e{suffix}").write_bytes(make(EVENTS))
        import_ticket_events(ctx, tmp_path / f"e{suffix}")
    (tmp_path / "form.xlsx").write_bytes(_xlsx(FORM))
    assert apply_access_form(ctx, _customer(ctx, "Acme"), tmp_path / "form.xlsx", accept_warnings=True).requested == 1


# -- the command line ------------------------------------------------------------------------------------------


def _hostile() -> dict[str, bytes]:
    good = _xlsx(CUSTOMERS)
    source = zipfile.ZipFile(io.BytesIO(good))
    huge = io.BytesIO()
    with zipfile.ZipFile(huge, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in source.namelist():
            part = source.read(name)
            zf.writestr(name, _XML_EDITS[2](part) if name.endswith("sheet1.xml") else part)
    return {
        "huge.xlsx": huge.getvalue(),
        "cut.xlsx": good[: len(good) // 2],
        "junk.csv": bytes(range(256)) * 8,
        "long.csv": b"Name,Notes\nAcme," + b"x" * 140_000 + b"\n",
        "header.csv": b"Name,TAM\n",
        "dup.csv": b"Name,Email,TAM,email\nAcme,a,b,c\n",
    }


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("huge.xlsx", "declares 1,048,576 rows × 16,384 columns"),
        ("cut.xlsx", "the workbook is damaged (its zip is cut short or broken)"),
        ("junk.csv", "holds NUL characters"),
        ("long.csv", "row 2, column B holds 140,000 characters"),
        ("header.csv", "has a header row but no rows"),
        ("dup.csv", "the columns 'Email' (column B) and 'email' (column D) have the same name"),
    ],
)
def test_cli_refuses_hostile_files_in_one_line(
    db_path: Path, ctx: Context, tmp_path: Path, name: str, message: str
) -> None:
    create_customer(ctx, CustomerInput(name="Acme", time_zone="UTC"))  # the refusal must leave it as it is
    db = db_path
    before = dump(db)
    path = tmp_path / name
    path.write_bytes(_hostile()[name])
    done = subprocess.run(
        [sys.executable, "-m", "tamdesk", "--db", str(db), "import", "customers", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert message.lower() in done.stderr.lower()
    assert done.stderr.startswith(f"tamdesk import customers: {name}: nothing was imported. ")
    assert dump(db) == before
