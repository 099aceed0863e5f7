"""Every workbook's detail sheets are data sheets that a machine reads with no options, and that print legibly.

Read: the column header on row 1, one named Excel table over exactly the header and data rows, table names unique
and valid, nothing but data under the header (what ``pandas.read_excel(path, sheet_name=...)`` would see, checked
with openpyxl since pandas is not a dependency), one value per cell. Print: landscape, one page wide at no less
than 70% (the column widths add up to at most ``xlsx.MAX_PRINT_WIDTH``), the header row on every page, the title
and period in the page header; the Summary keeps the header block, lists each data sheet, and prints on one page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from tamdesk.reports.defects import export_defect_report
from tamdesk.reports.escalations import export_escalation_log
from tamdesk.reports.onboarding import export_onboarding
from tamdesk.reports.reconciliation import export_reconciliation
from tamdesk.reports.seats import export_seat_roster
from tamdesk.reports.sla import export_sla_report
from tamdesk.reports.xlsx import MAX_PRINT_WIDTH, PRINT_MIN_SCALE, print_width
from tamdesk.services.base import Context
from tamdesk.services.defects import link_ticket, report_defect
from tamdesk.services.report_data import ReportScope
from tamdesk.services.seats import SeatInput, request_seat
from tamdesk.services.ticket_import import import_tickets
from tests.db.test_reports_sla import HOSTILE, assert_data_sheet, header_block, sla_book, table  # noqa: F401  (a fixture)
from tests.db.test_ticket_import_sources import ZENDESK, customers, zendesk  # noqa: F401  (a fixture)

BERLIN = ZoneInfo("Europe/Berlin")
TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
LONG_TEXT = {"Subject", "Title", "Reason", "Entry", "Next step", "Customer", "Revoke reason"}
# Landscape Letter (the narrower paper) less 0.4 in margins, in pixels at 96 dpi; a column of width w takes 7w + 5.
PRINTABLE_PX = (11.0 - 2 * 0.4) * 96
DATA_SHEETS = {
    "sla": ["Act now", "By TAM", "By customer", "Breaches", "Tickets", "Ticket defects"],
    "defects": ["Open defects", "Deployed fixes", "Customers waiting"],
    "escalations": ["Escalations", "VP apprisals", "Timeline"],
    "seats": ["Seats"],
    "onboarding": ["Customers"],
}


@pytest.fixture
def books(sla_book: dict[str, int], ctx: Context, tmp_path: Path) -> dict[str, Path]:  # noqa: F811
    """Every workbook with detail sheets, from one database; a defect of two customers; long, hostile text."""
    defect = report_defect(ctx, sla_book["T-4"], "=" + "A very long defect title " * 10)  # Globex; 251 characters
    link_ticket(ctx, defect, sla_book["T-5"])  # Acme
    request_seat(ctx, sla_book["acme"], SeatInput(HOSTILE[3], "ana@acme.com"), accept_warnings=True)
    everything = ReportScope(tz=BERLIN)
    exports = {
        "sla": lambda path: export_sla_report(path, everything, ctx=ctx),
        "defects": lambda path: export_defect_report(path, everything, ctx=ctx),
        "escalations": lambda path: export_escalation_log(path, everything, ctx=ctx),
        "seats": lambda path: export_seat_roster(path, ctx=ctx, tz=BERLIN),
        "onboarding": lambda path: export_onboarding(path, ctx=ctx, tz=BERLIN),
    }
    for name, export in exports.items():
        export(tmp_path / f"{name}.xlsx")
    return {name: tmp_path / f"{name}.xlsx" for name in exports}


def widths(ws: Any) -> list[float]:
    return [ws.column_dimensions[get_column_letter(n)].width for n in range(1, ws.max_column + 1)]


def assert_reads_as_data(ws: Any) -> None:
    """What a reader with no options sees: the titles on row 1, rows of data under them and nothing else."""
    titles = [c.value for c in ws[1]]
    assert all(isinstance(t, str) and t for t in titles) and len({t.casefold() for t in titles}) == len(titles)
    assert_data_sheet(ws, titles)
    assert not ws.merged_cells.ranges, ws.title
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert all(any(v is not None for v in row) for row in rows), f"{ws.title}: no blank or note rows among the data"
    assert all(not isinstance(v, str) or not v.startswith("Total") for row in rows for v in row[:1]), "no totals row"


def assert_prints_legibly(ws: Any) -> None:
    """Landscape, one page wide and as many tall as needed, at no less than 70%; long text wraps."""
    assert print_width(widths(ws)) <= MAX_PRINT_WIDTH, f"{ws.title}: {widths(ws)}"
    assert PRINTABLE_PX / sum(7 * w + 5 for w in widths(ws)) >= PRINT_MIN_SCALE, ws.title
    setup = ws.page_setup
    assert ws.sheet_properties.pageSetUpPr.fitToPage and (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    assert ws.page_margins.left <= 0.4 and ws.page_margins.right <= 0.4
    assert ws.oddHeader.left.text and ws.oddFooter.right.text == "Page &P of &N"
    for column, title in enumerate((c.value for c in ws[1]), 1):
        cells = [c for (c,) in ws.iter_rows(min_row=2, min_col=column, max_col=column) if c.value is not None]
        assert all(c.alignment.vertical == "top" for c in cells), f"{ws.title}: {title} starts level with the row"
        if title in LONG_TEXT:
            assert all(c.alignment.wrap_text for c in cells), (ws.title, title)


def assert_workbook(path: Path, data_sheets: list[str], *, summary_on_one_page: bool = True) -> None:
    wb = openpyxl.load_workbook(path)
    summary = wb.worksheets[0]
    assert [ws.title for ws in wb.worksheets if ws.tables] == data_sheets, "the other sheets are read by people"
    details = [wb[name] for name in data_sheets]
    for ws in details:
        assert_reads_as_data(ws)
        assert_prints_legibly(ws)
    names = [name for ws in details for name in ws.tables]
    assert len({n.casefold() for n in names}) == len(names) == len(details)
    assert all(TABLE_NAME.fullmatch(name) for name in names), names
    assert not summary.tables and summary.page_setup.orientation == "landscape"
    assert summary.page_setup.fitToWidth == 1 and summary.page_setup.fitToHeight == (1 if summary_on_one_page else 0)
    lines = header_block(summary)
    assert lines[1].startswith(("Period: ", "Exported ")) and any(line.startswith("Times are in") for line in lines)
    assert [line.split(":")[0] for line in lines if line.startswith("Sheet ")] == [f"Sheet {s}" for s in data_sheets]


@pytest.mark.parametrize("book", DATA_SHEETS)
def test_every_detail_sheet_is_a_data_sheet_that_prints_legibly(books: dict[str, Path], book: str) -> None:
    assert_workbook(books[book], DATA_SHEETS[book], summary_on_one_page=book != "seats")  # seats: one row a customer


def test_sla_tables_and_page_headers(books: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(books["sla"])
    assert [name for ws in wb.worksheets for name in ws.tables] == [
        "Act_now", "By_TAM", "By_customer", "Breaches", "Tickets", "Ticket_defects",
    ]  # fmt: skip
    assert wb["Tickets"].tables["Tickets"].tableStyleInfo.name == "TableStyleMedium2"
    breaches = wb["Breaches"]
    assert (breaches.oddHeader.left.text, breaches.oddHeader.right.text) == (
        "SLA breaches, open first", "Period: all dates (tickets by the day they were opened)",
    )  # fmt: skip
    summary = header_block(wb["Summary"])
    assert "Sheet Breaches: SLA breaches, open first. Most severe first, then the latest, in the clock's own hours." \
        in summary  # fmt: skip
    assert max(len(line) for line in summary) <= 110, "no line widens the printed Summary beyond its table"
    assert "Sheet Tickets: Tickets." in summary
    tickets = wb["Tickets"]
    heights = {row[0].value: tickets.row_dimensions[row[0].row].height for row in tickets.iter_rows(min_row=2)}
    assert heights["T-1"] is None, "one line: the default height"
    assert heights["T-4"] == 30, "the subject wraps onto two lines; LibreOffice does not fit the row by itself"
    assert heights[f"T-{HOSTILE.index('A' * 40_000) + 7}"] == 300, "at most twenty lines"
    _, rows = table(wb["Trend"], "Month")
    (chart,) = wb["Trend"]._charts
    last_row = rows[11][0].row
    assert rows[11][0].value == "2026-03 (1–10 Mar, partial)"
    assert chart.anchor._from.row + 1 == last_row + 2, "under the table, a row apart"


def test_defect_customers_one_value_per_cell(books: dict[str, Path], sla_book: dict[str, int]) -> None:  # noqa: F811
    wb = openpyxl.load_workbook(books["defects"])
    header = [c.value for c in wb["Open defects"][1]]
    rows = [dict(zip(header, row, strict=True)) for row in wb["Open defects"].iter_rows(min_row=2, values_only=True)]
    assert all(r["Customer"] is None or ", " not in r["Customer"] for r in rows)
    linked = [r for r in rows if r["Title"].startswith("=A very long")]
    assert sorted(r["Customer"] for r in linked) == ["Acme", "Globex"]
    assert len({r["Defect"] for r in linked}) == 1


def test_reconciliation_lines_are_data_sheets(customers: dict[str, int], ctx: Context, tmp_path: Path) -> None:  # noqa: F811
    found = import_tickets(ctx, ZENDESK, zendesk()).reconciliation
    assert found is not None
    path = export_reconciliation(ctx, tmp_path / "reconcile.xlsx", found, tz=BERLIN, file_name=ZENDESK.name)
    assert_workbook(path, ["Disagreements", "Compared"])
