"""Contact rules: a named person, their own address (never a role address), one mailbox per contact of a customer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.contact_sources import ContactSource, detect_contact_source, role_for
from tamdesk.domain.contacts import (
    ContactDetails,
    ContactRole,
    Influence,
    KnownContact,
    check_contact,
    tidy,
)

ANA = KnownContact(1, "Ana Ruiz", "ana.ruiz@kestrel.example")
GMAIL = KnownContact(2, "Bo Berg", "bo.berg@gmail.com")
OTHERS = (ANA, GMAIL, KnownContact(3, "No Address", ""))


def problems(name: str = "Karl Brandt", email: str = "", title: str = "", phone: str = "", **kw: object) -> dict:
    return check_contact(tidy(ContactDetails(name, email, title, phone)), OTHERS, **kw)  # type: ignore[arg-type]


CASES = [
    # (name, email, field, expected message or None for no problem)
    ("Karl Brandt", "", None, None),
    ("Karl Brandt", "karl.brandt@kestrel.example", None, None),
    ("  Karl   Brandt ", " karl.brandt@KESTREL.example ", None, None),
    ("", "", "full_name", "Give the contact's name."),
    ("   ", "karl@kestrel.example", "full_name", "Give the contact's name."),
    ("--", "", "full_name", "Name '--' has no letters."),
    ("Karl", "karl.brandt@", "email",
     "'karl.brandt@' is not a valid email address: There must be something after the @-sign."),
    ("Service Desk", "support@kestrel.example", "email",
     "support@kestrel.example is a role or shared address; a contact needs the person's own address."),
    ("Info", "Info+crm@kestrel.example", "email",
     "Info+crm@kestrel.example is a role or shared address; a contact needs the person's own address."),
    ("Ana R.", "ana.ruiz@kestrel.example", "email",
     "ana.ruiz@kestrel.example is already the address of Ana Ruiz, a contact of this customer."),
    ("Ana R.", "ANA.RUIZ+crm@kestrel.example", "email",
     "ANA.RUIZ+crm@kestrel.example is the same mailbox as Ana Ruiz (ana.ruiz@kestrel.example), already a contact "
     "of this customer."),
    ("Bo", "bob.erg@googlemail.com", "email",
     "bob.erg@googlemail.com is the same mailbox as Bo Berg (bo.berg@gmail.com), already a contact of this "
     "customer."),
    ("Karl\x1b[2J", "", "full_name", "Name 'Karl\\x1b[2J' contains a control character (ESC); remove it."),
    ("K" * 201, "", "full_name", "Name is longer than 200 characters."),
]  # fmt: skip


@pytest.mark.parametrize(("name", "email", "field", "message"), CASES)
def test_contact_rules(name: str, email: str, field: str | None, message: str | None) -> None:
    found = problems(name, email)
    assert found == ({} if field is None else {field: message})


def test_the_role_list_is_the_one_given() -> None:
    """The seats' list is editable in Settings: what it holds is what is refused."""
    assert problems("Team", "team@kestrel.example", role_local_parts=["support"]) == {}
    assert "role or shared" in problems("Karl", "karl@kestrel.example", role_local_parts=["Karl@"])["email"]


def test_several_fields_are_reported_at_once() -> None:
    assert set(problems("", "support@kestrel.example", phone="+49\x07")) == {"full_name", "email", "phone"}


@given(
    tag=st.text(alphabet="abcdefghij0123456789", min_size=1, max_size=8),
    upper=st.booleans(),
)
def test_every_spelling_of_a_contacts_mailbox_is_refused(tag: str, upper: bool) -> None:
    local = "ANA.RUIZ" if upper else "ana.ruiz"
    assert "email" in problems("Someone", f"{local}+{tag}@Kestrel.Example")


@pytest.mark.parametrize(
    ("text", "role"),
    [("champion", ContactRole.CHAMPION), ("Executive sponsor", ContactRole.EXECUTIVE_SPONSOR),
     ("executive-sponsor", ContactRole.EXECUTIVE_SPONSOR), ("TECHNICAL_LEAD", ContactRole.TECHNICAL_LEAD),
     (" procurement ", ContactRole.PROCUREMENT)],
)  # fmt: skip
def test_roles_read_as_value_or_label(text: str, role: ContactRole) -> None:
    assert ContactRole.parse(text) is role


def test_an_unknown_role_or_influence_is_named() -> None:
    with pytest.raises(ValueError, match="'boss' is not one of executive sponsor, champion, technical lead"):
        ContactRole.parse("boss")
    with pytest.raises(ValueError, match="'huge' is not one of high, medium, low"):
        Influence.parse("huge")
    assert ContactRole.CHAMPION.is_key and ContactRole.EXECUTIVE_SPONSOR.is_key
    assert not ContactRole.TECHNICAL_LEAD.is_key


DETECTION = [
    (["First Name", "Last Name", "Title", "Email", "Account Name", "Phone"], ContactSource.SALESFORCE),
    (["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Job Title", "Company Name"],
     ContactSource.HUBSPOT),
    (["First Name", "Last Name", "Email", "Title", "Company Name", "Role"], ContactSource.GAINSIGHT),
    (["Name", "Email", "Company Name", "Role"], ContactSource.GAINSIGHT),
    (["Customer", "Name", "Email", "Role", "Influence"], ContactSource.TAMDESK),
    (["customer", "full name", "e-mail"], ContactSource.TAMDESK),
    (["First Name", "Last Name", "Email"], None),
    (["Ticket", "Subject"], None),
]  # fmt: skip


@pytest.mark.parametrize(("headers", "source"), DETECTION)
def test_exports_are_told_apart_by_their_headers(headers: list[str], source: ContactSource | None) -> None:
    assert detect_contact_source(headers).source is source


def test_a_near_miss_says_what_is_missing() -> None:
    detection = detect_contact_source(["First Name", "Last Name", "Title", "Account Name"])
    assert detection.source is None
    assert "a Salesforce contact report (no 'Email')" in detection.describe()


@pytest.mark.parametrize(
    ("source", "text", "role"),
    [(ContactSource.GAINSIGHT, "Champion", ContactRole.CHAMPION),
     (ContactSource.GAINSIGHT, "Exec Sponsor", ContactRole.EXECUTIVE_SPONSOR),
     (ContactSource.GAINSIGHT, "End User", ContactRole.OTHER),
     (ContactSource.GAINSIGHT, "", ContactRole.OTHER),
     (ContactSource.TAMDESK, "technical lead", ContactRole.TECHNICAL_LEAD),
     (ContactSource.TAMDESK, "End User", None)],
)  # fmt: skip
def test_crm_roles(source: ContactSource, text: str, role: ContactRole | None) -> None:
    assert role_for(source, text) is role
