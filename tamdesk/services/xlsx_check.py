"""Checking an .xlsx package before any spreadsheet library loads it: limits first, memory after.

A workbook is a zip of XML parts, and every size in it can lie: the zip's declared sizes, a sheet's ``<dimension>``,
the cells' own addresses. ``check_package`` refuses what the declarations already give away (too many parts or
sheets, a zip bomb, a sheet declaring a million columns) from the zip directory and two small XML parts;
``scan_sheet`` then inflates a sheet itself, checking that it unzips to exactly its declared size and finding the
sheet's real extent and longest text, without keeping anything. Only then is a sheet handed to calamine or openpyxl.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from tamdesk.domain import file_limits as lim
from tamdesk.domain.file_limits import Extent

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORKBOOK_TYPES = ("spreadsheetml.sheet.main+xml", "sheet.macroEnabled.main+xml", "spreadsheetml.template.main+xml")
_CHUNK = 1 << 20
_SMALL_PART = 4 * lim.MB  # workbook.xml, rels and content types are a few KB; read whole, never more than this


class FileRefused(Exception):
    """A file is not read; the message is one sentence without the file name."""


@dataclass(frozen=True)
class SheetPart:
    """A sheet as the workbook lists it: its name and the zip part holding its cells."""

    name: str
    part: str


@dataclass(frozen=True)
class Package:
    """A checked workbook: its sheets in order."""

    sheets: tuple[SheetPart, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sheets)


def check_package(path: Path, max_sheets: int = lim.MAX_SHEETS) -> Package:
    """Check the zip directory, content types, sheet list and each sheet's declared dimension.

    Raises:
        FileRefused: not a workbook, damaged, or beyond a limit of ``file_limits``.
    """
    size_problem = lim.file_size_problem(path.stat().st_size)
    if size_problem:
        raise FileRefused(size_problem)
    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise FileRefused("it is password-protected or an old .xls workbook; save it as a plain .xlsx")
        if head.startswith(b"PK\x03\x04"):
            raise FileRefused("the workbook is damaged (its zip is cut short or broken)")
        raise FileRefused("it is not an Excel workbook (perhaps a CSV file renamed .xlsx)")
    try:
        with zipfile.ZipFile(path) as zf:
            return _check_open_package(zf, max_sheets)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise FileRefused(f"the workbook is damaged ({_short(exc)})") from None


def _check_open_package(zf: zipfile.ZipFile, max_sheets: int) -> Package:
    infos = zf.infolist()
    names = [i.filename for i in infos]
    problem = lim.package_problem(len(infos), sum(i.file_size for i in infos))
    if problem:
        raise FileRefused(problem)
    if len(set(names)) != len(names):
        raise FileRefused("the workbook is damaged (a part appears twice in the zip)")
    for info in infos:
        if info.flag_bits & 0x1:
            raise FileRefused("it is encrypted; save it as a plain .xlsx without a password")
        problem = lim.part_problem(info.filename, info.compress_size, info.file_size)
        if problem:
            raise FileRefused(problem)
    workbook = _workbook_part(zf)
    root = _parse(zf, workbook)
    sheets = root.findall(f"{{{_MAIN_NS}}}sheets/{{{_MAIN_NS}}}sheet")
    problem = lim.sheet_count_problem(len(sheets), max_sheets)
    if problem:
        raise FileRefused(problem)
    if not sheets:
        raise FileRefused("the workbook has no sheets")
    targets = _relationships(zf, workbook)
    parts = []
    for sheet in sheets:
        name = sheet.get("name") or "?"
        part = targets.get(sheet.get(f"{{{_REL_NS}}}id") or "")
        if part is None or part not in zf.NameToInfo:
            raise FileRefused(f"the workbook is damaged (the sheet {name!r} has no cells part)")
        parts.append(SheetPart(name, part))
    _check_texts(zf)
    _check_styles(zf)
    for sheet in parts:
        declared = _declared_extent(zf, sheet.part)
        if declared is not None:
            problem = lim.extent_problem(declared, "declares", f"the sheet {sheet.name!r}")
            if problem:
                raise FileRefused(problem)
    return Package(tuple(parts))


def _workbook_part(zf: zipfile.ZipFile) -> str:
    if "[Content_Types].xml" not in zf.NameToInfo:
        raise FileRefused("it is not an Excel workbook (the zip has no [Content_Types].xml)")
    types = _parse(zf, "[Content_Types].xml")
    for override in types:
        if str(override.get("ContentType", "")).endswith(_WORKBOOK_TYPES):
            part = str(override.get("PartName", "")).lstrip("/")
            if part in zf.NameToInfo:
                return part
    raise FileRefused("it is not an Excel workbook (its content types name no spreadsheet)")


def _relationships(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id → part name, for the relationships of ``part``."""
    where = PurePosixPath(part)
    rels = str(where.parent / "_rels" / f"{where.name}.rels")
    if rels not in zf.NameToInfo:
        raise FileRefused(f"the workbook is damaged (it has no {rels})")
    targets = {}
    for rel in _parse(zf, rels).iter(f"{{{_PKG_REL_NS}}}Relationship"):
        target = str(rel.get("Target", ""))
        resolved = target.lstrip("/") if target.startswith("/") else _normalize(where.parent / target)
        targets[str(rel.get("Id", ""))] = resolved
    return targets


