"""Every screen draws tamdesk's own icons, and what it colours follows a live light/dark switch.

The icons of ``tamdesk.views.icons`` name themselves (``QIcon.name()`` is the name in the set); the style's
standard pixmaps have no name, so a name check also proves no ``standardIcon`` is left.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QTableView

from tamdesk.domain.severity import Severity
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import link_ticket, log_customer_update, report_defect
from tamdesk.services.escalations import EscalationInput, add_note, request_escalation
from tamdesk.services.onboarding import checklist
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.views import icons, widgets
from tamdesk.views.customer_detail import ChecklistModel, CustomerDetailView
from tamdesk.views.defect_detail import UPDATE_CUSTOMER_COLUMN, DefectDetailView
from tamdesk.views.escalation_detail import EscalationDetailView
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.base import EmptyState
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.pages.defects import DefectsPage, DefectsTab
from tamdesk.views.pages.escalations import EscalationsPage, EscalationsTab
from tamdesk.views.pages.settings import SettingsPage, TemplateSection
from tamdesk.views.pages.tickets import CustomerTicketsTab, TicketsPage
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.theme import SCHEME_ENV, apply_theme, dark_palette
from tamdesk.views.widgets import (
    TONE_BANNER,
    FieldMessage,
    IconLabel,
    Tone,
    fit_rows_to_text,
    follow_palette_links,
    set_tone_style,
    tone_background,
    tone_color,
)
from tests.gui.looks import close, ink, look_restored

LIGHT_ERROR, DARK_ERROR = "#b3261e", "#ff8a80"


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The application in a light palette, with its palette, style and stylesheet put back after the test."""
    with look_restored(qapp):
        qapp.setPalette(qapp.style().standardPalette())
        yield qapp


def _label_ink(label: QLabel) -> QColor:
    pixmap = label.pixmap()
    assert not pixmap.isNull(), "the label shows no picture"
    return ink(pixmap.toImage())


def _names(*buttons: QAbstractButton) -> list[str]:
    return [button.icon().name() for button in buttons]


# -- the icon set on every screen -------------------------------------------------------------------------------


def test_pages_use_the_icon_set_for_actions_and_empty_states(window: MainWindow) -> None:
    pages = {type(page): page for page in window.pages}
    customers, tickets = pages[CustomersPage], pages[TicketsPage]
    escalations, defects = pages[EscalationsPage], pages[DefectsPage]
    assert isinstance(customers, CustomersPage) and isinstance(tickets, TicketsPage)
    assert isinstance(escalations, EscalationsPage) and isinstance(defects, DefectsPage)
    assert _names(customers.new_button, tickets.new_button, escalations.request_button, defects.report_button) == [
        "add",
        "add",
        "escalations",
        "defects",
    ]
    empty_states = [customers.empty, tickets.empty_state, escalations.empty, defects.empty]
    assert [empty.icon().name() for empty in empty_states] == ["customers", "tickets", "escalations", "defects"]
    assert (
        _names(customers.detail.back_button, escalations.detail.back_button, defects.detail.back_button) == ["back"] * 3
    )
    assert escalations.detail.email_button.icon().name() == "mail"


def test_a_customers_tabs_use_the_icon_set(qtbot: Any, db_path: Path, ctx: Context) -> None:
    view = CustomerDetailView(ctx, TaskRunner())
    qtbot.addWidget(view)
    assert isinstance(view.tickets, CustomerTicketsTab) and isinstance(view.escalations, EscalationsTab)
    assert isinstance(view.defects, DefectsTab)
    assert view.back_button.icon().name() == "back"
    assert view.history.empty_state.icon().name() == "history"
    assert _names(view.tickets.new_button, view.escalations.request_button, view.defects.report_button) == [
        "add",
        "escalations",
        "defects",
    ]
    assert view.defects.link_button.icon().name() == "link"
    assert [view.escalations.empty.icon().name(), view.defects.empty.icon().name()] == ["escalations", "defects"]


