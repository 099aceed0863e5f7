"""Several portal seats at once: grant, confirm the welcome of, or revoke them in one transaction, all or none.

Each seat is checked as it is stored now and against the version it was shown at, so a batch refuses (naming the
seat) when any one of them moved on; the inverses take a grant or a confirmation back for undo. Every seat keeps
its own audit entry, as when it is changed alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from tamdesk.domain.states import SeatStatus
from tamdesk.domain.text import clean_text
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, DomainError, FieldError, StaleEdit, tuples
from tamdesk.services.onboarding import sync_automatic_steps
from tamdesk.services.seats import revoked_moment, seat_label, transition, undo_revoke

SeatVersion = tuple[int, int]
"""A seat's id and the version it had when it was shown."""


def grant_seats(ctx: Context, items: Sequence[SeatVersion]) -> int:
    """Grant every requested seat of ``items`` in one transaction: all of them, or none; returns how many.

    Raises:
        DomainError: one sentence naming the first seat that is not requested, was changed since it was shown,
        or no longer exists; nothing is written.
    """
    return _batch(
        ctx, items, "granted", _grant_refusal, lambda: {"status": SeatStatus.GRANTED.value, "granted_at": ctx.now()}
    )


def confirm_welcomes(ctx: Context, items: Sequence[SeatVersion]) -> int:
    """Confirm the welcome email of every granted seat of ``items`` in one transaction, all or none.

    Raises:
        DomainError: as ``grant_seats``, for a seat that is not granted.
    """
    return _batch(
        ctx,
        items,
        "confirmed",
        _confirm_refusal,
        lambda: {"status": SeatStatus.ACTIVE.value, "welcome_confirmed_at": ctx.now()},
    )


def ungrant_seats(ctx: Context, items: Sequence[SeatVersion]) -> int:
    """Take grants back: every seat of ``items`` returns from granted to requested, all or none (undo of a grant).

    Raises:
        DomainError: a seat is not granted (say its welcome was confirmed since), changed since, or gone.
    """
    return _batch(
        ctx,
        items,
        "changed",
        _ungrant_refusal,
        lambda: {"status": SeatStatus.REQUESTED.value, "granted_at": None},
        " again: grant undone",
    )


def unconfirm_welcomes(ctx: Context, items: Sequence[SeatVersion]) -> int:
    """Take welcome confirmations back: every seat of ``items`` returns from active to granted, all or none.

    Raises:
        DomainError: a seat is not active, changed since, or gone.
    """
    return _batch(
        ctx,
        items,
        "changed",
        _unconfirm_refusal,
        lambda: {"status": SeatStatus.GRANTED.value, "welcome_confirmed_at": None},
        " again: welcome confirmation undone",
    )


def revoke_seats(ctx: Context, items: Sequence[SeatVersion], reason: str, on: date | None = None) -> int:
    """Revoke every seat of ``items`` with one reason and date, in one transaction, all or none.

    Raises:
        FieldError: no reason (field ``reason``), or a date in the future or before a seat's request (``on``).
        DomainError: a seat is already revoked, changed since, or gone; nothing is written.
    """
    reason = clean_text(reason).strip()
    if not reason:
        raise FieldError("reason", "Give a reason for revoking the seats.")
    with database.atomic():
        seats = _fresh(items, "revoked", _revoke_refusal)
        for seat, version in seats:
            changes = {"status": SeatStatus.REVOKED.value, "revoked_at": revoked_moment(ctx, seat, on),
                       "revoke_reason": reason}  # fmt: skip
            _save_in_batch(ctx, seat, version, changes, "revoked", f": {reason}")
        _sync(ctx, seats)
        return len(seats)


def undo_revokes(ctx: Context, items: Sequence[SeatVersion]) -> int:
    """Take back the revoke of every seat of ``items``, all or none (undo of ``revoke_seats``).

    Raises:
        DomainError, SeatRejected: as ``undo_revoke`` for the first seat that cannot come back.
    """
    with database.atomic():
        for seat_id, version in _unique(items):
            undo_revoke(ctx, seat_id, version)
        return len(_unique(items))


