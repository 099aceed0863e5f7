"""Start-up wiring: paths, logging, database, services and the main window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs
from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QLineEdit, QMessageBox

from tamdesk import __version__
from tamdesk.models import DatabaseError
from tamdesk.secrets import SecretName, SecretStore
from tamdesk.services import database as database_service
from tamdesk.services.backups import automatic_backup
from tamdesk.services.base import Context
from tamdesk.services.database import (
    APP_NAME,
    ENV_DB,
    DatabaseTarget,
    OpenedDatabase,
    close_database,
    database_target,
    default_database_path,
    is_empty,
    open_database,
    open_team_database,
)
from tamdesk.services.health import record_week
from tamdesk.services.identity import adopt_name
from tamdesk.services.private_files import create_private, make_private, private_folder
from tamdesk.services.settings import get_setting
from tamdesk.views.errors import install_excepthook
from tamdesk.views.icons import icon
from tamdesk.views.main_window import MainWindow
from tamdesk.views.name_dialog import ask_name_once
from tamdesk.views.session import shared_secrets
from tamdesk.views.team_dialog import saved_team
from tamdesk.views.theme import apply_theme

BACKUP_DELAY_MS = 10_000


class PrivateLogHandler(RotatingFileHandler):
    """A rotating log that only its user can read (0600): it names customers, files and databases."""

    def _open(self):  # type: ignore[no-untyped-def]  # logging's own hook, untyped there
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        make_private(Path(self.baseFilename))  # a log written by an older tamdesk
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


def setup_logging() -> Path:
    """A private rotating log file in the user's private log folder; returns its path."""
    folder = private_folder(Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)))
    path = folder / "tamdesk.log"
    handler = PrivateLogHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def private_settings() -> Path | None:
    """Make the settings file 0600 (and its folder 0700 when it is tamdesk's own); Qt keeps the mode on save.

    Returns the file, or None where settings are not a file (the Windows registry).
    """
    if os.name == "nt":  # the registry by default; a user's profile is private there
        return None
    path = Path(QSettings().fileName())
    try:
        if path.parent.resolve() == Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)).resolve():
            private_folder(path.parent)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        create_private(path)
    except OSError as exc:  # Qt will say so if it cannot save either; starting matters more
        logging.getLogger("tamdesk").warning("Cannot make the settings file %s private: %s", path, exc)
        return None
    make_private(path)
    return path


def make_application(argv: list[str] | None = None) -> QApplication:
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationDisplayName("tamdesk")
    app.setWindowIcon(icon("tamdesk"))
    apply_theme(app)  # type: ignore[arg-type]
    return app  # type: ignore[return-value]


def _open_team(secrets: SecretStore) -> OpenedDatabase | None:
    """The team database chosen last time, asking for its password when the keyring has none.

    On failure the reason is shown and the app continues on the local file.
    """
    team = saved_team()
    if team is None:
        return None
    password = secrets.get(SecretName.DATABASE_PASSWORD, team.account)
    if password is None:
        typed, ok = QInputDialog.getText(
            None, "Team database", f"Password for {team.label}:", QLineEdit.EchoMode.Password
        )
        if not ok:
            return None
        password = typed
    try:
        opened = open_team_database(team, password)
    except DatabaseError as exc:
        QMessageBox.warning(None, "Team database", f"{exc}\n\ntamdesk opens your local database instead.")
        return None
    secrets.set(SecretName.DATABASE_PASSWORD, team.account, password)
    return opened


def _open_first_database(requested: str | None, secrets: SecretStore) -> OpenedDatabase | None:
    """Open the requested, team or default database; if it cannot be opened, say why and offer another.

    The default file is created on the first start; a database named with ``--db`` or ``$TAMDESK_DB`` that does
    not exist is only created when the user says so, so a mistyped path never becomes a new empty database.
    """
    try:
        target = database_target(requested)
    except DatabaseError as exc:
        QMessageBox.critical(None, "Cannot open database", str(exc))
        return None
    if target.team is None and requested is None and not os.environ.get(ENV_DB):
        team = _open_team(secrets)
        if team is not None:
            return team
        return _open_with_choices(target, create=True)
    return _open_with_choices(target, create=False)


