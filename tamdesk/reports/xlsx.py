"""The one writer every exported workbook goes through: safe cell text, declarative sheets, atomic files.

How hostile text is neutralized. Text from people or imports goes into a cell as an explicit string cell
(``t="inlineStr"``), never through openpyxl's "a str starting with = is a formula" rule, so Excel and LibreOffice
show it literally and no file we write holds a formula made from user text. Text that *looks* like a formula
(it starts with ``= + - @``, their full-width forms, a tab, CR or LF) or like an error value (``#N/A``) also gets
Excel's ``quotePrefix`` cell flag: the state Excel itself records when someone types ``'=1+1``. The manager sees
exactly the original text (no visible apostrophe or extra space), and editing the cell keeps it text. What is
not covered: a copy saved as CSV by the reader carries the raw text, as any CSV export of that cell would.

Two kinds of sheet. A *data sheet* is for machines as much as people: its column header is row 1 and its rows are a
named Excel table, so pandas, Power BI or a pivot read it with no options; its title and period are printed in the
page header instead, and the workbook's first sheet (the summary, laid out for people: header block on top) carries
the full header block and a line saying what each data sheet holds. Data sheets print landscape, one page wide, at
no less than :data:`PRINT_MIN_SCALE`: long text columns wrap rather than widen the sheet.

How a sheet is written. openpyxl lays the workbook out (widths, panes, tables, charts, conditional formats,
validations, print setup, styles) and holds no cell; the rows are streamed as SpreadsheetML into a private file
per sheet beside the target and put into openpyxl's package at the end (``reports/xlsx_rows.py``). Memory stays
flat and a cell costs one string format. Measured with ``benchmarks/bench_export.py``: the 100,000-ticket SLA
workbook is written in about half the time xlsxwriter in constant-memory mode takes for the same cells with no
formatting at all; xlsxwriter itself was not taken as the backend because in that mode it cannot add an Excel
table (every data sheet is one), and it would be the slower of the two.

Excel's row limit. A sheet holds :data:`EXCEL_MAX_ROWS` rows. What a sheet does past it depends on its kind
(:class:`Overflow`): a *data sheet* is a list of records (tickets, breaches, defects) that a reader filters and
pivots, so it continues on ``Tickets (2)``, ``Tickets (3)``… with the same header row, formats and layout (its
own table on each), and the first sheet's header block says so: ``Tickets continue on sheet Tickets (2):
1,050,000 rows.``. Any other sheet (a summary, a trend, a form) is read as one page with its totals and chart
under its rows: split, it would mislead, so the export is refused with the count and a shorter period is asked
for. A sheet may choose otherwise with ``SheetSpec.overflow``. A continued sheet's chart covers its first part;
a workbook whose first sheet is itself a data sheet has no header block to carry the note (the continuation sheets
sit right after it).
"""

from __future__ import annotations

import glob
import math
import os
import re
import secrets
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import Enum
from io import BytesIO
from itertools import chain, count, islice
from numbers import Real
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from tamdesk.models.db import database, is_sqlite
from tamdesk.reports import xlsx_rows
from tamdesk.services.base import DomainError
from tamdesk.services.private_files import create_private, remove_stale

EXCEL_MAX_ROWS = 1_048_576
"""The most rows an Excel sheet has (header rows included)."""

TEXT_LIMIT = 32_767
"""Most characters (UTF-16 code units) an Excel cell holds."""

TRUNCATION_MARKER = "… [truncated]"

_FORMULA_LEADS = frozenset("=+-@\t\r\n＝＋－＠﹦﹢﹣﹫")
# Everything XML 1.0 cannot carry: C0 controls except tab/LF/CR, lone surrogates, U+FFFE and U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_TITLE_LIMIT = 31
_SHEET_TITLE_MAP = str.maketrans({"[": "(", "]": ")", "/": "-", "\\": "-", ":": "-", "?": "", "*": ""})
_RESERVED_SHEET_TITLES = frozenset({"history"})  # Excel keeps "History" for change tracking
_TICK_ROWS = 1000
_WIDTH_SAMPLE_ROWS = 100
_MIN_WIDTH, _MAX_WIDTH = 8.0, 60.0
_TABLE_STYLE = "TableStyleMedium2"
_LOOKS_LIKE_A_REFERENCE = re.compile(r"[A-Za-z]{1,3}\d+|[RrCc]\d*|[Rr]\d*[Cc]\d*")

# Printing. Fit to one page wide, Excel and LibreOffice shrink a sheet by (printable width / sheet width). Landscape
# Letter is the narrower of the two usual papers (11 in; A4 is 11.69 in): with 0.4 in side margins 10.2 in are
# printable, 979 pixels at 96 dpi. A column of width w (in widths of the digit "0", 7 pixels in Calibri 11) takes
# 7w + 5 pixels. So a data sheet prints at no less than 70% while its columns add up to 979 / 0.70 / 7 = 199.8
# characters, each column counting 5/7 of a character more for its padding (see print_width).
PRINT_MIN_SCALE = 0.70
_PAGE_WIDTH_IN, _SIDE_MARGIN_IN = 11.0, 0.4
_DIGIT_PX, _COLUMN_PADDING_PX, _DPI = 7, 5, 96
MAX_PRINT_WIDTH = (_PAGE_WIDTH_IN - 2 * _SIDE_MARGIN_IN) * _DPI / PRINT_MIN_SCALE / _DIGIT_PX
"""The widest a data sheet's columns may add up to (in Excel character widths, see :func:`print_width`): 199.8."""
_MARGINS = PageMargins(left=_SIDE_MARGIN_IN, right=_SIDE_MARGIN_IN, top=0.75, bottom=0.75, header=0.3, footer=0.3)
_PAGE_HEADER_LIMIT = 100  # characters of each page-header section; Excel takes 255 for the whole header

TEMP_FILE = re.compile(r"\..+\.xlsx\.[0-9a-f]{8}(\.s\d+)?\.tmp", re.IGNORECASE)
"""Our temporary files beside an export: ``.sla.xlsx.1a2b3c4d.tmp`` and its sheets' ``….s1.tmp``."""


class ExportError(DomainError):
    """The workbook could not be written; the message names the file and says why, for a TAM."""


class ExportCancelled(DomainError):
    """The user cancelled the export; nothing was left at the target path."""


class ColumnKind(Enum):
    """What a column holds, which decides its cell type, number format and default width."""

    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    PERCENT = "percent"  # a fraction: 0.95 shows as 95.0%
    DATE = "date"
    DATETIME = "datetime"
    DURATION_HOURS = "duration_hours"  # a timedelta or a number of hours, shown as hours
    YES_NO = "yes_no"  # a bool, shown as Yes / No


_NUMBER_FORMATS: dict[ColumnKind, str | None] = {
    ColumnKind.TEXT: None,
    ColumnKind.INT: "#,##0",
    ColumnKind.FLOAT: "#,##0.00",
    ColumnKind.PERCENT: "0.0%",
    ColumnKind.DATE: "yyyy-mm-dd",
    ColumnKind.DATETIME: "yyyy-mm-dd hh:mm",
    ColumnKind.DURATION_HOURS: "#,##0.0",
    ColumnKind.YES_NO: None,
}
_DEFAULT_WIDTHS = {
    ColumnKind.INT: 10.0,
    ColumnKind.FLOAT: 12.0,
    ColumnKind.PERCENT: 9.0,
    ColumnKind.DATE: 12.0,
    ColumnKind.DATETIME: 17.0,
    ColumnKind.DURATION_HOURS: 10.0,
    ColumnKind.YES_NO: 8.0,
}


