"""Time the app's start: launch to a painted window, and launch to Today's data on screen, beside a bare PySide6
window started the same way in the same run (the floor). Targets (issue 18, 100,000-ticket sample): a painted
window under 1 s, Today's data within 1.5 s.

Each run is a fresh process started through the real entry point (``tamdesk --db PATH``, the CLI layer included),
with its own empty settings folder, so nothing is cached between runs.

    .venv/bin/python benchmarks/bench_startup.py --size 100k            # builds a temporary sample (about a minute)
    .venv/bin/python benchmarks/bench_startup.py --db demo.db --runs 7  # reuses (or creates) demo.db
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}


def _probe_app(db: str) -> int:
    """In the child: run the app through its entry point; print when the window first paints and when Today shows
    its data, then quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    import tamdesk.app
    from tamdesk.__main__ import main

    real_window = tamdesk.app.MainWindow

    class Probe(QObject):
        def __init__(self, window: QObject) -> None:
            super().__init__(window)
            self.window = window
            self.painted = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if not self.painted and event.type() == QEvent.Type.Paint:
                self.painted = True
                print(f"painted {time.time():.6f}", flush=True)
            return False

    class ProbeWindow(real_window):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self.probe = Probe(self)
            QApplication.instance().installEventFilter(self.probe)  # type: ignore[union-attr]
            today = self.pages[0]
            today.loaded.connect(self._today_shown)

        def _today_shown(self) -> None:
            print(f"today {time.time():.6f}", flush=True)
            QTimer.singleShot(0, self.close)

    tamdesk.app.MainWindow = ProbeWindow  # type: ignore[misc]
    return main(["--db", db])


def _probe_bare() -> int:
    """In the child: the floor, a bare PySide6 main window with one label."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.setCentralWidget(QLabel("tamdesk"))
    window.resize(1280, 800)

    class Probe(QObject):
        painted = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if not self.painted and event.type() == QEvent.Type.Paint:
                self.painted = True
                print(f"painted {time.time():.6f}", flush=True)
                QTimer.singleShot(0, app.quit)
            return False

    probe = Probe()
    app.installEventFilter(probe)
    window.show()
    return app.exec()


def _launch(kind: str, db: Path, settings: Path) -> dict[str, float]:
    env = dict(os.environ, XDG_CONFIG_HOME=str(settings), XDG_DATA_HOME=str(settings), XDG_STATE_HOME=str(settings))
    identity = settings / "tamdesk" / "identity.json"  # a user who has started tamdesk before: no first-start question
    identity.parent.mkdir(parents=True, exist_ok=True)
    identity.write_text('{"name": "Bench User", "asked": true}', encoding="utf-8")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    start = time.time()
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--db", str(db)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    marks = {}
    for line in done.stdout.splitlines():
        name, _, at = line.partition(" ")
        if name in ("painted", "today"):
            marks[name] = float(at) - start
    if "painted" not in marks:
        raise SystemExit(f"the {kind} run printed no paint (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return marks


def _build(path: Path, tickets: int) -> None:
    from tamdesk.services.base import Context
    from tamdesk.services.database import close_database, open_database
    from tamdesk.services.demo import generate_demo
    from tamdesk.services.tickets import count_tickets

    open_database(path, create=True)
    try:
        if count_tickets() >= tickets:
            return
        print(f"Creating a {tickets:,}-ticket sample in {path}…", flush=True)
        generate_demo(Context(actor="bench"), customers=max(40, tickets // 100), tickets=tickets, force=True)
    finally:
        close_database()


def _figures(values: list[float]) -> str:
    return f"min {min(values):.2f} s · median {statistics.median(values):.2f} s · max {max(values):.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--size",
        type=lambda text: next((k for k in SIZES if k.lower() == text.lower()), text),
        choices=list(SIZES),
        default="100k",
        help="tickets in the sample (default 100k)",
    )
    parser.add_argument("--db", type=Path, help="database to use (created with sample data if it has too few)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", choices=("app", "bare"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "app":
        sys.exit(_probe_app(str(args.db)))
    if args.child == "bare":
        sys.exit(_probe_bare())
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or Path(folder) / "startup.db"
        _build(db, SIZES[args.size])
        bare: list[float] = []
        painted: list[float] = []
        today: list[float] = []
        for run in range(args.runs):  # alternated, so a busy moment of the machine hits both alike
            with tempfile.TemporaryDirectory() as settings:
                bare.append(_launch("bare", db, Path(settings))["painted"])
            with tempfile.TemporaryDirectory() as settings:
                marks = _launch("app", db, Path(settings))
            painted.append(marks["painted"])
            today.append(marks.get("today", float("nan")))
            print(f"run {run + 1}: bare {bare[-1]:.2f} s, painted {painted[-1]:.2f} s, Today {today[-1]:.2f} s")
        print(f"\nbare PySide6 window (floor)   {_figures(bare)}")
        print(f"tamdesk window painted        {_figures(painted)}   (target < 1 s)")
        print(f"Today's data on screen        {_figures(today)}   (target < 1.5 s)")
        ratio = statistics.median(painted) / statistics.median(bare)
        print(f"painted / floor (medians)     {ratio:.1f}×")


if __name__ == "__main__":
    main()
