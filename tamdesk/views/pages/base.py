"""What every navigation page is, and the honest empty state of pages still to come."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from tamdesk.views import icons
from tamdesk.views.widgets import IconLabel, IconSource


class Page(QWidget):
    """A navigation page; ``refresh`` reloads it from the database (after a switch, import or demo load)."""

    title = ""
    new_item_text = ""  # what File › New… (Ctrl+N) makes on this page, e.g. "New customer…"; "" for nothing

    def refresh(self) -> None:
        """Reload from the database; pages with data override this."""

    def new_item(self) -> None:
        """Start a new item of this page (File › New…, Ctrl+N); pages with ``new_item_text`` override this."""


def muted(icon: QIcon) -> IconSource:
    """``icon`` in the colour of hint text (a large icon in full text colour would outshout the heading).

    An icon of tamdesk's set is drawn in the palette's placeholder-text colour of the moment; any other icon keeps
    its own colours.
    """
    name = icon.name()
    if name not in icons.ICON_NAMES or name == "tamdesk":
        return icon
    return lambda: icons.icon(name, QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText))


class EmptyState(QWidget):
    """A centred icon, heading, explanation and an optional action button.

    The icon is kept, not baked into a pixmap: it is drawn again in the new colours after a light/dark switch and
    sharp on a screen with another pixel ratio.
    """

    action_clicked = Signal()
    ICON_SIDE = 64

    def __init__(self, icon: QIcon, heading: str, text: str, action: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        self.picture = picture = IconLabel(muted(icon), self.ICON_SIDE)
        self.heading = QLabel(heading)
        self.heading.setObjectName("emptyHeading")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.heading.setFont(font)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (picture, self.heading, self.text):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        self.button = QPushButton(action)
        self.button.setVisible(bool(action))
        self.button.clicked.connect(self.action_clicked)
        layout.addSpacing(12)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
        self.set_text(heading, text)

    def icon(self) -> QIcon:
        """The icon shown above the heading."""
        return self.picture.icon()

    def set_icon(self, icon: QIcon) -> None:
        """Show ``icon`` above the heading."""
        self.picture.set_icon(muted(icon))

    def set_text(self, heading: str, text: str, width: int = 520) -> None:
        """Set both texts; the explanation wraps at ``width`` and is never cut off (a wrapping QLabel in a
        centred layout otherwise gets the height of one line)."""
        self.heading.setText(heading)
        self.text.setText(text)
        self.text.setFixedWidth(width)
        height = self.text.heightForWidth(width)
        self.text.setMinimumHeight(max(height, 0))