def test_onboarding_status_icons_come_from_the_set_in_tone_colours(
    app: QApplication, db_path: Path, ctx: Context, fixed_now: datetime
) -> None:
    customer = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))
    steps = checklist(customer, fixed_now.date() + timedelta(days=400))  # far enough for every step to be overdue
    model = ChecklistModel(lambda: fixed_now.date())
    model.set_rows(steps.steps)
    decorations = [model.data(model.index(row, model.STATUS), Qt.ItemDataRole.DecorationRole) for row in range(3)]
    assert all(isinstance(icon, QIcon) and icon.name() == "warning" for icon in decorations)
    light = ink(decorations[0].pixmap(QSize(16, 16), 1.0).toImage())
    assert close(light, QColor(LIGHT_ERROR)), light.name()
    app.setPalette(dark_palette())
    dark = model.data(model.index(0, model.STATUS), Qt.ItemDataRole.DecorationRole)
    assert close(ink(dark.pixmap(QSize(16, 16), 1.0).toImage()), QColor(DARK_ERROR))


def test_settings_step_order_buttons_are_text_arrows(qtbot: Any, db_path: Path, ctx: Context) -> None:
    runner = TaskRunner()
    page = SettingsPage(ctx, runner)
    qtbot.addWidget(page)
    section = page.show_section(TemplateSection)
    assert [section.up_button.text(), section.down_button.text()] == ["↑", "↓"]
    assert section.up_button.icon().isNull() and section.down_button.icon().isNull()
    assert section.down_button.toolTip() == section.down_button.accessibleName() == "Move step down"
    runner.wait(5000)


# -- a live light/dark switch -----------------------------------------------------------------------------------


def test_field_message_retints_text_and_icon_after_a_switch_to_dark(app: QApplication, qtbot: Any) -> None:
    message = FieldMessage()
    qtbot.addWidget(message)
    message.set_error("Seat 3 is the same mailbox as seat 1")
    message.show()
    assert message.icon.icon().name() == "error"
    assert LIGHT_ERROR in message.label.styleSheet()
    assert close(_label_ink(message.icon), QColor(LIGHT_ERROR))
    app.setPalette(dark_palette())
    assert DARK_ERROR in message.label.styleSheet()
    assert close(_label_ink(message.icon), QColor(DARK_ERROR)), _label_ink(message.icon).name()
    message.set_warning("Not a company domain")  # and a new message takes the tone of the palette shown now
    assert tone_color(Tone.WARNING).name() in message.label.styleSheet()
    assert message.icon.icon().name() == "warning"


def test_info_messages_have_no_icon_of_a_wrong_meaning(qtbot: Any) -> None:
    message = FieldMessage()
    qtbot.addWidget(message)
    message.show_message(Tone.INFO, "Export cancelled; no file was written.")
    assert message.icon.pixmap().isNull() and message.text().startswith("Export cancelled")


def test_empty_state_icon_is_drawn_again_after_a_switch_to_dark_and_on_a_2x_screen(
    app: QApplication, qtbot: Any
) -> None:
    empty = EmptyState(icons.icon("tickets"), "No tickets yet", "Import them from the support system.")
    qtbot.addWidget(empty)
    empty.show()
    assert empty.picture.pixmap().deviceIndependentSize().toSize() == QSize(64, 64)
    muted = QPalette.ColorRole.PlaceholderText  # the colour of the app's hint text
    light = _label_ink(empty.picture)
    assert close(light, app.palette().color(muted)), light.name()
    app.setPalette(dark_palette())
    dark = _label_ink(empty.picture)
    assert close(dark, QColor("#9a9aa0")) and dark.lightness() > light.lightness(), (light.name(), dark.name())
    drawn: list[QPixmap] = []
    empty.picture.devicePixelRatioF = lambda: 2.0  # type: ignore[method-assign]  # moved to a 2x screen
    empty.picture.setPixmap = drawn.append  # type: ignore[method-assign]
    QApplication.sendEvent(empty.picture, QEvent(QEvent.Type.DevicePixelRatioChange))
    assert [(p.devicePixelRatio(), p.size()) for p in drawn] == [(2.0, QSize(128, 128))]
    del empty.picture.setPixmap
    empty.set_icon(icons.icon("defects"))
    assert empty.icon().name() == "defects"


