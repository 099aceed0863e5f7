"""The first start asks the user's name once, offering the computer account's (views.name_dialog)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from tamdesk.services import identity
from tamdesk.services.identity import NameSource
from tamdesk.views.name_dialog import NameDialog, ask_name_once


def test_continue_saves_the_offered_name_and_it_is_not_asked_again(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "_system_full_name", lambda: "Tess Tam")
    shown: list[NameDialog] = []

    def answer(dialog: NameDialog) -> int:
        shown.append(dialog)
        assert dialog.name.text() == "Tess Tam"  # the account's full name, offered
        dialog.name.setText("Tessa Tam")
        qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(NameDialog, "exec", answer)
    assert ask_name_once() == "Tessa Tam"
    assert ask_name_once() == "Tessa Tam" and len(shown) == 1
    assert identity.identity().source is NameSource.SAVED


def test_later_keeps_the_account_name_and_does_not_ask_again(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "_system_full_name", lambda: "Tess Tam")
    shown: list[NameDialog] = []

    def later(dialog: NameDialog) -> int:
        shown.append(dialog)
        qtbot.mouseClick(dialog.later_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(NameDialog, "exec", later)
    assert ask_name_once() == "Tess Tam"
    assert ask_name_once() == "Tess Tam" and len(shown) == 1
    me = identity.identity()
    assert (me.source, me.asked) == (NameSource.ACCOUNT, True)


def test_a_bad_name_is_said_beside_the_field_without_moving_the_buttons(qtbot) -> None:
    dialog = NameDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = dialog.continue_button.mapTo(dialog, dialog.continue_button.rect().topLeft())
    size = dialog.size()
    dialog.name.setText("")
    qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Type your name, or choose Later to use your computer's."
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert dialog.continue_button.mapTo(dialog, dialog.continue_button.rect().topLeft()) == before
    assert dialog.size() == size
    assert not identity.identity_file().exists()
