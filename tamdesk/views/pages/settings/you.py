"""The You section: the user's name as history records it, kept on this computer (services.identity)."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from tamdesk.services.base import DomainError, FieldError
from tamdesk.services.identity import NameSource, account_full_name, check_name, identity, login_name, save_name
from tamdesk.views.pages.settings.section import Section


def fallback_text() -> str:
    """What an empty name stands for: the computer account's full name, else the login name."""
    account = account_full_name()
    return f"your computer account's name ({account})" if account else f"your login name ({login_name()})"


class YouSection(Section):
    title = "You"
    intro = (
        "Your name as it appears in history and in Today's “My customers”: every change you make is recorded with "
        "it, in the app and in the tamdesk commands. It is kept on this computer, not in the database."
    )

    def build(self) -> None:
        form = self.form()
        self.user_name = QLineEdit()
        self.user_name.setPlaceholderText(account_full_name() or login_name())
        self.add_field(form, "user_name", "Your &name", self.user_name,
                       f"Leave empty to use {fallback_text()}. Write it as the people directory lists you as TAM; "
                       "a change applies at once.")  # fmt: skip
        self.add_form(form)
        self.track(self.user_name.textChanged)

    def read(self) -> None:
        me = identity()
        self.user_name.setText(me.name if me.source is NameSource.SAVED else "")

    def values(self) -> object:
        return " ".join(self.user_name.text().split())

    def write(self) -> None:
        try:
            check_name(self.user_name.text())
            me = save_name(self.user_name.text())
        except ValueError as exc:
            raise FieldError("user_name", str(exc)) from None
        except OSError as exc:
            raise DomainError(f"Your name could not be saved on this computer: {exc.strerror or exc}.") from None
        self.ctx.rename(me.name)
        self.saved_text = f"Saved. Changes are now recorded as {me.name}."
