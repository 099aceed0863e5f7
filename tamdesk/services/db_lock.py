"""Who has a SQLite database open, across processes: many may share it, exclusive work (restore) needs it alone.

Beside ``tamdesk.db`` lives the folder ``tamdesk.db.lock/``. Every process that opens the database puts a
*presence file* there (``<pid>-<random>``, holding its pid and program) and keeps an OS lock on it while the
database is open. The file ``exclusive`` in the same folder is the gate: a newcomer locks it for a moment to
join, and exclusive work keeps it locked for its whole duration, so nobody joins meanwhile, and looks at every
presence file: one whose lock it can take belongs to a process that died (it is removed); one it cannot take
names who has the database open. A process never blocks itself: its own presence files are skipped.

Only exclusive locks on whole files are used (``flock`` on POSIX, ``msvcrt.locking`` on Windows), which every
platform has; the OS drops them when a process dies, however it dies. SQLite's own locks cannot serve: in WAL
mode a ``BEGIN EXCLUSIVE`` does not wait for readers, and they do not say who holds them.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tamdesk.models import DatabaseError
from tamdesk.services.private_files import make_database_private, private_folder

WAIT = 2.0
"""Seconds to wait for the gate, which a process joining holds for a few milliseconds."""

_GATE = "exclusive"
_POLL = 0.02

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    _FAR = 1 << 30  # lock a byte far past the text, which stays readable (Windows locks are mandatory)

    def _try_lock(fh: IO[bytes]) -> bool:
        fh.seek(_FAR)
        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fh: IO[bytes]) -> None:
        fh.seek(_FAR)
        with suppress(OSError):
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fh: IO[bytes]) -> bool:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(fh: IO[bytes]) -> None:
        with suppress(OSError):
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@dataclass(frozen=True)
class Holder:
    """A process that has the database open: ``the tamdesk app (pid 1234)``."""

    pid: int
    program: str

    def __str__(self) -> str:
        return f"{self.program} (pid {self.pid})"


class DatabaseInUse(DatabaseError):
    """Exclusive work was refused (or a process could not join) because another process holds the database."""

    def __init__(self, message: str, holders: tuple[Holder, ...]) -> None:
        super().__init__(message)
        self.holders = holders


def lock_folder(db_path: str | os.PathLike[str]) -> Path:
    """``<db>.lock/`` beside the database."""
    path = Path(db_path).expanduser().resolve()
    return path.with_name(f"{path.name}.lock")


_registry_lock = threading.Lock()
_own_presence: set[Path] = set()  # presence files of this process
_own_exclusive: dict[Path, int] = {}  # lock folder -> depth, while this process works exclusively


class DatabaseHold:
    """This process's presence on a database; :meth:`release` (or leaving the ``with`` block) ends it."""

    def __init__(self, db_path: Path, file: Path, handle: IO[bytes]) -> None:
        self.db_path = db_path
        self._file = file
        self._handle: IO[bytes] | None = handle

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        """Idempotent: close the presence file (dropping its lock) and remove it."""
        with _registry_lock:
            handle, self._handle = self._handle, None
            _own_presence.discard(self._file)
        if handle is None:
            return
        _unlock(handle)
        handle.close()
        with suppress(OSError):
            self._file.unlink()

    def __enter__(self) -> DatabaseHold:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def hold_database(db_path: str | os.PathLike[str], holder: str) -> DatabaseHold:
    """Say that this process (``holder``: "the tamdesk app", "tamdesk import tickets") has ``db_path`` open.

    Call it once the SQLite file exists (after connecting), keep the handle while the database is open and
    release it on close. It also makes the database and its -wal/-shm files private (0600).

    Raises:
        DatabaseInUse: another process is doing exclusive work on the database (a restore); the message names it.
    """
    path = Path(db_path).expanduser().resolve()
    folder = _prepare(path)
    make_database_private(path)
    with _gate(folder, path, action=None) if folder not in _own_exclusive else _nothing():
        while True:
            name = folder / f"{os.getpid()}-{secrets.token_hex(6)}"
            try:
                fd = os.open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
            except FileExistsError:
                continue
            except OSError as exc:
                raise DatabaseError(f"Cannot open {path}: cannot write in {folder} ({exc.strerror}).") from None
            break
        handle = os.fdopen(fd, "r+b")
        if not _try_lock(handle):  # nobody else knows the name yet; only a broken file system says no
            handle.close()
            name.unlink(missing_ok=True)
            raise DatabaseError(f"Cannot open {path}: its folder does not support file locks.")
        handle.seek(0)
        handle.write(json.dumps({"pid": os.getpid(), "program": holder}).encode())
        handle.flush()
    with _registry_lock:
        _own_presence.add(name)
    return DatabaseHold(path, name, handle)


