"""Domain settings stored in the database as JSON values (UI state lives in QSettings, secrets in the keyring)."""

from __future__ import annotations

import json
from typing import Any

from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, record_audit, save_versioned


def get_setting(key: str, default: Any = None) -> Any:
    """The stored value of ``key``, or ``default`` when it was never set."""
    row = t.Setting.get_or_none(t.Setting.key == key)
    return default if row is None else json.loads(row.value)


def set_setting(ctx: Context, key: str, value: Any, expected_version: int | None = None) -> None:
    """Store ``value`` under ``key`` with an audit entry; with ``expected_version``, refuse a stale edit."""
    encoded = json.dumps(value, ensure_ascii=False, sort_keys=True)
    with database.atomic():
        row = t.Setting.get_or_none(t.Setting.key == key)
        if row is None:
            row = t.Setting.create(key=key, value=encoded)
            before = None
        else:
            before = json.loads(row.value)
            if before == value:
                return
            save_versioned(row, row.version if expected_version is None else expected_version, {"value": encoded})
        record_audit(
            ctx,
            entity="setting",
            entity_id=row.id,
            action="update",
            summary=f"Setting '{key}' changed",
            before={"value": before},
            after={"value": value},
        )
