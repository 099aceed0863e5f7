"""The Customers page: a searchable, sortable list of customers, and one customer's detail view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.health import Band, Health
from tamdesk.domain.onboarding import OnboardingState
from tamdesk.models import database_label
from tamdesk.services.base import Context, DomainError
from tamdesk.services.customer_import import ImportSummary, import_customers
from tamdesk.services.customers import (
    CustomerRow,
    get_customer,
    list_customers,
    set_archived,
)
from tamdesk.services.database import is_empty
from tamdesk.services.health import all_health
from tamdesk.views.changes import changed, follow_changes
from tamdesk.views.customer_detail import STATE_TONES, CustomerDetailView, state_text
from tamdesk.views.customer_dialog import CustomerDialog
from tamdesk.views.health_format import health_colour, health_text, reasons_text
from tamdesk.views.icons import icon
from tamdesk.views.pages.base import EmptyState, Page
from tamdesk.views.table_model import Column, Priority, RowTableModel
from tamdesk.views.tasks import TaskControl, TaskRunner
from tamdesk.views.undo import push_done
from tamdesk.views.widgets import (
    Debouncer,
    ProgressBarDelegate,
    RowSortProxy,
    Tone,
    ask_open_path,
    configure_table,
    failure_sentence,
    remember_header,
    run_with_progress,
    set_empty_text,
    today,
    tone_color,
)

SEARCH_DELAY_MS = 250
STATE_ORDER = {
    OnboardingState.OVERDUE: 0,
    OnboardingState.IN_PROGRESS: 1,
    OnboardingState.NOT_STARTED: 2,
    OnboardingState.COMPLETE: 3,
}


def _state_colour(row: CustomerRow) -> QColor | None:
    if row.archived:
        return None
    tone = STATE_TONES.get(row.onboarding_state)
    return tone_color(tone) if tone else None


def _seats_colour(row: CustomerRow) -> QColor | None:
    return tone_color(Tone.WARNING) if row.seats_used > row.seat_allowance else None


def _name_tooltip(row: CustomerRow) -> str:
    """``Acme Analytics · Europe/Berlin · DE``, and on a second line the names it is also known as."""
    where = f"{row.name} · {row.time_zone}" + (f" · {row.country}" if row.country else "")
    return where + (f"\nAlso known as {'; '.join(row.aliases)}" if row.aliases else "")


def _alias_found(row: CustomerRow, searched: str) -> str:
    """The alias that the search text found ``row`` by, when its name does not hold the text."""
    needle = searched.casefold()
    if not needle or needle in row.name.casefold():
        return ""
    return next((alias for alias in row.aliases if needle in alias.casefold()), "")


def _name_text(row: CustomerRow, searched: str) -> str:
    """``Acme Analytics``, ``(archived)`` after it, and the alias a search found it by."""
    shown = f"{row.name} (archived)" if row.archived else row.name
    alias = _alias_found(row, searched)
    return f"{shown} — also known as {alias}" if alias else shown


def customer_columns(searched: Callable[[], str] = lambda: "") -> list[Column[CustomerRow]]:
    """The columns of the customer list; ``searched`` gives the text the list was filtered by."""
    return [
        Column[CustomerRow]("Name", lambda r: _name_text(r, searched()),
                            tooltip=_name_tooltip, stretch=True, min_width=180),
        Column[CustomerRow]("TAM", lambda r: r.tam or "—", priority=Priority.LOW),
        Column[CustomerRow]("Onboarding", lambda r: f"{r.onboarding_done}/{r.onboarding_total}",
                            tooltip=lambda r: f"{r.onboarding_done} of {r.onboarding_total} onboarding steps done"),
        Column[CustomerRow]("State", lambda r: "Archived" if r.archived else state_text(r.onboarding_state),
                            foreground=_state_colour),
        Column[CustomerRow]("Portal seats", lambda r: f"{r.seats_used} of {r.seat_allowance}",
                            foreground=_seats_colour,
                            tooltip=lambda r: f"{r.seats_used} of {r.seat_allowance} seats used"),
        Column[CustomerRow]("Open tickets", lambda r: f"{r.open_tickets:,}", align_right=True),
        Column[CustomerRow]("Health", lambda r: "—" if r.archived else health_text(r.health),
                            foreground=lambda r: health_colour(r.health),
                            tooltip=lambda r: "Archived customers have no health" if r.archived
                            else reasons_text(r.health)),
    ]  # fmt: skip


SORT_KEYS: list[Any] = [
    lambda r: r.name.casefold(),
    lambda r: (not r.tam, r.tam.casefold()),
    lambda r: (r.onboarding_done / r.onboarding_total if r.onboarding_total else 0.0, r.onboarding_done),
    lambda r: (r.archived, STATE_ORDER[r.onboarding_state]),
    lambda r: (r.seats_used / max(r.seat_allowance, 1), r.seats_used),
    lambda r: r.open_tickets,
    lambda r: (r.health is None, r.health.score if r.health else 0, r.name.casefold()),
]
ONBOARDING_COLUMN = 2
HEALTH_COLUMN = 6
HEALTH_FILTERS: list[tuple[str, frozenset[Band] | None]] = [
    ("All health", None),
    ("Needs attention (red or amber)", frozenset({Band.RED, Band.AMBER})),
    ("Red", frozenset({Band.RED})),
    ("Amber", frozenset({Band.AMBER})),
    ("Green", frozenset({Band.GREEN})),
]


class CustomersPage(Page):
    """The list of customers and, on Enter or double-click, the selected customer in full."""

    title = "Customers"
    new_item_text = "New customer…"
    sample_data_requested = Signal()

    def new_item(self) -> None:
        self.new_customer()

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self._database = ""
        self._select_next: int | None = None  # a customer to select at the next reload (one Undo restored)
        self.settings = QSettings()
        self._searched = ""  # the text the rows shown were found by
        self._rows: list[CustomerRow] = []  # the list as read, before the health filter
        self._health: dict[int, Health] = {}
        self._health_loading = False
        self._health_again = False
        self.model = RowTableModel[CustomerRow](customer_columns(lambda: self._searched), self)
        self.proxy = RowSortProxy(SORT_KEYS, self)
        self.proxy.setSourceModel(self.model)
        self._search_debouncer = Debouncer(SEARCH_DELAY_MS, lambda: self.reload(health=False), self)
        self.list_panel = self._build_list_panel()
        # a change saved anywhere (a sync, a ticket saved in the customer's tab) shows in the list's counts, at once
        # while the list is shown, else when Back brings it back
        self.follower = follow_changes(self.list_panel, self.reload)
        self.detail = CustomerDetailView(ctx, runner)
        self.detail.back_requested.connect(self.show_list)
        self.detail.edit_requested.connect(self.edit_customer)
        self.detail.archive_requested.connect(self.set_customer_archived)
        self.detail.changed.connect(lambda _: self.reload())
        self.detail.status_message.connect(self.show_status)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list_panel)
        self.stack.addWidget(self.detail)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._shortcuts()
        self._tab_order()
        self._update_buttons()

    # -- construction -------------------------------------------------------------------------------------

    def _build_list_panel(self) -> QWidget:
        panel = QWidget()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name, other names, TAM or email domain  (Ctrl+F)")
        self.search.setAccessibleName("Search customers")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(180)
        self.search.textChanged.connect(self._search_debouncer.trigger)
        self.show_archived = QCheckBox("Show &archived")
        self.show_archived.setChecked(self.settings.value("customers/show_archived", False, type=bool))
        self.show_archived.toggled.connect(self._archived_toggled)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: palette(placeholder-text);")
        self.import_button = QPushButton("&Import…")
        self.import_button.setToolTip(
            "Customers from a .csv or .xlsx file: Name, Email domains, Time zone, Country, TAM, Also known as"
        )
        self.import_button.clicked.connect(self.import_file)
        self.new_button = QPushButton("&New customer…")
        self.new_button.setIcon(icon("add"))
        self.new_button.clicked.connect(self.new_customer)
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.clicked.connect(lambda: self._with_selected(self.edit_customer))
        self.archive_button = QPushButton("Archi&ve…")
        self.archive_button.setToolTip("Hide the selected customer from the list (Delete)")
        self.archive_button.clicked.connect(self.archive_selected)
        self.health_filter = QComboBox()
        self.health_filter.setAccessibleName("Filter by health")
        self.health_filter.setToolTip("Show only the customers whose health is in a band")
        for label, _ in HEALTH_FILTERS:
            self.health_filter.addItem(label)
        chosen = self.settings.value("customers/health_filter", 0, type=int)
        self.health_filter.setCurrentIndex(chosen if 0 <= chosen < len(HEALTH_FILTERS) else 0)
        self.health_filter.currentIndexChanged.connect(self._health_filter_changed)
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.search, 1)
        toolbar.addWidget(self.health_filter)
        toolbar.addWidget(self.show_archived)
        toolbar.addSpacing(12)
        toolbar.addWidget(self.count_label)
        self.table = self._build_table()
        self.empty = self._build_empty_states()
        self.content = QStackedWidget()
        self.content.addWidget(self.table)
        self.content.addWidget(self.empty)
        heading = QLabel("Customers")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        heading.setFont(font)
        title_row = QHBoxLayout()
        title_row.addWidget(heading)
        title_row.addStretch(1)
        for button in (self.import_button, self.new_button, self.edit_button, self.archive_button):
            title_row.addWidget(button)
        layout = QVBoxLayout(panel)
        layout.addLayout(title_row)
        layout.addLayout(toolbar)
        layout.addWidget(self.content, 1)
        return panel

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setAccessibleName("Customers")
        configure_table(table, sortable=True)
        table.setModel(self.proxy)
        table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        table.setItemDelegateForColumn(ONBOARDING_COLUMN, ProgressBarDelegate(self._onboarding_fraction, table))
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        remember_header(table, "customers", widths=(260, 160, 130, 130, 110, 110, 110))
        header = table.horizontalHeader()
        table.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
        table.doubleClicked.connect(lambda _: self.open_selected())
        table.selectionModel().selectionChanged.connect(self._update_buttons)
        return table

    def _build_empty_states(self) -> EmptyState:
        empty = EmptyState(icon("customers"), "", "", "New customer…")
        empty.action_clicked.connect(self._empty_action)
        self.sample_button = QPushButton("Load sample data…")
        self.sample_button.clicked.connect(self.sample_data_requested)
        layout = empty.layout()
        layout.insertWidget(layout.indexOf(empty.button) + 1, self.sample_button, 0, Qt.AlignmentFlag.AlignHCenter)
        return empty

    def _shortcuts(self) -> None:
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.setWhatsThis("Search customers")
        find.activated.connect(self.focus_search)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.setWhatsThis("Open the selected customer")
            shortcut.activated.connect(self.open_selected)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.setWhatsThis("Archive the selected customer")
        delete.activated.connect(self.archive_selected)
        down = QShortcut(QKeySequence(Qt.Key.Key_Down), self.search)
        down.setContext(Qt.ShortcutContext.WidgetShortcut)
        down.setWhatsThis("From the search box to the list")
        down.activated.connect(self._focus_table)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.setWhatsThis("Clear the search")
        escape.activated.connect(self.search.clear)

    def _tab_order(self) -> None:
        """Search first, then the list, then the buttons that act on it."""
        chain = [self.search, self.health_filter, self.show_archived, self.table, self.new_button, self.edit_button]
        chain += [self.archive_button, self.import_button]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _onboarding_fraction(self, index: Any) -> tuple[int, int]:
        row: CustomerRow = self.proxy.row_at(index.row())
        return row.onboarding_done, row.onboarding_total

    # -- loading ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the list; after a database switch the detail view closes, since its customer is gone."""
        label = database_label()
        if label != self._database and self.stack.currentWidget() is self.detail:
            self.show_list()
        if label != self._database:
            self._health = {}  # another database's customers: its ids mean other customers here
        self._database = label
        self.reload()
        if self.stack.currentWidget() is self.detail:
            self.detail.reload(emit=False)

    def reload(self, health: bool = True) -> None:
        """Read the list again with the current search, keeping the selected customer selected; ``health``
        computes every customer's health again (not needed when only the search or the archived box changed)."""
        self._search_debouncer.timer.stop()
        self.follower.read()
        selected = self.selected_customer()
        search = self.search.text()
        try:
            rows = list_customers(today(self.ctx), search, self.show_archived.isChecked())
        except DomainError as exc:
            self.show_status(str(exc))
            rows = []
        self._searched = search.strip()
        self._rows = rows
        wanted = self._select_next if self._select_next is not None else (selected.id if selected else None)
        self._select_next = None
        self._show_rows(wanted)
        if health or not self._health:
            self.load_health()

    def _show_rows(self, wanted: int | None = None) -> None:
        """Show the rows read, with the health known so far and through the health filter."""
        if wanted is None:
            selected = self.selected_customer()
            wanted = selected.id if selected else None
        bands = HEALTH_FILTERS[self.health_filter.currentIndex()][1]
        rows = [replace(r, health=self._health.get(r.id)) for r in self._rows]
        if bands is not None and self._health:
            rows = [r for r in rows if r.health is not None and r.health.band in bands]
        self.model.set_rows(rows)
        self._show_content(rows, self.search.text())
        if wanted is not None:
            self.select_customer(wanted)
        self._update_buttons()

    def load_health(self) -> None:
        """Compute every customer's health in the background, then show it (asked again meanwhile: once more)."""
        if self._health_loading:
            self._health_again = True
            return
        self._health_loading, self._health_again = True, False
        now = self.ctx.now()

        def done(healths: dict[int, Health]) -> None:
            self._health = healths
            self._health_finished()
            self._show_rows()

        def failed(exc: BaseException, details: str) -> None:
            self._health_finished()
            self.show_status(f"Health could not be computed: {failure_sentence(exc, 'Computing health') or exc}")

        self.runner.run(lambda control: all_health(now), done, failed)

    def _health_finished(self) -> None:
        self._health_loading = False
        if self._health_again:
            self.load_health()

    @property
    def health_loading(self) -> bool:
        return self._health_loading

    def _show_content(self, rows: list[CustomerRow], search: str) -> None:
        noun = "customer" if len(rows) == 1 else "customers"
        filtered = self.health_filter.currentIndex() > 0
        found = " found" if search.strip() or (filtered and self._health) else ""
        waiting = " · computing health…" if filtered and not self._health else ""
        self.count_label.setText(f"{len(rows):,} {noun}{found}{waiting}")
        if rows:
            self.content.setCurrentWidget(self.table)
            return
        self.content.setCurrentWidget(self.empty)
        if filtered and self._rows:
            chosen = self.health_filter.currentText()
            set_empty_text(self.empty, "No customers to show", f"No customer's health matches “{chosen}” now.")
            self.empty.button.setText("Show all")
            self.sample_button.setVisible(False)
        elif search.strip():
            set_empty_text(
                self.empty, "No matching customers", f"No customer's name, TAM or email domain contains “{search}”."
            )
            self.empty.button.setText("Clear search")
            self.sample_button.setVisible(False)
        elif self.show_archived.isChecked() or not self._database_empty():
            set_empty_text(
                self.empty, "No customers to show", "Every customer is archived. Tick Show archived to see them."
            )
            self.empty.button.setText("New customer…")
            self.sample_button.setVisible(False)
        else:
            set_empty_text(
                self.empty,
                "No customers yet",
                "Add your first customer to start its onboarding checklist and hand out its five portal seats, "
                "or import a customer list from a spreadsheet.",
            )
            self.empty.button.setText("New customer…")
            self.sample_button.setVisible(True)

    @staticmethod
    def _database_empty() -> bool:
        """No customer at all, archived ones included."""
        return is_empty()

    def _empty_action(self) -> None:
        if self.health_filter.currentIndex() > 0 and self._rows:
            self.health_filter.setCurrentIndex(0)
        elif self.search.text().strip():
            self.search.clear()
            self.reload()
        else:
            self.new_customer()

    def _health_filter_changed(self, index: int) -> None:
        self.settings.setValue("customers/health_filter", index)
        self._show_rows()

    def _archived_toggled(self, checked: bool) -> None:
        self.settings.setValue("customers/show_archived", checked)
        self.reload(health=False)

    # -- selection ----------------------------------------------------------------------------------------

    def selected_customer(self) -> CustomerRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.proxy.row_at(rows[0].row()) if rows else None

    def select_customer(self, customer_id: int) -> bool:
        for row in range(self.proxy.rowCount()):
            if self.proxy.row_at(row).id == customer_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.proxy.index(row, 0))
                return True
        return False

    def _with_selected(self, action: Any) -> None:
        row = self.selected_customer()
        if row is not None:
            action(row.id)

    def _update_buttons(self) -> None:
        row = self.selected_customer()
        self.edit_button.setEnabled(row is not None)
        self.archive_button.setEnabled(row is not None)
        self.archive_button.setText("Resto&re" if row is not None and row.archived else "Archi&ve…")

    def focus_search(self) -> None:
        self.show_list()
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _focus_table(self) -> None:
        self.table.setFocus()
        if self.selected_customer() is None and self.proxy.rowCount():
            self.table.selectRow(0)

    # -- actions ------------------------------------------------------------------------------------------

    def open_selected(self) -> None:
        self._with_selected(self.open_customer)

    def open_customer(self, customer_id: int) -> None:
        """Show one customer in full."""
        self.detail.show_customer(customer_id)
        self.stack.setCurrentWidget(self.detail)
        self.detail.tabs.setFocus()

    def show_list(self) -> None:
        opened = self.detail.customer_id
        self.stack.setCurrentWidget(self.list_panel)
        if opened is not None:
            self.select_customer(opened)
        self.table.setFocus()

    def new_customer(self) -> None:
        dialog = CustomerDialog(self.ctx, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.customer_id is not None:
            self.search.clear()
            self.reload()
            self.select_customer(dialog.customer_id)
            self.show_status(f"Customer {dialog.name.text().strip()} created with its onboarding checklist.")
            self.open_customer(dialog.customer_id)

    def edit_customer(self, customer_id: int) -> None:
        try:
            detail = get_customer(customer_id)
        except DomainError as exc:
            QMessageBox.warning(self, "Edit customer", str(exc))
            self.reload()
            return
        dialog = CustomerDialog(self.ctx, detail, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload()
            if self.stack.currentWidget() is self.detail:
                self.detail.reload(emit=False)

    def archive_selected(self) -> None:
        row = self.selected_customer()
        if row is not None:
            self.set_customer_archived(row.id, not row.archived)

    def set_customer_archived(self, customer_id: int, archive: bool) -> None:
        """Archive (after a confirm) or restore a customer."""
        try:
            detail = get_customer(customer_id)
            name = detail.input.name
            if archive and not self._confirm_archive(name):
                return
            set_archived(self.ctx, customer_id, detail.version, archive)
            changed("customer")
        except DomainError as exc:
            QMessageBox.warning(self, "Archive customer", str(exc))
        else:
            ctx = self.ctx

            def flip(to: bool) -> None:
                set_archived(ctx, customer_id, get_customer(customer_id).version, to)
                if not to:  # restored by Undo or Redo: select it again once the list reloads
                    self._select_next = customer_id

            verb = "Archive" if archive else "Restore"
            push_done(f"{verb} {name}", undo=lambda: flip(not archive), redo=lambda: flip(archive))
            self.show_status(f"{name} {'archived' if archive else 'restored'}. Undo with Ctrl+Z.")
            if archive and self.stack.currentWidget() is self.detail:
                self.show_list()
        self.reload()
        if self.stack.currentWidget() is self.detail:
            self.detail.reload(emit=False)

    def _confirm_archive(self, name: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Archive customer",
            f"Archive {name}?\n\nThe customer is hidden from the list (Show archived brings it back). "
            "Its seats, checklist, tickets and history are kept.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def import_file(self) -> None:
        """Import customers from a .csv/.xlsx in the background; all or nothing."""
        path = ask_open_path(self, "Import customers", "Customer lists (*.csv *.xlsx);;All files (*)")
        if path is None:
            return

        def work(control: TaskControl) -> ImportSummary:
            return import_customers(self.ctx, path)

        def done(summary: ImportSummary) -> None:
            changed("customer")
            self.reload()
            self.show_status(summary.summary)
            QMessageBox.information(self, "Import customers", summary.summary)

        run_with_progress(self, self.runner, "Import customers", f"Importing {path.name}…", work, done)

    def show_status(self, text: str) -> None:
        """A message in the main window's status bar, when there is one."""
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 10000)
