"""Background sync for the main window: on start, every N minutes and on request, never blocking the window.

A failure never opens a dialog (a dialog every 15 minutes while offline would be a storm): the status bar says
"Zendesk: last synced 2 h ago — unreachable" and the next run tries again. A run can be stopped from the status
bar; pages already written stay, and the next run resumes after them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QToolButton, QWidget

from tamdesk.domain.sync import SourceClient
from tamdesk.secrets import SecretStore
from tamdesk.services.base import Context, DomainError
from tamdesk.services.connections import list_connections, sync_interval
from tamdesk.services.sources import make_client
from tamdesk.services.sync import SyncCancelled, SyncResult, sync_all
from tamdesk.views.changes import ticket_changes
from tamdesk.views.tasks import Task, TaskControl, TaskRunner

FIRST_SYNC_MS = 4000  # after start-up, once the window has painted


def _cancellable_sleep(control: TaskControl) -> Callable[[float], None]:
    """A retry's wait that a cancel ends at once."""

    def sleep(seconds: float) -> None:
        if control.wait(seconds):
            raise SyncCancelled("The sync was stopped; what it read so far is kept.")

    return sleep


class SyncScheduler(QObject):
    """Runs ``sync_all`` on the task runner; ``label`` is the status-bar widget that tells its state."""

    state_changed = Signal(str)
    finished = Signal(object)  # list of (connection name, SyncResult | Exception)

    def __init__(
        self,
        ctx: Context,
        runner: TaskRunner,
        secrets: Callable[[], SecretStore],
        parent: QWidget,
        *,
        make: Callable[..., SourceClient] = make_client,
        first_delay_ms: int = FIRST_SYNC_MS,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.secrets, self.make = ctx, runner, secrets, make
        self.task: Task | None = None
        self.read = 0  # tickets read by the sync running
        self._stopped = False
        self.label = QToolButton(parent)
        self.label.setAutoRaise(True)
        self.label.setAccessibleName("Sync")
        self.label.clicked.connect(self._clicked)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.run_now)
        self.timer.start(first_delay_ms)
        self.show_state()

    # -- state -------------------------------------------------------------------------------------------------------

    def running(self) -> bool:
        return self.task is not None

    def text(self) -> str:
        """What the status bar says: every connection's last sync, or that a sync is running."""
        try:
            rows = list_connections()
        except Exception:  # no database open (switching): say nothing rather than fail a repaint
            return ""
        if not rows:
            return ""
        if self.running():
            read = f", {self.read:,} tickets read" if self.read else ""
            return "Syncing " + ", ".join(r.name for r in rows) + f"…{read} (click to stop)"
        now = self.ctx.now()
        return " · ".join(r.state.describe(now) for r in rows)

    def show_state(self) -> None:
        text = self.text()
        self.label.setText(text)
        self.label.setVisible(bool(text))
        self.label.setToolTip("Click to stop the sync" if self.running() else "Click to sync now")
        self.state_changed.emit(text)

    def _clicked(self) -> None:
        if self.running():
            self.cancel()
        else:
            self.run_now()

    # -- running ---------------------------------------------------------------------------------------------------

    def run_now(self) -> Task | None:
        """Start a sync of every connection now (None when one is running, none exists or the window closed)."""
        self.timer.stop()
        if self._stopped or self.running():
            return None
        if not list_connections():
            self._schedule()
            return None
        store, ctx, make = self.secrets(), self.ctx, self.make

        def work(control: TaskControl) -> list[tuple[str, SyncResult | Exception]]:
            return sync_all(ctx, store, make=make, sleep=_cancellable_sleep(control),
                            progress=lambda read: control.progress(read, 0), cancelled=control.cancelled)  # fmt: skip

        self.read = 0
        self.task = self.runner.run(work, self._done, self._failed)
        self.task.progressed.connect(self._progressed)
        self.show_state()
        return self.task

    def _progressed(self, read: int, _total: int) -> None:
        self.read = read
        self.show_state()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _done(self, outcomes: list[tuple[str, SyncResult | Exception]]) -> None:
        self.task = None
        if any(isinstance(r, SyncResult) and (r.created or r.updated or r.released) for _, r in outcomes):
            ticket_changes().imported.emit()
        self._schedule()
        self.show_state()
        self.finished.emit(outcomes)

    def _failed(self, exc: BaseException, details: str) -> None:
        self.task = None
        self._schedule()
        self.show_state()
        if not isinstance(exc, DomainError):
            self.finished.emit([("", exc)])

    def _schedule(self) -> None:
        minutes = sync_interval()
        if minutes and not self._stopped:
            self.timer.start(minutes * 60_000)

    def stop(self) -> None:
        """The window is closing: no more runs, and the one running stops at its next page."""
        self._stopped = True
        self.timer.stop()
        self.cancel()