@dataclass(frozen=True)
class Column:
    """One column of a sheet; ``width`` in Excel character units (None: from the title and the first rows).

    ``wrap``: long text (a subject, a reason, a list of names) that wraps within the column, top-aligned, instead of
    widening the sheet; on a data sheet too wide to print legibly, these columns are the ones made narrower.
    """

    title: str
    kind: ColumnKind = ColumnKind.TEXT
    width: float | None = None
    number_format: str | None = None  # overrides the kind's format, e.g. "0" for numeric ids
    wrap: bool = False

    @property
    def cell_format(self) -> str | None:
        """The Excel number format of the column's data cells."""
        return self.number_format or _NUMBER_FORMATS[self.kind]


class ChartKind(Enum):
    BAR = "bar"
    LINE = "line"


@dataclass(frozen=True)
class ChartSpec:
    """A native Excel chart over a sheet's data rows: one series per value column, named by its header."""

    title: str
    category_column: str
    value_columns: Sequence[str]
    kind: ChartKind = ChartKind.BAR
    x_axis_title: str = ""
    y_axis_title: str = ""
    anchor: str | None = None  # top-left cell; None: beside the table, level with the header row
    y_min: float | None = None  # the value axis' lower end; None: 0 for rates, else Excel's choice
    below: bool = False  # instead of ``anchor``: under the table and its totals, one row apart
    rows: tuple[int, int] | None = None  # the data rows charted, as a slice (start, stop) of ``rows``; None: all
    width: float = 24.0  # centimetres
    height: float = 12.0

    @property
    def sheet_rows(self) -> int:
        """Rows of the default height (15 points) the chart covers, rounded up."""
        return math.ceil(self.height / (_LINE_HEIGHT * 2.54 / 72))


@dataclass(frozen=True)
class Formatted:
    """A value written with its own number format instead of its column's: a percent row in a column of counts."""

    value: Any
    number_format: str


@dataclass(frozen=True)
class Block:
    """A small table of its own under a sheet's table (and under its chart when the chart is ``below``): a bold
    title, a header row and its rows, or ``empty`` in place of rows when there are none.

    Its columns take the widths of the sheet's columns in the same place (a block has at most as many columns);
    their kinds decide the cells as on the sheet's table, wrapping text included. The rows are held in memory: a
    block is for a few facts or a short list, never for data.
    """

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    empty: str = "None."


@dataclass(frozen=True)
class GoalBands:
    """Colours rate cells against a goal column of the same row: green at or above it, amber up to ``margin``
    below, red lower. The colours repeat a verdict the sheet also says in words (colour is never the only sign)."""

    columns: Sequence[str]
    goal_column: str
    margin: float = 0.05
    goal_rows_only: bool = False  # leave a row without a goal (a count among rates) uncoloured


@dataclass(frozen=True)
class ListValidation:
    """A drop-down list on a column's data cells; entries outside ``choices`` are refused by Excel."""

    column: str
    choices: Sequence[str]
    prompt: str = ""

    def __post_init__(self) -> None:
        if not self.choices:
            raise ValueError(f"List validation on {self.column!r} needs at least one choice")
        bad = [c for c in self.choices if "," in c or '"' in c]
        if bad:
            raise ValueError(f"List choices cannot contain commas or double quotes: {bad!r}")
        if len(self.formula) > 257:  # Excel's limit: 255 characters between the quotes
            raise ValueError(f"The choices for {self.column!r} are longer than Excel's 255 characters")

    @property
    def formula(self) -> str:
        """The list as Excel's inline list formula."""
        return '"' + ",".join(safe_text(c) for c in self.choices) + '"'


class Overflow(Enum):
    """What a sheet does when its rows would pass :data:`EXCEL_MAX_ROWS` (see the module docstring)."""

    CONTINUE = "continue"  # on "Tickets (2)", "Tickets (3)"…, the header row repeated; the first sheet says so
    REFUSE = "refuse"  # the export fails, saying how many rows and asking for a shorter period


@dataclass(frozen=True)
class SheetSpec:
    """What one sheet shows. ``rows`` may be a generator: it is streamed once, never held in memory.

    ``header_lines`` go above the table (the first one is the title); ``totals`` is a bold row under the table,
    outside its filter and chart, so sorting never moves it. ``ruled`` draws thin lines around every data cell,
    empty ones included, for a table that is printed and filled in by hand. ``one_page`` prints the sheet on a
    single page (a summary), where other sheets print one page wide and as many tall as they need.

    ``data`` makes a data sheet (see the module docstring): the column header on row 1, the rows an Excel table
    named after the sheet, the first two ``header_lines`` (title and period) in the printed page header, and the
    title with any note of its own (a line not in the first sheet's header block) listed on the first sheet. A data
    sheet has no totals row: a reader of the table would take it for data.

    A sheet that is not a data sheet may add ``blocks``: small tables of their own under its table (and under its
    chart when ``below``), e.g. a summary's account facts or follow-ups; a value in any table may be
    :class:`Formatted` to show a rate among counts.
    """

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    header_lines: Sequence[str] = ()
    totals: Sequence[Any] | None = None
    chart: ChartSpec | None = None
    validations: Sequence[ListValidation] = ()
    ruled: bool = False
    bands: GoalBands | None = None
    data: bool = False
    one_page: bool = False
    overflow: Overflow | None = None  # past Excel's row limit; None: a data sheet continues, any other refuses
    blocks: Sequence[Block] = ()  # small tables under the table (and its chart, when below), one row apart
    portrait: bool = False  # prints upright (a one-page summary narrower than it is tall); else landscape
    guide: bool = True  # as the first sheet: its header block ends with a line per data sheet (see write_workbook)

    def __post_init__(self) -> None:
        titles = [c.title for c in self.columns]
        if not titles:
            raise ValueError(f"Sheet {self.title!r} has no columns")
        if len({t.casefold() for t in titles}) != len(titles):
            raise ValueError(f"Sheet {self.title!r} has duplicate column titles: {titles!r}")
        named = [v.column for v in self.validations]
        if self.bands is not None:
            named += [*self.bands.columns, self.bands.goal_column]
        if self.chart is not None:
            named += [self.chart.category_column, *self.chart.value_columns]
        for name in named:
            self.column_number(name)
        if self.totals is not None and len(self.totals) != len(titles):
            raise ValueError(f"Sheet {self.title!r}: totals have {len(self.totals)} values for {len(titles)} columns")
        if self.data and self.totals is not None:
            raise ValueError(f"Sheet {self.title!r} is a data sheet: it has no totals row")
        if self.overflow is Overflow.CONTINUE and not self.data:
            raise ValueError(f"Sheet {self.title!r}: only a data sheet continues on another sheet")
        if self.blocks and self.data:
            raise ValueError(f"Sheet {self.title!r} is a data sheet: its table is the only thing on it")
        for block in self.blocks:
            if not 1 <= len(block.columns) <= len(titles):
                raise ValueError(f"Sheet {self.title!r}: block {block.title!r} needs 1 to {len(titles)} columns")
            if any(len(row) != len(block.columns) for row in block.rows):
                raise ValueError(f"Sheet {self.title!r}: a row of block {block.title!r} has the wrong length")
        if self.chart is not None and self.chart.rows is not None:
            start, stop = self.chart.rows
            if not 0 <= start < stop:
                raise ValueError(f"Sheet {self.title!r}: chart rows {self.chart.rows!r} are not a slice of rows")

    @property
    def on_overflow(self) -> Overflow:
        """What the sheet does past Excel's row limit."""
        return self.overflow or (Overflow.CONTINUE if self.data else Overflow.REFUSE)

    def column_number(self, title: str) -> int:
        """The 1-based number of the column called ``title``."""
        for number, column in enumerate(self.columns, 1):
            if column.title == title:
                return number
        raise ValueError(f"Sheet {self.title!r} has no column {title!r}")


