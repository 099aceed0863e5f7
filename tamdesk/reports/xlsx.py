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

Large sheets are streamed in openpyxl's write-only mode: everything written before the rows (column widths,
frozen panes, sheet properties) is set before the first row; what is written after the rows (autofilter, data
validation, print setup, charts) is set once the row count is known.
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
from copy import copy
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import Enum
from itertools import chain, count, islice
from numbers import Real
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from tamdesk.models.db import database, is_sqlite
from tamdesk.services.base import DomainError
from tamdesk.services.private_files import create_private, remove_stale

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


@dataclass(frozen=True)
class GoalBands:
    """Colours rate cells against a goal column of the same row: green at or above it, amber up to ``margin``
    below, red lower. The colours repeat a verdict the sheet also says in words (colour is never the only sign)."""

    columns: Sequence[str]
    goal_column: str
    margin: float = 0.05


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
) -> Path:
    """Write ``sheets`` to the workbook at ``path``, replacing it only once the whole file is written.

    Args:
        path: the .xlsx file to create or replace.
        sheets: the sheets, in order (the summary first).
        properties: document properties.
        tz: the report's time zone; timezone-aware datetimes are shown in it (naive ones are refused).
        progress: called with the number of data rows written so far, every 1,000 rows and at the end.
        cancelled: polled as often; when it returns True the export stops.

    Returns:
        The path written.

    Raises:
        ExportError: the name does not end in .xlsx, the folder is missing or not writable, or the file cannot be
            replaced.
        ExportCancelled: ``cancelled`` returned True; nothing is left at ``path``.
        ValueError, TypeError: a value does not fit its column (a programming error; the message says where).
    """
    if not sheets:
        raise ValueError("A workbook needs at least one sheet")
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ExportError(f"Cannot write {target}: a workbook's file name must end in .xlsx")
    _refuse_database(target)
    temp = _create_temp_beside(target)
    try:
        _build(temp, target, sheets, properties, tz, _Ticker(progress, cancelled))
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


