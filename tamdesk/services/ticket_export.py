"""Reading a ticket export into tickets, without writing anything: the import and its preview share this.

``plan_import`` reads the header row, detects the tool that wrote the file (or takes the one the user names),
maps its columns, detects its date order, reads every row through the source's vocabularies, matches customers
and says what the source cannot tell. Problems are collected, never raised one by one, so the import can list
every bad row and the preview can show them beside the rows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tamdesk.domain import sources as src
from tamdesk.domain.export_dates import (
    AmbiguousDateOrder,
    DateOrder,
    minutes,
    parse_export_time,
    scan_date_order,
    signed_duration,
)
from tamdesk.domain.names import name_key
from tamdesk.domain.severity import Severity
from tamdesk.domain.sources import PRESETS, Detection, ImportSource, detect_source
from tamdesk.domain.states import TicketStatus
from tamdesk.domain.timestamps import zone
from tamdesk.services.base import FieldError
from tamdesk.services.customer_match import (
    NO_NAME,
    CustomerChoices,
    CustomerIndex,
    UnmatchedCustomer,
    check_mapped,
    customer_index,
    email_domain,
)
from tamdesk.services.export_files import HeaderRow, read_header_row, read_rows
from tamdesk.services.tabular import ImportFailed, ImportField, header_key
from tamdesk.services.ticket_lists import TicketsCancelled
from tamdesk.services.tickets import (
    EARLIEST_OPENED,
    FUTURE_GRACE,
    MAX_NUMBER_LENGTH,
    MAX_SUBJECT_LENGTH,
    clean_subject,
    number_key,
    number_problem,
    time_problem,
    too_long,
)

Cancelled = Callable[[], bool]
CLOSED = (TicketStatus.SOLVED, TicketStatus.CLOSED)
TIME_MEANING = "a time as the export writes it (ISO, 12/7/2026 9:15 AM, 7.12.2026 09:15, 07/Dec/26 9:15 AM)"
TICKET_FIELDS = (
    ImportField("Ticket", True, "the ticket number (letter case does not count); an existing ticket is updated"),
    ImportField("Customer", True, "a customer's name, or a name it is also known as"),
    ImportField("Subject", True, f"free text, at most {MAX_SUBJECT_LENGTH} characters"),
    ImportField("Severity", True, "1-4, Sev1, P1, Urgent, High, Normal, Low"),
    ImportField("Status", False, "new, open, pending, on hold, solved, closed …"),
    ImportField("Opened", True, TIME_MEANING),
    ImportField("First response", False, "time of the first support response"),
    ImportField("Resolved", False, "time the ticket was solved"),
)
MEANINGS = {f.label: f.meaning for f in TICKET_FIELDS} | {
    src.CUSTOMER: "the organization or account: matched to a customer by name or a name it is also known as",
    src.REQUESTER_EMAIL: "the requester's email address or domain: matched to a customer's email domains",
    src.SEVERITY: "the source's priority (urgent…low, Critical…Low, Highest…Lowest, P1-P4)",
    src.STATUS: "the source's status (pending, Waiting on Customer, Waiting for customer …)",
    src.UPDATED: "when the source last changed the ticket",
    src.FIRST_REPLY_MINUTES: "calendar minutes from created to the first reply (Zendesk)",
    src.FIRST_REPLY_BUSINESS_MINUTES: "business minutes to the first reply, Zendesk's own SLA figure",
    src.REOPENS: "how many times the ticket was reopened",
    src.FIRST_RESPONSE_SLA: "the SLA's remaining time (negative when breached), JSM's own verdict",
    src.RESOLUTION_SLA: "the resolution SLA's remaining time (negative when breached)",
    src.MILESTONE: "the case milestone's name (a report of cases with milestones has a row per milestone)",
    src.MILESTONE_COMPLETED: "when the milestone was completed",
    src.MILESTONE_VIOLATED: "whether the milestone was violated, Salesforce's own verdict",
    src.MILESTONE_TARGET: "when the milestone was due",
}
DATE_FIELDS = (src.OPENED, src.UPDATED, src.RESOLVED, src.FIRST_RESPONSE, src.MILESTONE_COMPLETED,
               src.MILESTONE_TARGET)  # fmt: skip
_DATE_KEYS = tuple((label, header_key(label)) for label in DATE_FIELDS)
_FIRST_RESPONSE_MILESTONE = re.compile(r"(first|initial).*(response|reply)|^response", re.IGNORECASE)
_RESOLUTION_MILESTONE = re.compile(r"resol|close", re.IGNORECASE)


def fields_for(source: ImportSource) -> tuple[ImportField, ...]:
    """What an import of ``source`` reads, in the preset's order."""
    if source is ImportSource.TAMDESK:
        return TICKET_FIELDS
    preset = PRESETS[source]
    return tuple(ImportField(label, label in preset.required, MEANINGS[label]) for label in preset.headers)


