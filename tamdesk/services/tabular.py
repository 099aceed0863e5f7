"""Reading .csv and .xlsx files for imports: headers matched loosely, every bad row reported at once."""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tamdesk.services.base import DomainError


class ImportFailed(DomainError):
    """An import found problems; nothing was changed. ``problems`` lists every bad row."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        shown = list(problems[:50])
        more = f" … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{source}: nothing was imported. " + "; ".join(shown) + more)
        self.problems = list(problems)


def header_key(text: object) -> str:
    """Headers compare case-insensitively, ignoring spaces and punctuation: ``E-mail Domains`` == ``emaildomains``."""
    return re.sub(r"[\W_]+", "", str(text or "")).lower()


@dataclass(frozen=True)
class Table:
    """Rows of a file keyed by normalized header; ``line`` is the row number a user sees in the file."""

    headers: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, Any]], ...]

    def require(self, source: str, *names: str) -> None:
        missing = [n for n in names if header_key(n) not in self.headers]
        if missing:
            raise ImportFailed(source, [f"the file has no column {', '.join(repr(m) for m in missing)}"])


def read_table(path: str | Path) -> Table:
    """Read the first sheet of an .xlsx file or a .csv file (UTF-8, comma or semicolon separated).

    Raises:
        ImportFailed: missing, empty, unreadable, password-protected or mislabelled file.
    """
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
    return _to_table(source, raw)


def _to_table(source: str, raw: list[tuple[int, list[Any]]]) -> Table:
    while raw and not any(_present(v) for v in raw[0][1]):
        raw.pop(0)
    if not raw:
        raise ImportFailed(source, ["the file is empty"])
    headers = tuple(header_key(h) for h in raw[0][1])
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
