"""Portal seat rules (DESIGN §2): distinct named people, within the seat allowance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tamdesk.domain.mailbox import mailbox_key
from tamdesk.domain.seats import (
    Level,
    Problem,
    SeatCandidate,
    SeatCheck,
    SeatElsewhere,
    SeatField,
    SeatHolder,
    check_roster,
    check_seat,
    next_free_seat_no,
)
from tamdesk.domain.states import SeatStatus

ACTIVE, GRANTED, REQUESTED, REVOKED = SeatStatus.ACTIVE, SeatStatus.GRANTED, SeatStatus.REQUESTED, SeatStatus.REVOKED

# Seats 1-3 count; seat 4 was revoked, so the next new seat is seat 4 again.
SEATS = (
    SeatHolder(1, "Ana Silva", "ana@acme.com", ACTIVE),
    SeatHolder(2, "Bruno Costa", "bruno@acme.com", GRANTED),
    SeatHolder(3, "Chen Wei", "chen.wei@acme.com", REQUESTED),
    SeatHolder(4, "Dana Old", "dana@acme.com", REVOKED),
)
FULL = (
    *SEATS[:3],
    SeatHolder(4, "Dana Old", "dana@acme.com", REVOKED),
    SeatHolder(4, "Eve Park", "eve@acme.com", ACTIVE),
    SeatHolder(5, "Femi Ade", "femi@acme.com", ACTIVE),
)


def check(
    email: str,
    name: str = "Noor Haddad",
    seat_no: int | None = None,
    existing: Sequence[SeatHolder] = SEATS,
    *,
    domains: Sequence[str] = ("acme.com",),
    elsewhere: Mapping[str, SeatElsewhere] | None = None,
    allowance: int = 5,
) -> SeatCheck:
    candidate = SeatCandidate(seat_no, name, email)
    return check_seat(
        candidate, existing, allowance=allowance, customer_domains=domains, seated_elsewhere=elsewhere or {}
    )


def only(problems: tuple[Problem, ...], field: SeatField) -> Problem:
    matching = [p for p in problems if p.field is field]
    assert len(matching) == 1, problems
    return matching[0]


@pytest.mark.parametrize(
    ("email", "clashes_with"),
    [
        ("ANA@Acme.COM", "seat 1 (ana@acme.com)"),
        ("  ana@acme.com  ", "seat 1 (ana@acme.com)"),
        ("ana+portal@acme.com", "seat 1 (ana@acme.com)"),
        ("Chen.Wei+x@ACME.com", "seat 3 (chen.wei@acme.com)"),
        ("bruno+emea@acme.com", "seat 2 (bruno@acme.com)"),
    ],
)
def test_same_mailbox_is_an_error(email: str, clashes_with: str) -> None:
    problem = only(check(email).errors, SeatField.EMAIL)
    assert problem.message == f"Seat 4 ({email.strip()}) is the same mailbox as {clashes_with}"
    assert problem.seat_no == 4


GMAIL_SEATS = (SeatHolder(1, "Ana Silva", "ana.silva@gmail.com", ACTIVE),)


@pytest.mark.parametrize(
    ("email", "same"),
    [
        ("anasilva@gmail.com", True),
        ("A.N.A.Silva@gmail.com", True),
        ("ana.silva+tam@googlemail.com", True),
        ("AnaSilva@GoogleMail.com", True),
        ("ana.silva@acme.com", False),
        ("anasilva@gmail.co", False),
    ],
)
def test_gmail_dots_and_googlemail_are_one_mailbox(email: str, same: bool) -> None:
    result = check(email, existing=GMAIL_SEATS, domains=())
    assert bool(result.errors) is same
    if same:
        assert "same mailbox as seat 1 (ana.silva@gmail.com)" in result.errors[0].message


def test_dots_count_outside_gmail() -> None:
    existing = (SeatHolder(1, "Ana Silva", "ana.silva@acme.com", ACTIVE),)
    assert check("anasilva@acme.com", existing=existing).ok


@pytest.mark.parametrize(
    ("held", "entered"),
    [
        ("jürgen@müller.de", "Jürgen@xn--mller-kva.de"),
        ("jurgen@xn--mller-kva.de", "jurgen@MÜLLER.de"),
        ("jürgen@müller.de", "JÜRGEN+x@müller.de"),
    ],
)
def test_idn_addresses_compare_normalized(held: str, entered: str) -> None:
    existing = (SeatHolder(1, "Jürgen Müller", held, ACTIVE),)
    problem = only(check(entered, existing=existing, domains=("müller.de",)).errors, SeatField.EMAIL)
    assert problem.message == f"Seat 2 ({entered}) is the same mailbox as seat 1 ({held})"


def test_revoked_seat_does_not_clash() -> None:
    assert check("dana@acme.com", "Dana Old").problems == ()


@pytest.mark.parametrize(
    "email",
    ["support@acme.com", "Support@acme.com", "support+emea@acme.com", "no-reply@acme.com", "IT@acme.com",
     "helpdesk@acme.com", "team@acme.com", "all@acme.com"],
)  # fmt: skip
def test_role_address_is_an_error(email: str) -> None:
    problem = only(check(email).errors, SeatField.EMAIL)
    assert problem.message == f"Seat 4 ({email}) is a role or distribution address; portal seats are for named people"


@pytest.mark.parametrize(("email", "is_error"), [("purchasing@acme.com", True), ("support@acme.com", False)])
def test_role_list_is_editable(email: str, is_error: bool) -> None:
    result = check_seat(SeatCandidate(None, "Noor Haddad", email), SEATS, allowance=5, role_local_parts={"purchasing"})
    assert bool(result.errors) is is_error


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("noor@acme", "It should have a period"),
        ("noor", "An email address must have an @-sign"),
        ("noor..haddad@acme.com", "An email address cannot have two periods in a row"),
        ("noor haddad@acme.com", "SPACE"),
        ("noor@acme.com.", "An email address cannot end with a period"),
        ("noor@@acme.com", "@"),
    ],
)
def test_invalid_address_is_an_error_with_the_reason(email: str, reason: str) -> None:
    problem = only(check(email).errors, SeatField.EMAIL)
    assert problem.message.startswith(f"Seat 4 ({email}) is not a valid email address: ")
    assert reason in problem.message
    assert not problem.message.endswith(".")  # like every rule's message: whoever shows it ends the sentence


@pytest.mark.parametrize("email", ["", "   "])
def test_missing_address_is_an_error(email: str) -> None:
    assert only(check(email).errors, SeatField.EMAIL).message == "Seat 4 has no email address"


@pytest.mark.parametrize("name", ["", "   ", "-", "?"])
def test_missing_full_name_is_an_error(name: str) -> None:
    problem = only(check("noor@acme.com", name).errors, SeatField.FULL_NAME)
    assert problem.message == "Seat 4 (noor@acme.com) has no full name"


@pytest.mark.parametrize(
    ("name", "warned"),
    [
        ("Ana Silva", True),
        ("  ana   SILVA ", True),
        ("Ａｎａ Ｓｉｌｖａ", True),  # fullwidth forms: NFKC
        ("Chen\u00a0Wei", True),  # no-break space
        ("Ana Silva-Costa", False),
        ("Dana Old", False),  # seat 4 is revoked
    ],
)
def test_same_full_name_is_a_warning(name: str, warned: bool) -> None:
    result = check("noor@acme.com", name)
    assert result.ok
    assert bool(result.warnings) is warned
    if warned:
        assert result.warnings[0].field is SeatField.FULL_NAME
        assert "Seat 4 (noor@acme.com) has the same full name" in result.warnings[0].message


@pytest.mark.parametrize(
    ("held", "entered"),
    [
        ("José Núñez", "jose\u0301 nu\u0301n\u0303ez"),
        ("Zoë Ångström", "ZOË ÅNGSTRÖM"),
        ("Ana Silva", "Ána Silva"),  # accents do not make another person
        ("José Núñez", "Jose Nunez"),
        ("Zoë Ångström", "zoe angstrom"),
        ("Łukasz Strauß", "ŁUKASZ STRAUSS"),
    ],
)
def test_unicode_names_compare_normalized(held: str, entered: str) -> None:
    existing = (SeatHolder(1, held, "one@acme.com", ACTIVE),)
    (warning,) = check("two@acme.com", entered, existing=existing).warnings
    assert warning.message.endswith("as seat 1 (one@acme.com)")


@pytest.mark.parametrize(
    ("email", "domains", "warned"),
    [
        ("noor@acme.com", ("acme.com",), False),
        ("noor@EU.Acme.com", ("acme.com",), False),  # subdomains are the customer's
        ("noor@acme.de", ("acme.com", "ACME.de"), False),
        ("noor@notacme.com", ("acme.com",), True),
        ("noor@gmail.com", ("acme.com",), True),
        ("noor@googlemail.com", ("gmail.com",), False),  # one domain
        ("jürgen@müller.de", ("xn--mller-kva.de",), False),
        ("noor@globex.com", (), False),  # no domains on record: nothing to compare
    ],
)
def test_foreign_domain_is_a_warning(email: str, domains: Sequence[str], warned: bool) -> None:
    result = check(email, domains=domains)
    assert result.ok
    assert bool(result.warnings) is warned
    if warned:
        assert result.warnings[0].message.startswith(f"Seat 4 ({email}): ")
        assert "is not one of the customer's domains" in result.warnings[0].message


@pytest.mark.parametrize("email", ["noor@acme.com", "Noor+x@ACME.com"])
def test_seated_elsewhere_is_a_warning(email: str) -> None:
    result = check(email, elsewhere={mailbox_key("noor@acme.com"): SeatElsewhere("Globex", 3, "Noor@acme.com")})
    assert result.ok
    problem = only(result.warnings, SeatField.EMAIL)
    assert problem.message == f"Seat 4 ({email}) is the same mailbox as seat 3 (Noor@acme.com) at Globex"


@pytest.mark.parametrize(
    ("existing", "allowance", "error"),
    [
        (FULL, 5, "New seat (noor@acme.com) would exceed the allowance: all 5 seats are in use; revoke one first"),
        (FULL, 4, "New seat (noor@acme.com) would exceed the allowance: all 4 seats are in use; revoke one first"),
        ((), 0, "New seat (noor@acme.com) would exceed the allowance: the contract grants no seats"),
        (FULL[:3], 1, "New seat (noor@acme.com) would exceed the allowance: the only seat is in use; revoke one first"),
        (FULL, 6, None),
        (SEATS, 5, None),
    ],
)
def test_allowance(existing: Sequence[SeatHolder], allowance: int, error: str | None) -> None:
    result = check("noor@acme.com", existing=existing, allowance=allowance)
    assert [p.message for p in result.errors] == ([error] if error else [])
    if error:
        assert result.errors[0].field is SeatField.SEAT
        assert result.seat_no is None


def test_revoked_seat_frees_its_slot() -> None:
    existing = [*FULL[:4], FULL[5], SeatHolder(4, "Eve Park", "eve@acme.com", REVOKED)]
    result = check("noor@acme.com", existing=existing)
    assert result.problems == ()
    assert result.seat_no == 4


def test_seventh_row_exceeds_an_allowance_of_five() -> None:
    rows = [SeatCandidate(None, f"Person {n}", f"person{n}@acme.com") for n in range(1, 8)]
    checks = check_roster(rows, [], allowance=5, customer_domains=["acme.com"])
    assert [c.seat_no for c in checks.values()] == [1, 2, 3, 4, 5, None, None]
    assert [c.ok for c in checks.values()] == [True] * 5 + [False] * 2
    assert checks[6].errors[0].message == (
        "New seat (person7@acme.com) would exceed the allowance: all 5 seats are in use; revoke one first"
    )


def test_editing_a_seat_does_not_clash_with_itself_or_count_twice() -> None:
    result = check("eve+portal@acme.com", "Eve Park", seat_no=4, existing=FULL)
    assert result.problems == ()
    assert result.seat_no == 4


def test_editing_a_seat_still_clashes_with_the_others() -> None:
    problem = only(check("bruno@acme.com", "Ana Silva", seat_no=1).errors, SeatField.EMAIL)
    assert problem.message == "Seat 1 (bruno@acme.com) is the same mailbox as seat 2 (bruno@acme.com)"


def test_messages_name_both_seats_and_addresses() -> None:
    result = check(
        "ana+x@acme.com",
        "Ana Silva",
        domains=("globex.com",),
        elsewhere={"ana@acme.com": SeatElsewhere("Initech", 2, "ana@acme.com")},
    )
    assert sorted(p.message for p in result.problems) == [
        "Seat 4 (ana+x@acme.com) has the same full name, Ana Silva, as seat 1 (ana@acme.com)",
        "Seat 4 (ana+x@acme.com) is the same mailbox as seat 1 (ana@acme.com)",
        "Seat 4 (ana+x@acme.com) is the same mailbox as seat 2 (ana@acme.com) at Initech",
        "Seat 4 (ana+x@acme.com): acme.com is not one of the customer's domains (globex.com)",
    ]
    assert [p.level for p in result.errors] == [Level.ERROR]
    assert len(result.warnings) == 3


def test_roster_rows_clash_with_each_other_and_the_seats() -> None:
    rows = [
        SeatCandidate(None, "Noor Haddad", "noor@acme.com"),
        SeatCandidate(None, "Ana Silva", "ANA@acme.com"),
        SeatCandidate(None, "Noor Haddad", "noor+2@acme.com"),
    ]
    checks = check_roster(rows, SEATS, allowance=5, customer_domains=["acme.com"])
    assert checks[0].problems == ()
    assert [p.message for p in checks[1].errors] == [
        "Seat 5 (ANA@acme.com) is the same mailbox as seat 1 (ana@acme.com)"
    ]
    assert [p.message for p in checks[2].errors] == [
        "New seat (noor+2@acme.com) would exceed the allowance: all 5 seats are in use; revoke one first",
        "New seat (noor+2@acme.com) is the same mailbox as seat 4 (noor@acme.com)",
    ]


def test_roster_can_move_an_address_off_an_edited_seat() -> None:
    rows = [SeatCandidate(1, "Noor Haddad", "noor@acme.com"), SeatCandidate(None, "Ana Silva", "ana@acme.com")]
    checks = check_roster(rows, SEATS, allowance=5, customer_domains=["acme.com"])
    assert [c.problems for c in checks.values()] == [(), ()]
    assert [c.seat_no for c in checks.values()] == [1, 4]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([SeatCandidate(2, "A B", "a@acme.com"), SeatCandidate(2, "C D", "c@acme.com")],
         "Seat 2 (c@acme.com) is already given to a@acme.com in this form"),
        ([SeatCandidate(0, "A B", "a@acme.com")], "Seat 0 (a@acme.com) is not a seat number: seat numbers start at 1"),
    ],
)  # fmt: skip
def test_seat_numbers_in_a_form(rows: list[SeatCandidate], message: str) -> None:
    checks = check_roster(rows, SEATS, allowance=5)
    assert only(checks[len(rows) - 1].errors, SeatField.SEAT).message == message


def test_explicit_seat_numbers_are_not_given_to_other_rows() -> None:
    rows = [SeatCandidate(None, "A B", "a@acme.com"), SeatCandidate(4, "C D", "c@acme.com")]
    assert [c.seat_no for c in check_roster(rows, SEATS, allowance=6).values()] == [5, 4]


@pytest.mark.parametrize(
    ("existing", "allowance", "expected"),
    [((), 5, 1), (SEATS, 5, 4), (FULL, 5, None), (FULL, 7, 6), (SEATS[:1], 1, None), (SEATS[1:3], 5, 1)],
)
def test_next_free_seat_no(existing: Sequence[SeatHolder], allowance: int, expected: int | None) -> None:
    assert next_free_seat_no(existing, allowance) == expected


def test_warnings_alone_leave_the_check_ok() -> None:
    result = check("noor@globex.com")
    assert result.ok
    assert result.errors == ()
    assert [p.level for p in result.warnings] == [Level.WARNING]


_holders = st.builds(
    SeatHolder, st.integers(-2, 8), st.text(max_size=30), st.text(max_size=40), st.sampled_from(SeatStatus)
)
_candidates = st.builds(SeatCandidate, st.none() | st.integers(-2, 8), st.text(max_size=30), st.text(max_size=40))


@settings(deadline=None)
@given(
    _candidates,
    st.lists(_holders, max_size=6),
    st.integers(-1, 7),
    st.lists(st.text(max_size=20), max_size=3),
    st.dictionaries(
        st.text(max_size=30),
        st.builds(SeatElsewhere, st.text(max_size=10), st.integers(-2, 8), st.text(max_size=30)),
        max_size=3,
    ),
)
def test_check_seat_never_raises_on_arbitrary_text(
    candidate: SeatCandidate,
    existing: list[SeatHolder],
    allowance: int,
    domains: list[str],
    elsewhere: dict[str, SeatElsewhere],
) -> None:
    result = check_seat(candidate, existing, allowance=allowance, customer_domains=domains, seated_elsewhere=elsewhere)
    assert all(p.message.startswith(("Seat ", "New seat")) for p in result.problems)
    try:
        mailbox_key(candidate.email)
    except ValueError:
        assert any(p.field is SeatField.EMAIL for p in result.errors)
