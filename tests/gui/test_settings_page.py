"""The Settings page as a TAM uses it: edit, save, see the result; errors next to the field; secrets in the keyring."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton

from tamdesk.domain.mailbox import DEFAULT_ROLE_LOCAL_PARTS
from tamdesk.domain.onboarding import AutoRule
from tamdesk.domain.severity import Severity
from tamdesk.domain.states import ClockKind, PersonRole
from tamdesk.models import tables as t
from tamdesk.secrets import SecretStore
from tamdesk.services.base import Context
from tamdesk.services.directory import PersonInput, add_person, escalation_contacts
from tamdesk.services.identity import NameSource, identity, login_name
from tamdesk.services.settings import get_setting, set_setting
from tamdesk.services.sla import policy
from tamdesk.services.templates import default_template
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.settings import (
    CadenceSection,
    EmailSection,
    EscalationSection,
    HoursSection,
    PeopleSection,
    SeatRulesSection,
    SecretsSection,
    SettingsPage,
    SlaSection,
    TemplateSection,
    YouSection,
    target_text,
)
from tamdesk.views.tasks import TaskRunner

PASSWORD = "s3cret-Pa55word!"


@pytest.fixture(autouse=True)
def no_unexpected_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A question box nobody answers would hang the test: fail instead."""

    def unexpected(*args: object) -> None:
        raise AssertionError(f"unexpected question: {args[1:3]}")

    monkeypatch.setattr(QMessageBox, "question", unexpected)


@pytest.fixture
def page(qtbot, db_path: Path, ctx: Context) -> Iterator[SettingsPage]:
    runner = TaskRunner()
    settings = SettingsPage(ctx, runner, secrets=SecretStore())
    qtbot.addWidget(settings)
    settings.resize(1100, 800)
    settings.show()
    settings.refresh()
    yield settings
    runner.wait(5000)


def click(qtbot, button: QPushButton) -> None:
    assert button.isEnabled(), f"{button.text() or button.accessibleName()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_main_window_shows_the_settings_page(window: MainWindow) -> None:
    window.show_page(len(window.pages) - 1)
    assert isinstance(window.current_page(), SettingsPage)
    section_list = window.current_page().section_list
    assert [section_list.item(row).text() for row in range(section_list.count())][-3:] == [
        "Email", "Connections", "Secrets",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("duration", "clock", "text"),
    [
        (timedelta(hours=2), ClockKind.BUSINESS_HOURS, "2 business hours"),
        (timedelta(hours=9), ClockKind.BUSINESS_HOURS, "1 business day"),
        (timedelta(hours=1), ClockKind.TWENTY_FOUR_SEVEN, "1 hour (24×7)"),
        (timedelta(days=2), ClockKind.TWENTY_FOUR_SEVEN, "2 days (24×7)"),
        (timedelta(minutes=90), ClockKind.BUSINESS_HOURS, "1 h 30 min of business time"),
    ],
)
def test_durations_read_the_way_the_policy_says_them(duration: timedelta, clock: ClockKind, text: str) -> None:
    assert target_text(duration, clock) == text


# -- SLA policies


def test_editing_a_target_and_saving_adds_a_revision(qtbot, page: SettingsPage) -> None:
    section = page.show_section(SlaSection)
    assert not section.save_button.isEnabled()
    first_response = section.rows[Severity.HIGH][0]
    assert (first_response.amount.value(), first_response.unit.currentText()) == (2, "business hours")
    first_response.amount.setValue(1)
    assert section.rows[Severity.HIGH][3].text() == "1 business hour; every business day"
    section.note.setText("Contract addendum: Sev2 within 1 hour")
    click(qtbot, section.save_button)
    standard = t.SlaPolicy.get(t.SlaPolicy.name == "Standard")
    assert policy(standard.id).label == "Standard v2"
    assert policy(standard.id).target(Severity.HIGH).first_response == timedelta(hours=1)
    newest = section.history.row_at(0)
    assert (newest.revision, newest.current, newest.note) == (2, True, "Contract addendum: Sev2 within 1 hour")
    assert newest.changes == "Sev2 first response 2 business hours → 1 business hour"
    assert section.history.data(section.history.index(0, 0)) == "v2 (in force)"
    assert "Standard v2" in section.status.text()
    assert not section.save_button.isEnabled()
    assert section.save_button.text() == "Save as revision 3"


