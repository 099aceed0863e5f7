"""Seat roster and onboarding workbooks, reopened with openpyxl: sheets, headers, real dates, text never a formula."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from tamdesk.__main__ import main
from tamdesk.models import tables as t
from tamdesk.reports.onboarding import export_onboarding
from tamdesk.reports.seats import export_seat_roster
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer, set_archived
from tamdesk.services.onboarding import checklist, set_step_done
from tamdesk.services.seats import SeatInput, confirm_welcome, grant_seat, request_seat, revoke_seat, seat_roster
from tests.db.test_reports_sla import assert_data_sheet

TODAY = date(2026, 3, 10)
BERLIN = ZoneInfo("Europe/Berlin")
HOSTILE = ['=HYPERLINK("http://evil","x")', "+Plus Person", "-Minus Person", "@At Person"]


@pytest.fixture
def book(db_path: Path, ctx: Context) -> dict[str, int]:
    """Acme (two seats held, one revoked, one with a hostile name), Globex (one seat), Archived Inc."""
    acme = create_customer(ctx, CustomerInput(name="Acme", email_domains="acme.com", tam="Tess Tam"))
    globex = create_customer(ctx, CustomerInput(name="Globex", tam="Sam Lee", onboarding_started=date(2026, 3, 1)))
    archived = create_customer(ctx, CustomerInput(name="Archived Inc"))
    ana = request_seat(ctx, acme, SeatInput("Ana Silva", "ana@acme.com", "Data engineer"))
    grant_seat(ctx, ana, 1)
    confirm_welcome(ctx, ana, 2)
    old = request_seat(ctx, acme, SeatInput("Olga Old", "olga@acme.com"))
    revoke_seat(ctx, old, 1, "=Left the company")
    request_seat(ctx, acme, SeatInput(HOSTILE[0], "hyper@acme.com", HOSTILE[1], HOSTILE[2]))
    request_seat(ctx, globex, SeatInput("Gus Globex", "gus@globex.com"))
    request_seat(ctx, archived, SeatInput("Arch Ive", "arch@archived.com"))
    set_archived(ctx, archived, t.Customer.get_by_id(archived).version, True)
    return {"acme": acme, "globex": globex, "archived": archived}


def rows(ws: Any, header: str) -> tuple[list[Any], list[list[Any]]]:
    """The header row (found by its first title) and the data rows under it, as cells."""
    top = next(r for r in range(1, 20) if ws.cell(r, 1).value == header)
    table = list(ws.iter_rows(min_row=top))
    return [c.value for c in table[0]], [list(r) for r in table[1:]]


def assert_no_formulas(path: Path) -> None:
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"


def test_roster_gatherer_orders_held_seats_then_history(book: dict[str, int]) -> None:
    roster = seat_roster()
    assert [c.name for c in roster.customers] == ["Acme", "Globex"]
    acme = roster.customers[0]
    assert (acme.tam, acme.allowance, acme.used, acme.active, acme.requested, acme.revoked) == (
        "Tess Tam",
        5,
        2,
        1,
        1,
        1,
    )
    assert [(line.customer, line.seat.seat_no, line.seat.full_name) for line in roster.lines] == [
        ("Acme", 1, "Ana Silva"),
        ("Acme", 2, HOSTILE[0]),
        ("Acme", 2, "Olga Old"),
        ("Globex", 1, "Gus Globex"),
    ]
    assert [c.name for c in seat_roster(book["archived"]).customers] == ["Archived Inc"]


def test_roster_workbook(book: dict[str, int], ctx: Context, tmp_path: Path, fixed_now: datetime) -> None:
    path = export_seat_roster(tmp_path / "roster.xlsx", ctx=ctx, tz=BERLIN)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "Seats"]
    assert wb.properties.title == "Portal seat roster" and wb.properties.creator == "Tess Tam"
    summary = wb["Summary"]
    assert summary["A1"].value == "Portal seats per customer"
    assert "Exported 2026-03-10 15:30 by Tess Tam" in [summary.cell(r, 1).value for r in range(1, 6)]
    header, data = rows(summary, "Customer")
    assert header == ["Customer", "TAM", "Allowance", "Used", "Free", "Requested", "Granted", "Active", "Revoked"]
    assert [[c.value for c in r] for r in data] == [
        ["Acme", "Tess Tam", 5, 2, 3, 1, 0, 1, 1],
        ["Globex", "Sam Lee", 5, 1, 4, 1, 0, 0, 0],
        ["Total", None, 10, 3, 7, 2, 0, 1, 1],
    ]
    seats = wb["Seats"]
    header, data = rows(seats, "Customer")
    assert header == [
        "Customer",
        "Seat",
        "Full name",
        "Email",
        "Status",
        "Requested",
        "Granted",
        "Welcome confirmed",
        "Revoked",
        "Revoke reason",
    ]
    ana, hostile, olga, gus = data
    assert [c.value for c in ana[:5]] == ["Acme", 1, "Ana Silva", "ana@acme.com", "Active"]
    day = datetime(2026, 3, 10)  # the day in Berlin, as a real date
    assert [c.value for c in ana[5:9]] == [day, day, day, None]
    assert ana[5].is_date and ana[5].number_format == "yyyy-mm-dd"
    assert isinstance(ana[1].value, int)
    assert [(c.value, c.data_type) for c in hostile[2:4]] == [(HOSTILE[0], "s"), ("hyper@acme.com", "s")]
    assert [olga[4].value, olga[8].value, olga[9].value] == ["Revoked", day, "=Left the company"]
    assert olga[9].data_type == "s"
    assert gus[0].value == "Globex"
    assert_data_sheet(seats, header)
    assert seats.tables["Seats"].ref == "A1:J5" and seats.max_row == 5
    assert seats.page_setup.orientation == "landscape"
    assert_no_formulas(path)


def test_roster_of_one_customer_names_the_filter(book: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    path = export_seat_roster(tmp_path / "acme.xlsx", book["globex"], ctx=ctx, tz=BERLIN)
    wb = openpyxl.load_workbook(path)
    assert "Filters: Customer: Globex" in [wb["Summary"].cell(r, 1).value for r in range(1, 6)]
    assert [r[0].value for r in rows(wb["Seats"], "Customer")[1]] == ["Globex"]


def test_onboarding_checklist_workbook(book: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    first = checklist(book["globex"], TODAY).steps[0]
    set_step_done(ctx, first.id, first.version, True, note="=Held on Teams")
    path = export_onboarding(tmp_path / "checklist.xlsx", book["globex"], ctx=ctx, tz=BERLIN)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Checklist"]
    ws = wb["Checklist"]
    intro = [ws.cell(r, 1).value for r in range(1, 9)]
    assert intro[:3] == [
        "Onboarding checklist: Globex",
        "Customer: Globex    TAM: Sam Lee    Onboarding started: 2026-03-01",
        "Progress: 1 of 10 steps done    State: Overdue",
    ]
    header, data = rows(ws, "Done")
    assert header == ["Done", "#", "Step", "Due", "Done by", "Done on", "Note"]
    assert len(data) == 10
    kickoff = [c.value for c in data[0]]
    assert kickoff[:3] == ["☑", 1, "Kickoff held"]
    assert kickoff[3] == datetime(2026, 3, 2)  # a real date (1 March is a Sunday: due the Monday)
    assert kickoff[4:] == ["Tess Tam", datetime(2026, 3, 10, 15, 30), "=Held on Teams"]
    assert data[0][6].data_type == "s"
    assert data[1][0].value == "☐"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows
    assert_no_formulas(path)


def test_onboarding_status_workbook(book: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    path = export_onboarding(tmp_path / "status.xlsx", ctx=ctx, tz=BERLIN)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "Customers"]
    _, summary = rows(wb["Summary"], "State")
    assert [[c.value for c in r] for r in summary] == [
        ["Not started", 1],  # Acme: two of five seats granted, so no step proves itself yet
        ["In progress", 0],
        ["Overdue", 1],
        ["Complete", 0],
        ["Total", 2],
    ]
    header, data = rows(wb["Customers"], "Customer")
    assert_data_sheet(wb["Customers"], header)
    assert header == [
        "Customer",
        "TAM",
        "State",
        "Started",
        "Done",
        "Total",
        "Progress",
        "Next step",
        "Next step due",
        "Overdue steps",
        "Days overdue",
    ]
    globex = [c.value for c in data[1]]
    assert globex[:7] == ["Globex", "Sam Lee", "Overdue", datetime(2026, 3, 1), 0, 10, 0]
    assert globex[7:] == ["Kickoff held", datetime(2026, 3, 2), 4, 8]
    assert data[1][6].number_format == "0.0%_)"
    assert [r[0].value for r in data] == ["Acme", "Globex"]  # archived customers left out
    assert_no_formulas(path)


def test_cli_exports(book: dict[str, int], db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv, message in [
        (["export", "seats", "--out", str(tmp_path / "a.xlsx")], f"Seat roster written to {tmp_path / 'a.xlsx'}."),
        (
            ["export", "seats", "--customer", "acme", "--out", str(tmp_path / "b.xlsx"), "--tz", "Asia/Tokyo"],
            f"Seat roster of Acme written to {tmp_path / 'b.xlsx'}.",
        ),
        (
            ["export", "onboarding", "--out", str(tmp_path / "c.xlsx")],
            f"Onboarding status written to {tmp_path / 'c.xlsx'}.",
        ),
        (
            ["export", "onboarding", "--customer", "Globex", "--out", str(tmp_path / "d.xlsx")],
            f"Onboarding checklist of Globex written to {tmp_path / 'd.xlsx'}.",
        ),
    ]:
        assert main(["--db", str(db_path), *argv]) == 0
        assert capsys.readouterr().out.strip() == message
    assert "Times are in Asia/Tokyo" in [
        openpyxl.load_workbook(tmp_path / "b.xlsx")["Summary"].cell(r, 1).value for r in range(1, 7)
    ]
    assert (
        main(["--db", str(db_path), "export", "seats", "--customer", "Nobody", "--out", str(tmp_path / "e.xlsx")]) == 1
    )
    assert capsys.readouterr().err.strip() == "tamdesk export seats: No customer named 'Nobody'."
    assert not (tmp_path / "e.xlsx").exists()
    assert main(["--db", str(db_path), "export", "seats", "--out", str(tmp_path / "f.xlsx"), "--tz", "Mars/Base"]) == 1
    assert capsys.readouterr().err.strip() == (
        "tamdesk export seats: --tz 'Mars/Base' is not an IANA time zone such as Europe/Berlin."
    )


def test_cli_exports_of_several_customers_and_a_period(
    book: dict[str, int], db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def export(*argv: str) -> tuple[int, str]:
        code = main(["--db", str(db_path), "export", *argv])
        out, err = capsys.readouterr()
        return code, (out or err).strip()

    out = tmp_path / "r.xlsx"
    assert export("seats", "--customer", "acme", "--customer", "Globex", "--from", "2026-03-11", "--out", str(out)) == (
        0, f"Seat roster of Acme, Globex, from 2026-03-11 written to {out}."
    )  # fmt: skip
    book_ = openpyxl.load_workbook(out)
    _, seats = rows(book_["Seats"], "Customer")
    assert sorted(r[2].value for r in seats) == sorted(["Ana Silva", HOSTILE[0], "Gus Globex"])  # Olga left 10 March
    block = [book_["Summary"].cell(r, 1).value for r in range(1, 7)]
    assert "Filters: Customers: Acme, Globex; Seats held: from 2026-03-11" in block
    assert export("seats", "--to", "2026-03-09", "--out", str(out))[0] == 0  # before anyone was requested
    assert rows(openpyxl.load_workbook(out)["Seats"], "Customer")[1] == []
    status = tmp_path / "s.xlsx"
    assert export("onboarding", "--from", "2026-03-01", "--to", "2026-03-01", "--out", str(status)) == (
        0, f"Onboarding status, 2026-03-01 to 2026-03-01 written to {status}."
    )  # fmt: skip
    _, customers = rows(openpyxl.load_workbook(status)["Customers"], "Customer")
    assert [r[0].value for r in customers] == ["Globex"]
    code, err = export("onboarding", "--customer", "Globex", "--from", "2026-03-01", "--out", str(tmp_path / "x.xlsx"))
    assert code == 1 and "with one --customer the export is that customer's checklist" in err
