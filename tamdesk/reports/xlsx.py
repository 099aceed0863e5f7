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

Where the writer's parts live: ``xlsx_specs`` (what a workbook shows: sheets, columns, charts, blocks),
``xlsx_text`` (text in a cell, never a formula; sheet and table names; header lines), ``xlsx_layout`` (widths,
wrapping, printing), ``xlsx_cells`` (values to cells), ``xlsx_sheet`` (one sheet and its continuations) and
``xlsx_rows`` (rows streamed as SpreadsheetML). Reports import what they use from this module.
"""

from __future__ import annotations

import glob
import os
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from tamdesk.models.db import database, is_sqlite
from tamdesk.reports.xlsx_layout import MAX_PRINT_WIDTH, PRINT_MIN_SCALE, print_width
from tamdesk.reports.xlsx_sheet import Book, SheetWriter, Ticker, TooManyRows
from tamdesk.reports.xlsx_specs import (
    EXCEL_MAX_ROWS,
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
    Overflow,
    SheetSpec,
)
from tamdesk.reports.xlsx_text import (
    TEXT_LIMIT,
    TRUNCATION_MARKER,
    header_lines,
    looks_like_formula,
    safe_text,
    sheet_title,
    table_name,
    zone_label,
)
from tamdesk.services.private_files import remove_stale

__all__ = [
    "EXCEL_MAX_ROWS",
    "MAX_PRINT_WIDTH",
    "PRINT_MIN_SCALE",
    "TEMP_FILE",
    "TEXT_LIMIT",
    "TRUNCATION_MARKER",
    "Block",
    "ChartKind",
    "ChartSpec",
    "Column",
    "ColumnKind",
    "DocProps",
    "ExportCancelled",
    "ExportError",
    "Formatted",
    "GoalBands",
    "ListValidation",
    "Overflow",
    "SheetSpec",
    "header_lines",
    "looks_like_formula",
    "print_width",
    "safe_text",
    "sheet_title",
    "table_name",
    "write_workbook",
    "zone_label",
]

TEMP_FILE = re.compile(r"\..+\.xlsx\.[0-9a-f]{8}(\.s\d+)?\.tmp", re.IGNORECASE)
"""Our temporary files beside an export: ``.sla.xlsx.1a2b3c4d.tmp`` and its sheets' ``….s1.tmp``."""


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
        _build(temp, target, sheets, properties, tz, Ticker(progress, cancelled), max_rows)
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
    temp: Path,
    target: Path,
    sheets: Sequence[SheetSpec],
    props: DocProps,
    tz: tzinfo | None,
    ticker: Ticker,
    max_rows: int,
) -> None:
    """Stream every sheet's rows, then save the workbook to ``temp``.

    A first sheet with a header block (a summary) is written last: its block lists the other sheets, and how far
    a continued one runs, which is known only once they are written.
    """
    titles: list[str] = []
    for spec in sheets:
        titles.append(sheet_title(spec.title, titles))
    book = Book(temp, titles, ticker, tz, max_rows)
    try:
        _set_properties(book.wb, props)
        first = sheets[0]
        guided = not first.data and bool(first.header_lines) and first.guide
        order = [*range(1, len(sheets)), 0] if guided else list(range(len(sheets)))
        parts: dict[int, list[tuple[str, int]]] = {}
        for index in order:
            ticker.advance(0)
            spec = _with_guide(sheets, titles, parts) if guided and index == 0 else sheets[index]
            parts[index] = SheetWriter(book, index, spec).write()
        book.save()
    except TooManyRows as exc:
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


def _set_properties(wb: Any, props: DocProps) -> None:
    created = props.created or datetime.now(UTC)
    if created.utcoffset() is None:
        raise ValueError("DocProps.created must be timezone-aware")
    p = wb.properties
    p.title, p.subject = safe_text(props.title), safe_text(props.subject)
    p.creator = p.lastModifiedBy = safe_text(props.creator)
    p.description, p.keywords = safe_text(props.description), safe_text(props.keywords)
    p.created = p.modified = created.astimezone(UTC).replace(tzinfo=None, microsecond=0)
