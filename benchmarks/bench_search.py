"""Time Search everywhere (Ctrl+K) on a large database: plain ASCII needles and ones with other letters.

SQLite's LIKE folds ASCII letters only, so a needle such as ``MÜLLER`` is matched through the Unicode ``casefold``
SQL function, which costs a Python call per row; this shows what that costs next to the usual case.

Run by hand: ``.venv/bin/python benchmarks/bench_search.py [--db PATH] [--repeat N]``. Without ``--db`` it builds
a 100,000-ticket sample database in a temporary folder first (about 15 s).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tamdesk.services.base import Context
from tamdesk.services.database import close_database, open_database
from tamdesk.services.demo import generate_demo
from tamdesk.services.search import search

NEEDLES = ("SUP-100123", "acme", "upgrade fails", "ENG-4", "zz-no-such-thing", "Müller", "ÖSTERREICH", "ærø")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing tamdesk database (default: build a sample one)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "bench.db"
        open_database(path)
        if args.db is None:
            print("building 1,000 customers / 100,000 tickets …", flush=True)
            generate_demo(Context(), customers=1_000, tickets=100_000)
        print(f"{'needle':<20} {'hits':>5} {'best ms':>8} {'median ms':>10}")
        for needle in NEEDLES:
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                hits = search(needle)
                times.append((time.perf_counter() - start) * 1000)
            print(f"{needle:<20} {len(hits):>5} {min(times):>8.1f} {statistics.median(times):>10.1f}")
        close_database()


if __name__ == "__main__":
    main()
