"""Text hygiene at the door: which characters names, addresses, subjects and notes may hold.

tamdesk stores what TAMs type and what support systems export, then shows it again in forms, workbooks and
terminals. Two kinds of field get two answers:

* **Identity fields** (names of customers and people, email addresses and domains, ticket numbers, keys, and short
  one-line fields such as a job title or phone) are how records are matched and shown. A control character there
  (ESC, BEL, NUL, DEL, a C1 control such as NEL) or a line or paragraph separator (U+2028, U+2029) is an accident or
  an attempt to rewrite a terminal, and removing it silently would store a value other than the one given, so it is
  refused with a message that names the field and shows the value with visible escapes (``'Acme\\x1b[2J'``). Tab,
  line feed and carriage return are ordinary whitespace there: each field's own rule folds them into one space.
  Bidirectional overrides, embeddings and isolates (U+202A–U+202E, U+2066–U+2069) make text display in another
  order than it is stored (``ana@acme.com`` can be shown for another address), so they are refused too; an address
  also refuses the invisible direction marks (U+200E, U+200F, U+061C), which no address needs, while a name may
  keep them (Hebrew and Arabic names written beside Latin text use them).
* **Free text** (notes, descriptions, reasons, timeline entries, subjects from support systems) is read, not
  matched, and is often pasted from elsewhere: control characters are removed silently except tab and newline, and
  CR LF, CR, NEL and the Unicode line and paragraph separators become a newline. A one-line free text (a ticket
  subject) turns its line breaks into spaces as well.

``printable`` makes any stored text, including values saved before these rules, safe to write to a terminal.
"""

from __future__ import annotations

import re
import unicodedata

# fmt: off
_C0_NAMES = (
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI",
    "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US",
)
# fmt: on
_C1_NAMES = {0x85: "NEL", 0x90: "DCS", 0x9B: "CSI", 0x9C: "ST", 0x9D: "OSC", 0x9E: "PM", 0x9F: "APC"}

LINE_SEPARATORS = frozenset("\u2028\u2029")
"""LINE SEPARATOR and PARAGRAPH SEPARATOR: line breaks that are not control characters."""

BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
"""Embeddings, overrides and isolates (and their terminators): they reorder how the text around them displays."""

BIDI_MARKS = frozenset("\u200e\u200f\u061c")
"""LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK, ARABIC LETTER MARK: invisible, refused in addresses only."""

FIELD_WHITESPACE = frozenset("\t\n\r")
"""Control characters an identity field accepts: whitespace its own rule folds into a space."""

