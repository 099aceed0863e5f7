"""The Timeline tab: the whole story of the account in one scroll, newest first — the TAM's meetings, calls, emails
and notes (editable) among the events of the customer's tickets, escalations, defects, seats and onboarding
(read-only, shown dimmed and in italics). Filter by kind and period; log an entry; email a meeting's recap (drafted
first, as an escalation email is)."""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.timeline import FILTER_KEYS, EntryKind, TimelineItem, filter_label
from tamdesk.services.base import Context, DomainError
from tamdesk.services.timeline import customer_timeline, delete_entry, draft_recap, get_entry, send_recap
from tamdesk.views.email_dialogs import smtp_ready
from tamdesk.views.escalation_detail import EmailDraftDialog
from tamdesk.views.icons import icon
from tamdesk.views.pages.base import EmptyState
from tamdesk.views.pages.reports import Period, period_bounds
from tamdesk.views.session import shared_secrets
from tamdesk.views.table_model import Column, Priority, RowTableModel, local_time
from tamdesk.views.tasks import TaskControl, TaskRunner
from tamdesk.views.timeline_entry_dialog import TimelineEntryDialog
from tamdesk.views.widgets import FieldMessage, Tone, configure_table, remember_header, reserve_space, set_empty_text

ENTRIES = "entries"  # the kind filter's "our entries" choice
PERIODS = [p for p in Period if p is not Period.CUSTOM]
MAX_ROWS = 5000
"""The newest this many items are listed; a period or a kind narrows a long story down."""


def _first_line(text: str, width: int = 140) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def _tooltip(item: TimelineItem) -> str:
    origin = "" if not item.read_only else f"\n\nRead-only: from the {item.source.label.lower()}'s own record."
    people = f"With {', '.join(item.people)}\n" if item.people else ""
    return f"{item.title}\n{people}{item.text}{origin}".strip()


