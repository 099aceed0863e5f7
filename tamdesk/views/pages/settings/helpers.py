"""What the settings sections share: field widths, hint labels, day-count suffixes, a stored setting's version."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSpinBox

from tamdesk.models import tables as t

SPIN_WIDTH = 280


def days_suffix(spin: QSpinBox) -> None:
    """Keep a "business days" suffix grammatical as the value changes."""
    spin.setSuffix(" business day" if spin.value() == 1 else " business days")


def text_label(text: str, *, hint: bool = False) -> QLabel:
    """A selectable, wrapping label; a ``hint`` is smaller and in the placeholder colour."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if hint:
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        label.setFont(font)
        label.setStyleSheet("color: palette(placeholder-text);")
    return label


def setting_version(key: str) -> int | None:
    """The stored version of setting ``key`` (None when never saved), read straight from the table."""
    row = t.Setting.get_or_none(t.Setting.key == key)
    return None if row is None else int(row.version)
