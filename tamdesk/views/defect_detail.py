"""One product defect in full: the states it walks (each step with its own fields), the engineering link, the
linked tickets and customers, and the customer-update log with the next update due."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import DefectState, TicketStatus
from tamdesk.domain.versions import FixReach, is_version
from tamdesk.services.base import Context, DomainError
from tamdesk.services.defects import (
    CustomerUpdateRow,
    DefectDetail,
    DefectUpdateRow,
    cadence_days,
    check_engineering_link,
    close_defect,
    defect_detail,
    deploy_fix,
    escalate_to_engineering,
    prioritize_defect,
    priority_for,
    set_defect_product,
    start_fix,
    take_back_step,
    validate_defect,
)
from tamdesk.services.tickets import ticket_detail
from tamdesk.services.versions import CustomerReach, defect_reach
from tamdesk.views.changes import changed
from tamdesk.views.datetime_field import DateTimeField
from tamdesk.views.defect_dialog import LinkTicketDialog, LogUpdateDialog
from tamdesk.views.escalation_detail import BADGE, Facts, StateSteps, scrolling
from tamdesk.views.escalation_dialog import (
    Outcome,
    add_form_field,
    hint_label,
    perform,
    plain_text,
)
from tamdesk.views.record_detail import RecordDetailDialog, RecordDetailView
from tamdesk.views.table_model import Column, RowTableModel, local_date, local_time
from tamdesk.views.undo import push_done
from tamdesk.views.widgets import (
    TONE_BANNER,
    FieldMessage,
    Tone,
    configure_table,
    fit_rows_to_text,
    follow_palette_links,
    set_tone_style,
    today,
    tone_color,
)

STEP_LABELS = {
    DefectState.REPORTED: "Reported",
    DefectState.VALIDATED: "Validated",
    DefectState.ESCALATED: "Escalated to engineering",
    DefectState.PRIORITIZED: "Prioritized",
    DefectState.FIX_IN_PROGRESS: "Fix in progress",
    DefectState.FIX_DEPLOYED: "Fix deployed",
    DefectState.CLOSED: "Closed",
}
CLOSED_STATUSES = (TicketStatus.SOLVED, TicketStatus.CLOSED)
UPDATE_COLUMN_MAX = 180  # px: a long customer name is elided rather than squeezing what they were told
UPDATE_CUSTOMER_COLUMN = 2
CLOCK_ROWS_SHOWN = 5


def open_link(url: str) -> bool:
    """Open ``url`` in the user's browser."""
    return bool(url) and QDesktopServices.openUrl(QUrl(url))


@dataclass(frozen=True)
class LinkedTicket:
    id: int
    number: str
    customer_id: int
    customer: str
    subject: str
    severity: Severity
    status: TicketStatus


def linked_tickets(detail: DefectDetail, ctx: Context) -> list[LinkedTicket]:
    tickets = []
    for ticket_id in detail.ticket_ids:
        t = ticket_detail(ticket_id, ctx.now())
        data = t.input
        tickets.append(
            LinkedTicket(t.id, data.number, data.customer_id, t.customer, data.subject, data.severity, data.status)
        )
    return tickets


REACH_TONES = {FixReach.WAITING: Tone.ERROR, FixReach.NOT_DEPLOYED: Tone.WARNING, FixReach.REACHED: Tone.OK}


def reach_columns() -> list[Column[CustomerReach]]:
    return [
        Column[CustomerReach]("Customer", lambda r: r.customer),
        Column[CustomerReach]("Production version", lambda r: r.installed or "Not recorded",
                              tooltip=lambda r: "" if r.installed else "Record it on the customer's Contract tab"),
        Column[CustomerReach]("Fix", lambda r: r.reach.label,
                              foreground=lambda r: tone_color(t) if (t := REACH_TONES.get(r.reach)) else None),
    ]  # fmt: skip


