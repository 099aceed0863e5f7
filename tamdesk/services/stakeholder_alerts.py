"""Key stakeholders lost: a champion or executive sponsor who left the customer, or whose portal seat was revoked.

The Today page shows each for ``HORIZON`` after it happened, the most recent first; after that the contact list
still says it (left, seat revoked), but it is no longer news.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from tamdesk.domain.contacts import ContactRole
from tamdesk.domain.states import SeatStatus
from tamdesk.models.db import database

HORIZON = timedelta(days=30)
_KEY_ROLES = tuple(r.value for r in ContactRole if r.is_key)


class Loss(StrEnum):
    LEFT = "left"
    SEAT_REVOKED = "seat_revoked"


@dataclass(frozen=True, slots=True)
class StakeholderLost:
    """A champion or executive sponsor who left, or whose portal seat was revoked, within ``HORIZON``."""

    contact_id: int
    customer_id: int
    customer: str
    full_name: str
    role: ContactRole
    loss: Loss
    at: datetime
    seat_no: int | None = None

    @property
    def message(self) -> str:
        """``Ana Ruiz, champion at Kestrel, left on 3 Dec 2026``; ``…: their portal seat was revoked on 3 Dec 2026``."""
        who = f"{self.full_name}, {self.role.label.lower()} at {self.customer}"
        if self.loss is Loss.LEFT:
            return f"{who}, left on {self.day}"
        return f"{who}: their portal seat (seat {self.seat_no}) was revoked on {self.day}"

    @property
    def day(self) -> str:
        """The day it happened in the user's zone: ``3 Dec 2026``."""
        local = self.at.astimezone()
        return f"{local.day} {local:%b %Y}"

    @property
    def target(self) -> tuple[str, int]:
        """What opens it: the customer's contacts."""
        return ("contacts", self.customer_id)


# One row per contact: a contact who left and whose seat was revoked shows as having left.
_LOSSES = """
SELECT k.id, c.id, c.name, k.full_name, k.role, k.left_at, s.seat_no, s.revoked_at
FROM contact k JOIN customer c ON c.id = k.customer_id LEFT JOIN portal_seat s ON s.id = k.seat_id
WHERE k.role IN ({roles}) AND NOT c.archived
  AND (k.left_at >= {p} OR (k.left_at IS NULL AND s.status = {p} AND s.revoked_at >= {p}))
"""


def stakeholders_lost(now: datetime, customer_ids: Collection[int] | None = None) -> list[StakeholderLost]:
    """Champions and executive sponsors lost within ``HORIZON`` before ``now``, the most recent first.

    Args:
        now: The moment the horizon counts back from.
        customer_ids: Only these customers; None for every customer not archived.
    """
    p = database.obj.param
    since = int((now - HORIZON).timestamp())
    sql = _LOSSES.format(roles=", ".join([p] * len(_KEY_ROLES)), p=p)
    params: list[object] = [*_KEY_ROLES, since, SeatStatus.REVOKED.value, since]
    wanted = None if customer_ids is None else set(customer_ids)
    rows = []
    for kid, cid, customer, name, role, left_at, seat_no, revoked_at in database.execute_sql(sql, params):
        if wanted is not None and cid not in wanted:
            continue
        if left_at is not None:
            loss, at = Loss.LEFT, left_at
        else:
            loss, at = Loss.SEAT_REVOKED, revoked_at
        when = datetime.fromtimestamp(int(at), UTC)
        if when > now:
            continue
        rows.append(StakeholderLost(kid, cid, customer, name, ContactRole(role), loss, when, seat_no))
    return sorted(rows, key=lambda r: (-r.at.timestamp(), r.customer.casefold(), r.full_name.casefold()))