def current_seat_versions(seat_ids: Iterable[int]) -> list[SeatVersion]:
    """The seats' ids with their versions now (an undo acts on the seats as they are), skipping deleted ones."""
    ids = list(dict.fromkeys(seat_ids))
    versions = dict(tuples(t.PortalSeat.select(t.PortalSeat.id, t.PortalSeat.version).where(t.PortalSeat.id.in_(ids))))
    return [(i, versions[i]) for i in ids if i in versions]


def _batch(
    ctx: Context,
    items: Sequence[SeatVersion],
    done: str,
    refusal: Callable[[t.PortalSeat, SeatStatus], str | None],
    changes: Callable[[], dict[str, Any]],
    detail: str = "",
) -> int:
    with database.atomic():
        seats = _fresh(items, done, refusal)
        for seat, version in seats:
            _save_in_batch(ctx, seat, version, changes(), done, detail)
        _sync(ctx, seats)
        return len(seats)


def _unique(items: Sequence[SeatVersion]) -> list[SeatVersion]:
    return list(dict.fromkeys(items))


def _fresh(
    items: Sequence[SeatVersion], done: str, refusal: Callable[[t.PortalSeat, SeatStatus], str | None]
) -> list[tuple[t.PortalSeat, int]]:
    """Each seat as stored now with the version it was shown at; DomainError names the first one refused."""
    found = []
    for seat_id, version in _unique(items):
        seat = t.PortalSeat.get_or_none(t.PortalSeat.id == seat_id)
        if seat is None:
            raise DomainError(f"No seat was {done}: seat #{seat_id} no longer exists.")
        why = refusal(seat, SeatStatus(seat.status))
        if why is not None:
            raise DomainError(f"No seat was {done}: {_named(seat)} {why}.")
        if seat.version != version:
            raise DomainError(f"No seat was {done}: {_named(seat)} was changed by someone else since it was "
                              "shown; review it and try again.")  # fmt: skip
        found.append((seat, version))
    return found


def _save_in_batch(
    ctx: Context, seat: t.PortalSeat, version: int, changes: Mapping[str, Any], done: str, detail: str
) -> None:
    try:
        transition(ctx, seat, version, changes, detail, sync=False)
    except StaleEdit:  # saved by someone between the read above and this write
        raise DomainError(
            f"No seat was {done}: {_named(seat)} was changed by someone else meanwhile; try again."
        ) from None


def _sync(ctx: Context, seats: Sequence[tuple[t.PortalSeat, int]]) -> None:
    for customer_id in dict.fromkeys(seat.customer_id for seat, _ in seats):
        sync_automatic_steps(ctx, customer_id)


def _grant_refusal(seat: t.PortalSeat, status: SeatStatus) -> str | None:
    if status is SeatStatus.REQUESTED:
        return None
    if status is SeatStatus.REVOKED:
        return "was revoked"
    return f"already has portal access (it is {status.label.lower()})"


def _confirm_refusal(seat: t.PortalSeat, status: SeatStatus) -> str | None:
    return {
        SeatStatus.GRANTED: None,
        SeatStatus.REQUESTED: "has no portal access yet",
        SeatStatus.ACTIVE: "already confirmed the welcome email",
        SeatStatus.REVOKED: "was revoked",
    }[status]


def _ungrant_refusal(seat: t.PortalSeat, status: SeatStatus) -> str | None:
    return None if status is SeatStatus.GRANTED else f"is {status.label.lower()}, not granted"


def _unconfirm_refusal(seat: t.PortalSeat, status: SeatStatus) -> str | None:
    return None if status is SeatStatus.ACTIVE else f"is {status.label.lower()}, not active"


def _revoke_refusal(seat: t.PortalSeat, status: SeatStatus) -> str | None:
    return "is already revoked" if status is SeatStatus.REVOKED else None


def _named(seat: t.PortalSeat) -> str:
    """``seat 3 (ana@acme.com)``, as the middle of a sentence names it."""
    label = seat_label(seat)
    return label[:1].lower() + label[1:]
