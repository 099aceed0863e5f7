"""What the Import… dialog reads of a file before importing, and its column mapping.

``look_at_file`` reads the header row (of the sheet that holds a ticket export's header, for a workbook), a few
rows as the file writes them and which tool wrote it. The mapping is a row per field of the import with the file
column that feeds it: each field starts where the source's preset (or, for tamdesk's own columns, the field's
name) puts it, and a combo box per field lets the user pick another column, or none for an optional field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

# python_calamine is imported here, on the UI thread: a first import on a worker thread crashes PySide6's hook
import python_calamine
from PySide6.QtWidgets import QComboBox

from tamdesk.domain.export_dates import numeric_parts
from tamdesk.domain.sources import PRESETS, Detection, ImportSource, detect_source, header_key
from tamdesk.services.export_files import HeaderRow, read_header_row
from tamdesk.services.import_files import csv_rows
from tamdesk.services.import_mappings import SavedMapping, list_mappings
from tamdesk.services.tabular import ImportField, match_columns
from tamdesk.views.table_model import Column, RowTableModel
from tamdesk.views.widgets import Tone, tone_color

PREVIEW_ROWS = 20
NOT_IMPORTED = "— not imported"
Choices = dict[str, int | None]  # field key → index of the file column that feeds it


@dataclass(frozen=True)
class FileHead:
    """The header row as written in the file and the first data rows."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class FileLook:
    """A first look at a file: its head, which tool wrote it, whether it is a ticket history, saved mappings."""

    head: FileHead
    detection: Detection
    history: bool
    sheet: str | None = None
    mappings: tuple[SavedMapping, ...] = ()


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def is_history(headers: Sequence[object]) -> bool:
    """Ticket, At, Event columns without a Customer: a ticket history file."""
    keys = {header_key(h) for h in headers}
    return {"at", "event"} <= keys and "customer" not in keys


def _rows_under(path: Path, header: HeaderRow) -> Iterator[tuple[int, list[Any]]]:
    if header.sheet is not None:  # read_header_row checked the workbook against every limit and loaded this sheet
        grid = header.grid
        if grid is None:
            grid = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(header.sheet)
        return enumerate(grid.iter_rows(), start=1)
    return csv_rows(path)


def read_head(path: Path, header: HeaderRow, limit: int = PREVIEW_ROWS) -> FileHead:
    """``header`` and up to ``limit`` non-empty rows under it, as text."""
    rows: list[tuple[str, ...]] = []
    lines = _rows_under(path, header)
    width = len(header.headers)
    try:
        for line, values in lines:
            if line <= header.line:
                continue
            texts = tuple(_text(v) for v in values)
            if any(texts):
                rows.append((*texts[:width], *("",) * (width - len(texts))))
            if len(rows) >= limit:
                break
    finally:
        close = getattr(lines, "close", None)
        if close is not None:
            close()
    return FileHead(header.headers, tuple(rows))


def look_at_file(path: str | Path) -> FileLook:
    """The first look at ``path``; runs off the UI thread.

    Raises:
        ImportFailed: missing, empty, unsupported or unreadable file, or a workbook none of whose sheets has a
            ticket export's header row.
    """
    path = Path(path)
    header = read_header_row(path, lambda h: detect_source(h).source is not None or is_history(h), keep_sheet=True)
    head = read_head(path, header)
    return FileLook(head, detect_source(head.headers), is_history(head.headers), header.sheet, tuple(list_mappings()))


def first_numeric_date(head: FileHead, columns: Sequence[str]) -> str:
    """The first date of ``columns`` written with numbers only (``03/04/2026``), or ""."""
    indexes = [n for n, h in enumerate(head.headers) if h in columns]
    for row in head.rows:
        for n in indexes:
            if numeric_parts(row[n]) is not None:
                return row[n]
    return ""


_NUMERIC_DATE = re.compile(r"\s*(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})")


