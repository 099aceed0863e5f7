"""The what-if workbook: a draft policy or calendar against the rules in force, for the manager who signs it off.

Sheets: Summary (the header block, what the draft changes, the figures per severity and the total), By month (the
figures per month and severity) and Changed tickets (every ticket whose verdict the draft changes, with both
deadlines). Rates are fractions shown as percentages; a change is draft minus now in percentage points.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from tamdesk.reports.sla import plural, scoped_header
from tamdesk.reports.xlsx import Column, ColumnKind, DocProps, SheetSpec, write_workbook
from tamdesk.services.what_if import ComparisonLine, Verdict, VerdictChange, WhatIf

K = ColumnKind
Cancelled = Callable[[], bool]
_POINTS = "+0.0%;-0.0%;0.0%"  # a change in percentage points, signed

_RATES = (
    Column("Tickets", K.INT, width=9),
    Column("FR % now", K.PERCENT, width=11),
    Column("FR % draft", K.PERCENT, width=12),
    Column("FR change", K.PERCENT, width=11, number_format=_POINTS),
    Column("Upd. % now", K.PERCENT, width=12),
    Column("Upd. % draft", K.PERCENT, width=13),
    Column("Upd. change", K.PERCENT, width=12, number_format=_POINTS),
    Column("Verdicts changed", K.INT, width=17),
)
SUMMARY_COLUMNS = (Column("Severity", width=14), *_RATES)
MONTH_COLUMNS = (Column("Month", width=9), Column("Severity", width=14), *_RATES)
CHANGE_COLUMNS = (
    Column("Ticket", width=11),
    Column("Customer", width=18, wrap=True),
    Column("Subject", width=26, wrap=True),
    Column("Severity", width=11),
    Column("Opened", K.DATETIME, width=16),
    Column("First response", K.DATETIME, width=16),
    Column("FR due now", K.DATETIME, width=16),
    Column("FR due draft", K.DATETIME, width=16),
    Column("FR now", width=9),
    Column("FR draft", width=9),
    Column("Missed updates now", K.INT, width=10),
    Column("Missed updates draft", K.INT, width=10),
    Column("Change", width=26, wrap=True),
)
DEFINITIONS = (
    "FR %: first responses met of those due (one overdue now counts as missed). Upd. %: tickets with every "
    "customer update kept, of those with a first response. Change: draft minus now, in percentage points.",
)


def _rates(line: ComparisonLine) -> list[Any]:
    now, draft = line.now, line.draft
    return [
        line.tickets, now.first_response_rate, draft.first_response_rate, line.first_response_change,
        now.update_rate, draft.update_rate, line.update_change, line.changed,
    ]  # fmt: skip


def _severity(line: ComparisonLine) -> str:
    return line.severity.label if line.severity is not None else "All"


def _verdict(verdict: Verdict) -> str:
    return "Not due" if verdict.met is None else "Met" if verdict.met else "Missed"


def _change_row(change: VerdictChange) -> list[Any]:
    return [
        change.number, change.customer, change.subject, change.severity.label, change.opened,
        change.first_response_at, change.now.first_response_due, change.draft.first_response_due,
        _verdict(change.now), _verdict(change.draft), change.now.missed, change.draft.missed, change.change,
    ]  # fmt: skip


def write_what_if(
    result: WhatIf,
    path: str | Path,
    *,
    exported_at: datetime,
    exported_by: str,
    progress: Callable[[int], None] | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the comparison ``result`` to ``path`` (replaced only once complete).

    Raises:
        ExportError: the file cannot be written. ExportCancelled: ``cancelled`` returned True; no file is left.
    """
    scope = result.scope
    policy = f"{result.now_rules} now; {result.draft_rules}: not saved"

    def header(what: str, notes: Sequence[str] = ()) -> list[str]:
        return scoped_header(what, scope, period_of="tickets opened", exported_at=exported_at,
                             exported_by=exported_by, sla_policy=policy, notes=notes)  # fmt: skip

    title = f"What-if: {result.subject}"
    as_of = f"Verdicts as of {result.now.astimezone(scope.tz):%Y-%m-%d %H:%M}."
    summary_notes = [f"Draft: {result.draft_changes}.", *result.notes, *DEFINITIONS, as_of]
    if not result.tickets:
        summary_notes.append("No tickets of these customers were opened in this period.")
    sheets = [
        SheetSpec(
            "Summary", SUMMARY_COLUMNS, [[_severity(line), *_rates(line)] for line in result.severities],
            header_lines=header(title, summary_notes), totals=["Total", *_rates(result.total)], one_page=True,
        ),
        SheetSpec(
            "By month", MONTH_COLUMNS, [[line.month, _severity(line), *_rates(line)] for line in result.lines],
            header_lines=header(f"{title}: by month and severity", DEFINITIONS), data=True,
        ),
        SheetSpec(
            "Changed tickets", CHANGE_COLUMNS, [_change_row(change) for change in result.changes],
            header_lines=header(f"{title}: tickets whose verdict changes", [as_of]), data=True,
        ),
    ]  # fmt: skip
    properties = DocProps(
        title=title, creator=exported_by, subject=f"{result.draft_changes}; {scope.period_label}",
        description=f"{plural(result.tickets, 'ticket')}, {plural(len(result.changes), 'verdict')} changed",
        created=exported_at,
    )  # fmt: skip
    return write_workbook(path, sheets, properties=properties, tz=scope.tz, progress=progress, cancelled=cancelled)
