"""What a workbook shows, as the reports describe it: sheets, columns and their formats, charts, blocks, colour
bands, drop-down lists and document properties; and the errors an export raises."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from tamdesk.reports.xlsx_text import safe_text
from tamdesk.services.base import DomainError

EXCEL_MAX_ROWS = 1_048_576
"""The most rows an Excel sheet has (header rows included)."""
LINE_HEIGHT = 15.0  # points, one line of Calibri 11


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
DEFAULT_WIDTHS = {
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
        return math.ceil(self.height / (LINE_HEIGHT * 2.54 / 72))


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