@dataclass(frozen=True)
class DocProps:
    """Workbook document properties, shown by File > Info in Excel."""

    title: str
    creator: str
    subject: str = ""
    description: str = ""
    keywords: str = ""
    created: datetime | None = None  # timezone-aware; None: now


@dataclass
class _Ticker:
    """Reports progress and honours cancellation every ``_TICK_ROWS`` rows."""

    progress: Callable[[int], None] | None
    cancelled: Callable[[], bool] | None
    rows: int = 0

    def advance(self, rows: int) -> None:
        self.rows += rows
        if self.cancelled is not None and self.cancelled():
            raise ExportCancelled("The export was cancelled.")
        if self.progress is not None:
            self.progress(self.rows)

    def check(self) -> None:
        """Stop if the user cancelled, without reporting progress."""
        if self.cancelled is not None and self.cancelled():
            raise ExportCancelled("The export was cancelled.")


# --- cell conventions -------------------------------------------------------------------------------------------


def safe_text(value: str) -> str:
    """Text an xlsx cell can hold: XML-illegal characters removed, capped at Excel's 32,767 characters.

    The text is otherwise unchanged; :func:`write_workbook` writes it as a string cell (with Excel's quote-prefix
    flag when :func:`looks_like_formula`), so it is never evaluated.
    """
    text = _XML_ILLEGAL.sub("", value)
    if len(text) <= TEXT_LIMIT // 2 or _utf16_len(text) <= TEXT_LIMIT:
        return text
    return _utf16_prefix(text, TEXT_LIMIT - len(TRUNCATION_MARKER)) + TRUNCATION_MARKER


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula if it were typed or imported as-is."""
    return text[:1] in _FORMULA_LEADS


def sheet_title(name: str, used: Collection[str] = ()) -> str:
    """A valid sheet name close to ``name``, distinct (ignoring case) from the names in ``used``.

    Excel's rules: 1-31 characters, none of ``\\ / ? * [ ] :``, no apostrophe first or last, not "History".
    """
    base = " ".join(safe_text(name).translate(_SHEET_TITLE_MAP).split())
    base = _utf16_prefix(base.strip("' "), _SHEET_TITLE_LIMIT).rstrip("' ") or "Sheet"
    taken = {u.casefold() for u in used} | _RESERVED_SHEET_TITLES
    if base.casefold() not in taken:
        return base
    for n in count(2):
        suffix = f" ({n})"
        candidate = _utf16_prefix(base, _SHEET_TITLE_LIMIT - len(suffix)).rstrip("' ") + suffix
        if candidate.casefold() not in taken:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def header_lines(
    what: str,
    *,
    exported_at: datetime,
    exported_by: str,
    tz: tzinfo,
    filters: Mapping[str, str] | None = None,
    sla_policy: str | None = None,
) -> list[str]:
    """The lines of a sheet's header block, worded the same in every workbook."""
    local = exported_at.astimezone(tz)
    lines = [what, f"Exported {local:%Y-%m-%d %H:%M} by {exported_by}"]
    if filters:
        lines.append("Filters: " + "; ".join(f"{k}: {v}" for k, v in filters.items()))
    else:
        lines.append("Filters: none")
    if sla_policy:
        lines.append(f"SLA policy: {sla_policy}")
    lines.append(f"Times are in {zone_label(tz)}")
    return lines


def table_name(title: str, used: Collection[str] = ()) -> str:
    """A valid Excel table name close to sheet ``title`` (``By customer`` gives ``By_customer``), distinct (ignoring
    case) from the names in ``used``.

    Excel's rules: letters, digits, underscores and periods, a letter or underscore first, nothing that reads as a
    cell reference (``A1``, ``R1C1``); kept to ASCII so that every tool that reads the table can name it.
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = "_".join(re.sub(r"[^A-Za-z0-9_.]+", " ", ascii_title).split()) or "Table"
    if not (base[0].isalpha() or base[0] == "_") or _LOOKS_LIKE_A_REFERENCE.fullmatch(base):
        base = "T_" + base
    taken = {u.casefold() for u in used}
    candidates = chain([base[:250]], (f"{base[:245]}_{n}" for n in count(2)))
    return next(name for name in candidates if name.casefold() not in taken)


def print_width(widths: Iterable[float]) -> float:
    """How wide columns of these widths print, in Excel character widths with each column's padding counted."""
    return sum(width + _COLUMN_PADDING_PX / _DIGIT_PX for width in widths)


_UTC_NAMES = frozenset({"UTC", "UCT", "Universal", "Zulu", "Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu"})


def zone_label(tz: tzinfo) -> str:
    """How a header names a time zone: its IANA name (``Europe/Berlin``), and ``UTC`` for every spelling of UTC."""
    name = str(getattr(tz, "key", None) or tz)
    return "UTC" if name in _UTC_NAMES else name


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _utf16_prefix(text: str, units: int) -> str:
    """The longest prefix of ``text`` that fits in ``units`` UTF-16 code units, never splitting a character."""
    if len(text) <= units // 2:
        return text
    return text.encode("utf-16-le")[: 2 * units].decode("utf-16-le", "ignore")


# --- workbook ---------------------------------------------------------------------------------------------------


def write_workbook(
    path: str | os.PathLike[str],
    sheets: Sequence[SheetSpec],
    *,
    properties: DocProps,
    tz: tzinfo | None = None,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    max_rows: int = EXCEL_MAX_ROWS,
) -> Path:
    """Write ``sheets`` to the workbook at ``path``, replacing it only once the whole file is written.

    Args:
        path: the .xlsx file to create or replace.
        sheets: the sheets, in order (the summary first).
        properties: document properties.
        tz: the report's time zone; timezone-aware datetimes are shown in it (naive ones are refused).
        progress: called with the number of data rows written so far, every 1,000 rows and at the end.
        cancelled: polled as often; when it returns True the export stops.
        max_rows: the most rows a sheet gets, Excel's :data:`EXCEL_MAX_ROWS`; lower only to test the limit.

    Returns:
        The path written.

    Raises:
        ExportError: the name does not end in .xlsx, the folder is missing or not writable, the file cannot be
            replaced, or a sheet that cannot continue (see :class:`Overflow`) has more rows than a sheet holds.
        ExportCancelled: ``cancelled`` returned True; nothing is left at ``path``.
        ValueError, TypeError: a value does not fit its column (a programming error; the message says where).
    """
    if not sheets:
        raise ValueError("A workbook needs at least one sheet")
    if not 2 <= max_rows <= EXCEL_MAX_ROWS:
        raise ValueError(f"max_rows must be from 2 to {EXCEL_MAX_ROWS:,}, got {max_rows!r}")
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ExportError(f"Cannot write {target}: a workbook's file name must end in .xlsx")
    _refuse_database(target)
    temp = _create_temp_beside(target)
    try:
        _build(temp, target, sheets, properties, tz, _Ticker(progress, cancelled), max_rows)
        _replace(temp, target)
    except BaseException:
        for leftover in (temp, *temp.parent.glob(glob.escape(temp.name[:-4]) + ".s*.tmp")):
            with suppress(OSError):
                leftover.unlink()
        raise
    return target


