"""The user's name: kept per user on this computer, shared by the app and the commands (services.identity)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tamdesk.__main__ import main
from tamdesk.models import tables as t
from tamdesk.services import identity
from tamdesk.services.identity import NameSource, adopt_name, current_name, identity_file, save_name


@pytest.mark.parametrize(
    ("account", "saved", "expected"),
    [
        ("", "", (identity.login_name(), NameSource.LOGIN)),
        ("Tess Tam", "", ("Tess Tam", NameSource.ACCOUNT)),
        ("  Tess   Tam ", "", ("Tess Tam", NameSource.ACCOUNT)),
        (identity.login_name().upper(), "", (identity.login_name(), NameSource.LOGIN)),  # no full name, just again
        ("Tess Tam", "Tessa T. Tam", ("Tessa T. Tam", NameSource.SAVED)),
        ("", "Åsa Berg", ("Åsa Berg", NameSource.SAVED)),
    ],
)
def test_where_the_name_comes_from(
    monkeypatch: pytest.MonkeyPatch, account: str, saved: str, expected: tuple[str, NameSource]
) -> None:
    monkeypatch.setattr(identity, "_system_full_name", lambda: account)
    if saved:
        save_name(saved)
    me = identity.identity()
    assert (me.name, me.source) == expected


def test_a_damaged_file_counts_as_no_name_and_saving_replaces_it_whole() -> None:
    path = identity_file()
    path.parent.mkdir(parents=True)
    path.write_text('{"name": "Tess', encoding="utf-8")
    assert current_name() == identity.login_name()
    save_name("Tess Tam", asked=True)
    assert identity.identity().asked and current_name() == "Tess Tam"
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no partial file left beside it


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 121, "A name can have at most 120 characters (this one has 121)."),
        ("Tess\x1b[2JTam", "The name 'Tess\\x1b[2JTam' holds a control character; type it again."),
    ],
)
def test_a_bad_name_is_refused_and_nothing_is_saved(text: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        save_name(text)
    assert str(refused.value) == message
    assert not identity_file().exists()


def test_a_name_an_older_tamdesk_kept_in_the_database_is_adopted_once() -> None:
    assert adopt_name("Tess Tam") is True
    assert adopt_name("Someone Else") is False  # this computer has a name now
    assert current_name() == "Tess Tam"


def test_the_commands_record_changes_with_the_saved_name(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    assert main(["--db", str(db), "init"]) == 0
    source = tmp_path / "customers.csv"
    source.write_text("Name\nAcme\n", encoding="utf-8")
    save_name("Tess Tam")
    assert main(["--db", str(db), "import", "customers", str(source)]) == 0
    from tamdesk.services.database import close_database, open_database

    open_database(db)
    try:
        assert {e.actor for e in t.AuditEntry.select().where(t.AuditEntry.entity == "customer")} == {"Tess Tam"}
    finally:
        close_database()
