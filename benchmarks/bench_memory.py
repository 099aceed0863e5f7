"""Memory of a long-running window: the Tickets list reloaded again and again, and Today with the notifications
over a simulated working day. Target (issue 19): RSS after the last round within 10% of the first.

The real main window opens offscreen on the sample (the floor printed beside the figures is the RSS of the bare
window before any page loaded data). ``tickets`` mode reloads the Tickets page N times through its reload path
(the one a database switch or an import takes: the newest tickets first, then every ticket read and evaluated in
the background), waiting for each load to finish; ``--visits`` instead leaves the page and comes back after the
list went stale, which re-evaluates it (what a TAM does all day). ``--day`` moves an injected clock over 8 hours in
steps (``--step`` minutes); at each step the Today page's and the notifier's timers fire as they would and the
run waits for both to finish; ``--with-tickets`` has the Tickets list built too, so its minute timer fires as well
(a passed deadline re-evaluates every ticket at most every 5 minutes, even while another page is shown).
RSS is read after each round (psutil when installed, else /proc/self/statm).

    .venv/bin/python benchmarks/bench_memory.py --size 100k                 # builds a temporary sample first
    .venv/bin/python benchmarks/bench_memory.py --db demo.db --visits
    .venv/bin/python benchmarks/bench_memory.py --db postgresql://tamdesk@127.0.0.1:55432/tamdesk --day
    .venv/bin/python benchmarks/bench_memory.py --size 10k --types          # which objects grew, and where

``--types`` also counts objects by type (``gc.get_objects``, frozen ones included) and prints what grew between the
first and the last round: the way to find what a round keeps; ``--trace`` adds tracemalloc's allocations by
traceback (slow at 100k: every allocation is traced).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
TARGET = 1.10  # last / first


def size(text: str) -> str:
    key = next((k for k in SIZES if k.lower() == text.lower()), None)
    if key is None:
        raise argparse.ArgumentTypeError(f"--size must be one of {', '.join(SIZES)}, not {text!r}")
    return key


def rss_mb() -> float:
    """This process's resident set size in MB."""
    try:
        import psutil  # type: ignore[import-untyped]
    except ImportError:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    return float(psutil.Process().memory_info().rss) / 2**20


