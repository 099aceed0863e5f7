"""The main window: navigation on the left, one page at a time on the right, menus and status bar."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, overload

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from tamdesk import __version__
from tamdesk.models import DatabaseError, database_label
from tamdesk.secrets import SecretStore
from tamdesk.services.base import Context, DomainError
from tamdesk.services.database import OpenedDatabase, explain_failure, is_database_failure
from tamdesk.services.overview import database_counts, status_counts
from tamdesk.services.search import entry_customer, seat_customer
from tamdesk.views.changes import data_changes
from tamdesk.views.icons import icon
from tamdesk.views.notifications import Notifier
from tamdesk.views.pages.base import Page
from tamdesk.views.pages.today import TodayPage
from tamdesk.views.session import shared_secrets
from tamdesk.views.sync_scheduler import SyncScheduler
from tamdesk.views.tasks import TaskControl, TaskRunner
from tamdesk.views.undo import undo_stack

if TYPE_CHECKING:
    from tamdesk.views.history_dialog import HistoryDialog
    from tamdesk.views.search_dialog import SearchDialog

log = logging.getLogger(__name__)


class OpenDatabase(Protocol):
    def __call__(self, target: Path, *, create: bool = False) -> OpenedDatabase: ...


def _today(window: MainWindow) -> Page:
    page = TodayPage(window.ctx, window.runner)
    page.open_requested.connect(window.open_item)
    return page


def _customers(window: MainWindow) -> Page:
    from tamdesk.views.pages.customers import CustomersPage

    return CustomersPage(window.ctx, window.runner)


def _tickets(window: MainWindow) -> Page:
    from tamdesk.views.pages.tickets import TicketsPage

    return TicketsPage(window.ctx, window.runner)


def _escalations(window: MainWindow) -> Page:
    from tamdesk.views.pages.escalations import EscalationsPage

    return EscalationsPage(window.ctx, window.runner)


def _defects(window: MainWindow) -> Page:
    from tamdesk.views.pages.defects import DefectsPage

    return DefectsPage(window.ctx, window.runner)


def _reports(window: MainWindow) -> Page:
    from tamdesk.views.pages.reports import ReportsPage

    return ReportsPage(window.ctx, window.runner)


def _settings(window: MainWindow) -> Page:
    from tamdesk.views.pages.settings import SettingsPage

    return SettingsPage(window.ctx, window.runner, window.secrets)


@dataclass(frozen=True)
class PageSpec:
    title: str
    icon_name: str
    factory: Callable[[MainWindow], Page]


# The pages in navigation order (Ctrl+1 … Ctrl+7). Each module is imported when its page is first shown.
PAGES = (
    PageSpec("Today", "today", _today),
    PageSpec("Customers", "customers", _customers),
    PageSpec("Tickets", "tickets", _tickets),
    PageSpec("Escalations", "escalations", _escalations),
    PageSpec("Defects", "defects", _defects),
    PageSpec("Reports", "reports", _reports),
    PageSpec("Settings", "settings", _settings),
)


class LazyPages(Sequence[Page]):
    """The window's pages by navigation row; reading one builds it on first use."""

    def __init__(self, make: Callable[[int], Page]) -> None:
        self._make = make
        self._built: dict[int, Page] = {}

    def __len__(self) -> int:
        return len(PAGES)

    @overload
    def __getitem__(self, row: int) -> Page: ...
    @overload
    def __getitem__(self, row: slice) -> list[Page]: ...
    def __getitem__(self, row: int | slice) -> Page | list[Page]:
        if isinstance(row, slice):
            return [self[r] for r in range(len(PAGES))[row]]
        row = range(len(PAGES))[row]  # IndexError past the end, negative rows from the end
        if row not in self._built:
            self._built[row] = self._make(row)
        return self._built[row]

    def built(self) -> list[Page]:
        """The pages built so far (a page never visited has nothing to refresh or stop)."""
        return [self._built[row] for row in sorted(self._built)]


STATUS_DELAY_MS = 150

