"""The customer detail view: the header with Back, Edit and Archive, the tabs, and the customer's exports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabBar,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.timeline import plural
from tamdesk.reports.access_form import export_access_form
from tamdesk.reports.onboarding import export_onboarding
from tamdesk.reports.qbr import export_quarterly_review
from tamdesk.reports.seats import export_seat_roster
from tamdesk.reports.sla import ExportedReport
from tamdesk.services.access_form import AccessFormResult
from tamdesk.services.base import Context, DomainError
from tamdesk.services.contracts import get_contract
from tamdesk.services.customers import CustomerDetail, get_customer
from tamdesk.services.history import CustomerActivity, customer_activity, list_audit
from tamdesk.services.onboarding import Checklist, checklist
from tamdesk.views.access_form_dialog import import_returned_form
from tamdesk.views.changes import follow_changes
from tamdesk.views.customer_detail.common import heading
from tamdesk.views.customer_detail.contacts import ContactsTab
from tamdesk.views.customer_detail.contract import ContractTab
from tamdesk.views.customer_detail.history import HistoryTab
from tamdesk.views.customer_detail.onboarding import OnboardingTab
from tamdesk.views.customer_detail.overview import OverviewTab
from tamdesk.views.customer_detail.quarter_dialog import ask_quarter
from tamdesk.views.customer_detail.seats import SeatsTab
from tamdesk.views.customer_detail.timeline import TimelineTab
from tamdesk.views.icons import icon
from tamdesk.views.pages.defects import DefectsTab
from tamdesk.views.pages.escalations import EscalationsTab
from tamdesk.views.pages.tickets import CustomerTicketsTab
from tamdesk.views.tasks import TaskControl, TaskRunner
from tamdesk.views.widgets import (
    TONE_BANNER,
    Tone,
    ask_save_path,
    run_with_progress,
    safe_file_name,
    set_tone_style,
    today,
)


class TabCountBadge(QLabel):
    """A tab's count of open records, in room that never changes: the tab keeps its width whatever the count, so the
    tabs after it stay where the pointer expects them."""

    MOST = 99  # larger counts show as "99+"; the tab's tooltip gives the exact figure

    def __init__(self, noun: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.noun = noun
        self.count = 0
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        metrics = self.fontMetrics()
        self.setFixedSize(metrics.horizontalAdvance(f"{self.MOST}+") + 10, metrics.height() + 2)

    def show_count(self, count: int) -> None:
        """Show ``count`` open records: highlighted when there are some, a muted 0 (not an empty gap) for none."""
        self.count = count
        self.setText(f"{count}" if count <= self.MOST else f"{self.MOST}+")
        colours = (
            "background: palette(highlight); color: palette(highlighted-text);"
            if count
            else "background: palette(midlight); color: palette(placeholder-text);"
        )
        self.setStyleSheet(f"{colours} border-radius: {self.height() // 2}px;")
        self.setAccessibleName(self.summary)

    @property
    def summary(self) -> str:
        """``No open tickets``, ``1 open ticket``, ``2 open tickets``."""
        return plural(self.count, f"open {self.noun}") if self.count else f"No open {self.noun}s"


class CustomerDetailView(QWidget):
    """The customer header with Back, Edit and Archive, and the tabs."""

    back_requested = Signal()
    edit_requested = Signal(int)
    archive_requested = Signal(int, bool)  # customer id, archive (True) or restore (False)
    changed = Signal(int)
    status_message = Signal(str)

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.customer_id: int | None = None
        self.detail: CustomerDetail | None = None
        self._build_header()
        self._build_tabs()
        layout = QVBoxLayout(self)
        layout.addLayout(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        # A change saved anywhere (a ticket saved in its own window, a sync) shows here too: the open counts on the
        # tabs and the header never describe the database as it was. Showing a customer reads it anyway.
        self.follower = follow_changes(self, self._changed_elsewhere, catch_up=False)

    def _changed_elsewhere(self) -> None:
        if self.customer_id is not None:
            self.reload()  # and the customer list behind it, which shows the same counts

    def _build_header(self) -> None:
        self.back_button = QToolButton()
        self.back_button.setIcon(icon("back"))
        self.back_button.setText("Customers")
        self.back_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.back_button.setAccessibleName("Back to the customer list")
        self.back_button.setToolTip("Back to the customer list (Alt+Left)")
        self.back_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Back))
        self.back_button.clicked.connect(self.back_requested)
        self.name = heading("")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet("color: palette(placeholder-text);")
        self.subtitle.setWordWrap(True)  # a long line (TAM, zone, onboarding, renewal) wraps beside the buttons
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.name)
        titles.addWidget(self.subtitle)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(lambda: self.customer_id and self.edit_requested.emit(self.customer_id))
        self.archive_button = QPushButton("Archive…")
        self.archive_button.clicked.connect(self._archive_clicked)
        self.review_button = QPushButton("Export &quarterly review…")
        self.review_button.setToolTip("Write the customer's quarterly business review workbook for a chosen quarter")
        self.review_button.clicked.connect(self.export_quarterly_review)
        self.header = QHBoxLayout()
        self.header.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        self.header.addSpacing(8)
        self.header.addLayout(titles, 1)
        self.header.addWidget(self.review_button, 0, Qt.AlignmentFlag.AlignTop)
        self.header.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        self.header.addWidget(self.archive_button, 0, Qt.AlignmentFlag.AlignTop)
        self.banner = QLabel()
        self.banner.setVisible(False)
        self.banner.setWordWrap(True)

    def _build_tabs(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.overview = OverviewTab()
        self.onboarding = OnboardingTab(self.ctx)
        self.onboarding.changed.connect(self.reload)
        self.onboarding.export_requested.connect(lambda: self.export("checklist"))
        self.seats = SeatsTab(self.ctx)
        self.seats.changed.connect(self.reload)
        self.seats.export_requested.connect(self.export)
        self.seats.import_requested.connect(self.import_form)
        self.seats.status_message.connect(self.status_message)
        self.contacts = ContactsTab(self.ctx, self.runner)
        self.contacts.status_message.connect(self.status_message)
        self.contacts.seats_changed.connect(self.reload)
        self.timeline = TimelineTab(self.ctx)
        self.timeline.changed.connect(self._timeline_changed)
        self.tickets = CustomerTicketsTab(None, self.ctx, self.runner)
        self.escalations = EscalationsTab(self.ctx)
        self.escalations.changed.connect(self.reload)
        self.defects = DefectsTab(self.ctx)
        self.defects.changed.connect(self.reload)
        self.history = HistoryTab()
        self.contract = ContractTab(self.ctx)
        self.contract.status_message.connect(self.status_message)
        self.contract.changed.connect(self.reload)  # the header names a renewal that is near
        # Mnemonics: distinct from each other, from the Portal seats tab's buttons and from the menu bar's
        # File, Edit, Go, Tools and Help (tests/gui/test_seats_tab.py checks).
        for widget, title in (
            (self.overview, "&Overview"),
            (self.onboarding, "On&boarding"),
            (self.seats, "&Portal seats"),
            (self.contacts, "Contacts"),  # every letter of it is taken (Ctrl+Tab reaches it)
            (self.timeline, "Timeline"),  # every letter of it is taken by the tabs, menus and seat buttons
            (self.tickets, "Tic&kets"),
            (self.escalations, "Es&calations"),
            (self.defects, "&Defects"),
            (self.contract, "Contract"),  # each of its letters is taken already: Ctrl+Tab reaches it
            (self.history, "Histor&y"),
        ):
            self.tabs.addTab(widget, title)
        self.badges: dict[QWidget, TabCountBadge] = {}
        for widget, noun in ((self.tickets, "ticket"), (self.escalations, "escalation"), (self.defects, "defect")):
            self.badges[widget] = badge = TabCountBadge(noun)
            self.tabs.tabBar().setTabButton(self.tabs.indexOf(widget), QTabBar.ButtonPosition.RightSide, badge)

    def _timeline_changed(self) -> None:
        """An entry saved or deleted changes the contacts' last contact and the history: read the customer again."""
        self.reload()

    def _archive_clicked(self) -> None:
        if self.detail is not None:
            self.archive_requested.emit(self.detail.id, not self.detail.archived)

    def show_customer(self, customer_id: int) -> None:
        """Load ``customer_id`` into every tab (the Overview tab first)."""
        self.customer_id = customer_id
        self.tabs.setCurrentIndex(0)
        self.reload(emit=False)
        self.contract.show_customer(customer_id)

    def reload(self, emit: bool = True) -> None:
        """Read the customer again (after any change in a tab or elsewhere)."""
        if self.customer_id is None:
            return
        try:
            detail = get_customer(self.customer_id)
            steps = checklist(self.customer_id, today(self.ctx))
            activity = customer_activity(self.customer_id)
            entries = list_audit(self.customer_id)
        except DomainError as exc:
            QMessageBox.warning(self, "Customer", str(exc))
            self.back_requested.emit()
            return
        self.detail = detail
        self.seats.show_customer(detail)
        self.contacts.show_customer(detail.id, detail.input.name)
        self.timeline.show_customer(detail.id, detail.input.name)
        self._show_header(detail, steps)
        self.overview.show_customer(detail, steps, self.seats.used, self.ctx.now())
        self.onboarding.show_checklist(steps)
        self._show_activity(detail.input.name, activity)
        self.history.show_entries(detail.input.name, entries)
        if emit:
            self.changed.emit(self.customer_id)

    def _show_header(self, detail: CustomerDetail, steps: Checklist) -> None:
        self.name.setText(detail.input.name)
        parts = [f"TAM {detail.input.tam}" if detail.input.tam else "No TAM", detail.input.time_zone]
        parts.append(f"Onboarding {steps.state.label.lower()} ({steps.done}/{steps.total})")
        if self.customer_id is not None and (renewal := get_contract(self.customer_id, today(self.ctx)).warning):
            parts.append(renewal.text)  # within 120 days of the renewal, or past it
        self.subtitle.setText(" · ".join(parts))
        self.archive_button.setText("Restore" if detail.archived else "Archive…")
        self.archive_button.setToolTip(
            "Bring the customer back to the list" if detail.archived else "Hide the customer"
        )
        self.banner.setVisible(detail.archived)
        self.banner.setText("This customer is archived: it is hidden from the customer list until restored.")
        set_tone_style(self.banner, Tone.WARNING, TONE_BANNER)

    def _show_activity(self, name: str, activity: CustomerActivity) -> None:
        """Fill the Tickets, Escalations and Defects tabs; their badges carry the open counts."""
        if self.customer_id is None:
            return
        if self.tickets.customer_id != self.customer_id:
            self.tickets.show_customer(self.customer_id)
        self.escalations.show_for(customer_id=self.customer_id)
        self.defects.show_for(customer_id=self.customer_id)
        for widget, count in (
            (self.tickets, activity.open_tickets),
            (self.escalations, activity.open_escalations),
            (self.defects, activity.open_defects),
        ):
            badge = self.badges[widget]
            badge.show_count(count)
            self.tabs.setTabToolTip(self.tabs.indexOf(widget), badge.summary)

    # -- exports and the returned form ------------------------------------------------------------------------

    def export(self, kind: str) -> None:
        """Write the customer's checklist, access form or seat roster workbook in the background."""
        if self.detail is None:
            return
        customer_id, name, ctx = self.detail.id, self.detail.input.name, self.ctx
        titles = {"checklist": "Onboarding checklist", "access_form": "Portal access form", "roster": "Seat roster"}
        writers: dict[str, Callable[[Path], Path]] = {
            "checklist": lambda path: export_onboarding(path, customer_id, ctx=ctx),
            "access_form": lambda path: export_access_form(customer_id, path, ctx=ctx),
            "roster": lambda path: export_seat_roster(path, customer_id, ctx=ctx),
        }
        title = titles[kind]
        path = ask_save_path(self, f"Export {title.lower()}", safe_file_name(f"{name} - {title}.xlsx"))
        if path is None:
            return

        def work(control: TaskControl) -> Path:
            return writers[kind](path)

        def done(written: Path) -> None:
            self.status_message.emit(f"{title} of {name} saved to {written}")
            if kind == "access_form" and self.detail is not None and self.detail.access_form_sent_at is None:
                self._offer_mark_sent(name, written)

        run_with_progress(self, self.runner, f"Export {title.lower()}", f"Writing {path.name}…", work, done)

    def export_quarterly_review(self) -> None:
        """Ask for a quarter and a file, then write the customer's quarterly review in the background."""
        if self.detail is None:
            return
        customer_id, name, ctx = self.detail.id, self.detail.input.name, self.ctx
        quarter = ask_quarter(self, name, today(ctx))
        if quarter is None:
            return
        path = ask_save_path(self, "Export quarterly review", safe_file_name(f"{name} - QBR {quarter.code}.xlsx"))
        if path is None:
            return

        def work(control: TaskControl) -> ExportedReport:
            return export_quarterly_review(path, customer_id, quarter, ctx=ctx)

        def done(result: ExportedReport) -> None:
            self.status_message.emit(f"{result.summary} saved to {result.path}")

        run_with_progress(self, self.runner, "Export quarterly review", f"Writing {path.name}…", work, done)

    def _offer_mark_sent(self, name: str, written: Path) -> None:
        answer = QMessageBox.question(
            self,
            "Access form saved",
            f"The access form is saved to {written}.\n\nRecord now that it was sent to {name}? "
            "(You can also do this later with Mark form sent.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.seats.mark_form_sent()

    def import_form(self) -> None:
        """Preview a returned access form and apply it."""
        if self.detail is None:
            return

        def applied(result: AccessFormResult) -> None:
            self.reload()
            self.status_message.emit(result.summary)

        import_returned_form(self, self.ctx, self.runner, self.detail.id, self.detail.input.name, applied)
