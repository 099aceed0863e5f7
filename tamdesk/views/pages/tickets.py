"""The Tickets page and a customer's Tickets tab: every ticket with a live SLA countdown (the list itself:
``views/ticket_list.py``; what it shows: ``views/ticket_rows.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketStatus
from tamdesk.models import database_label
from tamdesk.services.base import Context
from tamdesk.services.customers import list_customers
from tamdesk.services.overview import database_counts
from tamdesk.services.scope import CustomerScope, customer_scope, same_name
from tamdesk.services.ticket_lists import TicketFilter
from tamdesk.services.tickets import count_tickets
from tamdesk.views.changes import ticket_changes
from tamdesk.views.icons import icon
from tamdesk.views.pages.base import EmptyState, Page
from tamdesk.views.tasks import Task, TaskControl, TaskRunner
from tamdesk.views.ticket_detail import TicketDetailDialog
from tamdesk.views.ticket_dialog import TicketDialog
from tamdesk.views.ticket_import_dialog import TicketImportDialog
from tamdesk.views.ticket_list import TicketList
from tamdesk.views.ticket_rows import SlaChoice, TicketQuery
from tamdesk.views.widgets import Debouncer, SearchableComboBox, today

SEARCH_DELAY_MS = 250
SCOPE_KEY = "tickets/scope"  # "mine" (the default) or "all"
STALE_AFTER = timedelta(seconds=30)  # coming back to the page re-evaluates a list older than this


# -- the Tickets page ------------------------------------------------------------------------------------------


def _combo(items: Sequence[tuple[str, object]], name: str, tooltips: Sequence[str] = ()) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    _narrow(combo)
    for n, (label, value) in enumerate(items):
        combo.addItem(label, value)
        if n < len(tooltips) and tooltips[n]:
            combo.setItemData(n, tooltips[n], Qt.ItemDataRole.ToolTipRole)
    return combo


def _narrow(combo: QComboBox, characters: int = 4) -> None:
    """Let a combo shrink below its longest item, so the page fits the window's smallest size."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)


def _select_data(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.6)
    font.setBold(True)
    label.setFont(font)
    return label


