"""The layer rule: domain, models, services, reports and the CLI never load Qt."""

from __future__ import annotations

import subprocess
import sys


def test_non_ui_packages_leave_pyside6_unloaded() -> None:
    code = (
        "import importlib, pkgutil, sys, tamdesk\n"
        "for pkg in ('domain', 'models', 'services', 'reports'):\n"
        "    mod = importlib.import_module('tamdesk.' + pkg)\n"
        "    for info in pkgutil.walk_packages(mod.__path__, mod.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "import tamdesk.cli, tamdesk.__main__\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
