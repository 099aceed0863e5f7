"""The "Also known as" field of the customer dialog, and the names on the customer's overview."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, add_alias, create_customer, get_customer, list_customers
from tamdesk.views.customer_dialog import CustomerDialog
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.widgets import Tone


@pytest.fixture
def page(qtbot, db_path: Path, ctx: Context) -> CustomersPage:
    widget = CustomersPage(ctx, TaskRunner())
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    widget.refresh()
    return widget


def _save(qtbot, dialog: CustomerDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)


def test_typed_aliases_are_saved_and_shown_on_the_overview(
    page: CustomersPage, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fill(dialog: CustomerDialog) -> int:
        assert dialog.aliases.placeholderText() and dialog.aliases_note.isVisibleTo(dialog)
        qtbot.keyClicks(dialog.name, "Acme Analytics")
        dialog.time_zone.set_value("Europe/Berlin")
        qtbot.keyClicks(dialog.aliases, "Acme, Inc.; ACME GmbH;  ; acme analytics")
        _save(qtbot, dialog)
        return dialog.result()

    monkeypatch.setattr(CustomerDialog, "exec", fill)
    qtbot.mouseClick(page.empty.button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.detail
    shown = page.detail.overview.values["aliases"]
    assert shown.text() == "Acme, Inc.; ACME GmbH"
    assert shown.isVisible()

    def edit(dialog: CustomerDialog) -> int:
        assert dialog.aliases.text() == "Acme, Inc.; ACME GmbH"
        dialog.aliases.clear()
        qtbot.keyClicks(dialog.aliases, "ACME GmbH")
        _save(qtbot, dialog)
        return dialog.result()

    monkeypatch.setattr(CustomerDialog, "exec", edit)
    qtbot.mouseClick(page.detail.edit_button, Qt.MouseButton.LeftButton)
    assert shown.text() == "ACME GmbH"


def test_an_alias_of_another_customer_is_shown_beside_the_field(qtbot, db_path: Path, ctx: Context) -> None:
    create_customer(ctx, CustomerInput(name="Globex", aliases=["Globex Corp"]))
    dialog = CustomerDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "Initech")
    qtbot.keyClicks(dialog.aliases, "Initech Software; globex corp.")
    _save(qtbot, dialog)
    assert dialog.isVisible()
    message = dialog.messages["aliases"]
    assert message.text() == "'globex corp.' is already a name of Globex."
    assert message.isVisible() and message.tone is Tone.ERROR
    assert dialog.focusWidget() is dialog.aliases
    assert [r.name for r in list_customers(date(2026, 3, 10))] == ["Globex"]
    qtbot.keyClicks(dialog.aliases, "x")
    assert not message.isVisible()  # typing clears the field's message


def test_the_list_finds_a_customer_by_an_alias_and_its_tooltip_names_them(
    page: CustomersPage, ctx: Context, qtbot
) -> None:
    create_customer(ctx, CustomerInput(name="Acme Analytics", aliases="Initrode Holdings"))
    create_customer(ctx, CustomerInput(name="Globex"))
    page.refresh()
    qtbot.keyClicks(page.search, "initrode")
    model = page.table.model()
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    assert model.data(model.index(0, 0)) == "Acme Analytics — also known as Initrode Holdings"
    tooltip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert tooltip.endswith("\nAlso known as Initrode Holdings")
    page.search.setText("acme")
    qtbot.waitUntil(lambda: model.data(model.index(0, 0)) == "Acme Analytics")  # found by its own name


def test_a_stale_edit_shows_their_aliases_beside_yours(
    qtbot, db_path: Path, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    acme = create_customer(ctx, CustomerInput(name="Acme Analytics", aliases="Acme Inc"))
    dialog = CustomerDialog(ctx, get_customer(acme))
    qtbot.addWidget(dialog)
    dialog.show()
    add_alias(ctx, acme, "ACME GmbH")  # a ticket import learns a name meanwhile
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.informativeText()) or 0)
    qtbot.keyClicks(dialog.aliases, "; Acme Labs")
    _save(qtbot, dialog)
    assert dialog.isVisible()
    assert "<b>Also known as</b></td><td>Acme Inc; ACME GmbH</td><td>Acme Inc; Acme Labs</td>" in shown[0]
    assert get_customer(acme).aliases == ("Acme Inc", "ACME GmbH")