class TimelineModel(RowTableModel[TimelineItem]):
    """The merged timeline; read-only items are dimmed and in italics, the TAM's entries in bold titles."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            [
                Column[TimelineItem]("When", lambda r: local_time(r.at), tooltip=_tooltip, priority=Priority.KEEP),
                Column[TimelineItem]("Kind", lambda r: r.kind_label + ("" if r.read_only else " ✎"), tooltip=_tooltip),
                Column[TimelineItem]("Title", lambda r: r.title, tooltip=_tooltip),
                Column[TimelineItem]("With", lambda r: ", ".join(r.people), tooltip=_tooltip),
                Column[TimelineItem]("By", lambda r: r.author, priority=Priority.LOW),
                Column[TimelineItem]("Details", lambda r: _first_line(r.text), tooltip=_tooltip, stretch=True),
            ],
            parent,
        )

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if index.isValid() and 0 <= index.row() < self.rowCount():
            item = self.row_at(index.row())
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setItalic(item.read_only)
                font.setBold(not item.read_only and index.column() == 2)
                return font
            if role == Qt.ItemDataRole.ForegroundRole and item.read_only:
                return QApplication.palette().brush(QPalette.ColorRole.PlaceholderText)
        return super().data(index, role)


class TimelineTab(QWidget):
    """A customer's timeline; ``changed`` follows a saved or deleted entry and a sent recap."""

    changed = Signal()
    loaded = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer_id: int | None = None
        self.customer_name = ""
        self.mail_runner = TaskRunner(self)
        self.loader = TaskRunner(self)
        self._loading = False
        self._again = False
        self._pending_entry: int | None = None
        self.entry_dialog: TimelineEntryDialog | None = None
        self.recap_dialog: EmailDraftDialog | None = None
        self.model = TimelineModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Timeline")
        configure_table(self.table)
        self.table.setModel(self.model)
        remember_header(self.table, "customer_timeline", widths=(160, 100, 250, 180, 110))
        self.table.doubleClicked.connect(lambda *_: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.empty_state = EmptyState(icon("history"), "", "")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_state)
        self.message = reserve_space(FieldMessage(), 2)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_bar())
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)

    def _build_bar(self) -> QHBoxLayout:
        self.log_button = QPushButton("&Log…")
        self.log_button.setIcon(icon("add"))
        self.log_button.setToolTip("Log a meeting, call, email or note")
        menu = QMenu(self.log_button)
        self.log_actions = {}
        for kind in EntryKind:
            action = menu.addAction(f"{kind.label}…")
            action.triggered.connect(lambda _=False, k=kind: self.log_entry(k))
            self.log_actions[kind] = action
        self.log_button.setMenu(menu)
        self.edit_button = QPushButton("Ed&it…")
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.clicked.connect(self.delete_selected)
        self.recap_button = QPushButton("Email rec&ap…")
        self.recap_button.setIcon(icon("mail"))
        self.recap_button.setToolTip("Email the meeting's follow-ups to its attendees (a draft first)")
        self.recap_button.clicked.connect(self.draft_recap)
        self.kind_filter = QComboBox()
        self.kind_filter.setAccessibleName("Kind")
        self.kind_filter.addItem("All kinds", None)
        self.kind_filter.addItem("Our entries", ENTRIES)
        for key in FILTER_KEYS:
            self.kind_filter.addItem(filter_label(key), key)
        self.period = QComboBox()
        self.period.setAccessibleName("Period")
        for period in PERIODS:
            self.period.addItem(period.value, period)
        self.period.setCurrentIndex(PERIODS.index(Period.ALL))
        for combo in (self.kind_filter, self.period):
            combo.currentIndexChanged.connect(lambda *_: self.reload())
        self.count = QLabel()
        self.count.setStyleSheet("color: palette(placeholder-text);")
        bar = QHBoxLayout()
        for widget in (self.log_button, self.edit_button, self.delete_button, self.recap_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.count)
        bar.addWidget(QLabel("&Show:", buddy=self.kind_filter))
        bar.addWidget(self.kind_filter)
        bar.addWidget(QLabel("Pe&riod:", buddy=self.period))
        bar.addWidget(self.period)
        self._selection_changed()
        return bar

    # -- loading ----------------------------------------------------------------------------------------------

    def show_customer(self, customer_id: int, name: str) -> None:
        if customer_id != self.customer_id:
            self.message.clear()
            self._pending_entry = None
            self.model.set_rows([])
        self.customer_id, self.customer_name = customer_id, name
        self.reload()

    def _kinds(self) -> list[str] | None:
        chosen = self.kind_filter.currentData()
        if chosen is None:
            return None
        return [k.value for k in EntryKind] if chosen == ENTRIES else [chosen]

    @property
    def busy(self) -> bool:
        """Whether a read of the timeline is under way."""
        return self._loading

    def reload(self) -> None:
        """Read the timeline again with the filters chosen, in the background; asked again while a read runs, it
        reads once more afterwards (the customer or the filters may have changed meanwhile)."""
        if self.customer_id is None:
            return
        if self._loading:
            self._again = True
            return
        self._loading, self._again = True, False
        selected = self.selected()
        if self._pending_entry is None and selected is not None:
            self._pending_entry = selected.entry_id
        start_day, end_day = period_bounds(self.period.currentData(), self.ctx.now().astimezone().date())
        zone = self.ctx.now().astimezone().tzinfo
        start = datetime.combine(start_day, time(), zone) if start_day else None
        end = datetime.combine(end_day, time(), zone) if end_day else None
        customer_id, kinds = self.customer_id, self._kinds()
        self.count.setText("Loading…")

        def work(control: TaskControl) -> list[TimelineItem]:
            return customer_timeline(customer_id, kinds, start, end)

        self.loader.run(work, lambda items: self._loaded(customer_id, items), self._failed)

    def _finish(self) -> bool:
        """End a read; True when another must start instead of showing this one."""
        self._loading = False
        if self._again:
            self.reload()
            return True
        return False

    def _failed(self, exc: BaseException, details: str) -> None:
        if self._finish():
            return
        self.count.setText("")
        self._say(str(exc) if isinstance(exc, DomainError) else f"The timeline could not be read: {exc}", error=True)
        self.loaded.emit()

    def _loaded(self, customer_id: int, items: list[TimelineItem]) -> None:
        if self._finish():
            return
        if customer_id != self.customer_id:
            self.reload()
            return
        shown = items[:MAX_ROWS]
        self.model.set_rows(shown)
        own = sum(1 for i in items if not i.read_only)
        count = f"{len(items):,} item{'s' if len(items) != 1 else ''} · {own:,} of ours"
        if len(items) > len(shown):
            count = f"The newest {len(shown):,} of {count}: choose a period or a kind to see older ones"
        self.count.setText(count)
        self.stack.setCurrentWidget(self.table if items else self.empty_state)
        if not items:
            filtered = self.kind_filter.currentData() is not None or self.period.currentData() is not Period.ALL
            set_empty_text(
                self.empty_state,
                "Nothing in this view" if filtered else "No story yet",
                "Nothing matches the kind and period chosen." if filtered else
                f"Log meetings, calls, emails and notes with {self.customer_name} here. Its tickets, escalations, "
                "defects, portal seats and onboarding appear on the same timeline as they happen.",
            )  # fmt: skip
        pending, self._pending_entry = self._pending_entry, None
        if pending is not None:
            self._select_row(pending)
        self._selection_changed()
        self.loaded.emit()

    def _select_row(self, entry_id: int) -> bool:
        for row, item in enumerate(self.model.rows()):
            if item.entry_id == entry_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0), QTableView.ScrollHint.PositionAtCenter)
                return True
        return False

    def select_entry(self, entry_id: int) -> None:
        """Select and show the entry ``entry_id`` now or once the timeline is read; when the filters hide it, every
        kind and date is shown."""
        if not self._loading and self._select_row(entry_id):
            return
        self._pending_entry = entry_id
        if self.kind_filter.currentIndex() != 0 or self.period.currentData() is not Period.ALL:
            for combo in (self.kind_filter, self.period):
                combo.blockSignals(True)
            self.kind_filter.setCurrentIndex(0)
            self.period.setCurrentIndex(PERIODS.index(Period.ALL))
            for combo in (self.kind_filter, self.period):
                combo.blockSignals(False)
        self.reload()

    def selected(self) -> TimelineItem | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _selection_changed(self) -> None:
        item = self.selected()
        own = item is not None and not item.read_only
        self.edit_button.setEnabled(own)
        self.delete_button.setEnabled(own)
        self.recap_button.setEnabled(own and item is not None and item.kind is EntryKind.MEETING)
        if item is not None and item.read_only:
            self.edit_button.setToolTip("Events of tickets, escalations, defects, seats and onboarding are read-only")
        else:
            self.edit_button.setToolTip("Edit the selected entry")

    # -- actions ----------------------------------------------------------------------------------------------

    def _say(self, text: str, error: bool = False) -> None:
        if error:
            self.message.set_error(text)
        elif text:
            self.message.show_message(Tone.INFO, text)
        else:
            self.message.clear()

    def log_entry(self, kind: EntryKind = EntryKind.MEETING) -> None:
        """Open the entry dialog for a new entry of ``kind`` (reachable as ``entry_dialog`` while open)."""
        if self.customer_id is not None:
            self._open(TimelineEntryDialog(self.ctx, self.customer_id, self.customer_name, kind=kind, parent=self))

    def edit_selected(self) -> None:
        item = self.selected()
        if item is None or item.entry_id is None:
            return
        try:
            existing = get_entry(item.entry_id)
        except DomainError as exc:
            self._say(str(exc), error=True)
            self.reload()
            return
        self._open(TimelineEntryDialog(self.ctx, existing.customer_id, self.customer_name, existing=existing,
                                       parent=self))  # fmt: skip

    def _open(self, dialog: TimelineEntryDialog) -> None:
        self.entry_dialog = dialog

        def done() -> None:
            saved = dialog.saved
            if saved is not None:
                self._say(" ".join(("Saved.", *saved.notes)))
                self.select_entry(saved.id)
                self.changed.emit()

        dialog.accepted.connect(done)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def delete_selected(self) -> None:
        item = self.selected()
        if item is None or item.entry_id is None:
            return
        answer = QMessageBox.question(
            self, "Delete entry",
            f"Delete “{item.title}” from {self.customer_name}'s timeline? Its follow-ups stay open.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )  # fmt: skip
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self._say(delete_entry(self.ctx, item.entry_id, get_entry(item.entry_id).version))
        except DomainError as exc:
            self._say(str(exc), error=True)
        self.reload()
        self.changed.emit()

    def draft_recap(self) -> None:
        """Show the recap draft; with no attendee address, one sentence under the list instead of a dialog."""
        item = self.selected()
        if item is None or item.entry_id is None:
            return
        try:
            draft = draft_recap(item.entry_id)
        except DomainError as exc:
            self._say(str(exc), error=True)
            return
        self._say("")
        dialog = EmailDraftDialog(draft, self)
        dialog.setWindowTitle("Meeting recap")
        dialog.send_button.setVisible(True)
        entry_id = item.entry_id
        self.recap_dialog = dialog

        def sent(message: str, ok: bool) -> None:
            dialog.send_button.setEnabled(not ok)
            dialog.status.setText(message)
            if ok:
                self._say(message)
                self.changed.emit()

        def send() -> None:
            ready = smtp_ready(dialog)
            if ready is None:
                return
            settings, password = ready
            dialog.send_button.setEnabled(False)
            dialog.status.setText("Sending…")

            def work(control: TaskControl) -> str:
                return send_recap(self.ctx, entry_id, settings, shared_secrets(), prompt=lambda n, a: password)

            self.mail_runner.run(work, lambda summary: sent(str(summary), True), lambda exc, d: sent(str(exc), False))

        dialog.send_button.clicked.connect(send)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