def affected_text(reach: list[CustomerReach], fix_version: str) -> str:
    """Which linked customers still run an affected version, in a sentence."""
    waiting = [r.customer for r in reach if r.reach is FixReach.WAITING]
    if fix_version and not is_version(fix_version):
        return (
            f"Fix version '{fix_version}' does not follow the version scheme (such as 437, 437.2 or 436-e.9): "
            "who runs the fix cannot be told."
        )
    if any(r.reach is FixReach.NOT_DEPLOYED for r in reach):
        return "No fix is deployed yet: every linked customer still runs an affected version."
    if waiting:
        return f"Still on an affected version: {', '.join(waiting)} (updates are owed until they run the fix)."
    unknown = sum(1 for r in reach if r.reach is FixReach.UNKNOWN)
    if unknown:
        return f"No linked customer is known to run an affected version ({unknown} without a production version)."
    return "Every linked customer runs the fix."


def ticket_columns() -> list[Column[LinkedTicket]]:
    return [
        Column[LinkedTicket]("Ticket", lambda r: r.number),
        Column[LinkedTicket]("Customer", lambda r: r.customer),
        Column[LinkedTicket]("Severity", lambda r: r.severity.label, tooltip=lambda r: r.severity.definition),
        Column[LinkedTicket]("Status", lambda r: r.status.label),
        Column[LinkedTicket]("Subject", lambda r: r.subject, tooltip=lambda r: r.subject),
    ]


def update_columns() -> list[Column[DefectUpdateRow]]:
    return [
        Column[DefectUpdateRow]("When", lambda r: local_time(r.at)),
        Column[DefectUpdateRow]("By", lambda r: r.author),
        Column[DefectUpdateRow]("Customer", lambda r: r.customer or "Every linked customer"),
        Column[DefectUpdateRow]("What they were told", lambda r: r.text, tooltip=lambda r: r.text),
    ]


def next_update_text(row: CustomerUpdateRow) -> str:
    """One customer's next update: ``⚠ Overdue since …``, ``Due …``, or why none is due."""
    clock = row.clock
    if clock.next_due is None:
        return "—"
    return f"⚠ Overdue since {local_time(clock.next_due)}" if clock.overdue else f"Due {local_time(clock.next_due)}"


def clock_columns() -> list[Column[CustomerUpdateRow]]:
    """Each linked customer's own update clock: when it was linked, its last update and its next one."""
    return [
        Column[CustomerUpdateRow]("Customer", lambda r: r.customer),
        Column[CustomerUpdateRow]("Linked", lambda r: local_time(r.clock.linked_at),
                                  tooltip=lambda r: f"Its clock started {local_time(r.clock.started_at)}"
                                  if r.clock.started_at else "Its clock starts when the defect is escalated"),
        Column[CustomerUpdateRow]("Last update", lambda r: local_time(r.clock.last_update) or "None yet"),
        Column[CustomerUpdateRow]("Next update", next_update_text,
                                  foreground=lambda r: tone_color(Tone.ERROR) if r.overdue else None),
    ]  # fmt: skip


def update_summary(detail: DefectDetail) -> str:
    """The update duty in one sentence: who is overdue, or who is due next, or why nothing is due."""
    row = detail.row
    clocks = row.customer_updates
    overdue = [u.customer for u in clocks if u.overdue]
    if overdue and row.next_update_due:
        who = "; ".join(overdue)  # names may end in "Ltd." or hold commas
        return f"⚠ Overdue: the next update was due {local_time(row.next_update_due)} — waiting: {who}"
    if row.next_update_due:
        first = next(u.customer for u in clocks if u.clock.next_due == row.next_update_due)
        return f"Next update due {local_time(row.next_update_due)} — {first}"
    if row.state is DefectState.CLOSED:
        return "No more updates due: the defect is closed."
    if not row.state.is_open:
        return "No more updates due: the fix is deployed."
    if not clocks:
        return "No customer is linked."
    return "No update due yet: each customer's clock starts when the defect is escalated to engineering."


