"""Sync a connection: tickets and their history from the support system, a page at a time, resumable, idempotent.

Each page the source client yields is written in one transaction together with the cursor that follows it, so a
sync stopped anywhere (cancelled, offline, killed) resumes after the last page written and a page read again
changes nothing. Tickets are matched and mapped exactly as the file import does (``domain.sources`` for
priorities and statuses, ``services.customer_match`` for customers).

Who wins a conflict: the source, for what it owns (subject, severity, status, opened, solved, its SLA verdict and
the history it reports); tamdesk, for what it owns (notes, the engineer, links to escalations and defects, events a
TAM recorded by hand). Every change a sync makes to a ticket is written to the ticket's history (the audit log)
saying what changed and from which connection.

A source ticket tamdesk cannot take yet (its organization matches no customer, or a priority or status tamdesk does
not know) is *held* with the reason, never half-written; the next sync takes it once the customer is mapped (an
alias, ``--map``) and lists what is still held.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from tamdesk.domain.sources import severity_for, status_for
from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.domain.sync import Failure, RemoteEvent, RemoteTicket, SourceKind, SyncError
from tamdesk.domain.text import clean_line
from tamdesk.models import tables as t
from tamdesk.models.bulk import insert_dicts, pages, select_in, update_rows
from tamdesk.models.db import database
from tamdesk.secrets import SecretName, SecretStore
from tamdesk.services.base import Context, DomainError, tuples
from tamdesk.services.connections import (
    ClientFactory,
    ConnectionRow,
    MissingSecret,
    connection,
    list_connections,
    secret_of,
)
from tamdesk.services.customer_match import CustomerIndex, customer_index
from tamdesk.services.tickets import CLOSED, clean_subject, match_number, number_index, number_key

Progress = Callable[[int], None]  # tickets written so far


class SyncCancelled(DomainError):
    """The user stopped the sync; every page written so far stays, the next sync resumes after it."""


@dataclass
class SyncResult:
    """What one sync of one connection did."""

    connection: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0
    pages: int = 0
    held: dict[str, str] = field(default_factory=dict)  # ticket number -> why it is held
    released: int = 0  # held tickets taken this time

    @property
    def line(self) -> str:
        """``Zendesk (acme): 3 created, 1 updated, 40 unchanged, 12 events added; 2 held (see below).``"""
        text = (f"{self.connection}: {self.created:,} created, {self.updated:,} updated, {self.unchanged:,} "
                f"unchanged, {self.events:,} events added")  # fmt: skip
        if self.held:
            text += f"; {len(self.held):,} held until their customer or values are known"
        return text + "."

    def held_lines(self) -> list[str]:
        """One line per reason, with its tickets: ``Organization 'Initech' matches no customer: 1042, 1043``."""
        return held_lines(self.held)


def held_lines(held: Mapping[str, str]) -> list[str]:
    """Ticket number → reason, as one line per reason with its tickets (ten at most, then "…")."""
    by_reason: dict[str, list[str]] = {}
    for number, reason in held.items():
        by_reason.setdefault(reason, []).append(number)
    return [f"{reason}: {', '.join(sorted(numbers)[:10])}" + (" …" if len(numbers) > 10 else "")
            for reason, numbers in sorted(by_reason.items())]  # fmt: skip


def held_tickets(name: str) -> dict[str, str]:
    """The source tickets a connection holds until their customer or values are known: number → reason."""
    found = connection(name)
    query = t.SyncHeld.select(t.SyncHeld.number, t.SyncHeld.reason).where(t.SyncHeld.connection == found.id)
    return dict(tuples(query))


# -- mapping a source ticket ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mapped:
    """A source ticket as tamdesk will store it."""

    remote: RemoteTicket
    customer_id: int
    values: dict[str, Any]
    events: list[tuple[datetime, str]]


class _Held(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower() if "@" in email else ""


def _map(remote: RemoteTicket, kind: SourceKind, customers: CustomerIndex) -> _Mapped:
    """The ticket's stored values and events. Raises _Held with the reason it cannot be taken yet."""
    source = kind.import_source
    try:
        severity = severity_for(source, remote.priority)
    except ValueError:
        raise _Held(f"Priority '{remote.priority}' is not one tamdesk reads from {kind.label}") from None
    try:
        status = status_for(source, remote.status)
    except ValueError:
        raise _Held(f"Status '{remote.status}' is not one tamdesk reads from {kind.label}") from None
    customer = customers.match(remote.organization, _domain(remote.requester_email))
    if customer is None:
        who = remote.organization or _domain(remote.requester_email) or "(none)"
        raise _Held(f"Organization '{who}' matches no customer")
    solved = remote.solved if status in CLOSED else None
    values = {
        "customer": customer,
        "subject": clean_subject(clean_line(remote.subject)) or f"({kind.label} ticket {remote.number})",
        "severity": int(severity),
        "status": status.value,
        "opened_at": remote.created,
        "resolved_at": solved,
        "source": source.value,
        "source_updated_at": remote.updated,
        "source_first_response_breached": remote.first_response_breached,
        "source_resolution_breached": remote.resolution_breached,
    }
    return _Mapped(remote, customer, values, _events(remote, status))


