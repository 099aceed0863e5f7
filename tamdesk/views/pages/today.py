"""The Today page, the app's home: what needs the TAM now across their customers, each row one click from the
thing itself.

Counts sit at the top as tiles (a click scrolls to the section); below, one short table per section. Enter, a
double-click or a click on "Open ›" asks the main window to show the row's ticket, defect, escalation or customer
(``open_requested(kind, id)``). Loading runs on the task runner, when the page is shown and every minute.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QKeyEvent, QKeySequence, QMouseEvent, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tamdesk.services.base import Context, DomainError
from tamdesk.services.identity import directory_name
from tamdesk.services.overview import database_counts
from tamdesk.services.scope import customer_scope
from tamdesk.services.today import (
    Section,
    TodayItems,
    needs_attention,
)
from tamdesk.views.changes import follow_changes
from tamdesk.views.follow_up_dialogs import FollowUpActions
from tamdesk.views.icons import icon
from tamdesk.views.pages.base import EmptyState, Page
from tamdesk.views.pages.today_sections import (
    SPECS,
    Now,
    account_when,
    day_text,
    due_text,
    waited,
)
from tamdesk.views.sla_format import business_days
from tamdesk.views.table_model import RowTableModel
from tamdesk.views.tasks import Task, TaskControl, TaskRunner
from tamdesk.views.widgets import Tone, configure_table, failure_sentence, remember_header, set_tone_style

if TYPE_CHECKING:
    from tamdesk.services.calendar_export import CalendarExport

log = logging.getLogger(__name__)

REFRESH_MS = 60_000
HEALTH_REFRESH = timedelta(minutes=10)  # the minute's refresh recomputes whose health dropped this often
MAX_VISIBLE_ROWS = 10
TILE_MIN_WIDTH = 130  # a tile's words still fit side by side; the row wraps rather than go narrower
RESIZE_PRECISION_ROWS = 20
SCOPE_KEY = "today/scope"
CALENDAR_KEY = "today/calendar_file"  # the last calendar file written: a subscribed calendar reads the same one


# -- loading ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TodayLoad:
    """One load of the page: the items, and whose customers they cover."""

    items: TodayItems
    user_name: str
    mine: bool  # the items cover the user's customers only
    notice: str  # why every customer is shown although the user asked for theirs ("" otherwise)
    empty_database: bool
    health_computed: bool = True  # False: the load left the health drops out


def load_today(now: datetime, want_mine: bool, health: bool = True) -> TodayLoad:
    """Read what needs attention for the user's customers (or everyone's); runs on the task runner. Without
    ``health`` the customers whose health dropped are not computed (their section comes back empty)."""
    sections = tuple(Section) if health else tuple(s for s in Section if s is not Section.HEALTH)
    scope = customer_scope(want_mine)
    if scope.tam is not None:
        return TodayLoad(needs_attention(now, tam=scope.tam, sections=sections), scope.tam, True, "", False, health)
    items = needs_attention(now, tam=None, sections=sections)
    empty = items.customers == 0 and database_counts().empty
    return TodayLoad(items, directory_name(), False, scope.notice, empty, health)


# -- widgets ------------------------------------------------------------------------------------------------------


def _scaled(label: QLabel, factor: float, bold: bool = True) -> QLabel:
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    label.setFont(font)
    return label


def _muted(label: QLabel) -> QLabel:
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class Tile(QFrame):
    """A count at the top of the page; a click (or Enter or Space) goes to its section."""

    clicked = Signal()

    def __init__(self, section: Section, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        self.setObjectName("todayTile")
        self.setCursor(QCursor(Qt.CursorShape.PointingHandCursor))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.count = _scaled(QLabel("…"), 2.2)
        self.label = QLabel(SPECS[section].tile)
        self.caption = QLabel("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        for widget in (self.count, self.label, self.caption):
            widget.setWordWrap(True)
            widget.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(widget)
        layout.addStretch(1)
        self.show_count(None)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() is Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)

    def show_count(self, count: int | None, tone: Tone | None = None, caption: str = "Loading…") -> None:
        """Show ``count`` (None while loading) with a caption in ``tone``'s colour."""
        self.count.setText("…" if count is None else f"{count:,}")
        set_tone_style(self.count, tone if tone is not Tone.OK else None)
        self.caption.setText(caption)
        set_tone_style(self.caption, tone, plain="color: palette(placeholder-text);")
        frame = (
            "QFrame#todayTile {{ background: palette(base); border: 1px solid palette(mid);"
            " border-left: 4px solid {color}; border-radius: 6px; }}"
            "QFrame#todayTile:hover {{ border-color: palette(highlight); border-left: 4px solid {color}; }}"
            "QFrame#todayTile:focus {{ border: 2px solid palette(highlight); border-left: 4px solid {color}; }}"
            "QFrame#todayTile QLabel {{ background: transparent; border: none; }}"
        )
        set_tone_style(
            self, tone, frame, plain=frame.replace("{color}", "palette(mid)").replace("{{", "{").replace("}}", "}")
        )
        what = "loading" if count is None else f"{count}, {caption}"
        self.setAccessibleName(f"{self.section.label}: {what}")
        self.setToolTip(f"{self.section.label}: {what} — go to the list")