def priority_text(detail: DefectDetail) -> str:
    """``P2``, ``P1 (overrides P2 from severity) — reason``, or what it will be before prioritizing."""
    row = detail.row
    derived = priority_for(row.severity)
    if not row.priority or row.state in (DefectState.REPORTED, DefectState.VALIDATED, DefectState.ESCALATED):
        return f"Not prioritized yet ({derived} from {row.severity.label})"
    text = row.priority if row.priority == derived else f"{row.priority} (overrides {derived} from severity)"
    return f"{text} — {detail.priority_reason}" if detail.priority_reason else text


# -- the step forms ---------------------------------------------------------------------------------------------


class StepForm(QWidget):
    """The fields of one step and the button that takes it; ``finished`` carries the outcome of a save."""

    finished = Signal(object)
    title = ""

    def __init__(self, ctx: Context, intro: str, button: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail: DefectDetail | None = None
        self.intro = hint_label(intro)
        self.intro.setStyleSheet("")
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.messages: dict[str, FieldMessage] = {}
        self.fields: dict[str, QWidget] = {}
        self.general = FieldMessage()
        self.button = QPushButton(button)
        self.button.setToolTip("Ctrl+Z takes the step back")
        self.button.clicked.connect(self.submit)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.general)
        layout.addLayout(row)
        layout.addStretch(1)

    def add_field(
        self, name: str, label: str, widget: QWidget, hint: str = "", focus: QWidget | None = None
    ) -> FieldMessage:
        return add_form_field(self.form, self.messages, self.fields, name, label, widget, hint, focus)

    def load(self, detail: DefectDetail) -> None:
        """Fill the defaults for ``detail``; subclasses extend."""
        self.detail = detail
        for message in (*self.messages.values(), self.general):
            message.clear()

    def action(self, confirm: bool) -> None:
        raise NotImplementedError

    def submit(self) -> None:
        outcome = perform(self, self.title, self.action, self.messages, self.general)
        if outcome in (Outcome.DONE, Outcome.STALE):
            self.finished.emit(outcome)

    @property
    def ids(self) -> tuple[int, int]:
        assert self.detail is not None
        return self.detail.row.id, self.detail.row.version

    def take(self, step: Callable[[int], object], text: str) -> None:
        """Take ``step(version)`` on the defect shown, undoable as ``text`` (with the defect's ``{id}``)."""
        assert self.detail is not None
        row = self.detail.row
        step(row.version)
        push_step(self.ctx, row.id, row.version + 1, row.state, step, text.format(id=row.id))


def push_step(
    ctx: Context, defect_id: int, version: int, before: DefectState, step: Callable[[int], object], text: str
) -> None:
    """Offer Ctrl+Z for a step just taken (``version``: the defect's after it): undo returns to ``before`` (refused
    when someone changed the defect since), redo takes the step again."""
    place = [version]

    def undo() -> None:
        take_back_step(ctx, defect_id, place[0], before)
        place[0] += 1
        changed("defect")

    def redo() -> None:
        step(place[0])
        place[0] += 1
        changed("defect")

    push_done(text, undo=undo, redo=redo)


class ValidateStep(StepForm):
    title = "Validate"

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Support reproduces the bug and confirms it is a product defect.", "Mark &validated")
        self.by = QLineEdit()
        self.add_field("validated_by", "Validated &by:", self.by)
        self.at = DateTimeField(ctx.now, "When")
        self.add_field("validated_at", "&When:", self.at, focus=self.at.edit)
        self.notes = plain_text("Steps to reproduce, versions, data set", lines=4)
        self.add_field("repro_notes", "&Reproduction:", self.notes)

    def load(self, detail: DefectDetail) -> None:
        super().load(detail)
        self.by.setText(self.ctx.actor)
        self.at.set_value(self.ctx.now())  # validated now at the latest: the service refuses a time in the future
        self.notes.clear()

    def submit(self) -> None:
        if self.at.value() is not None:  # else the field says why, and nothing is saved
            super().submit()

    def action(self, confirm: bool) -> None:
        ctx, defect_id, at = self.ctx, self.ids[0], self.at.value()
        assert at is not None  # submit checked it
        by, notes = self.by.text(), self.notes.toPlainText()
        self.take(lambda version: validate_defect(ctx, defect_id, version, by, at, notes), "Validate defect #{id}")


