"""Passwords and tokens in the OS keyring, with a session-only fallback when no keyring is usable.

Secrets never go to the database, QSettings or logs. When the keyring is missing (``NoKeyringError`` on a headless
Linux box, the fail or null backend) or refuses access (``KeyringLocked`` or another ``KeyringError``), the store
keeps secrets in memory for this session only, reports ``available = False`` and has a notice for the UI to show once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import Enum

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import KeyringError, PasswordDeleteError

log = logging.getLogger(__name__)

SERVICE = "tamdesk"
"""The keyring service name every tamdesk secret is stored under."""

NOTICE = "No keyring is available: passwords are kept for this session only and asked for again next time."

_FRIENDLY_NAMES = {
    "keyring.backends.SecretService": "Secret Service",
    "keyring.backends.libsecret": "libsecret",
    "keyring.backends.kwallet": "KWallet",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Manager",
}


class SecretName(Enum):
    """The secrets tamdesk keeps; each is qualified by an account such as ``ann@x.com@mail.x.com``."""

    SMTP_PASSWORD = "smtp-password"
    DATABASE_PASSWORD = "database-password"
    TRACKER_TOKEN = "tracker-token"
    CONNECTION_TOKEN = "connection-token"

    @property
    def label(self) -> str:
        """How a prompt names the secret ("SMTP password")."""
        return _LABELS[self]


_LABELS = {
    SecretName.SMTP_PASSWORD: "SMTP password",
    SecretName.DATABASE_PASSWORD: "team database password",
    SecretName.TRACKER_TOKEN: "engineering tracker token",
    SecretName.CONNECTION_TOKEN: "support system token",
}

SecretPrompt = Callable[[SecretName, str], str | None]
"""Asks the user for a missing secret (name, account); returns None when the user cancels."""


def describe_backend(backend: KeyringBackend) -> str:
    """A readable name of a keyring backend with its module, e.g. "Secret Service (keyring.backends.SecretService)"."""
    module = type(backend).__module__
    return f"{_FRIENDLY_NAMES.get(module, backend.name)} ({module})"


def is_usable(backend: KeyringBackend) -> bool:
    """False for the backends keyring picks when nothing real is installed (fail: raises, null: forgets)."""
    return not isinstance(backend, fail.Keyring | null.Keyring)


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


class SecretStore:
    """Named secrets in the OS keyring, or in memory for this session when the keyring is unusable.

    Thread-safe: background tasks may read a secret while the UI thread stores one.
    """

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        """Use ``backend``, or the keyring library's current backend (the in-memory one in tests).

        The keyring library's backend is looked for when a secret is first needed, not here: finding it takes a
        noticeable part of a second, and most starts of the app need no secret at all.
        """
        self._given = backend
        self._found: tuple[KeyringBackend, bool] | None = None
        self._refused = False
        self._session: dict[tuple[SecretName, str], str] = {}
        self._lock = threading.RLock()
        self._notice_taken = False

    def _find(self) -> tuple[KeyringBackend, bool]:
        with self._lock:
            if self._found is None:
                backend = self._given if self._given is not None else keyring.get_keyring()
                self._found = backend, is_usable(backend)
                if not self._found[1]:
                    log.warning("No usable keyring backend (%s); secrets are kept for this session only", backend.name)
            return self._found

    @property
    def _backend(self) -> KeyringBackend:
        return self._find()[0]

    @property
    def _available(self) -> bool:
        return self._find()[1]

    @_available.setter
    def _available(self, value: bool) -> None:
        self._found = self._find()[0], value

    def __repr__(self) -> str:
        return f"<SecretStore {self.backend_description()}, {len(self._session)} session secret(s)>"

    @property
    def available(self) -> bool:
        """True while secrets go to a working OS keyring."""
        return self._available

    @property
    def notice(self) -> str | None:
        """What Settings shows while secrets are kept for the session only; None when the keyring works."""
        return None if self._available else NOTICE

    def take_notice(self) -> str | None:
        """The notice the first time it is asked for while the keyring is unusable, then None: say it once."""
        with self._lock:
            if self._available or self._notice_taken:
                return None
            self._notice_taken = True
            return NOTICE

    def backend_description(self) -> str:
        """The keyring in use for Settings, e.g. "Secret Service (keyring.backends.SecretService)"."""
        if not is_usable(self._backend):
            return "none available"
        description = describe_backend(self._backend)
        return f"{description}, refused access" if self._refused else description

    def get(self, name: SecretName, account: str) -> str | None:
        """The stored secret, or None when it was never stored (or only in an earlier session without keyring)."""
        with self._lock:
            if self._available:
                try:
                    value = self._backend.get_password(SERVICE, _username(name, account))
                except KeyringError as exc:
                    self._fall_back(exc, None)
                else:
                    if value is not None:
                        return value
            return self._session.get((name, account))

    def set(self, name: SecretName, account: str, value: str) -> None:
        """Store a secret in the keyring, or for this session when the keyring is unusable.

        Raises:
            ValueError: ``value`` is empty (use :meth:`delete` to forget a secret).
        """
        if not value:
            raise ValueError(f"The {name.label} for {account} cannot be empty.")
        with self._lock:
            if self._available:
                try:
                    self._backend.set_password(SERVICE, _username(name, account), value)
                except KeyringError as exc:
                    self._fall_back(exc, value)
                else:
                    self._session.pop((name, account), None)
                    return
            self._session[(name, account)] = value

    def delete(self, name: SecretName, account: str) -> None:
        """Forget a secret wherever it is kept; forgetting a missing secret is not an error."""
        with self._lock:
            self._session.pop((name, account), None)
            if not self._available:
                return
            try:
                self._backend.delete_password(SERVICE, _username(name, account))
            except PasswordDeleteError:
                pass  # it was not stored
            except KeyringError as exc:
                self._fall_back(exc, None)

    def require(self, name: SecretName, account: str, prompt: SecretPrompt | None) -> str | None:
        """The stored secret, or else ask ``prompt`` and store the answer; None when there is none and no answer."""
        value = self.get(name, account)
        if value is not None or prompt is None:
            return value
        answer = prompt(name, account)
        if not answer:
            return None
        self.set(name, account, answer)
        return answer

    def _fall_back(self, exc: KeyringError, secret: str | None) -> None:
        """Switch to session memory for the rest of the session; log the reason (never the secret) once."""
        self._available = False
        self._refused = True
        reason = _scrub(str(exc), secret) or "no reason given"
        log.warning(
            "The keyring %s refused access (%s: %s); secrets are kept for this session only",
            describe_backend(self._backend),
            type(exc).__name__,
            reason,
        )


def _username(name: SecretName, account: str) -> str:
    return f"{name.value}:{account}"
