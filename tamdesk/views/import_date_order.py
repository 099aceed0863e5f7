"""The Import… dialog's Dates row: how the file writes its dates, or the question when they read both ways.

A file whose numeric dates all have a day of 12 or less is never guessed (DESIGN §7, issue 11): the row asks, with
the file's own first such date read both ways (“03/04/2026” = 3 April 2026 or March 4, 2026?). The row keeps its
height whether it says or asks, so nothing below it moves.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QRadioButton, QSizePolicy, QStackedWidget, QWidget

from tamdesk.domain.export_dates import DateOrder
from tamdesk.services.ticket_import import ImportPreview
from tamdesk.views.ticket_import_mapping import FileHead, first_numeric_date, read_both_ways
from tamdesk.views.widgets import Tone, set_tone_style

SAID, ASKED = 0, 1


class DateOrderRow(QStackedWidget):
    """What the dates are, or the question; ``order_chosen`` fires when the user answers."""

    order_chosen = Signal(object)  # DateOrder

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel("—")
        self.text.setStyleSheet("color: palette(placeholder-text);")
        question = QWidget()
        row = QHBoxLayout(question)
        row.setContentsMargins(0, 0, 0, 0)
        self.question = QLabel()
        self.day_first = QRadioButton("Day first (D/M/Y)")
        self.month_first = QRadioButton("Month first (M/D/Y)")
        self.group = QButtonGroup(self)
        self.group.addButton(self.day_first)
        self.group.addButton(self.month_first)
        self.group.buttonToggled.connect(self._toggled)
        row.addWidget(self.question)
        row.addWidget(self.day_first)
        row.addWidget(self.month_first)
        row.addStretch(1)
        self.addWidget(self.text)
        self.addWidget(question)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(max(question.sizeHint().height(), self.text.sizeHint().height()))

    def chosen(self) -> DateOrder | None:
        if self.day_first.isChecked():
            return DateOrder.DMY
        return DateOrder.MDY if self.month_first.isChecked() else None

    def _toggled(self, _: object, on: bool) -> None:
        if on:
            self.order_chosen.emit(self.chosen())

    def reset(self) -> None:
        """Nothing said, nothing chosen (another file)."""
        self.group.setExclusive(False)
        self.day_first.setChecked(False)
        self.month_first.setChecked(False)
        self.group.setExclusive(True)
        self.text.setText("—")
        self.setCurrentIndex(SAID)

    def show_preview(self, preview: ImportPreview, head: FileHead | None) -> None:
        """Say how ``preview``'s dates are written, or ask (and keep asking once answered, to allow a change)."""
        if not preview.date_columns:
            self.text.setText("—")
            self.setCurrentIndex(SAID)
            return
        if preview.date_order_ambiguous or self.chosen() is not None:
            example = first_numeric_date(head, preview.date_columns).split(" ")[0] if head else ""
            day, month = read_both_ways(example)
            self.question.setText(f"<b>“{example}” = {day} or {month}?</b>" if example else
                                  "<b>Day or month first?</b>")  # fmt: skip
            self.day_first.setToolTip(f"{example} is {day}" if example else "")
            self.month_first.setToolTip(f"{example} is {month}" if example else "")
            set_tone_style(self.question, None if self.chosen() else Tone.WARNING)
            self.setCurrentIndex(ASKED)
            return
        columns = ", ".join(preview.date_columns)
        if preview.date_order is DateOrder.DMY:
            self.text.setText(f"Day first (D/M/Y), as the file writes them ({columns}).")
        elif preview.date_order is DateOrder.MDY:
            self.text.setText(f"Month first (M/D/Y), as the file writes them ({columns}).")
        else:
            self.text.setText(f"ISO or month-name dates, nothing to choose ({columns}).")
        self.setCurrentIndex(SAID)
