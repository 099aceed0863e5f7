"""Column mappings a user edited and saved under a name, reused for the next export of the same shape."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from tamdesk.domain.sources import ImportSource
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, DomainError, record_audit

MAX_NAME_LENGTH = 80


@dataclass(frozen=True)
class SavedMapping:
    """A saved mapping: field label → file header, for exports of ``source`` (None: any)."""

    name: str
    source: ImportSource | None
    columns: Mapping[str, str]
    created_by: str


def _clean(name: str) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise DomainError("A saved mapping needs a name.")
    if len(clean) > MAX_NAME_LENGTH:
        raise DomainError(f"A mapping's name is at most {MAX_NAME_LENGTH} characters; '{clean[:20]}…' is longer.")
    return clean


def _row(name: str) -> t.ImportMapping | None:
    wanted = _clean(name).casefold()
    return next((m for m in t.ImportMapping.select() if m.name.casefold() == wanted), None)


def save_mapping(ctx: Context, name: str, source: ImportSource | None, columns: Mapping[str, str]) -> None:
    """Save ``columns`` under ``name``, replacing a mapping of that name (letter case aside)."""
    clean = _clean(name)
    text = json.dumps(dict(columns), ensure_ascii=False, sort_keys=True)
    with database.atomic():
        existing = _row(clean)
        if existing is None:
            t.ImportMapping.create(name=clean, source=source.value if source else "", columns=text,
                                   created_by=ctx.actor, created_at=ctx.now())  # fmt: skip
        else:
            t.ImportMapping.update(
                source=source.value if source else "", columns=text, version=t.ImportMapping.version + 1
            ).where(t.ImportMapping.id == existing.id).execute()
        record_audit(ctx, entity="import_mapping", entity_id=None, action="save", summary=f"Saved mapping {clean}")


def _saved(row: t.ImportMapping) -> SavedMapping:
    return SavedMapping(row.name, ImportSource(row.source) if row.source else None, json.loads(row.columns),
                        row.created_by)  # fmt: skip


def load_mapping(name: str) -> SavedMapping:
    """The mapping saved as ``name``.

    Raises:
        DomainError: none is, naming those that are.
    """
    row = _row(name)
    if row is None:
        known = ", ".join(repr(m.name) for m in list_mappings()) or "none yet"
        raise DomainError(f"There is no saved mapping '{name.strip()}' (saved mappings: {known}).")
    return _saved(row)


def list_mappings() -> list[SavedMapping]:
    return [_saved(row) for row in t.ImportMapping.select().order_by(t.ImportMapping.name)]


def delete_mapping(ctx: Context, name: str) -> None:
    with database.atomic():
        row = _row(name)
        if row is None:
            raise DomainError(f"There is no saved mapping '{name.strip()}'.")
        row.delete_instance()
        record_audit(
            ctx, entity="import_mapping", entity_id=None, action="delete", summary=f"Deleted mapping {row.name}"
        )
