"""Background work reports back on the UI thread with a result or an error, and can be cancelled."""

from __future__ import annotations

import threading

from tamdesk.views.tasks import TaskControl, TaskRunner


def test_result_arrives_on_the_ui_thread(qtbot) -> None:
    runner = TaskRunner()
    seen: list[tuple[object, bool]] = []
    worker_threads: list[bool] = []

    def work(control: TaskControl) -> int:
        worker_threads.append(threading.current_thread() is threading.main_thread())
        control.progress(1, 2)
        return 42

    task = runner.run(
        work, on_success=lambda r: seen.append((r, threading.current_thread() is threading.main_thread()))
    )
    with qtbot.wait_signal(task.finished, timeout=5000):
        pass
    assert worker_threads == [False]
    assert seen == [(42, True)]


def test_error_comes_back_with_details(qtbot) -> None:
    runner = TaskRunner()
    errors: list[tuple[str, bool]] = []

    def work(control: TaskControl) -> None:
        raise ValueError("disk on fire")

    task = runner.run(work, on_error=lambda exc, details: errors.append((str(exc), "Traceback" in details)))
    with qtbot.wait_signal(task.finished, timeout=5000):
        pass
    assert errors == [("disk on fire", True)]


def test_cancel_is_seen_by_the_work(qtbot) -> None:
    runner = TaskRunner()
    started = threading.Event()
    results: list[str] = []

    def work(control: TaskControl) -> str:
        started.set()
        while not control.cancelled():
            threading.Event().wait(0.01)
        return "stopped"

    task = runner.run(work, on_success=results.append)
    assert started.wait(5)
    task.cancel()
    with qtbot.wait_signal(task.finished, timeout=5000):
        pass
    assert results == ["stopped"]


def test_result_for_a_closed_widget_is_dropped(qtbot) -> None:
    import shiboken6
    from PySide6.QtWidgets import QLabel, QWidget

    owner = QWidget()
    label = QLabel(owner)
    runner = TaskRunner(owner)
    release = threading.Event()
    shown: list[str] = []

    def work(control: TaskControl) -> str:
        release.wait(1)  # the pool waits for it while the page is deleted
        return "late"

    task = runner.run(work, on_success=lambda text: (label.setText(text), shown.append(text)))
    shiboken6.delete(owner)  # the page was closed while its list was loading
    release.set()
    qtbot.waitUntil(lambda: task.done, timeout=5000)  # no "already deleted" error reaches the event loop
    assert shown == []