class TileRow(QWidget):
    """The tiles in as few rows as the page's width allows (one in a wide window), so they never make the page
    wider than the window and push its tables' right-hand columns off screen."""

    def __init__(self, tiles: Sequence[QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles = list(tiles)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(10)
        self.grid.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # narrower than one row: reflowed
        self.columns = 0
        self._place(len(self.tiles))

    def columns_for(self, width: int) -> int:
        """How many tiles a row of ``width`` pixels holds, spread evenly over the rows (5 + 4, not 8 + 1)."""
        spacing = self.grid.horizontalSpacing()
        fit = max(1, (width + spacing) // (TILE_MIN_WIDTH + spacing))
        rows = math.ceil(len(self.tiles) / fit)
        return math.ceil(len(self.tiles) / rows)

    def _place(self, columns: int) -> None:
        if columns == self.columns:
            return
        for tile in self.tiles:
            self.grid.removeWidget(tile)
        for column in range(max(columns, self.columns)):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        self.columns = columns
        for number, tile in enumerate(self.tiles):
            self.grid.addWidget(tile, number // columns, number % columns)

    def minimumSizeHint(self) -> QSize:
        return QSize(TILE_MIN_WIDTH, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place(self.columns_for(event.size().width()))


class SectionView(QWidget):
    """One section: heading, note, and a short table (or a line saying nothing is due)."""

    open_requested = Signal(str, int)

    def __init__(self, section: Section, now: Now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        spec = SPECS[section]
        self.heading = _scaled(QLabel(section.label), 1.25)
        self.badge = QLabel()
        self.note = _muted(QLabel(spec.note))
        self.note.setWordWrap(True)
        self.clear = QLabel(f"✓ {spec.clear}")
        set_tone_style(self.clear, Tone.OK, "color: {color}; padding: 4px 0;")
        self.model = RowTableModel[Any](spec.columns(now), self)
        self.table = self._build_table()
        title = QHBoxLayout()
        title.addWidget(self.heading)
        title.addWidget(self.badge)
        title.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 8)
        layout.setSpacing(4)
        layout.addLayout(title)
        layout.addWidget(self.note)
        layout.addWidget(self.table)
        layout.addWidget(self.clear)

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setAccessibleName(self.section.label)
        configure_table(table)
        table.setModel(self.model)
        table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        table.setVerticalScrollMode(QTableView.ScrollMode.ScrollPerPixel)
        table.setMouseTracking(True)
        # widths from the first rows, not from every row: a section of thousands of rows would otherwise ask
        # each of them for its size on the UI thread whenever the page is shown
        table.horizontalHeader().setResizeContentsPrecision(RESIZE_PRECISION_ROWS)
        table.verticalHeader().setResizeContentsPrecision(RESIZE_PRECISION_ROWS)
        # columns as wide as their text, the section's text column (see today_sections) takes the rest
        remember_header(table, f"today_{self.section.value}")
        table.doubleClicked.connect(self._open_index)
        table.clicked.connect(self._clicked)
        table.entered.connect(self._hovered)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.setWhatsThis("Open the selected item")
            shortcut.activated.connect(self.open_selected)
        return table

    @property
    def open_column(self) -> int:
        return len(self.model.columns) - 1

    def show_rows(self, rows: Sequence[Any], urgent: int, urgent_word: str = "overdue") -> None:
        """Show ``rows``; the table is as tall as its rows, up to ``MAX_VISIBLE_ROWS``, then it scrolls."""
        self.model.set_rows(rows)
        self.table.setVisible(bool(rows))
        self.clear.setVisible(not rows)
        text = f"{len(rows):,}" + (f" · {urgent} {urgent_word}" if urgent else "")
        tone = Tone.ERROR if urgent else Tone.WARNING if rows else Tone.OK
        self.badge.setText(f" {text} ")
        set_tone_style(
            self.badge,
            tone,
            "background: {background}; color: {color}; border-radius: 8px; padding: 1px 6px; font-weight: bold;",
        )
        self._fit_height(len(rows))

    def _fit_height(self, rows: int) -> None:
        table = self.table
        row_height = table.verticalHeader().defaultSectionSize()
        header = table.horizontalHeader().sizeHint().height()
        frame = 2 * table.frameWidth()
        scrollbar = table.horizontalScrollBar().sizeHint().height() if rows > MAX_VISIBLE_ROWS else 0
        table.setFixedHeight(header + frame + row_height * min(max(rows, 1), MAX_VISIBLE_ROWS) + scrollbar)

    def refresh_texts(self) -> None:
        """Repaint times ("due in 12 m") against the current clock."""
        self.table.viewport().update()

    def selected(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_requested.emit(*row.target)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(*self.model.row_at(index.row()).target)

    def _clicked(self, index: QModelIndex) -> None:
        if index.column() == self.open_column:
            self._open_index(index)

    def _hovered(self, index: QModelIndex) -> None:
        on_link = index.isValid() and index.column() == self.open_column
        shape = Qt.CursorShape.PointingHandCursor if on_link else Qt.CursorShape.ArrowCursor
        self.table.viewport().setCursor(QCursor(shape))

    def focus_first(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)


# -- the page -----------------------------------------------------------------------------------------------------


def tile_caption(section: Section, items: TodayItems) -> tuple[Tone, str]:
    """The tile's caption: how many are past due, else when the next falls due, or how long the oldest waits."""
    now, urgent = items.now, items.urgent()[section]
    if urgent:
        return Tone.ERROR, f"{urgent} {urgent_word(section)}"
    if section is Section.TICKETS and items.tickets:
        return Tone.WARNING, f"next {due_text(items.tickets[0].deadline, now)}"
    if section is Section.UPDATES and items.updates:
        return Tone.WARNING, f"next {due_text(items.updates[0].due, now)}"
    if section is Section.ONBOARDING and items.onboarding:
        return Tone.WARNING, f"next {day_text(items.onboarding[0].due, now.astimezone().date())}"
    if section is Section.ESCALATIONS and items.escalations:
        return Tone.INFO, f"oldest {business_days(items.escalations[0].age_business_days)}"
    if section is Section.SEATS and items.seats:
        return Tone.INFO, f"oldest {waited(items.seats[0].since, now)}"
    if section is Section.FOLLOW_UPS and items.follow_ups:
        return Tone.WARNING, f"next {day_text(items.follow_ups[0].due_on, now.astimezone().date())}"
    if section is Section.STAKEHOLDERS and items.stakeholders:
        return Tone.WARNING, f"latest on {items.stakeholders[0].day}"
    if section is Section.ACCOUNTS and items.accounts:
        first = items.accounts[0]
        return Tone.WARNING, f"{first.customer}: {account_when(first, now.astimezone().date())}"
    if section is Section.HEALTH and items.health:
        return Tone.WARNING, f"biggest fall {items.health[0].points} points"
    return Tone.OK, "all clear"


def urgent_word(section: Section) -> str:
    """What a section's past-due rows are: breached tickets, escalations owing the VP, overdue others."""
    if section is Section.ESCALATIONS:
        return "VP to be apprised"
    if section is Section.ACCOUNTS:
        return "within 60 days"
    if section is Section.HEALTH:
        return "red"
    return "breached" if section is Section.TICKETS else "overdue"


def greeting(now: datetime, name: str) -> str:
    """``Good morning, Tess`` by the local hour; ``Today`` without a name."""
    if not name:
        return "Today"
    hour = now.astimezone().hour
    first = name.split()[0]
    if hour < 5:
        return f"Hello, {first}"
    part = "morning" if hour < 12 else "afternoon" if hour < 18 else "evening"
    return f"Good {part}, {first}"


class TodayPage(Page):
    """What needs the TAM now; rows ask to be opened through ``open_requested(kind, id)``.

    Kinds: ``ticket``, ``defect``, ``escalation`` (their ids), ``onboarding``, ``seats``, ``contacts`` and
    ``timeline`` (a customer id: that customer's checklist, portal seats, contacts or timeline), ``settings``
    (id 0: where the user's name is set).
    """

    title = "Today"
    sample_data_requested = Signal()
    open_requested = Signal(str, int)
    loaded = Signal()

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.current: TodayLoad | None = None
        self._health_at: datetime | None = None  # when the health drops shown were computed
        self.error = ""
        self._loading = False
        self._again = False
        self._build()
        # a change saved anywhere while Today is shown (a sync, a ticket saved in its window) moves its counts
        self.follower = follow_changes(self, lambda: self.reload(health=False))
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        refresh = QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self)
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.setWhatsThis("Refresh")
        refresh.activated.connect(self.reload)

    # -- construction -------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.tiles = {section: Tile(section) for section in Section}
        self.sections = {section: SectionView(section, self._now) for section in Section}
        for section in Section:
            self.tiles[section].clicked.connect(lambda s=section: self.go_to(s))
            self.sections[section].open_requested.connect(self.open_requested)
        self.follow_up_actions = FollowUpActions(self.ctx, self.sections[Section.FOLLOW_UPS].table)
        self.follow_up_actions.changed.connect(self.reload)
        follow_ups = self.sections[Section.FOLLOW_UPS].layout()
        assert isinstance(follow_ups, QVBoxLayout)
        follow_ups.addWidget(self.follow_up_actions)
        self.banner = self._build_banner()
        self.scroller = self._build_scroll()
        self.empty = EmptyState(icon("today"), "", "", "Load sample data…")
        self.empty.action_clicked.connect(self.sample_data_requested)
        self.loading = self._build_loading()
        self.content = QStackedWidget()
        for widget in (self.loading, self.scroller, self.empty):
            self.content.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_header())
        layout.addWidget(self.banner)
        layout.addWidget(self.content, 1)

    def _build_header(self) -> QHBoxLayout:
        self.heading = _scaled(QLabel("Today"), 1.6)
        self.subtitle = _muted(QLabel(""))
        self.subtitle.setWordWrap(True)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.heading)
        titles.addWidget(self.subtitle)
        self.calendar_note = _muted(QLabel(""))  # what the last calendar export wrote; its line is kept free
        self.calendar_note.setMinimumHeight(self.calendar_note.fontMetrics().height())
        self.calendar_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        titles.addWidget(self.calendar_note)
        self.calendar_button = QPushButton("Export &calendar…")
        self.calendar_button.setToolTip(
            "Write an iCalendar (.ics) file of everything that falls due for the customers shown, each with a "
            "reminder; export to the same file again and a subscribed calendar updates its events"
        )
        self.calendar_button.clicked.connect(self.ask_calendar_export)
        self.mine_button = QPushButton("&My customers")
        self.all_button = QPushButton("&All customers")
        self.scope = QButtonGroup(self)
        for button in (self.mine_button, self.all_button):
            button.setCheckable(True)
            self.scope.addButton(button)
        want_mine = QSettings().value(SCOPE_KEY, "mine") != "all"
        (self.mine_button if want_mine else self.all_button).setChecked(True)
        self.scope.buttonClicked.connect(self._scope_clicked)
        self.status = _muted(QLabel(""))
        self.refresh_button = QToolButton()
        self.refresh_button.setIcon(icon("refresh"))
        self.refresh_button.setAccessibleName("Refresh")
        self.refresh_button.setToolTip("Refresh now (F5); Today also refreshes every minute")
        self.refresh_button.clicked.connect(self.reload)
        header = QHBoxLayout()
        header.addLayout(titles, 1)
        header.addWidget(self.status, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.calendar_button, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addSpacing(12)
        header.addWidget(self.mine_button, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.all_button, 0, Qt.AlignmentFlag.AlignVCenter)
        return header

    def _build_banner(self) -> QFrame:
        banner = QFrame()
        banner.setObjectName("todayBanner")
        set_tone_style(banner, Tone.INFO, "QFrame#todayBanner {{ background: {background}; border-radius: 4px; }}")
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        set_tone_style(self.banner_text, Tone.INFO)
        self.settings_button = QPushButton("Open Settings")
        self.settings_button.clicked.connect(lambda: self.open_requested.emit("settings", 0))
        layout = QHBoxLayout(banner)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.banner_text, 1)
        layout.addWidget(self.settings_button, 0, Qt.AlignmentFlag.AlignVCenter)
        banner.setVisible(False)
        return banner

    def _build_scroll(self) -> QScrollArea:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 4, 8, 8)
        layout.addWidget(TileRow(list(self.tiles.values())))
        layout.addSpacing(6)
        for section in self.sections.values():
            layout.addWidget(section)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        return scroll

    def _build_loading(self) -> QWidget:
        widget = QWidget()
        self.loading_label = _muted(QLabel("Loading what needs you today…"))
        bar = QProgressBar()
        bar.setRange(0, 0)
        bar.setMaximumWidth(260)
        bar.setTextVisible(False)
        layout = QVBoxLayout(widget)
        layout.addStretch(1)
        layout.addWidget(self.loading_label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(bar, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return widget

    # -- loading ------------------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.current.items.now if self.current else self.ctx.now()

    @property
    def want_mine(self) -> bool:
        return QSettings().value(SCOPE_KEY, "mine") != "all"

    @property
    def busy(self) -> bool:
        return self._loading

    def refresh(self) -> None:
        """Called when the page is shown (and after a database switch): load again."""
        self.reload()

    def reload(self, health: bool = True) -> None:
        """Load in the background; asked again while a load runs, it loads once more afterwards (the data, the
        database or the scope may have changed meanwhile). Without ``health`` the last health drops are kept."""
        if self._loading:
            self._again = True
            return
        self.follower.read()
        self._loading = True
        self._again = False
        self.status.setText("Loading…" if self.current is None else "Refreshing…")
        if self.current is None:
            self.content.setCurrentWidget(self.loading)
        now, want_mine = self.ctx.now(), self.want_mine

        def work(control: TaskControl) -> TodayLoad:
            return load_today(now, want_mine, health)

        self.runner.run(work, self._loaded, self._failed)

    def _tick(self) -> None:
        if self.isVisible():
            # every customer's health is the heavy part of a load: the minute's refresh recomputes it less often
            at = self._health_at
            self.reload(health=at is None or self.ctx.now() - at >= HEALTH_REFRESH)

    def _finish(self) -> None:
        self._loading = False
        if self._again:
            self.reload()
        else:
            self.loaded.emit()

    def _loaded(self, result: TodayLoad) -> None:
        previous = self.current
        if result.health_computed:
            self._health_at = result.items.now
        elif previous is not None and previous.mine == result.mine:
            result = replace(result, items=replace(result.items, health=previous.items.health))
        else:  # the scope changed meanwhile: the drops kept are another scope's
            self._health_at = None
        self.current = result
        self.error = ""
        self._show(result)
        self._finish()

    def _failed(self, exc: BaseException, details: str) -> None:
        log.warning("Today could not load: %s", details)
        self.error = failure_sentence(exc, "Loading Today") or f"Something went wrong: {exc}"
        self.status.setText(f"⚠ {self.error}")
        set_tone_style(self.status, Tone.ERROR)
        if self.current is None:
            self.loading_label.setText(f"Today could not be loaded: {self.error}")
        self._finish()

    # -- showing ------------------------------------------------------------------------------------------

    def _show(self, result: TodayLoad) -> None:
        items = result.items
        self._show_header(result)
        if result.empty_database:
            self.empty.set_text(
                "Nothing here yet",
                "Today gathers what needs you across your customers: SLA deadlines, customer updates, escalations, "
                "onboarding steps and portal seats. This database is empty: load sample data to explore tamdesk, "
                "or add your first customer on the Customers page.",
            )
            self.content.setCurrentWidget(self.empty)
            return
        counts, urgent = items.counts(), items.urgent()
        for section in Section:
            self.tiles[section].show_count(counts[section], *tile_caption(section, items))
            self.sections[section].show_rows(items.rows(section), urgent[section], urgent_word(section))
        self.content.setCurrentWidget(self.scroller)

    def _show_header(self, result: TodayLoad) -> None:
        items = result.items
        self.heading.setText(greeting(items.now, result.user_name))
        whose = f"your {items.customers:,} customers" if result.mine else f"all {items.customers:,} customers"
        if items.customers == 1:
            whose = "your 1 customer" if result.mine else "1 customer"
        self.subtitle.setText(f"{items.now.astimezone():%A %d %B %Y} · {self._summary(items)} across {whose}")
        self.status.setText(f"Updated {items.now.astimezone():%H:%M}")
        set_tone_style(self.status, None, plain="color: palette(placeholder-text);")
        self.banner_text.setText(result.notice)
        self.banner.setVisible(bool(result.notice))
        self.mine_button.setEnabled(not result.notice)
        self.mine_button.setToolTip(
            "Only the customers whose TAM is you" if not result.notice else "Set your name in Settings › You first"
        )
        self.scope.blockSignals(True)
        (self.mine_button if result.mine else self.all_button).setChecked(True)
        self.scope.blockSignals(False)

    @staticmethod
    def _summary(items: TodayItems) -> str:
        total = items.total
        if not total:
            return "nothing needs you right now"
        return f"{total:,} thing{'s' if total != 1 else ''} need{'s' if total == 1 else ''} you"

    # -- actions ------------------------------------------------------------------------------------------

    def _scope_clicked(self, button: QPushButton) -> None:
        QSettings().setValue(SCOPE_KEY, "mine" if button is self.mine_button else "all")
        self.reload()

    def set_scope(self, mine: bool) -> None:
        """Switch between the user's customers and all customers, as the buttons do."""
        (self.mine_button if mine else self.all_button).click()

    def go_to(self, section: Section) -> None:
        """Scroll ``section`` to the top of the page and put the keyboard in its list."""
        view = self.sections[section]
        self.scroller.verticalScrollBar().setValue(view.y())
        view.focus_first()

    # -- the calendar export ------------------------------------------------------------------------------

    def ask_calendar_export(self) -> Task | None:
        """Ask where to write the calendar (the last file written is offered), then write it in the background."""
        last = str(QSettings().value(CALENDAR_KEY, "") or "")
        start = last or str(Path(str(QSettings().value("files/last_folder", str(Path.home())))) / "tamdesk.ics")
        path, _ = QFileDialog.getSaveFileName(self, "Export calendar", start, "iCalendar files (*.ics)")
        if not path:
            return None
        if not Path(path).suffix:
            path += ".ics"
        QSettings().setValue(CALENDAR_KEY, path)
        return self.export_calendar(Path(path))

    def export_calendar(self, path: Path) -> Task:
        """Write the calendar of the customers the page shows (the user's, or everyone's) to ``path``."""
        # imported here, on the UI thread (see views.tasks), not at start: the iCalendar writer is needed only now
        from tamdesk.services.calendar_export import export_calendar

        ctx, mine = self.ctx, self.current is not None and self.current.mine
        self.calendar_button.setEnabled(False)
        self.calendar_note.setText(f"Writing the calendar to {path}…")
        set_tone_style(self.calendar_note, None, plain="color: palette(placeholder-text);")

        def work(control: TaskControl) -> CalendarExport:
            return export_calendar(path, ctx, mine=mine)

        return self.runner.run(work, self._calendar_written, self._calendar_failed)

    def _calendar_written(self, result: CalendarExport) -> None:
        whose = "your customers" if result.tam else "every customer"
        self.calendar_note.setText(f"✓ {result.summary[:-1]} ({whose}).")
        set_tone_style(self.calendar_note, Tone.OK)
        self.calendar_button.setEnabled(True)

    def _calendar_failed(self, exc: BaseException, details: str) -> None:
        log.warning("The calendar export failed: %s", details)
        message = str(exc) if isinstance(exc, DomainError) else f"Something went wrong: {exc}"
        self.calendar_note.setText(f"⚠ {message}")
        set_tone_style(self.calendar_note, Tone.ERROR)
        self.calendar_button.setEnabled(True)