def read_both_ways(value: str) -> tuple[str, str]:
    """``03/04/2026`` → (``3 April 2026``, ``March 4, 2026``): the date read day first, and month first."""
    match = _NUMERIC_DATE.match(value)
    if match is None:
        return "", ""
    first, second, year = int(match[1]), int(match[3]), match[4]
    year = f"20{year}" if len(year) == 2 else year

    def month(number: int) -> str:
        return date(2000, number, 1).strftime("%B") if 1 <= number <= 12 else "?"

    return f"{first} {month(second)} {year}", f"{month(first)} {second}, {year}"


# -- the mapping --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MappingRow:
    """Which file column feeds a field (None: no column), its first value, and whether another field reads it."""

    field: ImportField
    column: str | None
    example: str
    shared: bool = False

    @property
    def missing(self) -> bool:
        return self.field.required and self.column is None

    @property
    def wrong(self) -> bool:
        return self.missing or self.shared


def automatic_choices(head: FileHead, fields: Sequence[ImportField], source: ImportSource | None = None) -> Choices:
    """Each field at the column the source's preset names (tamdesk's own: the column named like the field)."""
    if source is None or source is ImportSource.TAMDESK:
        matched, _ = match_columns(head.headers, fields)
        return {f.key: matched.get(f.key) for f in fields}
    found = PRESETS[source].mapping(head.headers)
    return {f.key: head.headers.index(found[f.label]) if f.label in found else None for f in fields}


def column_mapping(head: FileHead, fields: Sequence[ImportField], choices: Choices | None = None) -> list[MappingRow]:
    """A row per field: the chosen column (by default the automatic match), its first value, and clashes."""
    chosen = automatic_choices(head, fields) if choices is None else choices
    used = [chosen.get(f.key) for f in fields]
    rows = []
    for field, index in zip(fields, used, strict=True):
        if index is None:
            rows.append(MappingRow(field, None, ""))
            continue
        example = head.rows[0][index] if head.rows else ""
        rows.append(MappingRow(field, head.headers[index], example, used.count(index) > 1))
    return rows


def unused_columns(head: FileHead, choices: Choices) -> list[str]:
    used = set(choices.values())
    return [h for n, h in enumerate(head.headers) if h and n not in used]


def mapping_columns() -> list[Column[MappingRow]]:
    # The File column's cells hold combo boxes (see TicketImportDialog._build_column_boxes), so no text of their own.
    return [
        Column[MappingRow]("Field", lambda r: r.field.label + (" *" if r.field.required else ""),
                           tooltip=lambda r: r.field.meaning, width=170,
                           foreground=lambda r: tone_color(Tone.ERROR) if r.wrong else None),
        Column[MappingRow]("File column", lambda r: "", width=220),
        Column[MappingRow]("First value", lambda r: r.example, tooltip=lambda r: r.field.meaning),
    ]  # fmt: skip


class MappingModel(RowTableModel[MappingRow]):
    """The mapping rows; a change of column repaints them in place so the combo boxes in the cells stay."""

    def update_rows(self, rows: Sequence[MappingRow]) -> None:
        if len(rows) != self.rowCount():
            self.set_rows(rows)
            return
        self._rows = list(rows)
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, self.columnCount() - 1))


def column_box(field: ImportField, head: FileHead, index: int | None) -> QComboBox:
    """The file's columns to choose from for ``field`` (and "not imported" when it is optional), at ``index``."""
    box = QComboBox()
    box.setAccessibleName(f"File column for {field.label}")
    box.setToolTip(f"The file column that holds {field.label}: {field.meaning}")
    if not field.required:
        box.addItem(NOT_IMPORTED, None)
    for n, header in enumerate(head.headers):
        # The import names a column by its header: one without a header cannot be named, and of two alike it
        # reads the first.
        if header and header not in head.headers[:n]:
            box.addItem(header, n)
    box.setPlaceholderText("✖ choose a column (required)")
    box.setCurrentIndex(box.findData(index) if index is not None else (-1 if field.required else 0))
    return box
