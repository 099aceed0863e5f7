"""Reading the rows of an import file (.csv or .xlsx) within the limits of ``domain.file_limits``.

Every problem a file can have becomes one ``ImportFailed`` sentence naming the file, never a traceback: a missing,
unreadable or binary file, a damaged workbook, a file beyond a limit. CSV is read by the csv module from a file
opened with ``newline=""`` (a vertical tab, form feed or NEL inside a field stays in it), its encoding taken from a
BOM or the caller, else UTF-8, else cp1252. A workbook is checked by ``xlsx_check`` before it is loaded, then read
by calamine (fast) when its grid fits the memory budget, else streamed by openpyxl; the values are the ones
openpyxl gives (whole numbers as int, dates as datetime, empty cells as None).
"""

from __future__ import annotations

import codecs
import csv

# Imported here, not on first use: a first import on a worker thread crashes PySide6 (see views/tasks.py),
# and imports run off the UI thread. The codecs a CSV file may need are modules imported on first use too.
import encodings.cp1252
import encodings.utf_8_sig
import encodings.utf_16
import encodings.utf_32  # noqa: F401
import stat
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import openpyxl
import python_calamine

from tamdesk.domain import file_limits as lim
from tamdesk.services.base import DomainError
from tamdesk.services.xlsx_check import FileRefused, Package, SheetPart, check_package, scan_sheet

Row = tuple[int, list[Any]]
"""A row of a file: its number as a user sees it (1 = the first line or sheet row) and its cells."""

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
CALAMINE_MAX_CELLS = 1_500_000
"""Above this many cells calamine's in-memory grid (about 90 bytes a cell) would cost too much with the rows on
top: the sheet is streamed by openpyxl instead, slower but lean. 100,000 rows of 15 columns still go to calamine."""
HEADER_SCAN_ROWS = 1_000
"""Rows searched for a sheet's header row when choosing a sheet or previewing."""