@dataclass(frozen=True)
class TicketImportOptions:
    """Everything a user can say about an import; the command line and the Import… dialog fill the same.

    Attributes:
        source: the tool that wrote the file; None detects it from the header row.
        tz: the exporter's zone, for times without an offset.
        date_order: how numeric dates are written; None detects it (and refuses a file where it cannot).
        columns: field label → file header, over the preset's own columns (``""`` leaves an optional field out).
        customers: what to do with organization names that match no customer.
    """

    source: ImportSource | None = None
    tz: str = "UTC"
    date_order: DateOrder | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    customers: CustomerChoices = field(default_factory=CustomerChoices)
    encoding: str | None = None  # of a CSV file without a BOM; None: UTF-8, else cp1252


@dataclass(frozen=True)
class SourceFacts:
    """What the support system itself concluded about a ticket's SLA (kept beside tamdesk's own verdict)."""

    first_reply_business_minutes: int | None = None
    first_response_breached: bool | None = None
    resolution_breached: bool | None = None
    first_response_target: datetime | None = None

    @property
    def any(self) -> bool:
        return (self.first_reply_business_minutes, self.first_response_breached, self.resolution_breached) != (
            None, None, None,
        )  # fmt: skip


@dataclass(slots=True)
class ParsedTicket:
    """One ticket as the export states it, checked; ``customer_id`` is None until matched."""

    line: int
    number: str
    organization: str
    domain: str
    subject: str
    severity: Severity
    status: TicketStatus
    opened: datetime
    first_response: datetime | None
    resolved: datetime | None
    updated: datetime | None = None
    facts: SourceFacts = SourceFacts()
    reopens: int = 0
    customer_id: int | None = None


@dataclass
class ImportPlan:
    """What reading a file found: the tickets to write, every problem, and what to tell the user."""

    path: Path
    head: HeaderRow
    detection: Detection
    source: ImportSource
    fields: tuple[ImportField, ...]
    mapping: dict[str, str]
    date_order: DateOrder | None = None
    date_order_ambiguous: bool = False
    date_columns: tuple[str, ...] = ()
    tickets: list[ParsedTicket] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    row_problems: dict[int, str] = field(default_factory=dict)
    unmatched: list[UnmatchedCustomer] = field(default_factory=list)
    unparsed: list[tuple[int, str, str]] = field(default_factory=list)  # bad rows' line, organization, domain
    skipped: int = 0
    total_rows: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    def header_of(self, label: str) -> str:
        """The file's header feeding ``label`` (the label itself when it feeds nothing)."""
        return self.mapping.get(label, label)


def _zone(tz: str) -> ZoneInfo:
    try:
        return zone(tz)
    except ValueError as exc:
        raise FieldError("tz", f"--tz: {exc}.") from None


def _merge_columns(source: ImportSource, headers: Sequence[str], columns: Mapping[str, str]) -> dict[str, str]:
    """The preset's columns the file has, overridden by the user's ``columns`` (field labels matched loosely)."""
    if source is ImportSource.TAMDESK:
        merged: dict[str, str] = {}
    else:
        merged = PRESETS[source].mapping(headers)
    by_key = {header_key(label): label for label in merged}
    for name, header in columns.items():
        label = by_key.get(header_key(name))
        if label is not None:
            del merged[label]
        merged[name] = header
    return merged


