"""Reading import files through ``tabular.read_table``: a 100,000-row ticket export as .xlsx and .csv, and files
at the limits (the largest CSV and sheet tamdesk accepts, a workbook claiming every row, a zip bomb).

Run: ``.venv/bin/python benchmarks/bench_import_files.py [--rows N]`` (by hand, not in ``make test``). Each file is
read in its own process so that its peak memory (ru_maxrss) is its own. Targets: a 100,000-row .xlsx in under 5 s;
every file, hostile or not, under 500 MB.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from tamdesk.domain import file_limits as lim

HEADER = ["Ticket", "Customer", "Subject", "Severity", "Status", "Opened", "First response", "Resolved"]


def ticket_rows(count: int) -> list[list[object]]:
    start = datetime(2026, 1, 1, 8)
    return [
        [
            f"T-{100000 + i}",
            f"Customer {i % 250}",
            f"Login fails after SSO change #{i}",
            i % 4 + 1,
            "open" if i % 3 else "solved",
            start + timedelta(minutes=7 * i),
            start + timedelta(minutes=7 * i + 50),
            None if i % 3 else start + timedelta(days=2, minutes=7 * i),
        ]
        for i in range(count)
    ]


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Tickets")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\r\n")
        for row in rows:
            fh.write(",".join("" if v is None else v.isoformat() if isinstance(v, datetime) else str(v) for v in row))
            fh.write("\r\n")


def limit_text_csv(path: Path) -> None:
    """500,000 rows × 4 cells of Polish text: the most cells an import keeps, each a distinct non-ASCII text."""
    columns = lim.MAX_TABLE_CELLS // lim.MAX_ROWS
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(f"C{n}" for n in range(columns)) + "\n")
        for i in range(lim.MAX_ROWS - 1):
            fh.write(",".join(f"{i:06}{n}łódź" for n in range(columns)) + "\n")


def limit_xlsx(path: Path) -> None:
    """A sheet of 100,000 rows × 50 numbers: 5,000,000 cells, the most tamdesk reads (streamed by openpyxl)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Wide")
    sheet.append([f"Column {n}" for n in range(50)])
    for i in range(lim.MAX_CELLS // 50 - 1):
        sheet.append([i, *range(49)])
    book.save(path)


def calamine_limit_xlsx(path: Path) -> None:
    """100,000 rows × 15 distinct texts: 1,500,000 cells, the largest sheet read by calamine."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Wide")
    sheet.append([f"Column {n}" for n in range(15)])
    for i in range(99_999):
        sheet.append([f"row {i} column {n}" for n in range(15)])
    book.save(path)


def claiming_xlsx(path: Path) -> None:
    write_xlsx(path, ["Name"], [["Acme"]])
    claim = b'<dimension ref="A1:XFD1048576"/><sheetData>'
    _rewrite(path, lambda name, data: re.sub(rb"(<dimension[^>]*/>)?<sheetData>", claim, data, count=1))


def bomb_xlsx(path: Path) -> None:
    write_xlsx(path, ["Name"], [["Acme"]])
    filler = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 3_000_000
    _rewrite(path, lambda name, data: data.replace(b"</sheetData>", filler + b"</sheetData>"))


def _rewrite(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name in source.namelist():
            data = source.read(name)
            out.writestr(name, change(name, data) if name.startswith("xl/worksheets/") else data)


def measure(path: Path) -> None:
    """Child process: read one file, print seconds, rows and peak RSS as JSON. The wide sheet is read as an import
    of 8 of its columns would read it."""
    from tamdesk.services.tabular import ImportFailed, ImportField, read_table

    fields = [ImportField(f"Column {n}", True, "") for n in range(8)] if path.name == "limit.xlsx" else []
    started = time.perf_counter()
    try:
        rows: int | str = len(read_table(path, fields).rows)
    except ImportFailed as exc:
        rows = f"refused: {exc}"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 2), "rows": rows, "peak_mb": round(peak)}))


MAKERS = {
    "tickets.xlsx": ("{rows:,}-row tickets .xlsx", lambda p, n: write_xlsx(p, HEADER, ticket_rows(n))),
    "tickets.csv": ("{rows:,}-row tickets .csv", lambda p, n: write_csv(p, HEADER, ticket_rows(n))),
    "text.csv": ("limit: 500,000 × 4 texts CSV", lambda p, n: limit_text_csv(p)),
    "calamine.xlsx": ("limit: 100,000 × 15 texts .xlsx", lambda p, n: calamine_limit_xlsx(p)),
    "limit.xlsx": ("limit: 100,000 × 50 .xlsx, 8 read", lambda p, n: limit_xlsx(p)),
    "claims.xlsx": ("hostile: claims A1:XFD1048576", lambda p, n: claiming_xlsx(p)),
    "bomb.xlsx": ("hostile: zip bomb", lambda p, n: bomb_xlsx(p)),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--make", type=Path)
    parser.add_argument("--measure", type=Path)
    args = parser.parse_args()
    if args.make:
        MAKERS[args.make.name][1](args.make, args.rows)
        return
    if args.measure:
        measure(args.measure)
        return
    # Linux keeps a process's peak RSS across exec: files are made in children too, so the parent stays small
    with tempfile.TemporaryDirectory() as folder:
        for name, (label, _) in MAKERS.items():
            path = Path(folder) / name
            run = [sys.executable, __file__, "--rows", str(args.rows)]
            subprocess.run([*run, "--make", str(path)], check=True)
            out = subprocess.run([*run, "--measure", str(path)], capture_output=True, text=True, check=True)
            result = json.loads(out.stdout)
            size = path.stat().st_size / lim.MB
            print(
                f"{label.format(rows=args.rows):34} {size:6.1f} MB {result['seconds']:6.2f} s  "
                f"peak {result['peak_mb']:4} MB  {str(result['rows'])[:100]}"
            )


if __name__ == "__main__":
    main()
