"""Reading a support system's export: its header row first (to tell which tool wrote it), then its rows.

CSV goes through ``services.tabular``, as every import file does. An .xlsx is checked against every limit of
``domain.file_limits`` first (``import_files.check_workbook``), then read with python-calamine from the first sheet
whose header row a caller accepts: a Salesforce report workbook may carry a cover or filter sheet first, and title
lines above its header row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import python_calamine

from tamdesk.services.import_files import CSV_SUFFIXES, check_readable, check_workbook, head_rows
from tamdesk.services.tabular import ImportFailed, ImportField, Table, match_columns, read_table

HEADER_SEARCH_ROWS = 20  # a report's title lines above its header row


@dataclass(frozen=True)
class HeaderRow:
    """A file's header row as written, the sheet it is on (None for CSV) and its row number.

    ``grid`` is the sheet as calamine loaded it, when the caller asked to keep it for ``read_rows``: loading a
    100,000-row sheet a second time costs as much as the rest of reading it.
    """

    headers: tuple[str, ...]
    sheet: str | None = None
    line: int = 1
    grid: Any = field(default=None, compare=False, repr=False)


def _present(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _sheet_header(sheet: Any) -> tuple[tuple[str, ...], int] | None:
    for line, row in enumerate(sheet.iter_rows(), start=1):
        if line > HEADER_SEARCH_ROWS:
            return None
        if sum(1 for v in row if _present(v)) >= 3:
            return tuple("" if v is None else str(v).strip() for v in row), line
    return None


@contextmanager
def _damaged_as_refusal(path: Path) -> Iterator[None]:
    """What calamine finds wrong in a workbook that passed the limits (ill-formed XML, a broken part) is one
    sentence naming the file, never a traceback."""
    try:
        yield
    except python_calamine.CalamineError as exc:
        reason = " ".join(str(exc).split())[:200]
        raise ImportFailed(path.name, [f"cannot read {path.name}: the workbook is damaged ({reason})"]) from None


def read_header_row(
    path: str | Path,
    accept: Callable[[Sequence[str]], bool] | None = None,
    encoding: str | None = None,
    *,
    keep_sheet: bool = False,
) -> HeaderRow:
    """The header row of a .csv, or of the first sheet of an .xlsx whose header row ``accept`` takes.

    ``keep_sheet`` keeps the loaded sheet in the row's ``grid`` for ``read_rows``.

    Raises:
        ImportFailed: a missing or unreadable file, or a workbook none of whose sheets ``accept`` takes (naming them).
    """
    path = Path(path)
    check_readable(path)
    if path.suffix.lower() in CSV_SUFFIXES:
        head = head_rows(path, 1, encoding)
        if not head:
            raise ImportFailed(path.name, ["the file is empty"])
        line, values = head[0]
        return HeaderRow(tuple("" if v is None else str(v).strip() for v in values), None, line)
    check_workbook(path)  # every limit, before calamine loads a sheet
    with _damaged_as_refusal(path):
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    names = list(book.sheet_names)
    first: HeaderRow | None = None
    for name in names:
        with _damaged_as_refusal(path):  # a sheet's XML is parsed only now
            grid = book.get_sheet_by_name(name)
        found = _sheet_header(grid)
        if found is None:
            continue
        row = HeaderRow(found[0], name, found[1], grid if keep_sheet else None)
        if accept is None or accept(row.headers):
            return row
        first = first or row
    if accept is None or len(names) == 1:
        if first is not None:
            return first
        raise ImportFailed(path.name, ["the file is empty"])
    listed = ", ".join(repr(n) for n in names)
    raise ImportFailed(path.name, [f"none of the sheets {listed} has a ticket export's header row"])


def read_rows(
    path: str | Path,
    head: HeaderRow,
    fields: Sequence[ImportField],
    columns: Mapping[str, str],
    encoding: str | None = None,
) -> Table:
    """The rows under ``head`` keyed by field, read from the columns ``columns`` (field → header) names.

    Raises:
        ImportFailed: every problem of the column mapping.
    """
    path = Path(path)
    if head.sheet is None:
        return read_table(path, fields, columns, encoding=encoding)
    matched, problems = match_columns(head.headers, fields, columns)
    if problems:
        raise ImportFailed(path.name, problems)
    picks = sorted(matched.items(), key=lambda item: item[1])
    grid = head.grid
    if grid is None:
        with _damaged_as_refusal(path):
            grid = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(head.sheet)
    rows: list[tuple[int, dict[str, Any]]] = []
    keys = tuple(key for key, _ in picks)
    last = picks[-1][1] if picks else -1
    pick = itemgetter(*(index for _, index in picks)) if len(picks) > 1 else None
    for line, values in enumerate(grid.iter_rows(), start=1):
        if line <= head.line:
            continue
        if pick is not None and last < len(values):  # the usual row: every picked cell there, picked in one go
            cells = [v.strip() if isinstance(v, str) else v for v in pick(values)]
            if cells[0] is not None and cells[0] != "":  # not blank: most rows say so in their first cell
                rows.append((line, dict(zip(keys, cells, strict=True))))
                continue
            row = dict(zip(keys, cells, strict=True))
        else:
            width = len(values)
            row = {}
            for key, index in picks:
                value = values[index] if index < width else None
                row[key] = value.strip() if isinstance(value, str) else value
        if any(v is not None and v != "" for v in row.values()):
            rows.append((line, row))
    headers = tuple(next((k for k, i in picks if i == n), "") for n in range(len(head.headers)))
    return Table(headers, tuple(rows))
