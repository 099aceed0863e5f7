"""Writing one sheet: its rows streamed into a row file, its layout (table, filter, page setup, validations,
chart, colour bands, blocks) into openpyxl's sheet, and onto continuation sheets past the row limit."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from io import BytesIO
from itertools import chain, count, islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from tamdesk.reports import xlsx_rows
from tamdesk.reports.xlsx_cells import cell_writer, column_alignment, style_id
from tamdesk.reports.xlsx_layout import (
    FILTER_BUTTON,
    MARGINS,
    TEXT_PER_DIGIT,
    auto_width,
    fit_to_print,
    line_count,
    page_header_text,
    wrapped_lines,
)
from tamdesk.reports.xlsx_specs import (
    LINE_HEIGHT,
    ChartKind,
    ChartSpec,
    Column,
    ColumnKind,
    ExportCancelled,
    ExportError,
    GoalBands,
    ListValidation,
    Overflow,
    SheetSpec,
)
from tamdesk.reports.xlsx_text import (
    SHEET_TITLE_LIMIT,
    needs_quote_prefix,
    safe_text,
    sheet_title,
    table_name,
    utf16_prefix,
)
from tamdesk.services.private_files import create_private

_TICK_ROWS = 1000
_WIDTH_SAMPLE_ROWS = 100
_TABLE_STYLE = "TableStyleMedium2"
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


@dataclass
class Ticker:
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


class TooManyRows(Exception):
    """A sheet that cannot continue has more rows than a sheet holds; the message completes "Cannot write X: "."""


class Book:
    """The workbook being written: openpyxl's layout, the sheets' row files, and the names given so far."""

    def __init__(self, temp: Path, titles: Sequence[str], ticker: Ticker, tz: tzinfo | None, max_rows: int) -> None:
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


def _continuation_title(title: str, part: int, used: Collection[str]) -> str:
    """``Tickets (2)`` for part 2 of sheet ``Tickets``: shortened to fit Excel's 31 characters, and distinct from
    every name in ``used`` (``Tickets (2) (2)`` if a sheet is already called ``Tickets (2)``)."""
    suffix = f" ({part})"
    base = utf16_prefix(title, SHEET_TITLE_LIMIT - len(suffix)).rstrip("' ")
    return sheet_title(base + suffix, used)


class SheetWriter:
    """Streams one :class:`SheetSpec`: its rows into row files, its layout into openpyxl's sheet, onto further
    sheets when a data sheet passes the row limit."""

    def __init__(self, book: Book, index: int, spec: SheetSpec) -> None:
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
            cell_writer(ws, c, letter, tz, column_alignment(c, data), border=_RULED_BORDER if spec.ruled else None)
            for c, letter in columns
        ]
        self.totals = [
            cell_writer(ws, c, letter, tz, column_alignment(c, data), font=_TOTALS_FONT, border=_TOTALS_BORDER)
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
                    lines * LINE_HEIGHT if lines > 1 else None,  # LibreOffice does not fit a row to wrapped text
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
                cell_writer(ws, c, x, tz, column_alignment(c, True), border=_BLOCK_BORDER)
                for c, x in zip(block.columns, letters, strict=True)
            ]
            wrapping = [
                (n, max((w - 1) * TEXT_PER_DIGIT, 1.0))
                for n, (c, w) in enumerate(zip(block.columns, self.widths, strict=False))
                if c.wrap
            ]
            for row in block.rows:
                lines = max((line_count(row[n], w) for n, w in wrapping if isinstance(row[n], str)), default=1)
                r = str(number)
                xml = "".join([cell(v, r) for cell, v in zip(cells, row, strict=True)])
                spool.add(number, xml, lines * LINE_HEIGHT if lines > 1 else None)
                number += 1
            number += 1

    def _too_many(self, rows: int) -> TooManyRows:
        return TooManyRows(
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
            column.width or auto_width(column, (row[number] for row in sample if len(row) > number), data)
            for number, column in enumerate(columns)
        ]
        if data:
            widths = fit_to_print(widths, [column.wrap for column in columns])
            lines = max(len(wrapped_lines(c.title, w - FILTER_BUTTON)) for c, w in zip(columns, widths, strict=True))
            self.header_height = lines * LINE_HEIGHT
        self.widths = widths
        self.wrapping = [
            (n, max((w - 1) * TEXT_PER_DIGIT, 1.0))
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
        sid = style_id(self.ws, quote_prefix=needs_quote_prefix(safe), **style)
        if not safe:
            return lambda row: xlsx_rows.blank_cell(letter + row, sid)
        return lambda row: xlsx_rows.text_cell(letter + row, sid, safe)

    def _lines(self, row: Sequence[Any]) -> int:
        """The lines the row's wrapping text takes, for its height."""
        return max((line_count(row[n], width) for n, width in self.wrapping if isinstance(row[n], str)), default=1)

    def _finish(self, ws: Any, spool: xlsx_rows.RowSpool, table: str, written: int, *, first: bool) -> None:
        """What follows the rows: the table or filter, page setup, validations, chart and colour bands."""
        head, last_data = self.header_row, self.header_row + written
        last_row = spool.rows
        self.book.rows_written(ws, spool, f"A1:{self.last_col}{max(last_row, 1)}")
        data_first, data_last = head + 1, max(last_data, head + 1)
        if self.spec.data:
            self._add_table(ws, table, data_last)  # Excel's smallest table: the header and one row, empty here
            title, period = [*self.spec.header_lines, "", ""][:2]
            ws.HeaderFooter.oddHeader.left.text = page_header_text(title)
            ws.HeaderFooter.oddHeader.right.text = page_header_text(period)
        else:
            ws.auto_filter.ref = f"A{head}:{self.last_col}{max(last_data, head)}"
        ws.print_title_rows = f"{head}:{head}"
        ws.page_setup.orientation = "portrait" if self.spec.portrait else "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1 if self.spec.one_page else 0
        ws.page_margins = MARGINS
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