def _events(remote: RemoteTicket, status: TicketStatus) -> list[tuple[datetime, str]]:
    """The history the source reports (since the ticket was opened), in whole seconds."""
    del status  # the fallbacks for what the source could not say are decided against the stored history too
    found = {(e.at.replace(microsecond=0), e.kind.value) for e in remote.events if e.at >= remote.created}
    return sorted(found)


def _missing(remote: RemoteTicket, status: TicketStatus, known: set[tuple[int, str]]) -> list[tuple[datetime, str]]:
    """What the first response and solve say that the history (``known``: epoch seconds, kind) does not show."""
    kinds = [kind for _, kind in sorted(known)]
    extra = []
    if remote.first_response and TicketEventKind.RESPONSE.value not in kinds:
        extra.append((remote.first_response.replace(microsecond=0), TicketEventKind.RESPONSE.value))
    ends = [k for k in kinds if k in (TicketEventKind.SOLVED.value, TicketEventKind.REOPENED.value)]
    if remote.solved and status in CLOSED and (not ends or ends[-1] != TicketEventKind.SOLVED.value):
        extra.append((remote.solved.replace(microsecond=0), TicketEventKind.SOLVED.value))
    return extra


# -- writing ----------------------------------------------------------------------------------------------------

_COMPARED = ("customer", "subject", "severity", "status", "opened_at", "resolved_at", "source", "source_updated_at",
             "source_first_response_breached", "source_resolution_breached")  # fmt: skip


def _author(found: ConnectionRow) -> str:
    """Who wrote a synced event: the connection, so a TAM's own events are told apart."""
    return f"sync: {found.name}"


def _stored(ticket: t.Ticket) -> dict[str, Any]:
    return {name: getattr(ticket, name if name != "customer" else "customer_id") for name in _COMPARED}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return int(a.timestamp()) == int(b.timestamp())
    return bool(a == b)


def _describe(before: dict[str, Any], after: dict[str, Any], names: Mapping[int, str]) -> list[str]:
    """``status open → solved`` for each changed field a TAM reads."""
    labels = {"customer": "customer", "subject": "subject", "severity": "severity", "status": "status",
              "opened_at": "opened", "resolved_at": "solved"}  # fmt: skip
    changes = []
    for key, label in labels.items():
        if not _same(before[key], after[key]):
            old, new = before[key], after[key]
            if key == "customer":
                old, new = names.get(old, old), names.get(new, new)
            elif key == "severity":
                old, new = f"Sev{old}", f"Sev{new}"
            elif key == "status":
                old, new = TicketStatus(old).label, TicketStatus(new).label
            elif isinstance(new, datetime) or isinstance(old, datetime):
                old = f"{old:%Y-%m-%d %H:%M} UTC" if old else "none"
                new = f"{new:%Y-%m-%d %H:%M} UTC" if new else "none"
            changes.append(f"{label} {old} → {new}")
    return changes


@dataclass
class _Ticket:
    """A ticket as the page being written has it so far: stored values (as ``_stored`` reads them), events known."""

    ticket_id: int | None  # None until the page is written, for a ticket the page creates
    number: str
    values: dict[str, Any]
    known: set[tuple[int, str]]  # (epoch seconds, kind)
    customer_id: int


