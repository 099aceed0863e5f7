"""The rows of a workbook's sheets as SpreadsheetML, streamed to files and put into the package at the end.

openpyxl lays a workbook out (column widths, panes, tables, charts, conditional formats, validations, print
setup, styles) with no cell in it; the rows are written here, straight to their XML, into a private file per
sheet beside the target. :func:`assemble` then copies openpyxl's package and puts each sheet's rows into its
``<sheetData>``. Writing a cell is one string format: the writer keeps Excel's speed limit, not a library's
objects per cell.

Only what the shared writer needs is written: inline strings (``t="inlineStr"``: text is never a formula and
there is no shared-string table to hold in memory), numbers, dates as serial numbers (their number format makes
them dates), and empty styled cells. Cells carry the style index openpyxl gave their style.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}  # a raw CR would be read back as LF
_NEEDS_ESCAPE = re.compile("[&<>\r]")
_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')
_FLUSH_ROWS = 1000
_COPY_CHUNK = 1 << 22


def escape(text: str) -> str:
    """``text`` as XML character data."""
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    return _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group()], text)


def text_cell(ref: str, style: int, text: str) -> str:
    """An inline-string cell: shown as written, never evaluated. ``text`` is already safe (see ``safe_text``)."""
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def number_cell(ref: str, style: int, number: float) -> str:
    """A numeric cell, written with the 16 significant digits Excel keeps."""
    return f'<c r="{ref}" s="{style}"><v>{number:.16g}</v></c>'


def blank_cell(ref: str, style: int) -> str:
    """An empty cell that shows its style (a border to write in)."""
    return f'<c r="{ref}" s="{style}"/>'


class RowSpool:
    """One sheet's rows, appended in order to a private file and flushed every thousand rows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0  # the number of the last row written (rows may be skipped: a blank line)
        self._file: IO[str] | None = path.open("w", encoding="utf-8", newline="")
        self._pending: list[str] = []

    def add(self, number: int, cells: str, height: float | None = None) -> None:
        """Row ``number`` (1-based, after the last one) with its cells' XML, ``height`` in points if set."""
        if height is None:
            self._pending.append(f'<row r="{number}">{cells}</row>')
        else:
            self._pending.append(f'<row r="{number}" ht="{height:.16g}" customHeight="1">{cells}</row>')
        self.rows = number
        if len(self._pending) >= _FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        assert self._file is not None
        self._file.write("".join(self._pending))
        self._file.flush()
        self._pending.clear()

    def close(self) -> None:
        if self._file is not None:
            self.flush()
            self._file.close()
            self._file = None

    def discard(self) -> None:
        """Close and remove the file (best effort: called on a path that is already failing)."""
        if self._file is not None:
            with suppress(OSError):
                self._file.close()
            self._file = None
        with suppress(OSError):
            os.unlink(self.path)


@dataclass(frozen=True)
class SheetRows:
    """Where a sheet's rows are (its part name in the package, e.g. ``xl/worksheets/sheet2.xml``) and their
    extent, for the sheet's ``<dimension>``."""

    part: str
    spool: RowSpool
    extent: str  # "A1:P1001"


def assemble(layout: bytes, sheets: Sequence[SheetRows], out: Path, check: Callable[[], None]) -> None:
    """Write to ``out`` the package ``layout`` (openpyxl's, with empty sheets) with each sheet's rows put in.

    ``check`` is called between parts and every few megabytes of rows; it raises to stop (a cancelled export).
    """
    by_part = {sheet.part: sheet for sheet in sheets}
    with (
        zipfile.ZipFile(BytesIO(layout)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as package,
    ):
        missing = set(by_part) - set(source.namelist())
        if missing:
            raise ValueError(f"the workbook has no part {sorted(missing)!r}")  # pragma: no cover - a broken layout
        for info in source.infolist():
            check()
            data = source.read(info)
            sheet = by_part.get(info.filename)
            if sheet is None:
                package.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            head, tail = _split_sheet(data, sheet.extent, info.filename)
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.file_size = len(head) + sheet.spool.path.stat().st_size + len(tail)  # zip64 only when needed
            with package.open(entry, "w") as target, sheet.spool.path.open("rb") as rows:
                target.write(head)
                while chunk := rows.read(_COPY_CHUNK):
                    target.write(chunk)
                    check()
                target.write(tail)


def _split_sheet(xml: bytes, extent: str, part: str) -> tuple[bytes, bytes]:
    """The sheet's XML up to its rows (the ``<dimension>`` set to ``extent``) and from the end of its rows."""
    found = _SHEET_DATA.search(xml)
    if found is None:
        raise ValueError(f"{part} has no empty sheetData to fill")  # pragma: no cover - a broken layout
    head = xml[: found.start()] + b"<sheetData>"
    head = _DIMENSION.sub(f'<dimension ref="{extent}"/>'.encode(), head, count=1)
    return head, b"</sheetData>" + xml[found.end() :]
