"""Settings › Connections: the support systems tickets are synced from, their tokens, and how often to sync."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLineEdit, QPushButton, QSpinBox, QTableView, QWidget

from tamdesk.domain.sync import SourceKind, SyncError
from tamdesk.services import connections as conn
from tamdesk.services.base import DomainError
from tamdesk.services.sources import make_client
from tamdesk.services.sync import SyncResult, held_lines, held_tickets
from tamdesk.views.pages.settings.helpers import SPIN_WIDTH, text_label
from tamdesk.views.pages.settings.section import RowEditorSection
from tamdesk.views.table_model import Column, RowTableModel
from tamdesk.views.tasks import TaskControl
from tamdesk.views.widgets import Tone, configure_table, show_failure

_PLACEHOLDERS = {
    SourceKind.ZENDESK: "https://acme.zendesk.com",
    SourceKind.JSM: "https://acme.atlassian.net",
    SourceKind.SALESFORCE: "https://acme.my.salesforce.com",
}


def _columns(now: datetime) -> list[Column[conn.ConnectionRow]]:
    return [
        Column[conn.ConnectionRow]("Name", lambda c: c.name),
        Column[conn.ConnectionRow]("Source", lambda c: c.kind.label),
        Column[conn.ConnectionRow]("Address", lambda c: c.base_url, tooltip=lambda c: c.base_url),
        Column[conn.ConnectionRow]("Last sync", lambda c: c.state.describe(now).partition(": ")[2],
                                   tooltip=lambda c: c.message or "Not synced yet"),
        Column[conn.ConnectionRow]("Held", lambda c: str(c.held) if c.held else "", align_right=True,
                                   tooltip=lambda c: "Source tickets waiting for their customer to be mapped"),
    ]  # fmt: skip


def _wait(control: TaskControl, seconds: float) -> None:
    """A retry's pause that ends when the section goes away."""
    control.wait(seconds)


