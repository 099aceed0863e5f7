"""How a sheet is laid out for screen and print: column widths, the lines wrapped text takes, the page setup."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl.worksheet.page import PageMargins

from tamdesk.reports.xlsx_specs import DEFAULT_WIDTHS, Column, ColumnKind
from tamdesk.reports.xlsx_text import safe_text

_MIN_WIDTH, _MAX_WIDTH = 8.0, 60.0
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
MARGINS = PageMargins(left=_SIDE_MARGIN_IN, right=_SIDE_MARGIN_IN, top=0.75, bottom=0.75, header=0.3, footer=0.3)
_PAGE_HEADER_LIMIT = 100  # characters of each page-header section; Excel takes 255 for the whole header
_LINE_BREAK = re.compile("[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")  # where str.splitlines breaks
# Characters of ordinary text a column holds per digit width: Calibri's letters average about 0.85 of its digits.
# A little low on purpose: a row a line too tall reads better than one that hides its last line.
TEXT_PER_DIGIT = 1.15
MAX_ROW_LINES = 20  # the most lines a wrapped row is made tall for (Excel's tallest row is 409 points)
FILTER_BUTTON = 3  # character widths a header keeps free for the indent and the filter button


def print_width(widths: Iterable[float]) -> float:
    """How wide columns of these widths print, in Excel character widths with each column's padding counted."""
    return sum(width + _COLUMN_PADDING_PX / _DIGIT_PX for width in widths)


def fit_to_print(widths: list[float], wraps: list[bool]) -> list[float]:
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


def auto_width(column: Column, sample: Iterator[Any], title_wraps: bool = False) -> float:
    """A width that fits the title (and its filter button) and, for text, the first rows.

    A title that wraps (on a data sheet) needs only half its width: two lines, no word split.
    """
    title = display_width(column.title)
    if title_wraps:
        longest = max((display_width(word) for word in column.title.split()), default=0)
        title = max(longest, math.ceil(title / 2))
    width: float = title + (FILTER_BUTTON if title_wraps else 4)
    if column.kind is ColumnKind.TEXT:
        texts = (v for v in sample if isinstance(v, str))
        width = max([width, *(display_width(line) + 2 for v in texts for line in v[:200].splitlines())])
    else:
        width = max(width, DEFAULT_WIDTHS[column.kind])
    return float(min(max(width, _MIN_WIDTH), _MAX_WIDTH))


def display_width(text: str) -> int:
    """Columns ``text`` takes on screen: East Asian wide characters take two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrapped_lines(text: str, width: float) -> list[str]:
    """``text`` wrapped at spaces into lines of at most ``width`` characters, as a cell that wraps shows it."""
    lines: list[str] = []
    for word in text.split():
        if lines and display_width(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def line_count(text: str, width: float) -> int:
    """Lines ``text`` takes in a cell that wraps it at ``width`` characters (at most ``MAX_ROW_LINES``): its own
    line breaks, then breaks at spaces (as :func:`wrapped_lines`), a word too long for a line broken where it reaches
    the edge.
    """
    if len(text) > width * MAX_ROW_LINES and len("".join(text.split())) > width * MAX_ROW_LINES:
        return MAX_ROW_LINES  # more visible characters than the tallest row's lines hold (spaces may fold away)
    if display_width(text) <= width and _LINE_BREAK.search(text) is None:
        return 1  # the usual short value: a line, however it is spaced
    lines = 0
    for part in text.splitlines():
        line = -1  # the width of the line being filled; -1: none yet
        for word in part.split():
            size = display_width(word)
            if line >= 0 and line + 1 + size <= width:
                line += 1 + size
                continue
            if line >= 0:
                lines += max(1, math.ceil(line / width))
            line = size
        lines += max(1, math.ceil(line / width))  # an empty part is an empty line
    return min(max(lines, 1), MAX_ROW_LINES)


def page_header_text(text: str) -> str:
    """``text`` for a printed page header section: ``&`` (which starts Excel's header codes) doubled, and short."""
    text = " ".join(safe_text(text).split())
    if len(text) > _PAGE_HEADER_LIMIT:
        text = text[: _PAGE_HEADER_LIMIT - 1] + "…"
    return text.replace("&", "&&")
