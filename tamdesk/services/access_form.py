"""The portal access form round trip: what goes into the form, and applying a returned form as seat requests.

A returned form is checked as a whole by ``domain.seats.check_roster`` against the seats already held, then
applied in one transaction or not at all. Rows are matched to current seats by address (case ignored): a row
identical to its seat is unchanged, one that changes the seat's details is a warning the TAM confirms.
The workbook writer is ``reports.access_form``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from tamdesk.domain.file_limits import MAX_FORM_SHEETS
from tamdesk.domain.mailbox import InvalidAddress, normalize_domain
from tamdesk.domain.seats import SeatCandidate, SeatCheck, SeatField
from tamdesk.domain.states import SeatStatus
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, ValidationFailed, record_audit
from tamdesk.services.import_files import check_readable, check_workbook
from tamdesk.services.onboarding import record_access_form
from tamdesk.services.seats import (
    SeatInput,
    SeatRow,
    accepted_note,
    check_candidates,
    clean_input,
    create_seat,
    customer_domains,
    customer_record,
    seat_overview,
    update_seat,
)
from tamdesk.services.tabular import ImportFailed, header_key

FORM_COLUMNS = ("Full name", "Email", "Job title", "Phone")
"""The form's table header, written by the report and looked for by the reader."""

Outcome = Literal["new", "unchanged", "error", "warning"]

_HEADER_ALIASES = {
    "full_name": {"fullname", "name"},
    "email": {"email", "emailaddress", "mail"},
    "job_title": {"jobtitle", "title", "position", "role"},
    "phone": {"phone", "phonenumber", "telephone", "mobile"},
}
_LABELS = dict(zip(_HEADER_ALIASES, FORM_COLUMNS, strict=True))
_HEADER_SCAN_ROWS = 60
_MAX_DATA_ROWS = 500


# -- the form going out ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessFormData:
    """What the access form shows: the customer, its TAM and allowance, and the current seat holders."""

    customer_id: int
    customer_name: str
    tam: str
    tam_email: str
    allowance: int
    domains: tuple[str, ...]
    holders: tuple[SeatRow, ...]

    @property
    def empty_rows(self) -> int:
        """Blank rows for new users, up to the allowance."""
        return max(self.allowance - len(self.holders), 0)


def access_form_data(customer_id: int) -> AccessFormData:
    """The contents of a customer's access form."""
    overview = seat_overview(customer_id)
    customer = t.Customer.get_by_id(customer_id)
    tam = customer.tam if customer.tam_id else None
    return AccessFormData(
        customer_id=customer.id,
        customer_name=customer.name,
        tam=tam.name if tam else "",
        tam_email=tam.email if tam else "",
        allowance=customer.seat_allowance,
        domains=tuple(_display_domain(d) for d in customer_domains(customer)),
        holders=overview.seats,
    )


def _display_domain(domain: str) -> str:
    try:
        return normalize_domain(domain)  # xn--mller-kva.de reads müller.de
    except InvalidAddress:
        return domain


def mark_access_form_sent(ctx: Context, customer_id: int) -> None:
    """Record that the access form went to the customer (completes the checklist step)."""
    customer_record(customer_id)
    record_access_form(ctx, customer_id, sent=True)


# -- the form coming back -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewRow:
    """One filled row of a returned form and what applying it would do; ``seat_no`` is the seat it takes.

    ``errors`` and ``warnings`` are every problem of the row, not only the first: a row over the allowance also
    says that its address is on a foreign domain. The outcome is the worst of them.
    """

    line: int
    full_name: str
    email: str
    job_title: str
    phone: str
    outcome: Outcome
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    seat_no: int | None = None

    @property
    def messages(self) -> tuple[str, ...]:
        """Every problem of the row, errors first."""
        return (*self.errors, *self.warnings)