def test_save_is_enabled_only_while_something_changed(page: SettingsPage) -> None:
    section = page.show_section(SlaSection)
    clock = section.rows[Severity.NORMAL][2]
    clock.setCurrentIndex(clock.findData(ClockKind.TWENTY_FOUR_SEVEN))
    assert section.save_button.isEnabled()
    assert section.rows[Severity.NORMAL][0].unit.currentText() == "day"
    clock.setCurrentIndex(clock.findData(ClockKind.BUSINESS_HOURS))
    assert not section.save_button.isEnabled()


def test_a_revision_needs_a_note(qtbot, page: SettingsPage) -> None:
    section = page.show_section(SlaSection)
    section.at_risk.setValue(80)
    click(qtbot, section.save_button)
    assert section.messages["note"].isVisible()
    assert "Say what changed" in section.messages["note"].text()
    assert len(section.history.rows()) == 1


def test_a_new_policy_shows_who_uses_it(qtbot, page: SettingsPage, monkeypatch: pytest.MonkeyPatch) -> None:
    section = page.show_section(SlaSection)
    assert "is used by 0 customers" in section.used_by.text()

    def create(dialog: object) -> int:
        dialog.name.setText("Premium")  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]
        return int(dialog.result())  # type: ignore[attr-defined]

    monkeypatch.setattr("tamdesk.views.pages.settings.NameDialog.exec", create)
    click(qtbot, section.new_policy)
    assert section.policy_box.currentText() == "Premium v1"
    assert [section.policy_box.itemText(i) for i in range(section.policy_box.count())] == [
        "Premium v1",
        "Standard v1",
    ]
    section.policy_box.setCurrentIndex(1)  # nothing edited: no question
    assert "Standard v1 is used by 0 customers" in section.used_by.text()


# -- Business hours and holidays


def test_adding_a_custom_closed_day_lists_it(qtbot, page: SettingsPage) -> None:
    section = page.show_section(HoursSection)
    section.country.set_value("DE")
    section.year.setValue(2026)
    assert any(h.name == "Good Friday" for h in section.holiday_model.rows())
    section.new_day.setDate(QDate(2026, 12, 24))
    section.new_day_name.setText("Company shutdown")
    click(qtbot, section.add_day_button)
    row = next(h for h in section.holiday_model.rows() if h.day == date(2026, 12, 24))
    assert (row.name, row.status) == ("Company shutdown", "Closed: custom closed day")
    assert "closed day" in section.messages["holiday"].text()
    click(qtbot, section.clear_button)  # the new day is selected
    assert all(h.day != date(2026, 12, 24) for h in section.holiday_model.rows())


def test_a_national_holiday_can_be_marked_as_worked(qtbot, page: SettingsPage) -> None:
    section = page.show_section(HoursSection)
    section.country.set_value("DE")
    section.year.setValue(2026)
    rows = section.holiday_model.rows()
    section.holiday_view.selectRow(next(i for i, h in enumerate(rows) if h.name == "Good Friday"))
    click(qtbot, section.worked_button)
    good_friday = next(h for h in section.holiday_model.rows() if h.name == "Good Friday")
    assert good_friday.status == "Worked: marked in Settings"
    assert t.CalendarHoliday.get(t.CalendarHoliday.day == date(2026, 4, 3)).removed


