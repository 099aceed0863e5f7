"""Exports leave nothing behind and never replace a database: temporary files beside the target, stale ones cleaned."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

import tamdesk
from tamdesk.__main__ import main
from tamdesk.reports.xlsx import TEMP_FILE, Column, ColumnKind, DocProps, ExportError, SheetSpec, write_workbook
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.database import close_database, open_database

pytestmark = pytest.mark.sqlite_only

ROOT = Path(tamdesk.__file__).resolve().parent.parent
PROPS = DocProps(title="Report", creator="Tess Tam", created=datetime(2026, 3, 10, 14, 30, tzinfo=UTC))
COLUMNS = [Column("Customer", ColumnKind.TEXT), Column("Tickets", ColumnKind.INT)]


def sheets(rows: int) -> list[SheetSpec]:
    data = ((f"Confidential customer {n}", n) for n in range(rows))
    return [SheetSpec("Summary", COLUMNS, [("Acme", 1)]), SheetSpec("Tickets", COLUMNS, data)]


@pytest.fixture
def system_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tempfile.gettempdir() for this test: an empty folder of its own."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_a_killed_export_leaves_no_report_data_in_the_system_temp_folder(tmp_path: Path) -> None:
    out, system = tmp_path / "out", tmp_path / "system-temp"
    out.mkdir()
    system.mkdir()
    code = textwrap.dedent("""
        import os, signal, sys
        from datetime import UTC, datetime
        from pathlib import Path
        from tamdesk.reports.xlsx import Column, ColumnKind, DocProps, SheetSpec, write_workbook
        columns = [Column("Customer", ColumnKind.TEXT), Column("Tickets", ColumnKind.INT)]
        rows = ((f"Confidential customer {n}", n) for n in range(5000))

        def progress(done):
            if done >= 3000:  # mid-way through the sheet: as if the machine or the user killed it
                os.kill(os.getpid(), signal.SIGKILL)

        props = DocProps(title="Report", creator="Tess Tam", created=datetime(2026, 3, 10, tzinfo=UTC))
        write_workbook(Path(sys.argv[1]), [SheetSpec("Tickets", columns, rows)], properties=props, progress=progress)
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(system), "TEMP": str(system), "TMP": str(system)}
    result = subprocess.run([sys.executable, "-c", code, str(out / "sla.xlsx")], env=env, timeout=120, check=False)
    assert result.returncode == -signal.SIGKILL
    assert list(system.iterdir()) == []  # openpyxl used to stream the rows into openpyxl.XXXXXX here
    left = sorted(p.name for p in out.iterdir())
    assert left and all(TEMP_FILE.fullmatch(name) for name in left), left  # our names, beside the target
    assert not (out / "sla.xlsx").exists()
    spooled = [p for p in out.iterdir() if ".s1." in p.name]
    assert b"Confidential customer 2000" in spooled[0].read_bytes()  # yes, report data: hence they must go
    if os.name != "nt":
        assert all((p.stat().st_mode & 0o077) == 0 for p in spooled)  # and, meanwhile, only the user reads them

    # The next export into that folder removes them once they are clearly abandoned (an hour old)
    old = time.time() - 2 * 3600
    for path in out.iterdir():
        os.utime(path, (old, old))
    write_workbook(out / "other.xlsx", sheets(3), properties=PROPS)
    assert sorted(p.name for p in out.iterdir()) == ["other.xlsx"]


def test_an_export_that_fails_half_way_leaves_no_temporary_file(tmp_path: Path, system_temp: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()

    def rows() -> object:
        for n in range(2500):
            yield (f"Confidential customer {n}", n)
        raise RuntimeError("the database went away")

    spec = [SheetSpec("Summary", COLUMNS, [("Acme", 1)]), SheetSpec("Tickets", COLUMNS, rows())]  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="went away"):
        write_workbook(out / "sla.xlsx", spec, properties=PROPS)
    assert list(out.iterdir()) == []
    assert list(system_temp.iterdir()) == []


def test_a_successful_export_streams_beside_the_target_and_leaves_only_the_workbook(
    tmp_path: Path, system_temp: Path
) -> None:
    write_workbook(tmp_path / "sla.xlsx", sheets(2500), properties=PROPS)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["sla.xlsx"]
    assert list(system_temp.iterdir()) == []


def test_fresh_and_foreign_temporary_files_are_left_alone(tmp_path: Path) -> None:
    in_progress = tmp_path / ".sla.xlsx.0123abcd.tmp"  # another export, running now
    foreign = tmp_path / ".notes.txt.0123abcd.tmp"  # not ours
    old_foreign = tmp_path / "draft.tmp"
    for path in (in_progress, foreign, old_foreign):
        path.write_bytes(b"x")
    old = time.time() - 2 * 3600
    os.utime(foreign, (old, old))
    os.utime(old_foreign, (old, old))
    write_workbook(tmp_path / "other.xlsx", sheets(3), properties=PROPS)
    assert in_progress.exists() and foreign.exists() and old_foreign.exists()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_export_onto_the_open_database_is_refused_and_the_database_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "book.xlsx"  # a database file whose name passes for a workbook
    open_database(db, create=True)
    create_customer(Context(), CustomerInput(name="Acme"))
    close_database()
    before = digest(db)
    assert main(["--db", str(db), "export", "sla", "--out", str(db)]) == 1
    err = capsys.readouterr().err
    assert err == f"tamdesk export sla: Cannot write {db}: it is the open tamdesk database; choose another file name\n"
    assert digest(db) == before
    assert not [p for p in tmp_path.iterdir() if TEMP_FILE.fullmatch(p.name)]


def test_export_onto_any_other_database_file_is_refused(tmp_path: Path, db_path: Path) -> None:
    other = tmp_path / "copy.xlsx"
    other.write_bytes(db_path.read_bytes())
    before = digest(other)
    with pytest.raises(ExportError, match="it is a database, not a workbook"):
        write_workbook(other, sheets(3), properties=PROPS)
    assert digest(other) == before
    write_workbook(tmp_path / "fine.xlsx", sheets(3), properties=PROPS)  # an ordinary target is still written
    write_workbook(tmp_path / "fine.xlsx", sheets(3), properties=PROPS)  # and replaced