def test_the_theme_switch_retints_tone_styles_and_icon_labels(
    app: QApplication, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through theme.py, which takes the app stylesheet off and on around the palette change."""
    monkeypatch.setenv(SCHEME_ENV, "light")
    theme = apply_theme(app)
    banner = QLabel("This customer is archived")
    qtbot.addWidget(banner)
    set_tone_style(banner, Tone.WARNING, TONE_BANNER)
    picture = IconLabel(icons.icon("ok"), 24)
    qtbot.addWidget(picture)
    banner.show()
    picture.show()
    light_sheet, light_ink = banner.styleSheet(), _label_ink(picture)
    assert tone_background(Tone.WARNING).name() in light_sheet
    monkeypatch.setenv(SCHEME_ENV, "dark")
    theme.apply()
    assert banner.styleSheet() != light_sheet
    assert tone_background(Tone.WARNING).name() in banner.styleSheet() and "padding: 6px" in banner.styleSheet()
    assert _label_ink(picture).lightness() > light_ink.lightness() + 40


def test_the_theme_switch_retints_tone_styles_without_the_deprecated_signal(
    app: QApplication, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a later Qt drop QGuiApplication.paletteChanged, the widget events of theme.py's switch still serve."""
    monkeypatch.setenv(SCHEME_ENV, "light")
    theme = apply_theme(app)
    monkeypatch.setattr(widgets, "palette_changed_signal", lambda: None)
    label = QLabel("All seats in use")
    qtbot.addWidget(label)
    set_tone_style(label, Tone.ERROR)
    label.show()
    assert LIGHT_ERROR in label.styleSheet()
    monkeypatch.setenv(SCHEME_ENV, "dark")
    theme.apply()
    assert DARK_ERROR in label.styleSheet()


def test_set_tone_style_without_a_tone_uses_the_plain_sheet_and_stays_plain(app: QApplication, qtbot: Any) -> None:
    label = QLabel("Monitoring")
    qtbot.addWidget(label)
    set_tone_style(label, Tone.OK)
    set_tone_style(label, None, plain="font-weight: bold;")
    app.setPalette(dark_palette())
    assert label.styleSheet() == "font-weight: bold;"


def test_links_take_the_new_link_colour(app: QApplication, qtbot: Any) -> None:
    label = QLabel('<a href="https://jira.example/ENG-1">ENG-1</a> · escalated today')
    qtbot.addWidget(label)
    follow_palette_links(label)
    label.show()
    app.setPalette(dark_palette())
    label.resize(label.sizeHint())
    image = label.grab().toImage()
    link = QColor("#8ab4f8")
    assert any(close(image.pixelColor(x, y), link, 40) for y in range(image.height()) for x in range(image.width())), (
        "the link kept the light palette's colour"
    )
    assert label.text().startswith('<a href="https://jira.example/ENG-1">')


# -- rows that fit their text -----------------------------------------------------------------------------------


@pytest.fixture
def acme(db_path: Path, ctx: Context, fixed_now: datetime) -> dict[str, int]:
    for name, role in [("Maya Support", "support_manager"), ("Dan Director", "senior_director")]:
        t.Person.create(name=name, role=role, email=f"{name.split()[0].lower()}@vendor.example")
    acme = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))
    globex = create_customer(ctx, CustomerInput(name="Globex", time_zone="Europe/Berlin", country="DE"))
    opened = fixed_now - timedelta(hours=2)
    return {
        "ticket": create_ticket(ctx, TicketInput("SUP-1", acme, "Cluster down", Severity.URGENT, opened)),
        "other": create_ticket(ctx, TicketInput("SUP-2", globex, "Same crash", Severity.URGENT, opened)),
    }


