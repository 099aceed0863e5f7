"""``tamdesk export calendar --out FILE.ics [--mine]`` as a scheduled job runs it: one line on success, one sentence
on stderr and exit code 1 on a bad path, and never a file left behind by a failure.

The written file is read back with the ``icalendar`` package (``Calendar.from_ical``, as its usage chapter shows)
and with ``vobject``; RFC 5545 §3.8.4.7 asks UIDs to be globally unique and persistent, which two runs check.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import pytest
import vobject

from tamdesk.__main__ import main
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.database import close_database, open_database
from tamdesk.services.identity import save_name


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Two customers, each with one open follow-up, Tess being the TAM of the first."""
    path = tmp_path / "tamdesk.db"
    open_database(path, create=True)
    ctx = Context(actor="Tess Tam", clock=lambda: datetime(2026, 3, 10, 14, 30, tzinfo=UTC))
    for name, zone, tam, what in (
        ("Kabushiki Tokyo", "Asia/Tokyo", "Tess Tam", "Send the notes"),
        ("Hudson Bank", "America/New_York", "Omar Other", "Book the QBR"),
    ):
        customer = create_customer(ctx, CustomerInput(name=name, time_zone=zone, tam=tam))
        t.FollowUp.create(customer=customer, what=what, due_on=date(2026, 3, 20), created_at=ctx.now())
    save_name("Tess Tam")
    close_database()
    return path


def _summaries(path: Path) -> list[str]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))


def test_export_prints_what_it_wrote(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "all.ics"
    code, out, err = run(capsys, "--db", str(db), "export", "calendar", "--out", str(out_file))
    assert (code, err) == (0, "")
    events = len(_summaries(out_file))
    assert out == f"Wrote {events} events to {out_file}.\n"
    assert "Follow-up · Hudson Bank: Book the QBR" in _summaries(out_file)
    parsed = vobject.readOne(out_file.read_text(encoding="utf-8"))
    assert len(parsed.vevent_list) == events
    uids = sorted(ev.uid.value for ev in parsed.vevent_list)
    assert run(capsys, "--db", str(db), "export", "calendar", "--out", str(out_file))[0] == 0
    again = vobject.readOne(out_file.read_text(encoding="utf-8"))
    assert sorted(ev.uid.value for ev in again.vevent_list) == uids


def test_mine_keeps_the_users_customers(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "mine.ics"
    code, out, _ = run(capsys, "--db", str(db), "export", "calendar", "--out", str(out_file), "--mine")
    assert code == 0
    summaries = _summaries(out_file)
    assert "Follow-up · Kabushiki Tokyo: Send the notes" in summaries
    assert not [s for s in summaries if "Hudson Bank" in s]
    assert out == f"Wrote {len(summaries)} events to {out_file}.\n"


def test_one_event_is_said_in_the_singular(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "one.db"
    open_database(path, create=True)
    ctx = Context(actor="Tess Tam")
    customer = create_customer(ctx, CustomerInput(name="Solo", tam="Tess Tam"))
    t.OnboardingStep.delete().execute()
    t.FollowUp.create(customer=customer, what="Call back", due_on=date(2026, 3, 20), created_at=ctx.now())
    close_database()
    out_file = tmp_path / "one.ics"
    assert run(capsys, "--db", str(path), "export", "calendar", "--out", str(out_file)) == (
        0,
        f"Wrote 1 event to {out_file}.\n",
        "",
    )


def _read_only(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder nobody may write in; as root (who may write anywhere) the refusal the system would give is made."""
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):
        real_open = os.open

        def refuse(path: str | os.PathLike[str], *args: object, **kwargs: object) -> int:
            if Path(path).parent == folder:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "open", refuse)


BAD_PATHS = [
    ("calendar.xlsx", "a calendar file's name must end in .ics"),
    ("calendar", "a calendar file's name must end in .ics"),
    ("missing/calendar.ics", "folder {out}/missing does not exist"),
    ("a-folder.ics", "it is a folder"),
    ("notes.ics", "it exists and is not a calendar file, so it is left as it is; choose another name"),
    ("locked/calendar.ics", "folder {out}/locked is not writable"),
]


@pytest.mark.parametrize(("name", "reason"), BAD_PATHS)
def test_a_bad_path_is_one_sentence_and_no_file(
    capsys: pytest.CaptureFixture[str],
    db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    reason: str,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a-folder.ics").mkdir()
    (out / "notes.ics").write_text("My notes")
    (out / "locked").mkdir()
    _read_only(out / "locked", monkeypatch)
    target = out / name
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    code, stdout, err = run(capsys, "--db", str(db), "export", "calendar", "--out", str(target))
    assert (code, stdout) == (1, "")
    assert err == f"tamdesk export calendar: Cannot write {target}: {reason.format(out=out)}.\n"
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert (out / "notes.ics").read_text() == "My notes"
    (out / "locked").chmod(0o755)


def test_mine_without_a_matching_name_is_refused(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    open_database(db)
    save_name("")
    close_database()
    out_file = tmp_path / "mine.ics"
    code, out, err = run(capsys, "--db", str(db), "export", "calendar", "--out", str(out_file), "--mine")
    assert (code, out) == (1, "")
    assert err.startswith("tamdesk export calendar: Your name is not set, so no customer is yours: ")
    assert err.count("\n") == 1
    assert not out_file.exists()


def test_the_option_out_is_required(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db), "export", "calendar"])
    assert exit_info.value.code == 2
    assert "--out" in capsys.readouterr().err
