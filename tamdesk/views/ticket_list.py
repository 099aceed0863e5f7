"""A list of tickets that loads off the UI thread.

A list of 100,000 tickets opens without freezing the window because nothing long runs on the UI thread: the
newest tickets (``first_page``) are read in the background and painted at once, then every ticket is read and
evaluated (``load_tickets``); filtering and sorting run on that plain list in background tasks and reach the
model through ``set_rows``. A QSortFilterProxyModel would call ``data()`` for every comparison (tens of seconds
at this size), so it is not used here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.services.base import Context, DomainError
from tamdesk.services.database import explain_failure, is_database_failure
from tamdesk.services.ticket_lists import (
    TicketFilter,
    TicketRow,
    TicketsCancelled,
    first_page,
    load_tickets,
    ticket_row,
)
from tamdesk.views.changes import data_changes, ticket_changes
from tamdesk.views.tasks import Task, TaskControl, TaskRunner
from tamdesk.views.ticket_actions import RowActions
from tamdesk.views.ticket_rows import (
    LoadedTickets,
    SlaChoice,
    TicketQuery,
    TicketTableModel,
    apply_query,
    collector_paused,
    pause_for_ui,
)
from tamdesk.views.widgets import configure_table, remember_header

REEVALUATE_AFTER = timedelta(minutes=5)  # a passed deadline re-evaluates every ticket at most this often
SLA_RULES = frozenset({"calendar", "policy", "customer"})  # saved changes (``views.changes``) that move deadlines

log = logging.getLogger(__name__)


# -- a list that loads off the UI thread -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Applied:
    generation: int
    rows: list[TicketRow]
    selected: int  # position of the previously selected ticket in ``rows``, or -1


def _load_all(base: TicketFilter, now: datetime, control: TaskControl) -> LoadedTickets:
    def progress(done: int, total: int) -> None:
        control.progress(done, total)
        pause_for_ui()  # called every 5,000 tickets

    with collector_paused():
        rows = load_tickets(base, now, progress=progress, cancelled=control.cancelled)
        return LoadedTickets.of(rows, now)


def _fresh_row(ticket_id: int, base: TicketFilter, now: datetime) -> TicketRow | None:
    """One ticket evaluated now, or None when it no longer belongs to the list (or no longer exists)."""
    return ticket_row(ticket_id, base, now)


class TicketList(QWidget):
    """A table of tickets: the newest first page at once, every ticket after a background load.

    Filters and sort (``set_query``) run on the plain list in background tasks; a result arriving after a newer
    request is dropped. The SLA column counts down each minute; a passing deadline re-evaluates every ticket in
    the background (at most every ``REEVALUATE_AFTER``).
    """

    open_requested = Signal(int)
    state_changed = Signal()  # rows shown, loading progress or an error changed
    selection_changed = Signal()
    preview_shown = Signal()  # the first page is on screen; the full load starts now

    def __init__(self, ctx: Context, settings_key: str, show_customer: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.base = TicketFilter()
        self.query = TicketQuery()
        self.reader = TaskRunner(self, max_threads=2)  # reads only: a long load never delays another page's save
        self.model = TicketTableModel(ctx.now(), show_customer, self)
        self.loaded: LoadedTickets | None = None
        self.preview: list[TicketRow] = []
        self.loading = False
        self.progress = (0, 0)
        self.error = ""
        self._load_task: Task | None = None
        self._changed_while_loading: set[int] = set()
        self._apply_generation = 0
        self._apply_running = False
        self._apply_again = False
        self._shown_query: TicketQuery | None = None
        self._reveal: int | None = None
        self._stopped = False
        self._stale = False  # tickets changed while the window was hidden
        self.table = self._build_table(settings_key)
        # Escalate…, Report defect…, Record response, Copy number, Open in support system: menu and shortcuts
        self.row_actions = RowActions(ctx, self.table, self.model.row_at, self.open_requested.emit)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.tick)
        self._arm_timer()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        ticket_changes().changed.connect(self.ticket_changed)
        data_changes().changed.connect(self.rules_changed)

    def _build_table(self, settings_key: str) -> QTableView:
        table = QTableView()
        table.setAccessibleName("Tickets")
        configure_table(table)
        table.setModel(self.model)
        table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(self.model.sort_keys.index("opened"), Qt.SortOrder.DescendingOrder)
        remember_header(table, settings_key)
        self.query = replace(self.query, **self._sort_from_header(header))
        header.sortIndicatorChanged.connect(self._sort_clicked)
        table.doubleClicked.connect(lambda index: self.open_requested.emit(self.model.row_at(index.row()).id))
        table.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.setWhatsThis("Open the selected ticket")
            shortcut.activated.connect(self._open_selected)
        return table

    def _sort_from_header(self, header: QHeaderView) -> dict[str, object]:
        section = header.sortIndicatorSection()
        if not 0 <= section < len(self.model.sort_keys):
            return {"sort_key": "opened", "descending": True}
        descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        return {"sort_key": self.model.sort_keys[section], "descending": descending}

    def _sort_clicked(self, section: int, order: Qt.SortOrder) -> None:
        if 0 <= section < len(self.model.sort_keys):
            self.set_query(replace(self.query, **self._sort_from_header(self.table.horizontalHeader())))

    # -- what is shown --------------------------------------------------------------------------------------

    def selected_ticket(self) -> TicketRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_ticket(self, ticket_id: int) -> bool:
        """Select ``ticket_id`` and scroll to it, if it is shown."""
        position = self.model.position_of(ticket_id)
        if position >= 0:
            self.table.selectRow(position)
            self.table.scrollTo(self.model.index(position, 0), QTableView.ScrollHint.PositionAtCenter)
        return position >= 0

    def _open_selected(self) -> None:
        row = self.selected_ticket()
        if row is not None:
            self.open_requested.emit(row.id)

    def shown(self) -> int:
        return self.model.rowCount()

    def total(self) -> int | None:
        """How many tickets the list holds before filtering, once every ticket is loaded."""
        return len(self.loaded.rows) if self.loaded is not None else None

    def busy(self) -> bool:
        """Loading, or applying a filter or sort (tests wait for this to turn False)."""
        return self.loading or self._apply_running or self._load_task is not None

    # -- loading --------------------------------------------------------------------------------------------

    def load(self, base: TicketFilter) -> None:
        """Start over with the tickets ``base`` selects: the first page now, every ticket after."""
        self.base = base
        self._cancel_load()
        self.loaded, self.preview, self.error = None, [], ""
        self._changed_while_loading.clear()
        self.model.set_rows([])
        self._start(first=True)

    def reevaluate(self, restart: bool = False) -> None:
        """Read and evaluate every ticket again in the background; the current rows stay until then.

        A load already running is kept, unless ``restart`` (the data changed after it started reading).
        """
        if self._load_task is not None and not restart:
            return
        self._cancel_load()
        if self.loaded is None:
            self.load(self.base)
        else:
            self._start(first=False)

    def reveal(self, ticket_id: int) -> None:
        """Select ``ticket_id`` as soon as it is shown (after a save, once the list caught up)."""
        if not self.select_ticket(ticket_id):
            self._reveal = ticket_id

    def mark_stale(self) -> None:
        """Tickets changed while the window is hidden: read them all when it is shown again."""
        self._stale = self.loaded is not None

    def stop(self) -> None:
        """The window is closing: hear no more of changes made elsewhere, stop the clock, finish reading."""
        self.timer.stop()
        if not self._stopped:
            self._stopped = True
            ticket_changes().changed.disconnect(self.ticket_changed)
            data_changes().changed.disconnect(self.rules_changed)
        self._cancel_load()
        self.reader.wait(30_000)

    def _cancel_load(self) -> None:
        if self._load_task is not None:
            self._load_task.cancel()
            self._load_task = None
        self.loading = False

    def _start(self, first: bool) -> None:
        base, query, now = self.base, self.query, self.ctx.now()
        self.loading = True
        self.progress = (0, 0)
        if first:
            task = self.reader.run(lambda control: first_page(query.ticket_filter(base), now))
            task.succeeded.connect(lambda rows: self._first_page_loaded(task, rows))
        else:
            task = self.reader.run(lambda control: _load_all(base, now, control))
            task.succeeded.connect(lambda loaded: self._all_loaded(task, loaded))
            task.progressed.connect(lambda done, total: self._load_progressed(task, done, total))
        task.failed.connect(lambda exc, details: self._load_failed(task, exc, details))
        self._load_task = task
        self.state_changed.emit()

    def _first_page_loaded(self, task: Task, rows: list[TicketRow]) -> None:
        if task is not self._load_task:
            return
        self.preview = rows
        self._apply()
        self.preview_shown.emit()
        self._start(first=False)

    def _load_progressed(self, task: Task, done: int, total: int) -> None:
        if task is self._load_task:
            self.progress = (done, total)
            self.state_changed.emit()

    def _all_loaded(self, task: Task, loaded: LoadedTickets) -> None:
        if task is not self._load_task:
            return
        self._load_task = None
        self.loading = False
        self.loaded = loaded
        self.error = ""
        self._apply()
        for ticket_id in sorted(self._changed_while_loading):
            self.ticket_changed(ticket_id)  # the load may have read them before the change was saved
        self._changed_while_loading.clear()
        self.state_changed.emit()

    def _load_failed(self, task: Task, exc: BaseException, details: str) -> None:
        if task is not self._load_task:
            return
        self._load_task = None
        self.loading = False
        if not isinstance(exc, TicketsCancelled):
            self._report(exc, details)
        self.state_changed.emit()

    def _report(self, exc: BaseException, details: str) -> None:
        """Say why the load failed beside the count; the rows loaded before stay on screen."""
        if isinstance(exc, DomainError):
            self.error = str(exc)
            return
        if is_database_failure(exc):  # a lock, a full disk, a server that went away: a sentence, not a crash box
            log.warning("The tickets could not be loaded: %s\n%s", exc, details)
            self.error = explain_failure(exc)
            return
        from tamdesk.views.errors import report_exception

        self.error = "The tickets could not be loaded; the details are in the log."
        report_exception(exc, details)

    # -- filtering and sorting ------------------------------------------------------------------------------

    def set_query(self, query: TicketQuery) -> None:
        """Show the rows ``query`` selects, in its order (in the background for the full list)."""
        self.query = query
        self._apply()

    def _apply(self) -> None:
        self._apply_generation += 1
        if self.loaded is None:  # only the first page (a couple of hundred rows) so far: cheap enough here
            rows = apply_query(self.preview, self.query, self.ctx.now())
            self._show(rows, -1, self.query)
            self.state_changed.emit()
        elif self._apply_running:
            self._apply_again = True
        else:
            self._run_apply()

    def _run_apply(self) -> None:
        loaded, query, now, generation = self.loaded, self.query, self.ctx.now(), self._apply_generation
        assert loaded is not None
        selected = self.selected_ticket()
        selected_id = selected.id if selected else None

        def work(control: TaskControl) -> _Applied:
            rows = loaded.select(query, now)
            position = next((i for i, r in enumerate(rows) if r.id == selected_id), -1) if selected_id else -1
            return _Applied(generation, rows, position)

        self._apply_running, self._apply_again = True, False
        self.reader.run(work, lambda result: self._applied(result, query), self._apply_failed)

    def _applied(self, result: _Applied, query: TicketQuery) -> None:
        self._apply_running = False
        if self._apply_again or result.generation != self._apply_generation:
            if self.loaded is not None:
                self._run_apply()
            return
        self._show(result.rows, result.selected, query)
        self.state_changed.emit()

    def _apply_failed(self, exc: BaseException, details: str) -> None:
        self._apply_running = False
        self._report(exc, details)
        self.state_changed.emit()

    def _show(self, rows: list[TicketRow], selected: int, query: TicketQuery) -> None:
        """Swap the rows in, keeping the selected ticket selected and, when only the data moved, the scroll."""
        previous = self.selected_ticket()
        if selected < 0 and previous is not None and len(rows) <= 1000:
            selected = next((i for i, r in enumerate(rows) if r.id == previous.id), -1)
        scroll = self.table.verticalScrollBar().value()
        same_view = self._shown_query == query
        self.model.now = self.ctx.now()
        self.model.set_rows(rows)
        self._shown_query = query
        if self._reveal is not None:
            revealed = self.model.position_of(self._reveal)
            if revealed >= 0:
                selected, same_view, self._reveal = revealed, False, None
        if selected >= 0:
            self.table.selectRow(selected)
        if same_view:
            self.table.verticalScrollBar().setValue(scroll)
        elif selected >= 0:
            self.table.scrollTo(self.model.index(selected, 0), QTableView.ScrollHint.PositionAtCenter)
        else:
            self.table.scrollToTop()

    # -- keeping it current ---------------------------------------------------------------------------------

    def _arm_timer(self) -> None:
        """Fire on the next whole minute, so "due in 12 m" turns into "due in 11 m" when the clock does."""
        now = self.ctx.now()
        self.timer.start(max(1000, (60 - now.second) * 1000 - now.microsecond // 1000))

    def window_open(self) -> bool:
        """Whether the window showing this list is shown. A hidden one (in the tray) catches up when shown again;
        a closed one may live on until Qt deletes it and must not start a read then (it would run against
        whatever database is open by that time)."""
        return self.window().isVisible()

    def showEvent(self, event: QShowEvent) -> None:
        """Shown again after changes made while hidden: read them now."""
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.reevaluate(restart=True)

    def tick(self) -> None:
        """Each minute: move the countdowns on; when a deadline passed, filter again and re-evaluate."""
        if not self.window_open():
            self._arm_timer()  # nothing to read while hidden or closed; the countdowns move on when shown
            return
        now = self.ctx.now()
        self.model.set_now(now)
        loaded = self.loaded
        if loaded is not None and loaded.next_deadline is not None and now > loaded.next_deadline:
            if self.query.sla is not SlaChoice.ANY:
                self._apply()
            if now - loaded.evaluated_at >= REEVALUATE_AFTER and self._load_task is None:
                self.reevaluate()
        self._arm_timer()

    def ticket_changed(self, ticket_id: int) -> None:
        """Show a ticket saved elsewhere: read that one ticket again instead of the whole list."""
        if not self.window_open():
            self._stale = self.loaded is not None  # read when shown again
            return
        if self._load_task is not None:
            self._changed_while_loading.add(ticket_id)
        if self.loaded is None:
            return
        base, now = self.base, self.ctx.now()
        self.reader.run(
            lambda control: _fresh_row(ticket_id, base, now),
            lambda row: self._merge(ticket_id, row),
            lambda exc, details: self._report(exc, details),
        )

    def rules_changed(self, what: str) -> None:
        """A business calendar, an SLA policy or a customer (its calendar, zone or policy) was saved: every
        ticket's deadlines may have moved, so evaluate them all again; at once when shown, else when shown again."""
        if what not in SLA_RULES or self.loaded is None:
            return
        if self.isVisible():
            self.reevaluate(restart=True)
        else:
            self._stale = True

    def _merge(self, ticket_id: int, row: TicketRow | None) -> None:
        if self.loaded is None:
            return
        if row is None and all(r.id != ticket_id for r in self.loaded.rows):
            return
        self.loaded = self.loaded.with_row(ticket_id, row)
        self._apply()
