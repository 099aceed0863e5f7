"""Text in a workbook: what a cell can hold, never a formula; names of sheets and tables; header-block lines.

Text from people or imports goes into a cell as an explicit string cell with Excel's quote-prefix flag when it
could be taken for a formula or an error value (see the module docstring of :mod:`tamdesk.reports.xlsx`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from datetime import datetime, tzinfo
from itertools import chain, count

from openpyxl.cell.cell import ERROR_CODES

TEXT_LIMIT = 32_767
"""Most characters (UTF-16 code units) an Excel cell holds."""
TRUNCATION_MARKER = "… [truncated]"

_FORMULA_LEADS = frozenset("=+-@\t\r\n＝＋－＠﹦﹢﹣﹫")
# Everything XML 1.0 cannot carry: C0 controls except tab/LF/CR, lone surrogates, U+FFFE and U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SHEET_TITLE_LIMIT = 31
_SHEET_TITLE_MAP = str.maketrans({"[": "(", "]": ")", "/": "-", "\\": "-", ":": "-", "?": "", "*": ""})
_RESERVED_SHEET_TITLES = frozenset({"history"})  # Excel keeps "History" for change tracking
_LOOKS_LIKE_A_REFERENCE = re.compile(r"[A-Za-z]{1,3}\d+|[RrCc]\d*|[Rr]\d*[Cc]\d*")
_UTC_NAMES = frozenset({"UTC", "UCT", "Universal", "Zulu", "Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu"})


def safe_text(value: str) -> str:
    """Text an xlsx cell can hold: XML-illegal characters removed, capped at Excel's 32,767 characters.

    The text is otherwise unchanged; :func:`write_workbook` writes it as a string cell (with Excel's quote-prefix
    flag when :func:`looks_like_formula`), so it is never evaluated.
    """
    text = _XML_ILLEGAL.sub("", value)
    if len(text) <= TEXT_LIMIT // 2 or _utf16_len(text) <= TEXT_LIMIT:
        return text
    return utf16_prefix(text, TEXT_LIMIT - len(TRUNCATION_MARKER)) + TRUNCATION_MARKER


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula if it were typed or imported as-is."""
    return text[:1] in _FORMULA_LEADS


def needs_quote_prefix(text: str) -> bool:
    """Whether text gets Excel's quote-prefix flag: it could be taken for a formula or an error value."""
    return text[:1] in _FORMULA_LEADS or text in ERROR_CODES


def sheet_title(name: str, used: Collection[str] = ()) -> str:
    """A valid sheet name close to ``name``, distinct (ignoring case) from the names in ``used``.

    Excel's rules: 1-31 characters, none of ``\\ / ? * [ ] :``, no apostrophe first or last, not "History".
    """
    base = " ".join(safe_text(name).translate(_SHEET_TITLE_MAP).split())
    base = utf16_prefix(base.strip("' "), SHEET_TITLE_LIMIT).rstrip("' ") or "Sheet"
    taken = {u.casefold() for u in used} | _RESERVED_SHEET_TITLES
    if base.casefold() not in taken:
        return base
    for n in count(2):
        suffix = f" ({n})"
        candidate = utf16_prefix(base, SHEET_TITLE_LIMIT - len(suffix)).rstrip("' ") + suffix
        if candidate.casefold() not in taken:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def header_lines(
    what: str,
    *,
    exported_at: datetime,
    exported_by: str,
    tz: tzinfo,
    filters: Mapping[str, str] | None = None,
    sla_policy: str | None = None,
) -> list[str]:
    """The lines of a sheet's header block, worded the same in every workbook."""
    local = exported_at.astimezone(tz)
    lines = [what, f"Exported {local:%Y-%m-%d %H:%M} by {exported_by}"]
    if filters:
        lines.append("Filters: " + "; ".join(f"{k}: {v}" for k, v in filters.items()))
    else:
        lines.append("Filters: none")
    if sla_policy:
        lines.append(f"SLA policy: {sla_policy}")
    lines.append(f"Times are in {zone_label(tz)}")
    return lines


def table_name(title: str, used: Collection[str] = ()) -> str:
    """A valid Excel table name close to sheet ``title`` (``By customer`` gives ``By_customer``), distinct (ignoring
    case) from the names in ``used``.

    Excel's rules: letters, digits, underscores and periods, a letter or underscore first, nothing that reads as a
    cell reference (``A1``, ``R1C1``); kept to ASCII so that every tool that reads the table can name it.
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = "_".join(re.sub(r"[^A-Za-z0-9_.]+", " ", ascii_title).split()) or "Table"
    if not (base[0].isalpha() or base[0] == "_") or _LOOKS_LIKE_A_REFERENCE.fullmatch(base):
        base = "T_" + base
    taken = {u.casefold() for u in used}
    candidates = chain([base[:250]], (f"{base[:245]}_{n}" for n in count(2)))
    return next(name for name in candidates if name.casefold() not in taken)


def zone_label(tz: tzinfo) -> str:
    """How a header names a time zone: its IANA name (``Europe/Berlin``), and ``UTC`` for every spelling of UTC."""
    name = str(getattr(tz, "key", None) or tz)
    return "UTC" if name in _UTC_NAMES else name


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf16_prefix(text: str, units: int) -> str:
    """The longest prefix of ``text`` that fits in ``units`` UTF-16 code units, never splitting a character."""
    if len(text) <= units // 2:
        return text
    return text.encode("utf-16-le")[: 2 * units].decode("utf-16-le", "ignore")