class _Writer:
    """Writes mapped tickets of one connection a page at a time; counts what it did.

    ``take`` decides each ticket against what the page has written so far (in memory), in order, as if each were
    written at once; ``flush`` writes the page in a few statements: the new tickets in one insert (ids read back by
    number), the changed ones in one update, the events added and the audit entries in one insert each.
    """

    def __init__(self, ctx: Context, found: ConnectionRow, result: SyncResult) -> None:
        self.ctx, self.found, self.result = ctx, found, result
        table = t.Ticket._meta.table_name  # type: ignore[attr-defined]
        self.index = number_index(database.execute_sql(f'SELECT "number", "id" FROM "{table}"').fetchall())
        self.customers = customer_index()
        self.author = _author(found)
        self._loaded: dict[int, _Ticket] = {}
        self._new: list[_Ticket] = []  # created by this page; in the index as -1, -2, … until written
        self._changed: dict[int, _Ticket] = {}
        self._events: list[tuple[_Ticket, datetime, str]] = []
        self._audits: list[tuple[_Ticket, dict[str, Any]]] = []
        self._taken: dict[str, None] = {}  # numbers no longer held, in order

    def prefetch(self, remotes: Iterable[RemoteTicket]) -> None:
        """Read the stored tickets ``remotes`` update and their events, in a few statements."""
        ids = set()
        for remote in remotes:
            try:
                found = match_number(self.index, remote.number)
            except ValueError:
                continue  # held by ``take``, with the reason
            if found is not None and found > 0 and found not in self._loaded:
                ids.add(found)
        self._load(sorted(ids))

    def _load(self, ids: list[int]) -> None:
        for page in pages(ids):
            for ticket in t.Ticket.select().where(t.Ticket.id.in_(list(page))):
                self._loaded[ticket.id] = _Ticket(ticket.id, ticket.number, _stored(ticket), set(), ticket.customer_id)
            query = t.TicketEvent.select(t.TicketEvent.ticket, t.TicketEvent.at, t.TicketEvent.kind).where(
                t.TicketEvent.ticket.in_(list(page))
            )
            for ticket_id, at, kind in tuples(query):
                self._loaded[ticket_id].known.add((int(at.timestamp()), kind))

    def _ticket(self, ticket_id: int) -> _Ticket:
        if ticket_id < 0:
            return self._new[-ticket_id - 1]
        if ticket_id not in self._loaded:
            self._load([ticket_id])
        return self._loaded[ticket_id]

    def take(self, remote: RemoteTicket) -> bool:
        """Take one source ticket (written by ``flush``), or hold it with its reason; True when it was taken."""
        try:
            mapped = _map(remote, self.found.kind, self.customers)
        except _Held as held:
            self._hold(remote, held.reason)
            return False
        try:
            ticket_id = match_number(self.index, remote.number)
        except ValueError as exc:
            self._hold(remote, str(exc))
            return False
        if ticket_id is None:
            self._create(mapped)
        else:
            self._update(self._ticket(ticket_id), mapped)
        self._taken[remote.number] = None
        self.result.held.pop(remote.number, None)
        return True

    def _hold(self, remote: RemoteTicket, reason: str) -> None:
        payload = json.dumps(_encode(remote), sort_keys=True)
        query = t.SyncHeld.insert(
            connection=self.found.id, number=remote.number, organization=remote.organization, reason=reason,
            payload=payload, held_at=self.ctx.now(),
        ).on_conflict(
            conflict_target=[t.SyncHeld.connection, t.SyncHeld.number],
            update={t.SyncHeld.reason: reason, t.SyncHeld.payload: payload,
                    t.SyncHeld.organization: remote.organization},
        )  # fmt: skip
        query.execute()
        self._taken.pop(remote.number, None)  # taken earlier in the page, held now: it stays held
        self.result.held[remote.number] = reason

    def _create(self, mapped: _Mapped) -> None:
        number = mapped.remote.number.strip()
        ticket = _Ticket(None, number, dict(mapped.values), set(), mapped.customer_id)
        self._new.append(ticket)
        self.index.setdefault(number_key(number), {})[number] = -len(self._new)
        self._add_events(ticket, self._new_events(mapped, set()))
        self.result.created += 1
        self._audit(ticket, summary=f"Ticket {number} created by sync from {self.found.name}")

    def _new_events(self, mapped: _Mapped, known: set[tuple[int, str]]) -> list[tuple[datetime, str]]:
        """The source's events not yet recorded, and what its first response and solve add to them.

        Added, never replaced: a source may report only the events of the window it was asked for (Zendesk's
        incremental event export), so an event missing from a later answer is not an event taken back.
        """
        fresh = [(at, kind) for at, kind in mapped.events if (int(at.timestamp()), kind) not in known]
        seen = known | {(int(at.timestamp()), kind) for at, kind in fresh}
        status = TicketStatus(mapped.values["status"])
        return fresh + _missing(mapped.remote, status, seen)

    def _update(self, ticket: _Ticket, mapped: _Mapped) -> None:
        before = dict(ticket.values)
        changed = {k: v for k, v in mapped.values.items() if not _same(before[k], v)}
        added = self._new_events(mapped, ticket.known)
        if not changed and not added:
            self.result.unchanged += 1
            return
        if changed:
            ticket.values.update(changed)
            if ticket.ticket_id is not None:
                self._changed[ticket.ticket_id] = ticket
        self._add_events(ticket, added)
        self.result.updated += 1
        what = _describe(before, {**before, **changed}, self.customers.names)
        if added:
            what.append(", ".join(f"{TicketEventKind(kind).label.lower()} at {at:%Y-%m-%d %H:%M} UTC"
                                  for at, kind in sorted(added)) + " added from the source")  # fmt: skip
        self._audit(
            ticket, customer=mapped.customer_id,
            summary=f"Ticket {ticket.number} synced from {self.found.name}: {'; '.join(what)}",
            before={k: _plain(before[k]) for k in changed}, after={k: _plain(v) for k, v in changed.items()},
        )  # fmt: skip

    def _add_events(self, ticket: _Ticket, events: list[tuple[datetime, str]]) -> None:
        for at, kind in events:
            ticket.known.add((int(at.timestamp()), kind))
            self._events.append((ticket, at, kind))
        self.result.events += len(events)

    def _audit(self, ticket: _Ticket, *, summary: str, customer: int | None = None, **values: Any) -> None:
        entry = {"at": self.ctx.now(), "actor": self.ctx.actor, "entity": "ticket", "action": "sync",
                 "customer": ticket.customer_id if customer is None else customer, "summary": summary}  # fmt: skip
        entry.update((key, json.dumps(value, ensure_ascii=False, sort_keys=True)) for key, value in values.items())
        self._audits.append((ticket, entry))

    def flush(self) -> None:
        """Write what the page took, in a few statements whatever its size."""
        if self._new:
            insert_dicts(t.Ticket, [{"number": k.number, **k.values} for k in self._new])
            sql = f'SELECT "number", "id" FROM "{t.Ticket._meta.table_name}" WHERE "number" IN'  # type: ignore[attr-defined]
            ids = dict(select_in(sql, [k.number for k in self._new]))
            for ticket in self._new:
                ticket.ticket_id = ids[ticket.number]
                self.index[number_key(ticket.number)][ticket.number] = ticket.ticket_id
                self._loaded[ticket.ticket_id] = ticket
        fields = t.Ticket._meta.fields  # type: ignore[attr-defined]
        update_rows(t.Ticket, _COMPARED, [(k.ticket_id, *(fields[name].db_value(k.values[name]) for name in _COMPARED))
                                          for k in self._changed.values()])  # fmt: skip
        insert_dicts(t.TicketEvent, [{"ticket": k.ticket_id, "at": at, "kind": kind, "author": self.author}
                                     for k, at, kind in self._events])  # fmt: skip
        insert_dicts(t.AuditEntry, [{**entry, "entity_id": k.ticket_id} for k, entry in self._audits])
        taken = list(self._taken)
        for page in pages(taken):
            t.SyncHeld.delete().where(
                (t.SyncHeld.connection == self.found.id) & t.SyncHeld.number.in_(list(page))
            ).execute()
        self._new, self._changed, self._events, self._audits, self._taken = [], {}, [], [], {}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


