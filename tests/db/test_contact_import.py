"""Importing contacts from the exports of Salesforce, HubSpot and Gainsight (fixtures: tests/fixtures/contacts).

Each fixture follows its tool's documentation, named in tests/fixtures/contacts/README.md: the Salesforce Contact
object reference (field labels of a contact report: First Name, Last Name, Title, Email, Phone, Account Name);
HubSpot Knowledge Base "Set up your import files" and "How do I import contacts" with the CRM exports API (contact
properties First Name, Last Name, Email, Phone Number, Job Title, Company Name; de-duplicated by email, blank cells
overwrite nothing); Gainsight NXT "People Management" and "People API Documentation" (Name, Email, Company Name,
Title, Role).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tamdesk.domain.contact_sources import ContactSource
from tamdesk.domain.contacts import ContactRole
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.contact_import import import_contacts
from tamdesk.services.contacts import ContactInput, add_contact, list_contacts
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.seats import SeatInput, request_seat
from tamdesk.services.tabular import ImportFailed

FIXTURES = Path(__file__).parent.parent / "fixtures" / "contacts"
SALESFORCE = FIXTURES / "salesforce_contacts.csv"
HUBSPOT = FIXTURES / "hubspot_contacts.csv"
GAINSIGHT = FIXTURES / "gainsight_people.csv"
BAD = FIXTURES / "salesforce_contacts_bad.csv"


@pytest.fixture
def customers(db_path: Path, ctx: Context) -> dict[str, int]:
    return {
        "kestrel": create_customer(ctx, CustomerInput("Kestrel Logistics GmbH", email_domains=("kestrel.example",))),
        "acme": create_customer(
            ctx, CustomerInput("Acme Analytics", email_domains=("acme.example",), aliases=["Acme Inc."])
        ),
    }


def _contacts(customer_id: int) -> list[tuple[str, str, str, str, str]]:
    return [(r.full_name, r.email, r.title, r.role.value, r.phone) for r in list_contacts(customer_id)]


def _snapshot() -> list[tuple[object, ...]]:
    return [tuple(c.__data__.values()) for c in t.Contact.select().order_by(t.Contact.id)]


def test_a_salesforce_contact_report(ctx: Context, customers: dict[str, int]) -> None:
    jonas_seat = request_seat(ctx, customers["kestrel"], SeatInput("Jonas Weber", "jonas.weber@kestrel.example"))
    result = import_contacts(ctx, SALESFORCE)
    assert result.source is ContactSource.SALESFORCE
    assert result.summary == "Salesforce contact report: 4 contacts added, 0 updated."
    assert _contacts(customers["kestrel"]) == [
        ("Ana Ruiz", "ana.ruiz@kestrel.example", "VP Operations", "other", "+49 40 5550 1001"),
        ("Jonas Weber", "Jonas.Weber@kestrel.example", "IT Architect", "other", "+49 40 5550 1002"),
        ("Lena Fischer", "lena.fischer@kestrel.example", "", "other", ""),  # no account: matched by its domain
    ]
    assert _contacts(customers["acme"]) == [
        ("Mia Chen", "mia.chen@acme.example", "Head of Procurement", "other", "+1 617 555 0140"),  # by the alias
    ]
    jonas = next(r for r in list_contacts(customers["kestrel"]) if r.full_name == "Jonas Weber")
    assert jonas.seat_id == jonas_seat, "the seat holder's contact is linked to the seat"
    audited = t.AuditEntry.select().where(t.AuditEntry.entity == "contact").count()
    assert audited == 4


def test_importing_the_same_file_again_changes_nothing(ctx: Context, customers: dict[str, int]) -> None:
    import_contacts(ctx, SALESFORCE)
    before = _snapshot()
    again = import_contacts(ctx, SALESFORCE)
    assert again.summary == "Salesforce contact report: 0 contacts added, 0 updated, 4 unchanged."
    assert _snapshot() == before


def test_a_hubspot_export_updates_by_mailbox_and_keeps_what_blank_cells_do_not_say(
    ctx: Context, customers: dict[str, int]
) -> None:
    import_contacts(ctx, SALESFORCE)
    result = import_contacts(ctx, HUBSPOT)
    assert result.source is ContactSource.HUBSPOT
    assert result.summary == "HubSpot contacts export: 2 contacts added, 1 updated."
    assert _contacts(customers["acme"]) == [
        ("Mia Chen", "mia.chen@acme.example", "Head of Procurement", "other", "+1 617 555 0140"),
        ("Omar Haddad", "omar.haddad@acme.example", "CTO", "other", "+1 617 555 0101"),
        ("Pia Lind", "pia.lind+crm@acme.example", "Data Analyst", "other", ""),
    ]
    ana = next(r for r in list_contacts(customers["kestrel"]) if r.full_name == "Ana Ruiz")
    assert ana.title == "VP Operations & Logistics"


def test_a_gainsight_export_brings_the_roles(ctx: Context, customers: dict[str, int]) -> None:
    import_contacts(ctx, HUBSPOT)
    result = import_contacts(ctx, GAINSIGHT)
    assert result.source is ContactSource.GAINSIGHT
    assert result.summary == (
        "Gainsight people export: 3 contacts added, 2 updated. "
        "Roles read as Other: 'Decision Maker' (1), 'End User' (1)."
    )
    roles = {r.full_name: r.role for r in list_contacts(customers["kestrel"])}
    assert roles == {
        "Ana Ruiz": ContactRole.CHAMPION,
        "Jonas Weber": ContactRole.TECHNICAL_LEAD,
        "Karl Brandt": ContactRole.EXECUTIVE_SPONSOR,
    }
    pia = next(r for r in list_contacts(customers["acme"]) if r.full_name == "Pia Lind")
    assert pia.email == "pia.lind@acme.example", "pia.lind+crm@ is the same mailbox: updated, not added"


def test_a_role_a_later_file_leaves_out_is_kept(ctx: Context, customers: dict[str, int]) -> None:
    import_contacts(ctx, GAINSIGHT)
    import_contacts(ctx, SALESFORCE)  # no Role column
    roles = {r.full_name: r.role for r in list_contacts(customers["kestrel"])}
    assert roles["Ana Ruiz"] is ContactRole.CHAMPION


def test_an_xlsx_export_is_read_alike(ctx: Context, customers: dict[str, int], tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["First Name", "Last Name", "Email", "Title", "Company Name", "Role", "Phone"])
    karl = ["Karl", "Brandt", "karl.brandt@kestrel.example", "CFO", "Kestrel Logistics GmbH", "Champion", 4940555]
    sheet.append(karl)
    path = tmp_path / "people.xlsx"
    book.save(path)
    assert import_contacts(ctx, path).summary == "Gainsight people export: 1 contact added, 0 updated."
    assert _contacts(customers["kestrel"]) == [
        ("Karl Brandt", "karl.brandt@kestrel.example", "CFO", "champion", "4940555")
    ]


def test_a_bad_file_saves_nothing_and_names_every_bad_row(ctx: Context, customers: dict[str, int]) -> None:
    add_contact(ctx, customers["kestrel"], ContactInput("Karl Brandt", "karl.brandt@kestrel.example"))
    before = (_snapshot(), t.AuditEntry.select().count())
    with pytest.raises(ImportFailed) as info:
        import_contacts(ctx, BAD)
    assert info.value.problems == [
        "row 3, Email: support@kestrel.example is a role or shared address; a contact needs the person's own address",
        "row 4, Email: 'jonas.weber@' is not a valid email address: There must be something after the @-sign",
        "row 5: Account Name 'Umbrella Corp' matches no customer; add the customer, or add 'Umbrella Corp' to its "
        "other names, and import again",
        "row 6: no name (the name columns are empty)",
        "row 7: Email Ana.Ruiz+sf@kestrel.example is the same mailbox as row 2 for Kestrel Logistics GmbH",
    ]
    assert str(info.value).startswith("salesforce_contacts_bad.csv: nothing was imported. Row 3, Email:")
    assert (_snapshot(), t.AuditEntry.select().count()) == before, "the good row 2 was rolled back too"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("Ticket,Subject\nT-1,Printer on fire\n",
         "this is not a contact export tamdesk knows: its columns match none of the contact exports tamdesk reads"),
        ("First Name,Last Name,Title,Account Name\nAna,Ruiz,VP,Kestrel Logistics GmbH\n",
         "this is not a contact export tamdesk knows: it nearly matches a Salesforce contact report (no 'Email')"),
        ("Customer,Name,Email,Role\nKestrel Logistics GmbH,Ana Ruiz,ana@kestrel.example,boss\n",
         "row 2: Role 'boss' is not one of executive sponsor, champion, technical lead, procurement, other"),
        ("Customer,Name,Email,Influence\nKestrel Logistics GmbH,Ana Ruiz,ana@kestrel.example,huge\n",
         "row 2: Influence 'huge' is not one of high, medium, low"),
        ("Customer,Name,Email\n,Ana Ruiz,ana@gmail.com\n",
         "row 2: no Customer, and the email domain matches no customer"),
    ],
)  # fmt: skip
def test_files_of_no_known_kind_and_bad_values(
    ctx: Context, customers: dict[str, int], tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        import_contacts(ctx, path)
    assert info.value.problems[0].startswith(problem)
    assert t.Contact.select().count() == 0


def test_tamdesk_columns_with_influence_and_a_role(ctx: Context, customers: dict[str, int], tmp_path: Path) -> None:
    path = tmp_path / "ours.csv"
    path.write_text(
        "Customer,Name,Email,Title,Role,Influence,Phone\n"
        "kestrel logistics gmbh,Ana Ruiz,ana.ruiz@kestrel.example,VP,Executive sponsor,High,\n"
        "Acme Inc.,Mia Chen,,Buyer,procurement,low,+1 617 555 0140\n",
        encoding="utf-8",
    )
    assert import_contacts(ctx, path).summary == "tamdesk contact file: 2 contacts added, 0 updated."
    rows = list_contacts(customers["kestrel"]) + list_contacts(customers["acme"])
    assert [(r.full_name, r.role.value, r.influence.value if r.influence else "") for r in rows] == [
        ("Ana Ruiz", "executive_sponsor", "high"),
        ("Mia Chen", "procurement", "low"),
    ]
    path.write_text("Customer,Name,Title\nAcme Analytics,mia chen,Head of Procurement\n", encoding="utf-8")
    assert import_contacts(ctx, path).summary == "tamdesk contact file: 0 contacts added, 1 updated."
    assert list_contacts(customers["acme"])[0].title == "Head of Procurement", "no address: matched by name"


def test_a_company_that_matches_no_customer_can_be_mapped_and_is_remembered(
    ctx: Context, customers: dict[str, int], tmp_path: Path
) -> None:
    path = tmp_path / "sf.csv"
    path.write_text(
        "First Name,Last Name,Email,Account Name\nRosa,Diaz,rosa.diaz@umbrella.example,Umbrella Corp\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as info:
        import_contacts(ctx, path, mapped={"Umbrella Corp": "Umbrella"})
    assert info.value.problems == ["--map 'Umbrella Corp': there is no customer 'Umbrella'"]
    result = import_contacts(ctx, path, mapped={"umbrella corp": "acme analytics"})
    assert result.summary == (
        "Salesforce contact report: 1 contact added, 0 updated. 'Umbrella Corp' is now another name of Acme Analytics."
    )
    assert [r.full_name for r in list_contacts(customers["acme"])] == ["Rosa Diaz"]
    assert import_contacts(ctx, path).summary == "Salesforce contact report: 0 contacts added, 0 updated, 1 unchanged."