@dataclass(frozen=True)
class AccessFormPreview:
    """Every filled row of a returned form; the counts are rows per outcome.

    ``notes`` is information on the form as a whole that blocks nothing, such as current seat holders the form
    no longer lists (they keep their seats until the TAM revokes them). ``form_errors`` are problems of the form as
    a whole, such as more people than the allowance; the rows they concern carry the same message.
    """

    rows: tuple[PreviewRow, ...]
    notes: tuple[str, ...] = ()
    form_errors: tuple[str, ...] = ()

    @property
    def errors(self) -> int:
        return self._count("error")

    @property
    def warnings(self) -> int:
        return self._count("warning")

    @property
    def new(self) -> int:
        return self._count("new")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    def problems(self, level: Literal["error", "warning"]) -> list[str]:
        """``row 12: <message>`` for every error (or warning) of every row; errors of the whole form first."""
        whole = list(self.form_errors) if level == "error" else []
        rows = [
            f"row {r.line}: {m}"
            for r in self.rows
            for m in (r.errors if level == "error" else r.warnings)
            if m not in whole
        ]
        return whole + rows

    @property
    def problem_count(self) -> int:
        """Errors and warnings of all rows together."""
        return sum(len(r.messages) for r in self.rows)

    @property
    def rows_with_problems(self) -> int:
        return sum(1 for r in self.rows if r.messages)

    @property
    def problem_summary(self) -> str:
        """``3 rows with 5 problems``, or ``No problems``."""
        if not self.problem_count:
            return "No problems"
        return f"{_plural(self.rows_with_problems, 'row')} with {_plural(self.problem_count, 'problem')}"

    @property
    def summary(self) -> str:
        counts = f"{self.new} new, {self.unchanged} unchanged, {self.warnings} with warnings, {self.errors} with errors"
        return f"{_plural(len(self.rows), 'row')}: {counts}."

    def _count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)


@dataclass(frozen=True)
class AccessFormResult:
    customer_name: str
    requested: int
    updated: int
    unchanged: int
    notes: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        applied = (
            f"Access form of {self.customer_name} applied: {_plural(self.requested, 'seat')} requested, "
            f"{self.updated} updated, {self.unchanged} unchanged."
        )
        return " ".join([applied, *(f"{note}." for note in self.notes)])


class WarningsNotAccepted(ImportFailed):
    """The form has warnings only, which the TAM has not accepted; nothing was changed."""

    def __init__(self, source: str, preview: AccessFormPreview) -> None:
        super().__init__(source, preview.problems("warning"))
        self.preview = preview


def preview_access_form(customer_id: int, path: str | Path) -> AccessFormPreview:
    """What applying the returned form at ``path`` would do, row by row; changes nothing.

    Raises:
        ImportFailed: the file cannot be read as an access form (every reason in one message).
        NotFound: the customer no longer exists.
    """
    customer = customer_record(customer_id)
    return _plan(customer, read_access_form(path)).preview


def apply_access_form(
    ctx: Context, customer_id: int, path: str | Path, *, accept_warnings: bool = False
) -> AccessFormResult:
    """Apply a returned form as seat requests in one transaction, and record the form as returned.

    Raises:
        ImportFailed: the file is unreadable or a row breaks a rule (every bad row listed); nothing changed.
        WarningsNotAccepted: there are warnings and ``accept_warnings`` is False; nothing changed.
        NotFound: the customer no longer exists.
    """
    source = Path(path).name
    rows = read_access_form(path)
    with database.atomic():
        customer = customer_record(customer_id)
        plan = _plan(customer, rows)
        preview = plan.preview
        if preview.errors:
            raise ImportFailed(source, preview.problems("error"))
        if preview.warnings and not accept_warnings:
            raise WarningsNotAccepted(source, preview)
        requested, updated = _apply(ctx, customer, plan, source)
        record_access_form(ctx, customer.id, returned=True)
    return AccessFormResult(customer.name, requested, updated, preview.unchanged, preview.notes)


# -- reading the file -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormRow:
    """A filled row as read; ``formulas`` names the columns that held a formula instead of text."""

    line: int
    data: SeatInput
    formulas: tuple[str, ...] = ()


def read_access_form(path: str | Path) -> list[FormRow]:
    """The filled rows of a returned access form (.xlsx): the table under the instructions, found by its header.

    Raises:
        ImportFailed: the file is missing, not an .xlsx workbook, damaged, password-protected, has no Email
            column or lists nobody.
    """
    path = Path(path)
    source = path.name
    _check_file(path)
    rows = _sheet_rows(path)
    if not any(_present(c.value) for _, cells in rows for c in cells):
        raise ImportFailed(source, ["the workbook is empty"])
    found = _find_header(rows)
    if found is None:
        raise ImportFailed(source, [f"no 'Email' column: the table must have the headers {', '.join(FORM_COLUMNS)}"])
    at, columns = found
    if "full_name" not in columns:
        raise ImportFailed(source, ["no 'Full name' column next to the 'Email' column"])
    result = [_form_row(line, cells, columns) for line, cells in rows[at + 1 :] if _filled(cells, columns)]
    if not result:
        raise ImportFailed(source, ["the form lists nobody: fill in one row per user under the headers"])
    if len(result) > _MAX_DATA_ROWS:
        raise ImportFailed(source, [f"the form has more than {_MAX_DATA_ROWS} filled rows; it takes one per seat"])
    return result


def _check_file(path: Path) -> None:
    source = path.name
    if not path.exists():
        raise ImportFailed(source, [f"the file {path} does not exist"])
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ImportFailed(source, [f"'{path.suffix}' files are not access forms; choose the returned .xlsx workbook"])
    check_readable(path, (".xlsx", ".xlsm"))  # a folder, a pipe, an unreadable or oversized file
    if zipfile.is_zipfile(path):
        return
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        reason = "it is password-protected or an old .xls workbook; save it as a plain .xlsx without a password"
    else:
        reason = "it is not an Excel workbook (perhaps a CSV file renamed .xlsx)"
    raise ImportFailed(source, [f"cannot read {source}: {reason}"])


def _sheet_rows(path: Path) -> list[tuple[int, list[Any]]]:
    """Cells of the first sheet that has an Email header (else the first sheet), with their row numbers."""
    import openpyxl

    check_workbook(path, MAX_FORM_SHEETS)  # forms come back from customers: limits before memory
    try:
        # Our own handle: openpyxl leaves its file open when a damaged workbook fails half-way through loading.
        with path.open("rb") as fh:
            book = openpyxl.load_workbook(fh, read_only=True, data_only=False)
            try:
                # A wrong file picked by mistake (a 100,000-row export) is read no further than a form can reach.
                limit = _HEADER_SCAN_ROWS + _MAX_DATA_ROWS + 1
                sheets = [list(enumerate(islice(ws.iter_rows(), limit), start=1)) for ws in book.worksheets]
            finally:
                book.close()
    # openpyxl raises whatever its zip, XML or style parsing hits on a damaged file: all mean the same here.
    except Exception as exc:
        reason = " ".join("".join(c if c.isprintable() else " " for c in str(exc)).split())[:120]
        raise ImportFailed(path.name, [f"cannot read {path.name}: the workbook is damaged ({reason})"]) from None
    for rows in sheets:
        if _find_header(rows) is not None:
            return [(line, list(cells)) for line, cells in rows]
    return [(line, list(cells)) for line, cells in sheets[0]] if sheets else []


def _find_header(rows: Sequence[tuple[int, Sequence[Any]]]) -> tuple[int, dict[str, int]] | None:
    """The index of the header row (the first holding an Email header) and field -> column index."""
    for index, (_, cells) in enumerate(rows[:_HEADER_SCAN_ROWS]):
        keys = [header_key(c.value) if isinstance(c.value, str) else "" for c in cells]
        if not _HEADER_ALIASES["email"] & set(keys):
            continue
        columns: dict[str, int] = {}
        for number, key in enumerate(keys):
            for name, aliases in _HEADER_ALIASES.items():
                if key in aliases and name not in columns:
                    columns[name] = number
        return index, columns
    return None


def _filled(cells: Sequence[Any], columns: dict[str, int]) -> bool:
    return any(_present(cells[i].value) for i in columns.values() if i < len(cells))


