"""Connections to support systems and syncing them, for a TAM at a terminal and for a scheduled job.

``tamdesk connections add|list|test|token|remove`` and ``tamdesk sync [--connection NAME]``. A token is never an
argument (it would stay in the shell's history and show in the process list): it is asked for without echo at a
terminal, or read from the first line of standard input (``pass show zendesk | tamdesk connections add …``).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from tamdesk.cli.common import CommandFailed
from tamdesk.domain.sync import SourceKind, SyncError
from tamdesk.secrets import SecretStore
from tamdesk.services import connections as conn
from tamdesk.services.base import Context, DomainError
from tamdesk.services.sources import make_client
from tamdesk.services.sync import sync_connection

KINDS = ", ".join(k.value for k in SourceKind)


def register(commands: Any, groups: dict[str, Any]) -> None:
    group = commands.add_parser(
        "connections", help="the support systems tickets are synced from",
        description="Add, list, test and remove connections to Zendesk, Jira Service Management and Salesforce. "
        "Tokens are kept in the OS keyring only.",
    ).add_subparsers(dest="kind", metavar="ACTION", required=True)  # fmt: skip
    add = group.add_parser("add", help="add a connection (asks for its token)")
    add.add_argument("name", metavar="NAME", help="what tamdesk calls it, e.g. 'Zendesk'")
    add.add_argument("--source", required=True, metavar="KIND", help=f"one of {KINDS}")
    add.add_argument("--url", required=True, metavar="URL", help="the service's address, e.g. https://acme.zendesk.com")
    add.add_argument(
        "--user", required=True, metavar="USER",
        help="Zendesk and Jira: the account's email; Salesforce: the connected app's consumer key",
    )  # fmt: skip
    add.set_defaults(handler=_add)
    group.add_parser("list", help="every connection and its last sync").set_defaults(handler=_list)
    for action, help_text, handler in (
        ("test", "sign in and read one thing", _test),
        ("token", "replace a connection's token (asks for it)", _token),
        ("remove", "remove a connection and its token (synced tickets stay)", _remove),
    ):
        parser = group.add_parser(action, help=help_text)
        parser.add_argument("name", metavar="NAME")
        parser.set_defaults(handler=handler)
    sync = commands.add_parser(
        "sync", help="sync tickets and their history from the support systems",
        description="Read what changed since the last sync, for a scheduled job: one line per connection.",
    )  # fmt: skip
    sync.add_argument("--connection", metavar="NAME", help="only this connection (default: every one)")
    sync.set_defaults(handler=_sync)


def _keyring() -> SecretStore:
    """The OS keyring; a command ends with its process, so a token kept for the session would be lost at once."""
    store = SecretStore()
    if not store.available:
        raise CommandFailed("no keyring is available on this computer, and tamdesk keeps tokens only there; "
                            "nothing was changed.")  # fmt: skip
    return store


def _read_secret(kind: SourceKind) -> str:
    """The token, asked for without echo at a terminal, else the first line of standard input."""
    label = conn.secret_label(kind)
    if sys.stdin.isatty():
        try:
            return getpass.getpass(f"{kind.label} {label}: ")
        except (EOFError, KeyboardInterrupt):
            raise CommandFailed(f"no {label} was given; nothing was changed.") from None
    line = sys.stdin.readline().strip()
    if not line:
        raise CommandFailed(f"give the {label} on standard input (it is never an argument); nothing was changed.")
    return line


def _add(args: argparse.Namespace, ctx: Context) -> str:
    data = conn.ConnectionInput(args.name, args.source, args.url, args.user)
    try:
        kind = SourceKind.parse(args.source)
    except ValueError as exc:
        raise CommandFailed(f"--source {exc}") from None
    store = _keyring()
    conn.add_connection(ctx, data, _read_secret(kind), store)
    found = conn.connection(args.name)
    return f"Added {found.name} ({found.kind.label}, {found.base_url}); test it with `tamdesk connections test " \
           f"{found.name}`."  # fmt: skip


def _list(args: argparse.Namespace, ctx: Context) -> str:
    rows = conn.list_connections()
    if not rows:
        return "No connections yet; add one with `tamdesk connections add NAME --source zendesk --url … --user …`."
    now = ctx.now()
    lines = []
    for row in rows:
        held = f"; {row.held} held" if row.held else ""
        lines.append(f"{row.name}\t{row.kind.label}\t{row.base_url}\t{row.user}\t{row.state.describe(now)}{held}")
    return "\n".join(lines)


def _test(args: argparse.Namespace, ctx: Context) -> str:
    try:
        return conn.check_connection(args.name, SecretStore(), make=make_client)
    except SyncError as exc:
        raise CommandFailed(str(exc)) from None


def _token(args: argparse.Namespace, ctx: Context) -> str:
    found = conn.connection(args.name)
    conn.set_secret(ctx, found.name, _read_secret(found.kind), _keyring())
    return f"Replaced the {conn.secret_label(found.kind)} of {found.name}."


def _remove(args: argparse.Namespace, ctx: Context) -> str:
    found = conn.connection(args.name)
    conn.remove_connection(ctx, found.name, SecretStore())
    return f"Removed {found.name}; its synced tickets stay."


def _sync(args: argparse.Namespace, ctx: Context) -> str:
    names = [conn.connection(args.connection).name] if args.connection else [c.name for c in conn.list_connections()]
    if not names:
        raise CommandFailed("there is no connection to sync; add one with `tamdesk connections add`.")
    store = SecretStore()
    lines: list[str] = []
    failures: list[str] = []
    for name in names:
        try:
            result = sync_connection(ctx, name, store, make=make_client)
        except (SyncError, DomainError) as exc:
            failures.append(str(exc))
            continue
        lines.append(result.line)
        lines.extend(f"  held: {line}" for line in result.held_lines())
    if failures:
        for line in lines:
            print(line)
        raise CommandFailed(" ".join(failures))
    return "\n".join(lines)