# -- held tickets as JSON -----------------------------------------------------------------------------------------


def _encode(remote: RemoteTicket) -> dict[str, Any]:
    data = asdict(remote)
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = value.isoformat()
    data["events"] = [[e.at.isoformat(), e.kind.value] for e in remote.events]
    return data


def _decode(text: str) -> RemoteTicket:
    data = json.loads(text)
    for key in ("created", "updated", "first_response", "solved"):
        if data.get(key):
            data[key] = datetime.fromisoformat(data[key])
    data["events"] = tuple(
        RemoteEvent(datetime.fromisoformat(at), TicketEventKind(kind)) for at, kind in data["events"]
    )
    return RemoteTicket(**data)


# -- running a sync -------------------------------------------------------------------------------------------------


def sync_connection(
    ctx: Context,
    name: str,
    store: SecretStore,
    *,
    make: ClientFactory,
    sleep: Callable[[float], None] | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> SyncResult:
    """Sync one connection from where it stopped; record when it succeeded or why it failed.

    Raises:
        SyncError: the support system refused or could not be reached (pages already written stay).
        SyncCancelled: ``cancelled`` returned True (pages already written stay).
        NotFound, DomainError: no such connection, or its secret is not in this computer's keyring.
    """
    found = connection(name)
    result = SyncResult(found.name)
    started = ctx.now()
    try:
        secret = secret_of(found, store)
        kwargs = {"sleep": sleep} if sleep is not None else {}
        client = make(found.info, secret, start=found.start_at, **kwargs)
        with database.atomic():
            writer = _Writer(ctx, found, result)
            _release_held(writer)
            writer.flush()
        cursor = _cursor(found.id) or None
        for page in client.pages(cursor):
            if cancelled is not None and cancelled():
                raise SyncCancelled(f"The sync of {found.name} was stopped; what it read so far is kept.")
            with database.atomic():
                writer = _Writer(ctx, found, result)
                writer.prefetch(page.tickets)
                for remote in page.tickets:
                    writer.take(remote)
                writer.flush()
                t.Connection.update(cursor=page.cursor).where(t.Connection.id == found.id).execute()
            result.pages += 1
            if progress is not None:
                progress(result.created + result.updated + result.unchanged)
    except SyncError as exc:
        _record(found.id, started, failure=exc.failure, message=str(exc))
        raise
    except DomainError as exc:
        failure = Failure.NO_TOKEN if isinstance(exc, MissingSecret) else None  # a cancel is no failure
        _record(found.id, started, failure=failure, message=str(exc))
        raise
    _keep_rotated_secret(client, found, store)
    result.held = held_tickets(found.name)
    _record(found.id, started, failure=None, message=result.line, success=True)
    return result


def _keep_rotated_secret(client: object, found: ConnectionRow, store: SecretStore) -> None:
    """A source that rotates its refresh token on sign-in (a Salesforce connected app may) invalidates the stored
    one: keep the new one, or the next sync could not sign in."""
    rotated = getattr(client, "rotated_secret", None)
    if rotated:
        store.set(SecretName.CONNECTION_TOKEN, found.name, rotated)


def _cursor(connection_id: int) -> str:
    row = t.Connection.get_or_none(t.Connection.id == connection_id)
    return row.cursor if row else ""


def _release_held(writer: _Writer) -> None:
    """Take the tickets held by earlier syncs that can now be taken (their customer was mapped since)."""
    held = [_decode(row.payload) for row in t.SyncHeld.select().where(t.SyncHeld.connection == writer.found.id)]
    writer.prefetch(held)
    for remote in held:
        if writer.take(remote):
            writer.result.released += 1


def _record(connection_id: int, at: datetime, *, failure: Failure | None, message: str, success: bool = False) -> None:
    values: dict[str, Any] = {"last_attempt_at": at, "last_failure": failure.value if failure else "",
                              "last_message": message}  # fmt: skip
    if success:
        values["last_success_at"] = at
    t.Connection.update(**values).where(t.Connection.id == connection_id).execute()


def sync_all(
    ctx: Context,
    store: SecretStore,
    *,
    make: ClientFactory,
    sleep: Callable[[float], None] | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[tuple[str, SyncResult | Exception]]:
    """Sync every connection in turn; one failing does not stop the others. ``progress`` gets the tickets read so
    far across all of them."""
    outcomes: list[tuple[str, SyncResult | Exception]] = []
    before = 0
    for found in list_connections():
        if cancelled is not None and cancelled():
            break
        counted = (lambda n, base=before: progress(base + n)) if progress is not None else None
        try:
            result = sync_connection(ctx, found.name, store, make=make, sleep=sleep, progress=counted,
                                     cancelled=cancelled)  # fmt: skip
            before += result.created + result.updated + result.unchanged
            outcomes.append((found.name, result))
        except (SyncError, DomainError) as exc:
            outcomes.append((found.name, exc))
    return outcomes
