"""``tamdesk`` / ``python -m tamdesk``: a command, or the app when no command is given."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def _open_app(db: str | None) -> int:
    from tamdesk.app import run  # Qt is loaded only when the app is opened

    return run(db)


def _only_opens_the_app(argv: Sequence[str]) -> tuple[bool, str | None]:
    """Whether ``argv`` names no command, only perhaps ``--db``, and the database it names.

    The app then starts without building the commands' parser, which imports every command's services.
    """
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--db" and argv[1] and not argv[1].startswith("-"):
        return True, argv[1]
    if len(argv) == 1 and argv[0].startswith("--db=") and len(argv[0]) > len("--db="):
        return True, argv[0].removeprefix("--db=")
    return False, None


def main(argv: Sequence[str] | None = None) -> int:
    app_only, db = _only_opens_the_app(sys.argv[1:] if argv is None else list(argv))
    if app_only:
        return _open_app(db)
    from tamdesk.cli import main as cli_main

    return cli_main(argv, open_app=_open_app)


if __name__ == "__main__":
    sys.exit(main())
