from __future__ import annotations

from pathlib import Path

import pytest

from tamdesk.models import tables as t
from tamdesk.services.base import Context, StaleEdit
from tamdesk.services.settings import get_setting, set_setting


def test_defaults_and_round_trip(db_path: Path, ctx: Context) -> None:
    assert get_setting("escalation_vp_after_business_days") == 3
    assert get_setting("missing", "fallback") == "fallback"
    set_setting(ctx, "smtp", {"host": "mail.example.com", "port": 587})
    assert get_setting("smtp") == {"host": "mail.example.com", "port": 587}
    audit = t.AuditEntry.select().order_by(t.AuditEntry.id.desc()).get()
    assert (audit.actor, audit.summary) == ("Tess Tam", "Setting 'smtp' changed")


def test_stale_edit_is_refused(db_path: Path, ctx: Context) -> None:
    set_setting(ctx, "user_name", "Ann")
    version = t.Setting.get(t.Setting.key == "user_name").version
    set_setting(ctx, "user_name", "Bob", expected_version=version)
    with pytest.raises(StaleEdit):
        set_setting(ctx, "user_name", "Cid", expected_version=version)
    assert get_setting("user_name") == "Bob"
