"""The Settings page: the sections listed on the left, the chosen one on the right."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QListWidget, QListWidgetItem, QScrollArea, QStackedWidget, QWidget

from tamdesk.models import database_label
from tamdesk.secrets import SecretStore
from tamdesk.services.base import Context
from tamdesk.views.pages.base import Page
from tamdesk.views.pages.settings.cadence import CadenceSection
from tamdesk.views.pages.settings.connections import ConnectionsSection
from tamdesk.views.pages.settings.escalations import EscalationSection
from tamdesk.views.pages.settings.health import HealthSection
from tamdesk.views.pages.settings.hours import HoursSection
from tamdesk.views.pages.settings.people import PeopleSection
from tamdesk.views.pages.settings.seat_rules import SeatRulesSection
from tamdesk.views.pages.settings.section import Section
from tamdesk.views.pages.settings.sla_policies import SlaSection
from tamdesk.views.pages.settings.smtp import EmailSection, SecretsSection
from tamdesk.views.pages.settings.template import TemplateSection
from tamdesk.views.pages.settings.you import YouSection
from tamdesk.views.session import shared_secrets
from tamdesk.views.tasks import TaskRunner

SECTIONS: tuple[type[Section], ...] = (
    YouSection,
    PeopleSection,
    EscalationSection,
    SlaSection,
    HoursSection,
    TemplateSection,
    SeatRulesSection,
    CadenceSection,
    HealthSection,
    EmailSection,
    ConnectionsSection,
    SecretsSection,
)


# The look of the main window's navigation, one level in: rounded selection, on the window's colour.
SECTION_LIST_STYLE = """
QListWidget { padding: 8px 6px; background: palette(window); border-right: 1px solid palette(mid); }
QListWidget::item { padding: 2px 8px; margin: 1px 2px; border-radius: 5px; }
QListWidget::item:selected { background: palette(highlight); color: palette(highlighted-text); }
QListWidget::item:hover:!selected { background: palette(alternate-base); }
"""


class SettingsPage(Page):
    """Sections listed on the left, the chosen one on the right; each saves on its own."""

    title = "Settings"
    sample_data_requested = Signal()

    def __init__(
        self, ctx: Context, runner: TaskRunner, secrets: SecretStore | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self._secrets = secrets
        self._database: str | None = None
        self.section_list = QListWidget()
        self.section_list.setAccessibleName("Settings sections")
        self.section_list.setFixedWidth(210)
        self.section_list.setFrameShape(QFrame.Shape.NoFrame)
        self.section_list.setStyleSheet(SECTION_LIST_STYLE)
        self.stack = QStackedWidget()
        self.sections = [cls(self) for cls in SECTIONS]
        for section in self.sections:
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(section)
            self.stack.addWidget(scroll)
            item = QListWidgetItem(section.title)
            item.setSizeHint(QSize(0, 32))
            self.section_list.addItem(item)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.section_list)
        layout.addWidget(self.stack, 1)
        self.section_list.currentRowChanged.connect(self._show_row)
        self.section_list.setCurrentRow(0)

    def _show_row(self, row: int) -> None:
        """Show a section, fresh from the database unless it holds unsaved edits."""
        self.stack.setCurrentIndex(row)
        section = self.sections[row]
        if section.loaded and not section.dirty:
            section.load()

    @property
    def secrets(self) -> SecretStore:
        """The keyring wrapper: the one handed in, else the app session's, taken on first use."""
        if self._secrets is None:
            self._secrets = shared_secrets()
        return self._secrets

    def refresh(self) -> None:
        """Reload every section without unsaved edits (all of them after a database switch)."""
        label = database_label()
        switched = label != self._database
        self._database = label
        for section in self.sections:
            if switched or not section.dirty:
                section.load()

    def section(self, kind: type[Section]) -> Any:
        """The section of class ``kind``."""
        return next(s for s in self.sections if isinstance(s, kind))

    def show_section(self, kind: type[Section]) -> Any:
        """Bring the section of class ``kind`` to the front and return it."""
        found = self.section(kind)
        self.section_list.setCurrentRow(self.sections.index(found))
        return found