_CONTROLS = [c for c in (*range(0x20), *range(0x7F, 0xA0))]
_FREE_TEXT_TABLE = {c: None for c in _CONTROLS if chr(c) not in "\t\n"}
_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")
_ORDINARY_SPACES = re.compile(r"[^\S\x0b\x0c\x1c-\x1f\x85\u2028\u2029]+")
"""Runs of whitespace other than the control characters and separators that ``str.split`` also counts as space."""
_ORDINARY_EDGES = re.compile(rf"^{_ORDINARY_SPACES.pattern}|{_ORDINARY_SPACES.pattern}$")
# What ``refused_char`` looks for, as one search instead of a Python loop per character (an import checks 100,000
# numbers): the controls (category Cc is exactly U+0000-U+001F and U+007F-U+009F) but tab, LF and CR, the line
# separators, the direction controls, and for an address the direction marks too.
_REFUSED = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_REFUSED_IN_FIELD = re.compile(f"[{_REFUSED}]")
_REFUSED_IN_ADDRESS = re.compile(f"[{_REFUSED}\u200e\u200f\u061c]")
_NOT_PLAIN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""A character ``clean_line`` changes (a control, line break or separator): a subject without one is only stripped."""


def is_control(ch: str) -> bool:
    """A C0 or C1 control character, or DEL (Unicode category Cc)."""
    return unicodedata.category(ch) == "Cc"


def char_name(ch: str) -> str:
    """How a message names a character: ``ESC``, ``DEL``, ``U+009B CSI``, ``U+202E RIGHT-TO-LEFT OVERRIDE``."""
    code = ord(ch)
    if code < 0x20:
        return _C0_NAMES[code]
    if code == 0x7F:
        return "DEL"
    name = _C1_NAMES.get(code) if 0x80 <= code < 0xA0 else unicodedata.name(ch, "")
    return f"U+{code:04X} {name}" if name else f"U+{code:04X}"


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _needs_escape(ch: str) -> bool:
    return is_control(ch) or ch in LINE_SEPARATORS or ch in BIDI_CONTROLS or ch in BIDI_MARKS


def visible(text: str, *, limit: int = 80, at: int = 0) -> str:
    """``text`` for a message: every control, line separator and direction character written as an escape
    (``Acme\\x1b[2J``), and a long text cut to about ``limit`` characters around position ``at``."""
    if len(text) > limit:
        start = max(0, min(at - limit // 2, len(text) - limit))
        head, tail = ("…" if start else ""), ("…" if start + limit < len(text) else "")
        text = head + text[start : start + limit] + tail
    return "".join(_escape(ch) if _needs_escape(ch) else ch for ch in text)


def printable(text: str, *, multiline: bool = False) -> str:
    """``text`` safe to write to a terminal: controls, separators and direction characters escaped (a multi-line
    text keeps its newlines and tabs)."""
    keep = "\n\t" if multiline else ""
    return "".join(_escape(ch) if _needs_escape(ch) and ch not in keep else ch for ch in text)


def refused_char(value: str, *, address: bool = False) -> tuple[int, str] | None:
    """The position and the first character an identity field refuses, or None when it has none.

    Args:
        value: The field as given, before its whitespace is tidied.
        address: An email address or domain, which also refuses the invisible direction marks.
    """
    found = (_REFUSED_IN_ADDRESS if address else _REFUSED_IN_FIELD).search(value)
    return None if found is None else (found.start(), found.group())


def refusal(value: str, *, address: bool = False) -> str | None:
    """Why an identity field refuses ``value`` (``contains a control character (ESC)``), or None."""
    found = refused_char(value, address=address)
    if found is None:
        return None
    ch = found[1]
    if is_control(ch):
        kind = "a control character"
    elif ch in LINE_SEPARATORS:
        kind = "a line break"
    else:
        kind = "an invisible text-direction character"
    return f"contains {kind} ({char_name(ch)})"


def identity_problem(label: str, value: str, *, address: bool = False, end: str = ".") -> str | None:
    """The message refusing ``value`` in the field ``label``, or None when it is clean.

    ``Name 'Acme\\x1b[2J' contains a control character (ESC); remove it.`` (``end=""`` leaves out the full stop,
    for messages that quote it).
    """
    found = refused_char(value, address=address)
    if found is None:
        return None
    return f"{label} '{visible(value, at=found[0])}' {refusal(value, address=address)}; remove it{end}"


def clean_text(text: str) -> str:
    """Free text as stored: line breaks made newlines, control characters other than tab and newline removed."""
    return _LINE_BREAKS.sub("\n", text).translate(_FREE_TEXT_TABLE)


def clean_line(text: str) -> str:
    """One-line free text (a subject) as stored: as ``clean_text``, with line breaks as spaces, ends stripped."""
    if _NOT_PLAIN_LINE.search(text) is None:
        return text.strip()
    return clean_text(text).replace("\n", " ").strip()


def collapse_spaces(text: str) -> str:
    """Runs of ordinary whitespace (space, tab, newline, no-break space …) made one space, ends stripped.

    Unlike ``" ".join(text.split())`` it keeps the controls and separators that ``str.split`` also counts as space
    (FS–US, VT, FF, NEL, U+2028/U+2029), so the field's rule still sees and refuses them.
    """
    return _ORDINARY_SPACES.sub(" ", text).strip(" ")


def strip_spaces(text: str) -> str:
    """``text`` without ordinary whitespace at its ends; controls and separators stay for the field's rule."""
    return _ORDINARY_EDGES.sub("", text)


def case_key(name: str) -> str:
    """What two names compare by: spacing, letter case in any script (``Åsa``/``åsa``, ``ß``/``SS``) and Unicode
    composition aside."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", " ".join(name.split())).casefold())


_UNDECOMPOSED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"})
"""Letters with a stroke or ligatures that Unicode does not decompose into a base letter and a mark."""


def sort_key(name: str) -> str:
    """How names sort in lists: case and accents aside, so ``Åsa`` sorts with ``Anna`` and ``Özil`` before ``Zoe``
    (code-point order, and SQLite's ASCII-only lower(), would put both after every ASCII name)."""
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_UNDECOMPOSED)
