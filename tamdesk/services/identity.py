"""Who the user is: the name every change is recorded with ("Done by …", the audit trail, Today's "my customers").

Kept per user on this computer, in the user's config folder, and not in the database: a team database is shared by
every TAM, so a name stored there would be everyone's. The app and the commands read the same file, so a change
in Settings › You applies to both at once. Without a saved name, the full name of the computer account is used
(the GECOS field on Linux and macOS, the display name on Windows), and failing that the login name.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import platformdirs

from tamdesk.domain.text import visible

APP_NAME = "tamdesk"
FILE_NAME = "identity.json"
MAX_NAME = 120


class NameSource(StrEnum):
    SAVED = "saved"  # typed by the user (Settings › You, or the question at the first start)
    ACCOUNT = "account"  # the full name of the computer account
    LOGIN = "login"  # the login name, when the account has no full name


@dataclass(frozen=True)
class Identity:
    name: str
    source: NameSource
    asked: bool  # the user was asked for their name once (at the first start); never asked again


def identity_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / FILE_NAME


def login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "tamdesk"


def account_full_name() -> str:
    """The full name of the computer account, or "" when it has none (or only repeats the login name)."""
    name = " ".join(_system_full_name().split())
    return "" if name.casefold() == login_name().casefold() else name


def _system_full_name() -> str:
    if sys.platform == "win32":
        return _windows_display_name()
    with contextlib.suppress(ImportError, KeyError, OSError):
        import pwd

        # GECOS: "Full Name,Room,Work phone,Home phone,Other"
        return pwd.getpwuid(os.getuid()).pw_gecos.split(",")[0]
    return ""


def _windows_display_name() -> str:  # pragma: no cover - Windows only
    import ctypes

    name_display = 3  # EXTENDED_NAME_FORMAT.NameDisplay
    size = ctypes.c_ulong(0)
    secur32 = ctypes.windll.secur32  # type: ignore[attr-defined]
    secur32.GetUserNameExW(name_display, None, ctypes.byref(size))
    if not size.value:
        return ""
    buffer = ctypes.create_unicode_buffer(size.value)
    if not secur32.GetUserNameExW(name_display, buffer, ctypes.byref(size)):
        return ""
    return str(buffer.value)


def _read() -> dict[str, object]:
    try:
        data = json.loads(identity_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, unreadable or damaged: as if never saved
        return {}
    return data if isinstance(data, dict) else {}


def saved_name() -> str:
    """The name the user saved, "" when none."""
    name = _read().get("name")
    return " ".join(name.split())[:MAX_NAME] if isinstance(name, str) else ""


def identity() -> Identity:
    """The user's name and where it comes from."""
    data = _read()
    asked = data.get("asked") is True
    saved = saved_name()
    if saved:
        return Identity(saved, NameSource.SAVED, asked)
    account = account_full_name()
    if account:
        return Identity(account, NameSource.ACCOUNT, asked)
    return Identity(login_name(), NameSource.LOGIN, asked)


def current_name() -> str:
    """The name changes are recorded with."""
    return identity().name


def directory_name() -> str:
    """The name to look for among the TAMs of the people directory ("my customers"); "" when the user has
    none but a login name, which is nobody's name there."""
    me = identity()
    return "" if me.source is NameSource.LOGIN else me.name


def check_name(text: str) -> str:
    """The name as it will be saved (spaces collapsed), or ValueError with the reason."""
    name = " ".join(text.split())
    if len(name) > MAX_NAME:
        raise ValueError(f"A name can have at most {MAX_NAME} characters (this one has {len(name)}).")
    if any(not ch.isprintable() for ch in name):
        raise ValueError(f"The name '{visible(name)}' holds a control character; type it again.")
    return name


def save_name(text: str, *, asked: bool | None = None) -> Identity:
    """Save the user's name ("" forgets it: the account's name is used again); written whole or not at all.

    Raises:
        ValueError: the name is too long or holds a control character.
        OSError: the config folder cannot be written.
    """
    name = check_name(text)
    data = _read()
    data["name"] = name
    if asked is not None:
        data["asked"] = asked
    path = identity_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)
    return identity()


def adopt_name(name: str) -> bool:
    """Keep a name an older tamdesk saved in a database (its ``user_name`` setting) as this user's, when this
    computer has none saved yet. True when it was adopted."""
    with contextlib.suppress(ValueError, OSError):
        if not saved_name() and check_name(name):
            save_name(name)
            return True
    return False
