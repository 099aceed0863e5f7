"""Reading import files: limits before memory, CSV read as CSV, one sentence (never a traceback) for a bad file.

Hostile files are generated here, small: a 13 KB workbook claiming a million rows, a zip bomb, a 60-sheet form.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest

from tamdesk.models import tables as t
from tamdesk.services.access_form import read_access_form
from tamdesk.services.base import Context
from tamdesk.services.customer_import import import_customers
from tamdesk.services.tabular import ImportFailed, ImportField, preview_rows, read_headers, read_table

SHEET = "xl/worksheets/sheet1.xml"


def book(path: Path, rows: list[list[object]], *sheets: str) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = sheets[0] if sheets else "Sheet"
    for row in rows:
        wb.active.append(row)
    for name in sheets[1:]:
        wb.create_sheet(name).append(["Other"])
    wb.save(path)
    return path


def patched(path: Path, part: str, change: Callable[[bytes], bytes], drop: str = "") -> Path:
    """The workbook at ``path`` rewritten with ``part`` changed (or ``drop`` left out)."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename == drop:
                continue
            data = source.read(info.filename)
            out.writestr(info.filename, change(data) if info.filename == part else data)
    return path


def customers_xlsx(path: Path) -> Path:
    return book(path, [["Name", "TAM"], ["Acme", "Ann Ross"]])


def refused(ctx: Context, path: Path) -> str:
    with pytest.raises(ImportFailed) as info:
        import_customers(ctx, path)
    assert t.Customer.select().count() == 0
    message = str(info.value)
    assert message.startswith(f"{path.name}: nothing was imported. ")
    assert "\n" not in message and "Traceback" not in message
    return message.split("nothing was imported. ", 1)[1]


# -- limits before memory ---------------------------------------------------------------------------------------


def test_a_13_kb_workbook_claiming_every_row_is_refused_before_loading(
    db_path: Path, ctx: Context, tmp_path: Path
) -> None:
    path = patched(
        customers_xlsx(tmp_path / "acme.xlsx"),
        SHEET,
        lambda x: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', x),
    )
    assert path.stat().st_size < 13_000
    assert refused(ctx, path) == (
        "The sheet 'Sheet' declares 1,048,576 rows × 16,384 columns; "
        "tamdesk reads at most 500,000 rows and 200 columns."
    )


