"""Excel's row limit: a data sheet continues on "Tickets (2)", any other sheet refuses the export with its count.

The writer takes the limit as ``max_rows`` so most tests run at 100 rows; one writes past the real 1,048,576 rows
(about 12 s here).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine

from tamdesk.reports.xlsx import (
    EXCEL_MAX_ROWS,
    Column,
    ColumnKind,
    DocProps,
    ExportCancelled,
    ExportError,
    GoalBands,
    Overflow,
    SheetSpec,
    write_workbook,
)

K = ColumnKind
PROPS = DocProps(title="SLA report", creator="Tess Tam", created=datetime(2026, 3, 10, 14, 30, tzinfo=UTC))
OPENED = datetime(2026, 3, 1, 8, 15, tzinfo=UTC)
HEADER = ["SLA report", "Period: March", "Times are in UTC"]
TICKET_COLUMNS = [
    Column("Ticket", width=10),
    Column("Opened", K.DATETIME),
    Column("Rate", K.PERCENT),
    Column("Goal", K.PERCENT),
    Column("Subject", width=30, wrap=True),
]


def tickets(count: int) -> Iterator[tuple[Any, ...]]:
    """A generated row source: never held in memory by the test or the writer."""
    for n in range(count):
        yield (f"T-{n}", OPENED + timedelta(minutes=n), (n % 100) / 100, 0.9, "=HYPERLINK(x)" if n % 7 == 0 else "ok")


def summary() -> SheetSpec:
    return SheetSpec("Summary", [Column("Figure"), Column("Tickets", K.INT)], [("All", 1)], header_lines=HEADER)


def ticket_sheet(count: int, title: str = "Tickets") -> SheetSpec:
    return SheetSpec(
        title, TICKET_COLUMNS, tickets(count), header_lines=["Tickets", "Period: March"], data=True,
        bands=GoalBands(["Rate"], "Goal"),
    )  # fmt: skip


def write(path: Path, sheets: list[SheetSpec], **options: Any) -> Any:
    write_workbook(path, sheets, properties=PROPS, tz=UTC, max_rows=options.pop("max_rows", 100), **options)
    return openpyxl.load_workbook(path)


def values(ws: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_a_data_sheet_past_the_limit_continues_with_its_header_formats_and_table(tmp_path: Path) -> None:
    book = write(tmp_path / "sla.xlsx", [summary(), ticket_sheet(250), SheetSpec("After", [Column("A")], [("x",)])])
    assert book.sheetnames == ["Summary", "Tickets", "Tickets (2)", "Tickets (3)", "After"]
    parts = [book[name] for name in ("Tickets", "Tickets (2)", "Tickets (3)")]
    assert [ws.max_row for ws in parts] == [100, 100, 53]  # a header row and 99, 99, 52 tickets
    header = [c.title for c in TICKET_COLUMNS]
    every_ticket = []
    for ws in parts:
        rows = values(ws)
        assert rows[0] == header
        every_ticket += [row[0] for row in rows[1:]]
        assert ws.freeze_panes == "A2"
        assert [ws.column_dimensions[letter].width for letter in "AB"] == [10, 17]
        (table,) = ws.tables.values()
        assert table.ref == f"A1:E{ws.max_row}" and table.column_names == header
        assert ws["B2"].number_format == "yyyy-mm-dd hh:mm" and ws["C2"].number_format == "0.0%"
        assert ws.oddHeader.left.text == "Tickets" and ws.oddHeader.right.text == "Period: March"
        assert [str(r.sqref) for r in ws.conditional_formatting] == [f"C2:C{ws.max_row}"]
    assert every_ticket == [f"T-{n}" for n in range(250)], "every ticket once, in order"
    assert [t.name for ws in parts for t in ws.tables.values()] == ["Tickets", "Tickets_2", "Tickets_3"]
    guarded = book["Tickets (2)"]["E8"]  # ticket 105: text that looks like a formula stays text there too
    assert (guarded.value, guarded.data_type, guarded.quotePrefix) == ("=HYPERLINK(x)", "s", True)
    assert book["Tickets (3)"]["B2"].value == datetime(2026, 3, 1, 8, 15) + timedelta(minutes=198)


def test_the_summary_says_where_a_sheet_continues_and_how_many_rows_it_has(tmp_path: Path) -> None:
    book = write(tmp_path / "sla.xlsx", [summary(), ticket_sheet(250)])
    block = [row[0] for row in values(book["Summary"])]
    assert block[: len(HEADER) + 2] == [
        *HEADER,
        "Sheet Tickets: Tickets.",  # its period is the summary's
        "Tickets continue on sheets Tickets (2) and Tickets (3): 250 rows.",
    ]
    assert block[len(HEADER) + 3] == "Figure", "the summary's table under its longer header block"
    one_more = write(tmp_path / "one.xlsx", [summary(), ticket_sheet(100)])
    assert one_more.sheetnames == ["Summary", "Tickets", "Tickets (2)"]
    assert "Tickets continue on sheet Tickets (2): 100 rows." in [row[0] for row in values(one_more["Summary"])]


def test_a_sheet_that_fits_exactly_is_not_continued(tmp_path: Path) -> None:
    book = write(tmp_path / "sla.xlsx", [summary(), ticket_sheet(99)])
    assert book.sheetnames == ["Summary", "Tickets"] and book["Tickets"].max_row == 100
    assert not [row[0] for row in values(book["Summary"]) if row[0] and "continue" in row[0]]


def test_continued_sheet_names_keep_excels_limits_and_stay_unique(tmp_path: Path) -> None:
    long = "Défauts/ouverts: " + "x" * 40  # a slash, a colon and too long
    sheets = [summary(), ticket_sheet(150, long), ticket_sheet(150), SheetSpec("Tickets (2)", [Column("A")], [])]
    names = write(tmp_path / "sla.xlsx", sheets).sheetnames
    assert names == [
        "Summary", "Défauts-ouverts- xxxxxxxxxxxxxx", "Défauts-ouverts- xxxxxxxxxx (2)",
        "Tickets", "Tickets (2) (2)", "Tickets (2)",
    ]  # fmt: skip
    assert all(len(name) <= 31 for name in names)


def test_a_sheet_that_is_not_a_list_refuses_with_its_count_and_nothing_is_written(tmp_path: Path) -> None:
    target = tmp_path / "sla.xlsx"
    target.write_bytes(b"previous export")
    by_month = SheetSpec(
        "By month", [Column("Month"), Column("Tickets", K.INT)], ((f"M{n}", n) for n in range(150)),
        header_lines=HEADER, totals=("Total", 150),
    )  # fmt: skip
    with pytest.raises(ExportError) as caught:
        write(target, [summary(), by_month])
    # three header lines, a blank, the header row, 150 months and the totals
    assert str(caught.value) == (
        f"Cannot write {target}: sheet By month would have 156 rows, more than the 100 a sheet holds; "
        "export a shorter period"
    )
    assert target.read_bytes() == b"previous export" and list(tmp_path.iterdir()) == [target]


def test_a_data_sheet_may_refuse_and_a_summary_may_not_continue(tmp_path: Path) -> None:
    spec = ticket_sheet(120)
    refusing = SheetSpec(spec.title, spec.columns, spec.rows, header_lines=spec.header_lines, data=True,
                         overflow=Overflow.REFUSE)  # fmt: skip
    with pytest.raises(ExportError, match="sheet Tickets would have 121 rows"):
        write(tmp_path / "sla.xlsx", [summary(), refusing])
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="only a data sheet continues"):
        SheetSpec("Summary", [Column("A")], [], overflow=Overflow.CONTINUE)


def test_cancelled_while_the_second_sheet_is_written_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "sla.xlsx"
    seen: list[int] = []

    def cancelled() -> bool:
        return bool(seen) and seen[-1] >= 2_500  # the limit is 2,000 rows: the export is on Tickets (2)

    with pytest.raises(ExportCancelled):
        write(target, [summary(), ticket_sheet(5_000)], max_rows=2_000, progress=seen.append, cancelled=cancelled)
    assert list(tmp_path.iterdir()) == []
    assert max(seen) == 3_000, "stopped at the first check on the second sheet, not after the whole export"


def test_the_limit_is_excels_unless_lowered(tmp_path: Path) -> None:
    assert EXCEL_MAX_ROWS == 1_048_576
    with pytest.raises(ValueError, match="max_rows"):
        write(tmp_path / "x.xlsx", [summary()], max_rows=EXCEL_MAX_ROWS + 1)


@pytest.mark.slow
def test_a_million_generated_rows_continue_past_excels_real_limit(tmp_path: Path) -> None:
    rows = ((n,) for n in range(1_048_600))
    sheet = SheetSpec("Tickets", [Column("N", K.INT)], rows, header_lines=["Tickets"], data=True)
    path = tmp_path / "big.xlsx"
    write_workbook(path, [summary(), sheet], properties=PROPS)
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["Summary", "Tickets", "Tickets (2)"]
    first, second = (book.get_sheet_by_name(name).to_python() for name in ("Tickets", "Tickets (2)"))
    assert len(first) == EXCEL_MAX_ROWS and first[-1] == [1_048_574]
    assert second == [["N"], *([n] for n in range(1_048_575, 1_048_600))]
    notes = [row[0] for row in book.get_sheet_by_name("Summary").to_python()]
    assert "Tickets continue on sheet Tickets (2): 1,048,600 rows." in notes