class EscalateStep(StepForm):
    title = "Escalate to engineering"

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx, "File the bug in engineering's tracker, then record its key and link here.", "&Escalate to engineering"
        )
        self.key = QLineEdit()
        self.key.setPlaceholderText("ENG-1234")
        self.add_field("engineering_key", "Engineering &key:", self.key)
        self.link = QLineEdit()
        self.link.setPlaceholderText("https://tracker.example.com/browse/ENG-1234")
        self.open_button = QToolButton()
        self.open_button.setText("Open")
        self.open_button.setToolTip("Open the link in the browser")
        self.open_button.clicked.connect(lambda: open_link(self.link.text().strip()))
        box = QWidget()
        line = QHBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.link, 1)
        line.addWidget(self.open_button)
        self.add_field("engineering_url", "&Link:", box, focus=self.link)
        self.key.textEdited.connect(self.check)
        self.link.textEdited.connect(self.check)

    def load(self, detail: DefectDetail) -> None:
        super().load(detail)
        self.key.setText(detail.row.engineering_key)
        self.link.setText(detail.row.engineering_url)
        self.check()

    def check(self, *_: object) -> dict[str, str]:
        """Check key and link as they are typed; a field still empty is not nagged about."""
        errors = check_engineering_link(self.key.text(), self.link.text())
        for name, edit in (("engineering_key", self.key), ("engineering_url", self.link)):
            if name in errors and edit.text().strip():
                self.messages[name].set_error(errors[name])
            else:
                self.messages[name].clear()
        self.open_button.setEnabled(bool(self.link.text().strip()) and "engineering_url" not in errors)
        return errors

    def action(self, confirm: bool) -> None:
        ctx, defect_id, key, link = self.ctx, self.ids[0], self.key.text(), self.link.text()
        self.take(lambda version: escalate_to_engineering(ctx, defect_id, version, key, link),
                  "Escalate defect #{id} to engineering")  # fmt: skip


class PrioritizeStep(StepForm):
    title = "Prioritize"

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "", "&Prioritize")
        self.derived = ""
        self.priority = QComboBox()
        for level in ("P1", "P2", "P3", "P4"):
            self.priority.addItem(level, level)
        self.priority.currentIndexChanged.connect(self._changed)
        self.add_field("priority", "Backlog &priority:", self.priority)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why the backlog priority differs from the severity")
        self.add_field("priority_reason", "Override &reason:", self.reason)

    def load(self, detail: DefectDetail) -> None:
        super().load(detail)
        severity = detail.row.severity
        self.derived = priority_for(severity)
        self.intro.setText(
            f"Engineering's backlog priority follows the severity: {severity.label} → {self.derived}. "
            "Choose another priority only with a reason."
        )
        self.priority.setCurrentIndex(self.priority.findData(self.derived))
        self.reason.clear()
        self._changed()

    def _changed(self, *_: object) -> None:
        override = self.priority.currentData() != self.derived
        self.reason.setEnabled(override)
        self.priority.setToolTip("" if not override else f"Overrides the derived priority {self.derived}")

    def action(self, confirm: bool) -> None:
        ctx, defect_id, priority = self.ctx, self.ids[0], str(self.priority.currentData())
        reason = self.reason.text() if self.reason.isEnabled() else ""
        self.take(lambda version: prioritize_defect(ctx, defect_id, version, priority, reason),
                  f"Prioritize defect #{{id}} {priority}")  # fmt: skip