def test_a_cell_beyond_the_declared_dimension_is_found(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    path = patched(customers_xlsx(tmp_path / "far.xlsx"), SHEET, lambda x: x.replace(b"</sheetData>", far))
    assert refused(ctx, path) == (
        "The sheet 'Sheet' has cells as far as 1,048,576 rows × 16,384 columns; "
        "tamdesk reads at most 500,000 rows and 200 columns."
    )


def test_cells_without_addresses_are_counted_too(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    wide = b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * 250 + b"</row></sheetData>"
    path = patched(customers_xlsx(tmp_path / "wide.xlsx"), SHEET, lambda x: x.replace(b"</sheetData>", wide))
    assert "250 columns; tamdesk reads at most 500,000 rows and 200 columns" in refused(ctx, path)


def test_a_zip_bomb_is_refused_from_its_ratio(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    filler = b"<row/>" * (60 * 1024 * 1024 // 6)
    path = patched(
        customers_xlsx(tmp_path / "bomb.xlsx"), SHEET, lambda x: x.replace(b"</sheetData>", filler + b"</sheetData>")
    )
    assert path.stat().st_size < 4 * 1024 * 1024
    assert re.fullmatch(
        r"Its part xl/worksheets/sheet1\.xml unzips [\d,]+ times larger than it is stored, like a zip bomb; "
        r"tamdesk reads parts that grow at most 100 times\.",
        refused(ctx, path),
    )


def _lie_about_size(path: Path, part: str, size: int) -> Path:
    """Make the zip declare ``size`` bytes (and their checksum) for ``part``, which really inflates to more."""
    data = bytearray(path.read_bytes())
    real = zipfile.ZipFile(io.BytesIO(bytes(data))).read(part)
    crc = zlib.crc32(real[:size])
    name = part.encode()
    for signature, crc_at, size_at in ((b"PK\x01\x02", 16, 24), (b"PK\x03\x04", 14, 22)):
        at = data.find(signature)
        while at != -1:
            name_at = at + (46 if signature == b"PK\x01\x02" else 30)
            if data[name_at : name_at + len(name)] == name:
                struct.pack_into("<I", data, at + crc_at, crc)
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def test_a_part_that_unzips_to_more_than_it_declares_is_refused(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    path = _lie_about_size(customers_xlsx(tmp_path / "liar.xlsx"), SHEET, 200)
    assert refused(ctx, path) == "The workbook is damaged (xl/worksheets/sheet1.xml unzips to more than it declares)."


def test_one_huge_cell_is_refused(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    path = book(tmp_path / "cell.xlsx", [["Name", "TAM"], ["Acme", "Ann"]])
    big = b"x" * 300_000
    path = patched(path, SHEET, lambda x: x.replace(b"<t>Ann</t>", b"<t>" + big + b"</t>"))
    assert refused(ctx, path) == (
        "The sheet 'Sheet' holds a text of more than 196,602 bytes; tamdesk reads at most 32,767 characters in a cell."
    )


def test_a_cell_over_excels_limit_names_row_and_column(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    path = book(tmp_path / "long.xlsx", [["Name", "TAM"], ["Acme", "Ann"]])
    path = patched(path, SHEET, lambda x: x.replace(b"<t>Ann</t>", b"<t>" + b"ab" * 20_000 + b"</t>"))
    assert refused(ctx, path) == "Row 2, column B holds 40,000 characters; tamdesk reads at most 32,767 in a cell."


def test_a_workbook_hiding_a_quarter_million_styles_is_refused(tmp_path: Path) -> None:
    """openpyxl builds an object per style: 250,000 cost it 500 MB (the zip bomb check alone does not catch them
    when they are stored uncompressed or varied enough)."""
    path = customers_xlsx(tmp_path / "styles.xlsx")
    patched(path, "xl/styles.xml", lambda x: re.sub(rb'<cellXfs count="\d+">', b"<cellXfs>" + b"<xf/>" * 250_000, x))
    stored = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:
        for info in stored.infolist():
            out.writestr(info.filename, stored.read(info.filename))
    with pytest.raises(ImportFailed, match=r"It defines 250,00\d styles; tamdesk reads workbooks of at most 70,000"):
        read_access_form(path)
    with pytest.raises(ImportFailed, match=r"It defines 250,00\d styles"):
        read_headers(path)


def test_an_access_form_of_60_sheets_is_refused_before_loading(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["Full name", "Email"])
    for n in range(59):
        wb.create_sheet(f"S{n}")
    wb.save(tmp_path / "form.xlsx")
    assert (tmp_path / "form.xlsx").stat().st_size < 64_000
    with pytest.raises(ImportFailed, match=r"The workbook has 60 sheets; tamdesk reads workbooks of at most 20 sheets"):
        read_access_form(tmp_path / "form.xlsx")


def test_an_access_form_is_checked_like_any_workbook(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["Full name", "Email"])
    wb.active.append(["Ana Lima", "ana@acme.com"])
    wb.save(tmp_path / "form.xlsx")
    assert [r.data.email for r in read_access_form(tmp_path / "form.xlsx")] == ["ana@acme.com"]
    patched(tmp_path / "form.xlsx", SHEET, lambda x: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD9"', x))
    with pytest.raises(ImportFailed, match="declares 9 rows × 16,384 columns"):
        read_access_form(tmp_path / "form.xlsx")


# -- damaged or wrong files: one sentence ------------------------------------------------------------------------


def _damaged(kind: str, path: Path) -> Path:
    base = customers_xlsx(path)
    if kind == "bad xml":
        return patched(base, "xl/workbook.xml", lambda x: x[: len(x) // 2])
    if kind == "no workbook.xml":
        return patched(base, "", lambda x: x, drop="xl/workbook.xml")
    if kind == "wrong content types":
        return patched(base, "[Content_Types].xml", lambda x: x.replace(b"sheet.main+xml", b"document+xml"))
    if kind == "no content types":
        return patched(base, "", lambda x: x, drop="[Content_Types].xml")
    if kind == "bad sheet xml":
        return patched(base, SHEET, lambda x: x.replace(b"</sheetData>", b"<row><c r='A3'><v>1</c></sheetData>"))
    if kind == "truncated zip":
        path.write_bytes(base.read_bytes()[:-300])
        return path
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("bad xml", r"The workbook is damaged \(xl/workbook\.xml: .*\)\."),
        ("no workbook.xml", r"It is not an Excel workbook \(its content types name no spreadsheet\)\."),
        ("wrong content types", r"It is not an Excel workbook \(its content types name no spreadsheet\)\."),
        ("no content types", r"It is not an Excel workbook \(the zip has no \[Content_Types\]\.xml\)\."),
        ("bad sheet xml", r"The workbook is damaged \(.*\)\."),
        ("truncated zip", r"The workbook is damaged \(its zip is cut short or broken\)\."),
    ],
)
def test_damaged_workbooks(db_path: Path, ctx: Context, tmp_path: Path, kind: str, message: str) -> None:
    assert re.fullmatch(message, refused(ctx, _damaged(kind, tmp_path / "broken.xlsx")))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(range(256)) * 20, r"Line 1 holds NUL characters: it is not a text file .*"),
        (b"Name,TAM\nAc\x00me,Ann\n", r"Line 2 holds NUL characters: it is not a text file \(perhaps binary data\)\."),
        (b"Name,TAM\n", r"The file has a header row but no rows: there is nothing to import\."),
        (b"\n\n", r"The file is empty\."),
    ],
)
def test_bad_csv_files(db_path: Path, ctx: Context, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(content)
    assert re.fullmatch(message, refused(ctx, path))


def test_a_folder_and_a_pipe_are_not_files(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    (tmp_path / "folder.csv").mkdir()
    assert refused(ctx, tmp_path / "folder.csv") == f"{tmp_path / 'folder.csv'} is a folder, not a file."
    os.mkfifo(tmp_path / "pipe.csv")
    assert refused(ctx, tmp_path / "pipe.csv").startswith(f"{tmp_path / 'pipe.csv'} is not a regular file")


def test_an_access_form_that_is_a_folder_or_a_pipe(tmp_path: Path) -> None:
    (tmp_path / "form.xlsx").mkdir()
    with pytest.raises(
        ImportFailed, match=r"form\.xlsx: nothing was imported\. .*form\.xlsx is a folder, not a file\."
    ):
        read_access_form(tmp_path / "form.xlsx")
    os.mkfifo(tmp_path / "pipe.xlsx")
    with pytest.raises(ImportFailed, match=r"pipe\.xlsx is not a regular file \(a pipe or a device\)"):
        read_access_form(tmp_path / "pipe.xlsx")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_file_we_may_not_read(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "secret.csv"
    path.write_text("Name\nAcme\n")
    path.chmod(0)
    assert refused(ctx, path) == f"Cannot read {path}: Permission denied."


def test_a_file_the_system_will_not_open(
    db_path: Path, ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root (CI) chmod does not stop a read: the refusal of the operating system is simulated instead."""
    path = tmp_path / "secret.csv"
    path.write_text("Name\nAcme\n")
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", refuse)
    assert refused(ctx, path) == f"Cannot read {path}: Permission denied."


def test_an_oversized_file_is_refused_unread(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.write(b"Name\n")
        fh.truncate(51 * 1024 * 1024)  # sparse: costs no disk
    assert refused(ctx, path) == "The file is 51 MB; tamdesk reads import files of at most 50 MB."


# -- CSV read as CSV -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\v", "\f", "\x85", "\x1c", "\u2028"])
def test_line_breaks_str_splitlines_knows_stay_inside_a_field(tmp_path: Path, char: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(f"Name,TAM\nAc{char}me,Ann\nGlobex,Bo\n", encoding="utf-8", newline="")
    assert [row["name"] for _, row in read_table(path).rows] == [f"Ac{char}me", "Globex"]


def test_a_quoted_line_break_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b'Name,Notes\r\nAcme,"two\r\nlines"\r\nGlobex,one\r\n')
    assert [(line, row["notes"]) for line, row in read_table(path).rows] == [(2, "two\r\nlines"), (3, "one")]


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        ("Name\tTAM\r\nÅsa AB\tŁukasz\r\n".encode("utf-16"), None),  # Excel's "Unicode text": UTF-16, BOM, tabs
        (b"\xfe\xff" + "Name;TAM\nÅsa AB;Łukasz\n".encode("utf-16-be"), None),
        (b"\xef\xbb\xbf" + "Name,TAM\nÅsa AB,Łukasz\n".encode(), None),
        ("Name,TAM\nÅsa AB,Łukasz\n".encode(), None),
        ("Name,TAM\nÅsa AB,Łukasz\n".encode("utf-16-le"), "utf-16-le"),
        ("Name,TAM\nÅsa AB,Łukasz\n".encode("utf-16-le"), None),  # no BOM: half the bytes are NUL
        ("Name,TAM\nÅsa AB,Łukasz\n".encode("utf-16-be"), None),
        ("Name,TAM\nÅsa AB,Łukasz\n".encode("utf-16-be"), "UTF-16BE"),
    ],
)
def test_encodings(tmp_path: Path, data: bytes, declared: str | None) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(data)
    assert read_table(path, encoding=declared).rows == ((2, {"name": "Åsa AB", "tam": "Łukasz"}),)


def test_cp1252_when_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("Name;TAM\nÅsa AB;Zoë\n".encode("cp1252"))
    assert read_table(path).rows == ((2, {"name": "Åsa AB", "tam": "Zoë"}),)


def test_a_wrong_declared_encoding_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("Name\nÅsa\n".encode("cp1252"))
    with pytest.raises(ImportFailed, match=r"c\.csv: nothing was imported\. The file is not utf-8 text \(byte 5 "):
        read_table(path, encoding="utf-8")
    for name in ("klingon", "base64"):
        with pytest.raises(ImportFailed, match=f"'{name}' is not a text encoding tamdesk knows"):
            read_table(path, encoding=name)


def test_a_field_over_csvs_own_limit_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Name,Notes\nAcme,ok\nGlobex," + "x" * 140_000 + "\n")
    with pytest.raises(ImportFailed) as info:
        read_table(path)
    assert info.value.problems == ["row 3, column B holds 140,000 characters; tamdesk reads at most 32,767 in a cell"]


def test_a_full_cell_is_read(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Name,Notes\nAcme," + "x" * 32_767 + "\n")
    assert len(read_table(path).rows[0][1]["notes"]) == 32_767


def test_the_cells_an_import_keeps_are_limited(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("A,B,C,D,E,F,G,H,I,J\n" + "1,2,3,4,5,6,7,8,9,0\n" * 200_001)
    with pytest.raises(ImportFailed) as info:
        read_table(path)  # every column kept: 2,000,010 cells
    assert info.value.problems == [
        "the file has more than 2,000,000 cells in the columns this import reads (reached at row 200,002); "
        "split it into smaller files"
    ]
    fields = (ImportField("A", True, ""), ImportField("B", False, ""))
    assert len(read_table(path, fields).rows) == 200_001  # two columns kept: 400,002 cells


def test_too_many_columns(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Name\n" + ",".join("x" * 201) + "\n")
    with pytest.raises(ImportFailed, match="Row 2 has 201 columns; tamdesk reads at most 200 columns"):
        read_table(path)


@pytest.mark.parametrize(
    ("header", "fields", "problem"),
    [
        (
            "Name,Email,TAM,email",
            (),
            "the columns 'Email' (column B) and 'email' (column D) have the same name; rename one",
        ),
        (
            "Ticket,At,Event,E-vent",
            (),
            "the columns 'Event' (column C) and 'E-vent' (column D) have the same name; rename one",
        ),
        ("Ticket,At,Event,Tag,Tag", None, ""),  # an import that does not read 'Tag' does not mind it twice
        ("Ticket,At,Event,At", None, "the columns 'At' (column B) and 'At' (column D) have the same name; rename one"),
    ],
)
def test_duplicate_headers(tmp_path: Path, header: str, fields: tuple[()] | None, problem: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(f"{header}\n" + ",".join(["T-1", "2026-01-01", "response", "x", "y"][: header.count(",") + 1]))
    reads = (
        ()
        if fields == ()
        else (ImportField("Ticket", True, ""), ImportField("At", True, ""), ImportField("Event", True, ""))
    )
    if not problem:
        assert len(read_table(path, reads).rows) == 1
        return
    with pytest.raises(ImportFailed) as info:
        read_table(path, reads)
    assert info.value.problems == [problem]


@pytest.mark.parametrize(("text", "delimiter"), [("a,b;c", ","), ("a;b;c,d", ";"), ("a\tb\tc", "\t"), ("Name", ",")])
def test_the_delimiter_is_the_headers_commonest(tmp_path: Path, text: str, delimiter: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(f"{text}\n{text}\n")
    assert read_headers(path) == text.split(delimiter)


# -- values, sheets, headers and previews ------------------------------------------------------------------------


def test_calamine_values_match_openpyxl(tmp_path: Path) -> None:
    """A big sheet is read by calamine, a small form by openpyxl: the import must not see the difference."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B3"], ws["C3"], ws["D3"] = "Ticket", "Opened", "Count"
    ws["B4"], ws["C4"], ws["D4"] = 5, date(2025, 3, 1), 2.5
    ws["B5"], ws["C5"], ws["D5"] = 10**15, datetime(2025, 3, 1, 10, 30), True
    ws["B6"], ws["C6"], ws["D6"] = "x", time(10, 30), timedelta(hours=5)
    wb.save(tmp_path / "v.xlsx")
    expected = openpyxl.load_workbook(tmp_path / "v.xlsx", read_only=True, data_only=True).worksheets[0]
    want = [
        (line, {"ticket": r[1], "opened": r[2], "count": r[3]})
        for line, r in enumerate(expected.iter_rows(values_only=True), start=1)
        if line > 3
    ]
    assert list(read_table(tmp_path / "v.xlsx").rows) == want
    assert want[0][1] == {"ticket": 5, "opened": datetime(2025, 3, 1), "count": 2.5}


def test_accept_header_chooses_the_sheet(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Summary"
    wb.active.append(["Report of", "March"])
    data = wb.create_sheet("Data")
    data.append(["Ticket", "At", "Event"])
    data.append(["T-1", "2026-01-01", "response"])
    wb.save(path)
    fields = (ImportField("Ticket", True, ""), ImportField("At", True, ""), ImportField("Event", True, ""))
    table = read_table(path, fields, accept_header=lambda h: "Ticket" in h)
    assert table.rows == ((2, {"ticket": "T-1", "at": "2026-01-01", "event": "response"}),)
    with pytest.raises(ImportFailed) as info:
        read_table(path, fields, accept_header=lambda h: "Nope" in h)
    assert info.value.problems == ["none of the sheets 'Summary', 'Data' has the columns 'Ticket', 'At', 'Event'"]
    with pytest.raises(ImportFailed, match="The file has no column 'Ticket'"):
        read_table(path, fields)  # without a chooser the first sheet is read, as before


def test_headers_and_preview(tmp_path: Path) -> None:
    path = book(tmp_path / "t.xlsx", [[None], ["Ticket", "Subject"], ["T-1", "A"], [], ["T-2", "B"], ["T-3", "C"]])
    assert read_headers(path) == ["Ticket", "Subject"]
    assert preview_rows(path, 2) == [(2, ["Ticket", "Subject"]), (3, ["T-1", "A"]), (5, ["T-2", "B"])]
    csv = tmp_path / "t.csv"
    csv.write_bytes("Ticket;Subject\r\nT-1;Ä\r\n".encode("utf-16"))
    assert read_headers(csv) == ["Ticket", "Subject"]
    assert preview_rows(csv, 5) == [(1, ["Ticket", "Subject"]), (2, ["T-1", "Ä"])]
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    assert preview_rows(empty, 5) == []
    with pytest.raises(ImportFailed, match="The file is empty"):
        read_headers(empty)


def test_a_support_system_export_is_held_to_the_same_limits(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    """The ticket import reads .xlsx exports with its own sheet and title-row search; the limits come first."""
    from tamdesk.services.ticket_import import import_tickets

    header = ["Case Number", "Subject", "Priority", "Status", "Account Name", "Date/Time Opened"]
    path = patched(
        book(tmp_path / "cases.xlsx", [header, ["00001001", "Down", "High", "New", "Acme", "3/2/2026 9:15 AM"]]),
        SHEET,
        lambda x: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', x),
    )
    with pytest.raises(ImportFailed, match="declares 1,048,576 rows × 16,384 columns"):
        import_tickets(ctx, path)
    assert t.Ticket.select().count() == 0


def test_an_export_whose_sheet_xml_is_ill_formed_is_one_sentence(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    """Found by the fuzz test: a sheet that passes the limits but whose XML calamine cannot parse."""
    from tamdesk.services.ticket_import import import_tickets

    header = ["Case Number", "Subject", "Priority", "Status", "Account Name", "Date/Time Opened"]
    path = patched(
        book(tmp_path / "cases.xlsx", [header, ["00001001", "Down", "High", "New", "Acme", "3/2/2026 9:15 AM"]]),
        SHEET,
        lambda x: x.replace(b"</worksheet>", b"</row></worksheet>"),  # passes the limits, is no XML
    )
    with pytest.raises(ImportFailed, match=r"Cannot read cases\.xlsx: the workbook is damaged \(ill-formed") as info:
        import_tickets(ctx, path)
    assert "\n" not in str(info.value)
    assert t.Ticket.select().count() == 0
