"""File > Team database…: connect to PostgreSQL or stay local; the password goes only to the keyring."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from PySide6.QtCore import QSettings

from tamdesk.models import database_label
from tamdesk.secrets import SecretName, SecretStore
from tamdesk.services.base import Context
from tamdesk.services.database import open_database
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.team_dialog import TeamDatabaseDialog, saved_team

POSTGRES_URL = os.environ.get("TAMDESK_TEST_POSTGRES_URL", "")


@pytest.fixture
def dialog(qtbot, db_path: Path, memory_keyring) -> TeamDatabaseDialog:
    widget = TeamDatabaseDialog(Context(actor="Tess"), SecretStore(), TaskRunner(), db_path)
    qtbot.addWidget(widget)
    return widget


def test_unreachable_server_is_explained_and_nothing_changes(dialog: TeamDatabaseDialog, db_path: Path) -> None:
    dialog.team.setChecked(True)
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(1)
    dialog.user.setText("ann")
    dialog.password.setText("s3cret-pass")
    dialog.connect_button.click()
    assert "cannot be reached" in dialog.status.text()
    assert "s3cret-pass" not in dialog.status.text()
    assert dialog.isVisible() or dialog.result() == 0
    assert database_label() == str(db_path)
    assert saved_team() is None


def test_required_fields(dialog: TeamDatabaseDialog) -> None:
    dialog.team.setChecked(True)
    dialog.connect_button.click()
    assert dialog.status.text() == "Host and User are required."


def test_local_is_the_default(dialog: TeamDatabaseDialog) -> None:
    assert dialog.local.isChecked()
    assert not dialog.team_box.isEnabled()


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL not configured: set TAMDESK_TEST_POSTGRES_URL")
def test_connect_to_the_team_database(dialog: TeamDatabaseDialog, db_path: Path, memory_keyring) -> None:
    url = urlparse(POSTGRES_URL)
    dialog.team.setChecked(True)
    dialog.host.setText(url.hostname or "")
    dialog.port.setValue(url.port or 5432)
    dialog.name.setText(url.path.strip("/"))
    dialog.user.setText(url.username or "")
    dialog.password.setText(url.password or "")
    dialog.connect_button.click()
    assert dialog.opened is not None, dialog.status.text()
    assert database_label().startswith("postgresql://")
    team = saved_team()
    assert team is not None and team.host == url.hostname
    assert memory_keyring.get_password("tamdesk", next(iter(memory_keyring.store))[1]) == url.password
    settings = QSettings()
    assert sorted(k for k in settings.allKeys() if k.startswith("database/")) == [
        "database/host",
        "database/kind",
        "database/name",
        "database/port",
        "database/user",
    ]  # no password among them
    assert SecretStore().get(SecretName.DATABASE_PASSWORD, team.account) == url.password
    open_database(db_path)
