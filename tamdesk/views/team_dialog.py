"""File > Team database…: stay on the local file or connect to the shared PostgreSQL database.

Where the team database is (host, port, database, user) is UI state kept in QSettings; its password goes only
to the keyring (or, without one, is kept for this session).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tamdesk.models import DatabaseError
from tamdesk.secrets import SecretName, SecretStore
from tamdesk.services.base import Context
from tamdesk.services.database import OpenedDatabase, TeamDatabase, open_database, open_team_database
from tamdesk.services.team import copy_local_to_team
from tamdesk.views.tasks import TaskControl, TaskRunner
from tamdesk.views.widgets import reserve_space, size_to_content


def saved_team() -> TeamDatabase | None:
    """The team database chosen last time, or None when the app uses its local file."""
    settings = QSettings()
    if settings.value("database/kind", "local") != "team":
        return None
    return TeamDatabase(
        str(settings.value("database/host", "")),
        int(settings.value("database/port", 5432)),
        str(settings.value("database/name", "tamdesk")),
        str(settings.value("database/user", "")),
    )


def remember(team: TeamDatabase | None) -> None:
    settings = QSettings()
    settings.setValue("database/kind", "team" if team else "local")
    if team:
        settings.setValue("database/host", team.host)
        settings.setValue("database/port", team.port)
        settings.setValue("database/name", team.dbname)
        settings.setValue("database/user", team.user)


class TeamDatabaseDialog(QDialog):
    """Choose local or team; test and connect; copy the laptop's data over."""

    def __init__(
        self, ctx: Context, secrets: SecretStore, runner: TaskRunner, local_path: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Team database")
        self.ctx, self.secrets, self.runner, self.local_path = ctx, secrets, runner, local_path
        self.opened: OpenedDatabase | None = None
        self.local = QRadioButton(f"This computer only ({local_path.name})")
        self.team = QRadioButton("A shared PostgreSQL database for the team")
        group = QButtonGroup(self)
        group.addButton(self.local)
        group.addButton(self.team)
        self.host, self.name, self.user = QLineEdit(), QLineEdit("tamdesk"), QLineEdit()
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept in the keyring")
        self.status = reserve_space(QLabel(), 3)  # why a connection failed; the buttons stay put when it is said
        self.copy_button = QPushButton("Copy my local data to the team database…")
        self.copy_button.clicked.connect(self.copy_local_data)
        form = QFormLayout()
        for label, widget in (("Host", self.host), ("Port", self.port), ("Database", self.name),
                              ("User", self.user), ("Password", self.password)):  # fmt: skip
            form.addRow(label, widget)
        self.team_box = QGroupBox("Team database")
        self.team_box.setLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = buttons.addButton("Connect", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.connect_chosen)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.local, self.team, self.team_box, self.copy_button, self.status, buttons):
            layout.addWidget(widget)
        self.team.toggled.connect(self._update)
        self._load()
        self.setMinimumWidth(480)
        size_to_content(self)

    def _load(self) -> None:
        team = saved_team()
        (self.team if team else self.local).setChecked(True)
        if team:
            self.host.setText(team.host)
            self.port.setValue(team.port)
            self.name.setText(team.dbname)
            self.user.setText(team.user)
        if not self.secrets.available:
            self.status.setText(self.secrets.notice or "")
        self._update()

    def _update(self) -> None:
        self.team_box.setEnabled(self.team.isChecked())
        self.copy_button.setEnabled(self.team.isChecked())

    def chosen_team(self) -> TeamDatabase:
        return TeamDatabase(
            self.host.text().strip(), self.port.value(), self.name.text().strip(), self.user.text().strip()
        )

    def _team_password(self, team: TeamDatabase) -> str | None:
        typed = self.password.text()
        return typed or self.secrets.get(SecretName.DATABASE_PASSWORD, team.account)

    def connect_chosen(self) -> None:
        """Open the chosen database and close; the dialog stays open with the reason when it cannot."""
        if self._open_chosen():
            self.accept()

    def _open_chosen(self) -> bool:
        try:
            if self.team.isChecked():
                team = self.chosen_team()
                missing = [n for n, v in (("Host", team.host), ("Database", team.dbname), ("User", team.user)) if not v]
                if missing:
                    named = " and ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
                    self.status.setText(f"{named} {'is' if len(missing) == 1 else 'are'} required.")
                    return False
                password = self._team_password(team)
                self.opened = open_team_database(team, password)
                if self.password.text():
                    self.secrets.set(SecretName.DATABASE_PASSWORD, team.account, self.password.text())
                remember(team)
            else:
                self.opened = open_database(self.local_path)
                remember(None)
        except DatabaseError as exc:
            self.status.setText(str(exc))
            return False
        return True

    def copy_local_data(self) -> None:
        """Connect to the team database, then copy this laptop's local file into it (off the UI thread)."""
        if not self._open_chosen() or self.opened is None or self.opened.path is not None:
            return
        progress = QProgressDialog("Copying your local data to the team database…", "Cancel", 0, 100, self)
        progress.setMinimumDuration(200)

        def work(control: TaskControl) -> str:
            return copy_local_to_team(
                self.ctx, self.local_path, progress=control.progress, cancelled=control.cancelled
            ).summary

        def finished(summary: object) -> None:
            progress.close()
            QMessageBox.information(self, "Team database", str(summary))
            self.accept()

        def failed(exc: object, details: str) -> None:
            progress.close()
            self.status.setText(str(exc))

        task = self.runner.run(work, finished, failed, lambda d, t: (progress.setMaximum(t), progress.setValue(d)))
        progress.canceled.connect(task.cancel)
