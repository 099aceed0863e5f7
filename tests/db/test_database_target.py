"""One way to open a database (issue 14, item 1 and 6): a URL stays a URL, a password is never shown, and only
creating commands create."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tamdesk.models import DatabaseError
from tamdesk.models import tables as t
from tamdesk.services.database import (
    DatabaseTarget,
    close_database,
    database_target,
    open_database,
    verify_database_file,
)

pytestmark = pytest.mark.sqlite_only
SECRET = "s3cr3t-Pa55"


def _free_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("postgresql://ana:pw@db.example.com:6543/team", "postgresql://ana:***@db.example.com:6543/team"),
        ("postgres://ana@db.example.com/team", "postgresql://ana@db.example.com:5432/team"),
        ("POSTGRESQL://ana:p%40ss@[::1]:5433/team", "postgresql://ana:***@::1:5433/team"),
    ],
)
def test_a_team_address_stays_an_address(text: str, label: str) -> None:
    target = database_target(text)
    assert target.path is None and target.team is not None
    assert target.label == label
    assert "pw" not in repr(target) and "p@ss" not in repr(target)


@pytest.mark.parametrize(
    ("text", "path"),
    [("~/tamdesk.db", "~/tamdesk.db"), ("sqlite:///tmp/x.db", Path("/tmp/x.db")), ("a:b.db", "a:b.db")],
)
def test_a_path_or_sqlite_address_is_a_file(text: str, path: Path | str) -> None:
    assert database_target(text).path == Path(path).expanduser()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (f"postgresql://ana:{SECRET}@host:abc/team", "port that is not a number"),
        (f"postgresql://ana:{SECRET}@host:99999/team", "port that is not a number"),
        (f"postgresql://ana:{SECRET}@/team", "names no server"),
        (f"postgresql://ana:{SECRET}@host:5432", "names no database"),
        (f"postgresql:/ana:{SECRET}@host:5432/team", "not a team database address"),
        (f"mysql://ana:{SECRET}@host/team", "not an address tamdesk opens"),
        ("sqlite://host/x.db", "not a file address"),
        ("   ", "empty"),
    ],
)
def test_a_malformed_address_is_refused_without_its_password(text: str, says: str) -> None:
    with pytest.raises(DatabaseError, match=says) as info:
        database_target(text)
    assert SECRET not in str(info.value)


def test_environment_url_is_a_team_database_not_a_local_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The blocker: TAMDESK_DB=postgresql://… used to become ./postgresql:/user:password@host:port/db."""
    monkeypatch.chdir(tmp_path)
    url = f"postgresql://ana:{SECRET}@127.0.0.1:{_free_port()}/team"
    env = {**os.environ, "TAMDESK_DB": url, "PYTHONPATH": os.pathsep.join(sys.path)}
    for command in (["check"], ["demo", "--customers", "1", "--tickets", "0"], ["init"]):
        result = subprocess.run(
            [sys.executable, "-m", "tamdesk", *command], capture_output=True, text=True, env=env, timeout=60
        )
        assert result.returncode == 1, result.stdout
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert "cannot be reached" in result.stderr
        assert SECRET not in result.stderr + result.stdout
    assert list(tmp_path.iterdir()) == []  # no file, no folder named after the address


def test_a_missing_file_is_not_created_by_an_ordinary_command(tmp_path: Path) -> None:
    typo = tmp_path / "tamdeks.db"
    for command in (
        ["check"],
        ["export", "sla", "--out", str(tmp_path / "sla.xlsx")],
        ["seats", "list", "--customer", "A"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "tamdesk", "--db", str(typo), *command],
            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )  # fmt: skip
        assert result.returncode == 1
        assert f"No tamdesk database at {typo}." in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_open_database_creates_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with pytest.raises(DatabaseError, match="No tamdesk database at"):
        open_database(path)
    assert not path.exists()
    open_database(DatabaseTarget(path=path), create=True)
    close_database()
    assert open_database(path).from_version > 0
    close_database()


def test_an_empty_sqlite_file_is_not_a_tamdesk_database(tmp_path: Path) -> None:
    """`check` used to pass a database with no tables."""
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    path.touch()
    with pytest.raises(DatabaseError, match="not a tamdesk database yet"):
        open_database(path)
    result = subprocess.run(
        [sys.executable, "-m", "tamdesk", "--db", str(path), "check"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    assert result.returncode == 1 and "not a tamdesk database yet" in result.stderr


def test_check_names_missing_tables(tmp_path: Path) -> None:
    from tamdesk.services.database import check_database

    open_database(tmp_path / "a.db", create=True)
    try:
        t.Customer._meta.database.execute_sql("DROP TABLE import_mapping")
        result = check_database()
        assert not result.ok and "tables missing: import_mapping" in result.summary
    finally:
        close_database()


def test_a_database_deleted_while_in_use_is_not_reported_as_saved(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    open_database(path, create=True)
    try:
        verify_database_file()
        path.unlink()
        with pytest.raises(DatabaseError, match="was deleted while tamdesk was using it"):
            verify_database_file()
    finally:
        close_database()


def test_a_database_deleted_during_an_import_fails_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tamdesk.__main__ import main
    from tamdesk.cli import customers

    path = tmp_path / "a.db"
    assert main(["--db", str(path), "init"]) == 0
    real = customers.import_customers

    def import_while_someone_deletes_the_file(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        path.unlink()
        return result

    monkeypatch.setattr(customers, "import_customers", import_while_someone_deletes_the_file)
    source = tmp_path / "c.csv"
    source.write_text("Name\nAcme\n")
    capsys.readouterr()
    assert main(["--db", str(path), "import", "customers", str(source)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "was deleted while tamdesk was using it" in err