def _choose_source(path: Path, options: TicketImportOptions) -> tuple[HeaderRow, Detection, ImportSource]:
    forced = options.source

    def accept(headers: Sequence[str]) -> bool:
        if forced is not None:
            return not PRESETS[forced].missing(headers) or bool(options.columns)
        return detect_source(headers).source is not None

    head = read_header_row(path, accept, options.encoding, keep_sheet=True)
    detection = detect_source(head.headers)
    if forced is not None:
        missing = PRESETS[forced].missing(head.headers)
        if missing and not options.columns:
            listed = ", ".join(repr(m) for m in missing)
            raise ImportFailed(path.name, [f"the file is not a {forced.label}: it has no column {listed}; name the "
                                           "columns that hold them with --column"])  # fmt: skip
        return head, detection, forced
    if detection.source is not None:
        return head, detection, detection.source
    if options.columns or any(s is ImportSource.TAMDESK for s, _ in detection.near_misses):
        return head, detection, ImportSource.TAMDESK  # the columns say the rest; read_rows names what is missing
    raise ImportFailed(path.name, [f"the header row matches no ticket export tamdesk reads: {detection.describe()}; "
                                   "name the source with --source or the columns with --column"])  # fmt: skip


def _fold_domain_only(
    unmatched: dict[str, list[int]], domains: dict[str, dict[str, None]], domain_only: set[str]
) -> None:
    """A ticket without an organization whose requester's domain is that of exactly one unmatched organization of
    the same file belongs to it: one decision serves both, and creating the organization never also creates a
    second customer named after its domain (which would then own the same domain and match neither)."""
    owners: dict[str, set[str]] = defaultdict(set)
    for key in unmatched:
        if key not in domain_only:
            for domain in domains[key]:
                owners[domain].add(key)
    for key in [k for k in unmatched if k in domain_only]:
        found = owners.get(next(iter(domains[key]), ""), set())
        if len(found) == 1:
            owner = next(iter(found))
            unmatched[owner] = sorted(unmatched[owner] + unmatched.pop(key))
            domains.pop(key, None)


def plan_import(
    path: str | Path, options: TicketImportOptions, now: datetime, cancelled: Cancelled | None = None
) -> ImportPlan:
    """Read and check the whole file; nothing is written. Problems are in ``plan.problems``.

    Raises:
        ImportFailed: the file cannot be read, matches no known export, or its columns cannot be mapped.
        FieldError: ``options.tz`` is no time zone.
        TicketsCancelled: ``cancelled`` said so.
    """
    tz = _zone(options.tz)
    path = Path(path)
    head, detection, source = _choose_source(path, options)
    fields = fields_for(source)
    columns = _merge_columns(source, head.headers, options.columns)
    table = read_rows(path, head, fields, columns, options.encoding)
    head = replace(head, grid=None)  # the loaded sheet is read: let it go
    mapping = {f.label: head.headers[table.headers.index(f.key)] for f in fields if f.key in table.headers}
    plan = ImportPlan(path, head, detection, source, fields, mapping, total_rows=len(table.rows))
    rows = _merge_milestones(list(table.rows)) if "milestone" in table.headers else list(table.rows)
    del table
    _decide_date_order(plan, rows, options.date_order)
    if plan.date_order_ambiguous:
        return plan
    index = customer_index()
    plan.problems.extend(check_mapped(index, options.customers))
    _parse_rows(plan, rows, tz, now, cancelled)
    _match_customers(plan, index, options.customers)
    _say_what_the_source_cannot_tell(plan)
    plan.problems.sort(key=_row_order)
    return plan


def _row_order(problem: str) -> int:
    """Problems of the whole file first, then by the (first) row they name."""
    match = re.match(r"row (\d+)", problem)
    return int(match[1]) if match else 0


