"""The You section: the user's name as history records it."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from tamdesk.services.base import FieldError, default_actor
from tamdesk.services.settings import get_setting, set_setting
from tamdesk.views.pages.settings.helpers import setting_version
from tamdesk.views.pages.settings.section import Section

USER_NAME_SETTING = "user_name"


class YouSection(Section):
    title = "You"
    intro = "Your name as it appears in history: every change you make is recorded with it."

    def build(self) -> None:
        form = self.form()
        self.user_name = QLineEdit()
        self.user_name.setPlaceholderText(default_actor())
        self.add_field(form, "user_name", "Your &name", self.user_name,
                       f"Leave empty to use your computer user name ({default_actor()}). "
                       "A change applies from the next start of tamdesk.")  # fmt: skip
        self.add_form(form)
        self.track(self.user_name.textChanged)

    def read(self) -> None:
        self._version = setting_version(USER_NAME_SETTING)
        self.user_name.setText(str(get_setting(USER_NAME_SETTING, "") or ""))

    def values(self) -> object:
        return " ".join(self.user_name.text().split())

    def write(self) -> None:
        name = str(self.values())
        if len(name) > 120:
            raise FieldError("user_name", f"A name can have at most 120 characters (this one has {len(name)}).")
        set_setting(self.ctx, USER_NAME_SETTING, name, self._version)