class ConnectionsSection(RowEditorSection):
    title = "Connections"
    intro = (
        "Zendesk, Jira Service Management and Salesforce: tickets and their history arrive by themselves. A sync "
        "runs when tamdesk starts and every few minutes; the status bar says when it last succeeded. Tokens are "
        "kept only in your system's keyring."
    )
    saved_text = "Connection added. Test it, then sync."
    expanding = True

    def build(self) -> None:
        self._editing: int | None = None
        self.model = RowTableModel[conn.ConnectionRow](_columns(self.ctx.now()), self)
        self.table = QTableView()
        self.table.setAccessibleName("Connections")
        configure_table(self.table)
        self.table.setModel(self.model)
        self.table.setMinimumHeight(150)
        for column, width in enumerate((120, 170, 210, 250)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.follow_table()
        self.new_button = QPushButton("&New connection")
        self.test_button = QPushButton("&Test connection")
        self.sync_button = QPushButton("S&ync now")
        self.remove_button = QPushButton("&Remove")
        buttons = QHBoxLayout()
        for button in (self.new_button, self.test_button, self.sync_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.body.addLayout(buttons)
        self.body.addWidget(self.table, 1)
        self.held = text_label("", hint=True)
        self.body.addWidget(self.held)
        self.group = QGroupBox("New connection")
        form = self.form(self.group)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Zendesk")
        self.kind = QComboBox()
        for kind in SourceKind:
            self.kind.addItem(kind.label, kind)
        self.url = QLineEdit()
        self.user = QLineEdit()
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_field(form, "name", "N&ame", self.name)
        self.add_field(form, "kind", "&Source", self.kind)
        self.add_field(form, "base_url", "A&ddress", self.url)
        self.add_field(form, "user", "&User", self.user)
        self.add_field(form, "secret", "To&ken", self.secret, "Kept in your system's keyring, never in the database.")
        form.addRow(self.save_row())
        self.body.addWidget(self.group)
        self.interval = QSpinBox()
        self.interval.setRange(*conn.INTERVAL_RANGE)
        self.interval.setSuffix(" minutes")
        self.interval.setSpecialValueText("Only at start and on request")
        self.interval.setMaximumWidth(SPIN_WIDTH + 120)
        self.interval_button = QPushButton("Save &interval")
        row = QHBoxLayout()
        row.addWidget(text_label("Sync every"))
        row.addWidget(self.interval)
        row.addWidget(self.interval_button)
        row.addStretch(1)
        self.body.addLayout(row)
        self.new_button.clicked.connect(self.start_new)
        self.test_button.clicked.connect(self.test_selected)
        self.sync_button.clicked.connect(self.sync_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.interval_button.clicked.connect(self._save_interval)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.track(self.name.textChanged, self.kind.currentIndexChanged, self.url.textChanged,
                   self.user.textChanged, self.secret.textChanged)  # fmt: skip
        self._kind_changed()

    # -- reading and writing -------------------------------------------------------------------------------------

    def read(self) -> None:
        self.model.columns = _columns(self.ctx.now())
        self.model.set_rows(conn.list_connections())
        self.interval.setValue(conn.sync_interval())
        rows = self.model.rows()
        match = next((i for i, c in enumerate(rows) if c.id == self._editing), None)
        if match is None:
            self._fill(None)
        else:
            self.table.selectRow(match)
            self._fill(rows[match])

    def values(self) -> object:
        return (self.name.text().strip(), self.kind.currentData(), self.url.text().strip(), self.user.text().strip(),
                bool(self.secret.text()))  # fmt: skip

    def write(self) -> None:
        store = self.page.secrets
        if self._editing is None:
            data = conn.ConnectionInput(self.name.text(), SourceKind(self.kind.currentData()).value, self.url.text(),
                                        self.user.text())  # fmt: skip
            self._editing = conn.add_connection(self.ctx, data, self.secret.text(), store)
            self.saved_text = "Connection added. Test it, then sync."
        else:
            conn.set_secret(self.ctx, self._current().name, self.secret.text(), store)
            self.saved_text = "Token replaced in the keyring."
        self.secret.clear()

    def _current(self) -> conn.ConnectionRow:
        return next(c for c in self.model.rows() if c.id == self._editing)

    def _fill(self, row: conn.ConnectionRow | None) -> None:
        self._editing = row.id if row else None
        for field, value in ((self.name, row.name if row else ""), (self.url, row.base_url if row else ""),
                             (self.user, row.user if row else "")):  # fmt: skip
            field.setText(value)
            field.setEnabled(row is None)  # to change one, remove it and add it again
        self.kind.setEnabled(row is None)
        if row is not None:
            self.kind.setCurrentIndex(self.kind.findData(row.kind))
        self.secret.clear()
        self.secret.setPlaceholderText(f"Type to replace the stored {conn.secret_label(row.kind)}" if row else "")
        self.group.setTitle(f"{row.name}: replace its token" if row else "New connection")
        self.save_button.setText("Replace token" if row else "Add connection")
        for button in (self.test_button, self.sync_button, self.remove_button):
            button.setEnabled(row is not None)
        self._show_held(row)
        self._kind_changed()

    def _show_held(self, row: conn.ConnectionRow | None) -> None:
        """What the connection holds back, and how to let it through: the customer's Also known as."""
        lines = held_lines(held_tickets(row.name)) if row is not None and row.held else []
        self.held.setVisible(bool(lines))
        self.held.setText(
            "Held until their customer is known (add the name to a customer's Also known as, or create the "
            "customer; the next sync takes them):\n" + "\n".join(lines)
            if lines
            else ""
        )

    def first_field(self) -> QWidget:
        return self.name

    def _kind_changed(self, *_: object) -> None:
        kind = SourceKind(self.kind.currentData())
        self.url.setPlaceholderText(_PLACEHOLDERS[kind])
        self.user.setPlaceholderText(conn.user_label(kind).capitalize())
        if self._editing is None:
            self.secret.setPlaceholderText(f"The {conn.secret_label(kind)}")

    def _save_interval(self) -> None:
        minutes = self.interval.value()
        text = f"Syncs every {minutes} minutes." if minutes else "Syncs only at start and on request."
        self.attempt(lambda: conn.set_sync_interval(self.ctx, minutes), text)

    # -- actions on the selected connection ------------------------------------------------------------------------

    def test_selected(self) -> None:
        """Sign in and read one thing in the background; the answer in one sentence under the section."""
        name, store = self._current().name, self.page.secrets
        self.status.show_message(Tone.INFO, f"Testing {name}…")
        self.test_button.setEnabled(False)

        def work(control: TaskControl) -> str:
            return conn.check_connection(name, store, make=make_client, sleep=lambda seconds: _wait(control, seconds))

        self.page.runner.run(work, self._tested, self._test_failed)

    def _tested(self, sentence: str) -> None:
        self.test_button.setEnabled(self._editing is not None)
        self.status.show_message(Tone.OK, sentence)

    def _test_failed(self, exc: BaseException, details: str) -> None:
        self.test_button.setEnabled(self._editing is not None)
        if isinstance(exc, SyncError | DomainError):  # one sentence: what failed, never the token
            self.status.set_error(str(exc))
        else:
            show_failure(self, "Test connection", exc, details)

    def sync_selected(self) -> None:
        """Sync now through the window's scheduler (progress and the result in the status bar)."""
        window = self.window()
        scheduler = getattr(window, "sync", None)
        if scheduler is not None and scheduler.run_now() is not None:
            self.status.show_message(Tone.INFO, "Syncing every connection; the status bar shows how it went.")
            scheduler.finished.connect(self._synced_once)
        else:
            self.status.show_message(Tone.INFO, "A sync is already running.")

    def _synced_once(self, outcomes: object) -> None:
        window = self.window()
        scheduler = getattr(window, "sync", None)
        if scheduler is not None:
            scheduler.finished.disconnect(self._synced_once)
        lines = [r.line if isinstance(r, SyncResult) else str(r) for _, r in outcomes]  # type: ignore[attr-defined]
        self.load()
        self.status.show_message(Tone.OK, " ".join(lines) or "Nothing to sync.")

    def remove_selected(self) -> None:
        current = self._current()
        self._editing = None
        self.attempt(lambda: conn.remove_connection(self.ctx, current.name, self.page.secrets),
                     f"Removed {current.name}; its synced tickets stay.")  # fmt: skip
