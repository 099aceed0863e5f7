"""Reading .csv and .xlsx files for imports: headers matched loosely, every bad row reported at once.

An import that declares its fields (``ImportField``) can be told which file column feeds which field; the file's
own headers feed the fields nobody named. ``match_columns`` is that rule, for the import and for its preview.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tamdesk.services.base import DomainError


class ImportFailed(DomainError):
    """An import found problems; nothing was changed. ``problems`` lists every bad row."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        shown = list(problems[:50])
        more = f" … and {len(problems) - 50} more" if len(problems) > 50 else ""
        listed = "; ".join(shown) + more
        end = "" if listed.endswith((".", "?", "!")) else "."
        super().__init__(f"{source}: nothing was imported. {listed[:1].upper()}{listed[1:]}{end}")
        self.problems = list(problems)


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


def read_table(path: str | Path, fields: Sequence[ImportField] = (), columns: Mapping[str, str] | None = None) -> Table:
    """Read the first sheet of an .xlsx file or a .csv file (UTF-8, comma or semicolon separated).

    Without ``fields`` a row holds every column under its header's key. With them, a row holds each field under
    its ``key``, read from the column ``match_columns`` picks (``columns`` names it: field → header), and nothing
    else.

    Raises:
        ImportFailed: missing, empty, unreadable, password-protected or mislabelled file; with ``fields``, also
            every problem of the column mapping (nothing is read then).
    """
    if columns and not fields:
        raise TypeError("read_table: columns needs the fields they feed")
    path = Path(path)
    source = path.name
    if not path.is_file():
        raise ImportFailed(source, [f"the file {path} does not exist"])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw = list(_xlsx_rows(path))
    elif suffix in (".csv", ".txt"):
        raw = list(_csv_rows(path))
    else:
        raise ImportFailed(source, [f"'{path.suffix}' files are not supported; use .xlsx or .csv"])
    return _to_table(source, raw, fields, columns)


def _to_table(
    source: str,
    raw: list[tuple[int, list[Any]]],
    fields: Sequence[ImportField] = (),
    columns: Mapping[str, str] | None = None,
) -> Table:
    while raw and not any(_present(v) for v in raw[0][1]):
        raw.pop(0)
    if not raw:
        raise ImportFailed(source, ["the file is empty"])
    headers = tuple(header_key(h) for h in raw[0][1])
    if fields:
        matched, problems = match_columns(raw[0][1], fields, columns)
        if problems:
            raise ImportFailed(source, problems)
        names = [""] * len(headers)  # a column no field reads is left out of the rows
        for key, index in matched.items():
            names[index] = key
        headers = tuple(names)
    rows = []
    for line, values in raw[1:]:
        if not any(_present(v) for v in values):
            continue
        rows.append((line, {h: _clean(v) for h, v in zip(headers, values, strict=False) if h}))
    return Table(headers, tuple(rows))


def _present(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _clean(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            reason = "it is password-protected or an old .xls workbook; save it as a plain .xlsx"
        else:
            reason = "it is not an Excel workbook (perhaps a CSV file renamed .xlsx)"
        raise ImportFailed(path.name, [f"cannot read {path.name}: {reason}"])
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFailed(path.name, [f"cannot read {path.name}: the workbook is damaged ({exc})"]) from None
    try:
        sheet = book.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, list(values)
    finally:
        book.close()


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from enumerate(csv.reader(text.splitlines(), dialect), start=1)
