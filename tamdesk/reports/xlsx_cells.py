"""Values to cells: each column kind's value checked and converted, and the XML of its cell with its style."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from numbers import Real
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill
from openpyxl.utils.datetime import to_excel

from tamdesk.reports import xlsx_rows
from tamdesk.reports.xlsx_specs import Column, ColumnKind, Formatted
from tamdesk.reports.xlsx_text import needs_quote_prefix, safe_text

_WRAP_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
_TOP_ALIGNMENT = Alignment(vertical="top")  # beside wrapped text, a row's other values start level with it


def column_alignment(column: Column, data: bool) -> Alignment | None:
    """How a column's data cells align: wrapping text wraps; on a data sheet, or beside text that wraps, every value
    starts at the top."""
    if column.wrap:
        return _WRAP_ALIGNMENT
    return _TOP_ALIGNMENT if data else None


def style_id(
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


def cell_writer(
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
        plain = style_id(ws, font=font, alignment=alignment, border=border)
        guarded = style_id(ws, font=font, alignment=alignment, border=border, quote_prefix=True)
        text_of = _text(title) if kind is ColumnKind.TEXT else _yes_no(title)

        def text_cell(value: Any, row: str) -> str:
            text = text_of(value)
            if not text:  # an empty string cell would only be an odd blank
                return f'<c r="{letter}{row}" s="{plain}"/>' if border else blank
            return xlsx_rows.text_cell(letter + row, guarded if needs_quote_prefix(text) else plain, text)

        return text_cell
    style = style_id(ws, font=font, alignment=alignment, border=border, number_format=column.cell_format)
    value_of = _VALUE_OF[kind](title, tz)
    dates = kind is ColumnKind.DATE or kind is ColumnKind.DATETIME
    styles: dict[str, int] = {}  # the style of each number format a Formatted value brings

    def number_cell(value: Any, row: str) -> str:
        cell_style = style
        if value.__class__ is Formatted:
            cell_style = styles.get(value.number_format) or styles.setdefault(
                value.number_format,
                style_id(ws, font=font, alignment=alignment, border=border, number_format=value.number_format),
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
