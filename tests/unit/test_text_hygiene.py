"""Text hygiene at the door: which characters identity fields refuse, what free text drops, look-alike addresses."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.mailbox import lookalike
from tamdesk.domain.seats import Level, SeatCandidate, SeatField, SeatHolder, check_seat
from tamdesk.domain.states import SeatStatus
from tamdesk.domain.text import (
    case_key,
    char_name,
    clean_line,
    clean_text,
    collapse_spaces,
    identity_problem,
    printable,
    refused_char,
    sort_key,
    strip_spaces,
    visible,
)

# -- identity fields: refused ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "value", "address", "message"),
    [
        ("Name", "Acme\x1b[2J", False, r"Name 'Acme\x1b[2J' contains a control character (ESC); remove it."),
        ("Name", "Ring\x07", False, r"Name 'Ring\x07' contains a control character (BEL); remove it."),
        ("Name", "Nul\x00l", False, r"Name 'Nul\x00l' contains a control character (NUL); remove it."),
        ("Name", "Del\x7f", False, r"Name 'Del\x7f' contains a control character (DEL); remove it."),
        ("Name", "C1\x9b2J", False, r"Name 'C1\x9b2J' contains a control character (U+009B CSI); remove it."),
        ("Name", "Next\x85line", False, r"Name 'Next\x85line' contains a control character (U+0085 NEL); remove it."),
        ("Name", "Form\x0cfeed", False, r"Name 'Form\x0cfeed' contains a control character (FF); remove it."),
        (
            "Name",
            "Two\u2028lines",
            False,
            r"Name 'Two\u2028lines' contains a line break (U+2028 LINE SEPARATOR); remove it.",
        ),
        (
            "Name",
            "Two\u2029paragraphs",
            False,
            r"Name 'Two\u2029paragraphs' contains a line break (U+2029 PARAGRAPH SEPARATOR); remove it.",
        ),
        (
            "Name",
            "Acme \u202egnp.exe",
            False,
            r"Name 'Acme \u202egnp.exe' contains an invisible text-direction character "
            "(U+202E RIGHT-TO-LEFT OVERRIDE); remove it.",
        ),
        (
            "Name",
            "\u2066Acme\u2069",
            False,
            r"Name '\u2066Acme\u2069' contains an invisible text-direction character "
            "(U+2066 LEFT-TO-RIGHT ISOLATE); remove it.",
        ),
        (
            "Email",
            "ana\u200f@acme.com",
            True,
            r"Email 'ana\u200f@acme.com' contains an invisible text-direction character "
            "(U+200F RIGHT-TO-LEFT MARK); remove it.",
        ),
        (
            "Email",
            "ana@acme\u202a.com",
            True,
            r"Email 'ana@acme\u202a.com' contains an invisible text-direction character "
            "(U+202A LEFT-TO-RIGHT EMBEDDING); remove it.",
        ),
        # the first refused character is named
        (
            "Ticket number",
            "SUP-1\x1b]0;x\x07",
            False,
            r"Ticket number 'SUP-1\x1b]0;x\x07' contains a control character (ESC); remove it.",
        ),
    ],
)
def test_identity_fields_refuse_controls_and_direction_characters(
    label: str, value: str, address: bool, message: str
) -> None:
    problem = identity_problem(label, value, address=address)
    assert problem == message
    assert problem.isprintable(), "the message itself shows no raw control or format character"


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("Åsa Berg", False),
        ("Łukasz Özil", False),
        ("  Ana\tLima\r\n", False),  # whitespace the field folds into one space
        ("שרה כהן\u200f (Sara)", False),  # a direction mark is fine in a name
        ("株式会社アクメ", False),
        ("ana.lima+portal@acme.com", True),
        ("jürgen@müller.de", True),
        ("", False),
    ],
)
def test_identity_fields_accept_ordinary_text(value: str, address: bool) -> None:
    assert identity_problem("Name", value, address=address) is None
    assert refused_char(value, address=address) is None


def test_direction_marks_are_refused_in_addresses_only() -> None:
    assert identity_problem("Name", "Sara\u200e") is None
    assert identity_problem("Email", "sara\u200e@acme.com", address=True) is not None


def test_a_long_value_is_shown_around_the_refused_character() -> None:
    problem = identity_problem("Name", "x" * 300 + "\x1b" + "y" * 300)
    assert problem is not None
    assert r"\x1b" in problem
    assert len(problem) < 200
    assert "…" in problem


@pytest.mark.parametrize(
    ("ch", "name"),
    [("\x1b", "ESC"), ("\x00", "NUL"), ("\x7f", "DEL"), ("\x9b", "U+009B CSI"), ("\x81", "U+0081")],
)
def test_char_name(ch: str, name: str) -> None:
    assert char_name(ch) == name


# -- free text: removed ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call back\x1b[2J at noon\x07", "Call back[2J at noon"),
        ("line 1\r\nline 2\rline 3", "line 1\nline 2\nline 3"),
        ("para\u2028graph\u2029end\x85more", "para\ngraph\nend\nmore"),
        ("keep\ttabs\nand newlines", "keep\ttabs\nand newlines"),
        ("nul\x00 del\x7f c1\x9b vt\x0b ff\x0c", "nul del c1 vt ff"),
        ("Ünïcödé 日本 \u202eRTL kept", "Ünïcödé 日本 \u202eRTL kept"),
    ],
)
def test_free_text_drops_controls_but_tab_and_newline(text: str, expected: str) -> None:
    assert clean_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Login fails\r\nafter upgrade \x1b[31m", "Login fails after upgrade [31m"),
        ("Disk\u2028full", "Disk full"),
        ("Tab\tkept", "Tab\tkept"),
    ],
)
def test_one_line_free_text(text: str, expected: str) -> None:
    assert clean_line(text) == expected


@given(st.text())
def test_clean_text_leaves_no_control_but_tab_and_newline(text: str) -> None:
    cleaned = clean_text(text)
    assert all(ch in "\t\n" or unicodedata.category(ch) != "Cc" for ch in cleaned)
    assert "\u2028" not in cleaned and "\u2029" not in cleaned
    assert clean_text(cleaned) == cleaned


@given(st.text())
def test_identity_problem_exactly_when_a_refused_character_is_there(text: str) -> None:
    refused = any(
        (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r")
        or ch in "\u2028\u2029"
        or 0x202A <= ord(ch) <= 0x202E
        or 0x2066 <= ord(ch) <= 0x2069
        for ch in text
    )
    assert (identity_problem("Name", text) is not None) == refused


# -- showing text safely -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Acme\x1b[2J", r"Acme\x1b[2J"),
        ("a\u202eb", r"a\u202eb"),
        ("tab\tnew\nline", r"tab\tnew\nline".replace(r"\t", r"\x09").replace(r"\n", r"\x0a")),
        ("Åsa", "Åsa"),
    ],
)
def test_visible(text: str, shown: str) -> None:
    assert visible(text) == shown


@given(st.text())
def test_printable_never_lets_a_control_or_direction_character_through(text: str) -> None:
    for multiline in (False, True):
        out = printable(text, multiline=multiline)
        allowed = "\n\t" if multiline else ""
        assert all(ch in allowed or unicodedata.category(ch) != "Cc" for ch in out)
        assert not any(0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 for ch in out)


# -- tidying and comparing names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "collapsed", "stripped"),
    [
        ("  Ana \t Lima\n", "Ana Lima", "Ana \t Lima"),
        ("Ana\u00a0Lima", "Ana Lima", "Ana\u00a0Lima"),
        ("Ana\x1cLima\x85", "Ana\x1cLima\x85", "Ana\x1cLima\x85"),  # kept for the rule to refuse
        ("Ana\u2028Lima", "Ana\u2028Lima", "Ana\u2028Lima"),
    ],
)
def test_collapse_and_strip_keep_controls_for_the_rules(text: str, collapsed: str, stripped: str) -> None:
    assert collapse_spaces(text) == collapsed
    assert strip_spaces(text) == stripped


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Åsa Berg", "åsa berg"),
        ("ÅSA  BERG", "Åsa Berg"),
        ("ÖZIL", "özil"),
        ("Łukasz", "łukasz"),
        ("Straße", "STRASSE"),
        ("Ärø", "A\u0308rø".upper()),  # composed and decomposed
        ("Σίσυφος", "ΣΊΣΥΦΟΣ"),
    ],
)
def test_case_key_folds_case_in_every_script(a: str, b: str) -> None:
    assert case_key(a) == case_key(b)


def test_case_key_keeps_different_names_apart() -> None:
    assert case_key("Åsa Berg") != case_key("Asa Berg")


# -- look-alike addresses ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "description"),
    [
        ("\u0430na.lima@acme.com", "looks like ana.lima@acme.com written with a Cyrillic \u0430 (U+0430)"),
        ("ana.lima@\u0430cme.com", "looks like ana.lima@acme.com written with a Cyrillic \u0430 (U+0430)"),
        ("\u0410na.Lima@acme.com", "looks like Ana.Lima@acme.com written with a Cyrillic \u0410 (U+0410)"),
        ("\u03bflga@acme.com", "looks like olga@acme.com written with a Greek \u03bf (U+03BF)"),
        (
            "ana@\u0430\u0441me.com",
            "looks like ana@acme.com written with Cyrillic \u0430 (U+0430) and \u0441 (U+0441)",
        ),
        (
            "\u0430na@\u03b5xample.com",
            "looks like ana@example.com written with a Cyrillic \u0430 (U+0430) and a Greek \u03b5 (U+03B5)",
        ),
        # a whole label of look-alikes beside Latin labels: асме.com
        (
            "ana@\u0430\u0441\u043c\u0435.com",
            "looks like ana@acme.com written with Cyrillic \u0430 (U+0430), \u0441 (U+0441), \u043c (U+043C) "
            "and \u0435 (U+0435)",
        ),
        ("\u0438van@acme.com", "mixes Latin and Cyrillic letters (\u0438 U+0438)"),
    ],
)
def test_mixed_script_addresses_have_a_latin_look_alike(address: str, description: str) -> None:
    found = lookalike(address)
    assert found is not None
    assert found.description == description


@pytest.mark.parametrize(
    "address",
    [
        "ana.lima@acme.com",
        "jürgen@müller.de",
        "иван@пример.рф",  # one script throughout
        "иван@acme.com",  # a Cyrillic name at a Latin domain, nothing that passes for Latin
        "οδυσσέας@παράδειγμα.ελ",
        "tanaka@例え.jp",
        "ana-1@acme-2.com",
    ],
)
def test_single_script_addresses_are_no_look_alikes(address: str) -> None:
    assert lookalike(address) is None


def test_sort_key_puts_accented_names_among_their_letters() -> None:
    names = ["Zoe", "Özil", "anna", "Åsa", "Oscar", "Łukasz", "Lena"]
    assert sorted(names, key=sort_key) == ["anna", "Åsa", "Lena", "Łukasz", "Oscar", "Özil", "Zoe"]


# -- the seat rules ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "email", "level", "field", "message"),
    [
        (
            "Ana\x1b[2J",
            "ana@acme.com",
            Level.ERROR,
            SeatField.FULL_NAME,
            r"Seat 1 (ana@acme.com): the full name 'Ana\x1b[2J' contains a control character (ESC); remove it",
        ),
        (
            "Ana\x1cLima",  # a control str.split() would have taken for a space
            "ana@acme.com",
            Level.ERROR,
            SeatField.FULL_NAME,
            r"Seat 1 (ana@acme.com): the full name 'Ana\x1cLima' contains a control character (FS); remove it",
        ),
        (
            "Ana",
            "ana\x07@acme.com",
            Level.ERROR,
            SeatField.EMAIL,
            r"Seat 1 (ana\x07@acme.com): the email address contains a control character (BEL); remove it",
        ),
        (
            "Ana",
            "ana@acme.com\u2069",
            Level.ERROR,
            SeatField.EMAIL,
            r"Seat 1 (ana@acme.com\u2069): the email address contains an invisible text-direction character "
            "(U+2069 POP DIRECTIONAL ISOLATE); remove it",
        ),
        (
            "Ana",
            "\u0430na@acme.com",
            Level.WARNING,
            SeatField.EMAIL,
            "Seat 1 (\u0430na@acme.com) looks like ana@acme.com written with a Cyrillic \u0430 (U+0430)",
        ),
    ],
)
def test_seat_rules_on_hostile_text(name: str, email: str, level: Level, field: SeatField, message: str) -> None:
    check = check_seat(SeatCandidate(None, name, email), [], customer_domains=["acme.com"])
    assert [(p.level, p.field, p.message) for p in check.problems] == [(level, field, message)]


def test_a_stored_address_with_a_control_is_named_safely_in_a_clash() -> None:
    held = [SeatHolder(1, "Ana\x1b[2J", "ana\x1b@acme.com", SeatStatus.ACTIVE)]
    check = check_seat(SeatCandidate(None, "Ana\x1b[2J", "ana2@acme.com"), held)
    assert all(p.message.isprintable() for p in check.problems)
