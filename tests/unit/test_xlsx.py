"""The shared xlsx writer: cell conventions, sheet layout, atomic output. Every workbook is reopened with openpyxl."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import Cell
from openpyxl.chart import LineChart
from openpyxl.utils import get_column_letter
from openpyxl.worksheet import _writer as openpyxl_stream

from tamdesk.reports import xlsx, xlsx_layout
from tamdesk.reports.sla import scoped_header
from tamdesk.reports.xlsx import (
    TEXT_LIMIT,
    TRUNCATION_MARKER,
    Block,
    ChartKind,
    ChartSpec,
    Column,
    ColumnKind,
    DocProps,
    ExportCancelled,
    ExportError,
    Formatted,
    GoalBands,
    ListValidation,
    SheetSpec,
    header_lines,
    looks_like_formula,
    safe_text,
    sheet_title,
    write_workbook,
)
from tamdesk.services.report_data import ReportScope

PARIS = ZoneInfo("Europe/Paris")
K = ColumnKind
PROPS = DocProps(
    title="SLA report",
    creator="Tess Tam",
    subject="SLA compliance, Acme",
    created=datetime(2026, 3, 10, 14, 30, tzinfo=UTC),
)

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "＝1+1",
    "＋1",
    "－2",
    "＠SUM(A1)",
    "#N/A",
    "=cmd|' /C calc'!A0",
    "😀 emoji 👩‍💻 ok",
    "مرحبا بالعالم",
    "שלום עולם",
    " leading and trailing spaces ",
    "line one\nline two",
]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def reopen(path: Path) -> Any:
    return openpyxl.load_workbook(path)


# --- safe_text ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", "plain"),
        ("a\x00b\x01c\x08d\x0be\x0cf\x1fg", "abcdefg"),
        ("tab\tlf\ncr\r kept", "tab\tlf\ncr\r kept"),
        ("lone \ud800 and \udfff surrogates", "lone  and  surrogates"),
        ("non\ufffecharacters\uffff", "noncharacters"),
        ("😀 👩‍💻 مرحبا שלום", "😀 👩‍💻 مرحبا שלום"),
        ("=1+1", "=1+1"),
        ("", ""),
    ],
)
def test_safe_text_removes_only_what_xlsx_cannot_hold(raw: str, expected: str) -> None:
    assert safe_text(raw) == expected


def test_safe_text_caps_long_text_with_a_visible_marker() -> None:
    capped = safe_text("x" * 40_000)
    assert len(capped) == TEXT_LIMIT
    assert capped.endswith(TRUNCATION_MARKER)


def test_safe_text_keeps_text_of_exactly_the_limit() -> None:
    text = "y" * TEXT_LIMIT
    assert safe_text(text) == text


def test_safe_text_counts_emoji_as_two_excel_characters_and_never_splits_one() -> None:
    capped = safe_text("😀" * 20_000)  # 40,000 UTF-16 code units
    assert utf16_len(capped) <= TEXT_LIMIT
    assert capped.endswith(TRUNCATION_MARKER)
    assert set(capped.removesuffix(TRUNCATION_MARKER)) == {"😀"}


@pytest.mark.parametrize("text", ["=1", "+1", "-1", "@x", "\tx", "\rx", "\nx", "＝1", "＋1", "－1", "＠x"])
def test_formula_leads_are_recognized(text: str) -> None:
    assert looks_like_formula(text)


@pytest.mark.parametrize("text", ["", "a=1", " =1", "1-2", "Acme", "#N/A"])
def test_ordinary_text_is_not_formula_like(text: str) -> None:
    assert not looks_like_formula(text)


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=()), max_size=300))
def test_safe_text_of_any_string_is_accepted_by_openpyxl(raw: str) -> None:
    text = safe_text(raw)
    cell = Cell(openpyxl.Workbook().active)
    cell.value = text  # raises IllegalCharacterError for characters xlsx cannot hold
    assert utf16_len(text) <= TEXT_LIMIT


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(st.characters(exclude_categories=()), max_size=60), min_size=1, max_size=15))
def test_any_text_written_by_the_writer_reads_back_as_that_text_never_a_formula(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str]
) -> None:
    path = tmp_path_factory.mktemp("prop") / "p.xlsx"
    write_workbook(path, [SheetSpec("S", [Column("Text")], [[t] for t in texts])], properties=PROPS)
    ws = reopen(path).active
    for row, text in enumerate(texts, 2):
        cell = ws.cell(row=row, column=1)
        assert cell.data_type in ("s", "n")  # "n": an empty cell
        assert (cell.value or "") == safe_text(text)


# --- sheet_title -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "used", "expected"),
    [
        ("Tickets", (), "Tickets"),
        ("Q1/Q2 [draft]: *final*?", (), "Q1-Q2 (draft)- final"),
        ("'Quoted'", (), "Quoted"),
        ("", (), "Sheet"),
        ("  \t\n ", (), "Sheet"),
        ("line\none", (), "line one"),
        ("A" * 40, (), "A" * 31),
        ("tickets", ("Tickets",), "tickets (2)"),
        ("Tickets", ("Tickets", "tickets (2)"), "Tickets (3)"),
        ("B" * 40, ("B" * 31,), "B" * 27 + " (2)"),
        ("History", (), "History (2)"),
        ("Acme's", (), "Acme's"),
    ],
)
def test_sheet_title(name: str, used: tuple[str, ...], expected: str) -> None:
    assert sheet_title(name, used) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=()), max_size=60), st.sets(st.text(max_size=31), max_size=5))
def test_sheet_title_is_always_valid_and_unique(name: str, used: set[str]) -> None:
    title = sheet_title(name, used)
    assert 1 <= utf16_len(title) <= 31
    assert not set(title) & set("\\/?*[]:")
    assert title[0] != "'" and title[-1] != "'"
    assert title.casefold() not in {u.casefold() for u in used} | {"history"}
    openpyxl.Workbook().create_sheet(title)  # openpyxl accepts it (warnings are errors here)


# --- one full workbook -------------------------------------------------------------------------------------------

TICKET_COLUMNS = [
    Column("Ticket"),
    Column("Subject", width=40),
    Column("Opened", K.DATETIME),
    Column("Due date", K.DATE),
    Column("Missed updates", K.INT),
    Column("Score", K.FLOAT),
    Column("Compliance", K.PERCENT),
    Column("Hours to resolve", K.DURATION_HOURS),
    Column("First response met", K.YES_NO),
]
OPENED = datetime(2026, 3, 1, 8, 15, tzinfo=UTC)
TICKET_ROWS = [
    ("T-1", "Login fails", OPENED, date(2026, 3, 2), 2, 3.25, 0.955, timedelta(hours=5, minutes=30), True),
    ("T-2", None, datetime(2026, 7, 1, 23, 30, tzinfo=UTC), None, 0, float("nan"), None, 2.5, False),
    ("T-3", "", None, None, None, None, 1.0, None, None),
]
HEADER = ["SLA report", "Exported 2026-03-10 15:30 by Tess Tam", "Filters: Customer: Acme", "Times are in Europe/Paris"]
HEADER_ROW = len(HEADER) + 2


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("wb") / "sla.xlsx"
    hostile_rows = [(f"H-{i}", text, None, None, None, None, None, None, None) for i, text in enumerate(HOSTILE)]
    long_row = ("LONG", "z" * 40_000, None, None, None, None, None, None, None)
    control_row = ("CTRL", "bell\x07 nul\x00 esc\x1b", None, None, None, None, None, None, None)
    summary = SheetSpec(
        "Summary",
        [Column("Month"), Column("Sev1", K.PERCENT), Column("Sev2", K.PERCENT), Column("Tickets", K.INT)],
        [("2026-01", 0.9, 0.95, 120), ("2026-02", 0.85, 1.0, 98), ("2026-03", 1.0, 0.97, 101)],
        header_lines=HEADER,
        totals=("Total", 0.92, 0.97, 319),
        chart=ChartSpec("Compliance by month", "Month", ["Sev1", "Sev2"], y_axis_title="Met within SLA"),
    )
    tickets = SheetSpec(
        "Tickets", TICKET_COLUMNS, [*TICKET_ROWS, *hostile_rows, long_row, control_row], header_lines=HEADER
    )
    form = SheetSpec(
        "Access form",
        [Column("Full name"), Column("Email"), Column("Role")],
        [(None, None, None)] * 5,
        validations=[ListValidation("Role", ["Admin", "User"], prompt="Pick a portal role")],
    )
    empty = SheetSpec("Tickets", [Column("Ticket")], [], chart=ChartSpec("Nothing", "Ticket", ["Ticket"]))
    result = write_workbook(path, [summary, tickets, form, empty], properties=PROPS, tz=PARIS)
    assert result == path
    return reopen(path)


def test_sheets_keep_their_order_and_get_valid_unique_names(workbook: Any) -> None:
    assert workbook.sheetnames == ["Summary", "Tickets", "Access form", "Tickets (2)"]


def test_header_block_then_header_row(workbook: Any) -> None:
    ws = workbook["Tickets"]
    assert [ws.cell(row=i + 1, column=1).value for i in range(len(HEADER))] == HEADER
    assert ws.cell(row=1, column=1).font.b
    assert ws.cell(row=HEADER_ROW - 1, column=1).value is None
    assert [c.value for c in ws[HEADER_ROW]] == [c.title for c in TICKET_COLUMNS]
    assert all(c.font.b for c in ws[HEADER_ROW])
    assert [c.alignment.horizontal for c in ws[HEADER_ROW]][1:3] == ["left", "right"]  # over text, over a date
    # indented, so "Opened" right-aligned never touches the left-aligned title after it in print
    assert all(c.alignment.indent == 1 for c in ws[HEADER_ROW])


def test_values_and_types_read_back(workbook: Any) -> None:
    ws = workbook["Tickets"]
    first, second, third = ([c.value for c in ws[HEADER_ROW + i]] for i in (1, 2, 3))
    # 08:15 UTC is 09:15 in Paris in winter; 23:30 UTC is 01:30 the next day in summer.
    assert first == [
        "T-1",
        "Login fails",
        datetime(2026, 3, 1, 9, 15),
        datetime(2026, 3, 2),
        2,
        3.25,
        0.955,
        5.5,
        "Yes",
    ]
    assert second == ["T-2", None, datetime(2026, 7, 2, 1, 30), None, 0, None, None, 2.5, "No"]
    assert third == ["T-3", None, None, None, None, None, 1, None, None]
    assert isinstance(first[2], datetime) and isinstance(first[3], datetime)
    assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in first[4:8])


def test_number_formats_follow_the_column_kind(workbook: Any) -> None:
    formats = [c.number_format for c in workbook["Tickets"][HEADER_ROW + 1]]
    assert formats[2:8] == ["yyyy-mm-dd hh:mm", "yyyy-mm-dd", "#,##0", "#,##0.00", "0.0%", "#,##0.0"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_shown_as_written_and_never_a_formula(workbook: Any, text: str) -> None:
    ws = workbook["Tickets"]
    cell = next(row[1] for row in ws.iter_rows(min_row=HEADER_ROW + 1) if row[0].value == f"H-{HOSTILE.index(text)}")
    assert cell.data_type == "s"
    assert cell.value == text
    assert cell.quotePrefix == (looks_like_formula(text) or text == "#N/A")


def test_no_cell_in_any_sheet_is_a_formula(workbook: Any) -> None:
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            assert all(cell.data_type != "f" for cell in row), ws.title


def test_long_text_is_truncated_visibly_and_control_characters_removed(workbook: Any) -> None:
    rows = {row[0].value: row[1].value for row in workbook["Tickets"].iter_rows(min_row=HEADER_ROW + 1)}
    assert len(rows["LONG"]) == TEXT_LIMIT and rows["LONG"].endswith(TRUNCATION_MARKER)
    assert rows["CTRL"] == "bell nul esc"


def test_frozen_below_the_header_row_with_a_filter_over_the_data(workbook: Any) -> None:
    ws = workbook["Tickets"]
    data_rows = len(TICKET_ROWS) + len(HOSTILE) + 2
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:I{HEADER_ROW + data_rows}"


def test_print_setup(workbook: Any) -> None:
    ws = workbook["Tickets"]
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert ws.oddFooter.right.text == "Page &P of &N"


def test_document_properties(workbook: Any) -> None:
    props = workbook.properties
    assert (props.title, props.subject, props.creator) == ("SLA report", "SLA compliance, Acme", "Tess Tam")
    assert props.created == datetime(2026, 3, 10, 14, 30)


def test_column_widths_explicit_or_fitted(workbook: Any) -> None:
    dims = workbook["Tickets"].column_dimensions
    assert dims["B"].width == 40
    assert dims["C"].width == 17  # a date-time
    assert dims["I"].width >= len("First response met")


def test_totals_row_sits_under_the_filtered_range_in_bold(workbook: Any) -> None:
    ws = workbook["Summary"]
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:D{HEADER_ROW + 3}"
    totals = ws[HEADER_ROW + 4]
    assert [c.value for c in totals] == ["Total", 0.92, 0.97, 319]
    assert all(c.font.b for c in totals)
    assert totals[1].number_format == "0.0%"


def test_summary_chart_plots_each_series_over_the_months(workbook: Any) -> None:
    ws = workbook["Summary"]
    (chart,) = ws._charts
    first, last = HEADER_ROW + 1, HEADER_ROW + 3
    refs = [s.val.numRef.f for s in chart.series]
    assert refs == [f"'Summary'!$B${first}:$B${last}", f"'Summary'!$C${first}:$C${last}"]
    assert chart.series[0].cat.numRef.f == f"'Summary'!$A${first}:$A${last}"
    assert chart.y_axis.number_format.formatCode == "0%"
    assert (chart.y_axis.scaling.min, chart.y_axis.scaling.max) == (0, 1)
    assert chart.x_axis.delete is False and chart.y_axis.delete is False


def test_no_chart_on_an_empty_sheet_but_the_filter_covers_the_header(workbook: Any) -> None:
    ws = workbook["Tickets (2)"]
    assert ws._charts == []
    assert ws.auto_filter.ref == "A1:A1"
    assert ws.freeze_panes == "A2"


def test_line_chart(tmp_path: Path) -> None:
    chart = ChartSpec("Backlog", "Week", ["Open"], kind=ChartKind.LINE, anchor="E2")
    sheet = SheetSpec("Trend", [Column("Week"), Column("Open", K.INT)], [("W1", 4), ("W2", 6)], chart=chart)
    (line,) = reopen(write_workbook(tmp_path / "t.xlsx", [sheet], properties=PROPS)).active._charts
    assert isinstance(line, LineChart)
    assert line.series[0].val.numRef.f == "'Trend'!$B$2:$B$3"
    assert line.y_axis.number_format is None  # counts, not percentages


def test_list_validation_covers_the_column_data_cells(workbook: Any) -> None:
    (rule,) = workbook["Access form"].data_validations.dataValidation
    assert rule.type == "list"
    assert rule.formula1 == '"Admin,User"'
    assert str(rule.sqref) == "C2:C6"
    assert rule.showErrorMessage and rule.prompt == "Pick a portal role"


@pytest.mark.parametrize(
    ("choices", "message"),
    [([], "at least one"), (["a,b"], "commas"), (['say "hi"'], "double quotes"), (["x" * 100] * 3, "255")],
)
def test_list_validation_refuses_what_excel_cannot_hold(choices: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ListValidation("Role", choices)


def test_sheet_spec_refuses_duplicate_column_titles() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        SheetSpec("S", [Column("A"), Column("a")], [])


def test_sheet_spec_refers_to_known_columns() -> None:
    with pytest.raises(ValueError, match="no column 'B'"):
        SheetSpec("S", [Column("A")], [], chart=ChartSpec("c", "A", ["B"], kind=ChartKind.LINE))
    with pytest.raises(ValueError, match="no column 'Role'"):
        SheetSpec("S", [Column("A")], [], validations=[ListValidation("Role", ["x"])])
    with pytest.raises(ValueError, match="totals have 2 values for 1 columns"):
        SheetSpec("S", [Column("A")], [], totals=("x", 1))


def test_header_lines_name_what_when_who_filters_policy_and_zone() -> None:
    lines = header_lines(
        "SLA report",
        exported_at=datetime(2026, 3, 10, 14, 30, tzinfo=UTC),
        exported_by="Tess Tam",
        tz=PARIS,
        filters={"Customer": "Acme", "From": "2026-01-01"},
        sla_policy="Standard",
    )
    assert lines == [
        "SLA report",
        "Exported 2026-03-10 15:30 by Tess Tam",
        "Filters: Customer: Acme; From: 2026-01-01",
        "SLA policy: Standard",
        "Times are in Europe/Paris",
    ]


@pytest.mark.parametrize(
    ("tz", "label"),
    [(ZoneInfo("Etc/UTC"), "UTC"), (ZoneInfo("UTC"), "UTC"), (UTC, "UTC"), (timezone(timedelta(0)), "UTC"),
     (PARIS, "Europe/Paris"), (timezone(timedelta(hours=2)), "UTC+02:00")],
)  # fmt: skip
def test_every_workbook_names_utc_the_same_way(tz: tzinfo, label: str) -> None:
    lines = header_lines("Seats", exported_at=datetime(2026, 3, 10, 14, 30, tzinfo=UTC), exported_by="Tess", tz=tz)
    assert lines[-1] == f"Times are in {label}"


@pytest.mark.parametrize(
    ("scope", "period"),
    [
        (ReportScope(tz=ZoneInfo("Etc/UTC")), "Period: all dates (tickets by the day they were opened)"),
        (ReportScope(start=date(2026, 3, 1)), "Period: from 2026-03-01 (tickets by the day they were opened)"),
    ],
)
def test_a_period_scoped_header_reads_naturally(scope: ReportScope, period: str) -> None:
    lines = scoped_header("SLA report", scope, period_of="tickets opened",
                          exported_at=datetime(2026, 3, 10, 14, 30, tzinfo=UTC), exported_by="Tess Tam")  # fmt: skip
    assert lines[:2] == ["SLA report", period]
    assert lines[-1] == "Times are in UTC"


# --- streaming, progress, cancel, failure ------------------------------------------------------------------------


def numbered_rows(count: int) -> Iterator[tuple[int, datetime]]:
    for i in range(count):
        yield (i, OPENED + timedelta(minutes=i))


NUMBERED = [Column("N", K.INT), Column("At", K.DATETIME)]


def test_progress_reports_rows_as_they_stream(tmp_path: Path) -> None:
    seen: list[int] = []
    path = write_workbook(
        tmp_path / "big.xlsx",
        [SheetSpec("Big", NUMBERED, numbered_rows(2_500))],
        properties=PROPS,
        tz=PARIS,
        progress=seen.append,
    )
    assert [n for n in seen if n] == [1000, 2000, 2500]
    ws = reopen(path).active
    assert ws.max_row == 2_501
    assert ws.cell(row=2_501, column=1).value == 2_499
    assert ws.auto_filter.ref == "A1:B2501"


def assert_nothing_left(folder: Path) -> None:
    assert list(folder.iterdir()) == []


def test_cancel_leaves_no_file_and_no_temporary_files(tmp_path: Path) -> None:
    before = set(openpyxl_stream.ALL_TEMP_FILES)
    calls = iter(range(100))
    with pytest.raises(ExportCancelled):
        write_workbook(
            tmp_path / "out.xlsx",
            [SheetSpec("Big", NUMBERED, numbered_rows(10_000))],
            properties=PROPS,
            tz=PARIS,
            cancelled=lambda: next(calls) >= 3,
        )
    assert_nothing_left(tmp_path)
    assert not [f for f in set(openpyxl_stream.ALL_TEMP_FILES) - before if os.path.exists(f)]


def test_cancel_or_failure_keeps_the_previous_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"previous export")
    with pytest.raises(ExportCancelled):
        write_workbook(target, [SheetSpec("S", NUMBERED, numbered_rows(10))], properties=PROPS, cancelled=lambda: True)
    with pytest.raises(ValueError, match="naive"):
        write_workbook(target, [SheetSpec("S", NUMBERED, [(1, datetime(2026, 1, 1))])], properties=PROPS, tz=PARIS)
    assert target.read_bytes() == b"previous export"
    assert list(tmp_path.iterdir()) == [target]


def failing_rows() -> Iterator[tuple[int, datetime]]:
    yield from numbered_rows(1_500)
    raise RuntimeError("database went away")


def test_failure_mid_stream_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="database went away"):
        write_workbook(tmp_path / "out.xlsx", [SheetSpec("S", NUMBERED, failing_rows())], properties=PROPS, tz=PARIS)
    assert_nothing_left(tmp_path)


@pytest.mark.parametrize(
    ("row", "error", "message"),
    [
        ((1, datetime(2026, 1, 1)), ValueError, r"Sheet 'S', data row 1: column 'At': naive datetime"),
        (("1", None), TypeError, r"data row 1: column 'N' is numeric, got str"),
        ((1,), ValueError, r"data row 1: 1 values for 2 columns"),
        ((True, None), TypeError, r"column 'N' is numeric, got bool"),
    ],
)
def test_a_value_that_does_not_fit_its_column_says_where(
    tmp_path: Path, row: tuple[Any, ...], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        write_workbook(tmp_path / "out.xlsx", [SheetSpec("S", NUMBERED, [row])], properties=PROPS, tz=PARIS)
    assert_nothing_left(tmp_path)


def test_aware_datetimes_need_the_report_zone(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pass tz="):
        write_workbook(tmp_path / "out.xlsx", [SheetSpec("S", NUMBERED, [(1, OPENED)])], properties=PROPS)


def test_text_columns_refuse_values_that_need_formatting(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="column 'Ticket' is text, got date"):
        write_workbook(
            tmp_path / "o.xlsx", [SheetSpec("S", [Column("Ticket")], [(date(2026, 1, 1),)])], properties=PROPS
        )


def test_missing_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    with pytest.raises(ExportError) as caught:
        write_workbook(folder / "y.xlsx", [SheetSpec("S", NUMBERED, [])], properties=PROPS)
    assert str(caught.value) == f"Cannot write {folder / 'y.xlsx'}: folder {folder} does not exist"


def test_a_file_where_the_folder_should_be_is_named(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("not a folder")
    with pytest.raises(ExportError, match="is not a folder"):
        write_workbook(tmp_path / "x" / "y.xlsx", [SheetSpec("S", NUMBERED, [])], properties=PROPS)


def test_unwritable_folder_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(xlsx.os, "open", refuse)
    with pytest.raises(ExportError) as caught:
        write_workbook(tmp_path / "y.xlsx", [SheetSpec("S", NUMBERED, [])], properties=PROPS)
    assert str(caught.value) == f"Cannot write {tmp_path / 'y.xlsx'}: folder {tmp_path} is not writable"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions and a non-root user")
def test_read_only_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    with pytest.raises(ExportError, match="is not writable"):
        write_workbook(folder / "y.xlsx", [SheetSpec("S", NUMBERED, [])], properties=PROPS)


def test_target_that_is_a_folder_is_named_and_cleaned_up(tmp_path: Path) -> None:
    (tmp_path / "out.xlsx").mkdir()
    with pytest.raises(ExportError, match="it is a folder"):
        write_workbook(tmp_path / "out.xlsx", [SheetSpec("S", NUMBERED, [])], properties=PROPS)
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_file_gets_the_users_usual_permissions(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        path = write_workbook(tmp_path / "out.xlsx", [SheetSpec("S", NUMBERED, [])], properties=PROPS)
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_workbook_needs_a_sheet(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one sheet"):
        write_workbook(tmp_path / "out.xlsx", [], properties=PROPS)


def test_created_must_be_timezone_aware(tmp_path: Path) -> None:
    props = DocProps(title="t", creator="c", created=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        write_workbook(tmp_path / "out.xlsx", [SheetSpec("S", NUMBERED, [])], properties=props)
    assert_nothing_left(tmp_path)


# --- LibreOffice, when installed ---------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_shows_hostile_text_literally(tmp_path: Path) -> None:
    texts = ["=1+1", "+1+1", "-1+1", "@SUM(1,2)", '=HYPERLINK("http://x","y")', "＝1+1"]
    path = write_workbook(tmp_path / "h.xlsx", [SheetSpec("S", [Column("T")], [[t] for t in texts])], properties=PROPS)
    command = [
        "soffice",
        f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
        "--headless",
        "--convert-to",
        "csv:Text - txt - csv (StarCalc):44,34,76",  # comma, double quote, UTF-8
        "--outdir",
        str(tmp_path),
        str(path),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    lines = (tmp_path / "h.csv").read_text(encoding="utf-8").splitlines()
    assert lines == ["T", "=1+1", "+1+1", "-1+1", '"@SUM(1,2)"', '"=HYPERLINK(""http://x"",""y"")"', "＝1+1"]


def test_streamed_cells_read_back_as_openpyxl_writing_the_same_cells(tmp_path: Path) -> None:
    """The rows are written as XML by the writer itself: openpyxl, writing the same cells its own way, reads the same
    values, types, formats and flags back."""
    columns = [
        Column("Text", ColumnKind.TEXT), Column("When", ColumnKind.DATETIME), Column("N", ColumnKind.INT),
        Column("Share", ColumnKind.PERCENT), Column("Ok", ColumnKind.YES_NO), Column("Day", ColumnKind.DATE),
        Column("Hours", ColumnKind.DURATION_HOURS),
    ]  # fmt: skip
    when = datetime(2026, 3, 6, 16, 30, 15, 250_000, tzinfo=UTC)
    rows = [
        ["=1+1", when, 3, 0.5, True, date(2026, 2, 28), timedelta(minutes=90)],
        [" <a & b> \r\n ", None, None, 1 / 3, False, None, 0.1 + 0.2],
        ["@x", when, -(2**40), 0.25, None, when, None],
    ]
    ours = reopen(write_workbook(tmp_path / "ours.xlsx", [SheetSpec("Data", columns, rows)], properties=PROPS, tz=UTC))

    reference = openpyxl.Workbook()
    sheet = reference.active
    sheet.append([c.title for c in columns])
    for row in rows:
        values = [
            v.replace(tzinfo=None) if isinstance(v, datetime) else ("Yes" if v else "No") if isinstance(v, bool)
            else v.total_seconds() / 3600 if isinstance(v, timedelta) else v
            for v in row
        ]  # fmt: skip
        values[5] = values[5].date() if isinstance(values[5], datetime) else values[5]
        sheet.append(values)
        for cell, column in zip(sheet[sheet.max_row], columns, strict=True):
            if cell.value is not None:  # an empty cell is not written, format or not
                cell.number_format = column.cell_format or "General"
            if isinstance(cell.value, str) and looks_like_formula(cell.value):
                cell.data_type, cell.quotePrefix = "s", True
    reference.save(tmp_path / "reference.xlsx")

    def cells(book: Any) -> list[list[tuple[object, str, str, bool]]]:
        return [
            [(c.value, c.data_type, c.number_format, bool(c.quotePrefix)) for c in row]
            for row in book.active.iter_rows(min_row=2)
        ]

    assert cells(ours) == cells(reopen(tmp_path / "reference.xlsx"))


# -- data sheets ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "used", "name"),
    [
        ("Tickets", (), "Tickets"),
        ("By customer", (), "By_customer"),
        ("Tickets", ("TICKETS",), "Tickets_2"),
        ("Open defects (2)", (), "Open_defects_2"),
        ("A1", (), "T_A1"),  # a cell reference
        ("R1C1", (), "T_R1C1"),
        ("R", (), "T_R"),
        ("2026 tickets", (), "T_2026_tickets"),
        ("Défauts ouverts", (), "Defauts_ouverts"),
        ("???", (), "Table"),
    ],
)
def test_table_names_are_valid_and_unique(title: str, used: tuple[str, ...], name: str) -> None:
    assert xlsx.table_name(title, used) == name


def test_print_width_counts_each_columns_padding() -> None:
    assert pytest.approx(199.8, abs=0.05) == xlsx.MAX_PRINT_WIDTH  # 10.2 in at 96 dpi, over 70%, in 7-pixel digits
    assert xlsx.print_width([10, 20]) == pytest.approx(30 + 10 / 7)


DATA_COLUMNS = [Column("Ticket", width=10), Column("Subject", width=40, wrap=True), Column("Opened", K.DATETIME)]


def data_book(tmp_path: Path, rows: list[tuple[Any, ...]], *columns: Column) -> Any:
    summary = SheetSpec("Summary", [Column("Figure"), Column("Tickets", K.INT)], [("All", len(rows))],
                        header_lines=[*HEADER, "A note"], one_page=True)  # fmt: skip
    lines = ["Tickets & more", "Period: March", *HEADER[1:], "Oldest first."]
    sheets = [summary, SheetSpec("Tickets", columns or DATA_COLUMNS, rows, header_lines=lines, data=True)]
    return reopen(write_workbook(tmp_path / "d.xlsx", sheets, properties=PROPS, tz=PARIS))


def test_a_data_sheet_is_a_table_from_row_one(tmp_path: Path) -> None:
    when = datetime(2026, 3, 1, 8, 15, tzinfo=UTC)
    book = data_book(tmp_path, [("T-1", "Login fails", when), ("T-2", HOSTILE[0], None), ("T-3", None, when)])
    ws = book["Tickets"]
    assert [c.value for c in ws[1]] == ["Ticket", "Subject", "Opened"] and ws.max_row == 4
    (table,) = ws.tables.values()
    assert (table.name, table.displayName, table.ref) == ("Tickets", "Tickets", "A1:C4")
    assert table.column_names == ["Ticket", "Subject", "Opened"] and table.autoFilter.ref == "A1:C4"
    assert table.tableStyleInfo.name == "TableStyleMedium2" and not table.totalsRowCount
    assert ws.auto_filter.ref is None, "the table has the filter buttons"
    assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"
    hostile = ws["B3"]
    assert hostile.value == HOSTILE[0] and hostile.data_type == "s" and hostile.quotePrefix
    assert hostile.alignment.wrap_text and ws["B2"].alignment.wrap_text and not ws["B2"].quotePrefix
    assert ws["C2"].value == datetime(2026, 3, 1, 9, 15) and ws["C2"].alignment.vertical == "top"
    assert not book["Summary"].tables


def test_a_data_sheets_title_and_period_print_in_the_page_header(tmp_path: Path) -> None:
    book = data_book(tmp_path, [("T-1", "x", None)])
    ws = book["Tickets"]
    assert (ws.oddHeader.left.text, ws.oddHeader.right.text) == ("Tickets && more", "Period: March")
    assert ws.oddFooter.right.text == "Page &P of &N"
    assert ws.page_setup.orientation == "landscape" and (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    summary = book["Summary"]
    assert (summary.page_setup.fitToWidth, summary.page_setup.fitToHeight) == (1, 1)
    block = [summary.cell(r, 1).value for r in range(1, len(HEADER) + 3)]
    assert block == [*HEADER, "A note", "Sheet Tickets: Tickets & more. Period: March Oldest first."]
    assert summary.cell(len(HEADER) + 4, 1).value == "Figure", "the header row under the longer header block"


def test_an_empty_data_sheet_is_a_table_of_one_empty_row(tmp_path: Path) -> None:
    ws = data_book(tmp_path, [])["Tickets"]
    assert ws.max_row == 1 and ws.tables["Tickets"].ref == "A1:C2"


def test_wrapping_columns_narrow_until_the_sheet_prints_at_70_percent(tmp_path: Path) -> None:
    columns = [Column(f"Number {n}", K.INT, width=8) for n in range(12)]
    columns += [Column("Subject", wrap=True), Column("Reason", width=60, wrap=True)]
    long = "word " * 40
    ws = data_book(tmp_path, [(*range(12), long, long)], *columns)["Tickets"]
    widths = [ws.column_dimensions[get_column_letter(n)].width for n in range(1, 15)]
    assert widths[:12] == [8] * 12 and widths[12] < 60 and widths[13] < 60
    assert xlsx.print_width(widths) <= xlsx.MAX_PRINT_WIDTH
    assert ws.row_dimensions[2].height > 15, "the wrapped text makes the row taller"
    assert ws.row_dimensions[1].height == 30, "titles wrap onto two lines: Number / 0"


def test_a_data_sheet_has_no_totals_row() -> None:
    with pytest.raises(ValueError, match="data sheet"):
        SheetSpec("S", [Column("A")], [], totals=("x",), data=True)


def test_a_chart_below_its_table_and_totals(tmp_path: Path) -> None:
    chart = ChartSpec("By month", "Month", ["Open"], below=True)
    sheet = SheetSpec("S", [Column("Month"), Column("Open", K.INT)], [("M1", 1), ("M2", 2)],
                      header_lines=["Title"], totals=("Total", 3), chart=chart)  # fmt: skip
    ws = reopen(write_workbook(tmp_path / "c.xlsx", [sheet], properties=PROPS)).active
    assert ws.cell(6, 1).value == "Total"  # title, blank, header, two months, totals
    (drawn,) = ws._charts
    assert drawn.anchor._from.row + 1 == 8, "one row apart"


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("ab 界\n\r\t\x1c"), max_size=120), st.integers(min_value=2, max_value=40))
def test_a_rows_line_count_is_the_number_of_lines_its_text_wraps_into(text: str, width: int) -> None:
    wrapped = [line for part in text.splitlines() for line in xlsx_layout.wrapped_lines(part, width)]
    expected = sum(max(1, -(-xlsx_layout.display_width(line) // width)) for line in wrapped)
    assert xlsx_layout.line_count(text, width) == min(max(expected, 1), xlsx_layout.MAX_ROW_LINES)


# --- per-value formats, blocks, a chart over some rows, wrapping on any sheet ------------------------------------


SCORE_COLUMNS = [Column("Measure"), Column("Now", K.INT, number_format="#,##0"), Column("Goal", K.PERCENT),
                 Column("Verdict")]  # fmt: skip
SCORE_ROWS = [
    ("Tickets", 1234, None, None),
    ("In time", Formatted(0.875, "0.0%"), 0.95, "below goal"),
    ("Hostile", Formatted(None, "0.0%"), None, HOSTILE[0]),
]


def score_book(tmp_path: Path, *blocks: Block, chart: ChartSpec | None = None, **more: Any) -> Any:
    bands = GoalBands(["Now"], "Goal", goal_rows_only=True)
    sheet = SheetSpec("Summary", SCORE_COLUMNS, SCORE_ROWS, header_lines=["Review", "Period: Q1"], chart=chart,
                      bands=bands, blocks=blocks, one_page=True, **more)  # fmt: skip
    tickets = SheetSpec("Tickets", DATA_COLUMNS, [("T-1", "x", None)], header_lines=["Tickets", "Q1"], data=True)
    return reopen(write_workbook(tmp_path / "s.xlsx", [sheet, tickets], properties=PROPS, tz=PARIS))


def test_a_value_can_carry_its_own_number_format(tmp_path: Path) -> None:
    ws = score_book(tmp_path)["Summary"]
    count, rate, empty = ws["B6"], ws["B7"], ws["B8"]  # under the title, the period, the guide and a blank row
    assert (count.value, count.number_format, count.data_type) == (1234, "#,##0", "n")
    assert (rate.value, rate.number_format, rate.data_type) == (0.875, "0.0%", "n")
    assert empty.value is None
    hostile = ws["D8"]
    assert hostile.value == HOSTILE[0] and hostile.data_type == "s" and hostile.quotePrefix, "never a formula"
    with pytest.raises(TypeError, match="Sheet 'Summary', data row 1: column 'Measure' is text"):
        bad = SheetSpec("Summary", SCORE_COLUMNS, [(Formatted("x", "0%"), 1, None, None)])
        write_workbook(tmp_path / "bad.xlsx", [bad], properties=PROPS)
    assert not (tmp_path / "bad.xlsx").exists()


def test_goal_bands_colour_only_rows_with_a_goal(tmp_path: Path) -> None:
    ws = score_book(tmp_path)["Summary"]
    (bands,) = ws.conditional_formatting
    assert str(bands.sqref) == "B6:B8"
    formulas = [rule.formula[0] for rule in bands.rules]
    assert formulas == ["AND(ISNUMBER(B6),ISNUMBER($C6),B6>=$C6)", "AND(ISNUMBER(B6),ISNUMBER($C6),B6>=$C6-0.05)",
                        "AND(ISNUMBER(B6),ISNUMBER($C6))"]  # fmt: skip


def test_blocks_follow_the_table_and_the_chart_below_it(tmp_path: Path) -> None:
    facts = Block("Account", [Column("Fact"), Column("Value")], [("Renewal", "2026-09-30"), ("Tier", HOSTILE[1])])
    meetings = Block("Meetings", [Column("Meeting", wrap=True), Column("On", K.DATE)], [], empty="No meetings.")
    dated = Block("Follow-ups", [Column("What", wrap=True), Column("Due", K.DATE)],
                  [("Send the guide " * 6, date(2026, 3, 20))])  # fmt: skip
    chart = ChartSpec("Count", "Measure", ["Now"], below=True, rows=(0, 1), width=15, height=6)
    ws = score_book(tmp_path, facts, meetings, dated, chart=chart)["Summary"]
    (drawn,) = ws._charts
    assert drawn.anchor._from.row + 1 == 10, "two rows under the table"
    assert drawn.series[0].cat.numRef.f == "'Summary'!$A$6" and drawn.series[0].tx.v == "Now"
    assert chart.sheet_rows == 12  # 6 cm in rows of 15 points, rounded up
    top = 10 + 12 + 1
    column = {ws.cell(r, 1).value: r for r in range(top, ws.max_row + 1) if ws.cell(r, 1).value is not None}
    assert column["Account"] == top and ws.cell(top, 1).font.b
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=top + 1, max_row=top + 3, max_col=2)] == [
        ["Fact", "Value"],
        ["Renewal", "2026-09-30"],
        ["Tier", HOSTILE[1]],
    ]
    assert ws.cell(top + 3, 2).quotePrefix and ws.cell(top + 3, 2).data_type == "s"
    assert column["Meetings"] == top + 5 and column["No meetings."] == top + 7
    due = ws.cell(column["Follow-ups"] + 2, 2)
    assert due.value == datetime(2026, 3, 20) and due.number_format == "yyyy-mm-dd"
    assert ws.row_dimensions[due.row].height > 15, "the long follow-up wraps and its row is taller"
    assert ws["A7"].value == "In time", "the table itself is unchanged"


def test_without_a_chart_blocks_start_one_row_under_the_table(tmp_path: Path) -> None:
    ws = score_book(tmp_path, Block("Account", [Column("Fact")], [("Renewal",)]))["Summary"]
    assert [ws.cell(r, 1).value for r in range(8, 12)] == ["Hostile", None, "Account", "Fact"]


def test_a_first_sheet_may_leave_out_the_guide_and_print_upright(tmp_path: Path) -> None:
    book = score_book(tmp_path, guide=False, portrait=True)
    ws = book["Summary"]
    assert [ws.cell(r, 1).value for r in range(1, 5)] == ["Review", "Period: Q1", None, "Measure"]
    assert ws.page_setup.orientation == "portrait"
    guided = score_book(tmp_path)["Summary"]
    assert guided["A3"].value == "Sheet Tickets: Tickets. Q1" and guided.page_setup.orientation == "landscape"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (lambda: SheetSpec("S", [Column("A")], [], data=True, blocks=[Block("B", [Column("A")], [])]), "data sheet"),
        (lambda: SheetSpec("S", [Column("A")], [], blocks=[Block("B", [Column("A"), Column("B")], [])]), "1 to 1"),
        (lambda: SheetSpec("S", [Column("A")], [], blocks=[Block("B", [Column("A")], [("x", "y")])]), "wrong length"),
        (lambda: SheetSpec("S", [Column("A")], [], chart=ChartSpec("C", "A", ["A"], rows=(2, 2))), "not a slice"),
    ],
)
def test_blocks_and_chart_rows_that_cannot_be_laid_out_are_refused(spec: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        spec()


def test_text_wraps_on_a_sheet_with_a_header_block_too(tmp_path: Path) -> None:
    columns = [Column("When", width=12), Column("Note", width=30, wrap=True)]
    note = "A long internal note " * 8
    sheet = SheetSpec("Notes", columns, [("today", note), ("today", "short")], header_lines=["INTERNAL", "Q1"])
    ws = reopen(write_workbook(tmp_path / "n.xlsx", [sheet], properties=PROPS))["Notes"]
    cell = ws["B5"]
    assert cell.value == note and cell.alignment.wrap_text, "one cell holds the whole note"
    assert ws["A5"].alignment.vertical == "top", "the row's other values level with the note's first line"
    assert ws.row_dimensions[5].height >= 15 * 5 and ws.row_dimensions[6].height is None


def test_spaces_that_fold_away_do_not_make_a_row_the_tallest() -> None:
    assert xlsx_layout.line_count("a" * 38 + "   ", 2) == 19  # 41 characters, but 38 to show: 19 lines of 2
    assert xlsx_layout.line_count("a" * 41, 2) == xlsx_layout.MAX_ROW_LINES


def test_a_chart_over_rows_the_sheet_does_not_have_is_left_out(tmp_path: Path) -> None:
    chart = ChartSpec("Later rows", "Measure", ["Now"], below=True, rows=(3, 5))
    ws = score_book(tmp_path, Block("Account", [Column("Fact")], [("Renewal",)]), chart=chart)["Summary"]
    assert ws._charts == [] and ws["A10"].value == "Account", "no chart, and the block takes no room for one"
