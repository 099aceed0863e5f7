"""What every use case shares: who acts and when, domain errors, optimistic locking and the audit trail."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from tamdesk.models import tables as t
from tamdesk.services.identity import current_name


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def default_actor() -> str:
    """The user's name (services.identity): saved in Settings › You, else their computer account's."""
    return current_name()


@dataclass(frozen=True)
class Context:
    """Who performs a use case and the clock it reads; tests pass a fixed clock."""

    actor: str = field(default_factory=default_actor)
    clock: Callable[[], datetime] = utc_now

    def now(self) -> datetime:
        return self.clock()

    def rename(self, actor: str) -> None:
        """Record what follows under ``actor``: the app's one context (every page holds it) follows the user's
        name as soon as it changes in Settings › You."""
        object.__setattr__(self, "actor", actor)


class DomainError(Exception):
    """An error the user caused; its message is written for a TAM."""


class FieldError(DomainError):
    """A single field holds a bad value; views show the message next to that field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


class ValidationFailed(DomainError):
    """Several fields hold bad values: ``errors`` maps each field to its message (forms show each beside it)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = dict(errors)


class NotFound(DomainError):
    pass


class StaleEdit(DomainError):
    """Someone else saved this record after it was opened; their values are in ``current``."""

    def __init__(self, entity: str, current: Mapping[str, Any]) -> None:
        super().__init__(
            f"This {entity} was changed by someone else since you opened it. Review their changes and save again."
        )
        self.entity = entity
        self.current = dict(current)


def save_versioned(row: t.VersionedModel, expected_version: int, changes: Mapping[str, Any]) -> None:
    """Write ``changes`` to ``row`` only if nobody saved it since ``expected_version`` was read.

    Raises:
        StaleEdit: the row's version moved on; nothing is written.
    """
    model = type(row)
    values = {getattr(model, name): value for name, value in changes.items()}
    values[model.version] = model.version + 1
    updated = model.update(values).where((model.id == row.id) & (model.version == expected_version)).execute()
    if updated != 1:
        fresh = model.get_or_none(model.id == row.id)
        raise StaleEdit(re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower(), fresh.__data__ if fresh else {})
    for name, value in changes.items():
        setattr(row, name, value)
    row.version = expected_version + 1


def save_audited(
    ctx: Context,
    row: t.VersionedModel,
    expected_version: int,
    changes: Mapping[str, Any],
    *,
    entity: str,
    summary: str,
    customer: t.Customer | int | None = None,
    action: str = "update",
) -> None:
    """:func:`save_versioned`, then the audit entry of that change: the changed fields as they were and are now.

    Raises:
        StaleEdit: the row's version moved on; nothing is written.
    """
    before = {name: getattr(row, name) for name in changes}
    save_versioned(row, expected_version, changes)
    record_audit(
        ctx, entity=entity, entity_id=row.id, customer=customer, action=action, summary=summary, before=before,
        after=changes,
    )  # fmt: skip


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, t.BaseModel):
        return value.id
    return value


def record_audit(
    ctx: Context,
    *,
    entity: str,
    entity_id: int | None,
    action: str,
    summary: str,
    customer: t.Customer | int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> t.AuditEntry:
    """Leave an audit entry (who, when, what) for a change made in the current transaction."""

    def dump(values: Mapping[str, Any] | None) -> str | None:
        if values is None:
            return None
        return json.dumps({k: _jsonable(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True)

    return t.AuditEntry.create(
        at=ctx.now(),
        actor=ctx.actor,
        entity=entity,
        entity_id=entity_id,
        customer=customer,
        action=action,
        summary=summary,
        before=dump(before),
        after=dump(after),
    )


def tuples(query: Any) -> list[tuple[Any, ...]]:
    """The rows of a peewee query as plain tuples (typed for the checker: peewee's own stubs say models)."""
    return list(query.tuples())
