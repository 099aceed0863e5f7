"""Settings › Connections and the background sync, as a TAM uses them: add a Jira Service Management connection
(against the loopback site of tests/sync/fake_jsm.py), test it, sync now, read the status bar; a bad address is
refused beside its field; an unreachable service is said in the status bar, never in a dialog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.settings import ConnectionsSection, SettingsPage
from tests.sync.fake_jsm import EMAIL, TOKEN, JsmSite, fake_jsm, jsm_issue
from tests.sync.loopback import Reply, loopback

NOW = datetime.now(UTC).replace(microsecond=0)


def click(qtbot, button: QPushButton) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def section(window: MainWindow) -> ConnectionsSection:
    window.show_page(len(window.pages) - 1)
    page = window.current_page()
    assert isinstance(page, SettingsPage)
    return page.show_section(ConnectionsSection)


def fill(qtbot, found: ConnectionsSection, url: str) -> None:
    qtbot.keyClicks(found.name, "Acme JSM")
    found.kind.setCurrentIndex(found.kind.findText("Jira Service Management"))
    qtbot.keyClicks(found.url, url)
    qtbot.keyClicks(found.user, EMAIL)
    qtbot.keyClicks(found.secret, TOKEN)


@pytest.fixture
def acme(window: MainWindow) -> MainWindow:
    create_customer(Context(), CustomerInput("Acme Analytics", time_zone="Europe/Berlin", country="DE"))
    return window


def test_add_test_and_sync_a_connection(qtbot, acme: MainWindow) -> None:
    site = JsmSite(issues=[
        jsm_issue("SUP-1", created=NOW - timedelta(hours=3), updated=NOW - timedelta(hours=1)),
        jsm_issue("SUP-2", created=NOW - timedelta(hours=3), updated=NOW - timedelta(minutes=50),
                  organization="Initech Corp", reporter_email="bo@initech.example"),
    ])  # fmt: skip
    found = section(acme)
    assert found.save_button.text() == "Add connection" and not found.test_button.isEnabled()
    with loopback(fake_jsm(site)) as live:
        fill(qtbot, found, live.url)
        click(qtbot, found.save_button)
        assert found.status.text() == "Connection added. Test it, then sync."
        assert [r.name for r in found.model.rows()] == ["Acme JSM"] and found.secret.text() == ""
        assert TOKEN not in str(list(t.Connection.select().dicts()))
        click(qtbot, found.test_button)
        qtbot.waitUntil(lambda: found.status.text().startswith("Signed in"), timeout=10000)
        assert found.status.text() == f"Signed in to Jira Service Management (Acme JSM) as Ann Agent <{EMAIL}>."
        click(qtbot, found.sync_button)
        qtbot.waitUntil(lambda: not acme.sync.running() and "created" in found.status.text(), timeout=30000)
    assert found.status.text() == (
        "Acme JSM: 1 created, 0 updated, 0 unchanged, 0 events added; 1 held until their customer or values are known."
    )
    assert acme.sync.label.isVisible() and acme.sync.label.text() == "Acme JSM: last synced just now"
    assert [tk.number for tk in t.Ticket.select()] == ["SUP-1"]
    assert found.model.data(found.model.index(0, 3)) == "last synced just now"
    assert found.model.data(found.model.index(0, 4)) == "1"
    assert found.held.isVisible()
    assert found.held.text().endswith("Organization 'Initech Corp' matches no customer: SUP-2")


def test_a_bad_address_is_refused_beside_its_field(qtbot, acme: MainWindow) -> None:
    found = section(acme)
    fill(qtbot, found, "acme.atlassian.net")
    click(qtbot, found.save_button)
    assert found.messages["base_url"].isVisible()
    assert "not 'acme.atlassian.net'" in found.messages["base_url"].text()
    assert t.Connection.select().count() == 0


def test_an_unreachable_service_is_said_in_the_status_bar(qtbot, acme: MainWindow) -> None:
    site = JsmSite(issues=[])
    site.faults["/rest/api/3/search/jql"] = [Reply(503, {"errorMessages": ["Down for maintenance"]})] * 8
    found = section(acme)
    with loopback(fake_jsm(site)) as live:
        fill(qtbot, found, live.url)
        click(qtbot, found.save_button)
        acme.sync.run_now()
        qtbot.waitUntil(lambda: not acme.sync.running(), timeout=30000)
    assert acme.sync.label.text() == "Acme JSM: never synced — unavailable"
    assert acme.sync.label.toolTip() == "Click to sync now"