class StartFixStep(StepForm):
    title = "Start the fix"

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "", "&Start fix")

    def load(self, detail: DefectDetail) -> None:
        super().load(detail)
        key = detail.row.engineering_key or "engineering's ticket"
        self.intro.setText(f"Mark when engineering starts working on {key} ({detail.row.priority}).")

    def action(self, confirm: bool) -> None:
        ctx, defect_id = self.ctx, self.ids[0]
        self.take(lambda version: start_fix(ctx, defect_id, version), "Start the fix of defect #{id}")


class DeployStep(StepForm):
    title = "Deploy the fix"

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Record the release that carries the fix and when it shipped.", "Mark fix &deployed")
        self.version = QLineEdit()
        self.version.setPlaceholderText("437-e.2")
        self.add_field("fix_version", "Fix &version:", self.version)
        self.deployed = QDateEdit()
        self.deployed.setCalendarPopup(True)
        self.deployed.setDisplayFormat("ddd d MMM yyyy")
        self.add_field("deployed_on", "Deployed &on:", self.deployed)

    def load(self, detail: DefectDetail) -> None:
        super().load(detail)
        day = QDate(*today(self.ctx).timetuple()[:3])
        self.deployed.setMaximumDate(day)  # a fix is recorded once it shipped
        self.deployed.setDate(day)
        self.version.setText(detail.row.fix_version)

    def chosen_date(self) -> date:
        return self.deployed.date().toPython()  # type: ignore[no-any-return]

    def action(self, confirm: bool) -> None:
        ctx, defect_id, fix, day = self.ctx, self.ids[0], self.version.text(), self.chosen_date()
        self.take(lambda version: deploy_fix(ctx, defect_id, version, fix, day),
                  f"Mark the fix of defect #{{id}} deployed in {fix.strip()}")  # fmt: skip


class CloseStep(StepForm):
    title = "Close"

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "", "&Close defect…")
        self.open_tickets: list[str] = []

    def show_tickets(self, tickets: list[LinkedTicket]) -> None:
        self.open_tickets = [t.number for t in tickets if t.status not in CLOSED_STATUSES]
        if self.open_tickets:
            self.general.set_warning(
                f"Linked tickets still open: {', '.join(self.open_tickets)}. You will be asked to confirm."
            )
        self.intro.setText("The fix is deployed. Close the defect once the customers have confirmed it.")

    def action(self, confirm: bool) -> None:
        ctx, defect_id = self.ctx, self.ids[0]
        self.take(lambda version: close_defect(ctx, defect_id, version, confirm=confirm), "Close defect #{id}")


STEP_FORMS: dict[DefectState, type[StepForm]] = {
    DefectState.REPORTED: ValidateStep,
    DefectState.VALIDATED: EscalateStep,
    DefectState.ESCALATED: PrioritizeStep,
    DefectState.PRIORITIZED: StartFixStep,
    DefectState.FIX_IN_PROGRESS: DeployStep,
    DefectState.FIX_DEPLOYED: CloseStep,
}


# -- the view ---------------------------------------------------------------------------------------------------