def test_a_national_holiday_is_not_added_twice(qtbot, page: SettingsPage) -> None:
    section = page.show_section(HoursSection)
    section.country.set_value("DE")
    section.new_day.setDate(QDate(2026, 4, 3))
    click(qtbot, section.add_day_button)
    assert "already a holiday: Good Friday" in section.messages["holiday"].text()
    assert t.CalendarHoliday.select().count() == 0


def test_weekly_hours_are_saved_and_checked(qtbot, page: SettingsPage) -> None:
    section = page.show_section(HoursSection)
    saturday = section.days[5]
    saturday.open_box.setChecked(True)
    saturday.hours.clear()
    qtbot.keyClicks(saturday.hours, "18:00-10:00")
    click(qtbot, section.save_button)
    assert "Sat opens at 18:00 but closes at 10:00" in section.messages["hours_5"].text()
    saturday.hours.clear()
    qtbot.keyClicks(saturday.hours, "18:00-20:00")
    click(qtbot, section.save_button)
    stored = json.loads(t.BusinessCalendar.select().first().weekly_hours)
    assert stored["5"] == ["18:00", "20:00"]


# -- People directory and escalations


def test_a_bad_email_shows_next_to_the_field(qtbot, page: SettingsPage) -> None:
    section = page.show_section(PeopleSection)
    assert section.save_button.text() == "Add person"
    section.name.setText("Bob Builder")
    section.email.setText("bob@")
    click(qtbot, section.save_button)
    assert section.messages["email"].isVisible()
    assert "'bob@' is not a valid email address" in section.messages["email"].text()
    assert not section.messages["name"].isVisible()
    assert t.Person.select().count() == 0


def test_adding_and_deactivating_a_person(qtbot, page: SettingsPage) -> None:
    section = page.show_section(PeopleSection)
    section.name.setText("Mia Manager")
    section.email.setText("mia@example.com")
    section.role.setCurrentIndex(section.role.findData(PersonRole.SUPPORT_MANAGER))
    click(qtbot, section.save_button)
    assert [(p.name, p.role) for p in section.model.rows()] == [("Mia Manager", PersonRole.SUPPORT_MANAGER)]
    assert section.group.title() == "Edit Mia Manager"
    click(qtbot, section.active_button)
    assert section.model.rows() == []  # people who left are hidden
    section.show_inactive.setChecked(True)
    assert section.model.rows()[0].active is False


def test_tab_moves_through_the_form_in_reading_order(qtbot, page: SettingsPage) -> None:
    section = page.show_section(PeopleSection)
    page.activateWindow()
    qtbot.waitActive(page)
    section.name.setFocus()
    qtbot.keyClick(section.name, Qt.Key.Key_Tab)
    assert section.email.hasFocus()
    qtbot.keyClick(section.email, Qt.Key.Key_Tab)
    assert section.role.hasFocus()


def test_unsaved_edits_survive_a_refresh(page: SettingsPage) -> None:
    section = page.show_section(CadenceSection)
    section.spins[Severity.HIGH].setValue(7)
    page.refresh()
    assert section.spins[Severity.HIGH].value() == 7
    assert section.save_button.isEnabled()


@pytest.mark.parametrize(("answer", "kept"), [("Cancel", True), ("Discard", False)])
def test_leaving_an_edited_person_asks_first(
    qtbot, page: SettingsPage, ctx: Context, monkeypatch: pytest.MonkeyPatch, answer: str, kept: bool
) -> None:
    add_person(ctx, PersonInput("Ann Tam"))
    add_person(ctx, PersonInput("Bob Tam"))
    section = page.show_section(PeopleSection)
    section.load()
    section.table.selectRow(0)
    section.email.setText("ann@example.com")
    asked = []

    def question(*args: object) -> QMessageBox.StandardButton:
        asked.append(args[2])
        return getattr(QMessageBox.StandardButton, answer)

    monkeypatch.setattr(QMessageBox, "question", question)
    section.table.selectRow(1)
    assert asked == ["Discard your unsaved changes in People directory?"]
    assert section.email.text() == ("ann@example.com" if kept else "")
    assert section.name.text() == ("Ann Tam" if kept else "Bob Tam")
    assert section.table.currentIndex().row() == (0 if kept else 1)
    assert section.save_button.isEnabled() is kept


