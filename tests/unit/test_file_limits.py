"""The import file limits and the one sentence that refuses a file beyond them."""

from __future__ import annotations

import pytest

from tamdesk.domain import file_limits as lim
from tamdesk.domain.file_limits import Extent


@pytest.mark.parametrize(
    ("extent", "message"),
    [
        (Extent(500_000, 6), None),
        (Extent(100_000, 50), None),
        (
            Extent(1_048_576, 16_384),
            "the workbook declares 1,048,576 rows × 16,384 columns; tamdesk reads at most 500,000 rows and 200 columns",
        ),
        (
            Extent(10, 201),
            "the workbook declares 10 rows × 201 columns; tamdesk reads at most 500,000 rows and 200 columns",
        ),
        (
            Extent(500_000, 20),
            "the workbook declares 500,000 rows × 20 columns (10,000,000 cells); tamdesk reads at most 5,000,000 cells",
        ),
    ],
)
def test_extent(extent: Extent, message: str | None) -> None:
    assert lim.extent_problem(extent) == message


def test_sizes_and_counts() -> None:
    assert lim.file_size_problem(lim.MAX_FILE_BYTES) is None
    assert lim.file_size_problem(60 * lim.MB) == "the file is 60 MB; tamdesk reads import files of at most 50 MB"
    assert lim.sheet_count_problem(60, lim.MAX_FORM_SHEETS) == (
        "the workbook has 60 sheets; tamdesk reads workbooks of at most 20 sheets"
    )
    assert lim.package_problem(10, 300 * lim.MB) == (
        "the workbook unzips to 300 MB; tamdesk reads workbooks of at most 200 MB unzipped"
    )
    assert lim.package_problem(5_000, 1) is not None
    assert lim.cell_problem(lim.MAX_CELL_CHARS, "row 2, column A") is None
    assert lim.cell_problem(200_000, "row 2, column C") == (
        "row 2, column C holds 200,000 characters; tamdesk reads at most 32,767 in a cell"
    )


@pytest.mark.parametrize(
    ("compressed", "uncompressed", "refused"),
    [(10, 900_000, False), (1_000_000, 50_000_000, False), (40_000, 400_000_000, True)],
)
def test_zip_bomb_ratio(compressed: int, uncompressed: int, refused: bool) -> None:
    assert (lim.part_problem("xl/worksheets/sheet1.xml", compressed, uncompressed) is not None) is refused


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (199, "GR"), (16_383, "XFD")])
def test_column_letters_round_trip(index: int, letters: str) -> None:
    assert lim.column_letter(index) == letters
    assert lim.column_index(letters) == index + 1


def test_table_cells() -> None:
    assert lim.table_problem(250_000, lim.MAX_TABLE_CELLS) is None
    assert lim.table_problem(333_334, 2_000_004) == (
        "the file has more than 2,000,000 cells in the columns this import reads (reached at row 333,334); "
        "split it into smaller files"
    )
