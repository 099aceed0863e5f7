"""A page whose screen is still to be built: it says so plainly and shows what the database holds."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QVBoxLayout, QWidget

from tamdesk.services.overview import DatabaseCounts, database_counts
from tamdesk.views.pages.base import EmptyState, Page


class PendingPage(Page):
    """Honest empty state: real counts from the database, no fake rows."""

    sample_data_requested = Signal()

    def __init__(
        self,
        title: str,
        icon: QIcon,
        purpose: str,
        describe: Callable[[DatabaseCounts], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = title
        self._purpose = purpose
        self._describe = describe
        self.empty_state = EmptyState(icon, title, purpose, "Load sample data…")
        self.empty_state.action_clicked.connect(self.sample_data_requested)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_state)

    def refresh(self) -> None:
        counts = database_counts()
        if counts.empty:
            heading = f"No {self.title.lower()} yet"
            text = (
                f"{self._purpose}\n\nThis database is empty. Load sample data to explore tamdesk, "
                "or start with your own customers."
            )
        else:
            heading = self.title
            text = f"{self._describe(counts)}\n\n{self._purpose}"
        self.empty_state.set_text(heading, text)
        self.empty_state.button.setVisible(counts.empty)
