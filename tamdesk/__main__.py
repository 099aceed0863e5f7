"""``tamdesk`` / ``python -m tamdesk``: a command, or the app when no command is given."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def _open_app(db: str | None) -> int:
    from tamdesk.app import run  # Qt is loaded only when the app is opened

    return run(db)


def main(argv: Sequence[str] | None = None) -> int:
    from tamdesk.cli import main as cli_main

    return cli_main(argv, open_app=_open_app)


if __name__ == "__main__":
    sys.exit(main())