LONG = (
    "Engineering reproduced the crash on 448-e.6 with a three-node cluster; a fix is being tested against the "
    "customer's data set and a hotfix build is expected by the end of the week, with a workaround until then."
)


def _heights(view: QTableView) -> list[int]:
    return [view.rowHeight(row) for row in range(view.model().rowCount())]


def test_escalation_timeline_rows_have_one_height_unless_their_text_wraps(
    qtbot: Any, ctx: Context, acme: dict[str, int]
) -> None:
    esc = request_escalation(ctx, acme["ticket"], EscalationInput("customer", "Ana Ruiz", "Down", "Orders stop"))
    add_note(ctx, esc, "Action plan agreed: daily sync with the customer, engineering on the root cause.")
    add_note(ctx, esc, "Bridge open.")
    view = EscalationDetailView(ctx)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show_escalation(esc)
    view.show()
    timeline = view.timeline
    usual = timeline.verticalHeader().defaultSectionSize()
    qtbot.waitUntil(lambda: set(_heights(timeline)) == {usual})  # one-line entries, long or short: one height
    add_note(ctx, esc, LONG)
    view.reload()
    long_row = [entry.text for entry in view.timeline_model.rows()].index(LONG)

    def only_the_long_entry_is_taller() -> None:
        heights = _heights(timeline)
        assert heights[long_row] > usual
        assert set(heights[:long_row] + heights[long_row + 1 :]) == {usual}

    qtbot.waitUntil(only_the_long_entry_is_taller)
    wide = timeline.rowHeight(long_row)
    view.resize(700, 800)  # a narrower window: the entry wraps to more lines and its row grows with it
    qtbot.waitUntil(lambda: timeline.rowHeight(long_row) > wide)


def test_defect_update_text_gets_the_room_and_rows_fit_it(
    qtbot: Any, fixed_now: datetime, acme: dict[str, int]
) -> None:
    ctx = Context(actor="Tess Tam", clock=lambda: fixed_now)
    defect = report_defect(ctx, acme["ticket"], "Crash on restart")
    log_customer_update(ctx, defect, "Told them.")
    log_customer_update(ctx, defect, LONG)
    view = DefectDetailView(ctx)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show_defect(defect)
    view.show()
    updates = view.updates
    assert updates.isColumnHidden(UPDATE_CUSTOMER_COLUMN)  # one customer: every update went to it
    text_column = updates.model().columnCount() - 1
    others = sum(updates.columnWidth(c) for c in range(text_column) if not updates.isColumnHidden(c))
    assert updates.columnWidth(text_column) > others
    usual = updates.verticalHeader().defaultSectionSize()
    qtbot.waitUntil(lambda: sorted(_heights(updates))[0] == usual and max(_heights(updates)) > usual)
    long_row = [u.text for u in view.update_model.rows()].index(LONG)
    assert updates.rowHeight(long_row) >= updates.sizeHintForRow(long_row)
    link_ticket(ctx, defect, acme["other"])
    view.reload()
    assert not updates.isColumnHidden(UPDATE_CUSTOMER_COLUMN)  # two customers: say whom each update went to


def test_fit_rows_to_text_is_idempotent(qtbot: Any, db_path: Path) -> None:
    from tamdesk.views.table_model import Column, RowTableModel

    model = RowTableModel[str]([Column[str]("Text", lambda s: s)])
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    fit_rows_to_text(view)
    fit_rows_to_text(view)
    model.set_rows(["short", LONG])
    view.resize(200, 400)
    view.show()
    qtbot.waitUntil(lambda: view.rowHeight(1) > view.rowHeight(0))
    assert view.wordWrap()
