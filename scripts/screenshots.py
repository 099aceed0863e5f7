"""Regenerate the README screenshots: sample data with a fixed seed, every page and a few details, light and dark.

Run it through ``scripts/screenshots.sh`` (which starts Xvfb when it can); on its own it uses whatever Qt platform
is set (``QT_QPA_PLATFORM=offscreen`` works too). The database, settings and logs live in a temporary folder, so
your own data is never touched. A page that is still a placeholder is captured as it is; a page without a table
simply gets no detail shot.

    .venv/bin/python scripts/screenshots.py --out docs/screenshots
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 11
SIZE = (1280, 800)
DETAILS = {"Customers": "customer-detail", "Tickets": "ticket-detail", "Escalations": "escalation-detail",
           "Defects": "defect-detail"}  # fmt: skip
DARK_SHOTS = ("Today", "Tickets")
# A detail with some history tells more than the first row: a ticket that was escalated, a customer with a year of
# tickets, contacts and meetings behind it.
PREFERRED_ROWS = {"Tickets": "escalated", "Customers": "Kestrel Analytics"}
# Tabs of a detail worth a picture of their own: (detail shot, tab text) -> file name.
DETAIL_TABS = {
    ("customer-detail", "Onboarding"): "customer-onboarding",
    ("customer-detail", "Portal seats"): "customer-seats",
    ("customer-detail", "Contacts"): "customer-contacts",
    ("customer-detail", "Timeline"): "customer-timeline",
    ("customer-detail", "Contract"): "customer-contract",
}


def isolate(home: Path) -> None:
    """Point every user folder (data, config, logs, QSettings) at ``home`` before Qt or platformdirs are loaded."""
    for var in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(home / var.lower())
    os.environ.pop("TAMDESK_DB", None)
    os.environ["TAMDESK_COLOR_SCHEME"] = "light"


def make_database(path: Path) -> str:
    """A demo database at ``path``; returns the name of the TAM with the most customers (the screenshots' user)."""
    from tamdesk.models import tables
    from tamdesk.services.base import Context
    from tamdesk.services.database import open_database
    from tamdesk.services.demo import generate_demo
    from tamdesk.services.health import record_week
    from tamdesk.services.identity import save_name

    open_database(path, create=True)
    ctx = Context(actor="tamdesk demo")
    print(generate_demo(ctx, customers=40, tickets=2000, seed=SEED).summary)
    counts: dict[str, int] = {}
    for customer in tables.Customer.select():
        if customer.tam is not None:
            counts[customer.tam.name] = counts.get(customer.tam.name, 0) + 1
    user = max(counts, key=lambda name: counts[name]) if counts else "Tess Tam"
    save_name(user)  # the user's name on this (isolated) computer, as Settings › You saves it
    record_week(ctx, ctx.now())  # this week's health, as the app records it after its start
    return user


def settle(app: object, window: object, at_least: float = 1.2, at_most: float = 15.0) -> None:
    """Let background loads finish and their results reach the screen."""
    from PySide6.QtWidgets import QApplication

    start = time.monotonic()
    while True:
        QApplication.processEvents()
        elapsed = time.monotonic() - start
        idle = window.runner.wait(0)  # type: ignore[attr-defined]
        if (idle and elapsed >= at_least) or elapsed >= at_most:
            break
        time.sleep(0.02)
    for _ in range(5):
        QApplication.processEvents()


def save(pixmap: object, path: Path) -> None:
    pixmap.save(str(path), "PNG")  # type: ignore[attr-defined]
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  ({path.stat().st_size // 1024} KB)")


def grab_window(window: object, path: Path) -> None:
    """The main window without a passing status message, so the status bar shows the database as it rests."""
    window.statusBar().clearMessage()  # type: ignore[attr-defined]
    save(window.grab(), path)  # type: ignore[attr-defined]


def first_table(page: object, needle: str = "") -> tuple[object, object] | None:
    """The largest visible item view on ``page`` that has rows, and the index of the row to open: the first whose
    text contains ``needle`` (within the first few hundred), else the first row."""
    from PySide6.QtWidgets import QAbstractItemView

    views = [
        v
        for v in page.findChildren(QAbstractItemView)  # type: ignore[attr-defined]
        if v.isVisibleTo(page) and v.model() is not None and v.model().rowCount() > 0
    ]
    if not views:
        return None
    view = max(views, key=lambda v: v.width() * v.height())
    model = view.model()
    for row in range(min(model.rowCount(), 300) if needle else 0):
        texts = (str(model.index(row, col).data() or "") for col in range(model.columnCount()))
        if any(needle.lower() in text.lower() for text in texts):
            return view, model.index(row, 0)
    return view, model.index(0, 0)


def open_detail(app: object, window: object, page: object, out: Path) -> bool:
    """Open the first row of the page's list and capture the detail: a dialog, or the page itself."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QTableView

    found = first_table(page, PREFERRED_ROWS.get(page.title, ""))  # type: ignore[attr-defined]
    if found is None:
        print(f"  (no rows on {page.title}: no detail shot)")  # type: ignore[attr-defined]
        return False
    view, index = found
    view.setCurrentIndex(index)  # type: ignore[attr-defined]
    if isinstance(view, QTableView):
        view.selectRow(index.row())  # type: ignore[attr-defined]
    view.scrollTo(index)  # type: ignore[attr-defined]
    captured: list[bool] = []

    def capture_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog):
            settle(app, window)
            save(dialog.grab(), out)
            captured.append(True)
            dialog.reject()

    QTimer.singleShot(300, capture_dialog)
    before = _visible_state(page)
    opener: Callable[[], None] | None = getattr(page, "open_selected", None) or getattr(page, "_open_selected", None)
    if opener is not None:
        opener()
    else:
        view.doubleClicked.emit(index)  # type: ignore[attr-defined]
    settle(app, window)
    if captured:
        return True
    if _visible_state(page) != before:
        grab_window(window, out)
        shoot_tabs(app, window, page, out)
        return True
    print(f"  (opening a row on {page.title} showed nothing new: no detail shot)")  # type: ignore[attr-defined]
    return False


def shoot_tabs(app: object, window: object, page: object, shot: Path) -> None:
    """The tabs of ``DETAIL_TABS`` for the detail just captured as ``shot``; the first tab is shown again after."""
    from PySide6.QtWidgets import QTabWidget

    tabs = [t for t in page.findChildren(QTabWidget) if t.isVisible()]  # type: ignore[attr-defined]
    if not tabs:
        return
    widget = tabs[0]
    titles = [widget.tabText(i).replace("&", "") for i in range(widget.count())]
    for (detail, tab), name in DETAIL_TABS.items():
        if detail == shot.stem and tab in titles:
            widget.setCurrentIndex(titles.index(tab))
            kinds = getattr(widget.currentWidget(), "kind_filter", None)
            if kinds is not None:  # the timeline: the TAM's own meetings, calls, emails and notes first
                kinds.setCurrentIndex(kinds.findText("Our entries"))
            settle(app, window)
            grab_window(window, shot.with_name(f"{name}.png"))
    widget.setCurrentIndex(0)


def _visible_state(page: object) -> tuple[int, ...]:
    from PySide6.QtWidgets import QStackedWidget

    return tuple(s.currentIndex() for s in page.findChildren(QStackedWidget))  # type: ignore[attr-defined]


def back_to_list(page: object) -> None:
    show_list = getattr(page, "show_list", None)
    if callable(show_list):
        show_list()


def slug(title: str) -> str:
    return title.lower().replace(" ", "-")


def shoot_pages(app: object, window: object, out: Path) -> None:
    """Each page in navigation order, plus the detail of its first row where it has one."""
    for row, page in enumerate(window.pages):  # type: ignore[attr-defined]
        window.show_page(row)  # type: ignore[attr-defined]
        settle(app, window)
        grab_window(window, out / f"{slug(page.title)}.png")
        if page.title in DETAILS:
            try:
                open_detail(app, window, page, out / f"{DETAILS[page.title]}.png")
            except Exception as exc:  # a page still being built must not cost the other pictures
                print(f"  (the {page.title} detail failed: {exc!r})")
            back_to_list(page)
            settle(app, window, at_least=0.3)


def shoot_dark(app: object, window: object, out: Path) -> None:
    """Switch the running app to the dark scheme (as the system would) and capture a few pages again."""
    from tamdesk.views.theme import apply_theme

    os.environ["TAMDESK_COLOR_SCHEME"] = "dark"
    apply_theme(app).apply()  # type: ignore[arg-type]
    titles = [page.title for page in window.pages]  # type: ignore[attr-defined]
    for title in DARK_SHOTS:
        if title in titles:
            window.show_page(titles.index(title))  # type: ignore[attr-defined]
            settle(app, window)
            grab_window(window, out / f"{slug(title)}-dark.png")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="folder for the PNGs")
    parser.add_argument("--no-dark", action="store_true", help="skip the dark-scheme shots")
    parser.add_argument("--size", default="x".join(map(str, SIZE)), help="window size, e.g. 1024x700 or 1920x1080")
    args = parser.parse_args()
    width, _, height = args.size.partition("x")
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="tamdesk-screenshots-"))
    try:
        isolate(tmp)
        user = make_database(tmp / "sample.db")
        from tamdesk.app import make_application
        from tamdesk.services.base import Context
        from tamdesk.services.database import close_database, open_database
        from tamdesk.views.main_window import MainWindow

        app = make_application([sys.argv[0]])
        window = MainWindow(Context(actor=user), open_database)
        window.resize(int(width), int(height))
        window.show()
        settle(app, window)
        print(f"platform {app.platformName()}, user {user}")
        shoot_pages(app, window, out)
        if not args.no_dark:
            shoot_dark(app, window, out)
        window.close()
        settle(app, window, at_least=0.2)
        close_database()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
