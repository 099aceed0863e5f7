"""The Onboarding tab: the checklist model, its due-date editor, and the tab that saves each tick and date."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.services.base import Context, DomainError
from tamdesk.services.onboarding import (
    AUTOMATIC,
    Checklist,
    StartedByTick,
    StepRow,
    mark_steps,
    set_step_done,
    set_step_due,
    start_onboarding,
)
from tamdesk.views.changes import changed
from tamdesk.views.customer_detail.common import STATE_TONES, state_text
from tamdesk.views.icons import icon
from tamdesk.views.table_model import Column, Priority, RowTableModel, local_date, local_time
from tamdesk.views.undo import push_done
from tamdesk.views.widgets import (
    TONE_BOLD,
    Tone,
    ask_date,
    configure_table,
    remember_header,
    set_tone_style,
    show_failure,
    today,
    tone_background,
    tone_color,
)

Index = QModelIndex | QPersistentModelIndex


def _steps(count: int) -> str:
    """``1 step``, ``3 steps``."""
    return f"{count} step" if count == 1 else f"{count} steps"


def _mark_text(steps: Sequence[StepRow], done: bool) -> str:
    """What Edit › Undo names: ``Mark “Kick-off call held” done``, ``Mark 3 onboarding steps not done``."""
    what = f"“{steps[0].title}”" if len(steps) == 1 else f"{len(steps)} onboarding steps"
    return f"Mark {what} {'done' if done else 'not done'}"


def _status_text(step: StepRow, on: date) -> str:
    if step.done:
        if step.done_by == AUTOMATIC:
            return f"Completed itself: {step.evidence}" if step.evidence else "Completed itself"
        return "Done"
    if step.overdue and step.due_date is not None:
        days = (on - step.due_date).days
        return f"Overdue by {days} day{'s' if days != 1 else ''}"
    if step.asks_why_by_hand:
        return step.auto_rule.explanation  # type: ignore[union-attr]
    return "Open"


class ChecklistModel(RowTableModel[StepRow]):
    """The checklist grid: a tick box per step the TAM ticks by hand; due date and note edit in place.

    Edits are not applied to the rows: ``step_edited`` asks the view to save them, which then reloads.
    """

    step_edited = Signal(object, str, object)  # step, "done" | "due_date" | "note", value

    DONE, STEP, DUE, STATUS, BY, AT, NOTE = range(7)

    def __init__(self, today_: Callable[[], date], parent: Any = None) -> None:
        self._today = today_
        overdue_bg: Callable[[StepRow], Any] = lambda s: tone_background(Tone.ERROR) if s.overdue else None  # noqa: E731
        super().__init__(
            [
                Column[StepRow]("Done", lambda s: "", tooltip=self._done_tip, background=overdue_bg,
                                priority=Priority.KEEP),
                Column[StepRow]("Step", lambda s: f"{s.position}. {s.title}", tooltip=lambda s: s.description,
                                background=overdue_bg, stretch=True, min_width=220),
                Column[StepRow]("Due", lambda s: local_date(s.due_date), background=overdue_bg,
                                tooltip=lambda s: "Double-click to change the due date", priority=Priority.KEEP),
                Column[StepRow]("Status", lambda s: _status_text(s, self._today()), background=overdue_bg,
                                foreground=self._status_colour),
                Column[StepRow]("Done by", lambda s: s.done_by, background=overdue_bg, priority=Priority.LOW),
                Column[StepRow]("Done at", lambda s: local_time(s.done_at), background=overdue_bg,
                                priority=Priority.LOW),
                Column[StepRow]("Note", lambda s: s.note, tooltip=lambda s: s.note, background=overdue_bg, width=200),
            ],
            parent,
        )  # fmt: skip

    @staticmethod
    def _done_tip(step: StepRow) -> str:
        if step.auto_rule is not None and step.done_by == AUTOMATIC:
            return f"Completed itself. {step.auto_rule.explanation}"
        if step.asks_why_by_hand:
            return f"{step.auto_rule.explanation} To tick it by hand, you are asked why."  # type: ignore[union-attr]
        if step.auto_rule is not None and not step.done:
            return f"{step.auto_rule.explanation} Now {step.evidence}. Tick it when the customer names them."
        return "Untick to reopen the step" if step.done else "Tick when the step is done"

    @staticmethod
    def tickable(step: StepRow) -> bool:
        """Every step but one that completed itself from the data."""
        return step.auto_rule is None or step.done_by != AUTOMATIC

    @staticmethod
    def _status_colour(step: StepRow) -> Any:
        if step.overdue:
            return tone_color(Tone.ERROR)
        return tone_color(Tone.OK) if step.done else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        step = self.row_at(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == self.DONE:
            return Qt.CheckState.Checked if step.done else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole and column == self.STATUS:
            return self._status_icon(step)
        if role == Qt.ItemDataRole.EditRole and column == self.DUE:
            return QDate(step.due_date) if step.due_date else QDate.currentDate()
        if role == Qt.ItemDataRole.EditRole and column == self.NOTE:
            return step.note
        return super().data(index, role)

    @staticmethod
    def _status_icon(step: StepRow) -> QIcon | None:
        # made at paint time, so the tone colours are those of the palette shown now
        if step.overdue:
            return icon("warning", tone_color(Tone.ERROR))
        if step.done:
            return icon("ok", tone_color(Tone.OK))
        if step.auto_rule is not None:
            return icon("refresh")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if not index.isValid():
            return flags
        step = self.row_at(index.row())
        if index.column() == self.DONE:
            flags &= ~Qt.ItemFlag.ItemIsUserCheckable
            if self.tickable(step):
                flags |= Qt.ItemFlag.ItemIsUserCheckable
        elif index.column() in (self.DUE, self.NOTE):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        step = self.row_at(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == self.DONE and self.tickable(step):
            checked = (
                Qt.CheckState(value) == Qt.CheckState.Checked
                if isinstance(value, int)
                else value == Qt.CheckState.Checked
            )
            self.step_edited.emit(step, "done", checked)
            return True
        if role == Qt.ItemDataRole.EditRole and column == self.DUE and isinstance(value, QDate) and value.isValid():
            self.step_edited.emit(step, "due_date", value.toPython())
            return True
        if role == Qt.ItemDataRole.EditRole and column == self.NOTE:
            self.step_edited.emit(step, "note", str(value or "").strip())
            return True
        return False


class DueDateDelegate(QStyledItemDelegate):
    """Edits a due date with a calendar popup."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QDateEdit(parent)
        editor.setCalendarPopup(True)
        editor.setDisplayFormat("dd MMM yyyy")
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QDateEdit)
        editor.setDate(index.data(Qt.ItemDataRole.EditRole))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        assert isinstance(editor, QDateEdit)
        model.setData(index, editor.date(), Qt.ItemDataRole.EditRole)


