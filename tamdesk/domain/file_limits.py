"""How big an import file may be, and the one sentence that refuses a file beyond it.

Import files come from outside (support-system exports, access forms returned by customers), so every size a file
declares is checked against these limits before anything is loaded; the readers in ``services`` check the same
limits again on what they actually find. Together they keep any import file, hostile or not, under 500 MB of
memory. Pure rules: no files, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024

MAX_FILE_BYTES = 50 * MB
"""An import file (.csv or .xlsx) as it lies on disk."""
MAX_UNCOMPRESSED_BYTES = 200 * MB
"""All the parts of an .xlsx package once unzipped."""
MAX_ZIP_ENTRIES = 1_000
"""Parts in one .xlsx package (a workbook written by Excel has a few dozen)."""
MAX_COMPRESSION_RATIO = 100
"""Unzipped size over zipped size for one part; spreadsheet XML compresses 10-30 times, a zip bomb thousands."""
RATIO_FLOOR_BYTES = 1 * MB
"""Parts smaller than this unzipped are never a zip bomb, whatever their ratio."""
MAX_SHEETS = 50
"""Sheets in an import workbook."""
MAX_FORM_SHEETS = 20
"""Sheets in a returned access form (the form we send has one)."""
MAX_ROWS = 500_000
"""Rows of one sheet or CSV file, the header row included (an import holds its rows in memory: 1,000,000 short
rows alone cost 500 MB)."""
MAX_COLUMNS = 200
"""Columns of one sheet or CSV file."""
MAX_CELLS = 5_000_000
"""Rows × columns of one sheet or CSV file: 100,000 rows of 50 columns, or 500,000 rows of 10. It bounds the time a
wide sheet takes; memory is bounded by the cells an import keeps (``MAX_TABLE_CELLS``)."""
MAX_TABLE_CELLS = 2_000_000
"""Cells an import keeps in memory (those of the columns it reads): 100,000 rows of 20, or 250,000 tickets of 8."""
MAX_CELL_CHARS = 32_767
"""Characters in one cell: Excel's own limit."""
MAX_SHARED_STRINGS_BYTES = 60 * MB
"""The workbook's table of shared texts, unzipped (every reader loads it whole)."""
MAX_SHARED_STRINGS = 2_000_000
"""Texts in the workbook's table of shared texts."""
MAX_STYLES_BYTES = 10 * MB
"""The workbook's styles part, unzipped: openpyxl builds an object for each of its entries."""
MAX_STYLE_ENTRIES = 70_000
"""Fonts, fills, borders, number formats and cell formats together (Excel itself allows 64,000 cell formats)."""
MAX_TEXT_RUN_BYTES = MAX_CELL_CHARS * 6
"""Bytes of XML text between two tags: a full cell of escaped characters (``&amp;`` is 5 bytes, 4-byte UTF-8)."""


@dataclass(frozen=True)
class Extent:
    """A sheet's size in rows and columns (as declared, or as found)."""

    rows: int
    columns: int

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def _n(value: int) -> str:
    return f"{value:,}"


def _size(value: int) -> str:
    return f"{value / MB:,.0f} MB" if value >= MB else f"{value:,} bytes"


def file_size_problem(size: int) -> str | None:
    """Why a file of ``size`` bytes is not read, or None."""
    if size > MAX_FILE_BYTES:
        return f"the file is {_size(size)}; tamdesk reads import files of at most {_size(MAX_FILE_BYTES)}"
    return None


def extent_problem(extent: Extent, verb: str = "declares", where: str = "the workbook") -> str | None:
    """Why a sheet of this many rows and columns is not read, or None.

    ``verb`` and ``where`` say how the size is known: "the workbook declares", "the sheet 'Data' has".
    """
    if extent.rows > MAX_ROWS or extent.columns > MAX_COLUMNS:
        return (
            f"{where} {verb} {_n(extent.rows)} rows × {_n(extent.columns)} columns; "
            f"tamdesk reads at most {_n(MAX_ROWS)} rows and {_n(MAX_COLUMNS)} columns"
        )
    if extent.cells > MAX_CELLS:
        return (
            f"{where} {verb} {_n(extent.rows)} rows × {_n(extent.columns)} columns ({_n(extent.cells)} cells); "
            f"tamdesk reads at most {_n(MAX_CELLS)} cells"
        )
    return None


def sheet_count_problem(count: int, limit: int = MAX_SHEETS) -> str | None:
    """Why a workbook of ``count`` sheets is not read, or None."""
    if count > limit:
        return f"the workbook has {_n(count)} sheets; tamdesk reads workbooks of at most {_n(limit)} sheets"
    return None


def package_problem(entries: int, uncompressed: int) -> str | None:
    """Why an .xlsx package of ``entries`` parts unzipping to ``uncompressed`` bytes is not read, or None."""
    if entries > MAX_ZIP_ENTRIES:
        return f"the workbook holds {_n(entries)} parts; tamdesk reads workbooks of at most {_n(MAX_ZIP_ENTRIES)}"
    if uncompressed > MAX_UNCOMPRESSED_BYTES:
        return (
            f"the workbook unzips to {_size(uncompressed)}; "
            f"tamdesk reads workbooks of at most {_size(MAX_UNCOMPRESSED_BYTES)} unzipped"
        )
    return None


def part_problem(name: str, compressed: int, uncompressed: int) -> str | None:
    """Why one part of an .xlsx package is not read (it compresses like a zip bomb), or None."""
    if uncompressed > RATIO_FLOOR_BYTES and uncompressed > MAX_COMPRESSION_RATIO * max(compressed, 1):
        ratio = uncompressed // max(compressed, 1)
        return (
            f"its part {name} unzips {_n(ratio)} times larger than it is stored, like a zip bomb; "
            f"tamdesk reads parts that grow at most {MAX_COMPRESSION_RATIO} times"
        )
    if name.lower().endswith("sharedstrings.xml") and uncompressed > MAX_SHARED_STRINGS_BYTES:
        return (
            f"its shared texts unzip to {_size(uncompressed)}; "
            f"tamdesk reads at most {_size(MAX_SHARED_STRINGS_BYTES)} of them"
        )
    return None


def table_problem(rows: int, cells: int) -> str | None:
    """Why ``cells`` kept from ``rows`` rows are more than an import holds, or None."""
    if cells > MAX_TABLE_CELLS:
        return (
            f"the file has more than {_n(MAX_TABLE_CELLS)} cells in the columns this import reads "
            f"(reached at row {_n(rows)}); split it into smaller files"
        )
    return None


def cell_problem(chars: int, where: str) -> str | None:
    """Why a cell of ``chars`` characters at ``where`` ("row 7, column C") is not read, or None."""
    if chars > MAX_CELL_CHARS:
        return f"{where} holds {_n(chars)} characters; tamdesk reads at most {_n(MAX_CELL_CHARS)} in a cell"
    return None


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → A, 27 → AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """The 1-based column number of spreadsheet letters: A → 1, XFD → 16384 (0 for none)."""
    number = 0
    for char in letters.upper():
        number = number * 26 + (ord(char) - 64)
    return number
