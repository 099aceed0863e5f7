"""``tamdesk report pack``: the workbooks of a period into a folder for a scheduled job, optionally emailed; every
failure one sentence on stderr, exit code 1, and no file left behind."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from tamdesk.__main__ import main
from tamdesk.services.base import Context
from tamdesk.services.database import close_database, open_database
from tamdesk.services.email import save_smtp_settings
from tamdesk.services.report_pack import named_period
from tests.db.test_email import Server, free_port, run_server

Cli = Callable[..., tuple[int, str, str]]
KINDS = ("sla", "defects", "escalations", "seats", "onboarding")


@pytest.fixture
def server() -> Iterator[Server]:
    yield from run_server()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    customers = tmp_path / "customers.csv"
    customers.write_text("Name,Email domains,Time zone,Country,TAM\nAcme,acme.com,Europe/Berlin,DE,Ann Ross\n")
    assert main(["--db", str(path), "init"]) == 0
    assert main(["--db", str(path), "import", "customers", str(customers)]) == 0
    return path


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    return folder


@pytest.fixture
def cli(db: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    capsys.readouterr()

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), "report", "pack", *argv])
        stdout, stderr = capsys.readouterr()
        return code, stdout.rstrip("\n"), stderr.rstrip("\n")

    return run


def use_smtp(db: Path, server: Server, **changes: object) -> None:
    open_database(db)
    try:
        save_smtp_settings(Context(actor="Tess"), replace(server.settings, **changes))  # type: ignore[arg-type]
    finally:
        close_database()


def test_last_month_by_default(cli: Cli, out: Path) -> None:
    tag = named_period("last-month", datetime.now(UTC).date()).tag
    code, stdout, stderr = cli("--out-dir", str(out), "--tz", "UTC")
    names = [f"tamdesk-{kind}-{tag}.xlsx" for kind in KINDS]
    assert (code, stderr) == (0, "")
    assert stdout.endswith(f"5 workbooks written to {out} ({', '.join(names)}).")
    assert sorted(os.listdir(out)) == sorted(names)
    assert openpyxl.load_workbook(out / names[0]).sheetnames[0] == "Summary"


def test_a_chosen_period_names_the_files(cli: Cli, out: Path) -> None:
    code, stdout, _ = cli("--out-dir", str(out), "--from", "2026-11-03", "--to", "2026-11-20")
    assert code == 0
    assert "tamdesk-sla-2026-11-03_2026-11-20.xlsx" in os.listdir(out)
    code, stdout, _ = cli("--out-dir", str(out), "--period", "last-quarter")
    assert code == 0 and "-Q" in stdout


def test_sent_to_every_recipient(cli: Cli, db: Path, out: Path, server: Server) -> None:
    use_smtp(db, server)
    code, stdout, stderr = cli("--out-dir", str(out), "--email", "mia@vendor.example,lu@vendor.example",
                               "--email", "kim@vendor.example")  # fmt: skip
    assert (code, stderr) == (0, "")
    assert stdout.endswith("; sent to mia@vendor.example, lu@vendor.example, kim@vendor.example.")
    [(envelope, message)] = server.mailbox.received
    assert len(list(message.iter_attachments())) == 5
    assert sorted(envelope.rcpt_tos) == ["kim@vendor.example", "lu@vendor.example", "mia@vendor.example"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--out-dir", "{out}/missing"), "Cannot write the report pack to {out}/missing: the folder does not exist."),
        (("--out-dir", "{out}", "--email", "mia@vendor.example, bo@@vendor"),
         "'bo@@vendor' is not a valid email address; nothing was written or sent."),
        (("--out-dir", "{out}", "--email", "mia@vendor.example"),
         "No SMTP server is set up to send the pack: enter one in Settings > Email."),
        (("--out-dir", "{out}", "--from", "2026-11-20", "--to", "2026-11-03"),
         "The period must not end before it starts: 2026-11-20 is after 2026-11-03."),
        (("--out-dir", "{out}", "--from", "2026-11-01"),
         "Give both --from and --to (the first and the last day of the period)."),
        (("--out-dir", "{out}", "--from", "2026-11-01", "--to", "2026-11-30", "--period", "this-month"),
         "Give either --period or --from and --to, not both."),
        (("--out-dir", "{out}", "--from", "1 Nov", "--to", "2026-11-30"),
         "--from '1 Nov' is not a date such as 2026-03-01."),
    ],
)  # fmt: skip
def test_bad_input_is_one_sentence_and_writes_nothing(
    cli: Cli, out: Path, argv: tuple[str, ...], expected: str
) -> None:
    code, stdout, stderr = cli(*(arg.format(out=out) for arg in argv))
    assert (code, stdout) == (1, "")
    assert stderr == f"tamdesk report pack: {expected.format(out=out)}"
    assert os.listdir(out) == []


def test_an_smtp_failure_is_one_sentence_and_writes_nothing(cli: Cli, db: Path, out: Path, server: Server) -> None:
    use_smtp(db, server, port=free_port())
    code, stdout, stderr = cli("--out-dir", str(out), "--email", "mia@vendor.example")
    assert (code, stdout) == (1, "")
    assert stderr.startswith(f"tamdesk report pack: The pack was not sent, so nothing was written to {out}: The SMTP")
    assert stderr.count("\n") == 0 and stderr.endswith(".")
    assert os.listdir(out) == []
