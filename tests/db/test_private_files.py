"""Private by default: tamdesk's data folder 0700, the database and its -wal/-shm 0600 (POSIX only)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from tamdesk.services.database import close_database, open_database
from tamdesk.services.db_lock import hold_database
from tamdesk.services.private_files import private_folder, remove_stale

pytestmark = [pytest.mark.sqlite_only, pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # files would be 0644 and folders 0755 without the fix
    yield
    os.umask(previous)


def test_the_open_database_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o755)
    db = folder / "book.db"
    open_database(
        db, create=True
    )  # the app and the CLI hold the database once open (open_database calls hold_database)
    with hold_database(db, "tamdesk check"):
        assert {name: mode(folder / name) for name in ("book.db", "book.db-wal", "book.db-shm")} == {
            "book.db": 0o600,
            "book.db-wal": 0o600,
            "book.db-shm": 0o600,
        }
        assert mode(folder / "book.db.lock") == 0o700
    close_database()
    assert mode(folder) == 0o755  # a folder the user chose keeps its permissions


def test_tamdesks_data_folder_is_private(isolated_dirs: Path) -> None:
    folder = Path(platformdirs.user_data_dir("tamdesk", appauthor=False))
    db = folder / "tamdesk.db"
    open_database(db, create=True)
    with hold_database(db, "the tamdesk app"):
        assert mode(folder) == 0o700
        assert mode(db) == 0o600
    close_database()


def test_private_folder_tightens_only_new_or_tamdesks_own_folders(tmp_path: Path, isolated_dirs: Path) -> None:
    mine = tmp_path / "Documents"
    mine.mkdir(mode=0o755)
    private_folder(mine)
    assert mode(mine) == 0o755
    assert mode(private_folder(tmp_path / "new" / "inner")) == 0o700
    log = Path(platformdirs.user_log_dir("tamdesk", appauthor=False))
    log.mkdir(parents=True, mode=0o755)
    private_folder(log)
    assert mode(log) == 0o700


def test_remove_stale_takes_only_matching_old_files(tmp_path: Path) -> None:
    import re
    import time

    pattern = re.compile(r"\..+\.tmp")
    old, new, other = tmp_path / ".a.tmp", tmp_path / ".b.tmp", tmp_path / "c.txt"
    for path in (old, new, other):
        path.write_text("x")
    past = time.time() - 7200
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    (tmp_path / ".folder.tmp").mkdir()
    os.utime(tmp_path / ".folder.tmp", (past, past))
    assert remove_stale(tmp_path, pattern) == [old]
    assert new.exists() and other.exists() and (tmp_path / ".folder.tmp").is_dir()
