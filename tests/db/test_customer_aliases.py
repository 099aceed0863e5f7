"""The names a customer is also known as: set on create and edit, checked across customers, searched, imported."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from tamdesk.models import tables as t
from tamdesk.services.base import Context, FieldError, StaleEdit, ValidationFailed
from tamdesk.services.customer_aliases import split_aliases
from tamdesk.services.customer_import import import_customers
from tamdesk.services.customers import (
    CustomerInput,
    add_alias,
    create_customer,
    get_customer,
    list_customers,
    update_customer,
)
from tamdesk.services.search import HitKind, Rank, search
from tamdesk.services.tabular import ImportFailed

ACME = CustomerInput(name="Acme Analytics", time_zone="Europe/Berlin", email_domains=("acme.com",))
DAY = date(2026, 3, 10)


def _edit(cid: int, **changes: object) -> None:
    detail = get_customer(cid)
    update_customer(Context(actor="Tess Tam"), cid, detail.version, replace(detail.input, **changes))


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("Acme Inc; ACME GmbH", ["Acme Inc", "ACME GmbH"]),
        ("Acme Inc, ACME GmbH", ["Acme Inc", "ACME GmbH"]),
        ("Acme, Inc., Acme  Labs,, ;", ["Acme, Inc.", "Acme Labs"]),
        ("Acme, Inc; Acme Ltd", ["Acme, Inc", "Acme Ltd"]),
        ("  ", []),
    ],
)
def test_typed_names_split_on_semicolons_and_commas_but_not_before_a_legal_form(typed: str, names: list[str]) -> None:
    assert split_aliases(typed) == names


def test_create_stores_aliases_under_their_key_and_reads_them_back(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, replace(ACME, aliases="Acme Inc; ACME-GmbH; ; acme analytics; ACME INC."))
    detail = get_customer(cid)
    # empties, the customer's own name and a second spelling of one name are dropped silently
    assert detail.aliases == detail.input.aliases == ("Acme Inc", "ACME-GmbH")
    stored = t.CustomerAlias.select(t.CustomerAlias.name_key).where(t.CustomerAlias.customer == cid)
    assert sorted(a.name_key for a in stored) == ["acmegmbh", "acmeinc"]
    audit = t.AuditEntry.get(t.AuditEntry.entity == "customer")
    assert json.loads(audit.after)["aliases"] == ["Acme Inc", "ACME-GmbH"]
    assert [r.aliases for r in list_customers(DAY)] == [("Acme Inc", "ACME-GmbH")]


def test_an_alias_that_names_another_customer_is_refused_naming_it(db_path: Path, ctx: Context) -> None:
    acme = create_customer(ctx, replace(ACME, aliases=["Acme Inc"]))
    create_customer(ctx, CustomerInput(name="Globex"))
    with pytest.raises(ValidationFailed) as info:
        create_customer(ctx, CustomerInput(name="Acme Labs", aliases="acme, inc.; GLOBEX; Labs"))
    assert info.value.errors == {
        "aliases": "'acme, inc.' is already a name of Acme Analytics; 'GLOBEX' is already a name of Globex."
    }
    with pytest.raises(ValidationFailed) as info:
        _edit(acme, aliases=("Acme Inc", "Glöbex"))
    assert info.value.errors == {"aliases": "'Glöbex' is already a name of Globex."}
    assert get_customer(acme).aliases == ("Acme Inc",)
    assert t.Customer.select().count() == 2


def test_a_new_name_that_is_another_customer_s_alias_is_refused(db_path: Path, ctx: Context) -> None:
    create_customer(ctx, replace(ACME, aliases=["Acme Inc"]))
    with pytest.raises(ValidationFailed) as info:
        create_customer(ctx, CustomerInput(name="ACME inc."))
    assert info.value.errors == {"name": "'ACME inc.' is already a name of Acme Analytics (in its Also known as)."}


@pytest.mark.parametrize(
    ("aliases", "message"),
    [("x" * 201, "'" + "x" * 40 + "…' is longer than 200 characters."), ("-- ; Acme Inc", "'--' has no letters")],
)
def test_unusable_aliases(db_path: Path, ctx: Context, aliases: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        create_customer(ctx, replace(ACME, aliases=aliases))
    assert info.value.errors["aliases"].startswith(message)


def test_edit_replaces_aliases_with_an_audit_entry_and_a_version_check(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, replace(ACME, aliases=["Acme Inc", "ACME GmbH"]))
    old = get_customer(cid)
    _edit(cid, aliases="ACME GmbH; Acme Labs")
    new = get_customer(cid)
    assert new.aliases == ("ACME GmbH", "Acme Labs")
    assert new.version == old.version + 1
    entry = t.AuditEntry.select().where(t.AuditEntry.action == "update").get()
    assert entry.summary == "Customer Acme Analytics edited: aliases"
    assert json.loads(entry.before)["aliases"] == ["Acme Inc", "ACME GmbH"]
    assert json.loads(entry.after)["aliases"] == ["ACME GmbH", "Acme Labs"]
    with pytest.raises(StaleEdit):  # the dialog opened before that edit must not save over it
        update_customer(ctx, cid, old.version, replace(old.input, aliases=()))
    assert get_customer(cid).aliases == ("ACME GmbH", "Acme Labs")
    _edit(cid, aliases=" Acme Labs ; ACME GmbH")  # the same names in another order change nothing
    assert get_customer(cid).version == new.version


def test_an_edit_without_aliases_keeps_them_and_a_rename_drops_the_one_it_takes(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, replace(ACME, aliases=["Acme Inc", "ACME GmbH"]))
    update_customer(ctx, cid, get_customer(cid).version, replace(ACME, notes="Renewal in May"))
    assert get_customer(cid).aliases == ("Acme Inc", "ACME GmbH")
    update_customer(ctx, cid, get_customer(cid).version, replace(ACME, name="ACME GmbH"))
    assert get_customer(cid).aliases == ("Acme Inc",)


def test_add_alias_for_the_ticket_import(db_path: Path, ctx: Context) -> None:
    acme = create_customer(ctx, ACME)
    create_customer(ctx, CustomerInput(name="Globex", aliases=["Globex Corp"]))
    version = get_customer(acme).version
    assert add_alias(ctx, acme, "  Acme   Inc ") is True
    assert get_customer(acme).aliases == ("Acme Inc",)
    assert get_customer(acme).version == version + 1  # an open edit dialog sees it changed
    entry = t.AuditEntry.select().order_by(t.AuditEntry.id.desc()).get()
    assert entry.summary == "Customer Acme Analytics is also known as 'Acme Inc'"
    assert add_alias(ctx, acme, "ACME inc.") is False  # a name it has
    assert add_alias(ctx, acme, "acme analytics") is False  # its own name
    assert get_customer(acme).version == version + 1
    with pytest.raises(FieldError) as info:
        add_alias(ctx, acme, "Globex corp.")
    assert (info.value.field, str(info.value)) == ("aliases", "'Globex corp.' is already a name of Globex.")


def test_customer_list_search_finds_an_alias(db_path: Path, ctx: Context) -> None:
    create_customer(ctx, replace(ACME, aliases=["Initrode Holdings", "Ärztekammer"]))
    create_customer(ctx, CustomerInput(name="Globex"))
    assert [r.name for r in list_customers(DAY, search="initrode")] == ["Acme Analytics"]
    assert [r.name for r in list_customers(DAY, search="ÄRZTE")] == ["Acme Analytics"]
    assert [r.name for r in list_customers(DAY, search="globex")] == ["Globex"]


def test_search_everywhere_finds_an_alias_and_says_so(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, replace(ACME, aliases=["Initrode Holdings", "Acme Inc"]))
    create_customer(ctx, CustomerInput(name="Initrode Labs"))
    hits = [h for h in search("initrode holdings") if h.kind is HitKind.CUSTOMER]
    assert [(h.id, h.title, h.rank) for h in hits] == [(cid, "Acme Analytics", Rank.EXACT)]
    assert hits[0].subtitle.startswith("Also known as Initrode Holdings · acme.com")
    both = [h.title for h in search("initrode") if h.kind is HitKind.CUSTOMER]
    assert sorted(both) == ["Acme Analytics", "Initrode Labs"]
    by_name = next(h for h in search("acme") if h.kind is HitKind.CUSTOMER)
    assert not by_name.subtitle.startswith("Also known as")  # found by its own name: nothing to explain


def test_import_reads_an_also_known_as_column_and_adds_to_the_names(
    db_path: Path, ctx: Context, tmp_path: Path
) -> None:
    create_customer(ctx, replace(ACME, aliases=["Acme Inc"]))
    path = tmp_path / "customers.csv"
    path.write_text(
        "Name,Email domains,Also known as\n"
        'Acme Analytics,acme.com,"ACME GmbH; Acme Inc"\n'
        'Initech,initech.com,"Initech, LLC, Initech Software"\n'
        "Globex,globex.com,\n",
        encoding="utf-8",
    )
    assert import_customers(ctx, path).summary == "Imported customers: 2 created, 1 updated, 0 unchanged."
    names = {r.name: r.aliases for r in list_customers(DAY)}
    assert names == {
        "Acme Analytics": ("Acme Inc", "ACME GmbH"),
        "Globex": (),
        "Initech": ("Initech, LLC", "Initech Software"),
    }
    assert import_customers(ctx, path).summary == "Imported customers: 0 created, 0 updated, 3 unchanged."


def test_an_import_alias_of_another_customer_fails_the_whole_file(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("Name,Aliases\nInitech,Initrode\nInitrode Labs,initrode\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        import_customers(ctx, path)
    assert info.value.problems == ["row 3: 'initrode' is already a name of Initech."]
    assert t.Customer.select().count() == 0
    assert t.CustomerAlias.select().count() == 0
