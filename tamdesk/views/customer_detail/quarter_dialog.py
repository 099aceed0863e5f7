"""Which quarter a customer's quarterly business review covers: the current one by default, earlier ones offered."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from tamdesk.domain.quarters import Quarter, recent_quarters

QUARTERS_OFFERED = 8


class QuarterDialog(QDialog):
    """A quarter chooser: this quarter (partial, so far) and the seven before it, newest first."""

    def __init__(self, customer: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Quarterly review")
        self.quarters = recent_quarters(today, QUARTERS_OFFERED)
        self.quarter_box = QComboBox()
        self.quarter_box.setAccessibleName("Quarter")
        for index, quarter in enumerate(self.quarters):
            last = min(today, quarter.last_day) if index == 0 else quarter.last_day
            so_far = " so far" if last < quarter.last_day else ""
            days = f"{quarter.start.day} {quarter.start:%b} – {last.day} {last:%b %Y}{so_far}"
            self.quarter_box.addItem(f"{quarter.label} ({days})", quarter.code)
        intro = QLabel(
            f"The quarterly business review of {customer}: customer-facing sheets first, then sheets marked "
            "internal (health, ARR, notes) to remove before sending."
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Quarter", self.quarter_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export…")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    @property
    def quarter(self) -> Quarter:
        return self.quarters[self.quarter_box.currentIndex()]


def ask_quarter(parent: QWidget, customer: str, today: date) -> Quarter | None:
    """The quarter the user chose, or None when cancelled."""
    dialog = QuarterDialog(customer, today, parent)
    return dialog.quarter if dialog.exec() == QDialog.DialogCode.Accepted else None
