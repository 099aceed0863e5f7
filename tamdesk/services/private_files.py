"""Files that hold customer data are private to the user, and temporary ones never outlive a failure for long.

tamdesk's own folders (data, log, settings) are 0700 and its files (database, backups, log, settings) 0600 on
POSIX systems. A folder the user chose for a database or an export keeps its permissions: only files are
tightened there. On Windows the user's profile folders are private already and ``chmod`` cannot say more.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import platformdirs

APP_NAME = "tamdesk"
STALE_AFTER = 3600.0
"""Seconds after which a temporary file of ours is a leftover of a killed process, not work in progress."""

_POSIX = os.name != "nt"


def app_folders() -> tuple[Path, ...]:
    """The folders tamdesk owns: the user's data, log and config folders for tamdesk."""
    return (
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
    )


def make_private(path: Path) -> None:
    """Take group and other permissions off ``path`` (0600 for a file, 0700 for a folder); a no-op on Windows."""
    if not _POSIX:
        return
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            path.chmod(mode & 0o700)
    except OSError:  # missing, or someone else's file (a shared folder): best effort, never a failure
        pass


def private_folder(folder: Path) -> Path:
    """Create ``folder`` (and missing parents) as 0700; an existing folder is tightened only if tamdesk owns it."""
    existed = folder.is_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not existed or folder.resolve() in {f.resolve() for f in app_folders()}:
        make_private(folder)
    return folder


def create_private(path: Path) -> bool:
    """Create ``path`` as an empty 0600 file; False when it already exists (never overwritten)."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return False
    return True


def make_database_private(db_path: Path) -> None:
    """The SQLite file and its -wal, -shm and -journal at 0600, and tamdesk's data folder at 0700.

    SQLite creates a missing -wal or -shm with the permissions of the database file, so they follow it.
    """
    db_path = Path(db_path)
    for suffix in ("", "-wal", "-shm", "-journal"):
        make_private(Path(f"{db_path}{suffix}"))
    try:
        if db_path.parent.resolve() == app_folders()[0].resolve():
            make_private(db_path.parent)
    except OSError:
        pass


def remove_stale(folder: Path, pattern: re.Pattern[str], older_than: float = STALE_AFTER) -> list[Path]:
    """Delete files in ``folder`` whose name matches ``pattern`` and that nobody touched for ``older_than`` s."""
    removed: list[Path] = []
    cutoff = time.time() - older_than
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed
