"""Every dialog holds still while its messages come and go, and shows all of its text on a 1024×700 screen at 100%
and at 200% scale.

For each dialog: open it, read where every field and button is (``mapTo`` the dialog) and the dialog's size, make a
message appear the way a user would (OK on an empty form, a bad address), read them again, make a message go away
(correct the field) and read them a third time: nothing may have moved or resized. In each state no label's text is
cut off (a wrapped label is as tall as ``heightForWidth`` asks, a plain one as its ``sizeHint``), no two widgets
overlap, and the dialog fits the screen with room for a title bar.

Qt reads the screen and the scale factor once, at start-up, so the dialog tests run in two child pytest processes of
this module (``test_on_a_small_screen``): the offscreen platform with a config file that gives it one 1024×700 screen
(2048×1400 pixels at ``QT_SCALE_FACTOR=2``, so 1024×700 logical pixels either way). In the parent process they are
skipped. To run one case directly: ``TAMDESK_TEST_SCREEN=small QT_QPA_PLATFORM=offscreen:configfile=...``, as
``_small_screen_env`` sets up.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from tamdesk.domain.exemptions import ExemptClock
from tamdesk.domain.severity import Severity
from tamdesk.models import tables as t
from tamdesk.reports.access_form import ProblemsDraft
from tamdesk.secrets import SecretStore
from tamdesk.services.base import Context, FieldError
from tamdesk.services.contacts import ContactInput, add_contact
from tamdesk.services.customers import CustomerInput, create_customer, get_customer
from tamdesk.services.defects import report_defect
from tamdesk.services.escalations import EscalationInput, add_note, draft_email, escalation_detail, request_escalation
from tamdesk.services.follow_ups import open_follow_ups
from tamdesk.services.seats import SeatInput, request_seat, seat_overview
from tamdesk.services.sla import create_policy
from tamdesk.services.tickets import TicketInput, create_ticket, ticket_detail
from tamdesk.services.timeline import EntryInput, FollowUpInput, add_entry
from tamdesk.views.access_form_dialog import ProblemsEmailDialog
from tamdesk.views.contact_dialog import ContactDialog
from tamdesk.views.customer_detail.contract import RecordVersionDialog
from tamdesk.views.customer_detail.quarter_dialog import QuarterDialog
from tamdesk.views.customer_dialog import CustomerDialog
from tamdesk.views.defect_dialog import LinkDefectDialog, LinkTicketDialog, LogUpdateDialog, ReportDefectDialog
from tamdesk.views.email_dialogs import EmailAccessFormDialog
from tamdesk.views.escalation_detail import AdvanceDialog, EmailDraftDialog
from tamdesk.views.escalation_dialog import EscalationDialog, TextDialog
from tamdesk.views.follow_up_dialogs import DeferDialog, ReassignDialog
from tamdesk.views.history_dialog import HistoryDialog
from tamdesk.views.name_dialog import NameDialog
from tamdesk.views.pages.settings.sla_policies import NameDialog as PolicyNameDialog
from tamdesk.views.report_pack_dialog import ReportPackDialog
from tamdesk.views.restore_dialog import RestoreDialog
from tamdesk.views.search_dialog import SearchDialog
from tamdesk.views.seat_dialog import RevokeSeatDialog, SeatDialog
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.team_dialog import TeamDatabaseDialog
from tamdesk.views.ticket_dialog import TicketDialog
from tamdesk.views.ticket_import_dialog import TicketImportDialog
from tamdesk.views.ticket_sla_dialogs import ExcuseDialog, SeverityDialog
from tamdesk.views.timeline_entry_dialog import TimelineEntryDialog
from tamdesk.views.widgets import FieldMessage

ROOT = Path(__file__).resolve().parents[2]
SCALE = float(os.environ.get("QT_SCALE_FACTOR", "1"))
SMALL_SCREEN = os.environ.get("TAMDESK_TEST_SCREEN") == "small"  # set for the child processes
SCREEN = (1024, 700)  # a small laptop screen, in logical pixels
TITLE_BAR = 40
LEFT = Qt.MouseButton.LeftButton
INPUTS = (QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QTextEdit, QAbstractButton, QAbstractItemView)


@dataclass
class World:
    """A small database: the people directory, Acme with tickets, an escalation, a defect, a contact, a follow-up."""

    ctx: Context
    now: datetime
    acme: int
    sev1: int
    sev3: int
    escalation: int
    defect: int
    db_path: Path


@pytest.fixture
def world(db_path: Path, ctx: Context, fixed_now: datetime) -> World:
    return make_world(ctx, fixed_now, db_path)


def make_world(ctx: Context, fixed_now: datetime, db_path: Path) -> World:
    for name, role in [("Maya Support", "support_manager"), ("Dan Director", "senior_director"), ("Tess Tam", "tam")]:
        t.Person.create(name=name, role=role, email=f"{name.split()[0].lower()}@vendor.example")
    acme = create_customer(
        ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE", email_domains=("acme.com",))
    )
    opened = fixed_now - timedelta(hours=2)
    sev1 = create_ticket(ctx, TicketInput("SUP-1", acme, "Cluster down", Severity.URGENT, opened))
    sev3 = create_ticket(ctx, TicketInput("SUP-2", acme, "Slow queries", Severity.NORMAL, opened))
    escalation = request_escalation(ctx, sev1, EscalationInput("customer", "Ana Ruiz", "Production down", "Orders"))
    defect = report_defect(ctx, sev1, "Coordinator runs out of memory")
    add_contact(ctx, acme, ContactInput(full_name="Ana Ruiz", email="ana.ruiz@acme.com"))
    request_seat(ctx, acme, SeatInput("Ana Silva", "ana@acme.com"))
    tess = t.Person.get(t.Person.name == "Tess Tam").id
    add_entry(ctx, acme, EntryInput("call", fixed_now, "Check-in", follow_ups=[
        FollowUpInput("Send the plan", date(2026, 3, 11), owner_person_id=tess)]))  # fmt: skip
    return World(ctx, fixed_now, acme, sev1, sev3, escalation, defect, db_path)


@pytest.fixture(autouse=True)
def no_message_boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A message box would block; these tests never expect one (a message belongs in the form)."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: shown.append(text)))
    return shown


# -- the dialogs and how a user makes a message come and go --------------------------------------------------------

Step = Callable[[Any, Any], None]


def click(name: str) -> Step:
    """Click the dialog's button held in attribute ``name`` (``ok_button``) or its button box's ``name`` button."""

    def step(dialog: Any, qtbot: Any) -> None:
        button = getattr(dialog, name, None)
        if button is None:
            box = getattr(dialog, "buttons", None) or dialog.findChild(QDialogButtonBox)
            button = box.button(getattr(QDialogButtonBox.StandardButton, name))
        qtbot.mouseClick(button, LEFT)

    return step


def then(*steps: Step) -> Step:
    def step(dialog: Any, qtbot: Any) -> None:
        for each in steps:
            each(dialog, qtbot)

    return step


def type_into(attribute: str, text: str, *, replace: bool = False) -> Step:
    def step(dialog: Any, qtbot: Any) -> None:
        widget = dialog
        for part in attribute.split("."):
            widget = widget[part] if isinstance(widget, dict) else getattr(widget, part)
        if isinstance(widget, QComboBox):
            widget = widget.lineEdit()
        if replace:
            widget.clear()
        qtbot.keyClicks(widget, text)

    return step


def checked(dialog: Any, qtbot: Any) -> None:
    """Let the form's checks run as they do after a typing pause."""
    dialog.run_check()


def later(dialog: Any, qtbot: Any) -> None:
    dialog.at.set_value(dialog.ctx.now() + timedelta(days=1))


def same_owner(dialog: Any, qtbot: Any) -> None:
    dialog.owner.setCurrentIndex(dialog.owner.findText("Tess Tam", Qt.MatchFlag.MatchStartsWith))


def other_owner(dialog: Any, qtbot: Any) -> None:
    dialog.owner.setCurrentIndex(dialog.owner.findText("Maya Support", Qt.MatchFlag.MatchStartsWith))


@dataclass(frozen=True)
class Case:
    """A dialog, the user's steps that make a message appear, and (when there are any) those that take one away."""

    name: str
    make: Callable[[World], QDialog]
    provoke: Step | None
    fix: Step | None = None


def note(w: World, text: str) -> None:
    add_note(w.ctx, w.escalation, text)


def severity_too_early(dialog: Any, qtbot: Any) -> None:
    qtbot.mouseClick(dialog.severity.buttons[Severity.URGENT], LEFT)
    dialog.severity_changed_at.set_value(dialog.ctx.now() - timedelta(days=2))


def later_date(dialog: Any, qtbot: Any) -> None:
    dialog.date.setDate(dialog.date.date().addDays(3))


def due_date(dialog: Any, qtbot: Any) -> None:
    due = dialog.row.due_on
    dialog.date.setDate(QDate(due.year, due.month, due.day))


