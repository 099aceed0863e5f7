"""Look at every dialog: each one the geometry test opens (tests/gui/test_dialog_geometry.py), as it opens and with
the message its user steps bring up, in the light and the dark scheme, saved as PNGs to read by eye.

    bash scripts/dialog_shots.sh --out /tmp/dialogs --screen 1024x700     # a virtual screen of that size
    bash scripts/dialog_shots.sh --out /tmp/dialogs --screen 1920x1080

Each dialog is grabbed on its own (``NAME-light.png``, ``NAME-light-message.png``, ``NAME-dark.png``, …); an index
file lists every shot with the dialog's size, so one too large for the screen stands out.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


class Bot:
    """The few pytest-qt calls the geometry test's user steps make, done with QTest."""

    def __init__(self) -> None:
        from PySide6.QtTest import QTest

        self._test = QTest

    def wait(self, ms: int) -> None:
        self._test.qWait(ms)

    def keyClicks(self, widget: Any, text: str) -> None:
        self._test.keyClicks(widget, text)

    def mouseClick(self, widget: Any, button: Any, *args: Any, **kwargs: Any) -> None:
        self._test.mouseClick(widget, button, *args, **kwargs)

    def addWidget(self, widget: Any) -> None:
        pass

    def waitExposed(self, widget: Any) -> None:
        self._test.qWaitForWindowExposed(widget)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNGs")
    parser.add_argument("--screen", default="", help="the screen's size, as the virtual screen was started")
    parser.add_argument("--only", default="", help="only the dialogs whose name holds this text")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    home = Path(tempfile.mkdtemp(prefix="tamdesk-dialog-shots-"))
    os.environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"))
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

    from PySide6.QtCore import QCoreApplication

    from tamdesk.app import make_application
    from tamdesk.services.base import Context
    from tamdesk.services.database import close_database, open_database
    from tamdesk.views.theme import SCHEME_ENV, apply_theme
    from tests.gui.test_dialog_geometry import CASES, make_world

    app = make_application([sys.argv[0]])
    QCoreApplication.setApplicationName("tamdesk-dialog-shots")
    bot = Bot()
    lines = [f"screen {app.primaryScreen().availableGeometry().size().toTuple()} platform {app.platformName()}"]
    for scheme in ("light", "dark"):
        os.environ[SCHEME_ENV] = scheme
        apply_theme(app).apply()
        for case in CASES:
            if args.only and args.only not in case.name:
                continue
            db = home / f"{scheme}-{slug(case.name)}.db"
            open_database(db, create=True)
            ctx = Context(actor="Tess Tam", clock=lambda: NOW)
            world = make_world(ctx, NOW, db)
            dialog = case.make(world)
            dialog.show()
            bot.waitExposed(dialog)
            bot.wait(150)
            name = f"{slug(case.name)}-{scheme}"
            dialog.grab().save(str(out / f"{name}.png"))
            lines.append(f"{name}.png {dialog.size().toTuple()}")
            if case.provoke is not None:
                case.provoke(dialog, bot)
                bot.wait(150)
                dialog.grab().save(str(out / f"{name}-message.png"))
                lines.append(f"{name}-message.png {dialog.size().toTuple()}")
            dialog.close()
            dialog.deleteLater()
            bot.wait(20)
            close_database()
    (out / "index.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