class OnboardingTab(QWidget):
    """The checklist: tick boxes, due dates, who and when, notes; overdue steps in red with a warning sign."""

    changed = Signal()
    export_requested = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.checklist: Checklist | None = None
        self.progress = QProgressBar()
        self.progress.setFormat("%v of %m steps done")
        self.progress.setAccessibleName("Onboarding progress")
        self.progress.setMinimumWidth(220)
        self.progress.setMaximumWidth(360)
        self.state = QLabel()
        self.started = QLabel()
        self.start_button = QPushButton("Set start date…")
        self.start_button.setToolTip("Moves the due dates of the open steps with the new start")
        self.start_button.clicked.connect(self.choose_start)
        self.export_button = QPushButton("Export checklist…")
        self.export_button.setToolTip("A printable checklist workbook to share with the customer")
        self.export_button.clicked.connect(self.export_requested)
        # Mnemonics: M and N are free on this tab (the detail's tabs and the menu bar hold D, O, E, ...)
        self.done_button = QPushButton("&Mark done")
        self.done_button.setToolTip("Tick every selected open step at once; Ctrl+Z takes them all back")
        self.done_button.clicked.connect(self.mark_selected_done)
        self.not_done_button = QPushButton("Mark &not done")
        self.not_done_button.setToolTip("Reopen every selected step ticked by hand at once; Ctrl+Z takes it back")
        self.not_done_button.clicked.connect(self.mark_selected_not_done)
        # the widest count they may show, so nothing moves as the selection changes
        for button, widest in (
            (self.done_button, "Mark 99 steps done"),
            (self.not_done_button, "Mark 99 steps not done"),
        ):
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance(widest) + 24)
        top = QHBoxLayout()
        for widget in (self.progress, self.state):
            top.addWidget(widget)
        top.addStretch(1)
        for widget in (self.started, self.start_button, self.export_button):
            top.addWidget(widget)
        self.model = ChecklistModel(lambda: today(ctx), self)
        self.model.step_edited.connect(self._save_step)
        self.table = QTableView()
        self.table.setAccessibleName("Onboarding checklist")
        configure_table(self.table)
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(ChecklistModel.DUE, DueDateDelegate(self.table))
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        remember_header(self.table, "onboarding", widths=(56, 330, 110, 260, 140, 160))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        toggle = QShortcut(QKeySequence(Qt.Key.Key_Space), self.table)
        toggle.setContext(Qt.ShortcutContext.WidgetShortcut)
        toggle.setWhatsThis("Tick or untick the selected onboarding step")
        toggle.activated.connect(self.toggle_current)
        self.hint = QLabel(
            "Tick a step when it is done (Space on the selected step), or select several (Ctrl+click, Shift+arrows) "
            "and mark them done at once. Double-click a due date or a note to change it "
            "(F2 on the keyboard). Steps that say “Completes itself when …” are ticked by tamdesk once the data proves "
            "them; you can tick one by hand with a reason."
        )
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        actions = QHBoxLayout()  # a row of its own: the header row has no room for them at 1024 px
        actions.addWidget(self.done_button)
        actions.addWidget(self.not_done_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)

    def show_checklist(self, steps: Checklist) -> None:
        self.checklist = steps
        self.model.set_rows(steps.steps)
        self.progress.setMaximum(max(steps.total, 1))
        self.progress.setValue(steps.done)
        self.state.setText(f"  {state_text(steps.state)}")
        tone = STATE_TONES.get(steps.state)
        set_tone_style(self.state, tone, TONE_BOLD)
        self.started.setText(f"Started {local_date(steps.started)}" if steps.started else "Not started")
        self._update_buttons()

    def selected_steps(self) -> list[StepRow]:
        """The selected steps, in checklist order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.row_at(row) for row in rows]

    def _to_tick(self) -> list[StepRow]:
        return [s for s in self.selected_steps() if not s.done]

    def _to_reopen(self) -> list[StepRow]:
        return [s for s in self.selected_steps() if s.done and ChecklistModel.tickable(s)]

    def _update_buttons(self) -> None:
        tick, reopen = len(self._to_tick()), len(self._to_reopen())
        self.done_button.setText(f"&Mark {_steps(tick)} done" if tick else "&Mark done")
        self.done_button.setEnabled(tick > 0)
        self.not_done_button.setText(f"Mark {_steps(reopen)} &not done" if reopen else "Mark &not done")
        self.not_done_button.setEnabled(reopen > 0)

    def select_steps(self, step_ids: Collection[int]) -> None:
        """Select the rows of these steps, the first one current."""
        rows = [row for row, step in enumerate(self.model.rows()) if step.id in step_ids]
        selection = self.table.selectionModel()
        selection.clearSelection()
        for row in rows:
            selection.select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )
        if rows:
            selection.setCurrentIndex(self.model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)

    def mark_selected_done(self) -> None:
        """Tick every selected open step in one go, asking once for what needs asking; one undo entry."""
        steps = self._to_tick()
        if not steps:
            return
        note = None
        by_hand = [s for s in steps if s.asks_why_by_hand and not s.note.strip()]
        if by_hand:
            note = self._why_by_hand(by_hand)
            if note is None:
                return
        last = max(steps, key=lambda s: s.position)
        if not self._may_close(last, ticking={s.id for s in steps}):
            return
        self._mark(steps, True, note)

    def mark_selected_not_done(self) -> None:
        """Reopen every selected step ticked by hand in one go; one undo entry."""
        self._mark(self._to_reopen(), False, None)

    def _mark(self, steps: Sequence[StepRow], done: bool, note: str | None) -> None:
        if not steps:
            return
        ids = [s.id for s in steps]
        text = _mark_text(steps, done)
        try:
            marked = mark_steps(self.ctx, [(s.id, s.version) for s in steps], done, note)
        except DomainError as exc:
            QMessageBox.warning(self, text, str(exc))
        else:
            self._push_marks(text, steps, done, note, marked.started)
        self.changed.emit()
        self.select_steps(set(ids))

    def _push_marks(
        self, text: str, steps: Sequence[StepRow], done: bool, note: str | None, started: StartedByTick | None
    ) -> None:
        """Ctrl+Z reopens (or ticks again) exactly these steps, refused with the step's name when someone changed
        one since; Ctrl+Shift+Z marks them again. Every write moves each step's version on by one. A start date the
        tick set goes with it (and comes back with the tick)."""
        ctx = self.ctx
        versions = {s.id: s.version + 1 for s in steps}
        start = [started]

        def mark(to_done: bool) -> None:
            undo_start = None if to_done else start[0]
            marked = mark_steps(ctx, list(versions.items()), to_done, note if to_done else None, undo_start=undo_start)
            start[0] = marked.started
            for step_id in versions:
                versions[step_id] += 1
            changed("onboarding")

        push_done(text, undo=lambda: mark(not done), redo=lambda: mark(done))

    def toggle_current(self) -> None:
        """Tick or untick the step of the current row (Space), unless the data completes it."""
        index = self.table.currentIndex()
        if not index.isValid():
            return
        step = self.model.row_at(index.row())
        if not ChecklistModel.tickable(step) and step.auto_rule is not None:
            explanation = step.auto_rule.explanation
            QMessageBox.information(self, "Onboarding", f"{step.title} completed itself. {explanation}")
            return
        self._save_step(step, "done", not step.done)
        self.table.selectRow(index.row())

    def _save_step(self, step: StepRow, what: str, value: object) -> None:
        if what == "done":
            self._tick(step, bool(value))
            return
        try:
            if what == "note":
                set_step_done(self.ctx, step.id, step.version, step.done, note=str(value))
            else:
                set_step_due(self.ctx, step.id, step.version, value)  # type: ignore[arg-type]
        except DomainError as exc:
            QMessageBox.warning(self, "Onboarding", str(exc))
        self.changed.emit()

    def _tick(self, step: StepRow, done: bool) -> None:
        """Tick or untick ``step`` (asking first where the user would want to think twice); Ctrl+Z takes it back."""
        note = None
        if done and step.asks_why_by_hand and not step.note.strip():
            note = self._why_by_hand([step])
            if note is None:
                self.changed.emit()  # the box shows the step as it is
                return
        if done and not self._may_close(step):
            self.changed.emit()
            return
        try:
            started = set_step_done(self.ctx, step.id, step.version, done, note=note)
        except DomainError as exc:
            QMessageBox.warning(self, "Onboarding", str(exc))
        else:
            self._push_marks(_mark_text([step], done), [step], done, note, started)
        self.changed.emit()

    def _may_close(self, step: StepRow, ticking: Collection[int] = ()) -> bool:
        """Ticking the last step (the sign-off) while others stay open asks first (``ticking``: ticked with it)."""
        if self.checklist is None or step.position != max(s.position for s in self.checklist.steps):
            return True
        open_steps = [s for s in self.checklist.steps if not s.done and s.id != step.id and s.id not in ticking]
        if not open_steps:
            return True
        listed = "\n".join(f"• {s.position}. {s.title}" for s in open_steps[:8])
        more = f"\n…and {len(open_steps) - 8} more" if len(open_steps) > 8 else ""
        answer = QMessageBox.question(
            self, "Onboarding",
            f"Tick “{step.title}” while {len(open_steps)} step{'s are' if len(open_steps) != 1 else ' is'} still open?"
            f"\n\n{listed}{more}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel,
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    def _why_by_hand(self, steps: Sequence[StepRow]) -> str | None:
        """The reason for ticking steps the data has not proved (asked once); None when the user cancels."""
        if len(steps) == 1:
            step = steps[0]
            assert step.auto_rule is not None
            question = (
                f"“{step.title}” — {step.auto_rule.explanation}\n\nTick it by hand anyway? Say why; it is kept as the "
                "step's note:"
            )
        else:
            listed = "\n".join(f"• {s.title} — {s.auto_rule.explanation if s.auto_rule else ''}" for s in steps)
            question = f"{listed}\n\nTick them by hand anyway? Say why; it is kept as their note:"
        typed, ok = QInputDialog.getText(
            self, "Tick by hand", question, text="The customer designates fewer users than the allowance"
        )
        return typed.strip() if ok and typed.strip() else None

    def choose_start(self) -> None:
        if self.checklist is None:
            return
        chosen = ask_date(self, "Onboarding start", "Onboarding &starts on:", self.checklist.started or today(self.ctx))
        if chosen is None:
            return
        try:
            start_onboarding(self.ctx, self.checklist.customer_id, chosen)
        except DomainError as exc:
            show_failure(self, "Onboarding start", exc)
        self.changed.emit()
