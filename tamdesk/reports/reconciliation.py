"""The reconciliation workbook: a support system's SLA verdicts beside tamdesk's (Summary, Disagreements, Compared)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import Any

from tamdesk.reports.xlsx import Column, ColumnKind, DocProps, SheetSpec, header_lines, write_workbook
from tamdesk.services.base import Context
from tamdesk.services.reconciliation import Reconciliation, ReconciliationLine

K = ColumnKind
SUMMARY_COLUMNS = (Column("Figure", width=36), Column("Tickets", K.INT))
LINE_COLUMNS = (  # data sheets: widths that print at 70% or more (see xlsx.MAX_PRINT_WIDTH), titles that wrap
    Column("Ticket", width=14),
    Column("Customer", width=18, wrap=True),
    Column("Severity", width=11),
    Column("Opened", K.DATETIME, width=15),
    Column("First response", K.DATETIME, width=15),
    Column("SLA policy", width=14, wrap=True),
    Column("Source figure", width=20, wrap=True),
    Column("Source: met", K.YES_NO),
    Column("tamdesk figure", width=24, wrap=True),
    Column("tamdesk: met", K.YES_NO),
    Column("Agree", K.YES_NO),
    Column("Reason", width=28, wrap=True),
)


def _rows(lines: Sequence[ReconciliationLine]) -> Iterator[Sequence[Any]]:
    for line in lines:
        yield (line.number, line.customer, line.severity.label, line.opened, line.first_response, line.policy,
               line.source_figure, line.source_met, line.tamdesk_figure, line.tamdesk_met, line.agrees,
               line.reason)  # fmt: skip


def export_reconciliation(ctx: Context, path: str | Path, found: Reconciliation, *, tz: tzinfo, file_name: str) -> Path:
    """Write the workbook for the import of ``file_name``; times in ``tz``."""
    exported_at = ctx.now()
    source = found.source.label

    def header(what: str) -> list[str]:
        return header_lines(what, exported_at=exported_at, exported_by=ctx.actor, tz=tz,
                            filters={"Import": file_name, "Source": source})  # fmt: skip

    summary = [
        ("Tickets compared", found.compared),
        ("Agree", found.agree),
        ("Disagree", found.compared - found.agree),
        ("Disagree, with a reason tamdesk can tell", sum(1 for d in found.disagreements if d.reason)),
    ]
    sheets = [
        SheetSpec("Summary", SUMMARY_COLUMNS, summary, header_lines=header(f"SLA reconciliation: {found.summary}"),
                  one_page=True),
        SheetSpec("Disagreements", LINE_COLUMNS, _rows(found.disagreements),
                  header_lines=header(f"First-response verdicts where the {source} and tamdesk disagree"), data=True),
        SheetSpec("Compared", LINE_COLUMNS, _rows(found.lines),
                  header_lines=header(f"Every ticket whose first response both the {source} and tamdesk judge"),
                  data=True),
    ]  # fmt: skip
    props = DocProps(
        title=f"SLA reconciliation: {file_name}", creator=ctx.actor, subject="SLA reconciliation",
        keywords="tamdesk; SLA; reconciliation", created=exported_at,
    )  # fmt: skip
    return write_workbook(path, sheets, properties=props, tz=tz)
