"""The desktop bundle: scripts/build-app.sh builds dist/tamdesk with PyInstaller and the bundle starts.

One build (about 35 s on CI's kind of machine) serves every test here; it goes to a temporary folder, so a
developer's own dist/ is left alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tamdesk import __version__

ROOT = Path(__file__).resolve().parent.parent
# The environment as the test run started, before the autouse fixtures point HOME at a temporary folder, so pip
# and PyInstaller find their caches.
_ENV = dict(os.environ)

pytestmark = pytest.mark.slow


def _ensure_pyinstaller() -> None:
    """Install PyInstaller (the project's ``build`` extra) into this environment, or skip with the reason."""
    probe = subprocess.run([sys.executable, "-c", "import PyInstaller"], capture_output=True, env=_ENV)
    if probe.returncode == 0:
        return
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "pyinstaller>=6.10"],
        capture_output=True,
        text=True,
        env=_ENV,
        timeout=600,
    )
    if install.returncode != 0:
        pytest.skip(f"PyInstaller cannot be installed here, so the bundle is not built: {install.stderr.strip()}")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The folder dist/tamdesk built by scripts/build-app.sh (into a temporary folder)."""
    _ensure_pyinstaller()
    out = tmp_path_factory.mktemp("bundle")
    env = {
        **_ENV,
        "BUILD_VENV": str(Path(sys.executable).parent.parent),
        "DIST_DIR": str(out / "dist"),
        "WORK_DIR": str(out / "work"),
    }
    started = time.monotonic()
    build = subprocess.run(
        ["bash", "scripts/build-app.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    print(f"bundle built in {time.monotonic() - started:.0f} s")
    assert build.returncode == 0, f"build-app.sh failed:\n{build.stdout}\n{build.stderr}"
    assert f"tamdesk {__version__}" in build.stdout
    yield out / "dist" / "tamdesk"


def _executable(bundle: Path) -> Path:
    return bundle / ("tamdesk.exe" if sys.platform == "win32" else "tamdesk")


def test_bundled_command_prints_its_version(bundle: Path) -> None:
    result = subprocess.run([_executable(bundle), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"tamdesk {__version__}"


def test_bundle_holds_the_icons_and_the_qt_plugins(bundle: Path) -> None:
    internal = bundle / "_internal"
    assert (internal / "tamdesk" / "resources" / "icons" / "tickets.svg").is_file()
    assert (internal / "tamdesk" / "resources" / "icons" / "tamdesk.svg").is_file()
    plugins = internal / "PySide6" / "Qt" / "plugins"
    for folder in ("platforms", "imageformats", "iconengines"):
        assert any((plugins / folder).iterdir()), f"no Qt {folder} plugins in the bundle"
    assert not (internal / "PySide6" / "Qt" / "translations").exists(), "Qt translations are not used"
    assert not list(internal.rglob("*QtWebEngine*")), "unused Qt modules were bundled"


@pytest.mark.skipif(sys.platform != "linux", reason="the offscreen start is checked on Linux (CI)")
def test_bundled_app_opens_its_window(bundle: Path, tmp_path: Path) -> None:
    """With no command the bundle opens the app: Qt, the theme, the icons and the database all load."""
    home = tmp_path / "home"
    env = {**_ENV, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home), "XDG_STATE_HOME": str(home / "state"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_CACHE_HOME": str(home / "cache")}  # fmt: skip
    env.pop("TAMDESK_DB", None)
    init = [_executable(bundle), "--db", str(tmp_path / "bundle.db"), "init"]
    subprocess.run(init, env=env, check=True, capture_output=True, timeout=120)  # --db never creates a file
    app = subprocess.Popen(
        [_executable(bundle), "--db", str(tmp_path / "bundle.db")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        opened = _wait_for_log(home, "opened", app, timeout=60)
    finally:
        app.terminate()
        _, stderr = app.communicate(timeout=30)
    assert opened, f"the bundled app did not open its database:\n{stderr}"
    assert "Traceback" not in stderr
    assert "qt.qpa.plugin" not in stderr


def _wait_for_log(home: Path, text: str, process: subprocess.Popen[str], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        for log in home.rglob("tamdesk.log"):
            if text in log.read_text(encoding="utf-8", errors="replace"):
                return True
        time.sleep(0.2)
    return False