class ImportFailed(DomainError):
    """An import found problems; nothing was changed. ``problems`` lists every bad row."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        shown = list(problems[:50])
        more = f" … and {len(problems) - 50} more" if len(problems) > 50 else ""
        listed = "; ".join(shown) + more
        end = "" if listed.endswith((".", "?", "!")) else "."
        super().__init__(f"{source}: nothing was imported. {listed[:1].upper()}{listed[1:]}{end}")
        self.problems = list(problems)


@dataclass(frozen=True)
class Rows:
    """The rows of one table in a file: the sheet they come from (None for CSV) and the rows, streamed."""

    sheet: str | None
    rows: Iterator[Row]


def check_readable(path: Path, suffixes: Sequence[str] = XLSX_SUFFIXES + CSV_SUFFIXES) -> None:
    """The file exists, is a regular file we may read, has a known suffix and is within the size limit.

    Raises:
        ImportFailed: naming the file and what is wrong.
    """
    source = path.name
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ImportFailed(source, [f"the file {path} does not exist"]) from None
    except OSError as exc:
        raise ImportFailed(source, [f"cannot read {path}: {exc.strerror or exc}"]) from None
    if stat.S_ISDIR(mode):
        raise ImportFailed(source, [f"{path} is a folder, not a file"])
    if not stat.S_ISREG(mode):
        raise ImportFailed(source, [f"{path} is not a regular file (a pipe or a device); save the data to a file"])
    if path.suffix.lower() not in suffixes:
        known = " or ".join(sorted({s for s in suffixes if s in (".xlsx", ".csv")}))
        raise ImportFailed(source, [f"'{path.suffix}' files are not supported; use {known}"])
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise ImportFailed(source, [f"cannot read {path}: {exc.strerror or exc}"]) from None
    problem = lim.file_size_problem(path.stat().st_size)
    if problem:
        raise ImportFailed(source, [problem])


def check_workbook(path: Path, max_sheets: int = lim.MAX_SHEETS) -> Package:
    """Check an .xlsx file against every limit before a library loads it: package, sheets, each sheet's extent.

    Raises:
        ImportFailed: not a workbook, damaged, or beyond a limit, in one sentence naming the file.
    """
    check_readable(path, XLSX_SUFFIXES)
    try:
        package = check_package(path, max_sheets)
        for sheet in package.sheets:
            scan_sheet(path, sheet)
    except FileRefused as exc:
        raise ImportFailed(path.name, [str(exc)]) from None
    return package


def open_rows(
    path: Path,
    encoding: str | None = None,
    accept_header: Callable[[Sequence[str]], bool] | None = None,
    needs: str = "the header row this import reads",
) -> Rows:
    """The rows of a .csv file, or of the chosen sheet of an .xlsx file, checked against the limits.

    ``accept_header`` chooses among several sheets: the first whose header row (its first non-blank row) it
    accepts; ``needs`` says, for the refusal when none is, what the import needs ("the columns 'Ticket', 'At'").

    Raises:
        ImportFailed: any problem with the file, in one sentence naming it. The returned iterator raises it too.
    """
    check_readable(path)
    source = path.name
    if path.suffix.lower() in XLSX_SUFFIXES:
        try:
            package = check_package(path)
            sheet = _choose_sheet(path, package, accept_header, needs)
            extent = scan_sheet(path, sheet)
        except FileRefused as exc:
            raise ImportFailed(source, [str(exc)]) from None
        rows = _calamine_rows(path, sheet) if extent.cells <= CALAMINE_MAX_CELLS else _openpyxl_rows(path, sheet)
        return Rows(sheet.name, _guarded(source, rows))
    return Rows(None, _guarded(source, csv_rows(path, encoding), "the file cannot be read"))


def head_rows(path: Path, limit: int, encoding: str | None = None) -> list[Row]:
    """The first ``limit`` non-blank rows of a file (its first sheet), read without loading the rest.

    Raises:
        ImportFailed: any problem with the file, in one sentence naming it.
    """
    check_readable(path)
    source = path.name
    package = None
    if path.suffix.lower() in XLSX_SUFFIXES:
        try:
            package = check_package(path)
        except FileRefused as exc:
            raise ImportFailed(source, [str(exc)]) from None
        # no full scan for a preview: openpyxl streams, and the declared width was checked
        rows: Iterator[Row] = _openpyxl_rows(path, package.sheets[0])
    else:
        rows = csv_rows(path, encoding)
    guarded = _guarded(source, rows, "the workbook is damaged" if package else "the file cannot be read")
    try:
        return list(islice((r for r in guarded if _any_present(r[1])), limit))
    finally:
        guarded.close()


def _guarded(source: str, rows: Iterator[Row], damaged: str = "the workbook is damaged") -> Generator[Row, None, None]:
    """Rows, with every failure of reading them turned into one ImportFailed sentence."""
    try:
        yield from rows
    except FileRefused as exc:
        raise ImportFailed(source, [str(exc)]) from None
    except ImportFailed:
        raise
    except UnicodeDecodeError as exc:
        problem = f"the file is not {exc.encoding} text (byte {exc.start:,} cannot be read); give its encoding"
        raise ImportFailed(source, [problem]) from None
    except MemoryError:
        raise ImportFailed(source, ["the file is too large to read in the memory available"]) from None
    # calamine and openpyxl raise whatever their zip, XML or value parsing hits on a damaged part
    except Exception as exc:
        raise ImportFailed(source, [f"{damaged} ({_short(exc)})"]) from None


def _any_present(values: Iterable[Any]) -> bool:
    return any(v is not None and str(v).strip() != "" for v in values)


def _short(exc: BaseException) -> str:
    """A library's error as part of one sentence: one line, printable, not too long."""
    text = " ".join("".join(c if c.isprintable() else " " for c in str(exc)).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "…"


# -- xlsx ----------------------------------------------------------------------------------------------------------


def _choose_sheet(
    path: Path,
    package: Package,
    accept_header: Callable[[Sequence[str]], bool] | None,
    needs: str,
) -> SheetPart:
    if accept_header is None or len(package.sheets) == 1:
        return package.sheets[0]
    try:
        # One load for every sheet's header row; each sheet's declared width was checked, so rows stay short.
        with path.open("rb") as fh:
            book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
            try:
                for sheet in package.sheets:
                    if accept_header(_header_of(book[sheet.name].iter_rows(values_only=True))):
                        return sheet
            finally:
                book.close()
    except FileRefused:
        raise
    # openpyxl raises whatever its zip, XML or value parsing hits on a damaged part
    except Exception as exc:
        raise FileRefused(f"the workbook is damaged ({_short(exc)})") from None
    names = ", ".join(repr(n) for n in package.names)
    raise FileRefused(f"none of the sheets {names} has {needs}")


def _header_of(rows: Iterable[Sequence[Any]]) -> list[str]:
    for values in islice(rows, HEADER_SCAN_ROWS):
        if _any_present(values):
            return ["" if v is None else str(v).strip()[: lim.MAX_CELL_CHARS] for v in values]
    return []


def _calamine_rows(path: Path, sheet: SheetPart) -> Iterator[Row]:
    with path.open("rb") as fh:
        book = python_calamine.CalamineWorkbook.from_filelike(fh)
        try:
            grid = book.get_sheet_by_name(sheet.name)
            start = grid.start
            pad = [None] * (start[1] if start else 0)  # calamine's rows begin at the first used column
            # calamine yields every row from the first, blank ones above the data included
            for line, values in enumerate(grid.iter_rows(), start=1):
                yield line, pad + _calamine_values(values, line, len(pad))
        finally:
            book.close()


_WHOLE = float(2**53)  # beyond this a float does not hold every integer: keep it a float


def _calamine_values(values: list[Any], line: int, first_column: int) -> list[Any]:
    """Calamine's values as openpyxl gives them: whole numbers as int, dates as datetime, empty as None."""
    out: list[Any] = []
    for value in values:  # a plain loop: this runs for every cell of a big sheet
        kind = type(value)
        if kind is str:
            if not value:
                value = None
            elif len(value) > lim.MAX_CELL_CHARS:
                _check_cell(value, line, first_column + len(out))
        elif kind is float:
            if value.is_integer() and -_WHOLE < value < _WHOLE:
                value = int(value)
        elif kind is date:
            value = datetime(value.year, value.month, value.day)
        out.append(value)
    return out


def _check_cell(value: str, line: int, column: int) -> None:
    if len(value) > lim.MAX_CELL_CHARS:
        problem = lim.cell_problem(len(value), f"row {line}, column {lim.column_letter(column)}")
        raise FileRefused(problem or "a cell is too long")


def _openpyxl_rows(path: Path, sheet: SheetPart) -> Iterator[Row]:
    # Our own handle: openpyxl leaves its file open when a damaged workbook fails half-way through loading.
    with path.open("rb") as fh:
        book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        try:
            grid = book[sheet.name]
            for line, values in enumerate(grid.iter_rows(values_only=True), start=1):
                row = list(values)
                for n, value in enumerate(row):
                    if isinstance(value, str):
                        _check_cell(value, line, n)
                yield line, row
        finally:
            book.close()


# -- csv -----------------------------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DELIMITERS = (",", ";", "\t")


def csv_encoding(path: Path, declared: str | None = None) -> str:
    """The encoding to read a CSV file in: ``declared``, else its BOM's, else UTF-16 if half its bytes are NUL,
    else UTF-8 if it all decodes, else cp1252.

    Raises:
        FileRefused: ``declared`` is not an encoding Python knows.
    """
    if declared:
        try:
            info = codecs.lookup(declared)
        except LookupError:
            info = None
        if info is None or not getattr(info, "_is_text_encoding", True):  # base64, zlib … are codecs, not encodings
            raise FileRefused(f"'{declared}' is not a text encoding tamdesk knows (try utf-8 or cp1252)")
        return "utf-8-sig" if info.name == "utf-8" else info.name
    with path.open("rb") as fh:
        head = fh.read(4)
        for bom, encoding in _BOMS:
            if head.startswith(bom):
                return encoding
        fh.seek(0)
        sample = fh.read(4096)
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = len(sample) // 2
        # UTF-16 without a BOM: ASCII text has a NUL in every other byte and none in the others (binary data has
        # NULs anywhere, and is refused as such below)
        if half and max(even, odd) > 0.7 * half and min(even, odd) < 0.05 * half:
            return "utf-16-be" if even > odd else "utf-16-le"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def csv_rows(path: Path, encoding: str | None = None) -> Iterator[Row]:
    """The records of a CSV file, numbered from 1, each checked against the row, column and cell limits.

    Raises:
        FileRefused: binary or undecodable text, or a record beyond a limit.
    """
    chosen = csv_encoding(path, encoding)
    # The file is at most MAX_FILE_BYTES, so no field can be longer: raising csv's own limit (131,072) to it lets
    # the cell limit below say which row and column is too long instead of a csv.Error.
    if csv.field_size_limit() < lim.MAX_FILE_BYTES:
        csv.field_size_limit(lim.MAX_FILE_BYTES)
    # cp1252 leaves five bytes undefined: a stray one is shown as U+FFFD rather than refusing a whole export
    errors = "replace" if chosen == "cp1252" else "strict"
    with path.open(encoding=chosen, errors=errors, newline="") as fh:
        lines = _text_lines(fh)
        first = next(lines, None)
        if first is None:
            return
        delimiter = max(_DELIMITERS, key=lambda d: (first.count(d), -_DELIMITERS.index(d)))
        reader = csv.reader(_chain(first, lines), delimiter=delimiter, quotechar='"', doublequote=True)
        widest = 0
        try:
            for line, values in enumerate(reader, start=1):
                _check_record(line, values)
                widest = max(widest, len(values))
                if line * widest > lim.MAX_CELLS:
                    problem = lim.extent_problem(lim.Extent(line, widest), "has at least", "the file")
                    raise FileRefused(problem or "the file has too many cells")
                yield line, values  # csv.reader makes a new list for every record
        except csv.Error as exc:
            raise FileRefused(f"row {reader.line_num:,} cannot be read as CSV ({exc})") from None


def _text_lines(fh: Iterable[str]) -> Iterator[str]:
    for number, text in enumerate(fh, start=1):
        if "\x00" in text:
            raise FileRefused(f"line {number:,} holds NUL characters: it is not a text file (perhaps binary data)")
        yield text


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _check_record(line: int, values: Sequence[str]) -> None:
    if line > lim.MAX_ROWS:
        raise FileRefused(f"the file has more than {lim.MAX_ROWS:,} rows; tamdesk reads at most {lim.MAX_ROWS:,}")
    if len(values) > lim.MAX_COLUMNS:
        raise FileRefused(
            f"row {line:,} has {len(values):,} columns; tamdesk reads at most {lim.MAX_COLUMNS:,} columns"
        )
    if not values or max(map(len, values)) <= lim.MAX_CELL_CHARS:
        return  # the usual record: no need to find which cell is too long
    for column, value in enumerate(values):
        if len(value) > lim.MAX_CELL_CHARS:
            problem = lim.cell_problem(len(value), f"row {line:,}, column {lim.column_letter(column)}")
            raise FileRefused(problem or "a cell is too long")
