"""Connections to support systems: what Settings › Connections and ``tamdesk connections`` add, list, test, remove.

A connection is a name, a kind (Zendesk, Jira Service Management, Salesforce), the service's base URL and a user;
its API token (or OAuth refresh token) is kept only in the OS keyring through :class:`tamdesk.secrets.SecretStore`,
under the connection's name. Nothing secret is stored in the database, printed or logged.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee as pw

from tamdesk.domain.sync import ConnectionInfo, Failure, SourceClient, SourceKind, SyncState
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.secrets import SecretName, SecretStore
from tamdesk.services.base import Context, DomainError, FieldError, NotFound, record_audit, tuples
from tamdesk.services.settings import get_setting, set_setting

FIRST_SYNC_DAYS = 90  # a new connection's first sync reads the tickets changed in the last 90 days
_NAME = re.compile(r"[\w .,&()'@+-]{1,60}")
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")

ClientFactory = Callable[..., SourceClient]


@dataclass(frozen=True)
class ConnectionInput:
    """What a user types to add a connection."""

    name: str
    kind: str
    base_url: str
    user: str


@dataclass(frozen=True)
class ConnectionRow:
    """A connection as Settings and ``connections list`` show it."""

    id: int
    name: str
    kind: SourceKind
    base_url: str
    user: str
    start_at: datetime
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    failure: Failure | None
    message: str
    held: int

    @property
    def info(self) -> ConnectionInfo:
        return ConnectionInfo(self.name, self.kind, self.base_url, self.user)

    @property
    def state(self) -> SyncState:
        return SyncState(self.name, self.kind, self.last_success_at, self.failure)


_USER_LABEL = {
    SourceKind.ZENDESK: "the agent's email",
    SourceKind.JSM: "the Atlassian account's email",
    SourceKind.SALESFORCE: "the connected app's consumer key",
}


def user_label(kind: SourceKind) -> str:
    """What the User field holds for ``kind`` ("the agent's email")."""
    return _USER_LABEL[kind]


def secret_label(kind: SourceKind) -> str:
    """What the secret is for ``kind``: an API token, or Salesforce's OAuth refresh token."""
    return "OAuth refresh token" if kind is SourceKind.SALESFORCE else "API token"


def _check(data: ConnectionInput) -> tuple[str, SourceKind, str, str]:
    """The cleaned name, kind, base URL and user. Raises FieldError naming the field and the value."""
    name = " ".join(data.name.split())
    if not _NAME.fullmatch(name):
        raise FieldError("name", f"A connection name is 1 to 60 letters, digits, spaces or .,&()'@+-, not {name!r}.")
    try:
        kind = SourceKind.parse(data.kind)
    except ValueError as exc:
        raise FieldError("kind", str(exc)) from None
    url = data.base_url.strip().rstrip("/")
    parts = urllib.parse.urlsplit(url)
    local = parts.hostname in _LOCAL_HOSTS
    if parts.scheme not in ("https", "http") or not parts.hostname or (parts.scheme == "http" and not local):
        raise FieldError(
            "base_url", f"The base URL must be the service's https:// address, such as https://acme.zendesk.com, "
            f"not {data.base_url.strip()!r}.",
        )  # fmt: skip
    if parts.query or parts.fragment:
        raise FieldError("base_url", f"The base URL is the service's address alone, without ?… or #…: {url!r}.")
    user = data.user.strip()
    if not user:
        raise FieldError("user", f"Say {user_label(kind)} for {kind.label}.")
    if kind is not SourceKind.SALESFORCE and "@" not in user:
        raise FieldError("user", f"The user for {kind.label} is {user_label(kind)}, not {user!r}.")
    return name, kind, url, user


def add_connection(ctx: Context, data: ConnectionInput, secret: str, store: SecretStore) -> int:
    """Add a connection and keep its secret in the keyring; the first sync reads the last 90 days.

    Raises:
        FieldError: a field is empty or malformed, the name is taken, or the secret is missing.
    """
    name, kind, url, user = _check(data)
    if not secret.strip():
        raise FieldError("secret", f"Paste the {secret_label(kind)} for {kind.label}.")
    if t.Connection.get_or_none(t.Connection.name == name) is not None:
        raise FieldError("name", f"A connection named '{name}' already exists.")
    now = ctx.now()
    with database.atomic():
        row = t.Connection.create(
            name=name, kind=kind.value, base_url=url, user=user, start_at=now - timedelta(days=FIRST_SYNC_DAYS),
            created_at=now,
        )  # fmt: skip
        store.set(SecretName.CONNECTION_TOKEN, name, secret.strip())
        record_audit(ctx, entity="connection", entity_id=row.id, action="create",
                     summary=f"Connection {name} to {kind.label} added ({url})")  # fmt: skip
    return int(row.id)