def _normalize(path: PurePosixPath) -> str:
    parts: list[str] = []
    for piece in path.parts:
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in (".", ""):
            parts.append(piece)
    return "/".join(parts)


def _parse(zf: zipfile.ZipFile, part: str) -> etree._Element:
    """A small XML part, parsed without entities, DTDs or network."""
    info = zf.getinfo(part)
    if info.file_size > _SMALL_PART:
        raise FileRefused(f"the workbook is damaged ({part} is {info.file_size:,} bytes)")
    data = b"".join(inflate(zf, info))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FileRefused(f"the workbook is damaged ({part}: {_short(exc)})") from None


_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\sref\s*=\s*[\"']([^\"']*)[\"']")
_REF = re.compile(r"\$?([A-Za-z]{0,3})\$?(\d{0,7})$")


def _declared_extent(zf: zipfile.ZipFile, part: str) -> Extent | None:
    """The rows × columns a sheet's ``<dimension>`` claims (it sits before the cells), or None."""
    head = b""
    for chunk in inflate(zf, zf.getinfo(part)):
        head += chunk
        if b"sheetData" in head or len(head) > 64 * 1024:
            break
    found = _DIMENSION.search(head)
    if found is None:
        return None
    last = found.group(1).decode("ascii", "replace").split(":")[-1]
    ref = _REF.match(last)
    if ref is None:
        return None
    return Extent(int(ref.group(2) or 0), lim.column_index(ref.group(1)))


def inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The bytes of one part, inflated here (not by zipfile) so a part that unzips to more or less than its
    declared size, or whose compressed stream does not end where the zip says, is refused: every reader then
    sees the same bytes, and never more than ``file_limits`` allow.

    Raises:
        FileRefused: damaged part or unknown compression.
    """
    fp = zf.fp
    if fp is None:
        raise FileRefused("the workbook is damaged (closed)")
    fp.seek(info.header_offset)
    header = fp.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise FileRefused(f"the workbook is damaged ({info.filename} has no local header)")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    left = info.compress_size
    produced = 0
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise FileRefused(f"the workbook is damaged ({info.filename} has two sizes)")
        decompressor = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        decompressor = zlib.decompressobj(-15)
    else:
        raise FileRefused(f"{info.filename} uses a compression Excel does not write")
    crc = 0
    pending = b""
    while left or pending:
        if not pending:
            pending = fp.read(min(_CHUNK, left))
            if not pending:
                raise FileRefused(f"the workbook is damaged ({info.filename} is cut short)")
            left -= len(pending)
        if decompressor is None:
            out, pending = pending, b""
        else:
            try:
                out = decompressor.decompress(pending, _CHUNK)
            except zlib.error:
                raise FileRefused(f"the workbook is damaged ({info.filename} cannot be unzipped)") from None
            pending = decompressor.unconsumed_tail
        produced += len(out)
        if produced > info.file_size:
            raise FileRefused(f"the workbook is damaged ({info.filename} unzips to more than it declares)")
        crc = zlib.crc32(out, crc)
        if out:
            yield out
    if decompressor is not None:
        try:
            tail = decompressor.flush()
        except zlib.error:
            raise FileRefused(f"the workbook is damaged ({info.filename} cannot be unzipped)") from None
        produced += len(tail)
        crc = zlib.crc32(tail, crc)
        if tail:
            yield tail
        if not decompressor.eof or decompressor.unused_data:
            raise FileRefused(f"the workbook is damaged ({info.filename} does not end where it should)")
    if produced != info.file_size or crc != info.CRC:
        raise FileRefused(f"the workbook is damaged ({info.filename} does not match its checksum)")


# The start tag of a row or a cell, and the r="B7" address it may carry. A cell without an address follows the one
# before it, a row without one follows the row before it: calamine and openpyxl read them so.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_ADDRESS = re.compile(rb"\sr\s*=\s*[\"']\$?([A-Za-z]*)\$?(\d*)[\"']")


@dataclass
class _Scan:
    rows: int = 0
    columns: int = 0
    row: int = 0
    column: int = 0
    longest_text: int = 0


def scan_sheet(path: Path, sheet: SheetPart) -> Extent:
    """The real extent of a sheet (its last row and column holding a cell), found by inflating it.

    Raises:
        FileRefused: the sheet is damaged, holds a cell beyond ``file_limits``, or a text longer than a cell.
    """
    where = f"the sheet {sheet.name!r}"
    try:
        with zipfile.ZipFile(path) as zf:
            scan = _Scan()
            tail = b""
            for chunk in inflate(zf, zf.getinfo(sheet.part)):
                data = tail + chunk
                cut = data.rfind(b"<")
                if cut <= 0:  # no tag ends in this chunk: a text (or a tag) longer than any cell
                    _longest_text(data, scan, where)
                    tail = data
                    continue
                data, tail = data[:cut], data[cut:]
                _scan_tags(data, scan, where)
                _longest_text(data, scan, where)
            _scan_tags(tail, scan, where)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise FileRefused(f"the workbook is damaged ({_short(exc)})") from None
    return Extent(scan.rows, scan.columns)


# What Excel, openpyxl and most writers write: unprefixed tags, the address first, in capitals.
_PLAIN_CELL_COLUMNS = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_PLAIN_CELL_ROWS = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,9})"')
_PLAIN_ROWS = re.compile(rb'<row r="([0-9]{1,9})"')
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|row)[\s/>]")
_ANY_CELL = re.compile(rb"<c[\s/>]")
_ANY_ROW = re.compile(rb"<row[\s/>]")


def _scan_tags(data: bytes, scan: _Scan, where: str) -> None:
    if not _scan_plain(data, scan):
        _scan_each_tag(data, scan)
    if scan.rows > lim.MAX_ROWS or scan.columns > lim.MAX_COLUMNS:
        extent = Extent(scan.rows, scan.columns)
        raise FileRefused(lim.extent_problem(extent, "has cells as far as", where) or f"{where} is too large")
    problem = lim.extent_problem(Extent(scan.rows, scan.columns), "spans", where)
    if problem:
        raise FileRefused(problem)


def _scan_plain(data: bytes, scan: _Scan) -> bool:
    """The extent at C speed, when every cell and row tag of ``data`` is written plainly; False when one is not."""
    cells = len(_ANY_CELL.findall(data))
    rows = len(_ANY_ROW.findall(data))
    columns = _PLAIN_CELL_COLUMNS.findall(data)
    cell_rows = _PLAIN_CELL_ROWS.findall(data)
    row_numbers = _PLAIN_ROWS.findall(data)
    if len(columns) != cells or len(cell_rows) != cells or len(row_numbers) != rows or _PREFIXED.search(data):
        return False
    if columns:
        scan.columns = max(scan.columns, max(lim.column_index(x.decode("ascii")) for x in set(columns)))
    numbers = set(cell_rows) | set(row_numbers)
    if numbers:
        scan.rows = max(scan.rows, max(map(int, numbers)))
    last = row_numbers[-1:] or cell_rows[-1:]
    if last:
        scan.row = int(last[0])
    return True


def _scan_each_tag(data: bytes, scan: _Scan) -> None:
    """Tag by tag, for sheets whose cells or rows leave out their address and follow the one before."""
    for match in _TAG.finditer(data):
        address = _ADDRESS.search(match.group(2))
        if match.group(1) == b"row":
            scan.row = int(address.group(2)) if address and address.group(2) else scan.row + 1
            scan.column = 0
            scan.rows = max(scan.rows, scan.row)
        else:
            letters = address.group(1) if address else b""
            scan.column = lim.column_index(letters.decode("ascii")) if letters else scan.column + 1
            if address and address.group(2):
                scan.row = int(address.group(2))
                scan.rows = max(scan.rows, scan.row)
            scan.columns = max(scan.columns, scan.column)


def _longest_text(data: bytes, scan: _Scan, where: str) -> None:
    """Refuse a stretch of text between two tags longer than any cell can hold.

    Such a stretch covers a whole aligned window of half its length, so looking for a '<' in each window (a few
    ``find`` calls a megabyte, each stopping at the first '<') finds every candidate; only those are measured.
    """
    window = lim.MAX_TEXT_RUN_BYTES // 2
    for start in range(0, len(data), window):
        if data.find(b"<", start, start + window) != -1:
            continue
        begin = data.rfind(b"<", 0, start) + 1
        end = data.find(b"<", start + window)
        if (len(data) if end == -1 else end) - begin > lim.MAX_TEXT_RUN_BYTES:
            raise FileRefused(
                f"{where} holds a text of more than {lim.MAX_TEXT_RUN_BYTES:,} bytes; "
                f"tamdesk reads at most {lim.MAX_CELL_CHARS:,} characters in a cell"
            )


_SHARED_TEXT = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")


def _check_texts(zf: zipfile.ZipFile) -> None:
    """The shared texts inflate to their declared size, number no more than the limit, and none is longer than a
    cell: every reader loads them whole."""
    for info in zf.infolist():
        if info.filename.lower().endswith("sharedstrings.xml"):
            scan = _Scan()
            count = 0
            for chunk in inflate(zf, info):
                _longest_text(chunk, scan, "the shared texts")
                count += len(_SHARED_TEXT.findall(chunk))
                if count > lim.MAX_SHARED_STRINGS:
                    raise FileRefused(
                        f"the workbook holds more than {lim.MAX_SHARED_STRINGS:,} shared texts; "
                        f"tamdesk reads at most {lim.MAX_SHARED_STRINGS:,}"
                    )


_STYLE_ENTRY = re.compile(rb"<(?:[\w.-]+:)?(?:font|fill|border|xf|numFmt|dxf|cellStyle|tableStyle)[\s/>]")


def _check_styles(zf: zipfile.ZipFile) -> None:
    """The styles and document properties openpyxl loads whole stay small: a 70 KB workbook can hide 19 MB of
    styles that cost openpyxl 500 MB."""
    for info in zf.infolist():
        name = info.filename.lower()
        if name.startswith("docprops/") and info.file_size > _SMALL_PART:
            raise FileRefused(f"the workbook is damaged ({info.filename} is {info.file_size:,} bytes)")
        if not name.endswith("styles.xml"):
            continue
        if info.file_size > lim.MAX_STYLES_BYTES:
            raise FileRefused(
                f"its styles unzip to {info.file_size / lim.MB:,.0f} MB; "
                f"tamdesk reads at most {lim.MAX_STYLES_BYTES // lim.MB} MB of them"
            )
        entries = len(_STYLE_ENTRY.findall(b"".join(inflate(zf, info))))
        if entries > lim.MAX_STYLE_ENTRIES:
            raise FileRefused(
                f"it defines {entries:,} styles; tamdesk reads workbooks of at most {lim.MAX_STYLE_ENTRIES:,}"
            )


def _short(exc: BaseException) -> str:
    """A library's error as part of one sentence: one line, printable, not too long."""
    text = " ".join("".join(c if c.isprintable() else " " for c in str(exc)).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "…"
