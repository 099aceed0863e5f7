"""The first start's one question: the user's name, as history will record it (services.identity)."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from tamdesk.services.identity import NameSource, account_full_name, check_name, identity, save_name
from tamdesk.views.widgets import FieldMessage, Tone, reserve_space

log = logging.getLogger(__name__)


class NameDialog(QDialog):
    """Asks for the user's name, offering the computer account's; Later keeps that one and does not ask again."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to tamdesk")
        self.saved = ""
        intro = QLabel(
            "What is your name? tamdesk records every change you make with it (“Done by …”, history), and Today "
            "shows the customers whose TAM has this name. Write it as your team's people directory lists you."
        )
        intro.setWordWrap(True)
        self.name = QLineEdit(account_full_name())
        self.name.setAccessibleName("Your name")
        self.name.setPlaceholderText("Your full name")
        self.message = reserve_space(FieldMessage(), 2)  # the buttons stay put when a message appears
        self.buttons = QDialogButtonBox()
        self.continue_button = self.buttons.addButton("Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        self.later_button = self.buttons.addButton("Later", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.name)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def accept(self) -> None:
        try:
            name = check_name(self.name.text())
        except ValueError as exc:
            self.message.show_message(Tone.ERROR, str(exc))
            self.name.setFocus()
            return
        if not name:
            self.message.show_message(Tone.ERROR, "Type your name, or choose Later to use your computer's.")
            self.name.setFocus()
            return
        if self._save(name):
            self.saved = name
            super().accept()

    def reject(self) -> None:
        self._save("")  # asked once: Later is an answer too
        super().reject()

    def _save(self, name: str) -> bool:
        try:
            save_name(name, asked=True)
        except OSError as exc:
            log.warning("Cannot save the user's name: %s", exc)
            self.message.show_message(Tone.ERROR, f"Your name could not be saved on this computer: {exc}.")
            return False
        return True


def ask_name_once(parent: QWidget | None = None) -> str:
    """At a first start (no name saved, never asked), ask for the user's name; returns the name to record."""
    me = identity()
    if me.asked or me.source is NameSource.SAVED:
        return me.name
    NameDialog(parent).exec()
    return identity().name