@contextmanager
def exclusive(db_path: str | os.PathLike[str], holder: str, action: str = "restore") -> Iterator[None]:
    """Have ``db_path`` alone for the ``with`` block: no other process has it open, nor may open it meanwhile.

    This process's own presence (the app restoring its own database) does not count. ``action`` says what is
    done, in the messages: ``Cannot restore …`` to the caller, ``(restore in progress)`` to a process that tries
    to open the database meanwhile.

    Raises:
        DatabaseInUse: another process has the database open, or works on it exclusively; the message names it.
    """
    path = Path(db_path).expanduser().resolve()
    folder = _prepare(path)
    if folder in _own_exclusive:
        _own_exclusive[folder] += 1
        try:
            yield
        finally:
            _own_exclusive[folder] -= 1
        return
    with _gate(folder, path, action=action, holder=holder):
        others = holders(path, remove_stale=True)
        if others:
            names = " and ".join(str(h) for h in others)
            raise DatabaseInUse(f"Cannot {action} {path}: it is open in {names}; close it there and try again.", others)
        _own_exclusive[folder] = 1
        try:
            yield
        finally:
            del _own_exclusive[folder]


def holders(db_path: str | os.PathLike[str], *, remove_stale: bool = False) -> tuple[Holder, ...]:
    """The other processes that have ``db_path`` open (this process is never listed).

    With ``remove_stale`` the presence files of processes that died are deleted; only do that holding the gate,
    or a process that is just joining could lose its file.
    """
    folder = lock_folder(db_path)
    found: list[Holder] = []
    try:
        names = sorted(p for p in folder.iterdir() if p.name != _GATE)
    except OSError:
        return ()
    for name in names:
        if name in _own_presence:
            continue
        try:
            handle = name.open("r+b")
        except OSError:
            continue
        with handle:
            if _try_lock(handle):
                _unlock(handle)
                stale = True
            else:
                stale = False
                found.append(_read_holder(handle, name))
        if stale and remove_stale:
            with suppress(OSError):
                name.unlink()
    return tuple(found)


def _read_holder(handle: IO[bytes], name: Path) -> Holder:
    handle.seek(0)
    try:
        data = json.loads(handle.read(4096).decode("utf-8", "replace") or "{}")
        return Holder(int(data["pid"]), str(data["program"]))
    except (ValueError, KeyError, TypeError):
        pid = name.name.split("-", 1)[0]
        return Holder(int(pid) if pid.isdigit() else 0, "another tamdesk program")


def _prepare(path: Path) -> Path:
    folder = lock_folder(path)
    try:
        private_folder(folder)
    except OSError as exc:
        raise DatabaseError(f"Cannot open {path}: cannot create {folder} ({exc.strerror}).") from None
    return folder


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def _gate(folder: Path, path: Path, action: str | None, holder: str = "") -> Iterator[None]:
    """Lock the gate, waiting up to :data:`WAIT` s; exclusive work writes who it is into it for the refused."""
    gate = folder / _GATE
    try:
        fd = os.open(gate, os.O_CREAT | os.O_RDWR, 0o600)
    except OSError as exc:
        raise DatabaseError(f"Cannot open {path}: cannot write in {folder} ({exc.strerror}).") from None
    handle = os.fdopen(fd, "r+b")
    try:
        deadline = time.monotonic() + WAIT
        while not _try_lock(handle):
            if time.monotonic() > deadline:
                raise _gate_refusal(handle, path, action)
            time.sleep(_POLL)
        try:
            if action is not None:
                _write_gate(handle, {"pid": os.getpid(), "program": holder, "action": action})
            yield
        finally:
            if action is not None:
                _write_gate(handle, None)
            _unlock(handle)
    finally:
        handle.close()


def _write_gate(handle: IO[bytes], data: dict[str, object] | None) -> None:
    handle.seek(0)
    handle.truncate()
    if data is not None:
        handle.write(json.dumps(data).encode())
    handle.flush()


def _gate_refusal(handle: IO[bytes], path: Path, action: str | None) -> DatabaseInUse:
    handle.seek(0)
    try:
        data = json.loads(handle.read(4096).decode("utf-8", "replace") or "{}")
        other = Holder(int(data["pid"]), str(data["program"]))
        doing = str(data["action"])
    except (ValueError, KeyError, TypeError):
        other, doing = Holder(0, "another tamdesk program"), "exclusive work"
    verb = f"{action}" if action else "open"
    who = str(other) if other.pid else other.program
    return DatabaseInUse(
        f"Cannot {verb} {path}: {who} has it locked ({doing} in progress); try again when it has finished.", (other,)
    )