def _refuse_database(target: Path) -> None:
    """Never replace a database with a workbook: the open one (or its -wal/-shm), nor any other SQLite file."""
    resolved = target.resolve()
    db = database.obj
    if is_sqlite(db):
        live = Path(db.database).resolve()
        if resolved in {live, *(Path(f"{live}{s}") for s in ("-wal", "-shm", "-journal"))}:
            raise ExportError(f"Cannot write {target}: it is the open tamdesk database; choose another file name")
    try:
        with resolved.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        return  # missing (the usual case) or unreadable: writing it says why
    if head == b"SQLite format 3\x00":
        raise ExportError(f"Cannot write {target}: it is a database, not a workbook; choose another file name")


def _create_temp_beside(target: Path) -> Path:
    """An empty file next to ``target``, created with the user's usual permissions (umask applies)."""
    folder = target.parent
    if not folder.exists():
        raise ExportError(f"Cannot write {target}: folder {folder} does not exist")
    if not folder.is_dir():
        raise ExportError(f"Cannot write {target}: {folder} is not a folder")
    remove_stale(folder, TEMP_FILE)
    while True:
        temp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return temp
        except FileExistsError:
            continue
        except PermissionError as exc:
            raise ExportError(f"Cannot write {target}: folder {folder} is not writable") from exc
        except OSError as exc:
            raise ExportError(f"Cannot write {target}: {exc.strerror or exc}") from exc


def _replace(temp: Path, target: Path) -> None:
    try:
        os.replace(temp, target)
    except IsADirectoryError as exc:
        raise ExportError(f"Cannot write {target}: it is a folder") from exc
    except PermissionError as exc:
        raise ExportError(f"Cannot write {target}: it is read-only or open in another program") from exc
    except OSError as exc:
        raise ExportError(f"Cannot write {target}: {exc.strerror or exc}") from exc


class _TooManyRows(Exception):
    """A sheet that cannot continue has more rows than a sheet holds; the message completes "Cannot write X: "."""


class _Book:
    """The workbook being written: openpyxl's layout, the sheets' row files, and the names given so far."""

    def __init__(self, temp: Path, titles: Sequence[str], ticker: _Ticker, tz: tzinfo | None, max_rows: int) -> None:
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.temp, self.ticker, self.tz, self.max_rows = temp, ticker, tz, max_rows
        self.titles = list(titles)  # every sheet's name, continuations included
        self.tables: list[str] = []
        for title in titles:
            self.tables.append(table_name(title, self.tables))
        self.worksheets = [self.wb.create_sheet(title) for title in titles]
        self.spools: list[tuple[Any, xlsx_rows.RowSpool, str]] = []
        self.open: list[xlsx_rows.RowSpool] = []  # every spool made, to remove
        self._spool_numbers = count(len(titles) + 1)  # sheet n streams into .s<n>.tmp; continuations after

    def spool(self, number: int | None = None) -> xlsx_rows.RowSpool:
        """A private file beside the target for a sheet's rows, never in the system temp folder: a killed export
        leaves it under our temporary name, and the next export into that folder removes it once an hour old."""
        path = self.temp.with_name(f"{self.temp.name[:-4]}.s{number or next(self._spool_numbers)}.tmp")
        if not create_private(path):
            raise ExportError(f"Cannot write {self.temp.parent}: a temporary file is in the way ({path.name})")
        spool = xlsx_rows.RowSpool(path)
        self.open.append(spool)
        return spool

    def rows_written(self, ws: Any, spool: xlsx_rows.RowSpool, extent: str) -> None:
        """The sheet ``ws`` has all its rows in ``spool``, covering ``extent`` (``A1:P1001``)."""
        spool.close()
        self.spools.append((ws, spool, extent))

    def continuation(self, ws: Any, title: str, part: int) -> tuple[Any, str]:
        """A new sheet right after ``ws`` for part ``part`` (2, 3…) of sheet ``title``, and its table name."""
        name = _continuation_title(title, part, self.titles)
        self.titles.append(name)
        self.tables.append(table_name(name, self.tables))
        return self.wb.create_sheet(name, self.wb.index(ws) + 1), self.tables[-1]

    def save(self) -> None:
        """openpyxl's package with each sheet's rows put in, to the temporary file."""
        layout = BytesIO()
        self.wb.save(layout)  # names each sheet's part
        parts = [xlsx_rows.SheetRows(ws.path.lstrip("/"), spool, extent) for ws, spool, extent in self.spools]
        xlsx_rows.assemble(layout.getvalue(), parts, self.temp, self.ticker.check)

    def discard(self) -> None:
        """Remove every row file (the rows are in the package by now, or the export failed)."""
        for spool in self.open:
            spool.discard()