def _follow_up(w: World) -> Any:
    return open_follow_ups(w.now.date())[0]


CASES = [
    Case(
        "escalation, ticket to choose",
        lambda w: EscalationDialog(w.ctx, customer_id=w.acme),
        click("ok_button"),
        type_into("chooser", "SUP-2"),
    ),
    Case(
        "escalation of a ticket already escalated",
        lambda w: EscalationDialog(w.ctx, customer_id=w.acme),
        type_into("chooser", "SUP-1"),
        type_into("chooser", "SUP-2", replace=True),
    ),
    Case(
        "escalation of a ticket",
        lambda w: EscalationDialog(w.ctx, ticket_id=w.sev3),
        click("ok_button"),
        then(click("by_customer"), type_into("reason", "Production down"), click("ok_button")),
    ),
    Case(
        "report defect, ticket to choose",
        lambda w: ReportDefectDialog(w.ctx, customer_id=w.acme),
        click("ok_button"),
        type_into("ticket.chooser", "SUP-2"),
    ),
    Case("report defect of a ticket", lambda w: ReportDefectDialog(w.ctx, ticket_id=w.sev3), click("ok_button")),
    Case("advance an escalation", lambda w: AdvanceDialog(w.ctx, escalation_detail(w.escalation, w.now)), None),
    Case("escalation email", lambda w: EmailDraftDialog(draft_email(w.escalation, w.now)), None),
    Case(
        "link a ticket to a defect",
        lambda w: LinkTicketDialog(w.ctx, w.defect, "Coordinator runs out of memory", [w.sev1]),
        click("ok_button"),
        type_into("ticket.chooser", "SUP-2"),
    ),
    Case("link to a known defect", lambda w: LinkDefectDialog(w.ctx, w.sev3), None),
    Case(
        "log a customer update",
        lambda w: LogUpdateDialog(w.ctx, w.defect, [(w.acme, "Acme")], "Sev1: every business day."),
        click("ok_button"),
        then(type_into("text", "A fix is planned"), later, click("ok_button")),
    ),
    Case(
        "escalation note",
        lambda w: TextDialog("Add a note", "A dated note.", "&Note:", "note", lambda text, _: note(w, text)),
        click("ok_button"),
    ),
    Case(
        "contact",
        lambda w: ContactDialog(w.ctx, w.acme, "Acme", check_delay_ms=10_000),
        then(type_into("inputs.full_name", "Service Desk"), type_into("inputs.email", "support@acme.com"), checked),
        then(type_into("inputs.email", "bo.berg@acme.com", replace=True), checked),
    ),
    Case(
        "new customer",
        lambda w: CustomerDialog(w.ctx),
        click("Save"),
        type_into("name", "Initech"),
    ),
    Case(
        "edit customer",
        lambda w: CustomerDialog(w.ctx, get_customer(w.acme)),
        then(lambda d, q: d.seat_allowance.setValue(7), click("Save")),
        type_into("allowance_reason", "Contract amendment"),
    ),
    Case(
        "new ticket",
        lambda w: TicketDialog(w.ctx),
        click("Save"),
        then(type_into("customer", "Acme"), type_into("number", "SUP-9")),
    ),
    Case(
        "edit ticket",
        lambda w: TicketDialog(w.ctx, ticket_detail(w.sev3, w.now)),
        then(severity_too_early, click("Save")),
        lambda d, q: d.severity_changed_at.set_value(d.ctx.now()),
    ),
    Case(
        "request a seat, an error",
        lambda w: SeatDialog(w.ctx, w.acme, check_delay_ms=10_000),
        then(type_into("inputs.full_name", "Help Desk"), type_into("inputs.email", "support@acme.com"), checked),
        then(type_into("inputs.email", "bo.berg@acme.com", replace=True), checked),
    ),
    Case(
        "request a seat, warnings to confirm",
        lambda w: SeatDialog(w.ctx, w.acme, check_delay_ms=10_000),
        then(type_into("inputs.full_name", "Ana Silva"), type_into("inputs.email", "ana.silva@partner.org"), checked),
        then(type_into("inputs.full_name", "Bo Berg", replace=True), checked),
    ),
    Case(
        "revoke a seat",
        lambda w: RevokeSeatDialog(w.ctx, seat_overview(w.acme).seats[0]),
        click("revoke_button"),
        type_into("reason", "Left the company"),
    ),
    Case(
        "change the severity",
        lambda w: SeverityDialog(w.ctx, ticket_detail(w.sev3, w.now)),
        then(lambda d, q: d.at.set_value(d.ctx.now() - timedelta(days=2)), click("Save")),
        lambda d, q: d.at.set_value(d.ctx.now()),
    ),
    Case(
        "excuse a breach",
        lambda w: ExcuseDialog(w.ctx, ticket_detail(w.sev1, w.now), ExemptClock.FIRST_RESPONSE),
        click("excuse_button"),
        type_into("reason", "The customer's data centre lost power"),
    ),
    Case(
        "record a version",
        lambda w: RecordVersionDialog(w.ctx, w.acme),
        then(type_into("version", "four"), click("save_button")),
        type_into("version", "437", replace=True),
    ),
    Case(
        "new SLA policy",
        lambda w: PolicyNameDialog(None, "New SLA policy", "&Name", lambda name: create_policy(w.ctx, name)),  # type: ignore[arg-type]
        then(type_into("name", "Standard"), click("Ok")),
        None,
    ),
    Case("your name", lambda w: NameDialog(), then(type_into("name", "", replace=True), click("continue_button"))),
    Case("defer a follow-up", lambda w: DeferDialog(w.ctx, _follow_up(w)), then(due_date, click("Ok")), later_date),
    Case(
        "team database",
        lambda w: TeamDatabaseDialog(w.ctx, SecretStore(), TaskRunner(), w.db_path),
        then(click("team"), click("connect_button")),
    ),
    Case(
        "email the access form", lambda w: EmailAccessFormDialog(w.ctx, w.acme, "Acme", [("Ana", "ana@acme.com")]), None
    ),
    Case("quarterly review", lambda w: QuarterDialog("Acme", w.now.date()), None),
    Case("restore a backup", lambda w: RestoreDialog(w.db_path), None),
    Case(
        "timeline entry",
        lambda w: TimelineEntryDialog(w.ctx, w.acme, "Acme"),
        click("save_button"),
        type_into("body", "Reviewed the quarter"),
    ),
    Case(
        "monthly pack",
        lambda w: ReportPackDialog(w.ctx, UTC),
        then(type_into("recipients", "not an address", replace=True), click("run_button")),
    ),
    Case(
        "send back the problems",
        lambda w: ProblemsEmailDialog(w.db_path.with_name("back.xlsx"), ProblemsDraft("", "Problems", "Dear Ana")),
        click("send_button"),
        type_into("to", "ana@acme.com"),
    ),
    Case("history", lambda w: HistoryDialog(w.ctx, TaskRunner()), None),
    Case("search", lambda w: SearchDialog(TaskRunner()), None),
    Case("import tickets", lambda w: TicketImportDialog(w.ctx, TaskRunner()), None),
    Case(
        "reassign a follow-up",
        lambda w: ReassignDialog(w.ctx, _follow_up(w)),
        then(same_owner, click("Ok")),
        other_owner,
    ),
]