class DefectDetailView(RecordDetailView):
    """The defect with its next step, facts, tickets and customer updates; ``changed`` follows every save."""

    list_title = "Defects"
    noun = "defect"

    def __init__(self, ctx: Context, *, show_back: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.detail: DefectDetail | None = None
        self.tickets: list[LinkedTicket] = []
        self.ticket_model = RowTableModel[LinkedTicket](ticket_columns(), self)
        self.update_model = RowTableModel[DefectUpdateRow](update_columns(), self)
        self.clock_model = RowTableModel[CustomerUpdateRow](clock_columns(), self)
        self.reach_model = RowTableModel[CustomerReach](reach_columns(), self)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_header(show_back))
        self.steps = StateSteps(list(STEP_LABELS.values()))
        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.steps, 0, 0, 1, 2)
        grid.addWidget(self._build_step_box(), 1, 0)
        grid.addWidget(self._build_facts(), 1, 1)
        lower = QHBoxLayout()
        lower.addWidget(self._build_updates(), 3)
        lower.addWidget(self._build_tickets(), 2)
        grid.addLayout(lower, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(2, 1)
        layout.addWidget(scrolling(body), 1)

    # -- construction -------------------------------------------------------------------------------------

    def _build_step_box(self) -> QGroupBox:
        self.step_box = QGroupBox("Next step")
        self.step_stack = QStackedWidget()
        self.step_forms: dict[DefectState, StepForm] = {}
        for state, form_class in STEP_FORMS.items():
            form = form_class(self.ctx)
            form.finished.connect(self._finished)
            self.step_forms[state] = form
            self.step_stack.addWidget(form)
        self.done_label = hint_label("This defect is closed; nothing more to do.")
        self.step_stack.addWidget(self.done_label)
        layout = QVBoxLayout(self.step_box)
        layout.addWidget(self.step_stack)
        return self.step_box

    def _build_facts(self) -> Facts:
        self.facts = Facts(
            "Defect",
            [("severity", "Severity"), ("priority", "Priority"), ("reported", "Reported"),
             ("validated", "Validated"), ("repro", "Reproduction"), ("engineering", "Engineering"),
             ("fix", "Fix"), ("description", "Description")],
        )  # fmt: skip
        link = self.facts.values["engineering"]
        link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        link.setOpenExternalLinks(False)
        link.linkActivated.connect(open_link)
        follow_palette_links(link)
        return self.facts

    def _build_updates(self) -> QGroupBox:
        box = QGroupBox("Customer updates")
        self.cadence = hint_label("")
        self.update_status = QLabel()
        self.update_status.setWordWrap(True)
        self.log_button = QPushButton("&Log update…")
        self.log_button.clicked.connect(self.log_update)
        self.updates = self._table(self.update_model, "Customer updates", ())
        fit_rows_to_text(self.updates)
        self.clocks = self._table(self.clock_model, "Update clock per customer", (150, 150, 150))
        self.clocks.setToolTip("Select a customer, then Log update… to log an update to that customer")
        top = QHBoxLayout()
        top.addWidget(self.update_status, 1)
        top.addWidget(self.log_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(self.cadence)
        layout.addWidget(self.clocks)
        layout.addWidget(self.updates, 1)
        return box

    def _build_tickets(self) -> QGroupBox:
        box = QGroupBox("Tickets and customers")
        self.ticket_table = self._table(self.ticket_model, "Linked tickets", (90, 150, 95, 80))
        self.link_button = QPushButton("Link &ticket…")
        self.link_button.setToolTip("Link another ticket, of this or another customer")
        self.link_button.clicked.connect(self.link_ticket)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.link_button)
        self.product = QLineEdit()
        self.product.setPlaceholderText("the one product")
        self.product.setAccessibleName("Product")
        self.product.setToolTip("The product the fix version belongs to: it decides which installed versions count")
        self.product.returnPressed.connect(self.save_product)
        self.product.textEdited.connect(lambda _=None: self.product_message.clear())
        self.product_button = QPushButton("Set product")
        self.product_button.clicked.connect(self.save_product)
        self.product_message = FieldMessage()
        policy = self.product_message.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.product_message.setSizePolicy(policy)
        product_row = QHBoxLayout()
        product_row.addWidget(QLabel("Product:"))
        product_row.addWidget(self.product, 1)
        product_row.addWidget(self.product_button)
        self.affected = QLabel()
        self.affected.setWordWrap(True)
        self.reach_table = self._table(self.reach_model, "Who runs the fix", (150, 130))
        layout = QVBoxLayout(box)
        layout.addWidget(self.ticket_table, 1)
        layout.addLayout(row)
        layout.addLayout(product_row)
        layout.addWidget(self.product_message)
        layout.addWidget(self.affected)
        layout.addWidget(self.reach_table, 1)
        return box

    def save_product(self) -> None:
        """Save the defect's product; a refused name shows under the field."""
        if self.detail is None:
            return
        row = self.detail.row
        try:
            set_defect_product(self.ctx, row.id, row.version, self.product.text())
        except DomainError as exc:
            self.product_message.set_error(str(exc))
            return
        self._finished(Outcome.DONE)

    @staticmethod
    def _table(model: RowTableModel, name: str, widths: tuple[int, ...]) -> QTableView:  # type: ignore[type-arg]
        table = QTableView()
        table.setAccessibleName(name)
        configure_table(table)
        table.setModel(model)
        table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        table.setMinimumHeight(140)
        for column, width in enumerate(widths):
            table.setColumnWidth(column, width)
        return table

    # -- loading ------------------------------------------------------------------------------------------

    @property
    def defect_id(self) -> int | None:
        """The defect shown, or last asked for."""
        return self.record_id

    def show_defect(self, defect_id: int) -> bool:
        return self.show_record(defect_id)

    def shown_version(self) -> int | None:
        return self.detail.row.version if self.detail is not None else None

    def reload(self) -> bool:
        """Read the defect again; False (with the reason in the title) when it no longer exists."""
        if self.defect_id is None:
            return False
        try:
            detail = defect_detail(self.defect_id, self.ctx.now())
            tickets = linked_tickets(detail, self.ctx)
        except DomainError as exc:
            self.detail = None
            self.title.setText("Defect not found")
            self.subtitle.setText(str(exc))
            self.step_box.setEnabled(False)
            return False
        self.detail, self.tickets = detail, tickets
        self.step_box.setEnabled(True)
        self._show(detail, tickets)
        return True

    def _show(self, detail: DefectDetail, tickets: list[LinkedTicket]) -> None:
        row = detail.row
        self.title.setText(f"Defect #{row.id} — {row.title}")
        customers = ", ".join(row.customers) or "no customer"
        parts = [customers, row.severity.label, row.priority, f"{row.age_days} days old"]
        self.subtitle.setText(" · ".join(p for p in parts if p))
        tone = Tone.OK if row.state in (DefectState.FIX_DEPLOYED, DefectState.CLOSED) else None
        self.state_badge.setText(STEP_LABELS[row.state])
        set_tone_style(self.state_badge, tone, TONE_BANNER, plain=BADGE)
        self.steps.set_current(list(DefectState).index(row.state))
        self._show_step(detail, tickets)
        self._show_facts(detail)
        self._show_updates(detail)
        self.ticket_model.set_rows(tickets)
        self.link_button.setEnabled(row.state is not DefectState.CLOSED)
        self._show_reach(detail)

    def _show_reach(self, detail: DefectDetail) -> None:
        """The product, and which linked customers run the fix or still an affected version."""
        reach = defect_reach(detail.row.id)
        self.reach_model.set_rows(reach)
        if not self.product.hasFocus():
            self.product.setText(detail.row.product)
        self.product_message.clear()
        self.affected.setText(affected_text(reach, detail.row.fix_version))
        waiting = any(r.reach is FixReach.WAITING for r in reach)
        set_tone_style(self.affected, Tone.ERROR if waiting else None)

    def _show_step(self, detail: DefectDetail, tickets: list[LinkedTicket]) -> None:
        form = self.step_forms.get(detail.row.state)
        if form is None:
            self.step_box.setTitle("Closed")
            self.step_stack.setCurrentWidget(self.done_label)
            return
        form.load(detail)
        if isinstance(form, CloseStep):
            form.show_tickets(tickets)
        self.step_box.setTitle(f"Next step: {form.title}")
        self.step_stack.setCurrentWidget(form)

    def _show_facts(self, detail: DefectDetail) -> None:
        row = detail.row
        self.facts.set("severity", f"{row.severity.label} — {row.severity.definition}")
        self.facts.set("priority", priority_text(detail))
        self.facts.set("reported", local_time(row.reported_at))
        validated = f"{local_time(row.validated_at)} by {detail.validated_by}" if row.validated_at else "Not yet"
        self.facts.set("validated", validated)
        self.facts.set("repro", detail.repro_notes)
        self.facts.set("engineering", self._engineering_text(detail))
        fix = row.fix_version + (f", deployed {local_date(row.deployed_on)}" if row.deployed_on else "")
        self.facts.set("fix", fix or "Not yet")
        self.facts.set("description", detail.description)

    @staticmethod
    def _engineering_text(detail: DefectDetail) -> str:
        row = detail.row
        if not row.engineering_key:
            return "Not escalated yet"
        since = f" · escalated {local_time(row.escalated_at)}" if row.escalated_at else ""
        if not row.engineering_url:
            return row.engineering_key + since
        url = row.engineering_url.replace('"', "%22")
        return f'<a href="{url}">{row.engineering_key}</a>{since}'

    def _show_updates(self, detail: DefectDetail) -> None:
        row = detail.row
        every = cadence_days()[row.severity]
        self.cadence.setText(
            f"{row.severity.label}: each linked customer is updated every {every} business day"
            f"{'s' if every != 1 else ''}, on its own calendar, from its link or the escalation (whichever is later) "
            "until the fix reaches it (it runs the fix version or later in production; without a recorded version, "
            "until the fix is deployed); an update to one customer does not reset another's."
        )
        self.update_status.setText(update_summary(detail))
        set_tone_style(self.update_status, Tone.ERROR if row.update_overdue else None, TONE_BANNER)
        self.clock_model.set_rows(row.customer_updates)
        self.clocks.resizeColumnsToContents()
        self._fit_clock_rows()
        self.update_model.set_rows(detail.updates)
        # with one customer every update went to it (the subtitle names it): its column would only narrow the text
        one_customer = len(row.customers) <= 1 and all(u.customer in ("", *row.customers) for u in detail.updates)
        self.updates.setColumnHidden(UPDATE_CUSTOMER_COLUMN, one_customer)
        self._fit_update_columns()

    def _fit_clock_rows(self) -> None:
        """As tall as its rows (up to five; more scroll), so the update log below keeps the room."""
        shown = max(1, min(self.clock_model.rowCount(), CLOCK_ROWS_SHOWN))
        rows = (
            sum(self.clocks.rowHeight(r) for r in range(shown))
            or shown * self.clocks.verticalHeader().defaultSectionSize()
        )
        height = self.clocks.horizontalHeader().height() + rows + 2 * self.clocks.frameWidth()
        self.clocks.setMinimumHeight(height)
        self.clocks.setMaximumHeight(height)

    def _fit_update_columns(self) -> None:
        """When, by and customer as wide as their text (within reason); what they were told takes the rest."""
        for column in range(self.update_model.columnCount() - 1):
            self.updates.resizeColumnToContents(column)
            self.updates.setColumnWidth(column, min(self.updates.columnWidth(column), UPDATE_COLUMN_MAX))

    # -- actions ------------------------------------------------------------------------------------------

    def log_update(self) -> None:
        if self.detail is None:
            return
        customers = list(dict.fromkeys((t.customer_id, t.customer) for t in self.tickets))
        selected = self.clocks.selectionModel().selectedRows()
        chosen = self.clock_model.rows()[selected[0].row()].customer_id if selected else None
        dialog = LogUpdateDialog(self.ctx, self.detail.row.id, customers, self.cadence.text(), self, chosen=chosen)
        self._after(dialog)

    def link_ticket(self) -> None:
        if self.detail is None:
            return
        row = self.detail.row
        self._after(LinkTicketDialog(self.ctx, row.id, row.title, self.detail.ticket_ids, self))


class DefectDetailDialog(RecordDetailDialog):
    """The detail view in its own window, for the Defects tabs of a customer or a ticket."""

    def __init__(self, ctx: Context, defect_id: int, parent: QWidget | None = None) -> None:
        super().__init__(DefectDetailView(ctx, show_back=False), f"Defect #{defect_id}", parent)
        self.resize(1100, 760)
        self.view.show_record(defect_id)
