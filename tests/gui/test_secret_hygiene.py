"""After a session that used secrets, none of them is in the database, QSettings, the log or an exported file."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from tamdesk.app import setup_logging
from tamdesk.reports.mail import email_access_form
from tamdesk.reports.seats import export_seat_roster
from tamdesk.secrets import SecretName, SecretStore
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.email import EmailError, save_smtp_settings
from tamdesk.services.seats import SeatInput, request_seat
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.team_dialog import TeamDatabaseDialog
from tests.db.test_email import AUTH_WITHOUT_TLS, PASSWORD, USER, Server, authenticate, run_server

TEAM_PASSWORD = "team-db-s3cret-Zq9"


@pytest.fixture
def auth_server() -> Iterator[Server]:
    for running in run_server(auth_required=True, auth_require_tls=False, authenticator=authenticate):
        yield replace(running, settings=replace(running.settings, user=USER))


def _files_with(secret: bytes, files: list[Path]) -> list[str]:
    found = []
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                data = b"".join(book.read(name) for name in book.namelist())
        if secret in data:
            found.append(str(path))
    return found


@AUTH_WITHOUT_TLS
def test_no_secret_leaves_the_keyring(qtbot, db_path: Path, ctx: Context, auth_server: Server, tmp_path: Path) -> None:
    log_path = setup_logging()
    logging.getLogger("tamdesk").setLevel(logging.DEBUG)
    acme = create_customer(ctx, CustomerInput(name="Acme", email_domains=["acme.com"]))
    request_seat(ctx, acme, SeatInput("Ana Silva", "ana@acme.com"))
    save_smtp_settings(ctx, auth_server.settings)
    secrets = SecretStore()
    secrets.set(SecretName.SMTP_PASSWORD, auth_server.settings.account, PASSWORD + "-wrong")
    with pytest.raises(EmailError) as refused:  # a refused login: the message must not carry the password
        email_access_form(ctx, acme, ["ana@acme.com"], auth_server.settings, secrets)
    secrets.set(SecretName.SMTP_PASSWORD, auth_server.settings.account, PASSWORD)
    email_access_form(ctx, acme, ["ana@acme.com"], auth_server.settings, secrets)
    dialog = TeamDatabaseDialog(ctx, secrets, TaskRunner(), Path(db_path))
    qtbot.addWidget(dialog)
    dialog.team.setChecked(True)
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(1)  # nobody listens: the attempt fails, the password was typed all the same
    dialog.user.setText("ann")
    dialog.password.setText(TEAM_PASSWORD)
    dialog.connect_button.click()
    roster = export_seat_roster(tmp_path / "roster.xlsx", acme, ctx=ctx)
    QSettings().sync()
    for handler in logging.getLogger().handlers:
        handler.flush()
    settings_file = Path(QSettings().fileName())
    database_files = [p for p in Path(db_path).parent.rglob(Path(db_path).name + "*") if p.is_file()]  # + lock files
    files = [*database_files, log_path, roster, *([settings_file] if settings_file.exists() else [])]
    for secret in (PASSWORD, TEAM_PASSWORD):
        assert _files_with(secret.encode(), files) == [], secret
        assert secret not in str(refused.value) + repr(refused.value)
        assert secret not in dialog.status.text()
    assert len(auth_server.mailbox.received) == 1
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "baseFilename", "") == str(log_path):
            logging.getLogger().removeHandler(handler)
            handler.close()