def _build(
    temp: Path,
    target: Path,
    sheets: Sequence[SheetSpec],
    props: DocProps,
    tz: tzinfo | None,
    ticker: _Ticker,
    max_rows: int,
) -> None:
    """Stream every sheet's rows, then save the workbook to ``temp``.

    A first sheet with a header block (a summary) is written last: its block lists the other sheets, and how far
    a continued one runs, which is known only once they are written.
    """
    titles: list[str] = []
    for spec in sheets:
        titles.append(sheet_title(spec.title, titles))
    book = _Book(temp, titles, ticker, tz, max_rows)
    try:
        _set_properties(book.wb, props)
        first = sheets[0]
        guided = not first.data and bool(first.header_lines) and first.guide
        order = [*range(1, len(sheets)), 0] if guided else list(range(len(sheets)))
        parts: dict[int, list[tuple[str, int]]] = {}
        for index in order:
            ticker.advance(0)
            spec = _with_guide(sheets, titles, parts) if guided and index == 0 else sheets[index]
            parts[index] = _SheetWriter(book, index, spec).write()
        book.save()
    except _TooManyRows as exc:
        raise ExportError(f"Cannot write {target}: {exc}") from None
    except OSError as exc:  # a full disk, a vanished folder...
        raise ExportError(f"Cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        book.discard()


def _with_guide(
    sheets: Sequence[SheetSpec], titles: Sequence[str], parts: Mapping[int, Sequence[tuple[str, int]]]
) -> SheetSpec:
    """The first sheet, its header block ending with a line per data sheet (its name, title and own notes) and a
    line per sheet continued on others (``Tickets continue on sheet Tickets (2): 1,050,000 rows.``).

    A data sheet shows no header block, so what it holds, and notes such as its sort order, are said here.
    """
    first, *rest = sheets
    shared = set(first.header_lines)
    guide = []
    for index, (spec, title) in enumerate(zip(rest, titles[1:], strict=True), 1):
        if spec.data:
            what, *notes = [line for line in spec.header_lines if line not in shared] or [title]
            guide.append(" ".join([f"Sheet {title}: {what.rstrip('.')}.", *notes]))
        written = parts.get(index, ())
        if len(written) > 1:
            guide.append(_continued_note(title, written))
    return replace(first, header_lines=[*first.header_lines, *guide])


def _continued_note(title: str, parts: Sequence[tuple[str, int]]) -> str:
    """``Tickets continue on sheet Tickets (2): 1,050,000 rows.``"""
    names = [name for name, _ in parts[1:]]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    rows = sum(written for _, written in parts)
    return f"{title} continue on {'sheet' if len(names) == 1 else 'sheets'} {listed}: {rows:,} rows."


def _continuation_title(title: str, part: int, used: Collection[str]) -> str:
    """``Tickets (2)`` for part 2 of sheet ``Tickets``: shortened to fit Excel's 31 characters, and distinct from
    every name in ``used`` (``Tickets (2) (2)`` if a sheet is already called ``Tickets (2)``)."""
    suffix = f" ({part})"
    base = _utf16_prefix(title, _SHEET_TITLE_LIMIT - len(suffix)).rstrip("' ")
    return sheet_title(base + suffix, used)


def _set_properties(wb: Any, props: DocProps) -> None:
    created = props.created or datetime.now(UTC)
    if created.utcoffset() is None:
        raise ValueError("DocProps.created must be timezone-aware")
    p = wb.properties
    p.title, p.subject = safe_text(props.title), safe_text(props.subject)
    p.creator = p.lastModifiedBy = safe_text(props.creator)
    p.description, p.keywords = safe_text(props.description), safe_text(props.keywords)
    p.created = p.modified = created.astimezone(UTC).replace(tzinfo=None, microsecond=0)


# --- one sheet --------------------------------------------------------------------------------------------------

_TITLE_FONT = Font(name="Calibri", bold=True, size=14)
_NOTE_FONT = Font(name="Calibri", size=11, color="595959")
_HEADER_FONT = Font(name="Calibri", size=11, bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
# Indented one step so that a right-aligned title never touches the left-aligned one after it in print.
_HEADER_ALIGNMENT = Alignment(vertical="center", horizontal="left", indent=1)
_NUMBER_HEADER_ALIGNMENT = Alignment(vertical="center", horizontal="right", indent=1)  # over right-aligned numbers
# A data sheet's titles wrap, so that a narrow column of numbers can have a long title.
_DATA_HEADER_ALIGNMENT = Alignment(vertical="top", horizontal="left", indent=1, wrap_text=True)
_DATA_NUMBER_HEADER_ALIGNMENT = Alignment(vertical="top", horizontal="right", indent=1, wrap_text=True)
_WRAP_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
_TOP_ALIGNMENT = Alignment(vertical="top")  # beside wrapped text, a row's other values start level with it
_LINE_BREAK = re.compile("[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")  # where str.splitlines breaks
_LINE_HEIGHT = 15.0  # points, one line of Calibri 11
# Characters of ordinary text a column holds per digit width: Calibri's letters average about 0.85 of its digits.
# A little low on purpose: a row a line too tall reads better than one that hides its last line.
_TEXT_PER_DIGIT = 1.15
_MAX_ROW_LINES = 20  # the most lines a wrapped row is made tall for (Excel's tallest row is 409 points)
_FILTER_BUTTON = 3  # character widths a header keeps free for the indent and the filter button
_TOTALS_FONT = Font(name="Calibri", size=11, bold=True)
_TOTALS_BORDER = Border(top=Side(style="thin"))
# Excel's own "good", "neutral" and "bad" cell styles: dark text on a light fill, legible in print.
_BAND_STYLES = {
    "met": (PatternFill(bgColor="C6EFCE", fill_type="solid"), Font(color="006100")),
    "near": (PatternFill(bgColor="FFEB9C", fill_type="solid"), Font(color="9C5700")),
    "below": (PatternFill(bgColor="FFC7CE", fill_type="solid"), Font(color="9C0006")),
}
_RULE = Side(style="thin", color="808080")
_BLOCK_TITLE_FONT = Font(name="Calibri", size=12, bold=True, color="1F4E78")
_BLOCK_BORDER = Border(bottom=Side(style="thin", color="BFBFBF"))
_RULED_BORDER = Border(left=_RULE, right=_RULE, top=_RULE, bottom=_RULE)


class _SheetWriter:
    """Streams one :class:`SheetSpec`: its rows into row files, its layout into openpyxl's sheet, onto further
    sheets when a data sheet passes the row limit."""

    def __init__(self, book: _Book, index: int, spec: SheetSpec) -> None:
        self.book, self.index, self.spec = book, index, spec
        self.ws = book.worksheets[index]
        self.header_row = len(spec.header_lines) + 2 if spec.header_lines and not spec.data else 1
        self.last_col = get_column_letter(len(spec.columns))
        self.widths: list[float] = []
        self.header_height: float | None = None
        self.wrapping: list[tuple[int, float]] = []  # (index, characters a line holds) of each wrapping column
        ws, tz = self.ws, book.tz
        data = spec.data or any(c.wrap for c in spec.columns)  # beside wrapped text, values start at the top
        letters = [get_column_letter(number) for number in range(1, len(spec.columns) + 1)]
        columns = list(zip(spec.columns, letters, strict=True))
        self.cells = [
            _cell_writer(ws, c, letter, tz, _alignment(c, data), border=_RULED_BORDER if spec.ruled else None)
            for c, letter in columns
        ]
        self.totals = [
            _cell_writer(ws, c, letter, tz, _alignment(c, data), font=_TOTALS_FONT, border=_TOTALS_BORDER)
            for c, letter in columns
        ]
        self.header = [self._label(letter, c.title, **self._header_style(c)) for c, letter in columns]

    def write(self) -> list[tuple[str, int]]:
        """Write the sheet; returns each sheet it takes (one unless continued) with its number of data rows."""
        rows = iter(self.spec.rows)
        sample = list(islice(rows, _WIDTH_SAMPLE_ROWS))
        self._measure(sample)
        ws, table, spool = self.ws, self.book.tables[self.index], self.book.spool(self.index + 1)
        parts: list[tuple[str, int]] = []
        cells, width, limit, ticker = self.cells, len(self.cells), self.book.max_rows, self.book.ticker
        number = self._start(ws, spool)
        here = written = 0
        try:
            rows = chain(sample, rows)
            for row in rows:
                if len(row) != width:
                    raise ValueError(f"{len(row)} values for {width} columns")
                if number > limit:
                    if self.spec.on_overflow is Overflow.REFUSE:
                        raise self._too_many(number + self._count(rows) + (self.spec.totals is not None))
                    self._finish(ws, spool, table, here, first=not parts)
                    parts.append((ws.title, here))
                    ws, table = self.book.continuation(ws, self.book.titles[self.index], len(parts) + 1)
                    spool = self.book.spool()
                    number, here = self._start(ws, spool), 0
                r = str(number)
                lines = self._lines(row) if self.wrapping else 1
                spool.add(
                    number,
                    "".join([cell(value, r) for cell, value in zip(cells, row, strict=False)]),
                    lines * _LINE_HEIGHT if lines > 1 else None,  # LibreOffice does not fit a row to wrapped text
                )
                number += 1
                here += 1
                written += 1
                if written % _TICK_ROWS == 0:
                    ticker.advance(_TICK_ROWS)
        except (TypeError, ValueError) as exc:
            error = TypeError if isinstance(exc, TypeError) else ValueError
            raise error(f"Sheet {self.spec.title!r}, data row {written + 1}: {exc}") from exc
        ticker.advance(written % _TICK_ROWS)
        if self.spec.totals is not None:
            if number > limit:
                raise self._too_many(number)
            r = str(number)
            spool.add(number, "".join([cell(v, r) for cell, v in zip(self.totals, self.spec.totals, strict=True)]))
            number += 1
        if self.spec.blocks:
            self._blocks(spool, self._below(number, here))
        self._finish(ws, spool, table, here, first=not parts)
        parts.append((ws.title, here))
        return parts

    def _below(self, number: int, written: int) -> int:
        """The first row free for blocks: one row under the table and its totals, or under its chart when below."""
        chart = self.spec.chart
        if chart is None or not chart.below or not self._charted(written):
            return number + 1
        return int(self._chart_anchor(chart, self.header_row + written)[1:]) + chart.sheet_rows + 1

    def _charted(self, written: int) -> bool:
        """Whether the sheet's chart has rows to show: the sheet has rows, and some of those it charts."""
        chart = self.spec.chart
        return chart is not None and written > (chart.rows[0] if chart.rows is not None else 0)

    def _blocks(self, spool: xlsx_rows.RowSpool, number: int) -> None:
        """Write the sheet's blocks from row ``number`` on, one empty row between them."""
        ws, tz = self.ws, self.book.tz
        for block in self.spec.blocks:
            letters = [get_column_letter(n) for n in range(1, len(block.columns) + 1)]
            count = 2 + max(len(block.rows), 1)
            if number + count > self.book.max_rows:
                raise self._too_many(number + count)
            spool.add(number, self._label("A", block.title, font=_BLOCK_TITLE_FONT)(str(number)))
            r = str(number + 1)
            head = [
                self._label(x, c.title, **self._header_style(c))(r) for c, x in zip(block.columns, letters, strict=True)
            ]
            spool.add(number + 1, "".join(head))
            number += 2
            if not block.rows:
                spool.add(number, self._label("A", block.empty, font=_NOTE_FONT)(str(number)))
                number += 2
                continue
            cells = [
                _cell_writer(ws, c, x, tz, _alignment(c, True), border=_BLOCK_BORDER)
                for c, x in zip(block.columns, letters, strict=True)
            ]
            wrapping = [
                (n, max((w - 1) * _TEXT_PER_DIGIT, 1.0))
                for n, (c, w) in enumerate(zip(block.columns, self.widths, strict=False))
                if c.wrap
            ]
            for row in block.rows:
                lines = max((_line_count(row[n], w) for n, w in wrapping if isinstance(row[n], str)), default=1)
                r = str(number)
                xml = "".join([cell(v, r) for cell, v in zip(cells, row, strict=True)])
                spool.add(number, xml, lines * _LINE_HEIGHT if lines > 1 else None)
                number += 1
            number += 1

    def _too_many(self, rows: int) -> _TooManyRows:
        return _TooManyRows(
            f"sheet {self.book.titles[self.index]} would have {rows:,} rows, more than the {self.book.max_rows:,} "
            "a sheet holds; export a shorter period"
        )

    def _count(self, rows: Iterator[Any]) -> int:
        """How many rows are left: a refused sheet says how many it had."""
        left = 0
        for left, _ in enumerate(rows, 1):
            if left % _TICK_ROWS == 0:
                self.book.ticker.check()
        return left

    def _measure(self, sample: list[Sequence[Any]]) -> None:
        """Column widths from the titles and the first rows; on a data sheet, narrowed to print legibly."""
        columns, data = self.spec.columns, self.spec.data
        widths = [
            column.width or _auto_width(column, (row[number] for row in sample if len(row) > number), data)
            for number, column in enumerate(columns)
        ]
        if data:
            widths = _fit_to_print(widths, [column.wrap for column in columns])
            lines = max(len(_wrapped(c.title, w - _FILTER_BUTTON)) for c, w in zip(columns, widths, strict=True))
            self.header_height = lines * _LINE_HEIGHT
        self.widths = widths
        self.wrapping = [
            (n, max((w - 1) * _TEXT_PER_DIGIT, 1.0))
            for n, (c, w) in enumerate(zip(columns, widths, strict=True))
            if c.wrap
        ]

    def _start(self, ws: Any, spool: xlsx_rows.RowSpool) -> int:
        """Lay the sheet out and write what comes above its data; returns the number of its first data row."""
        for number, width in enumerate(self.widths, 1):
            ws.column_dimensions[get_column_letter(number)].width = width
        ws.freeze_panes = f"A{self.header_row + 1}"
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        if not self.spec.data:
            for index, line in enumerate(self.spec.header_lines):
                label = self._label("A", line, font=_TITLE_FONT if index == 0 else _NOTE_FONT)
                spool.add(index + 1, label(str(index + 1)))
        r = str(self.header_row)
        spool.add(self.header_row, "".join(label(r) for label in self.header), self.header_height)
        return self.header_row + 1

    def _header_style(self, column: Column) -> dict[str, Any]:
        textual = column.kind in (ColumnKind.TEXT, ColumnKind.YES_NO)
        if self.spec.data:
            alignment = _DATA_HEADER_ALIGNMENT if textual else _DATA_NUMBER_HEADER_ALIGNMENT
        else:
            alignment = _HEADER_ALIGNMENT if textual else _NUMBER_HEADER_ALIGNMENT
        return {"font": _HEADER_FONT, "fill": _HEADER_FILL, "alignment": alignment}

    def _label(self, letter: str, text: str, **style: Any) -> Callable[[str], str]:
        """A styled text cell in column ``letter`` for any row: a title, a header, a line of the header block."""
        safe = safe_text(text)
        sid = _style_id(self.ws, quote_prefix=_guarded(safe), **style)
        if not safe:
            return lambda row: xlsx_rows.blank_cell(letter + row, sid)
        return lambda row: xlsx_rows.text_cell(letter + row, sid, safe)

    def _lines(self, row: Sequence[Any]) -> int:
        """The lines the row's wrapping text takes, for its height."""
        return max((_line_count(row[n], width) for n, width in self.wrapping if isinstance(row[n], str)), default=1)

    def _finish(self, ws: Any, spool: xlsx_rows.RowSpool, table: str, written: int, *, first: bool) -> None:
        """What follows the rows: the table or filter, page setup, validations, chart and colour bands."""
        head, last_data = self.header_row, self.header_row + written
        last_row = spool.rows
        self.book.rows_written(ws, spool, f"A1:{self.last_col}{max(last_row, 1)}")
        data_first, data_last = head + 1, max(last_data, head + 1)
        if self.spec.data:
            self._add_table(ws, table, data_last)  # Excel's smallest table: the header and one row, empty here
            title, period = [*self.spec.header_lines, "", ""][:2]
            ws.HeaderFooter.oddHeader.left.text = _page_header_text(title)
            ws.HeaderFooter.oddHeader.right.text = _page_header_text(period)
        else:
            ws.auto_filter.ref = f"A{head}:{self.last_col}{max(last_data, head)}"
        ws.print_title_rows = f"{head}:{head}"
        ws.page_setup.orientation = "portrait" if self.spec.portrait else "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1 if self.spec.one_page else 0
        ws.page_margins = _MARGINS
        ws.HeaderFooter.oddFooter.left.text = "&A"
        ws.HeaderFooter.oddFooter.right.text = "Page &P of &N"
        for validation in self.spec.validations:
            ws.data_validations.append(self._validation(validation, data_first, data_last))
        chart = self.spec.chart
        if chart is not None and self._charted(written) and first:  # a continued sheet's chart covers its first part
            ws.add_chart(self._chart(ws, chart, last_data), self._chart_anchor(chart, last_data))
        if self.spec.bands is not None and written:
            self._bands(ws, self.spec.bands, data_first, last_data)

    def _bands(self, ws: Any, bands: GoalBands, first: int, last: int) -> None:
        goal = f"${get_column_letter(self.spec.column_number(bands.goal_column))}{first}"
        for title in bands.columns:
            letter = get_column_letter(self.spec.column_number(title))
            cell, cells = f"{letter}{first}", f"{letter}{first}:{letter}{last}"
            rated = f"ISNUMBER({cell}),ISNUMBER({goal})" if bands.goal_rows_only else f"ISNUMBER({cell})"
            rules = (
                (f"AND({rated},{cell}>={goal})", _BAND_STYLES["met"]),
                (f"AND({rated},{cell}>={goal}-{bands.margin})", _BAND_STYLES["near"]),
                (f"AND({rated})" if bands.goal_rows_only else rated, _BAND_STYLES["below"]),
            )
            for formula, (fill, font) in rules:
                ws.conditional_formatting.add(
                    cells, FormulaRule(formula=[formula], fill=fill, font=font, stopIfTrue=True)
                )

    def _add_table(self, ws: Any, name: str, last: int) -> None:
        """The header and data rows as an Excel table: filter buttons, banded rows, a name for other tools."""
        ref = f"A{self.header_row}:{self.last_col}{last}"
        table = Table(
            displayName=name,
            name=name,
            ref=ref,
            autoFilter=AutoFilter(ref=ref),
            tableStyleInfo=TableStyleInfo(name=_TABLE_STYLE, showRowStripes=True),
        )
        # The sheet holds no cells for openpyxl to read the header from: the column names are given, as in row 1.
        table.tableColumns = [
            TableColumn(id=number, name=safe_text(column.title)) for number, column in enumerate(self.spec.columns, 1)
        ]
        ws.tables.add(table)

    def _validation(self, rule: ListValidation, first: int, last: int) -> DataValidation:
        letter = get_column_letter(self.spec.column_number(rule.column))
        dv = DataValidation(
            type="list",
            formula1=rule.formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Not in the list",
            error=safe_text("Choose one of: " + ", ".join(rule.choices))[:255],
            showInputMessage=bool(rule.prompt),
            promptTitle=safe_text(rule.column)[:32] if rule.prompt else None,
            prompt=safe_text(rule.prompt)[:255] or None,
        )
        dv.add(f"{letter}{first}:{letter}{last}")
        return dv

    def _chart(self, ws: Any, spec: ChartSpec, last: int) -> BarChart | LineChart:
        chart = BarChart() if spec.kind is ChartKind.BAR else LineChart()
        chart.title = safe_text(spec.title)
        chart.x_axis.title = safe_text(spec.x_axis_title) or None
        chart.y_axis.title = safe_text(spec.y_axis_title) or None
        first = self.header_row + 1
        if spec.rows is not None:  # a slice of the rows: each series named by its column's title
            first, last = first + spec.rows[0], min(last, first + spec.rows[1] - 1)
        for title in spec.value_columns:
            number = self.spec.column_number(title)
            if spec.rows is None:
                values = Reference(ws, min_col=number, min_row=self.header_row, max_row=last)
                chart.add_data(values, titles_from_data=True)
            else:
                series = Series(Reference(ws, min_col=number, min_row=first, max_row=last), title=safe_text(title))
                chart.series.append(series)
        category = self.spec.column_number(spec.category_column)
        chart.set_categories(Reference(ws, min_col=category, min_row=first, max_row=last))
        if {self.spec.columns[self.spec.column_number(t) - 1].kind for t in spec.value_columns} == {ColumnKind.PERCENT}:
            chart.y_axis.number_format = "0%"
            chart.y_axis.scaling.min, chart.y_axis.scaling.max = spec.y_min or 0, 1
        elif spec.y_min is not None:
            chart.y_axis.scaling.min = spec.y_min
        # openpyxl 3.1 marks axes deleted by default, which hides their labels in Excel.
        chart.x_axis.delete = chart.y_axis.delete = False
        if isinstance(chart, LineChart):
            for series in chart.series:
                series.smooth = False  # a smoothed line overshoots: it would show rates no month had
        chart.width, chart.height = spec.width, spec.height
        return chart

    def _chart_anchor(self, spec: ChartSpec, last: int) -> str:
        if spec.below:
            return f"A{last + (3 if self.spec.totals is not None else 2)}"
        return spec.anchor or f"{get_column_letter(len(self.spec.columns) + 2)}{self.header_row}"


def _fit_to_print(widths: list[float], wraps: list[bool]) -> list[float]:
    """``widths``, the wrapping columns made narrower (the widest the most) until the sheet prints at
    :data:`PRINT_MIN_SCALE`, none narrower than the narrowest width a column gets."""
    excess = print_width(widths) - MAX_PRINT_WIDTH
    spare = sum(w - _MIN_WIDTH for w, wrap in zip(widths, wraps, strict=True) if wrap and w > _MIN_WIDTH)
    if excess <= 0 or not spare:
        return widths
    share = min(excess / spare, 1.0)
    return [
        math.floor(w - (w - _MIN_WIDTH) * share) if wrap and w > _MIN_WIDTH else w
        for w, wrap in zip(widths, wraps, strict=True)
    ]


def _wrapped(text: str, width: float) -> list[str]:
    """``text`` wrapped at spaces into lines of at most ``width`` characters, as a cell that wraps shows it."""
    lines: list[str] = []
    for word in text.split():
        if lines and _display_width(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _line_count(text: str, width: float) -> int:
    """Lines ``text`` takes in a cell that wraps it at ``width`` characters (at most ``_MAX_ROW_LINES``): its own line
    breaks, then breaks at spaces (as :func:`_wrapped`), a word too long for a line broken where it reaches the edge.
    """
    if len(text) > width * _MAX_ROW_LINES and len("".join(text.split())) > width * _MAX_ROW_LINES:
        return _MAX_ROW_LINES  # more visible characters than the tallest row's lines hold (spaces may fold away)
    if _display_width(text) <= width and _LINE_BREAK.search(text) is None:
        return 1  # the usual short value: a line, however it is spaced
    lines = 0
    for part in text.splitlines():
        line = -1  # the width of the line being filled; -1: none yet
        for word in part.split():
            size = _display_width(word)
            if line >= 0 and line + 1 + size <= width:
                line += 1 + size
                continue
            if line >= 0:
                lines += max(1, math.ceil(line / width))
            line = size
        lines += max(1, math.ceil(line / width))  # an empty part is an empty line
    return min(max(lines, 1), _MAX_ROW_LINES)


def _page_header_text(text: str) -> str:
    """``text`` for a printed page header section: ``&`` (which starts Excel's header codes) doubled, and short."""
    text = " ".join(safe_text(text).split())
    if len(text) > _PAGE_HEADER_LIMIT:
        text = text[: _PAGE_HEADER_LIMIT - 1] + "…"
    return text.replace("&", "&&")


# --- values to cells --------------------------------------------------------------------------------------------


# --- values to cells --------------------------------------------------------------------------------------------


def _alignment(column: Column, data: bool) -> Alignment | None:
    """How a column's data cells align: wrapping text wraps; on a data sheet, or beside text that wraps, every value
    starts at the top."""
    if column.wrap:
        return _WRAP_ALIGNMENT
    return _TOP_ALIGNMENT if data else None


def _guarded(text: str) -> bool:
    """Whether text gets Excel's quote-prefix flag: it could be taken for a formula or an error value."""
    return text[:1] in _FORMULA_LEADS or text in ERROR_CODES


def _style_id(
    ws: Any,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
    alignment: Alignment | None = None,
    border: Border | None = None,
    number_format: str | None = None,
    quote_prefix: bool = False,
) -> int:
    """The workbook's index of this cell style (added to its styles if new), as a cell's ``s`` attribute."""
    cell = Cell(ws, row=1, column=1)  # never placed in the sheet: it only names the style
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if border is not None:
        cell.border = border
    if number_format:
        cell.number_format = number_format
    if quote_prefix:
        cell.quotePrefix = True
    return int(cell.style_id)


def _cell_writer(
    ws: Any,
    column: Column,
    letter: str,
    tz: tzinfo | None,
    alignment: Alignment | None,
    *,
    font: Font | None = None,
    border: Border | None = None,
) -> Callable[[Any, str], str]:
    """A function giving the XML of a value of ``column`` in a row (its number as text): ``""`` for an empty cell,
    unless the cell has a ``border`` to show (a ruled table, a totals row).

    Text is written as an inline string, with the quote-prefix flag when it looks like a formula; numbers,
    durations (in hours) and dates (as Excel's serial numbers) with the column's number format.
    """
    kind, title = column.kind, column.title
    blank = ""
    if kind is ColumnKind.TEXT or kind is ColumnKind.YES_NO:
        plain = _style_id(ws, font=font, alignment=alignment, border=border)
        guarded = _style_id(ws, font=font, alignment=alignment, border=border, quote_prefix=True)
        text_of = _text(title) if kind is ColumnKind.TEXT else _yes_no(title)

        def text_cell(value: Any, row: str) -> str:
            text = text_of(value)
            if not text:  # an empty string cell would only be an odd blank
                return f'<c r="{letter}{row}" s="{plain}"/>' if border else blank
            return xlsx_rows.text_cell(letter + row, guarded if _guarded(text) else plain, text)

        return text_cell
    style = _style_id(ws, font=font, alignment=alignment, border=border, number_format=column.cell_format)
    value_of = _VALUE_OF[kind](title, tz)
    dates = kind is ColumnKind.DATE or kind is ColumnKind.DATETIME
    styles: dict[str, int] = {}  # the style of each number format a Formatted value brings

    def number_cell(value: Any, row: str) -> str:
        cell_style = style
        if value.__class__ is Formatted:
            cell_style = styles.get(value.number_format) or styles.setdefault(
                value.number_format,
                _style_id(ws, font=font, alignment=alignment, border=border, number_format=value.number_format),
            )
            value = value.value
        plain = value_of(value)
        if plain is None:
            return f'<c r="{letter}{row}" s="{cell_style}"/>' if border else blank
        if dates:
            plain = to_excel(plain)
        elif plain.__class__ is not int and plain.__class__ is not float:
            plain = float(plain)  # a Fraction, a numpy number...
        return xlsx_rows.number_cell(letter + row, cell_style, plain)

    return number_cell


def _text(title: str) -> Callable[[Any], str | None]:
    def text_of(value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            return safe_text(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return safe_text(str(value))
        raise TypeError(f"column {title!r} is text, got {type(value).__name__} {value!r}")

    return text_of


def _yes_no(title: str) -> Callable[[Any], str | None]:
    def text_of(value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return "Yes" if value else "No"
        raise TypeError(f"column {title!r} is yes/no, got {type(value).__name__} {value!r}")

    return text_of


def _number(title: str, _tz: tzinfo | None) -> Callable[[Any], Any]:
    def value_of(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Real) and not isinstance(value, bool):
            return value if math.isfinite(value) else None  # Excel has no NaN or infinity
        raise TypeError(f"column {title!r} is numeric, got {type(value).__name__} {value!r}")

    return value_of


def _hours(title: str, tz: tzinfo | None) -> Callable[[Any], Any]:
    number = _number(title, tz)

    def value_of(value: Any) -> Any:
        if isinstance(value, timedelta):
            return value.total_seconds() / 3600
        return number(value)

    return value_of


def _date(title: str, tz: tzinfo | None) -> Callable[[Any], Any]:
    def value_of(value: Any) -> Any:
        if isinstance(value, datetime):
            return _report_time(value, tz, title).date()
        if value is None or isinstance(value, date):
            return value
        raise TypeError(f"column {title!r} holds dates, got {type(value).__name__} {value!r}")

    return value_of


def _datetime(title: str, tz: tzinfo | None) -> Callable[[Any], Any]:
    def value_of(value: Any) -> Any:
        if isinstance(value, datetime):
            return _report_time(value, tz, title)
        if value is None or isinstance(value, date):
            return value
        raise TypeError(f"column {title!r} holds date-times, got {type(value).__name__} {value!r}")

    return value_of


def _report_time(value: datetime, tz: tzinfo | None, title: str) -> datetime:
    """``value`` as a naive wall-clock time in the report's zone (Excel has no time zones)."""
    if value.utcoffset() is None:
        raise ValueError(f"column {title!r}: naive datetime {value!r}; give it a time zone")
    if tz is None:
        raise ValueError(f"column {title!r}: pass tz= to write_workbook to show date-times")
    return value.astimezone(tz).replace(tzinfo=None)


_VALUE_OF: dict[ColumnKind, Callable[[str, tzinfo | None], Callable[[Any], Any]]] = {
    ColumnKind.INT: _number,
    ColumnKind.FLOAT: _number,
    ColumnKind.PERCENT: _number,
    ColumnKind.DURATION_HOURS: _hours,
    ColumnKind.DATE: _date,
    ColumnKind.DATETIME: _datetime,
}


def _auto_width(column: Column, sample: Iterator[Any], title_wraps: bool = False) -> float:
    """A width that fits the title (and its filter button) and, for text, the first rows.

    A title that wraps (on a data sheet) needs only half its width: two lines, no word split.
    """
    title = _display_width(column.title)
    if title_wraps:
        longest = max((_display_width(word) for word in column.title.split()), default=0)
        title = max(longest, math.ceil(title / 2))
    width: float = title + (_FILTER_BUTTON if title_wraps else 4)
    if column.kind is ColumnKind.TEXT:
        texts = (v for v in sample if isinstance(v, str))
        width = max([width, *(_display_width(line) + 2 for v in texts for line in v[:200].splitlines())])
    else:
        width = max(width, _DEFAULT_WIDTHS[column.kind])
    return float(min(max(width, _MIN_WIDTH), _MAX_WIDTH))


def _display_width(text: str) -> int:
    """Columns ``text`` takes on screen: East Asian wide characters take two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
