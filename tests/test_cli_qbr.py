"""``tamdesk export qbr``: a customer's quarterly review written in one command, and every bad input refused in one
sentence on stderr with exit code 1 and no file left behind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from tamdesk.__main__ import main
from tamdesk.domain.quarters import quarter_of

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Acme Analytics, Acme Robotics and Globex, with tickets of Q4 2025 and Q3 2025 imported as a TAM would."""
    path = tmp_path / "t.db"
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "Name,Email domains,Time zone,Country,TAM\n"
        "Acme Analytics,acme.com,Europe/Berlin,DE,Ann Ross\n"
        "Acme Robotics,acme-robotics.com,Europe/Berlin,DE,Ann Ross\n"
        "Globex,globex.com,America/New_York,US,Ann Ross\n"
    )
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(
        "Ticket,Customer,Subject,Severity,Status,Opened,First response,Resolved\n"
        "T-1,Acme Analytics,Login fails,1,solved,2025-10-06T10:00:00Z,2025-10-06T10:20:00Z,2025-10-06T12:00:00Z\n"
        "T-2,Acme Analytics,Slow export,3,solved,2025-11-12T10:00:00Z,2025-11-12T11:00:00Z,2025-11-13T10:00:00Z\n"
        "T-3,Acme Analytics,Old question,4,solved,2025-08-01T10:00:00Z,2025-08-01T11:00:00Z,2025-08-01T12:00:00Z\n"
        "T-4,Globex,Not Acme's,1,solved,2025-10-07T10:00:00Z,2025-10-07T10:10:00Z,2025-10-07T11:00:00Z\n"
    )
    assert main(["--db", str(path), "init"]) == 0
    assert main(["--db", str(path), "import", "customers", str(customers)]) == 0
    assert main(["--db", str(path), "import", "tickets", str(tickets)]) == 0
    return path


@pytest.fixture
def cli(db: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    capsys.readouterr()

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), *argv])
        out, err = capsys.readouterr()
        return code, out.rstrip("\n"), err.rstrip("\n")

    return run


def test_the_review_is_written_and_summarized_in_one_line(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "acme-q4.xlsx"
    code, stdout, stderr = cli("export", "qbr", "--customer", "acme analytics", "--quarter", "2025q4", "--out",
                               str(out))  # fmt: skip
    assert (code, stderr) == (0, "")
    assert stdout == f"Quarterly review of Acme Analytics, Q4 2025 (2 tickets) written to {out}."
    wb = openpyxl.load_workbook(out)
    assert wb["Summary"]["A1"].value == "Quarterly business review — Acme Analytics, Q4 2025"
    summary = wb["Summary"]
    top = next(r for r in range(1, 80) if summary.cell(r, 1).value == "Measure")
    rows = [[c.value for c in row] for row in summary.iter_rows(min_row=top + 1, max_row=top + 5, max_col=4)]
    assert rows == [["Tickets opened", 2, 1, 1], ["  Sev1 Urgent", 1, 0, 1], ["  Sev2 High", 0, 0, 0],
                    ["  Sev3 Normal", 1, 0, 1], ["  Sev4 Low", 0, 1, -1]]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--customer", "Acme Analytics", "--quarter", "2025-4"),
         "tamdesk export qbr: --quarter '2025-4' is not a quarter: write it as YYYYQn, such as 2026Q4."),
        (("--customer", "Acme Analytics", "--quarter", "2025Q5"),
         "tamdesk export qbr: --quarter '2025Q5' is not a quarter: write it as YYYYQn, such as 2026Q4."),
        (("--customer", "Initech", "--quarter", "2025Q4"), "tamdesk export qbr: No customer named 'Initech'."),
        (("--customer", "Globex", "--quarter", "2999Q1"),
         "tamdesk export qbr: Q1 2999 has not started yet: choose {current} or an earlier one."),
        (("--customer", "acme", "--quarter", "2025Q4"),
         "tamdesk export qbr: 'acme' could be Acme Analytics, Acme Robotics: write more of the name."),
    ],
)  # fmt: skip
def test_bad_input_is_one_sentence_and_no_file(cli: Cli, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    out = tmp_path / "q.xlsx"
    code, stdout, stderr = cli("export", "qbr", *args, "--out", str(out))
    now = quarter_of(datetime.now(ZoneInfo("America/New_York")).date())
    assert (code, stdout, stderr) == (1, "", message.format(current=f"{now.code} ({now.label})"))
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "why"),
    [("missing/q.xlsx", "folder {folder} does not exist"), ("q.csv", "a workbook's file name must end in .xlsx")],
)
def test_a_bad_out_path_is_refused_naming_it(cli: Cli, tmp_path: Path, name: str, why: str) -> None:
    out = tmp_path / name
    code, stdout, stderr = cli("export", "qbr", "--customer", "Globex", "--quarter", "2025Q4", "--out", str(out))
    assert (code, stdout) == (1, "")
    assert stderr == f"tamdesk export qbr: Cannot write {out}: {why.format(folder=out.parent)}"
    assert not list(tmp_path.rglob("*.xlsx")) and not list(tmp_path.rglob("*.tmp"))


def test_a_customer_with_nothing_in_the_quarter_gets_an_empty_review(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "robotics.xlsx"
    code, stdout, _ = cli("export", "qbr", "--customer", "Acme Robotics", "--quarter", "2025Q4", "--out", str(out))
    assert (code, stdout) == (0, f"Quarterly review of Acme Robotics, Q4 2025 (0 tickets) written to {out}.")
    rows = list(openpyxl.load_workbook(out)["Summary"].iter_rows(max_col=6, values_only=True))
    card = {row[0]: row[1:] for row in rows}
    assert card["Tickets opened"] == (0, 0, 0, None, None)
    assert card["First responses in time"] == (None, None, None, 0.95, "No tickets")
    assert ("No meetings or calls this quarter.", None, None, None, None, None) in rows
