"""Reading .csv and .xlsx files for imports: headers matched loosely, every bad row reported at once.

The file itself is read by ``import_files`` (limits, encodings, damaged files); this module turns its rows into a
``Table``.

An import that declares its fields (``ImportField``) can be told which file column feeds which field; the file's
own headers feed the fields nobody named. ``match_columns`` is that rule, for the import and for its preview.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from tamdesk.domain.file_limits import MAX_TABLE_CELLS, column_letter, table_problem
from tamdesk.services.import_files import ImportFailed, Row, head_rows, open_rows

__all__ = [
    "ImportFailed",
    "ImportField",
    "Table",
    "header_key",
    "match_columns",
    "preview_rows",
    "read_headers",
    "read_table",
]


def header_key(text: object) -> str:
    """Headers compare case-insensitively, ignoring spaces and punctuation: ``E-mail Domains`` == ``emaildomains``."""
    return re.sub(r"[\W_]+", "", str(text or "")).lower()


@dataclass(frozen=True)
class ImportField:
    """A field an import reads: its label (also the header that feeds it unless told otherwise), whether the file
    must have it, and what it holds."""

    label: str
    required: bool
    meaning: str

    @property
    def key(self) -> str:
        """The name the field has in a ``Table`` row."""
        return header_key(self.label)


def _title(header: object) -> str:
    return "" if header is None else str(header).strip()


def _find_header(titles: Sequence[str], header: str) -> int | str:
    """The index of the column called ``header`` (exactly, else loosely), or why there is none."""
    wanted = header.strip()
    if wanted in titles:
        return titles.index(wanted)
    loose = [n for n, title in enumerate(titles) if title and header_key(title) == header_key(wanted)]
    if len(loose) == 1:
        return loose[0]
    if loose:
        alike = " or ".join(repr(titles[n]) for n in loose)
        return f"the column {wanted!r} could be {alike}; write the header exactly as in the file"
    named = ", ".join(repr(t) for t in titles if t)
    return f"the file has no column {wanted!r} (its columns are {named})"


def match_columns(
    headers: Sequence[object], fields: Sequence[ImportField], columns: Mapping[str, str] | None = None
) -> tuple[dict[str, int], list[str]]:
    """Which file column feeds each field, and every problem with that.

    Args:
        headers: the file's header row as written.
        fields: what the import reads.
        columns: field (its label, matched loosely) → header of the column that feeds it; ``""`` leaves an optional
            field out. A field not named here is fed by the header that matches its label.

    Returns:
        Field key → column index for each field that has a column, and the problems: an unknown field, a header
        the file lacks, a required field without a column, one column feeding two fields.
    """
    titles = [_title(h) for h in headers]
    keys = [header_key(t) for t in titles]
    by_key = {f.key: f for f in fields}
    problems: list[str] = []
    chosen: dict[str, int | None] = {}
    for name, header in (columns or {}).items():
        field = by_key.get(header_key(name))
        if field is None:
            known = ", ".join(f.label for f in fields)
            problems.append(f"{name!r} (for the column {header!r}) is not a field of this import; it reads {known}")
        elif field.key in chosen:
            problems.append(f"{field.label} is given a column more than once ({name!r}={header!r})")
        elif not header.strip():
            chosen[field.key] = None
            if field.required:
                problems.append(f"{field.label} is required, so it cannot be left out")
        else:
            found = _find_header(titles, header)
            chosen[field.key] = found if isinstance(found, int) else None
            if isinstance(found, str):
                problems.append(f"{field.label}: {found}")
    matched: dict[str, int] = {}
    missing: list[str] = []
    for field in fields:
        index = chosen[field.key] if field.key in chosen else (keys.index(field.key) if field.key in keys else None)
        if index is not None:
            matched[field.key] = index
        elif field.required and field.key not in chosen:
            missing.append(field.label)
    if missing:
        problems.append(f"the file has no column {', '.join(repr(m) for m in missing)}")
    readers: dict[int, list[str]] = {}
    for field in fields:
        if field.key in matched:
            readers.setdefault(matched[field.key], []).append(field.label)
    for index, labels in readers.items():
        if len(labels) > 1:
            problems.append(f"{' and '.join(labels)} cannot both be read from the column {titles[index]!r}")
    return matched, problems


@dataclass(frozen=True)
class Table:
    """Rows of a file keyed by normalized header; ``line`` is the row number a user sees in the file."""

    headers: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, Any]], ...]

    def require(self, source: str, *names: str) -> None:
        missing = [n for n in names if header_key(n) not in self.headers]
        if missing:
            raise ImportFailed(source, [f"the file has no column {', '.join(repr(m) for m in missing)}"])


def read_table(
    path: str | Path,
    fields: Sequence[ImportField] = (),
    columns: Mapping[str, str] | None = None,
    *,
    encoding: str | None = None,
    accept_header: Callable[[Sequence[str]], bool] | None = None,
) -> Table:
    """Read a .csv file, or a sheet of an .xlsx file (the first, or the first whose header ``accept_header`` takes).

    Without ``fields`` a row holds every column under its header's key. With them, a row holds each field under
    its ``key``, read from the column ``match_columns`` picks (``columns`` names it: field → header), and nothing
    else. A CSV file's encoding comes from its BOM or ``encoding``, else UTF-8, else cp1252.

    Raises:
        ImportFailed: missing, empty, header-only, unreadable, damaged, password-protected or oversized file; two
            columns of one name; with ``fields``, also every problem of the column mapping (nothing is read then).
    """
    if columns and not fields:
        raise TypeError("read_table: columns needs the fields they feed")
    path = Path(path)
    required = [f.label for f in fields if f.required]
    needs = f"the columns {', '.join(repr(r) for r in required)}" if required else "the header row this import reads"
    found = open_rows(path, encoding, accept_header, needs)
    return _to_table(path.name, found.rows, fields, columns, found.sheet)


def read_headers(path: str | Path, encoding: str | None = None) -> list[str]:
    """The header row of a file (its first non-blank row; the first sheet of a workbook) as written, cheaply.

    Raises:
        ImportFailed: missing, empty, unreadable, damaged or oversized file.
    """
    path = Path(path)
    rows = head_rows(path, 1, encoding)
    if not rows:
        raise ImportFailed(path.name, ["the file is empty"])
    return [_title(v) for v in rows[0][1]]


def preview_rows(path: str | Path, limit: int, encoding: str | None = None) -> list[Row]:
    """The header row and up to ``limit`` non-blank rows under it, as (row number, values), read the way the
    import reads them; an empty file gives no rows.

    Raises:
        ImportFailed: missing, unreadable, damaged or oversized file.
    """
    return head_rows(Path(path), limit + 1, encoding)


def _to_table(
    source: str,
    raw: Iterator[Row],
    fields: Sequence[ImportField] = (),
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> Table:
    first = next((row for row in raw if any(_present(v) for v in row[1])), None)
    if first is None:
        raise ImportFailed(source, [f"the sheet {sheet!r} is empty" if sheet else "the file is empty"])
    titles = first[1]
    _refuse_duplicates(source, titles, fields, columns)
    headers = tuple(header_key(h) for h in titles)
    if fields:
        matched, problems = match_columns(titles, fields, columns)
        if problems:
            raise ImportFailed(source, problems)
        names = [""] * len(headers)  # a column no field reads is left out of the rows
        for key, index in matched.items():
            names[index] = key
        headers = tuple(names)
    rows = []
    kept = 0
    read = [(index, h) for index, h in enumerate(headers) if h]
    keys = tuple(h for _, h in read)
    pick = itemgetter(*(index for index, _ in read)) if len(read) > 1 else None
    for line, values in raw:
        first = values[0] if values else None
        if not (first.__class__ is str and first.strip()) and not any(_present(v) for v in values):
            continue  # a blank row (its first cell is checked alone first: most rows have one there)
        row = _text_row(keys, pick, values) if pick is not None and len(values) >= len(headers) else None
        if row is None:
            row = {h: v.strip() if type(v) is str else v for h, v in zip(headers, values, strict=False) if h}
        kept += len(row)
        if kept > MAX_TABLE_CELLS:  # the rows are held in memory: stop before they outgrow it
            raise ImportFailed(source, [table_problem(line, kept) or "the file is too large"])
        rows.append((line, row))
    if not rows:
        where = f"the sheet {sheet!r}" if sheet else "the file"
        raise ImportFailed(source, [f"{where} has a header row but no rows: there is nothing to import"])
    return Table(headers, tuple(rows))


def _text_row(
    keys: tuple[str, ...], pick: Callable[[Sequence[Any]], Any], values: Sequence[Any]
) -> dict[str, Any] | None:
    """The cells ``pick`` takes, stripped, by ``keys``; None when one is not text (the usual CSV row is all text, and
    picking its cells in one go is a fifth of reading it)."""
    try:
        return dict(zip(keys, map(str.strip, pick(values)), strict=True))
    except TypeError:
        return None


def _refuse_duplicates(
    source: str, titles: Sequence[object], fields: Sequence[ImportField], columns: Mapping[str, str] | None
) -> None:
    """Two columns whose headers match alike would feed one field from either: refused when the import reads them
    (every column without ``fields``; a field's column, or a column ``columns`` names, with them)."""
    read = None if not fields else {f.key for f in fields} | {header_key(h) for h in (columns or {}).values()}
    seen: dict[str, int] = {}
    problems = []
    for index, title in enumerate(titles):
        key = header_key(title)
        if not key or (read is not None and key not in read):
            continue
        if key in seen:
            first = seen[key]
            problems.append(
                f"the columns {_title(titles[first])!r} (column {column_letter(first)}) and {_title(title)!r} "
                f"(column {column_letter(index)}) have the same name; rename one"
            )
        else:
            seen[key] = index
    if problems:
        raise ImportFailed(source, problems)


def _present(value: Any) -> bool:
    return value is not None and str(value).strip() != ""