class TicketsPage(Page):
    """Every ticket of every customer, with filters, search, sort and the live SLA countdown."""

    title = "Tickets"
    new_item_text = "New ticket…"
    sample_data_requested = Signal()

    def new_item(self) -> None:
        self.new_ticket()

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.settings = QSettings()
        self._database: str | None = None
        self._known_count = -1
        self._customers_task: Task | None = None
        self.scope = CustomerScope(None)  # whose tickets the list holds (resolved on each load)
        self.list = TicketList(ctx, "ticket_list", parent=self)  # "tickets" held the order before SLA came first
        self.list.state_changed.connect(self._update_state)
        self.list.selection_changed.connect(self._update_buttons)
        self.list.open_requested.connect(self.open_ticket)
        self._search_debouncer = Debouncer(SEARCH_DELAY_MS, self._filters_changed, self)
        self._build()
        self._restore_filters()
        self._connect_filters()
        self.list.preview_shown.connect(self._load_customers)
        ticket_changes().imported.connect(self._imported)
        self._stopped = False
        self._update_buttons()

    # -- construction -------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.import_button = QPushButton("&Import…")
        self.import_button.setToolTip("Tickets or ticket history from a .csv or .xlsx export of the support system")
        self.import_button.clicked.connect(self.import_tickets)
        self.new_button = QPushButton("&New ticket…")
        self.new_button.setIcon(icon("add"))
        self.new_button.clicked.connect(lambda: self.new_ticket())
        self.open_button = QPushButton("&Open…")
        self.open_button.setToolTip("The ticket's timeline and both SLA clocks explained (Enter)")
        self.open_button.clicked.connect(self._open_selected)
        title_row = QHBoxLayout()
        title_row.addWidget(_heading("Tickets"))
        title_row.addSpacing(16)
        title_row.addWidget(self._build_scope())
        title_row.addStretch(1)
        for button in (self.import_button, self.new_button, self.open_button):
            title_row.addWidget(button)
        self.empty_state = EmptyState(icon("tickets"), "", "")
        self.empty_state.action_clicked.connect(self._empty_action)
        self.content = QStackedWidget()
        self.content.addWidget(self.list)
        self.content.addWidget(self.empty_state)
        layout = QVBoxLayout(self)
        layout.addLayout(title_row)
        layout.addLayout(self._build_filters())
        layout.addLayout(self._build_status_row())
        layout.addWidget(self.content, 1)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.setWhatsThis("Search tickets")
        find.activated.connect(lambda: (self.search.setFocus(), self.search.selectAll()))

    def _build_scope(self) -> QWidget:
        """My customers | All customers: the list loads only the user's customers unless asked for everyone."""
        self.mine_button = QPushButton("&My customers")
        self.all_button = QPushButton("&All customers")
        self.all_button.setToolTip("Every customer's tickets (on a team database, every TAM's)")
        self.scope_buttons = QButtonGroup(self)
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        for button in (self.mine_button, self.all_button):
            button.setCheckable(True)
            self.scope_buttons.addButton(button)
            row.addWidget(button)
        (self.mine_button if self._wants_mine() else self.all_button).setChecked(True)
        self.scope_buttons.buttonClicked.connect(self._scope_clicked)
        return box

    def _wants_mine(self) -> bool:
        return self.settings.value(SCOPE_KEY, "mine") != "all"

    def _scope_clicked(self, button: QAbstractButton) -> None:
        self.settings.setValue(SCOPE_KEY, "mine" if button is self.mine_button else "all")
        self.reload()
        self._load_customers()

    def set_scope(self, mine: bool) -> None:
        """Show the user's customers' tickets or every customer's, as the buttons do."""
        (self.mine_button if mine else self.all_button).click()

    def _show_scope(self) -> None:
        """The buttons say what the list holds; My customers is disabled, saying why, when the user has none."""
        scope = self.scope
        self.mine_button.setEnabled(not scope.notice)
        self.mine_button.setToolTip(scope.notice or "Only the tickets of the customers whose TAM is you")
        self.scope_buttons.blockSignals(True)
        (self.mine_button if scope.mine else self.all_button).setChecked(True)
        self.scope_buttons.blockSignals(False)

    def _build_filters(self) -> QHBoxLayout:
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search ticket, subject or customer  (Ctrl+F)")
        self.search.setAccessibleName("Search tickets")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(100)
        self.customer = SearchableComboBox([("All customers", "")])
        self.customer.setAccessibleName("Customer")
        _narrow(self.customer, 6)
        self.customer.lineEdit().setPlaceholderText("All customers")
        self.severity = _combo(
            [("Any severity", 0), *((s.label, int(s)) for s in Severity)],
            "Severity",
            ["", *(s.definition for s in Severity)],
        )
        self.status = _combo([("Any status", ""), *((s.label, s.value) for s in TicketStatus)], "Status")
        self.sla = _combo([(c.label, c.value) for c in SlaChoice], "SLA state")
        self.sla.setToolTip("The state of each ticket's next SLA deadline, or how its first response went")
        self.open_only = QCheckBox("Open &only")
        self.open_only.setToolTip("Hide solved and closed tickets")
        row = QHBoxLayout()
        row.addWidget(self.search, 3)
        for widget in (self.customer, self.severity, self.status, self.sla):
            row.addWidget(widget, 1)
        return row

    def _build_status_row(self) -> QHBoxLayout:
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: palette(placeholder-text);")
        self.count_label.setAccessibleName("Ticket count")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setMaximumHeight(12)
        self.progress.setTextVisible(False)
        self.progress.setVisible(False)
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setFlat(True)
        self.clear_button.clicked.connect(self.clear_filters)
        row = QHBoxLayout()
        row.addWidget(self.open_only)
        row.addSpacing(12)
        row.addWidget(self.count_label)
        row.addWidget(self.progress)
        row.addStretch(1)
        row.addWidget(self.clear_button)
        return row

    def _connect_filters(self) -> None:
        self.search.textChanged.connect(self._search_debouncer.trigger)
        self.customer.currentIndexChanged.connect(self._filters_changed)
        self.customer.lineEdit().editingFinished.connect(self._customer_typed)
        for combo in (self.severity, self.status, self.sla):
            combo.currentIndexChanged.connect(self._filters_changed)
        self.open_only.toggled.connect(self._filters_changed)

    # -- filters --------------------------------------------------------------------------------------------

    def _restore_filters(self) -> None:
        value = self.settings.value
        self._saved_customer = str(value("tickets/filter/customer", "") or "")
        _select_data(self.severity, int(value("tickets/filter/severity", 0) or 0))
        _select_data(self.status, str(value("tickets/filter/status", "") or ""))
        _select_data(self.sla, str(value("tickets/filter/sla", SlaChoice.ANY.value)))
        self.open_only.setChecked(value("tickets/filter/open_only", False, type=bool))
        self.search.setText(str(value("tickets/filter/search", "") or ""))
        self.list.query = self._query()

    def _customer_id(self) -> int | None:
        value = self.customer.value() if self.customer.count() > 1 else self._saved_customer
        return int(value) if value.isdigit() else None

    def _query(self) -> TicketQuery:
        severity = self.severity.currentData()
        return replace(
            self.list.query,
            customer_id=self._customer_id(),
            severity=Severity(severity) if severity else None,
            status=TicketStatus(self.status.currentData()) if self.status.currentData() else None,
            sla=SlaChoice(self.sla.currentData()),
            search=self.search.text().strip(),
            open_only=self.open_only.isChecked(),
        )

    def _customer_typed(self) -> None:
        """Typed text that names no customer means every customer (a half-typed name filters nothing)."""
        if not self.customer.value().isdigit():
            self.customer.setCurrentIndex(0)
        self._filters_changed()

    def _filters_changed(self, *_: object) -> None:
        self._search_debouncer.timer.stop()
        query = self._query()
        if query == self.list.query:
            return
        self._save_filters(query)
        self.list.set_query(query)

    def _save_filters(self, query: TicketQuery) -> None:
        if self.customer.count() > 1:
            self._saved_customer = str(query.customer_id or "")
        settings = self.settings
        settings.setValue("tickets/filter/customer", self._saved_customer)
        settings.setValue("tickets/filter/severity", int(query.severity or 0))
        settings.setValue("tickets/filter/status", query.status.value if query.status else "")
        settings.setValue("tickets/filter/sla", query.sla.value)
        settings.setValue("tickets/filter/open_only", query.open_only)
        settings.setValue("tickets/filter/search", query.search)

    def clear_filters(self) -> None:
        """Every filter back to "any"; the sort order stays."""
        for widget in (self.customer, self.severity, self.status, self.sla, self.open_only, self.search):
            widget.blockSignals(True)
        self.customer.setCurrentIndex(0)
        self.customer.setEditText("")
        self._saved_customer = ""
        for combo in (self.severity, self.status, self.sla):
            combo.setCurrentIndex(0)
        self.open_only.setChecked(False)
        self.search.clear()
        for widget in (self.customer, self.severity, self.status, self.sla, self.open_only, self.search):
            widget.blockSignals(False)
        self._filters_changed()

    def _load_customers(self) -> None:
        """Fill the customer filter in the background (a thousand customers take a noticeable moment)."""
        on = today(self.ctx)
        mine = same_name(self.scope.tam) if self.scope.tam is not None else None

        def work(control: TaskControl) -> list[tuple[str, str]]:
            rows = list_customers(on)
            return [(c.name, str(c.id)) for c in rows if mine is None or same_name(c.tam) == mine]

        task = self.list.reader.run(work)
        task.succeeded.connect(self._customers_loaded)
        self._customers_task = task

    def _customers_loaded(self, items: list[tuple[str, str]]) -> None:
        self.customer.blockSignals(True)
        self.customer.set_items([("All customers", ""), *items])
        row = self.customer.findData(self._saved_customer) if self._saved_customer else 0
        self.customer.setCurrentIndex(max(row, 0))
        self.customer.blockSignals(False)
        self._customers_task = None

    def customers(self) -> list[tuple[int, str]]:
        """The customers of the filter, for the ticket dialog (empty until they are loaded)."""
        items = [(self.customer.itemData(i), self.customer.itemText(i)) for i in range(1, self.customer.count())]
        return [(int(value), name) for value, name in items]

    # -- loading --------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Called when the page is shown: load on first show or after a database switch, else re-evaluate
        in the background if the list is older than ``STALE_AFTER`` or tickets were added meanwhile."""
        label = database_label()
        count = count_tickets()
        first_tickets = count and self.list.total() == 0  # e.g. after sample data: show the first page at once
        if label != self._database or first_tickets:
            self._known_count = count
            self.reload()
            self._update_state()
            return
        loaded = self.list.loaded
        if loaded is None or count != self._known_count or self.ctx.now() - loaded.evaluated_at > STALE_AFTER:
            self._known_count = count
            self.list.reevaluate()

    def reload(self) -> None:
        """Start over: the first page now, then every ticket in scope and the customer filter in the background."""
        self._database = database_label()
        self.scope = customer_scope(self._wants_mine())
        self._show_scope()
        self.list.load(TicketFilter(tam=self.scope.tam))

    def stop(self) -> None:
        """The window is closing: no reload for an import made after it (see ``TicketList.stop``)."""
        if not self._stopped:
            self._stopped = True
            ticket_changes().imported.disconnect(self._imported)
        self.list.stop()

    def _imported(self) -> None:
        if not self.list.window_open():
            self.list.mark_stale()
            return
        self._known_count = count_tickets()
        self.list.reevaluate(restart=True)
        self._load_customers()

    def _update_state(self) -> None:
        shown, total = self.list.shown(), self.list.total()
        if self.list.error:
            text = f"⚠ {self.list.error}"
        elif total is None:
            done, of = self.list.progress
            first = f"Showing the newest {shown:,} tickets · " if shown else ""
            text = f"{first}loading every ticket…"
            if of:
                text = f"{first}evaluating {of:,} tickets…"
            text = text[:1].upper() + text[1:]
        elif self.list.query.filtered:
            text = f"{shown:,} of {total:,} tickets match"
        else:
            text = f"{total:,} ticket{'s' if total != 1 else ''}"
        if total is not None and self.scope.mine and not self.list.error:
            text += " of your customers"
        if total is not None and self.list.loading:
            text += " · re-evaluating SLA clocks…"
        self.count_label.setText(text)
        done, of = self.list.progress
        self.progress.setVisible(self.list.loading)
        self.progress.setRange(0, max(of, 1) if of else 0)
        self.progress.setValue(done)
        self.clear_button.setVisible(self.list.query.filtered)
        self._show_content(shown, total)

    def _show_content(self, shown: int, total: int | None) -> None:
        if total is None and self._known_count == 0:
            total = 0  # the database holds no ticket: say so at once instead of "loading"
        if shown or total is None or (total and not self.list.query.filtered):
            self.content.setCurrentWidget(self.list)
            return
        self.content.setCurrentWidget(self.empty_state)
        if total:
            self.empty_state.set_text("No tickets match", "No ticket matches these filters and this search.")
            self.empty_state.button.setText("Clear filters")
        elif database_counts().empty:
            self.empty_state.set_text(
                "No tickets yet",
                "Support tickets tracked against the SLA of their severity. Tickets belong to customers: add a "
                "customer first, or load sample data to explore tamdesk.",
            )
            self.empty_state.button.setText("Load sample data…")
        else:
            self.empty_state.set_text(
                "No tickets yet",
                "Create a ticket by hand, or import a support-system export (.csv or .xlsx) with Import….",
            )
            self.empty_state.button.setText("New ticket…")
        self.empty_state.button.setVisible(True)

    def _empty_action(self) -> None:
        text = self.empty_state.button.text()
        if text == "Clear filters":
            self.clear_filters()
        elif text == "Load sample data…":
            self.sample_data_requested.emit()
        else:
            self.new_ticket()

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.list.selected_ticket() is not None)

    # -- actions --------------------------------------------------------------------------------------------

    def _open_selected(self) -> None:
        row = self.list.selected_ticket()
        if row is not None:
            self.open_ticket(row.id)

    def open_ticket(self, ticket_id: int) -> None:
        """The ticket's detail: timeline, both clocks explained, events recorded and corrected."""
        open_ticket_detail(self, self.ctx, ticket_id)

    def new_ticket(self, customer_id: int | None = None) -> None:
        dialog = TicketDialog(self.ctx, customer_id=customer_id, customers=self.customers() or None, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.ticket_id is not None:
            self._known_count += 1
            self.show_status(f"Ticket {dialog.number.text().strip()} created.")
            self.list.reveal(dialog.ticket_id)

    def import_tickets(self) -> None:
        dialog = TicketImportDialog(self.ctx, self.runner, parent=self)
        dialog.exec()
        if dialog.summary is not None:
            self.show_status(dialog.summary)

    def show_status(self, text: str) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 10000)