@pytest.mark.parametrize("kind", ["people", "template"])
def test_new_empties_the_form_and_puts_the_cursor_in_its_first_field(
    qtbot, page: SettingsPage, ctx: Context, kind: str
) -> None:
    add_person(ctx, PersonInput("Ann Tam"))
    section: Any = page.show_section(PeopleSection if kind == "people" else TemplateSection)
    section.load()
    page.activateWindow()
    qtbot.waitActive(page)
    section.table.selectRow(0)
    first, button = (section.name, section.new_button) if kind == "people" else (section.step_title, section.add_button)
    assert first.text() != ""
    click(qtbot, button)
    assert first.text() == "" and first.hasFocus()
    assert not section.table.selectionModel().hasSelection()
    assert section.group.title() == ("New person" if kind == "people" else "New step (added at the end)")
    assert not section.save_button.isEnabled()


def test_a_duplicate_name_is_refused(qtbot, page: SettingsPage, ctx: Context) -> None:
    add_person(ctx, PersonInput("Ann Tam"))
    section = page.show_section(PeopleSection)
    section.load()
    click(qtbot, section.new_button)
    section.name.setText("ann tam")
    click(qtbot, section.save_button)
    assert "already in the directory" in section.messages["name"].text()


def test_escalation_contacts_and_vp_days(qtbot, page: SettingsPage, ctx: Context) -> None:
    add_person(ctx, PersonInput("Mia Manager", role=PersonRole.SUPPORT_MANAGER))
    section = page.show_section(EscalationSection)
    section.load()
    section.support_manager.setCurrentIndex(section.support_manager.findData("Mia Manager"))
    section.vp_days.setValue(5)
    click(qtbot, section.save_button)
    assert escalation_contacts().support_manager == "Mia Manager"
    assert get_setting("escalation_vp_after_business_days") == 5
    assert section.vp_days.suffix() == " business days"


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (0, "0 business days is not allowed: the VP is apprised after 1 to 60 business days."),
        (90, "90 business days is not allowed: the VP is apprised after 1 to 60 business days."),
    ],
)
def test_a_vp_limit_out_of_range_is_refused_beside_it_and_nothing_saved(
    qtbot, page: SettingsPage, ctx: Context, days: int, message: str
) -> None:
    add_person(ctx, PersonInput("Mia Manager", role=PersonRole.SUPPORT_MANAGER))
    section = page.show_section(EscalationSection)
    section.load()
    section.support_manager.setCurrentIndex(section.support_manager.findData("Mia Manager"))
    section.vp_days.clear()
    qtbot.keyClicks(section.vp_days, str(days))
    click(qtbot, section.save_button)
    assert section.messages["vp"].text() == message
    assert section.messages["vp"].isVisible()
    assert get_setting("escalation_vp_after_business_days") == 3
    assert escalation_contacts().support_manager is None  # the refusal saved nothing


# -- Onboarding template


def test_template_steps_are_added_and_auto_rule_steps_kept(qtbot, page: SettingsPage) -> None:
    section = page.show_section(TemplateSection)
    assert any("customers created from now on" in label.text() for label in section.findChildren(QLabel))
    section.table.selectRow(3)
    assert section.step_title.text() == "Access form sent"
    assert not section.delete_button.isEnabled()
    assert section.up_button.accessibleName() == "Move step up"
    assert section.rule.currentData() == AutoRule.ACCESS_FORM_SENT
    click(qtbot, section.up_button)
    assert default_template().steps[2].title == "Access form sent"
    click(qtbot, section.add_button)
    section.step_title.setText("Quarterly business review")
    section.offset.setValue(30)
    click(qtbot, section.save_button)
    assert default_template().steps[-1].title == "Quarterly business review"
    assert section.model.rows()[-1].offset_days == 30


