"""What each support system's priorities and statuses mean, and telling its export by the header row.

Vocabularies follow the tools' documentation named in tests/fixtures/exports/README.md: Zendesk "Exporting data to
a JSON, CSV, or XML file"; Salesforce's Case picklists; Atlassian "Reporting on SLAs" for JSM.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tamdesk.domain.severity import Severity
from tamdesk.domain.sources import ImportSource, detect_source, flag, severity_for, status_for
from tamdesk.domain.states import TicketStatus

EXPORTS = Path(__file__).parent.parent / "fixtures" / "exports"
Z, SF, J, TD = ImportSource.ZENDESK, ImportSource.SALESFORCE, ImportSource.JSM, ImportSource.TAMDESK
S, T = Severity, TicketStatus


@pytest.mark.parametrize(
    ("source", "priority", "severity"),
    [
        (Z, "Urgent", S.URGENT), (Z, "high", S.HIGH), (Z, "Normal", S.NORMAL), (Z, "LOW", S.LOW),
        (SF, "Critical", S.URGENT), (SF, "High", S.HIGH), (SF, "Medium", S.NORMAL), (SF, "Low", S.LOW),
        (J, "Highest", S.URGENT), (J, "High", S.HIGH), (J, "Medium", S.NORMAL), (J, "Low", S.LOW),
        (J, "Lowest", S.LOW),
        (Z, "P1", S.URGENT), (SF, "P2 - High", S.HIGH), (J, "p4", S.LOW),
        (TD, "Sev1", S.URGENT), (TD, "3", S.NORMAL), (TD, "Urgent", S.URGENT),
    ],
)  # fmt: skip
def test_priorities_map_to_severities(source: ImportSource, priority: str, severity: Severity) -> None:
    assert severity_for(source, priority) is severity


@pytest.mark.parametrize(
    ("source", "status", "expected"),
    [
        (Z, "New", T.NEW), (Z, "Open", T.OPEN), (Z, "Pending", T.WAITING_ON_CUSTOMER),
        (Z, "Hold", T.WAITING_ON_ENGINEERING), (Z, "On-hold", T.WAITING_ON_ENGINEERING), (Z, "Solved", T.SOLVED),
        (Z, "Closed", T.CLOSED),
        (SF, "New", T.NEW), (SF, "Working", T.OPEN), (SF, "Escalated", T.OPEN),
        (SF, "Waiting on Customer", T.WAITING_ON_CUSTOMER), (SF, "On Hold", T.WAITING_ON_ENGINEERING),
        (SF, "Closed", T.CLOSED),
        (J, "Open", T.OPEN), (J, "Waiting for support", T.OPEN), (J, "Waiting for customer", T.WAITING_ON_CUSTOMER),
        (J, "In Progress", T.OPEN), (J, "Pending", T.WAITING_ON_ENGINEERING), (J, "Resolved", T.SOLVED),
        (J, "Closed", T.CLOSED), (J, "Canceled", T.CLOSED),
        (TD, "waiting_on_customer", T.WAITING_ON_CUSTOMER), (TD, "pending", T.WAITING_ON_CUSTOMER),
        (TD, "on hold", T.WAITING_ON_ENGINEERING),
    ],
)  # fmt: skip
def test_statuses_map_to_tamdesk_statuses(source: ImportSource, status: str, expected: TicketStatus) -> None:
    assert status_for(source, status) is expected


@pytest.mark.parametrize(
    ("source", "value", "said"),
    [
        (Z, "Whenever", "Priority 'Whenever' is not one of Zendesk ticket export's priorities"),
        (SF, "", "Priority is empty"),
        (J, "Major-ish", "Priority 'Major-ish' is not one of Jira Service Management issue export's priorities"),
    ],
)
def test_an_unknown_priority_is_refused(source: ImportSource, value: str, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        severity_for(source, value)


@pytest.mark.parametrize(("source", "value"), [(Z, "Frozen"), (SF, "Pending"), (J, "On hold")])
def test_an_unknown_status_is_refused(source: ImportSource, value: str) -> None:
    with pytest.raises(ValueError, match=f"Status '{value}' is not one of"):
        status_for(source, value)


def _headers(name: str) -> list[str]:
    with (EXPORTS / name).open(newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


@pytest.mark.parametrize(
    ("name", "source"),
    [("zendesk_tickets.csv", Z), ("salesforce_cases.csv", SF), ("jsm_issues.csv", J)],
)
def test_the_fixture_exports_are_detected(name: str, source: ImportSource) -> None:
    assert detect_source(_headers(name)).source is source


def test_tamdesk_columns_are_detected() -> None:
    assert detect_source(["Ticket", "Customer", "Subject", "Severity", "Opened"]).source is TD


def test_a_near_miss_names_what_it_lacks() -> None:
    found = detect_source(["Case Number", "Subject", "Status", "Account Name", "Date/Time Opened"])
    assert found.source is None
    assert found.describe() == "it nearly matches a Salesforce case report (no 'Priority')"
    assert detect_source(["A", "B"]).describe().startswith("it matches none of the exports tamdesk knows")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, True), (0, False), ("true", True), ("No", False), ("", None), (None, None), (1.0, True)],
)
def test_flags(value: object, expected: bool | None) -> None:
    assert flag(value) is expected