def _row(c: t.Connection, held: int) -> ConnectionRow:
    failure = Failure(c.last_failure) if c.last_failure else None
    return ConnectionRow(c.id, c.name, SourceKind(c.kind), c.base_url, c.user, c.start_at, c.last_success_at,
                         c.last_attempt_at, failure, c.last_message, held)  # fmt: skip


def list_connections() -> list[ConnectionRow]:
    """Every connection, by name."""
    counts = t.SyncHeld.select(t.SyncHeld.connection, pw.fn.COUNT(t.SyncHeld.id)).group_by(t.SyncHeld.connection)
    held = dict(tuples(counts))
    rows = t.Connection.select().order_by(t.Connection.name)
    return [_row(c, int(held.get(c.id, 0))) for c in rows]


def connection(name: str) -> ConnectionRow:
    """The connection called ``name`` (case-insensitive). Raises NotFound listing the names there are."""
    found = next((c for c in list_connections() if c.name.casefold() == name.strip().casefold()), None)
    if found is None:
        names = ", ".join(c.name for c in list_connections()) or "none yet; add one with `tamdesk connections add`"
        raise NotFound(f"No connection named '{name.strip()}' (connections: {names}).")
    return found


def remove_connection(ctx: Context, name: str, store: SecretStore) -> None:
    """Remove a connection, its held tickets and its secret; synced tickets stay. Raises NotFound."""
    found = connection(name)
    with database.atomic():
        t.Connection.delete().where(t.Connection.id == found.id).execute()
        record_audit(ctx, entity="connection", entity_id=found.id, action="delete",
                     summary=f"Connection {found.name} to {found.kind.label} removed")  # fmt: skip
    store.delete(SecretName.CONNECTION_TOKEN, found.name)


class MissingSecret(DomainError):
    """The connection's token is not in this computer's keyring (it was added on another computer)."""


def secret_of(found: ConnectionRow, store: SecretStore) -> str:
    """The connection's secret from the keyring. Raises MissingSecret when it is not there (another machine)."""
    secret = store.get(SecretName.CONNECTION_TOKEN, found.name)
    if not secret:
        raise MissingSecret(
            f"The {secret_label(found.kind)} of {found.name} is not in this computer's keyring; set it again with "
            f"`tamdesk connections token {found.name}` or in Settings › Connections."
        )
    return secret


def set_secret(ctx: Context, name: str, secret: str, store: SecretStore) -> None:
    """Replace a connection's secret in the keyring (a new or rotated token). Raises NotFound, FieldError."""
    found = connection(name)
    if not secret.strip():
        raise FieldError("secret", f"Paste the {secret_label(found.kind)} for {found.kind.label}.")
    store.set(SecretName.CONNECTION_TOKEN, found.name, secret.strip())
    record_audit(ctx, entity="connection", entity_id=found.id, action="update",
                 summary=f"Connection {found.name}: {secret_label(found.kind)} replaced")  # fmt: skip


def check_connection(
    name: str, store: SecretStore, *, make: ClientFactory, sleep: Callable[[float], None] | None = None
) -> str:
    """Sign in and read one thing; the one sentence of what worked. Raises SyncError, DomainError, NotFound."""
    found = connection(name)
    kwargs = {"sleep": sleep} if sleep is not None else {}
    client = make(found.info, secret_of(found, store), start=found.start_at, **kwargs)
    said = client.check()
    rotated = getattr(client, "rotated_secret", None)  # a source that rotates its refresh token on sign-in
    if rotated:
        store.set(SecretName.CONNECTION_TOKEN, found.name, rotated)
    return said


# -- how often the app syncs -------------------------------------------------------------------------------------

INTERVAL_KEY = "sync.interval_minutes"
DEFAULT_INTERVAL = 15
INTERVAL_RANGE = (0, 1440)  # 0: only on start and on request


def sync_interval() -> int:
    """Minutes between the app's background syncs; 0 syncs only at start and on request."""
    value = get_setting(INTERVAL_KEY, DEFAULT_INTERVAL)
    return value if isinstance(value, int) and INTERVAL_RANGE[0] <= value <= INTERVAL_RANGE[1] else DEFAULT_INTERVAL


def set_sync_interval(ctx: Context, minutes: object) -> None:
    """Set the minutes between background syncs. Raises FieldError naming the value when outside 0–1440."""
    low, high = INTERVAL_RANGE
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
        raise FieldError("interval", f"Sync every 0 to {high} minutes (0: only at start and on request), "
                                     f"not {minutes!r}.")  # fmt: skip
    set_setting(ctx, INTERVAL_KEY, minutes)
