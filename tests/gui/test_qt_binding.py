"""The Qt binding itself: a release that leaks references to None (PySide6 6.12.0 on Python 3.11) aborts the
app after some thousands of calls, so the installed one is checked."""

from __future__ import annotations

import os
import subprocess
import sys


def test_qt_calls_do_not_leak_references_to_none() -> None:
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "app = QApplication([])\n"
        "label = QLabel()\n"
        "before = sys.getrefcount(None)\n"
        "for _ in range(2000):\n"
        "    label.setText('x')\n"
        "print(before - sys.getrefcount(None))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert abs(int(result.stdout.strip())) < 50
