"""Background work: run a callable on a thread pool, report progress, allow cancel, and always call back
on the UI thread with either the result or the error (no exception is ever lost)."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from tamdesk.services.database import close_worker_connection

log = logging.getLogger(__name__)


@dataclass
class TaskControl:
    """Handed to the work function: report progress, ask whether the user cancelled."""

    _cancel: threading.Event = field(default_factory=threading.Event)
    _report: Callable[[int, int], None] = lambda done, total: None

    def progress(self, done: int, total: int) -> None:
        self._report(done, total)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` (a retry's pause); True as soon as the user cancels."""
        return self._cancel.wait(seconds)


class Task(QObject):
    """A handle on one piece of background work; its public signals are emitted on the UI thread.

    The worker emits the private ``_*_raw`` signals; they reach this object's slots through queued
    connections (the object lives on the UI thread), and the slots re-emit the public signals there, so
    callbacks connected as plain Python callables never run on the worker thread.
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object, str)
    finished = Signal()

    _progress_raw = Signal(int, int)
    _success_raw = Signal(object)
    _failure_raw = Signal(object, str)
    _finished_raw = Signal()

    def __init__(self, runner: QObject | None = None) -> None:
        super().__init__()
        self._runner = runner
        self.control = TaskControl(_report=self._progress_raw.emit)
        self.done = False
        self._progress_raw.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._success_raw.connect(self._on_success, Qt.ConnectionType.QueuedConnection)
        self._failure_raw.connect(self._on_failure, Qt.ConnectionType.QueuedConnection)
        self._finished_raw.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        self.control.cancel()

    def _owner_alive(self) -> bool:
        """False once the runner (and so the widget that started the work) was destroyed: its callbacks would
        touch deleted widgets, so the result is dropped."""
        return self._runner is None or shiboken6.isValid(self._runner)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if self._owner_alive():
            self.progressed.emit(done, total)

    @Slot(object)
    def _on_success(self, result: object) -> None:
        if self._owner_alive():
            self.succeeded.emit(result)

    @Slot(object, str)
    def _on_failure(self, exc: object, details: str) -> None:
        if self._owner_alive():
            self.failed.emit(exc, details)

    @Slot()
    def _on_finished(self) -> None:
        self.done = True
        if self._owner_alive():
            self.finished.emit()
        # Callbacks connected to this task often hold the task itself (``lambda rows: shown(task, rows)``): a
        # cycle through Qt's connection list that Python cannot see, so the task would live as long as the
        # app. Deleting the Qt object drops its connections and with them the cycle.
        self.deleteLater()


class _Runnable(QRunnable):
    def __init__(self, task: Task, work: Callable[[TaskControl], Any]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task = task
        self._work = work

    def run(self) -> None:
        task, work = self._task, self._work
        # Qt may keep this Python object after the run: it keeps neither the task nor the work (whose closure
        # can hold a whole list of tickets).
        self._task = self._work = None  # type: ignore[assignment]
        try:
            result = work(task.control)
        except BaseException as exc:  # every error comes back to the UI thread
            details = "".join(traceback.format_exception(exc))
            log.debug("Background task failed:\n%s", details)
            traceback.clear_frames(exc.__traceback__)  # the locals of a cancelled load: its half-built list
            task._failure_raw.emit(exc, details)
        else:
            task._success_raw.emit(result)
        finally:
            del work
            _release_connection()
            task._finished_raw.emit()


def _release_connection() -> None:
    """Close this thread's database connection (see ``close_worker_connection``): Qt's pool thread keeps no
    Python state until its next piece of work, so the next one opens its own anyway."""
    try:
        close_worker_connection()
    except Exception:  # a connection that fails to close is gone anyway; the result must still arrive
        log.debug("Closing a background connection failed", exc_info=True)


def _import_on_ui_thread() -> None:
    """Import, on the UI thread, the modules background work would otherwise import for the first time itself.

    PySide6 (6.12) reads the source of every module imported for the first time; doing that on a worker thread
    while the UI thread runs Qt crashes the interpreter. Background reads evaluate business calendars, which import
    the holidays package's country modules on first use. Done when the first task starts rather than at import
    time, so the window paints before the country modules load.
    """
    import holidays.countries  # noqa: F401


class TaskRunner(QObject):
    """Runs work one at a time (database writes are serialized) off the UI thread."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 1) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._live: set[Task] = set()

    def run(
        self,
        work: Callable[[TaskControl], Any],
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException, str], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Task:
        _import_on_ui_thread()
        task = Task(self)
        self._live.add(task)
        if on_success:
            task.succeeded.connect(on_success)
        if on_error:
            task.failed.connect(on_error)
        if on_progress:
            task.progressed.connect(on_progress)
        task.finished.connect(lambda: self._live.discard(task))
        self._pool.start(_Runnable(task, work))
        return task

    def wait(self, msecs: int = -1) -> bool:
        """Wait for every task to finish (used on shutdown and in tests)."""
        return self._pool.waitForDone(msecs)