def _open_with_choices(target: DatabaseTarget, create: bool) -> OpenedDatabase | None:
    while True:
        try:
            return open_database(target, create=create)
        except DatabaseError as exc:
            logging.getLogger("tamdesk").warning("%s", exc)
            missing = target.path is not None and not target.path.exists()
            box = (
                QMessageBox(
                    QMessageBox.Icon.Question, "No database there", f"There is no tamdesk database at {target.path}."
                )
                if missing
                else QMessageBox(QMessageBox.Icon.Critical, "Cannot open database", str(exc))
            )
            box.setInformativeText(
                "Create a new database there, open another database file, or quit."
                if missing
                else "Open another database file, or quit. The file was left untouched."
            )
            create_here = box.addButton("Create it", QMessageBox.ButtonRole.YesRole) if missing else None
            other = box.addButton("Open another…", QMessageBox.ButtonRole.AcceptRole)
            box.addButton(QMessageBox.StandardButton.Close)
            box.exec()
            if create_here is not None and box.clickedButton() is create_here:
                create = True
                continue
            if box.clickedButton() is not other:
                return None
            folder = str(target.path.parent) if target.path is not None else str(default_database_path().parent)
            chosen, _ = QFileDialog.getOpenFileName(None, "Open database", folder, "Databases (*.db)")
            if not chosen:
                return None
            target, create = DatabaseTarget(path=Path(chosen)), False


def run(db: str | None = None) -> int:
    """Open the app on ``db`` (default database when None); returns the exit code."""
    app = make_application()
    log_path = setup_logging()
    private_settings()
    install_excepthook(str(log_path))
    secrets = shared_secrets()
    database_service.program = "the tamdesk app"
    opened = _open_first_database(db, secrets)
    if opened is None:
        return 1
    logging.getLogger("tamdesk").info("tamdesk %s opened %s", __version__, opened.label)
    if opened.path is not None:  # a name an older tamdesk kept in this (local) database becomes the user's
        adopt_name(str(get_setting("user_name", "") or ""))
    actor = ask_name_once()
    window = MainWindow(Context(actor=actor), open_database, secrets=secrets)
    window.show()
    # the daily backup copies the whole file: it waits until the first page has had the disk to itself
    QTimer.singleShot(BACKUP_DELAY_MS, window, lambda: _backup_in_background(window))
    _record_health_daily(window)
    if opened.backup:
        window.statusBar().showMessage(f"Database upgraded; the previous version is kept at {opened.backup}", 15000)
    if is_empty() and not QSettings().value("main/declined_sample_data", False, type=bool):
        _offer_sample_data(window)
    code = app.exec()
    close_database()
    return int(code)


def _backup_in_background(window: MainWindow) -> None:
    """The daily automatic backup, off the UI thread; a failure is logged and shown in the status bar."""
    log = logging.getLogger("tamdesk")

    def failed(exc: object, details: str) -> None:
        log.warning("Automatic backup failed: %s", exc)
        window.statusBar().showMessage(f"Automatic backup failed: {exc}", 15000)

    def done(path: object) -> None:
        if path:
            log.info("Automatic backup written to %s", path)

    window.runner.run(lambda control: automatic_backup(window.ctx.now()), done, failed)


HEALTH_FIRST_DELAY_MS = 5_000  # after the first paint and the first page's load
HEALTH_EVERY_MS = 24 * 60 * 60 * 1000


def _record_health_daily(window: MainWindow) -> None:
    """This week's health snapshot of every customer, off the UI thread: soon after start, then once a day."""
    log = logging.getLogger("tamdesk")

    def record() -> None:
        def failed(exc: object, details: str) -> None:
            log.warning("Weekly health snapshot failed: %s", exc)

        def done(count: object) -> None:
            log.info("Health of %s customers recorded for this week", count)

        window.runner.run(lambda control: record_week(window.ctx, window.ctx.now()), done, failed)

    timer = QTimer(window)
    timer.setInterval(HEALTH_EVERY_MS)
    timer.timeout.connect(record)
    timer.start()
    QTimer.singleShot(HEALTH_FIRST_DELAY_MS, window, record)


def _offer_sample_data(window: MainWindow) -> None:
    answer = QMessageBox.question(
        window,
        "Welcome to tamdesk",
        "This database is empty. Load sample data to explore tamdesk with realistic customers, seats, tickets, "
        "escalations and defects?\n\nYou can load it later from File > Load sample data.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    if answer == QMessageBox.StandardButton.Yes:
        window.load_sample_data()
    else:
        QSettings().setValue("main/declined_sample_data", True)


def main() -> int:
    """Entry of the ``tamdesk-gui`` script: the app, with the CLI's ``--db`` option."""
    parser = argparse.ArgumentParser(prog="tamdesk-gui", description="Open the tamdesk app.")
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help="database file or postgresql://user@host/db (default: $TAMDESK_DB or the user data folder)",
    )
    return run(parser.parse_args().db)
