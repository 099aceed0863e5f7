"""``tamdesk`` without a command opens the app straight away, without building every command's parser."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tamdesk.__main__ import _only_opens_the_app


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], (True, None)),
        (["--db", "work.db"], (True, "work.db")),
        (["--db=postgresql://me@host/tamdesk"], (True, "postgresql://me@host/tamdesk")),
        (["--db", "--version"], (False, None)),  # the parser says what is wrong
        (["--db="], (False, None)),
        (["--db"], (False, None)),
        (["--version"], (False, None)),
        (["--help"], (False, None)),
        (["check"], (False, None)),
        (["--db", "work.db", "check"], (False, None)),
    ],
)
def test_which_arguments_only_open_the_app(argv: list[str], expected: tuple[bool, str | None]) -> None:
    assert _only_opens_the_app(argv) == expected


def test_opening_the_app_does_not_load_the_commands() -> None:
    code = (
        "import sys, tamdesk.__main__ as entry\n"
        "entry._open_app = lambda db: print(db) or 0\n"
        "assert entry.main(['--db', 'work.db']) == 0\n"
        "print('tamdesk.cli' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["work.db", "False"]
