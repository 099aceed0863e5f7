"""The Seat rules section: the role mailboxes (support@, admin@, …) a portal seat may not go to."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QPlainTextEdit, QPushButton

from tamdesk.domain.mailbox import DEFAULT_ROLE_LOCAL_PARTS, role_local_part_set
from tamdesk.services.base import FieldError
from tamdesk.services.seats import ROLE_SETTING, role_local_parts
from tamdesk.services.settings import set_setting
from tamdesk.views.pages.settings.helpers import setting_version
from tamdesk.views.pages.settings.section import Section

_LOCAL_PART = re.compile(r"^[\w!#$%&'*+/=?^`{|}~.-]+$")


def _parse_parts(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\s]+", text) if part.strip()]


class SeatRulesSection(Section):
    title = "Seat rules"
    intro = (
        "Portal seats go to five distinct people, never to role or distribution mailboxes. An address whose part "
        "before the @ is in this list (at any domain, in any case, with or without a +tag) is refused for a seat."
    )

    def build(self) -> None:
        form = self.form()
        self.parts = QPlainTextEdit()
        self.parts.setTabChangesFocus(True)
        self.parts.setMinimumHeight(self.fontMetrics().height() * 7)
        hint = "Separate them with commas or new lines, e.g. support, admin, info, team, it, noreply."
        self.add_field(form, "role_local_parts", "&Role addresses", self.parts, hint)
        self.add_form(form)
        self.restore_button = QPushButton("Restore &defaults")
        self.restore_button.clicked.connect(self.restore_defaults)
        self.extra_buttons.append(self.restore_button)
        self.track(self.parts.textChanged)

    def restore_defaults(self) -> None:
        """Fill in the built-in list (saved with Save)."""
        self.parts.setPlainText(", ".join(sorted(DEFAULT_ROLE_LOCAL_PARTS)))

    def changed(self, *_: object) -> None:
        self.restore_button.setEnabled(self.values() != role_local_part_set(DEFAULT_ROLE_LOCAL_PARTS))
        super().changed()

    def read(self) -> None:
        self._version = setting_version(ROLE_SETTING)
        self.parts.setPlainText(", ".join(sorted(role_local_parts())))

    def values(self) -> object:
        return role_local_part_set(_parse_parts(self.parts.toPlainText()))

    def write(self) -> None:
        entries = _parse_parts(self.parts.toPlainText())
        bad = [e for e in entries if not _LOCAL_PART.match(e.rstrip("@")) or e.count("@") > 1]
        if bad:
            listed = ", ".join(f"'{e}'" for e in bad[:5])
            raise FieldError("role_local_parts", f"{listed}: enter only the part of an address before the @.")
        if not entries:
            raise FieldError("role_local_parts", "Keep at least one role address, e.g. support.")
        set_setting(self.ctx, ROLE_SETTING, sorted(role_local_part_set(entries)), self._version)