def test_reset_to_default_asks_and_restores(qtbot, page: SettingsPage, monkeypatch: pytest.MonkeyPatch) -> None:
    section = page.show_section(TemplateSection)
    section.table.selectRow(0)
    click(qtbot, section.delete_button)
    assert len(section.model.rows()) == 9
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Yes)
    click(qtbot, section.reset_button)
    assert section.model.rows()[0].title == "Kickoff held"
    assert section.status.text() == "The template holds the default steps again."


def test_a_duplicate_step_title_shows_next_to_the_field(qtbot, page: SettingsPage) -> None:
    section = page.show_section(TemplateSection)
    click(qtbot, section.add_button)
    section.step_title.setText("kickoff held")
    click(qtbot, section.save_button)
    assert "already called 'Kickoff held'" in section.messages["title"].text()


# -- Seat rules, defect cadence, you


def test_role_address_list_edit_persists(qtbot, page: SettingsPage, ctx: Context) -> None:
    section = page.show_section(SeatRulesSection)
    assert not section.restore_button.isEnabled()
    section.parts.setPlainText("support, Admin\nteam@ ")
    click(qtbot, section.save_button)
    assert get_setting("role_local_parts") == ["admin", "support", "team"]
    fresh = SettingsPage(ctx, page.runner, secrets=SecretStore())
    qtbot.addWidget(fresh)
    fresh.refresh()
    assert fresh.section(SeatRulesSection).parts.toPlainText() == "admin, support, team"
    click(qtbot, section.restore_button)
    click(qtbot, section.save_button)
    assert set(get_setting("role_local_parts")) == DEFAULT_ROLE_LOCAL_PARTS


def test_a_bad_role_address_is_refused(qtbot, page: SettingsPage) -> None:
    section = page.show_section(SeatRulesSection)
    section.parts.setPlainText("support, help desk@x@y")
    click(qtbot, section.save_button)
    assert "'desk@x@y'" in section.messages["role_local_parts"].text()


def test_defect_cadence_is_saved_per_severity(qtbot, page: SettingsPage) -> None:
    section = page.show_section(CadenceSection)
    assert section.spins[Severity.URGENT].suffix() == " business day"
    section.spins[Severity.LOW].setValue(15)
    click(qtbot, section.save_button)
    assert get_setting("defect_update_cadence_business_days") == {"1": 1, "2": 5, "3": 10, "4": 15}


def test_a_stale_edit_reloads_with_their_value(qtbot, page: SettingsPage, ctx: Context) -> None:
    key = "defect_update_cadence_business_days"
    section = page.show_section(CadenceSection)
    set_setting(ctx, key, {"1": 1, "2": 5, "3": 10, "4": 20})
    section.load()
    set_setting(Context(actor="Other TAM"), key, {"1": 2, "2": 5, "3": 10, "4": 20})  # another TAM saves meanwhile
    section.spins[Severity.LOW].setValue(30)
    click(qtbot, section.save_button)
    assert "changed by someone else" in section.status.text()
    assert section.spins[Severity.URGENT].value() == 2 and section.spins[Severity.LOW].value() == 20
    assert get_setting(key) == {"1": 2, "2": 5, "3": 10, "4": 20}


def test_your_name_applies_at_once_and_is_kept_on_this_computer(qtbot, page: SettingsPage, ctx: Context) -> None:
    section = page.show_section(YouSection)
    assert section.user_name.text() == "" and section.user_name.placeholderText() == login_name()
    section.user_name.setText("  Tess   Tam ")
    click(qtbot, section.save_button)
    assert section.status.text() == "Saved. Changes are now recorded as Tess Tam."
    assert ctx.actor == "Tess Tam"  # every page holds this context: no restart needed
    assert identity().name == "Tess Tam" and identity().source is NameSource.SAVED
    assert get_setting("user_name") is None  # not in the database: a team database is everyone's
    section.user_name.setText("x" * 121)
    click(qtbot, section.save_button)
    assert section.messages["user_name"].text() == "A name can have at most 120 characters (this one has 121)."
    assert ctx.actor == "Tess Tam"
    section.user_name.setText("")
    click(qtbot, section.save_button)
    assert identity().source is NameSource.LOGIN and ctx.actor == identity().name


