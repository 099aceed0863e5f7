"""The report pack: every workbook of a period in one folder, sent through a real SMTP server on loopback, and
nothing left behind when the folder, a workbook or the server fails."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from tamdesk.domain.severity import Severity
from tamdesk.reports import pack as pack_module
from tamdesk.reports.pack import write_pack
from tamdesk.reports.xlsx import ExportCancelled, ExportError
from tamdesk.secrets import SecretStore
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.email import EmailError
from tamdesk.services.report_pack import PackError, custom_period, named_period, parse_recipients
from tamdesk.services.tickets import TicketInput, create_ticket
from tests.db.test_email import REFUSED_RECIPIENT, Server, free_port, run_server

KINDS = ("sla", "defects", "escalations", "seats", "onboarding")
FEBRUARY = named_period("last-month", date(2026, 3, 10))


@pytest.fixture
def server() -> Iterator[Server]:
    yield from run_server()


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    customer = create_customer(ctx, CustomerInput(name="Acme", email_domains=["acme.com"]))
    opened = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
    create_ticket(ctx, TicketInput("SUP-1", customer, "Orders stop", Severity.URGENT, opened))
    return customer


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The pack's folder (the database lives in ``tmp_path`` itself)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    return folder


def cells(path: Path, sheet: str) -> list[object]:
    book = openpyxl.load_workbook(path, read_only=True)
    return [cell for row in book[sheet].iter_rows(values_only=True) for cell in row if cell is not None]


def test_periods() -> None:
    assert (FEBRUARY.start, FEBRUARY.end, FEBRUARY.file_name("sla")) == (
        date(2026, 2, 1), date(2026, 3, 1), "tamdesk-sla-2026-02.xlsx"
    )  # fmt: skip
    january = named_period("last-month", date(2026, 1, 31))
    assert (january.start, january.end, january.tag) == (date(2025, 12, 1), date(2026, 1, 1), "2025-12")
    december = named_period("this-month", date(2026, 12, 7))
    assert (december.start, december.end, december.tag) == (date(2026, 12, 1), date(2027, 1, 1), "2026-12")
    quarter = named_period("last-quarter", date(2026, 2, 15))
    assert (quarter.start, quarter.end, quarter.tag) == (date(2025, 10, 1), date(2026, 1, 1), "2025-Q4")
    assert custom_period(date(2026, 11, 1), date(2026, 11, 30)).tag == "2026-11"
    assert custom_period(date(2026, 11, 3), date(2026, 11, 20)).tag == "2026-11-03_2026-11-20"
    with pytest.raises(PackError, match="2026-11-20 is after 2026-11-03"):
        custom_period(date(2026, 11, 20), date(2026, 11, 3))
    with pytest.raises(PackError, match="'fortnight' is not one of last-month"):
        named_period("fortnight", date(2026, 3, 10))


def test_recipients_are_split_checked_and_named() -> None:
    assert parse_recipients(["ann@vendor.example, Bo@vendor.example", "ann@vendor.example"]) == [
        "ann@vendor.example", "Bo@vendor.example"
    ]  # fmt: skip
    with pytest.raises(PackError, match="'bo@@vendor' is not a valid email address"):
        parse_recipients(["ann@vendor.example,bo@@vendor"])


def test_every_workbook_of_the_period_is_written(acme: int, ctx: Context, out: Path) -> None:
    result = write_pack(ctx, FEBRUARY, out, tz=UTC)
    names = [f"tamdesk-{kind}-2026-02.xlsx" for kind in KINDS]
    assert sorted(os.listdir(out)) == sorted(names)
    assert [p.name for p in result.files] == names
    assert result.summary.startswith(f"Report pack for February 2026: 5 workbooks written to {out} (tamdesk-sla-")
    assert "SUP-1" in cells(out / names[0], "Tickets")
    assert "Filters: Onboarding started: 2026-02-01 to 2026-02-28" in cells(out / names[4], "Summary")
    assert openpyxl.load_workbook(out / names[1]).sheetnames[0] == "Summary"


def test_a_period_without_data_writes_honest_empty_workbooks(db_path: Path, ctx: Context, out: Path) -> None:
    result = write_pack(ctx, FEBRUARY, out, tz=UTC)
    assert len(result.files) == 5
    assert "SUP-1" not in cells(result.files[0], "Tickets")
    assert all(openpyxl.load_workbook(path).sheetnames for path in result.files)


def test_the_pack_is_sent_as_one_message(acme: int, ctx: Context, out: Path, server: Server) -> None:
    result = write_pack(
        ctx, FEBRUARY, out, tz=UTC, recipients=["mia@vendor.example"], smtp=server.settings,
        secret_store=SecretStore(),
    )  # fmt: skip
    assert result.summary.endswith("; sent to mia@vendor.example.")
    [(envelope, message)] = server.mailbox.received
    assert envelope.rcpt_tos == ["mia@vendor.example"]
    assert message["Subject"] == "tamdesk reports — February 2026"
    attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert sorted(attachments) == sorted(p.name for p in result.files)
    book = openpyxl.load_workbook(io.BytesIO(attachments["tamdesk-sla-2026-02.xlsx"]))
    assert book.sheetnames[0] == "Summary"


def test_an_smtp_failure_leaves_no_file(acme: int, ctx: Context, out: Path, server: Server) -> None:
    before = out / "tamdesk-sla-2026-02.xlsx"
    before.write_bytes(b"last run's file")
    for settings, recipient in ((replace(server.settings, port=free_port()), "mia@vendor.example"),
                                (server.settings, REFUSED_RECIPIENT)):  # fmt: skip
        with pytest.raises(EmailError, match=f"^The pack was not sent, so nothing was written to {out}: The SMTP"):
            write_pack(ctx, FEBRUARY, out, tz=UTC, recipients=[recipient], smtp=settings,
                       secret_store=SecretStore())  # fmt: skip
        assert os.listdir(out) == [before.name]
    assert before.read_bytes() == b"last run's file"
    assert server.mailbox.received == []


def test_a_missing_or_read_only_folder_is_refused(
    db_path: Path, ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(PackError, match=r"^Cannot write the report pack to .*missing: the folder does not exist\.$"):
        write_pack(ctx, FEBRUARY, tmp_path / "missing", tz=UTC)
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    if os.access(read_only, os.W_OK):  # root may write anywhere: refuse as the OS would for anyone else
        real_mkdir = Path.mkdir

        def refuse(self: Path, *args: object, **kwargs: object) -> None:
            if self.parent == read_only:
                raise PermissionError(13, "Permission denied", str(self))
            real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Path, "mkdir", refuse)
    try:
        with pytest.raises(
            PackError, match=r"^Cannot write the report pack to .*read-only: the folder is read-only\.$"
        ):
            write_pack(ctx, FEBRUARY, read_only, tz=UTC)
        assert os.listdir(read_only) == []
    finally:
        read_only.chmod(0o755)


def test_a_failing_workbook_takes_the_others_with_it(
    db_path: Path, ctx: Context, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise ExportError("Cannot write the onboarding status: disk full")

    workbooks = list(pack_module.WORKBOOKS)
    workbooks[-1] = ("onboarding", "onboarding status", fail)
    monkeypatch.setattr(pack_module, "WORKBOOKS", tuple(workbooks))
    with pytest.raises(ExportError, match="disk full"):
        write_pack(ctx, FEBRUARY, out, tz=UTC)
    assert os.listdir(out) == []


def test_cancel_leaves_nothing_and_progress_reaches_the_end(db_path: Path, ctx: Context, out: Path) -> None:
    seen: list[tuple[int, int]] = []
    with pytest.raises(ExportCancelled):
        write_pack(ctx, FEBRUARY, out, tz=UTC, progress=lambda d, t: seen.append((d, t)),
                   cancelled=lambda: len(seen) > 3)  # fmt: skip
    assert os.listdir(out) == []
    seen.clear()
    write_pack(ctx, FEBRUARY, out, tz=UTC, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (1000, 1000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_an_old_staging_folder_is_cleaned_up(db_path: Path, ctx: Context, out: Path) -> None:
    stale = out / ".tamdesk-pack-0123abcd.tmp"
    stale.mkdir()
    (stale / "tamdesk-sla-2026-02.xlsx").write_bytes(b"half")
    os.utime(stale, (0, 0))
    write_pack(ctx, FEBRUARY, out, tz=UTC)
    assert not stale.exists()
