"""Secrets in the keyring, and the session-only fallback when the keyring is missing or refuses access."""

from __future__ import annotations

import logging

import keyring.backend
import pytest
from keyring.backends import SecretService, fail, null
from keyring.errors import KeyringLocked, NoKeyringError, PasswordSetError

from tamdesk.secrets import NOTICE, SERVICE, SecretName, SecretStore, describe_backend
from tests.conftest import MemoryKeyring

SMTP = SecretName.SMTP_PASSWORD
ACCOUNT = "ann@x.com@mail.x.com"
VALUE = "correct horse battery staple"
REFUSED = "RefusingKeyring (tests.unit.test_secrets), refused access"


class RefusingKeyring(keyring.backend.KeyringBackend):
    """A keyring that exists but raises ``error`` on every call, quoting the password when it has one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, error: type[Exception]) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error("The collection is locked.")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error(f"Could not store '{password}' for {username}.")

    def delete_password(self, service: str, username: str) -> None:
        raise self.error("The collection is locked.")


def test_set_get_delete_in_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore()
    store.set(SMTP, ACCOUNT, VALUE)
    assert memory_keyring.store == {(SERVICE, f"smtp-password:{ACCOUNT}"): VALUE}
    assert store.get(SMTP, ACCOUNT) == VALUE
    assert SecretStore().get(SMTP, ACCOUNT) == VALUE  # the next session finds it
    store.delete(SMTP, ACCOUNT)
    assert store.get(SMTP, ACCOUNT) is None
    store.delete(SMTP, ACCOUNT)  # forgetting a missing secret is fine
    assert (store.available, store.notice, store.take_notice()) == (True, None, None)
    assert store.backend_description() == "conftest MemoryKeyring (tests.conftest)"


def test_names_and_accounts_do_not_clash() -> None:
    store = SecretStore()
    store.set(SMTP, "ann@mail.x.com", "one")
    store.set(SMTP, "bob@mail.x.com", "two")
    store.set(SecretName.DATABASE_PASSWORD, "ann@mail.x.com", "three")
    assert store.get(SMTP, "ann@mail.x.com") == "one"
    assert store.get(SMTP, "bob@mail.x.com") == "two"
    assert store.get(SecretName.DATABASE_PASSWORD, "ann@mail.x.com") == "three"
    assert store.get(SecretName.TRACKER_TOKEN, "ann@mail.x.com") is None


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="SMTP password for ann@x.com cannot be empty"):
        SecretStore().set(SMTP, "ann@x.com", "")


@pytest.mark.parametrize(
    ("backend", "description"),
    [
        pytest.param(fail.Keyring(), "none available", id="no-keyring"),
        pytest.param(null.Keyring(), "none available", id="null-keyring"),
        pytest.param(
            RefusingKeyring(NoKeyringError),
            "RefusingKeyring (tests.unit.test_secrets), refused access",
            id="raises-NoKeyringError",
        ),
        pytest.param(RefusingKeyring(KeyringLocked), REFUSED, id="locked"),
        pytest.param(
            RefusingKeyring(PasswordSetError),
            "RefusingKeyring (tests.unit.test_secrets), refused access",
            id="refuses-writes",
        ),
    ],
)
def test_without_a_usable_keyring_secrets_live_for_the_session(
    backend: keyring.backend.KeyringBackend, description: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = SecretStore(backend)
    store.set(SMTP, ACCOUNT, VALUE)
    assert store.get(SMTP, ACCOUNT) == VALUE
    assert (store.available, store.notice) == (False, NOTICE)
    assert store.take_notice() == NOTICE
    assert store.take_notice() is None  # said once
    assert description in store.backend_description()
    store.set(SMTP, "bob@mail.x.com", VALUE)
    assert len([r for r in caplog.records if r.levelno == logging.WARNING and r.name == "tamdesk.secrets"]) == 1
    assert SecretStore(backend).get(SMTP, ACCOUNT) is None  # asked again next session
    store.delete(SMTP, ACCOUNT)
    assert store.get(SMTP, ACCOUNT) is None


def test_a_keyring_that_refuses_reads_falls_back_and_says_why(caplog: pytest.LogCaptureFixture) -> None:
    store = SecretStore(RefusingKeyring(KeyringLocked))
    assert store.available  # nothing is known until the keyring is used
    assert store.get(SMTP, ACCOUNT) is None
    assert not store.available
    assert store.backend_description() == "test secrets RefusingKeyring (tests.unit.test_secrets), refused access"
    assert "KeyringLocked: The collection is locked." in caplog.text


def test_the_secret_never_reaches_logs_repr_or_messages(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = SecretStore(RefusingKeyring(PasswordSetError))  # its error message quotes the password
    store.set(SMTP, ACCOUNT, VALUE)
    assert store.get(SMTP, ACCOUNT) == VALUE
    assert "Could not store '***'" in caplog.text
    texts = [repr(store), str(store), caplog.text, *(record.getMessage() for record in caplog.records)]
    assert not [text for text in texts if VALUE in text]


def test_require_asks_only_when_the_secret_is_missing() -> None:
    store = SecretStore()
    asked: list[tuple[SecretName, str]] = []

    def prompt(name: SecretName, account: str) -> str | None:
        asked.append((name, account))
        return VALUE

    assert store.require(SMTP, ACCOUNT, prompt) == VALUE
    assert store.require(SMTP, ACCOUNT, prompt) == VALUE
    assert asked == [(SMTP, ACCOUNT)]
    assert store.get(SMTP, ACCOUNT) == VALUE


@pytest.mark.parametrize("answer", [None, ""])
def test_require_when_the_user_cancels(answer: str | None) -> None:
    store = SecretStore()
    assert store.require(SMTP, ACCOUNT, lambda name, account: answer) is None
    assert store.require(SMTP, ACCOUNT, None) is None
    assert store.get(SMTP, ACCOUNT) is None


def test_backend_names_read_well() -> None:
    assert describe_backend(SecretService.Keyring()) == "Secret Service (keyring.backends.SecretService)"
    assert SecretName.TRACKER_TOKEN.label == "engineering tracker token"