# -- Email and secrets


def _fill_smtp(section: EmailSection) -> None:
    section.host.setText("mail.example.com")
    section.user.setText("ann@example.com")
    section.password.setText(PASSWORD)
    section.from_address.setText("ann@example.com")
    section.display_name.setText("Ann Tam")


def test_smtp_password_goes_only_to_the_keyring(qtbot, page: SettingsPage, memory_keyring) -> None:
    section = page.show_section(EmailSection)
    _fill_smtp(section)
    click(qtbot, section.save_button)
    assert section.status.text() == "Email settings saved."
    assert memory_keyring.store[("tamdesk", "smtp-password:ann@example.com@mail.example.com")] == PASSWORD
    assert get_setting("smtp")["host"] == "mail.example.com"
    for row in t.Setting.select():
        assert PASSWORD not in row.key and PASSWORD not in row.value
    for entry in t.AuditEntry.select():
        assert PASSWORD not in f"{entry.summary}{entry.before}{entry.after}"
    assert section.password.text() == ""
    assert "is stored in the keyring" in section.password_state.text()
    assert page.show_section(SecretsSection).smtp.text() == "stored for ann@example.com@mail.example.com"


def test_smtp_errors_show_next_to_the_field(qtbot, page: SettingsPage) -> None:
    section = page.show_section(EmailSection)
    _fill_smtp(section)
    section.from_address.setText("not an address")
    click(qtbot, section.save_button)
    assert "is not a valid email address" in section.messages["from_address"].text()
    assert get_setting("smtp") is None


def test_security_choice_moves_the_default_port(page: SettingsPage) -> None:
    section = page.show_section(EmailSection)
    assert section.port.value() == 587
    section.security.setCurrentIndex(1)  # SSL/TLS
    assert section.port.value() == 465


def test_test_email_to_an_unreachable_server_says_why(qtbot, page: SettingsPage) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    section = page.show_section(EmailSection)
    section.host.setText("127.0.0.1")
    section.port.setValue(port)
    section.security.setCurrentIndex(2)  # none
    section.port.setValue(port)
    section.from_address.setText("ann@example.com")
    click(qtbot, section.test_button)
    qtbot.waitUntil(lambda: section.messages["to"].isVisible(), timeout=10000)
    assert section.messages["to"].tone.value == "error"
    assert f"127.0.0.1:{port}" in section.messages["to"].text()
    assert section.test_button.isEnabled()


def test_secrets_section_names_the_keyring(page: SettingsPage) -> None:
    section = page.show_section(SecretsSection)
    assert "MemoryKeyring" in section.backend.text() or "conftest" in section.backend.text()
    assert section.notice.tone.value == "ok"
    assert section.smtp.text() == "not needed (no SMTP login set up)"


def test_a_compliance_goal_is_saved_without_a_revision(qtbot, page: SettingsPage) -> None:
    from tamdesk.services.sla import compliance_goals, list_policies

    section = page.show_section(SlaSection)
    assert section.goal.value() == 95  # the default
    section.goal.setValue(101)  # typed beyond the range: the field keeps to 1–100
    assert section.goal.value() == 100
    section.goal.setValue(90)
    assert section.save_button.isEnabled()
    click(qtbot, section.save_button)
    assert not section.messages["note"].isVisible()  # a goal is not a revision of the targets
    standard = next(p for p in list_policies() if p.name == "Standard")
    assert compliance_goals() == {standard.id: 0.9}
    assert len(section.history.rows()) == 1
    assert "Compliance goal of Standard set to 90%" in section.status.text()
    assert not section.save_button.isEnabled()