def _form_row(line: int, cells: Sequence[Any], columns: dict[str, int]) -> FormRow:
    values: dict[str, str] = {}
    formulas: list[str] = []
    for name in _HEADER_ALIASES:
        cell = cells[columns[name]] if name in columns and columns[name] < len(cells) else None
        if cell is not None and getattr(cell, "data_type", None) == "f":
            formulas.append(_LABELS[name])
        values[name] = _text(cell.value if cell is not None else None)
    return FormRow(line, SeatInput(**values), tuple(formulas))


def _text(value: object) -> str:
    """A cell as the text the customer sees: 4915112345678 (a phone typed as a number) without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _present(value: object) -> bool:
    return value is not None and str(value).strip() != ""


# -- planning and applying ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """Per row: the cleaned input (None when it could not be cleaned), the seat it matches, its check."""

    inputs: tuple[SeatInput | None, ...]
    matches: tuple[t.PortalSeat | None, ...]
    checks: tuple[SeatCheck, ...]
    preview: AccessFormPreview


def _plan(customer: t.Customer, rows: Sequence[FormRow]) -> _Plan:
    """Clean and match every row, check them all at once, and decide each row's outcome."""
    held = {s.email.casefold(): s for s in customer.seats if SeatStatus(s.status).counts}
    inputs: list[SeatInput | None] = []
    matches: list[t.PortalSeat | None] = []
    early: dict[int, list[str]] = {}
    for index, row in enumerate(rows):
        try:
            clean: SeatInput | None = clean_input(row.data)
        except ValidationFailed as exc:
            early[index] = list(exc.errors.values())
            clean = None
        inputs.append(clean)
        matches.append(held.pop(clean.email.casefold(), None) if clean else None)
    checks = _check_rows(customer, rows, inputs, matches)
    # A row kept back by a too-long field still names its holder: only holders no row names are missing.
    listed = {(clean or row.data).email.strip().casefold() for clean, row in zip(inputs, rows, strict=True)}
    missing = sorted((s for key, s in held.items() if key not in listed), key=lambda s: s.seat_no)
    too_many = _over_allowance(customer, rows, checks, missing)
    preview = AccessFormPreview(
        tuple(
            _preview_row(row, inputs[i], matches[i], checks[i], early.get(i, []), too_many)
            for i, row in enumerate(rows)
        ),
        notes=tuple(_not_listed(seat) for seat in missing),
        form_errors=(too_many,) if too_many else (),
    )
    return _Plan(tuple(inputs), tuple(matches), tuple(checks), preview)


def _check_rows(
    customer: t.Customer,
    rows: Sequence[FormRow],
    inputs: Sequence[SeatInput | None],
    matches: Sequence[t.PortalSeat | None],
) -> list[SeatCheck]:
    """Check the rows of current seat holders first, so that a clash with a new row is reported on the new row."""
    order = sorted(range(len(rows)), key=lambda i: matches[i] is None)
    candidates = []
    for i in order:
        shown, match = inputs[i] or rows[i].data, matches[i]
        candidates.append(SeatCandidate(match.seat_no if match else None, shown.full_name, shown.email))
    checked = check_candidates(customer, candidates)
    result: list[SeatCheck | None] = [None] * len(rows)
    for position, i in enumerate(order):
        result[i] = checked[position]
    return [c for c in result if c is not None]


def _preview_row(
    row: FormRow,
    clean: SeatInput | None,
    match: t.PortalSeat | None,
    check: SeatCheck,
    early: list[str],
    too_many: str | None,
) -> PreviewRow:
    shown = clean or row.data
    errors = [*early, *(f"{c} holds a formula; type the value as plain text" for c in row.formulas)]
    changes = _changes(match, shown) if match is not None else ""
    if match is not None and not changes and not errors:
        # The seat is held already and the form changes nothing: rules it was accepted under stay accepted.
        return _row(row, shown, "unchanged", [], [], match.seat_no)
    if check.over_allowance and too_many:
        # The allowance is the form's problem, not this row's: the row says what the whole form is told.
        errors.append(too_many)
        errors += [p.message for p in check.errors if p.field is not SeatField.SEAT]
    else:
        errors += [p.message for p in check.errors]
    # Every warning is told beside the errors: the customer corrects them all in one round trip.
    warnings = [p.message for p in check.warnings]
    if match is not None and changes:
        held_by = f"Seat {match.seat_no} ({match.email}) is held by {match.full_name}"
        warnings.insert(0, f"{held_by}; the form changes {changes}")
    outcome: Outcome = "error" if errors else "warning" if warnings else "new"
    return _row(row, shown, outcome, errors, warnings, check.seat_no)