# what ``open_item`` opens: kind -> (page title, the page's method taking the id, the customer tab to show)
OPENERS = {
    "ticket": ("Tickets", "open_ticket", ""),
    "defect": ("Defects", "open_defect", ""),
    "escalation": ("Escalations", "open_escalation", ""),
    "customer": ("Customers", "open_customer", ""),
    "onboarding": ("Customers", "open_customer", "onboarding"),
    "seats": ("Customers", "open_customer", "seats"),
    "timeline": ("Customers", "open_customer", "timeline"),
    "contacts": ("Customers", "open_customer", "contacts"),
    "contract": ("Customers", "open_customer", "contract"),
    "settings": ("Settings", "", ""),
}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class MainWindow(QMainWindow):
    database_changed = Signal(str)
    search_dialog: SearchDialog | None = None  # built when first asked for
    history_dialog: HistoryDialog | None = None
    sample_data_loaded = Signal(str)

    def __init__(
        self,
        ctx: Context,
        open_database: OpenDatabase,
        runner: TaskRunner | None = None,
        secrets: SecretStore | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.secrets = secrets or shared_secrets()
        self._open_database = open_database
        self.runner = runner or TaskRunner(self)
        self.settings = QSettings()
        self.setWindowTitle("tamdesk")
        self.setWindowIcon(icon("tamdesk"))
        self.setMinimumSize(QSize(760, 520))
        self.pages = LazyPages(self._make_page)
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName("Navigation")
        self.navigation.setIconSize(QSize(20, 20))
        self.navigation.setMinimumWidth(160)
        self.stack = QStackedWidget()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.navigation)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.database_status = QLabel()
        self.counts_status = QLabel()
        self.statusBar().addWidget(self.database_status, 1)
        self.statusBar().addPermanentWidget(self.counts_status)
        self._build_pages()
        self.notifier = Notifier(self, ctx, self.runner)
        # Its own runner: a sync that waits on a slow service never delays a save on the window's runner.
        self.sync = SyncScheduler(ctx, TaskRunner(self), shared_secrets, self)
        self.statusBar().addPermanentWidget(self.sync.label)
        self._build_menus()
        self.navigation.currentRowChanged.connect(self._page_selected)
        # whatever page saved something, the status bar's counts follow (a burst of saves reads them once)
        self._status_timer = QTimer(
            self, singleShot=True, interval=STATUS_DELAY_MS, timeout=lambda: self._read(self.refresh_status)
        )
        data_changes().changed.connect(self._data_changed)
        self._loads_on_show = True
        self._restore_state()  # builds the first page; it loads once the window is on screen (showEvent)
        self.refresh_status()

    # -- construction -------------------------------------------------------------------------------------

    def _build_pages(self) -> None:
        """One navigation entry and one placeholder per page; a page is built on its first visit (start-up builds
        only the page shown first)."""
        for spec in PAGES:
            item = QListWidgetItem(icon(spec.icon_name), spec.title)
            item.setSizeHint(QSize(0, 34))
            self.navigation.addItem(item)
            self.stack.addWidget(QWidget())

    def _make_page(self, row: int) -> Page:
        page = PAGES[row].factory(self)
        page.sample_data_requested.connect(self.load_sample_data)
        placeholder = self.stack.widget(row)
        self.stack.insertWidget(row, page)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        return page

    @Slot(str)
    def _data_changed(self, _what: str) -> None:
        self._status_timer.start()

    def build_all_pages(self) -> None:
        """Build every page not visited yet (each loads its data when it is first shown)."""
        for row in range(len(PAGES)):
            self.pages[row]

    def _page_selected(self, row: int) -> None:
        if row < 0:
            return
        page = self.pages[row]
        self.stack.setCurrentWidget(page)
        self.new_item_action.setText(f"&{page.new_item_text}" if page.new_item_text else "&New…")
        self.new_item_action.setEnabled(bool(page.new_item_text))
        if not self._loads_on_show:
            self._read(page.refresh)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._loads_on_show:  # the first show: paint the window first, then load the page shown
            self._loads_on_show = False
            page = self.current_page()
            QTimer.singleShot(0, self, lambda: self._read(page.refresh))

    def _action(self, text: str, slot: Callable[[], object], shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even while the menu bar is hidden (macOS full screen)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        # Ctrl+N makes a new item of the page shown (a customer, a ticket…); a new database is the rarer need
        self.new_item_action = self._action("&New…", self.new_item, QKeySequence.StandardKey.New)
        self.new_action = self._action("New &database…", self.new_database, "Ctrl+Shift+N")
        self.open_action = self._action("&Open database…", self.choose_database, QKeySequence.StandardKey.Open)
        self.sample_action = self._action("Load &sample data…", self.load_sample_data)
        self.restore_action = self._action("&Restore backup…", self.restore_backup)
        self.team_action = self._action("&Team database…", self.choose_team_database)
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_actions = (self.new_item_action, None, self.new_action, self.open_action, self.team_action, None,
                        self.sample_action, self.restore_action, None)  # fmt: skip
        for action in (*file_actions, self.quit_action):
            if action is None:
                file_menu.addSeparator()
            else:
                file_menu.addAction(action)
        file_menu.insertAction(self.quit_action, self.notifier.toggle_action)
        file_menu.insertSeparator(self.quit_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        stack = undo_stack()
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(QKeySequence.StandardKey.Redo)  # Ctrl+Y and Ctrl+Shift+Z
        for action in (self.undo_action, self.redo_action):
            edit_menu.addAction(action)
            self.addAction(action)
        self._undo_place = (stack.index(), stack.count())
        stack.indexChanged.connect(self._undo_index_changed)
        go_menu = self.menuBar().addMenu("&Go")
        self.search_action = self._action("&Search…", self.show_search, "Ctrl+K")
        go_menu.addAction(self.search_action)
        go_menu.addSeparator()
        for row, spec in enumerate(PAGES):
            go_menu.addAction(self._action(spec.title, lambda _=False, r=row: self.show_page(r), f"Ctrl+{row + 1}"))
        tools_menu = self.menuBar().addMenu("&Tools")
        self.history_action = self._action("&History…", self.show_history, "Ctrl+Shift+H")
        tools_menu.addAction(self.history_action)
        help_menu = self.menuBar().addMenu("&Help")
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts, "Ctrl+/")
        help_menu.addAction(self.shortcuts_action)
        self.about_action = self._action("&About tamdesk", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(self.about_action)

    # -- state ----------------------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = self.settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        splitter = self.settings.value("main/splitter")
        if splitter is None or not self.splitter.restoreState(splitter):
            self.splitter.setSizes([190, 1090])
        self.show_page(int(self.settings.value("main/page", 0)))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/splitter", self.splitter.saveState())
        self.settings.setValue("main/page", self.navigation.currentRow())
        self._stop_background_work()
        with contextlib.suppress(RuntimeError):  # the session's undo stack and change hub outlive this window
            undo_stack().indexChanged.disconnect(self._undo_index_changed)
        with contextlib.suppress(RuntimeError):
            data_changes().changed.disconnect(self._data_changed)
        super().closeEvent(event)

    def _stop_background_work(self) -> None:
        """No timer, notification check or change elsewhere starts a read after the window closed.

        A closed window may live on until Qt deletes it; a read it started then would run against whatever
        database is open by that time (in the app: none; in the tests: the next test's).
        """
        self.notifier.stop()
        self.sync.stop()
        self._status_timer.stop()
        tickets = sys.modules.get("tamdesk.views.pages.tickets")  # not imported: no ticket list to stop
        if tickets is not None:
            for page in self.findChildren(tickets.TicketsPage):
                page.stop()
            for ticket_list in self.findChildren(tickets.TicketList):
                ticket_list.stop()
        for runner in {self.runner, *self.findChildren(TaskRunner)}:
            runner.wait(30_000)

    def show_page(self, row: int) -> None:
        row = max(0, min(row, len(PAGES) - 1))
        self.navigation.setCurrentRow(row)

    def current_page(self) -> Page:
        return self.pages[self.navigation.currentRow()]

    def open_item(self, kind: str, item_id: int) -> bool:
        """Go to the page of a ticket, defect, escalation or customer and open it there (see ``OPENERS``);
        False for a kind no page shows. Works with whatever open methods the pages provide."""
        title, method, tab = OPENERS.get(kind, ("", "", ""))
        row = next((r for r, spec in enumerate(PAGES) if spec.title == title), None)
        if row is None:
            return False
        self.show_page(row)
        page = self.pages[row]
        if method and hasattr(page, method):
            getattr(page, method)(item_id)
        detail = getattr(page, "detail", None)
        if tab and hasattr(detail, "tabs") and hasattr(detail, tab):
            detail.tabs.setCurrentWidget(getattr(detail, tab))
        return True

    def open_found(self, kind: str, item_id: int) -> None:
        """Open a search hit or an audited record; a seat holder opens on its customer's Portal seats tab."""
        if kind == "seat":
            customer_id = seat_customer(item_id)
            if customer_id is None or not self.open_item("seats", customer_id):
                self.statusBar().showMessage("That portal seat no longer exists.", 5000)
                return
            seats = getattr(getattr(self.current_page(), "detail", None), "seats", None)
            if hasattr(seats, "select_seat"):
                seats.select_seat(item_id)
        elif kind == "timeline_entry":
            customer_id = entry_customer(item_id)
            if customer_id is None or not self.open_item("timeline", customer_id):
                self.statusBar().showMessage("That timeline entry no longer exists.", 5000)
                return
            timeline = getattr(getattr(self.current_page(), "detail", None), "timeline", None)
            if hasattr(timeline, "select_entry"):
                timeline.select_entry(item_id)
        elif not self.open_item(kind, item_id):
            self.statusBar().showMessage(f"A {kind} cannot be opened here.", 5000)

    def show_search(self) -> None:
        """Search everywhere (Ctrl+K): the palette over the window; the chosen hit opens on its page."""
        if self.search_dialog is None:
            from tamdesk.views.search_dialog import SearchDialog

            # a runner of its own: a search must not wait behind a long task (searches only read)
            self.search_dialog = SearchDialog(TaskRunner(self), self)
            self.search_dialog.open_requested.connect(self.open_found)
        self.search_dialog.open_palette()

    def show_history(self) -> None:
        """Tools › History: every audited change, filtered; it follows a switch to another database."""
        if self.history_dialog is None:
            from tamdesk.views.history_dialog import HistoryDialog

            self.history_dialog = HistoryDialog(self.ctx, self.runner, self)
            self.history_dialog.open_requested.connect(self.open_found)
            self.database_changed.connect(self.history_dialog.database_switched)
        self.history_dialog.open_history()

    def refresh(self) -> None:
        """The status bar and the page shown read the database again (after a switch, an undo, sample data)."""
        self._read(self.refresh_status)
        if self.navigation.currentRow() >= 0:
            self._read(self.current_page().refresh)

    def _read(self, action: Callable[[], object]) -> None:
        """Read the database for the screen; if the database fails (a server that went away, a lock), say so in
        the status bar in one sentence and keep what the screen showed."""
        try:
            action()
        except Exception as exc:
            if not is_database_failure(exc):
                raise
            log.warning("Reading the database for the screen failed: %s", exc, exc_info=True)
            self.statusBar().showMessage(explain_failure(exc), 30000)

    def refresh_status(self) -> None:
        label = database_label()
        self.database_status.setText(f"Database: {label}")
        self.database_status.setToolTip(label)
        self.sync.show_state()
        customers, tickets = status_counts()
        self.counts_status.setText(f"{_plural(customers, 'customer')} · {_plural(tickets, 'ticket')}")
        self.setWindowTitle(f"tamdesk — {Path(label).name}")

    # -- actions ----------------------------------------------------------------------------------------------

    def _last_folder(self) -> str:
        return str(self.settings.value("main/last_folder", str(Path.home())))

    def new_item(self) -> None:
        """File › New… (Ctrl+N): a new customer, ticket, escalation or defect, as the page shown makes them."""
        if self.navigation.currentRow() >= 0:
            self.current_page().new_item()

    def new_database(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "New database", str(Path(self._last_folder()) / "tamdesk.db"), "tamdesk databases (*.db)"
        )
        if path:
            if Path(path).exists():
                QMessageBox.warning(self, "New database", f"{path} already exists. Choose Open database to open it.")
                return
            self.switch_database(Path(path), create=True)

    def choose_database(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open database", self._last_folder(), "tamdesk databases (*.db *.sqlite);;All files (*)"
        )
        if path:
            self.switch_database(Path(path))

    def switch_database(self, path: Path, create: bool = False) -> bool:
        """Open another database (``create``: a new one); on failure say why and stay on the current one."""
        self.runner.wait()
        try:
            opened = self._open_database(path, create=create)
        except DatabaseError as exc:
            QMessageBox.critical(self, "Cannot open database", str(exc))
            return False
        self.settings.setValue("main/last_folder", str(path.parent))
        self.settings.setValue("main/database", opened.label)
        self.refresh()
        self.statusBar().showMessage(f"Opened {opened.label}", 5000)
        self.database_changed.emit(opened.label)
        return True

    def load_sample_data(self) -> None:
        from tamdesk.services.demo import generate_demo

        counts = database_counts()
        force = False
        if not counts.empty:
            answer = QMessageBox.question(
                self,
                "Load sample data",
                f"This database already holds {_plural(counts.customers, 'customer')}. "
                "Replace everything in it with sample data?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            force = True
        progress = QProgressDialog("Creating sample customers, seats and tickets…", "Cancel", 0, 100, self)
        progress.setWindowTitle("Load sample data")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)

        def work(control: TaskControl) -> str:
            summary = generate_demo(self.ctx, force=force, progress=control.progress, cancelled=control.cancelled)
            return summary.summary

        def on_progress(done: int, total: int) -> None:
            progress.setMaximum(max(total, 1))
            progress.setValue(done)

        def on_success(summary: object) -> None:
            progress.close()
            self.refresh()
            self.statusBar().showMessage(str(summary), 10000)
            self.sample_data_loaded.emit(str(summary))

        def on_error(exc: object, details: str) -> None:
            progress.close()
            if isinstance(exc, DomainError):
                self.statusBar().showMessage(str(exc), 10000)
                if "cancel" not in str(exc).lower():
                    QMessageBox.warning(self, "Load sample data", str(exc))
                return
            raise_in_ui(exc, details)

        task = self.runner.run(work, on_success, on_error, on_progress)
        progress.canceled.connect(task.cancel)
        self._sample_task = task

    @Slot(int)
    def _undo_index_changed(self, index: int) -> None:
        """An undo or redo changed data: show it, and say what was undone or redone in place of the message
        that offered it (a bound slot, so a closed window is disconnected)."""
        stack = undo_stack()
        before, self._undo_place = self._undo_place, (index, stack.count())
        if stack.count() == before[1] and index != before[0]:
            command = stack.command(min(index, before[0]))
            if command is not None:
                verb = "Undone" if index < before[0] else "Redone"
                if getattr(command, "refused", False):  # the user was told why; nothing changed
                    verb = f"Not {verb.lower()}"
                self.statusBar().showMessage(f"{verb}: {command.text()}", 10000)
        self.refresh()

    def choose_team_database(self) -> None:
        """Stay on the local file or connect to the team's PostgreSQL database (and copy local data over)."""
        from tamdesk.services.database import default_database_path
        from tamdesk.views.team_dialog import TeamDatabaseDialog

        label = database_label()
        local = Path(label) if not label.startswith("postgresql://") else default_database_path()
        self.runner.wait()
        dialog = TeamDatabaseDialog(self.ctx, self.secrets, self.runner, local, self)
        if dialog.exec() and dialog.opened is not None:
            self.refresh()
            self.statusBar().showMessage(f"Opened {dialog.opened.label}", 5000)
            self.database_changed.emit(dialog.opened.label)

    def restore_backup(self) -> None:
        """Replace the open database with one of its backups, after a confirmation.

        Refused, with the reason, while another program (a second app window, an import) has the database open.
        """
        from tamdesk.services.backups import restore_backup
        from tamdesk.views.restore_dialog import RestoreDialog

        db_path = Path(database_label())
        if not db_path.exists():
            QMessageBox.information(self, "Restore backup", "Only a local database file can be restored here.")
            return
        dialog = RestoreDialog(db_path, self)
        if not dialog.exec() or dialog.chosen is None:
            return
        path = dialog.chosen
        answer = QMessageBox.warning(
            self,
            "Restore backup",
            f"Replace everything in {db_path.name} with the backup {path.name}?\n\n"
            "The database as it is now is kept in the backups folder first.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.runner.wait()
        try:
            safety = restore_backup(path, db_path, holder="the tamdesk app")
        except DatabaseError as exc:
            QMessageBox.critical(self, "Restore backup", str(exc))
            return
        self.refresh()
        self.database_changed.emit(str(db_path))
        self.statusBar().showMessage(f"Backup restored; the previous database is kept at {safety}", 15000)

    def show_shortcuts(self) -> None:
        """Help › Keyboard shortcuts: every shortcut of the menus, read from the actions themselves."""
        from tamdesk.views.shortcuts_dialog import ShortcutsDialog

        ShortcutsDialog(self).exec()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About tamdesk",
            f"<h3>tamdesk {__version__}</h3><p>The desktop workbench of a technical account manager: "
            "onboarding, portal seats, SLA tracking, escalations and defects.</p>"
            f"<p>Database: {database_label()}</p>",
        )


def raise_in_ui(exc: object, details: str) -> None:
    """Hand an unexpected background error to the application's error handler."""
    from tamdesk.views.errors import report_exception

    report_exception(exc, details)