class Clock:
    """The injected clock: real time until moved, then the moved time."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        return self.at or datetime.now(UTC)

    def advance(self, by: timedelta) -> None:
        self.at = self() + by


def build_sample(db: str, tickets: int) -> None:
    """Fill ``db`` (a file or a postgresql:// URL) with sample data unless it holds enough tickets already."""
    from tamdesk.services.base import Context
    from tamdesk.services.database import close_database, open_database
    from tamdesk.services.demo import generate_demo
    from tamdesk.services.tickets import count_tickets

    open_database(db, create=True)
    try:
        have = count_tickets()
        if have >= tickets:
            print(f"Sample: {db} holds {have:,} tickets")
            return
        print(f"Creating a {tickets:,}-ticket sample in {db}…", flush=True)
        started = time.perf_counter()
        generate_demo(Context(actor="bench"), customers=max(40, tickets // 100), tickets=tickets, force=True)
        print(f"  done in {time.perf_counter() - started:.0f} s")
    finally:
        close_database()


def wait_until(condition: Callable[[], bool], timeout: float = 600.0) -> None:
    """Run the event loop (deferred deletes included) until ``condition()``."""
    from PySide6.QtCore import QCoreApplication, QEvent

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the page to finish loading")
        QCoreApplication.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        time.sleep(0.01)
    for _ in range(3):  # the callbacks queued by the last task, and the deletes they ask for
        QCoreApplication.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


class Census:
    """Objects by type, first round against last (``--types``), and allocations by traceback (``--trace``).

    Counting unfreezes first: the ticket list freezes what a load built (``gc.freeze``), and frozen objects are
    not listed. Nothing is collected before counting, so a cycle a round left for the collector counts too.
    """

    def __init__(self, trace: bool) -> None:
        if trace:
            tracemalloc.start(8)
        self.first: tuple[Counter[str], tracemalloc.Snapshot | None] | None = None

    @staticmethod
    def _count() -> Counter[str]:
        gc.unfreeze()
        return Counter(type(o).__qualname__ for o in gc.get_objects())

    def take(self) -> None:
        now = (self._count(), tracemalloc.take_snapshot() if tracemalloc.is_tracing() else None)
        if self.first is None:
            self.first = now
        self.last = now

    def report(self, rounds: int) -> None:
        assert self.first is not None
        grown = self.last[0] - self.first[0]
        print(f"\nObjects that grew over {rounds} rounds (gc-tracked types, first round → last):")
        for name, extra in grown.most_common(15):
            print(f"  {name:<40} +{extra:>9,}   ({self.first[0][name]:,} → {self.last[0][name]:,})")
        if self.first[1] is None or self.last[1] is None:
            return
        print("\nAllocations that grew (tracemalloc, by traceback):")
        for stat in self.last[1].compare_to(self.first[1], "traceback")[:8]:
            print(f"  {stat.size_diff / 2**20:+8.1f} MB in {stat.count_diff:+,} blocks")
            for line in stat.traceback.format(limit=6):
                print(f"      {line}")


def tickets_rounds(window: object, clock: Clock, rounds: int, visits: bool) -> Callable[[int], None]:
    from tamdesk.views.main_window import PAGES

    row = next(n for n, spec in enumerate(PAGES) if spec.title == "Tickets")
    window.show_page(row)  # type: ignore[attr-defined]
    page = window.pages[row]  # type: ignore[attr-defined]

    def settled() -> bool:
        return not page.list.busy() and page.list.total() is not None

    wait_until(settled)

    def one(_: int) -> None:
        if visits:  # away for a minute, back: a list older than 30 s is read and evaluated again
            window.show_page(0)  # type: ignore[attr-defined]
            clock.advance(timedelta(minutes=1))
            window.show_page(row)  # type: ignore[attr-defined]
        else:
            page.reload()
        wait_until(lambda: page.list.busy() or settled(), timeout=10)
        wait_until(settled)

    return one


def day_rounds(window: object, clock: Clock, step: timedelta, with_tickets: bool) -> Callable[[int], None]:
    from PySide6.QtCore import QObject

    from tamdesk.views.main_window import PAGES

    today = window.pages[0]  # type: ignore[attr-defined]
    notifier = window.notifier  # type: ignore[attr-defined]
    timers: list[QObject] = [today.timer, notifier.timer]
    tickets = None
    if with_tickets:  # visited once in the morning: its list keeps counting down while Today is shown
        row = next(n for n, spec in enumerate(PAGES) if spec.title == "Tickets")
        window.show_page(row)  # type: ignore[attr-defined]
        tickets = window.pages[row].list  # type: ignore[attr-defined]
        wait_until(lambda: not tickets.busy() and tickets.total() is not None)
        timers.append(tickets.timer)
    window.show_page(0)  # type: ignore[attr-defined]
    wait_until(lambda: today.current is not None and not today.busy)
    checked = [0]
    notifier.checked.connect(lambda: checked.__setitem__(0, checked[0] + 1))

    def one(_: int) -> None:
        clock.advance(step)
        before = checked[0]
        for timer in timers:  # what their timers do when the minute (or the check interval) comes round
            timer.timeout.emit()  # type: ignore[attr-defined]
        wait_until(
            lambda: (
                not today.busy
                and (checked[0] > before or not notifier.enabled)
                and (tickets is None or not tickets.busy())
            )
        )

    return one


def run(args: argparse.Namespace, db: str) -> None:
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from tamdesk.services.base import Context
    from tamdesk.services.database import close_database, open_database
    from tamdesk.views.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("tamdesk-bench")
    QCoreApplication.setApplicationName("tamdesk-bench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    settings = tempfile.mkdtemp()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings)
    QSettings().clear()
    open_database(db)
    clock = Clock()
    window = MainWindow(Context(actor="Bench User", clock=clock), open_database)
    window.resize(1280, 800)
    window.show()
    wait_until(lambda: window.pages[0].current is not None and not window.pages[0].busy)
    floor = rss_mb()
    census = Census(args.trace) if args.types or args.trace else None
    if args.day:
        steps = int(timedelta(hours=8) / timedelta(minutes=args.step))
        one = day_rounds(window, clock, timedelta(minutes=args.step), args.with_tickets)
        what = "Today, notifications" + (" and the Tickets list" if args.with_tickets else "")
        what += f", 8 simulated hours in {steps} steps of {args.step} min"
    else:
        steps = args.reloads
        one = tickets_rounds(window, clock, steps, args.visits)
        what = f"Tickets page, {steps} {'visits (re-evaluations)' if args.visits else 'reloads'}"
    print(f"{what}\nbare window with Today loaded (floor): {floor:7.1f} MB RSS")
    figures: list[float] = []
    started = time.perf_counter()
    for n in range(steps):
        one(n)
        figures.append(rss_mb())
        if census is not None and n in (0, steps - 1):
            census.take()
        if args.day and n % max(1, steps // 16) and n != steps - 1:
            continue
        print(f"  round {n + 1:3}: {figures[-1]:7.1f} MB RSS   ({time.perf_counter() - started:5.0f} s)", flush=True)
    first, last, peak = figures[0], figures[-1], max(figures)
    ratio = last / first
    verdict = "flat" if ratio <= TARGET else "GROWS"
    print(f"\nfirst {first:.1f} MB · last {last:.1f} MB · max {peak:.1f} MB · floor {floor:.1f} MB")
    print(f"last / first = {ratio:.3f}  (target ≤ {TARGET:.2f}): {verdict}")
    if census is not None:
        census.report(steps)
    window._stop_background_work()
    window.close()
    close_database()
    del app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=size, default="100k", help="tickets in the sample: 10k, 100k or 1M")
    parser.add_argument("--db", help="a tamdesk database file or postgresql://user@host:port/name (sample added)")
    parser.add_argument("--reloads", type=int, default=20, help="rounds of the Tickets page (default 20)")
    parser.add_argument("--visits", action="store_true", help="leave and come back instead of reloading")
    parser.add_argument("--day", action="store_true", help="Today and notifications over 8 simulated hours")
    parser.add_argument("--with-tickets", action="store_true", help="--day with the Tickets list built (slower)")
    parser.add_argument("--step", type=int, default=5, help="minutes of simulated time per step of --day")
    parser.add_argument("--types", action="store_true", help="count the objects that grew, by type")
    parser.add_argument("--trace", action="store_true", help="--types and the allocations that grew (much slower)")
    args = parser.parse_args()
    if args.reloads < 1 or not 1 <= args.step <= 480:
        parser.error("--reloads must be at least 1 and --step between 1 and 480 minutes")
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or str(Path(folder) / "memory.db")
        build_sample(db, SIZES[args.size])
        run(args, db)


if __name__ == "__main__":
    main()
