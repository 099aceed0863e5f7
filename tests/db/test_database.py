"""Opening, migrating, checking and backing up the database, including the files it must refuse."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tamdesk.models import SCHEMA_VERSION, DatabaseError, SchemaTooNew, database_label
from tamdesk.models import tables as t
from tamdesk.services.database import (
    backup_database,
    check_database,
    close_database,
    database_target,
    default_database_path,
    open_database,
)

pytestmark = pytest.mark.sqlite_only


def test_new_database_is_created_migrated_and_seeded(tmp_path: Path) -> None:
    opened = open_database(tmp_path / "sub" / "new.db", create=True)
    try:
        assert (opened.from_version, opened.to_version, opened.backup) == (0, SCHEMA_VERSION, None)
        assert t.SlaPolicy.get(t.SlaPolicy.name == "Standard").revisions.count() == 1
        assert t.OnboardingTemplateStep.select().count() == 10
        assert database_label() == str(tmp_path / "sub" / "new.db")
    finally:
        close_database()


def test_pragmas_wal_and_foreign_keys(db_path: Path) -> None:
    db = t.Customer._meta.database
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_reopening_does_not_migrate_again(db_path: Path) -> None:
    close_database()
    opened = open_database(db_path)
    assert (opened.from_version, opened.backup) == (SCHEMA_VERSION, None)


def test_default_path_is_in_user_data_folder_and_env_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert default_database_path().name == "tamdesk.db"
    assert "tamdesk" in str(default_database_path().parent)
    assert database_target().path == default_database_path()
    monkeypatch.setenv("TAMDESK_DB", str(tmp_path / "team.db"))
    assert database_target().path == tmp_path / "team.db"


def _file_bytes(path: Path) -> bytes:
    return path.read_bytes()


def test_newer_schema_is_refused_and_left_unchanged(db_path: Path) -> None:
    t.SchemaInfo.create(version=SCHEMA_VERSION + 1, app_version="99.0")
    close_database()
    before = _file_bytes(db_path)
    with pytest.raises(SchemaTooNew, match="newer tamdesk .*left unchanged"):
        open_database(db_path)
    assert _file_bytes(db_path) == before


def test_not_a_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("just some notes")
    with pytest.raises(DatabaseError, match=r"notes\.db.*not a tamdesk database"):
        open_database(path)
    assert path.read_text() == "just some notes"


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE songs (title TEXT)")
    with pytest.raises(DatabaseError, match="not a tamdesk database"):
        open_database(path)


def test_read_only_file_is_refused(db_path: Path) -> None:
    close_database()
    db_path.chmod(0o444)
    try:
        with pytest.raises(DatabaseError, match=r"tamdesk\.db: the file is read-only"):
            open_database(db_path)
    finally:
        db_path.chmod(0o644)


def test_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(DatabaseError, match="folder .*locked is not writable"):
            open_database(folder / "new.db", create=True)
        assert not (folder / "new.db").exists()
    finally:
        folder.chmod(0o755)


def test_folder_instead_of_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="it is a folder"):
        open_database(tmp_path)


def test_failed_switch_keeps_the_open_database(db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("nope")
    with pytest.raises(DatabaseError):
        open_database(bad)
    assert database_label() == str(db_path)
    assert t.SlaPolicy.select().count() == 1


def test_check_passes_on_a_healthy_database(db_path: Path) -> None:
    result = check_database()
    assert result.ok
    assert result.summary == f"Database OK: integrity check passed, schema version {SCHEMA_VERSION}."


def test_check_reports_dangling_references(db_path: Path) -> None:
    db = t.Customer._meta.database
    db.execute_sql("PRAGMA foreign_keys = OFF")
    db.execute_sql("INSERT INTO portal_seat (customer_id, seat_no, full_name, email, mailbox_key, job_title, phone, "
                   "status, requested_at, revoke_reason, version) VALUES (999, 1, 'A', 'a@x.com', 'a@x.com', '', '', "
                   "'requested', 0, '', 1)")  # fmt: skip
    result = check_database()
    assert not result.ok
    assert "point at missing records" in result.summary


def test_backup_copies_a_consistent_database(db_path: Path, tmp_path: Path) -> None:
    target = backup_database(tmp_path / "backup.db")
    with sqlite3.connect(target) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM onboarding_template_step").fetchone()[0] == 10
    assert not list(tmp_path.glob(".*.partial"))


def test_backup_to_missing_folder_says_so(db_path: Path, tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match=r"Cannot write .*backup\.db: the folder .*missing does not exist"):
        backup_database(tmp_path / "missing" / "backup.db")


def test_backup_onto_itself_is_refused(db_path: Path) -> None:
    with pytest.raises(DatabaseError, match="onto itself"):
        backup_database(db_path)