def _build(
    temp: Path, target: Path, sheets: Sequence[SheetSpec], props: DocProps, tz: tzinfo | None, ticker: _Ticker
) -> None:
    """Stream every sheet, then save the workbook to ``temp``."""
    wb = Workbook(write_only=True)
    try:
        _set_properties(wb, props)
        titles: list[str] = []
        for spec in sheets:
            titles.append(sheet_title(spec.title, titles))
        tables: list[str] = []
        for spec, title in zip(_with_guide(sheets, titles), titles, strict=True):
            ticker.advance(0)
            sheet = wb.create_sheet(title)
            _spool_beside(sheet, temp, len(tables) + 1)
            tables.append(table_name(title, tables))
            _SheetWriter(_fast_rows(sheet), spec, tz, ticker, tables[-1]).write()
        wb.save(temp)
    except OSError as exc:  # a full disk, a vanished folder...
        _discard_streams(wb)
        raise ExportError(f"Cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        _discard_streams(wb)
        raise


def _with_guide(sheets: Sequence[SheetSpec], titles: Sequence[str]) -> list[SheetSpec]:
    """The sheets, the first one's header block ending with a line per data sheet: its name, title and own notes.

    A data sheet shows no header block, so what it holds, and notes such as its sort order, are said here.
    """
    first, *rest = sheets
    if first.data or not first.header_lines:
        return list(sheets)
    shared = set(first.header_lines)
    guide = []
    for spec, title in zip(rest, titles[1:], strict=True):
        if spec.data:
            what, *notes = [line for line in spec.header_lines if line not in shared] or [title]
            guide.append(" ".join([f"Sheet {title}: {what.rstrip('.')}.", *notes]))
    return [replace(first, header_lines=[*first.header_lines, *guide]), *rest]


def _spool_beside(ws: Any, temp: Path, index: int) -> None:
    """Stream the sheet's rows into a private file beside the target, not openpyxl's file in the system temp folder.

    A killed export would leave the report's data there, out of sight; beside the target it has our temporary
    name, and the next export into that folder removes it once it is an hour old. Only done where openpyxl's
    write-only sheet works as known (its writer is made on first use); else openpyxl's default stays.
    """
    from openpyxl.worksheet import _writer as sheet_writer

    known = callable(getattr(type(ws), "_get_writer", None)) and getattr(ws, "_writer", 0) is None
    if not known or not hasattr(sheet_writer, "ALL_TEMP_FILES"):
        return
    spool = temp.with_name(f"{temp.name[:-4]}.s{index}.tmp")

    def get_writer() -> None:  # openpyxl's _get_writer, with our file; the sheet's head is written on first use
        if ws._writer is not None:
            return
        if not create_private(spool):
            raise ExportError(f"Cannot write {temp.parent}: a temporary file is in the way ({spool.name})")
        sheet_writer.ALL_TEMP_FILES.append(str(spool))  # openpyxl's cleanup() takes it off this list
        ws._writer = sheet_writer.WorksheetWriter(ws, out=str(spool))
        ws._writer.write_top()

    ws._get_writer = get_writer


def _set_properties(wb: Any, props: DocProps) -> None:
    created = props.created or datetime.now(UTC)
    if created.utcoffset() is None:
        raise ValueError("DocProps.created must be timezone-aware")
    p = wb.properties
    p.title, p.subject = safe_text(props.title), safe_text(props.subject)
    p.creator = p.lastModifiedBy = safe_text(props.creator)
    p.description, p.keywords = safe_text(props.description), safe_text(props.keywords)
    p.created = p.modified = created.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def _fast_rows(ws: Any) -> Any:
    """Let the write-only sheet take our prepared cells without a raised and caught error per styled cell.

    openpyxl 3.1's ``_values_to_row`` first tries ``cell.value = value`` and only on the ValueError notices the
    value is a ready Cell; for a report of a million styled cells that exception costs a third of the write time.
    The replacement yields exactly what openpyxl's would (a test compares the two workbooks) and is only
    installed where that private method exists.
    """
    if not hasattr(ws, "_values_to_row"):
        return ws

    def values_to_row(values: Iterable[Any], row_idx: int) -> Iterator[Cell]:
        plain = WriteOnlyCell(ws)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                cell = value
            else:
                plain.value = value
                cell = plain
            cell.column = col_idx
            cell.row = row_idx
            if cell.hyperlink is not None:
                cell.hyperlink.ref = cell.coordinate
            yield cell
            if cell is plain and (plain.has_style or plain.hyperlink):
                plain = WriteOnlyCell(ws)

    ws._values_to_row = values_to_row
    return ws


def _discard_streams(wb: Any) -> None:
    """Remove the temporary files openpyxl streams each write-only sheet into (else they last until exit)."""
    # Best effort on a path that is already failing: never mask the original exception. Closing the sheet
    # finishes openpyxl's row generator now, rather than in a garbage-collector finalizer that would fail.
    for ws in wb.worksheets:
        with suppress(Exception):
            ws.close()
        with suppress(Exception):
            ws._writer.cleanup()


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
_RULED_BORDER = Border(left=_RULE, right=_RULE, top=_RULE, bottom=_RULE)


class _SheetWriter:
    """Streams one :class:`SheetSpec` into a write-only worksheet."""

    def __init__(self, ws: Any, spec: SheetSpec, tz: tzinfo | None, ticker: _Ticker, table: str) -> None:
        self.ws, self.spec, self.ticker, self.table = ws, spec, ticker, table
        self.header_row = len(spec.header_lines) + 2 if spec.header_lines and not spec.data else 1
        self.last_col = get_column_letter(len(spec.columns))
        self.convert = [_converter(ws, column, tz, _alignment(column, spec.data)) for column in spec.columns]
        self.text_cell = _text_cell_factory(ws)
        self.wrapping: list[tuple[int, float]] = []  # (index, characters a line holds) of each wrapping column

    def write(self) -> None:
        rows = iter(self.spec.rows)
        sample = list(islice(rows, _WIDTH_SAMPLE_ROWS))
        self._set_layout(sample)  # must precede the first row in write-only mode
        self._write_header()
        written = self._write_data(chain(sample, rows))
        if self.spec.totals is not None:
            self._write_totals(self.spec.totals)
        self._finish(written)

    def _set_layout(self, sample: list[Sequence[Any]]) -> None:
        ws, columns, data = self.ws, self.spec.columns, self.spec.data
        widths = [
            column.width or _auto_width(column, (row[number] for row in sample if len(row) > number), data)
            for number, column in enumerate(columns)
        ]
        if data:
            widths = _fit_to_print(widths, [column.wrap for column in columns])
            lines = max(len(_wrapped(c.title, w - _FILTER_BUTTON)) for c, w in zip(columns, widths, strict=True))
            ws.row_dimensions[1].height = lines * _LINE_HEIGHT
        for number, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(number)].width = width
        self.wrapping = [
            (n, max((w - 1) * _TEXT_PER_DIGIT, 1.0))
            for n, (c, w) in enumerate(zip(columns, widths, strict=True))
            if c.wrap and data
        ]
        ws.freeze_panes = f"A{self.header_row + 1}"
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    def _write_header(self) -> None:
        ws = self.ws
        if not self.spec.data:
            for index, line in enumerate(self.spec.header_lines):
                ws.append([self._styled_text(line, font=_TITLE_FONT if index == 0 else _NOTE_FONT)])
            if self.spec.header_lines:
                ws.append([])
        ws.append([self._header_cell(column) for column in self.spec.columns])

    def _header_cell(self, column: Column) -> Cell:
        textual = column.kind in (ColumnKind.TEXT, ColumnKind.YES_NO)
        if self.spec.data:
            alignment = _DATA_HEADER_ALIGNMENT if textual else _DATA_NUMBER_HEADER_ALIGNMENT
        else:
            alignment = _HEADER_ALIGNMENT if textual else _NUMBER_HEADER_ALIGNMENT
        return self._styled_text(column.title, font=_HEADER_FONT, fill=_HEADER_FILL, alignment=alignment)

    def _styled_text(self, text: str, **style: Any) -> Cell:
        cell = self.text_cell(text)
        if not isinstance(cell, Cell):
            cell = Cell(self.ws, row=1, column=1, value=cell)
        for name, value in style.items():
            setattr(cell, name, value)
        return cell

    def _write_data(self, rows: Iterable[Sequence[Any]]) -> int:
        ws, convert, width = self.ws, self.convert, len(self.convert)
        written = 0
        try:
            for row in rows:
                if len(row) != width:
                    raise ValueError(f"{len(row)} values for {width} columns")
                cells = [conv(value) for conv, value in zip(convert, row, strict=False)]
                lines = self._lines(row) if self.wrapping else 1
                if lines > 1:  # LibreOffice does not fit a row to its wrapped text by itself
                    ws.row_dimensions[self.header_row + written + 1].height = lines * _LINE_HEIGHT
                ws.append([self._ruled(cell) for cell in cells] if self.spec.ruled else cells)
                if lines > 1:
                    del ws.row_dimensions[self.header_row + written + 1]  # written out: keep memory flat
                written += 1
                if written % _TICK_ROWS == 0:
                    self.ticker.advance(_TICK_ROWS)
        except (TypeError, ValueError) as exc:
            error = TypeError if isinstance(exc, TypeError) else ValueError
            raise error(f"Sheet {self.spec.title!r}, data row {written + 1}: {exc}") from exc
        self.ticker.advance(written % _TICK_ROWS)
        return written

    def _lines(self, row: Sequence[Any]) -> int:
        """The lines the row's wrapping text takes, for its height."""
        return max((_line_count(row[n], width) for n, width in self.wrapping if isinstance(row[n], str)), default=1)

    def _ruled(self, value: Any) -> Cell:
        """The converted value as a cell with thin lines around it (an empty one too, to write in)."""
        cell = value if isinstance(value, Cell) else Cell(self.ws, row=1, column=1, value=value)
        cell.border = _RULED_BORDER
        return cell

    def _write_totals(self, totals: Sequence[Any]) -> None:
        cells = []
        for conv, value in zip(self.convert, totals, strict=True):
            cell = conv(value)
            if not isinstance(cell, Cell):
                cell = Cell(self.ws, row=1, column=1, value=cell)
            cell.font, cell.border = _TOTALS_FONT, _TOTALS_BORDER
            cells.append(cell)
        self.ws.append(cells)

    def _finish(self, written: int) -> None:
        ws, first, last = self.ws, self.header_row + 1, self.header_row + written
        if self.spec.data:
            self._add_table(max(last, first))  # Excel's smallest table: the header and one row, empty here
            title, period = [*self.spec.header_lines, "", ""][:2]
            ws.HeaderFooter.oddHeader.left.text = _page_header_text(title)
            ws.HeaderFooter.oddHeader.right.text = _page_header_text(period)
        else:
            ws.auto_filter.ref = f"A{self.header_row}:{self.last_col}{max(last, self.header_row)}"
        ws.print_title_rows = f"{self.header_row}:{self.header_row}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1 if self.spec.one_page else 0
        ws.page_margins = _MARGINS
        ws.HeaderFooter.oddFooter.left.text = "&A"
        ws.HeaderFooter.oddFooter.right.text = "Page &P of &N"
        for validation in self.spec.validations:
            ws.data_validations.append(self._validation(validation, first, max(last, first)))
        if self.spec.chart is not None and written:
            ws.add_chart(self._chart(self.spec.chart, last), self._chart_anchor(self.spec.chart, last))
        if self.spec.bands is not None and written:
            self._bands(self.spec.bands, first, last)

    def _bands(self, bands: GoalBands, first: int, last: int) -> None:
        goal = f"${get_column_letter(self.spec.column_number(bands.goal_column))}{first}"
        for title in bands.columns:
            letter = get_column_letter(self.spec.column_number(title))
            cell, cells = f"{letter}{first}", f"{letter}{first}:{letter}{last}"
            rules = (
                (f"AND(ISNUMBER({cell}),{cell}>={goal})", _BAND_STYLES["met"]),
                (f"AND(ISNUMBER({cell}),{cell}>={goal}-{bands.margin})", _BAND_STYLES["near"]),
                (f"ISNUMBER({cell})", _BAND_STYLES["below"]),
            )
            for formula, (fill, font) in rules:
                self.ws.conditional_formatting.add(
                    cells, FormulaRule(formula=[formula], fill=fill, font=font, stopIfTrue=True)
                )

    def _add_table(self, last: int) -> None:
        """The header and data rows as an Excel table: filter buttons, banded rows, a name for other tools."""
        ref = f"A{self.header_row}:{self.last_col}{last}"
        table = Table(
            displayName=self.table,
            name=self.table,
            ref=ref,
            autoFilter=AutoFilter(ref=ref),
            tableStyleInfo=TableStyleInfo(name=_TABLE_STYLE, showRowStripes=True),
        )
        # Write-only sheets cannot read the header back: the column names are given, as written in row 1.
        table.tableColumns = [
            TableColumn(id=number, name=safe_text(column.title)) for number, column in enumerate(self.spec.columns, 1)
        ]
        self.ws.tables.add(table)

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

    def _chart(self, spec: ChartSpec, last: int) -> BarChart | LineChart:
        chart = BarChart() if spec.kind is ChartKind.BAR else LineChart()
        chart.title = safe_text(spec.title)
        chart.x_axis.title = safe_text(spec.x_axis_title) or None
        chart.y_axis.title = safe_text(spec.y_axis_title) or None
        for title in spec.value_columns:
            number = self.spec.column_number(title)
            chart.add_data(
                Reference(self.ws, min_col=number, min_row=self.header_row, max_row=last), titles_from_data=True
            )
        category = self.spec.column_number(spec.category_column)
        chart.set_categories(Reference(self.ws, min_col=category, min_row=self.header_row + 1, max_row=last))
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
        chart.width, chart.height = 24, 12
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
    breaks, then breaks at spaces, a word too long for a line broken where it reaches the edge."""
    if len(text) > width * _MAX_ROW_LINES:
        return _MAX_ROW_LINES
    lines = sum(
        max(1, math.ceil(_display_width(line) / width)) for part in text.splitlines() for line in _wrapped(part, width)
    )
    return min(max(lines, 1), _MAX_ROW_LINES)


def _page_header_text(text: str) -> str:
    """``text`` for a printed page header section: ``&`` (which starts Excel's header codes) doubled, and short."""
    text = " ".join(safe_text(text).split())
    if len(text) > _PAGE_HEADER_LIMIT:
        text = text[: _PAGE_HEADER_LIMIT - 1] + "…"
    return text.replace("&", "&&")


# --- values to cells --------------------------------------------------------------------------------------------


class _StreamCell(Cell):
    """A styled data cell. Its repr is constant because openpyxl's write-only sheet formats every styled cell into
    a discarded exception message on append; the default repr costs about a tenth of the export time."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<_StreamCell>"


def _alignment(column: Column, data: bool) -> Alignment | None:
    """How a column's data cells align: wrapping text wraps; on a data sheet every value starts at the top."""
    if column.wrap:
        return _WRAP_ALIGNMENT
    return _TOP_ALIGNMENT if data else None


def _text_cell_factory(ws: Any, alignment: Alignment | None = None) -> Callable[[str], str | Cell | None]:
    """Text as a cell value: a plain str when openpyxl keeps it text, else an explicit, quote-prefixed string cell;
    with an ``alignment``, always a cell so aligned."""
    prototype = Cell(ws, row=1, column=1)
    if alignment is not None:
        prototype.alignment = alignment
    plain_style = copy(prototype._style)  # the style array is changed in place by the next line
    prototype.quotePrefix = True
    style = prototype._style  # one style array shared by all guarded cells; Cell() copies it

    def make(value: str) -> str | Cell | None:
        text = safe_text(value)
        if not text:
            return None  # an empty string cell would only be an odd blank
        if text[0] not in _FORMULA_LEADS and text not in ERROR_CODES:
            return text if alignment is None else _StreamCell(ws, row=1, column=1, value=text, style_array=plain_style)
        cell = _StreamCell(ws, row=1, column=1, value=text, style_array=style)
        cell.data_type = "s"  # openpyxl made it a formula or an error value
        return cell

    return make


def _converter(ws: Any, column: Column, tz: tzinfo | None, alignment: Alignment | None) -> Callable[[Any], Any]:
    """A function turning a Python value of ``column`` into what the worksheet gets (None stays empty)."""
    kind, title = column.kind, column.title
    if kind is ColumnKind.TEXT:
        return _text_converter(ws, title, alignment)
    if kind is ColumnKind.YES_NO:
        return _yes_no_converter(ws, title, alignment)
    fmt = column.cell_format
    prototype = Cell(ws, row=1, column=1)
    if fmt:
        prototype.number_format = fmt
    if alignment is not None:
        prototype.alignment = alignment
    style = prototype._style
    value_of = _VALUE_OF[kind](title, tz)

    def convert(value: Any) -> Any:
        plain = value_of(value)
        if plain is None:
            return None
        return _StreamCell(ws, row=1, column=1, value=plain, style_array=style)

    return convert


def _text_converter(ws: Any, title: str, alignment: Alignment | None) -> Callable[[Any], Any]:
    make = _text_cell_factory(ws, alignment)

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            return make(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return make(str(value))
        raise TypeError(f"column {title!r} is text, got {type(value).__name__} {value!r}")

    return convert


def _yes_no_converter(ws: Any, title: str, alignment: Alignment | None) -> Callable[[Any], Any]:
    make = _text_cell_factory(ws, alignment)

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            return make("Yes" if value else "No")
        raise TypeError(f"column {title!r} is yes/no, got {type(value).__name__} {value!r}")

    return convert


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
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