def open_ticket_detail(parent: QWidget, ctx: Context, ticket_id: int) -> None:
    """Show one ticket in its detail dialog; changes reach every list through ``ticket_changes``."""
    dialog = TicketDetailDialog(ctx, ticket_id, parent=parent)
    if dialog.load():
        dialog.exec()


# -- a customer's Tickets tab ------------------------------------------------------------------------------------


class CustomerTicketsTab(QWidget):
    """One customer's tickets with the live SLA column, for the customer detail view to embed.

    ``CustomerTicketsTab(customer_id, ctx)``; ``show_customer(customer_id)`` switches customer.
    """

    def __init__(
        self, customer_id: int | None, ctx: Context, runner: TaskRunner | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer_id = customer_id
        self.list = TicketList(ctx, "customer_ticket_list", show_customer=False, parent=self)
        self.list.open_requested.connect(lambda ticket_id: open_ticket_detail(self, ctx, ticket_id))
        self.list.state_changed.connect(self._update_state)
        self.list.selection_changed.connect(self._update_buttons)
        self.open_only = QCheckBox("Open &only")
        self.open_only.setChecked(QSettings().value("customer_tickets/open_only", False, type=bool))
        self.open_only.toggled.connect(self._open_only_toggled)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: palette(placeholder-text);")
        self.new_button = QPushButton("&New ticket…")
        self.new_button.setIcon(icon("add"))
        self.new_button.clicked.connect(self.new_ticket)
        self.open_button = QPushButton("&Open…")
        self.open_button.clicked.connect(self._open_selected)
        bar = QHBoxLayout()
        bar.addWidget(self.open_only)
        bar.addSpacing(12)
        bar.addWidget(self.count_label, 1)
        bar.addWidget(self.new_button)
        bar.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        self.list.query = replace(self.list.query, open_only=self.open_only.isChecked())
        self._update_buttons()
        if customer_id is not None:
            self.show_customer(customer_id)

    def show_customer(self, customer_id: int) -> None:
        """Show ``customer_id``'s tickets (read in the background)."""
        self.customer_id = customer_id
        self.list.load(TicketFilter(customer_id=customer_id))

    def _open_only_toggled(self, checked: bool) -> None:
        QSettings().setValue("customer_tickets/open_only", checked)
        self.list.set_query(replace(self.list.query, open_only=checked))

    def _update_state(self) -> None:
        shown, total = self.list.shown(), self.list.total()
        if self.list.error:
            self.count_label.setText(f"⚠ {self.list.error}")
        elif total is None:
            self.count_label.setText("Loading tickets…")
        elif self.list.query.open_only:
            self.count_label.setText(f"{shown:,} open of {total:,} ticket{'s' if total != 1 else ''}")
        else:
            self.count_label.setText(f"{total:,} ticket{'s' if total != 1 else ''}")

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.list.selected_ticket() is not None)

    def _open_selected(self) -> None:
        row = self.list.selected_ticket()
        if row is not None:
            open_ticket_detail(self, self.ctx, row.id)

    def new_ticket(self) -> None:
        dialog = TicketDialog(self.ctx, customer_id=self.customer_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.ticket_id is not None:
            self.list.reveal(dialog.ticket_id)