# -- reading the screen -----------------------------------------------------------------------------------------


def _inside_scroll_area(widget: QWidget, dialog: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not dialog:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _shown(dialog: QWidget, kinds: tuple[type, ...]) -> list[QWidget]:
    return [
        w
        for w in dialog.findChildren(QWidget)
        if isinstance(w, kinds) and w.isVisibleTo(dialog) and not _inside_scroll_area(w, dialog)
    ]


def _rect(widget: QWidget, dialog: QWidget) -> QRect:
    return QRect(widget.mapTo(dialog, QPoint(0, 0)), widget.size())


def places(dialog: QWidget) -> dict[QWidget, QRect]:
    """Where each field and button is, in the dialog's coordinates."""
    return {w: _rect(w, dialog) for w in _shown(dialog, INPUTS)}


def messages(dialog: QWidget) -> dict[QWidget, str]:
    """The messages shown: under fields, a dialog's status line, the escalation's refusal."""
    lines = [getattr(dialog, name, None) for name in ("status", "refusal_text")]
    shown: list[Any] = [*dialog.findChildren(FieldMessage), *lines]
    return {m: m.text() for m in shown if isinstance(m, FieldMessage | QLabel) and m.isVisibleTo(dialog) and m.text()}


def _describe(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QLabel | QAbstractButton) else widget.accessibleName()
    return f"{type(widget).__name__}({text!r})"


def clipped_labels(dialog: QWidget) -> list[str]:
    """Labels whose text does not fit the room they were given (or reaches past the dialog's edge)."""
    found = []
    for label in _shown(dialog, (QLabel,)):
        if not label.text():  # an icon, or the room kept for a message
            continue
        width, height = label.width(), label.height()
        if label.wordWrap():
            need_width, need_height = width, label.heightForWidth(width)
        else:
            need_width, need_height = label.sizeHint().width(), label.sizeHint().height()
        if need_width > width + 1 or need_height > height + 1:
            found.append(f"{_describe(label)} is {width}×{height}, needs {need_width}×{need_height}")
        if not dialog.rect().contains(_rect(label, dialog)):
            found.append(f"{_describe(label)} reaches past the dialog's edge")
    return found


def overlapping(dialog: QWidget) -> list[str]:
    """Pairs of visible labels, fields and buttons (neither inside the other) that cover each other."""
    shown = [w for w in _shown(dialog, (QLabel, *INPUTS)) if not isinstance(w, QLabel) or w.text()]
    leaves = [w for w in shown if not any(other is not w and other.isAncestorOf(w) for other in shown)]
    rects = [(w, _rect(w, dialog)) for w in leaves]
    found = []
    for i, (a, ra) in enumerate(rects):
        for b, rb in rects[i + 1 :]:
            both = ra.intersected(rb)
            if both.width() > 0 and both.height() > 0:
                found.append(f"{_describe(a)} at {ra.getRect()} overlaps {_describe(b)} at {rb.getRect()}")
    return found


def check_layout(dialog: QWidget, when: str) -> None:
    assert not clipped_labels(dialog), f"{when}: cut off: {clipped_labels(dialog)}"
    assert not overlapping(dialog), f"{when}: {overlapping(dialog)}"
    room = dialog.screen().availableGeometry().size()
    fits = dialog.width() <= room.width() and dialog.height() <= room.height() - TITLE_BAR
    assert fits, f"{when}: {dialog.size().toTuple()} does not fit a {room.toTuple()} screen with a title bar"


# -- the tests --------------------------------------------------------------------------------------------------


@pytest.fixture
def opened(qtbot: Any, world: World, request: pytest.FixtureRequest) -> Iterator[QDialog]:
    case: Case = request.param
    dialog = case.make(world)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog
    dialog.close()


@pytest.mark.skipif(not SMALL_SCREEN, reason="runs in test_on_a_small_screen's processes")
@pytest.mark.parametrize("opened", CASES, ids=[c.name for c in CASES], indirect=True)
def test_messages_move_nothing_and_nothing_is_cut_off(qtbot: Any, opened: QDialog, request: Any) -> None:
    case: Case = request.node.callspec.params["opened"]
    dialog = opened
    check_layout(dialog, "opened")
    before, size = places(dialog), dialog.size()
    assert before, "the dialog shows no field"
    if case.provoke is None:
        return
    case.provoke(dialog, qtbot)
    qtbot.wait(10)
    shown = messages(dialog)
    assert shown, "no message appeared"
    assert dialog.isVisible()
    check_layout(dialog, f"with {list(shown.values())}")
    assert dialog.size() == size, f"{list(shown.values())} resized the dialog"
    after = places(dialog)
    moved = [_describe(w) for w in before.keys() & after.keys() if before[w] != after[w]]
    assert not moved, f"{list(shown.values())} moved {moved}"
    if case.fix is None:
        return
    case.fix(dialog, qtbot)
    qtbot.wait(10)
    assert dialog.isVisible()
    gone = [text for message, text in shown.items() if not message.isVisibleTo(dialog) or not message.text()]
    assert gone, f"correcting the form left every message: {list(shown.values())}"
    check_layout(dialog, f"after {gone} went")
    assert dialog.size() == size
    fixed = places(dialog)
    moved = [_describe(w) for w in before.keys() & fixed.keys() if before[w] != fixed[w]]
    assert not moved, f"{gone} going moved {moved}"


def test_text_typed_where_business_impact_was_goes_into_business_impact(qtbot: Any, world: World) -> None:
    """The reported slip: OK on a half-filled form, then a click where Business impact was, then typing."""
    dialog = EscalationDialog(world.ctx, ticket_id=world.sev3)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    where = dialog.impact.mapTo(dialog, dialog.impact.rect().center())
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.wait(10)
    assert dialog.messages["business_impact"].isVisible() and dialog.messages["reason"].isVisible()
    target = dialog.childAt(where)
    qtbot.mouseClick(target, LEFT, pos=target.mapFrom(dialog, where))
    qtbot.keyClicks(dialog.focusWidget(), "Orders cannot be taken")
    assert dialog.impact.toPlainText() == "Orders cannot be taken"
    assert dialog.reason.text() == ""


def test_a_message_longer_than_its_room_grows_the_dialog_which_shrinks_back_after(qtbot: Any, db_path: Path) -> None:
    long = "Say what the customer was told, the date they were told it and who told them, " * 3

    def submit(text: str, confirm: bool) -> None:  # a use case that finds fault with every text
        raise FieldError("note", long if text == "long" else "Too short.")

    dialog = TextDialog("Log a note", "What the customer was told.", "&Note:", "note", submit)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    size, field = dialog.size(), _rect(dialog.text, dialog)
    qtbot.keyClicks(dialog.text, "long")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.wait(10)  # the layout settles before the next paint
    assert dialog.messages["note"].text() == long
    assert dialog.height() > size.height(), "the dialog grew to show the whole message"
    assert not clipped_labels(dialog) and not overlapping(dialog)
    assert _rect(dialog.text, dialog) == field, "the field above the message stayed put"
    dialog.text.setPlainText("x")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.wait(10)
    assert dialog.messages["note"].text() == "Too short."
    assert dialog.size() == size, "back to its own size once the long message is gone"


@pytest.mark.skipif(not SMALL_SCREEN, reason="runs in test_on_a_small_screen's processes")
def test_the_screen_is_small_and_scaled_as_asked(qtbot: Any) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.devicePixelRatioF() == SCALE
    assert widget.screen().availableGeometry().size().toTuple() == SCREEN


def _small_screen_env(folder: Path, scale: int) -> dict[str, str]:
    """The environment of a child process whose only screen is 1024×700 logical pixels at ``scale``."""
    config = folder / f"screen-{scale}.json"
    width, height = SCREEN
    screen = {"name": "small", "x": 0, "y": 0, "width": width * scale, "height": height * scale}
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    return {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": str(scale),
        "TAMDESK_TEST_SCREEN": "small",
    }


@pytest.mark.skipif(SMALL_SCREEN, reason="this is one of its processes")
@pytest.mark.parametrize("scale", [1, 2], ids=["100%", "200%"])
def test_on_a_small_screen(tmp_path: Path, scale: int) -> None:
    """Every dialog test of this module in a child process with a 1024×700 screen at ``scale``."""
    command = [sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:cacheprovider"]
    env = _small_screen_env(tmp_path, scale)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    counts = re.search(r"(\d+) passed, 2 skipped", done.stdout)  # only the two runs of this test are skipped
    assert counts is not None and int(counts.group(1)) > len(CASES), done.stdout[-2000:]
