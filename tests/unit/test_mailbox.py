"""Mailbox identity of seat holders' addresses: normalization, the mailbox key, role addresses."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tamdesk.domain.mailbox import (
    DEFAULT_ROLE_LOCAL_PARTS,
    InvalidAddress,
    domain_of,
    is_role_address,
    mailbox_key,
    normalize_address,
    normalize_domain,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ana@acme.com", "ana@acme.com"),
        ("  ana@acme.com \t\n", "ana@acme.com"),
        ("Ana.Silva@ACME.Com", "Ana.Silva@acme.com"),
        ("jürgen@müller.de", "jürgen@müller.de"),
        ("jurgen@xn--mller-kva.de", "jurgen@müller.de"),
        ("JÜRGEN@MÜLLER.DE", "JÜRGEN@müller.de"),
    ],
)
def test_normalize_address(text: str, expected: str) -> None:
    assert normalize_address(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ana", "@-sign"),
        ("ana@acme", "period"),
        ("ana..silva@acme.com", "two periods"),
        ("ana silva@acme.com", "SPACE"),
        ("ana@acme.com.", "period"),
        ("ana@@acme.com", "@"),
        ("ana@foo.test", "special-use"),
    ],
)
def test_invalid_address_names_value_and_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidAddress, match="is not a valid email address") as caught:
        normalize_address(text)
    assert f"'{text.strip()}'" in str(caught.value)
    assert reason in caught.value.reason
    assert not caught.value.reason.endswith(".")  # the rules quoting it end the sentence once


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ana@acme.com", "ANA@Acme.COM"),
        ("ana@acme.com", " ana@acme.com "),
        ("ana@acme.com", "ana+portal@acme.com"),
        ("ana+a@acme.com", "ana+b@acme.com"),
        ("ana.+x@acme.com", "ana@acme.com"),
        ("ana.silva@gmail.com", "anasilva@gmail.com"),
        ("a.n.a.silva+x@gmail.com", "AnaSilva@gmail.com"),
        ("ana.silva@googlemail.com", "anasilva@gmail.com"),
        ("jürgen@müller.de", "Jürgen@xn--mller-kva.de"),
        ("jürgen@müller.de", "JÜRGEN+x@MÜLLER.DE"),
        ("straße@acme.com", "STRASSE@acme.com"),
    ],
)
def test_same_mailbox(first: str, second: str) -> None:
    assert mailbox_key(first) == mailbox_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ana@acme.com", "ana@acme.de"),
        ("ana.silva@acme.com", "anasilva@acme.com"),  # dots only vanish at Gmail
        ("ana@acme.com", "ana@eu.acme.com"),
        ("+team@acme.com", "team@acme.com"),  # a leading + starts no sub-address
        ("jürgen@müller.de", "jurgen@müller.de"),
    ],
)
def test_different_mailbox(first: str, second: str) -> None:
    assert mailbox_key(first) != mailbox_key(second)


def test_mailbox_key_of_gmail_address() -> None:
    assert mailbox_key(" Ana.Silva+portal@GoogleMail.com ") == "anasilva@gmail.com"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("support@acme.com", True),
        ("Support@acme.com", True),
        ("support+emea@acme.com", True),
        ("no-reply@acme.com", True),
        ("noreply@acme.com", True),
        ("IT@acme.com", True),
        ("postmaster@acme.com", True),
        ("ana@acme.com", False),
        ("supporter@acme.com", False),
        ("it.support@acme.com", False),  # not on the list: the list is editable
        ("anita@acme.com", False),
    ],
)
def test_role_address(address: str, expected: bool) -> None:
    assert is_role_address(address) is expected


def test_role_address_list_is_a_parameter() -> None:
    custom = {" Purchasing@ ", "EMEA-support"}
    assert is_role_address("purchasing@acme.com", custom)
    assert is_role_address("emea-support+x@acme.com", custom)
    assert not is_role_address("support@acme.com", custom)
    assert "support" in DEFAULT_ROLE_LOCAL_PARTS


@pytest.mark.parametrize(
    ("address", "domain"),
    [("ana@Acme.COM", "acme.com"), ("jürgen@xn--mller-kva.de", "müller.de"), ("ana@EU.acme.com", "eu.acme.com")],
)
def test_domain_of(address: str, domain: str) -> None:
    assert domain_of(address) == domain


@pytest.mark.parametrize(
    ("text", "domain"), [("acme.com", "acme.com"), (" @ACME.com ", "acme.com"), ("xn--mller-kva.de", "müller.de")]
)
def test_normalize_domain(text: str, domain: str) -> None:
    assert normalize_domain(text) == domain


def test_normalize_domain_rejects_non_domains() -> None:
    with pytest.raises(InvalidAddress, match="'acme'"):
        normalize_domain("acme")


def _is_valid(address: str) -> bool:
    try:
        normalize_address(address)
    except InvalidAddress:
        return False
    return True


_UNICODE_LOCAL = st.text("abcdefghijklmnopqrstuvwxyzäöüéèñßçøåABCDÄÖÜÉ0123456789_-", min_size=1, max_size=20)
_DOMAINS = st.sampled_from(["acme.com", "müller.de", "eu.acme.com", "gmail.com", "googlemail.com"])
valid_addresses = st.one_of(
    st.emails(),
    st.builds("{}@{}".format, _UNICODE_LOCAL, _DOMAINS),
).filter(_is_valid)
_TAGS = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", max_size=10)
_CASE_CHANGES = st.sampled_from([str.upper, str.lower, str.swapcase, str.title])


@settings(deadline=None)
@given(valid_addresses)
def test_mailbox_key_is_idempotent(address: str) -> None:
    key = mailbox_key(address)
    assert mailbox_key(key) == key


@settings(deadline=None)
@given(valid_addresses, _CASE_CHANGES)
def test_case_variants_are_one_mailbox(address: str, change_case: Callable[[str], str]) -> None:
    local, _, domain = address.rpartition("@")
    # Domains compare by IDNA rules, under which only ASCII letters are case-insensitive (straße.de is not
    # strasse.de), so the domain changes case only where it is ASCII.
    variant = f"{change_case(local)}@{change_case(domain) if domain.isascii() else domain}"
    assume(_is_valid(variant))
    assert mailbox_key(variant) == mailbox_key(address)


@settings(deadline=None)
@given(valid_addresses, _TAGS)
def test_tag_variants_are_one_mailbox(address: str, tag: str) -> None:
    local, _, domain = address.rpartition("@")
    variant = f"{local}+{tag}@{domain}"
    assume(_is_valid(variant))
    assert mailbox_key(variant) == mailbox_key(address)