def _over_allowance(
    customer: t.Customer, rows: Sequence[FormRow], checks: Sequence[SeatCheck], missing: Sequence[t.PortalSeat]
) -> str | None:
    """``The form lists 7 people; Acme's allowance is 5 seats (rows 16–17 are over it)``, or None when all fit."""
    over = [row.line for row, check in zip(rows, checks, strict=True) if check.over_allowance]
    if not over:
        return None
    lists = f"The form lists {len(rows)} {'person' if len(rows) == 1 else 'people'}"
    if missing:
        holders = _and([f"seat {s.seat_no} ({s.email})" for s in missing])
        lists += f", and {holders}, not on it, still {'holds a seat' if len(missing) == 1 else 'hold seats'}"
    allowance = customer.seat_allowance
    grants = (
        f"{customer.name}'s allowance is {_plural(allowance, 'seat')}"
        if allowance > 0
        else (f"{customer.name}'s contract grants no seats")
    )
    return f"{lists}; {grants} ({_lines(over)} {'is' if len(over) == 1 else 'are'} over it)"


def _lines(lines: Sequence[int]) -> str:
    """``row 17``, ``rows 16–17``, ``rows 14 and 16–17``: runs of consecutive rows as ranges."""
    runs: list[list[int]] = []
    for line in sorted(lines):
        if runs and line == runs[-1][-1] + 1:
            runs[-1].append(line)
        else:
            runs.append([line])
    text = _and([f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs])
    return f"row {text}" if len(lines) == 1 else f"rows {text}"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _not_listed(seat: t.PortalSeat) -> str:
    return f"Seat {seat.seat_no} ({seat.email}) is not on the returned form; revoke it if they no longer need access"


def _changes(seat: t.PortalSeat, data: SeatInput) -> str:
    parts = [
        f"{label.lower()} '{getattr(seat, name)}' to '{getattr(data, name)}'"
        for name, label in _LABELS.items()
        if name != "email" and getattr(seat, name) != getattr(data, name)
    ]
    return ", ".join(parts)


def _row(
    row: FormRow,
    data: SeatInput,
    outcome: Outcome,
    errors: Iterable[str],
    warnings: Iterable[str],
    seat_no: int | None,
) -> PreviewRow:
    errors, warnings = tuple(dict.fromkeys(errors)), tuple(dict.fromkeys(warnings))
    return PreviewRow(
        row.line, data.full_name, data.email, data.job_title, data.phone, outcome, errors, warnings, seat_no
    )


def _apply(ctx: Context, customer: t.Customer, plan: _Plan, source: str) -> tuple[int, int]:
    """Create or update the seats the preview promised; returns (requested, updated)."""
    requested = updated = 0
    rows = zip(plan.preview.rows, plan.inputs, plan.matches, plan.checks, strict=True)
    for preview, clean, match, check in rows:
        if preview.outcome == "unchanged" or clean is None:
            continue
        if match is not None:
            updated += update_seat(ctx, match, match.version, clean, check)
            continue
        assert check.seat_no is not None  # rows without a free seat are errors
        seat = create_seat(ctx, customer, clean, check.seat_no)
        record_audit(
            ctx,
            entity="portal_seat",
            entity_id=seat.id,
            customer=customer,
            action="request",
            summary=f"Seat {seat.seat_no} requested for {clean.full_name} ({clean.email}) "
            f"from access form {source}, row {preview.line}" + accepted_note(check),
            after={"seat_no": seat.seat_no, "full_name": clean.full_name, "email": clean.email},
        )
        requested += 1
    return requested, updated


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
