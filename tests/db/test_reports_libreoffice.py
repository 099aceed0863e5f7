"""LibreOffice, the managers' other spreadsheet, opens every workbook kind: each converts to PDF (landscape, titled)
and to CSV as displayed, and the figures it shows add up to the rows it shows; hostile text stays literal text.

Skipped when LibreOffice is not installed (CI installs libreoffice-calc-nogui; see .ci/run).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tamdesk.reports.access_form import export_access_form
from tamdesk.reports.defects import export_defect_report
from tamdesk.reports.escalations import export_escalation_log
from tamdesk.reports.onboarding import export_onboarding
from tamdesk.reports.seats import export_seat_roster
from tamdesk.reports.sla import export_sla_report
from tamdesk.services.base import Context
from tamdesk.services.defects import report_defect
from tamdesk.services.escalations import add_note
from tamdesk.services.report_data import ReportScope
from tamdesk.services.seats import SeatInput, grant_seat, request_seat
from tests.db.test_reports_sla import FEBRUARY, HOSTILE, sla_book  # noqa: F401  (a fixture)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"),
]
BERLIN = ZoneInfo("Europe/Berlin")
# comma, double quote, UTF-8, from line 1, cells as shown, every sheet to its own file (the last token, -1)
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
HOSTILE_TITLE = "=cmd|' /C calc'!A0"


@pytest.fixture
def engine() -> str:
    """LibreOffice reads files; which database engine wrote the figures does not matter here."""
    return "sqlite"


@pytest.fixture
def books(sla_book: dict[str, int], ctx: Context, tmp_path: Path) -> dict[str, Path]:  # noqa: F811
    """Every workbook kind, written from one database."""
    report_defect(ctx, sla_book["T-4"], HOSTILE_TITLE)
    add_note(ctx, 1, HOSTILE[2])  # the escalation of T-5
    seat = request_seat(ctx, sla_book["acme"], SeatInput(HOSTILE[3], "ana@acme.com"), accept_warnings=True)
    grant_seat(ctx, seat, 1)
    request_seat(ctx, sla_book["acme"], SeatInput("Bo Berg", "bo@acme.com"), accept_warnings=True)
    folder = tmp_path / "books"
    folder.mkdir()
    everything = ReportScope(tz=BERLIN)
    export_sla_report(folder / "sla.xlsx", everything, ctx=ctx)
    export_sla_report(folder / "sla-february.xlsx", FEBRUARY, ctx=ctx)
    export_defect_report(folder / "defects.xlsx", everything, ctx=ctx)
    export_escalation_log(folder / "escalations.xlsx", everything, ctx=ctx)
    export_seat_roster(folder / "seats.xlsx", ctx=ctx, tz=BERLIN)
    export_onboarding(folder / "onboarding.xlsx", ctx=ctx, tz=BERLIN)
    export_access_form(sla_book["acme"], folder / "access-form.xlsx", ctx=ctx)
    return {path.stem: path for path in sorted(folder.glob("*.xlsx"))}


def convert(books: dict[str, Path], target: str, out: Path, profile: Path) -> None:
    """One soffice run converts every workbook (a fresh profile: safe beside other runs)."""
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target,
               "--outdir", str(out), *map(str, books.values())]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=300)


def sheet(out: Path, book: str, name: str) -> list[list[str]]:
    """A sheet as LibreOffice displays it, cell texts stripped of the padding some number formats add."""
    with (out / f"{book}-{name}.csv").open(encoding="utf-8", newline="") as handle:
        return [[cell.strip() for cell in row] for row in csv.reader(handle)]


def data(rows: list[list[str]], first_title: str) -> tuple[list[str], list[dict[str, str]]]:
    """The table under the header row whose first cell is ``first_title``, up to its first empty row."""
    top = next(n for n, row in enumerate(rows) if row and row[0] == first_title)
    header, found = rows[top], []
    for row in rows[top + 1 :]:
        if not any(row):
            break
        found.append(dict(zip(header, row, strict=False)))
    return header, found


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else ""


@pytest.fixture
def csv_out(books: dict[str, Path], tmp_path: Path) -> Path:
    out = tmp_path / "csv"
    convert(books, CSV_FILTER, out, tmp_path / "lo-profile-csv")
    return out


def test_sla_figures_as_libreoffice_shows_them(csv_out: Path) -> None:
    _, tickets = data(sheet(csv_out, "sla", "Tickets"), "Ticket")
    _, months = data(sheet(csv_out, "sla", "By month"), "Month")
    total = months[-1]
    assert total["Month"] == "Total" and int(total["Tickets"]) == len(tickets)
    due = [t for t in tickets if t["First response met"] in ("Yes", "No")]
    assert total["FR %"] == percent(sum(t["First response met"] == "Yes" for t in due), len(due))
    _, breaches = data(sheet(csv_out, "sla", "Breaches"), "Ticket")
    breached = [t for t in tickets if t["First response met"] == "No" or int(t["Missed updates"]) > 0]
    assert int(total["Breaches"]) == len(breaches) == len(breached)
    _, customers = data(sheet(csv_out, "sla", "By customer"), "Customer")
    assert sum(int(c["Tickets"]) for c in customers) == int(total["Tickets"]), "a data sheet: no totals row"
    one = next(t for t in tickets if t["Ticket"] == "T-1")
    assert (one["Opened"], one["First response"], one["First response met"], one["Hours to resolve"]) == (
        "2026-02-02 11:00", "2026-02-02 11:30", "Yes", "1.5",
    )  # fmt: skip
    subjects = {t["Subject"] for t in tickets}
    for text in ('=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "#N/A", "＝1+1 full-width equals"):
        assert text in subjects, f"{text!r} is shown as the text it is"
    _, card = data(sheet(csv_out, "sla-february", "Summary"), "Measure")
    assert [card[0][k] for k in ("Measure", "This period", "Goal", "Verdict")] == [
        "First responses in time", "75.0%", "95%", "✖ below goal",
    ]  # fmt: skip
    february = sheet(csv_out, "sla-february", "By month")
    _, rows = data(february, "Month")
    assert [r["Month"] for r in rows] == ["2026-02", "Total"]
    assert [rows[-1][k] for k in ("Tickets", "Breaches", "FR %", "Upd. %", "FR Sev1", "FR Sev2")] == [
        "4", "2", "75.0%", "75.0%", "75.0%", "",
    ]  # fmt: skip
    assert [r[0] for r in february if r and r[0].startswith("Times are")] == ["Times are in Europe/Berlin"]


def test_defects_escalations_seats_onboarding_and_form_as_shown(csv_out: Path) -> None:
    _, severities = data(sheet(csv_out, "defects", "Summary"), "Severity")
    _, open_defects = data(sheet(csv_out, "defects", "Open defects"), "Defect")
    _, fixed = data(sheet(csv_out, "defects", "Deployed fixes"), "Defect")
    assert severities[-1]["Severity"] == "Total" and int(severities[-1]["Open"]) == len(open_defects) == 2
    assert int(severities[-1]["Fixed in period"]) == len(fixed) == 0
    assert {d["Title"] for d in open_defects} == {"Export stalls on large files", HOSTILE_TITLE}
    assert {d["Defect"] for d in open_defects} == {"#1", "#2"}
    _, summary = data(sheet(csv_out, "escalations", "Summary"), "Severity")
    _, escalations = data(sheet(csv_out, "escalations", "Escalations"), "Escalation")
    _, timeline = data(sheet(csv_out, "escalations", "Timeline"), "Escalation")
    assert int(summary[-1]["Escalations"]) == len(escalations) == 1 and summary[-1]["Open"] == "1"
    assert escalations[0]["Ticket"] == "T-5" and HOSTILE[2] in [line["Entry"] for line in timeline]
    _, seat_summary = data(sheet(csv_out, "seats", "Summary"), "Customer")
    _, seats = data(sheet(csv_out, "seats", "Seats"), "Customer")
    assert seat_summary[-1]["Customer"] == "Total" and int(seat_summary[-1]["Used"]) == len(seats) == 2
    assert HOSTILE[3] in {s["Full name"] for s in seats}
    _, states = data(sheet(csv_out, "onboarding", "Summary"), "State")
    _, customers = data(sheet(csv_out, "onboarding", "Customers"), "Customer")
    assert int(states[-1]["Customers"]) == len(customers) == 2
    form_rows = sheet(csv_out, "access-form", "Access form")
    assert form_rows[0][0] == "Customer portal access form: Acme"
    header, holders = data(form_rows, "#")
    assert header[1:5] == ["Full name", "Email", "Job title", "Phone"]
    assert [h["Full name"] for h in holders[:2]] == [HOSTILE[3], "Bo Berg"]


def test_every_workbook_prints_to_pdf(books: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "pdf"
    convert(books, "pdf", out, tmp_path / "lo-profile-pdf")
    titles = {
        "sla": [
            "SLA report",
            "Act now",
            "Compliance by month, the last 12 months",
            "SLA by month",
            "SLA by TAM",
            "SLA by customer, worst first",
            "SLA breaches, open first",
            "Tickets",
        ],
        "defects": ["Defect report", "Open defects", "Fixes deployed in the period"],
        "escalations": ["Escalations log", "Escalation timelines"],
        "seats": ["Portal seats per customer", "Portal seat roster"],
        "onboarding": ["Onboarding status", "Onboarding status by customer"],
        "access-form": ["Customer portal access form: Acme"],
    }
    for name in books:
        pdf = out / f"{name}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF"), name
        if shutil.which("pdfinfo"):
            info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
            size = next(line for line in info.splitlines() if line.startswith("Page size:")).split()
            assert float(size[2]) > float(size[4]), f"{name} prints landscape: {size}"
        if shutil.which("pdftotext") and name in titles:
            text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True).stdout
            for title in titles[name]:
                assert title in text.decode(), f"{name}.pdf shows {title!r}"
    first_page = subprocess.run(
        ["pdftotext", "-l", "1", "-layout", str(out / "sla-february.pdf"), "-"], capture_output=True, text=True
    ).stdout if shutil.which("pdftotext") else ""  # fmt: skip
    if first_page:
        assert "SLA report" in first_page and "Exported 2026-03-10 15:30 by Tess Tam" in first_page
        assert "First responses in time" in first_page and "75.0%" in first_page, "the summary is the first page"
