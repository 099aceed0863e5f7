"""The people directory: validation, optimistic locking, audit entries and the default escalation contacts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tamdesk.domain.states import PersonRole
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError, FieldError, NotFound, StaleEdit, ValidationFailed
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.directory import (
    PersonInput,
    add_person,
    escalation_contacts,
    get_person,
    list_directory,
    set_active,
    set_escalation_contact,
    update_person,
)
from tamdesk.services.settings import get_setting


def _audit_summaries() -> list[str]:
    return [a.summary for a in t.AuditEntry.select().order_by(t.AuditEntry.id)]


def test_add_tidies_and_audits(db_path: Path, ctx: Context) -> None:
    pid = add_person(ctx, PersonInput("  Sam   Support ", " Sam@Example.COM ", PersonRole.SUPPORT_MANAGER))
    person = get_person(pid)
    assert (person.name, person.email, person.role, person.active) == (
        "Sam Support",
        "Sam@example.com",
        PersonRole.SUPPORT_MANAGER,
        True,
    )
    assert _audit_summaries()[-1] == "Sam Support added to the directory as Support manager"
    assert t.AuditEntry.select().order_by(t.AuditEntry.id.desc()).get().actor == "Tess Tam"


def test_email_is_optional(db_path: Path, ctx: Context) -> None:
    pid = add_person(ctx, PersonInput("Tina Tam", "", "tam"))
    assert get_person(pid).email == ""


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        (PersonInput("", "a@example.com"), "name", "full name"),
        (PersonInput("   ", "a@example.com"), "name", "full name"),
        (PersonInput("x" * 121), "name", "at most 120"),
        (PersonInput("ann existing"), "name", "already in the directory"),
        (PersonInput("Bob", "bob@"), "email", "not a valid email address"),
        (PersonInput("Bob", "bob example.com"), "email", "not a valid email address"),
        (PersonInput("Bob", "bob@@example.com"), "email", "not a valid email address"),
        (PersonInput("Bob", "bob@localhost"), "email", "not a valid email address"),
        (PersonInput("Bob", role="janitor"), "role", "not a role"),
    ],
)
def test_bad_input_is_refused_per_field(
    db_path: Path, ctx: Context, data: PersonInput, field: str, fragment: str
) -> None:
    add_person(ctx, PersonInput("Ann Existing"))
    before = t.Person.select().count()
    with pytest.raises(ValidationFailed) as caught:
        add_person(ctx, data)
    assert field in caught.value.errors
    assert fragment in caught.value.errors[field]
    assert t.Person.select().count() == before


def test_several_bad_fields_are_reported_together(db_path: Path, ctx: Context) -> None:
    with pytest.raises(ValidationFailed) as caught:
        add_person(ctx, PersonInput("", "nope", "boss"))
    assert set(caught.value.errors) == {"name", "email", "role"}


def test_edit_keeps_own_name_and_refuses_a_stale_version(db_path: Path, ctx: Context) -> None:
    pid = add_person(ctx, PersonInput("Ann Tam", "ann@example.com"))
    version = get_person(pid).version
    update_person(ctx, pid, version, PersonInput("ANN TAM", "ann@example.com"))  # same person, other case
    assert get_person(pid).name == "ANN TAM"
    with pytest.raises(StaleEdit):
        update_person(ctx, pid, version, PersonInput("Ann Tam", "ann@example.org"))
    assert get_person(pid).email == "ann@example.com"
    assert "Directory entry of ANN TAM changed" in _audit_summaries()


def test_edit_without_changes_writes_nothing(db_path: Path, ctx: Context) -> None:
    pid = add_person(ctx, PersonInput("Ann Tam"))
    entries = t.AuditEntry.select().count()
    update_person(ctx, pid, get_person(pid).version, PersonInput(" Ann  Tam "))
    assert t.AuditEntry.select().count() == entries
    assert get_person(pid).version == 1


def test_edit_of_a_missing_person(db_path: Path, ctx: Context) -> None:
    with pytest.raises(NotFound):
        update_person(ctx, 999, 1, PersonInput("Ghost"))


def test_deactivate_and_reactivate(db_path: Path, ctx: Context) -> None:
    pid = add_person(ctx, PersonInput("Ann Tam"))
    set_active(ctx, pid, 1, False)
    assert not get_person(pid).active
    assert [p.name for p in list_directory(include_inactive=False)] == []
    with pytest.raises(StaleEdit):
        set_active(ctx, pid, 1, True)
    set_active(ctx, pid, 2, True)
    assert get_person(pid).active
    assert _audit_summaries()[-2:] == ["Ann Tam deactivated in the directory", "Ann Tam reactivated in the directory"]


def test_directory_lists_active_first_with_customer_counts(db_path: Path, ctx: Context) -> None:
    create_customer(ctx, CustomerInput(name="Acme", tam="Zoe Tam"))
    gone = add_person(ctx, PersonInput("Abe Gone"))
    set_active(ctx, gone, 1, False)
    rows = list_directory()
    assert [(r.name, r.active, r.customers) for r in rows] == [("Zoe Tam", True, 1), ("Abe Gone", False, 0)]


def test_escalation_contacts_are_chosen_from_active_people_of_the_role(db_path: Path, ctx: Context) -> None:
    add_person(ctx, PersonInput("Mia Manager", role=PersonRole.SUPPORT_MANAGER))
    add_person(ctx, PersonInput("Dan Director", role=PersonRole.SENIOR_DIRECTOR))
    set_escalation_contact(ctx, PersonRole.SUPPORT_MANAGER, "mia manager")
    set_escalation_contact(ctx, PersonRole.SENIOR_DIRECTOR, "Dan Director")
    assert escalation_contacts().support_manager == "Mia Manager"
    assert get_setting("escalation_senior_director") == "Dan Director"
    set_escalation_contact(ctx, PersonRole.SENIOR_DIRECTOR, None)
    assert escalation_contacts().senior_director is None


@pytest.mark.parametrize(
    ("role", "name", "error"),
    [
        (PersonRole.SUPPORT_MANAGER, "Dan Director", FieldError),  # wrong role
        (PersonRole.SUPPORT_MANAGER, "Nobody", FieldError),
        (PersonRole.SUPPORT_MANAGER, "Old Manager", FieldError),  # inactive
        (PersonRole.TAM, "Mia Manager", DomainError),  # escalations name no default TAM
    ],
)
def test_bad_escalation_contacts_are_refused(
    db_path: Path, ctx: Context, role: PersonRole, name: str, error: type[Exception]
) -> None:
    add_person(ctx, PersonInput("Mia Manager", role=PersonRole.SUPPORT_MANAGER))
    add_person(ctx, PersonInput("Dan Director", role=PersonRole.SENIOR_DIRECTOR))
    old = add_person(ctx, PersonInput("Old Manager", role=PersonRole.SUPPORT_MANAGER))
    set_active(ctx, old, 1, False)
    with pytest.raises(error):
        set_escalation_contact(ctx, role, name)
    assert escalation_contacts().support_manager is None


def test_contact_follows_a_rename_and_is_cleared_when_gone(db_path: Path, ctx: Context) -> None:
    pid = add_person(ctx, PersonInput("Mia Manager", role=PersonRole.SUPPORT_MANAGER))
    set_escalation_contact(ctx, PersonRole.SUPPORT_MANAGER, "Mia Manager")
    update_person(ctx, pid, 1, PersonInput("Mia Mgr-Smith", role=PersonRole.SUPPORT_MANAGER))
    assert escalation_contacts().support_manager == "Mia Mgr-Smith"
    set_active(ctx, pid, 2, False)
    assert escalation_contacts().support_manager is None


def test_contact_is_cleared_when_the_role_changes(db_path: Path, ctx: Context) -> None:
    pid = add_person(ctx, PersonInput("Mia Manager", role=PersonRole.SUPPORT_MANAGER))
    set_escalation_contact(ctx, PersonRole.SUPPORT_MANAGER, "Mia Manager")
    update_person(ctx, pid, 1, PersonInput("Mia Manager", role=PersonRole.TAM))
    assert escalation_contacts().support_manager is None