def _merge_milestones(rows: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
    """A Salesforce report of cases with milestones has a row per case milestone: one row per case, with the first
    response milestone's completion and violation, and the resolution milestone's violation."""
    merged: dict[str, tuple[int, dict[str, Any]]] = {}
    for line, row in rows:
        number = number_key(str(row.get("ticket") or ""))
        if number not in merged:
            merged[number] = (line, {k: v for k, v in row.items() if not k.startswith("milestone")})
        case = merged[number][1]
        name = str(row.get("milestone") or "")
        if _FIRST_RESPONSE_MILESTONE.search(name):
            if row.get("milestonecompleted") not in (None, ""):  # else the mapped field, if any, stays
                case["firstresponse"] = row.get("milestonecompleted")
            case["firstresponsebreached"] = row.get("milestoneviolated")
            case["firstresponsetarget"] = row.get("milestonetarget")
        elif _RESOLUTION_MILESTONE.search(name):
            case["resolutionbreached"] = row.get("milestoneviolated")
    return list(merged.values())


def _decide_date_order(plan: ImportPlan, rows: list[tuple[int, dict[str, Any]]], chosen: DateOrder | None) -> None:
    keys = [header_key(label) for label in DATE_FIELDS] + ["firstresponsetarget"]
    plan.date_columns = tuple(plan.header_of(label) for label in DATE_FIELDS if label in plan.mapping)
    if chosen is not None:
        plan.date_order = chosen
        return
    values = (value for _, row in rows for k in keys if (value := row.get(k)) and isinstance(value, str))
    try:
        plan.date_order, numeric = scan_date_order(values)
    except ValueError as exc:
        plan.problems.append(f"the dates in {', '.join(repr(c) for c in plan.date_columns)}: {exc}")
        return
    if plan.date_order is None and numeric:
        plan.date_order_ambiguous = True
        plan.problems.append(str(AmbiguousDateOrder(plan.date_columns)))


class _Vocabulary:
    """Unknown priority and status values, with the rows that hold them, told once per value."""

    def __init__(self) -> None:
        self.unknown: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.seen: dict[str, dict[str, None]] = defaultdict(dict)
        self.known: dict[tuple[str, str], Severity | TicketStatus] = {}

    def problems(self, plan: ImportPlan) -> list[str]:
        said = []
        for (label, value), lines in self.unknown.items():
            header = plan.header_of(label)
            rows = ", ".join(str(n) for n in lines[:10]) + (" …" if len(lines) > 10 else "")
            kind = "priorities" if label == src.SEVERITY else "statuses"
            known = (", ".join(src.PRIORITIES[plan.source]) + ", P1-P4" if label == src.SEVERITY
                     else src.status_vocabulary(plan.source))  # fmt: skip
            found = ", ".join(repr(v) for v in self.seen[label])
            said.append(
                f"row {rows}: {header} '{value}' is not one of the {plan.source.label}'s {kind} tamdesk reads "
                f"({known}); the file's {header} values are {found}"
            )
        return said


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if value.__class__ is str:
        return value.strip()  # type: ignore[no-any-return]
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(row: Mapping[str, Any]) -> str:
    number = _text(row, "ticket")
    return number[:-2] if number.endswith(".0") and number[:-2].isdigit() else number


def _parse_rows(
    plan: ImportPlan, rows: list[tuple[int, dict[str, Any]]], tz: ZoneInfo, now: datetime, cancelled: Cancelled | None
) -> None:
    vocabulary = _Vocabulary()
    seen: dict[str, tuple[int, str]] = {}
    for count in range(len(rows)):
        line, row = rows[count]
        rows[count] = (line, {})  # the row's cells are not needed once read: a 100,000-row file halves its peak
        if cancelled and count % 1000 == 0 and cancelled():
            raise TicketsCancelled("The ticket import was cancelled; nothing was imported.")
        try:
            ticket = _parse_row(plan, line, row, tz, now, vocabulary)
        except ValueError as exc:
            if str(exc):
                plan.row_problems[line] = str(exc)
                plan.problems.append(f"row {line}: {exc}")
            plan.unparsed.append((line, _text(row, "customer"), email_domain(row.get("requesteremail"))))
            continue
        key = number_key(ticket.number)
        if key in seen:
            earlier, written = seen[key]
            written = "" if written == ticket.number else f" (as {written})"
            message = f"{plan.header_of(src.TICKET)} {ticket.number} also appears in row {earlier}{written}"
            plan.row_problems[line] = message
            plan.problems.append(f"row {line}: {message}")
            continue
        seen[key] = (line, ticket.number)
        plan.tickets.append(ticket)
    plan.problems.extend(vocabulary.problems(plan))


def _parse_row(
    plan: ImportPlan, line: int, row: Mapping[str, Any], tz: ZoneInfo, now: datetime, vocabulary: _Vocabulary
) -> ParsedTicket:
    """One row, or ValueError with every problem of the row joined (an empty one: only vocabulary problems)."""
    problems: list[str] = []
    source, header = plan.source, plan.header_of
    number = _number(row)
    if refused := number_problem(number):  # the ticket dialog's rules: a number with a control character is refused
        problems.append(refused)
    elif not number:
        problems.append(f"{header(src.TICKET)} is empty")
    elif len(number) > MAX_NUMBER_LENGTH and (long := too_long(header(src.TICKET), number, MAX_NUMBER_LENGTH)):
        problems.append(long)
    subject = clean_subject(_text(row, "subject"))
    if not subject:
        problems.append(f"{header(src.SUBJECT)} is empty")
    elif len(subject) > MAX_SUBJECT_LENGTH and (long := too_long(header(src.SUBJECT), subject, MAX_SUBJECT_LENGTH)):
        problems.append(long)
    known = vocabulary.known
    raw = _text(row, "severity")
    severity: Severity | None = known.get((src.SEVERITY, raw))  # type: ignore[assignment]
    unknown_value = False
    if severity is None:
        severity, unknown_value = _vocabulary_value(plan, vocabulary, line, src.SEVERITY, raw, problems)
    status: TicketStatus | None = None
    raw = _text(row, "status")
    if raw or (source is not ImportSource.TAMDESK and src.STATUS in plan.mapping):
        status = known.get((src.STATUS, raw))  # type: ignore[assignment]
        if status is None:
            status, unknown = _vocabulary_value(plan, vocabulary, line, src.STATUS, raw, problems)
            unknown_value = unknown_value or unknown
    times: dict[str, datetime | None] = {}
    read: dict[Any, datetime] = {}  # an export repeats a time in a row (updated = solved): read it once
    for label, key in _DATE_KEYS:
        value = row.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            times[label] = None
            continue
        known_time = read.get((type(value), value))
        if known_time is not None:
            times[label] = known_time
            continue
        try:
            times[label] = read[type(value), value] = parse_export_time(value, tz, plan.date_order)
        except ValueError as exc:
            times[label] = None
            problems.append(f"{header(label)}: {exc}")
    facts, first_response, reopens = _source_facts(plan, row, times, tz, problems)
    opened = times[src.OPENED]
    if opened is None and not any(p.startswith(f"{header(src.OPENED)}:") for p in problems):
        problems.append(f"{header(src.OPENED)} is empty")
    resolved = times[src.RESOLVED]
    latest = now + FUTURE_GRACE
    for label, moment in ((src.OPENED, opened), (src.FIRST_RESPONSE, first_response), (src.RESOLVED, resolved)):
        if not moment:
            continue
        # time_problem's bounds first: calling it for each of 300,000 times is slow
        out_of_range = moment < EARLIEST_OPENED or moment > latest
        if out_of_range and (problem := time_problem(header(label), moment, now)):
            problems.append(problem)
        elif opened and moment < opened:
            problems.append(
                f"{header(label)} {moment:%Y-%m-%d %H:%M} UTC is before {header(src.OPENED)} "
                f"{opened:%Y-%m-%d %H:%M} UTC"
            )
    if problems:
        raise ValueError("; ".join(problems))
    if unknown_value:
        raise ValueError("")
    assert severity is not None and opened is not None
    status, resolved = _status_and_resolved(source, status, first_response, resolved)
    return ParsedTicket(
        line, number, _text(row, "customer"), email_domain(row.get("requesteremail")), subject, severity, status,
        opened, first_response, resolved, times[src.UPDATED], facts, reopens,
    )  # fmt: skip


def _vocabulary_value(
    plan: ImportPlan, vocabulary: _Vocabulary, line: int, label: str, raw: str, problems: list[str]
) -> tuple[Any, bool]:
    """A severity or status value seen for the first time, remembered; (None, True) when the source has no such
    value (told once per value with its rows), (None, False) with the problem added for tamdesk's own columns."""
    source = plan.source
    vocabulary.seen[label].setdefault(raw, None)
    try:
        if label == src.SEVERITY:
            value: Severity | TicketStatus = src.severity_for(source, raw)
        else:
            value = src.status_for(source, raw)
    except ValueError as exc:
        if source is ImportSource.TAMDESK:
            message = str(exc)
            problems.append(message if message.startswith(label) else f"{label}: {message}")
            return None, False
        vocabulary.unknown[(label, raw)].append(line)
        return None, True
    vocabulary.known[(label, raw)] = value
    return value, False


_FACT_READERS: tuple[tuple[str, str, Callable[[Any], Any]], ...] = (
    (src.FIRST_REPLY_MINUTES, "firstreplyminutes", minutes),
    (src.FIRST_REPLY_BUSINESS_MINUTES, "firstreplybusinessminutes", minutes),
    (src.REOPENS, "reopens", minutes),
    (src.FIRST_RESPONSE_SLA, "firstresponsesla", signed_duration),
    (src.RESOLUTION_SLA, "resolutionsla", signed_duration),
    (src.MILESTONE_VIOLATED, "firstresponsebreached", src.flag),
    (src.MILESTONE_VIOLATED, "resolutionbreached", src.flag),
)


def _source_facts(
    plan: ImportPlan, row: Mapping[str, Any], times: Mapping[str, datetime | None], tz: ZoneInfo, problems: list[str]
) -> tuple[SourceFacts, datetime | None, int]:
    """The source's SLA facts, the first response it states (Zendesk: created + calendar minutes) and reopens."""
    header = plan.header_of
    values: list[Any] = []  # in _FACT_READERS order
    for label, key, read in _FACT_READERS:
        cell = row.get(key)
        if cell is None:
            values.append(None)
            continue
        try:
            values.append(read(cell))
        except ValueError as exc:
            values.append(None)
            problems.append(f"{header(label)}: {exc}")
    reply_minutes, business_minutes, reopens, first_sla, resolution_sla, first_breached, resolution_breached = values
    first_response = times[src.FIRST_RESPONSE]
    opened = times[src.OPENED]
    if plan.source is ImportSource.ZENDESK and reply_minutes is not None and opened is not None:
        first_response = opened + timedelta(minutes=reply_minutes)
    target = None
    if row.get("firstresponsetarget"):
        try:
            target = parse_export_time(row["firstresponsetarget"], tz, plan.date_order)
        except ValueError as exc:
            problems.append(f"{header(src.MILESTONE_TARGET)}: {exc}")
    stated = (
        business_minutes,
        first_sla < timedelta(0) if first_sla is not None else first_breached,
        resolution_sla < timedelta(0) if resolution_sla is not None else resolution_breached,
        target,
    )
    facts = _FACTS.get(stated)
    if facts is None:  # a file states few distinct facts: tickets share them (SourceFacts is frozen)
        facts = SourceFacts(*stated)
        if len(_FACTS) < 10_000:
            _FACTS[stated] = facts
    return facts, first_response, reopens or 0


_FACTS: dict[tuple[Any, ...], SourceFacts] = {}


def _status_and_resolved(
    source: ImportSource, status: TicketStatus | None, first_response: datetime | None, resolved: datetime | None
) -> tuple[TicketStatus, datetime | None]:
    if source is ImportSource.TAMDESK:
        if resolved and status not in CLOSED:
            return TicketStatus.SOLVED, resolved
        if status is None:  # no status given: what the events say, as for a ticket recorded in the app
            return (TicketStatus.OPEN if first_response else TicketStatus.NEW), resolved
        return status, resolved
    if status is None:
        status = TicketStatus.OPEN if first_response else TicketStatus.NEW
    if status not in CLOSED:
        return status, None  # solved once and reopened since: when it reopened, the export does not say
    return status, resolved


def _match_customers(plan: ImportPlan, index: CustomerIndex, choices: CustomerChoices) -> None:
    unmatched: dict[str, list[int]] = {}
    domains: dict[str, dict[str, None]] = defaultdict(dict)
    domain_only: set[str] = set()  # unmatched entries named after a requester domain: the ticket had no organization
    matched: list[ParsedTicket] = []
    label = plan.header_of(src.CUSTOMER)
    rows: list[tuple[int, str, str, ParsedTicket | None]] = [
        (p.line, p.organization, p.domain, p) for p in plan.tickets
    ]
    rows += [(line, organization, domain, None) for line, organization, domain in plan.unparsed]
    rows.sort(key=lambda row: row[0])
    known: dict[tuple[str, str], int | None] = {}
    for line, organization, domain, ticket in rows:
        if (organization, domain) not in known:
            known[organization, domain] = index.match(organization, domain)
        cid = known[organization, domain]
        if cid is None:
            name = organization or domain or NO_NAME
            decision = choices.decision(name)
            if decision == "map":
                cid = index.named(choices.target(name))
            elif decision == "skip":
                plan.skipped += ticket is not None
                continue
            if cid is None:
                key = next((k for k in unmatched if name_key(k) == name_key(name)), name)
                unmatched.setdefault(key, []).append(line)
                if not organization and domain:
                    domain_only.add(key)
                if domain:
                    domains[key].setdefault(domain, None)
                if decision != "create":
                    if plan.source is ImportSource.TAMDESK:
                        said = f"{label} '{name}' is not a known customer" if organization else f"{label} is empty"
                        plan.problems.append(f"row {line}: {said}")
                        earlier = plan.row_problems.get(line)
                        plan.row_problems[line] = f"{earlier}; {said}" if earlier else said
                    continue
        if ticket is not None:
            ticket.customer_id = cid
            matched.append(ticket)
    plan.tickets = matched
    _fold_domain_only(unmatched, domains, domain_only)
    plan.unmatched = [UnmatchedCustomer(name, tuple(lines), tuple(domains[name])) for name, lines in unmatched.items()]
    if plan.source is ImportSource.TAMDESK:
        return
    for item in plan.unmatched:
        if choices.decision(item.name) is None:
            listed = ", ".join(str(n) for n in item.rows[:10]) + (" …" if item.tickets > 10 else "")
            plan.problems.append(
                f"row {listed}: {label} '{item.name}' matches no customer by name, also-known-as name or requester "
                f'domain; map it (--map "{item.name}=CUSTOMER"), create it (--create-customers) or skip its '
                "tickets (--skip-unknown)"
            )
        elif choices.decision(item.name) == "create" and item.name == NO_NAME:
            plan.problems.append(f"row {item.rows[0]}: a ticket without an organization cannot create a customer")


def _tickets(count: int, one: str, many: str) -> str:
    """``1 ticket waits``, ``2 tickets wait``."""
    return f"1 ticket {one}" if count == 1 else f"{count:,} tickets {many}"


def _say_what_the_source_cannot_tell(plan: ImportPlan) -> None:
    """The facts a source's export does not hold, said in the summary rather than invented."""
    tickets = plan.tickets
    if plan.source is ImportSource.TAMDESK or not tickets:
        return
    label = plan.source.label
    waiting = sum(1 for t in tickets if t.status is TicketStatus.WAITING_ON_CUSTOMER)
    if waiting:
        plan.notes.append(
            f"{_tickets(waiting, 'waits', 'wait')} on the customer now; the {label} does not say since when, "
            "so their update clock is not paused until that is recorded."
        )
    no_response = sum(1 for t in tickets if t.first_response is None and t.status is not TicketStatus.NEW)
    if no_response:
        plan.notes.append(
            f"{_tickets(no_response, 'has', 'have')} no first response time in the {label}; tamdesk cannot "
            "judge their first response"
            + (" (JSM's own SLA verdict is kept)" if plan.source is ImportSource.JSM else "")
            + "."
        )
    reopened = sum(1 for t in tickets if t.reopens)
    if reopened:
        plan.notes.append(
            f"{_tickets(reopened, 'was', 'were')} reopened; the {label} says how many times but not when, so "
            "only the last solve is in their history."
        )
    plan.notes.append(f"The {label} holds no later responses, so customer-update clocks come from tamdesk only.")
