"""What the Escalations and Defects pages share: a sortable grid of records filtered by state, customer and text,
loaded off the UI thread, and one record's detail shown in place of the list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.services.base import Context, DomainError
from tamdesk.views.icons import icon
from tamdesk.views.pages.base import EmptyState, Page
from tamdesk.views.record_detail import RecordDetailView, heading
from tamdesk.views.table_model import Column, RowTableModel
from tamdesk.views.tasks import TaskControl, TaskRunner
from tamdesk.views.widgets import RowSortProxy, configure_table, failure_sentence, remember_header, show_failure

OPEN = "open"
"""The state filter's value for every open state."""


class RecordTable(QTableView):
    """A sortable grid of plain rows with an ``id``, in the service's order until a header is clicked;
    Enter or a double-click asks to open the selected record."""

    open_requested = Signal(int)

    def __init__(
        self,
        columns: Sequence[Column[Any]],
        sort_keys: Sequence[Any],
        settings_key: str,
        widths: Sequence[int] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.rows_model = RowTableModel[Any](columns, self)
        self.proxy = RowSortProxy(sort_keys, self)
        self.proxy.setSourceModel(self.rows_model)
        configure_table(self, sortable=True)
        self.setModel(self.proxy)
        self.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        remember_header(self, settings_key, widths)
        self.doubleClicked.connect(lambda _: self.open_selected())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.setWhatsThis("Open the selected row")
            shortcut.activated.connect(self.open_selected)

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Show ``rows``, keeping the selected record selected."""
        selected = self.selected()
        self.rows_model.set_rows(rows)
        if selected is not None:
            self.select_id(selected.id)

    def selected(self) -> Any:
        rows = self.selectionModel().selectedRows()
        return self.proxy.row_at(rows[0].row()) if rows else None

    def select_id(self, record_id: int) -> bool:
        for row in range(self.proxy.rowCount()):
            if self.proxy.row_at(row).id == record_id:
                self.selectRow(row)
                self.scrollTo(self.proxy.index(row, 0))
                return True
        return False

    def open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_requested.emit(row.id)


def combo(items: Sequence[tuple[str, object]], name: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for label, value in items:
        combo.addItem(label, value)
    return combo


class RecordListPage(Page):
    """Every record of a kind in a filtered grid; the detail on Enter or double-click, Back returns to the list.

    A subclass builds its grid and filter row, says how to load its rows, which customers to offer and how to
    show the filtered rows, and what the empty state's button does.
    """

    sample_data_requested = Signal()
    loaded = Signal()
    key = ""
    """Names the remembered grid header and state filter, and the icon (``defects``)."""
    noun = ""
    """One record, as the empty state names it (``defect``)."""
    add_label = ""
    """The empty state's button when there are no records at all (``Report defect…``)."""
    empty_intro = ""
    """What the empty state says when there are no records at all."""

    def __init__(
        self, ctx: Context, runner: TaskRunner, detail: RecordDetailView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.settings = QSettings()
        self.all_rows: list[Any] = []
        self._generation = 0
        self.list_panel = self._build_list_panel()
        self.detail = detail
        self.detail.back_requested.connect(self.show_list)
        self.detail.changed.connect(lambda _: self.refresh())
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list_panel)
        self.stack.addWidget(self.detail)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.setWhatsThis("Search the list")
        find.activated.connect(self.focus_search)

    # -- what a subclass supplies ---------------------------------------------------------------------------

    def _build_table(self) -> RecordTable:
        raise NotImplementedError

    def _build_toolbar(self) -> tuple[QHBoxLayout, QPushButton]:
        """The row of filters (``state_filter``, ``customer_filter``, ``search``, …) and the button that adds a
        record."""
        raise NotImplementedError

    @staticmethod
    def fetch(ctx: Context) -> tuple[list[Any], str]:
        """The rows and a message for the status bar ("" for none); runs off the UI thread, so no widgets."""
        raise NotImplementedError

    def _customer_choices(self, rows: Sequence[Any]) -> list[tuple[str, object]]:
        """The customer filter's entries after "All customers": name and the value ``filtered`` compares."""
        raise NotImplementedError

    def apply_filters(self, *_: object) -> None:
        raise NotImplementedError

    def add_record(self) -> None:
        """Add a record (the empty state's button when there are none)."""
        raise NotImplementedError

    def _build_row_actions(self) -> Sequence[QPushButton]:
        """The actions on the selected row (its context menu and shortcuts); the buttons to show beside Open."""
        return ()

    # -- construction -------------------------------------------------------------------------------------

    def _build_list_panel(self) -> QWidget:
        panel = QWidget()
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: palette(placeholder-text);")
        title_row = QHBoxLayout()
        title_row.addWidget(heading(self.title, 1.6))
        title_row.addStretch(1)
        title_row.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignBottom)
        self.table = self._build_table()
        self.table.open_requested.connect(self.open_record)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.empty = EmptyState(icon(self.key), "", "Loading…")
        self.empty.action_clicked.connect(self._empty_action)
        self.content = QStackedWidget()
        self.content.addWidget(self.table)
        self.content.addWidget(self.empty)
        layout = QVBoxLayout(panel)
        toolbar, add_button = self._build_toolbar()
        self.open_button = QPushButton("&Open")
        self.open_button.clicked.connect(self.table.open_selected)
        title_row.addSpacing(12)
        title_row.addWidget(add_button)
        for button in self._build_row_actions():
            title_row.addWidget(button)
        title_row.addWidget(self.open_button)
        layout.addLayout(title_row)
        layout.addLayout(toolbar)
        layout.addWidget(self.content, 1)
        return panel

    def _build_filters(self, states: Sequence[tuple[str, object]], default_state: str) -> None:
        """The state filter (its choice remembered) and the customer filter, filled once the rows are loaded."""
        self.state_filter = combo(states, "State")
        saved = self.settings.value(f"{self.key}/state", default_state)
        self.state_filter.setCurrentIndex(max(0, self.state_filter.findData(saved)))
        self.state_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.state_filter.setMinimumContentsLength(10)
        self.state_filter.currentIndexChanged.connect(self._state_changed)
        self.customer_filter = combo([("All customers", None)], "Customer")
        self.customer_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.customer_filter.setMinimumContentsLength(14)
        self.customer_filter.currentIndexChanged.connect(self.apply_filters)

    def _show_content(self, rows: Sequence[Any]) -> None:
        """The grid, or an empty state that offers to clear the filters or to add the first record."""
        if rows:
            self.content.setCurrentWidget(self.table)
            return
        self.content.setCurrentWidget(self.empty)
        if self.all_rows and self._filters_active():
            self.empty.set_text(f"No matching {self.noun}s", f"No {self.noun} matches these filters.")
            self.empty.button.setText("Clear filters")
        else:
            self.empty.set_text(f"No {self.noun}s yet", self.empty_intro)
            self.empty.button.setText(self.add_label)
        self.empty.button.setVisible(True)

    def _empty_action(self) -> None:
        if self.all_rows and self._filters_active():
            self.clear_filters()
        else:
            self.add_record()

    # -- loading ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the list off the UI thread; a load that a newer one overtook is dropped."""
        self._generation += 1
        generation, ctx, fetch = self._generation, self.ctx, self.fetch
        self.count_label.setText("Loading…")

        def work(control: TaskControl) -> tuple[int, list[Any], str]:
            return generation, *fetch(ctx)

        self.runner.run(work, self._loaded, self._load_failed)

    def _loaded(self, result: tuple[int, list[Any], str]) -> None:
        generation, rows, status = result
        if generation != self._generation:
            return  # a newer load is on its way
        self.all_rows = rows
        self._fill_customers(rows)
        self.apply_filters()
        if status:
            self.show_status(status)
        if self.stack.currentWidget() is self.detail and not self.detail.reload():
            self.show_list()
        self.loaded.emit()

    def _load_failed(self, exc: BaseException, details: str) -> None:
        """A database that went away or is busy is said beside the count, and the rows shown stay."""
        sentence = failure_sentence(exc, f"Loading {self.title.lower()}")
        self.count_label.setText(f"⚠ {sentence}" if sentence else "")
        if sentence is None:
            show_failure(self, self.title, exc, details)
        self.loaded.emit()

    def _fill_customers(self, rows: Sequence[Any]) -> None:
        chosen = self.customer_filter.currentData()
        self.customer_filter.blockSignals(True)
        self.customer_filter.clear()
        self.customer_filter.addItem("All customers", None)
        for name, value in self._customer_choices(rows):
            self.customer_filter.addItem(name, value)
        self.customer_filter.setCurrentIndex(max(0, self.customer_filter.findData(chosen)))
        self.customer_filter.blockSignals(False)

    def _filters_active(self) -> bool:
        return (
            bool(self.search.text().strip())
            or self.customer_filter.currentData() is not None
            or bool(self.state_filter.currentData())
        )

    def clear_filters(self) -> None:
        self.search.clear()
        self.customer_filter.setCurrentIndex(0)
        self.state_filter.setCurrentIndex(self.state_filter.findData(""))

    def _state_changed(self) -> None:
        self.settings.setValue(f"{self.key}/state", self.state_filter.currentData())
        self.apply_filters()

    def _update_buttons(self, *_: object) -> None:
        self.open_button.setEnabled(self.table.selected() is not None)

    def focus_search(self) -> None:
        self.show_list()
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -- actions ------------------------------------------------------------------------------------------

    def open_record(self, record_id: int) -> bool:
        """Show one record in full; False (after saying why) when it no longer exists."""
        if self.detail.show_record(record_id):
            self.stack.setCurrentWidget(self.detail)
            return True
        show_failure(self, self.title, DomainError(self.detail.subtitle.text()))
        self.refresh()
        return False

    def show_list(self) -> None:
        opened = self.detail.record_id
        self.stack.setCurrentWidget(self.list_panel)
        if opened is not None:
            self.table.select_id(opened)
        self.table.setFocus()

    def show_status(self, text: str) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 10000)


class RecordTab(QWidget):
    """The records of one customer or one ticket, for their tabs: the subclass's own buttons, then Open.

    A subclass builds its grid and buttons, says how to read its rows and how to sum them up. ``changed`` is
    emitted after anything was saved, so the host can refresh what it shows.
    """

    changed = Signal()
    key = ""
    """The icon of the empty state (``defects``)."""

    def __init__(
        self, ctx: Context, customer_id: int | None = None, ticket_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer_id = customer_id
        self.ticket_id = ticket_id
        self.summary = QLabel()
        buttons = self._build_buttons()
        self.open_button = QPushButton("&Open")
        self.table = self._build_table()
        self.open_button.clicked.connect(self.table.open_selected)
        self.table.open_requested.connect(self.open_record)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        buttons = (*buttons, *self._build_row_actions())
        self.empty = EmptyState(icon(self.key), "", "Loading…")
        self.empty.button.setVisible(False)
        self.content = QStackedWidget()
        self.content.addWidget(self.table)
        self.content.addWidget(self.empty)
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.summary, 1)
        for button in (*buttons, self.open_button):
            toolbar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(self.content, 1)
        if customer_id is not None or ticket_id is not None:
            self.reload()
        else:
            self._update_buttons()

    # -- what a subclass supplies ---------------------------------------------------------------------------

    def _build_buttons(self) -> Sequence[QPushButton]:
        """The buttons before Open (Report defect…, Request escalation…)."""
        raise NotImplementedError

    def _build_row_actions(self) -> Sequence[QPushButton]:
        """The actions on the selected row (its context menu and shortcuts); the buttons to show before Open."""
        return ()

    def _build_table(self) -> RecordTable:
        raise NotImplementedError

    def fetch(self) -> list[Any]:
        """The rows of the customer or ticket shown."""
        raise NotImplementedError

    def _show_summary(self, rows: Sequence[Any]) -> None:
        """The summary line and the empty state's text for ``rows``."""
        raise NotImplementedError

    def open_record(self, record_id: int) -> None:
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------------------------------------

    @property
    def whose(self) -> str:
        return "this ticket" if self.ticket_id is not None else "this customer"

    def show_for(self, *, customer_id: int | None = None, ticket_id: int | None = None) -> None:
        """Show the records of another customer or ticket."""
        self.customer_id = customer_id
        self.ticket_id = ticket_id
        self.reload()

    def reload(self) -> None:
        try:
            rows = self.fetch()
        except DomainError as exc:
            rows = []
            self.summary.setText(str(exc))
        self.table.set_rows(rows)
        self._show_summary(rows)
        self.content.setCurrentWidget(self.table if rows else self.empty)
        self._update_buttons()

    def _update_buttons(self, *_: object) -> None:
        self.open_button.setEnabled(self.table.selected() is not None)

    def _saved(self) -> None:
        self.reload()
        self.changed.emit()
