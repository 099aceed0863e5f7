"""The portal access form workbook a customer fills in: the policy's instructions on top, one row per user below.

The reader of returned forms (``services.access_form.read_access_form``) finds the table by its Email header.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from tamdesk.reports.xlsx import Column, ColumnKind, DocProps, SheetSpec, write_workbook
from tamdesk.secrets import SecretPrompt, SecretStore
from tamdesk.services.access_form import (
    FORM_COLUMNS,
    AccessFormData,
    AccessFormPreview,
    PreviewRow,
    access_form_data,
)
from tamdesk.services.base import Context, FieldError
from tamdesk.services.contacts import list_contacts

if TYPE_CHECKING:
    from tamdesk.services.email import SmtpSettings

_WIDTHS = (30.0, 38.0, 28.0, 20.0)  # wide enough that each instruction line fits above the table when printed
# Numbered rows show the customer, on screen and on paper, how many people the form takes; "0_)" pads the
# number on its right so it never touches the name beside it.
_NUMBER = Column("#", ColumnKind.INT, width=5, number_format="0_)")
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_access_form(
    customer_id: int, path: str | Path, *, ctx: Context | None = None, tz: tzinfo | None = None
) -> Path:
    """Write the customer's access form to ``path`` (replaced atomically); returns the path.

    Only writes the file: recording that the form was sent is ``services.access_form.mark_access_form_sent``.

    Raises:
        ExportError: the file cannot be written. NotFound: the customer no longer exists.
    """
    ctx = ctx or Context()
    data = access_form_data(customer_id)
    return write_access_form(data, path, exported_at=ctx.now(), exported_by=ctx.actor, tz=tz)


def write_access_form(
    data: AccessFormData, path: str | Path, *, exported_at: datetime, exported_by: str, tz: tzinfo | None = None
) -> Path:
    """Write the access form for ``data``."""
    local_zone = tz or datetime.now().astimezone().tzinfo
    day = exported_at.astimezone(local_zone).date()
    rows: list[tuple[object, ...]] = [(s.full_name, s.email, s.job_title, s.phone) for s in data.holders]
    rows += [(None, None, None, None)] * data.empty_rows
    sheet = SheetSpec(
        title="Access form",
        columns=[_NUMBER, *(Column(title, width=width) for title, width in zip(FORM_COLUMNS, _WIDTHS, strict=True))],
        rows=[(number, *row) for number, row in enumerate(rows, 1)],
        header_lines=instructions(data, day.isoformat()),
        ruled=True,  # printed and filled in by hand: each box to write in is drawn
    )
    props = DocProps(
        title=f"Customer portal access form: {data.customer_name}",
        creator=exported_by,
        subject="Customer portal access",
        description=f"The designated portal users of {data.customer_name}, to fill in and return to the TAM.",
        keywords="tamdesk; access form; portal seats",
        created=exported_at,
    )
    return write_workbook(path, [sheet], properties=props)


def export_returned_form(
    customer_id: int,
    preview: AccessFormPreview,
    path: str | Path,
    *,
    ctx: Context | None = None,
    tz: tzinfo | None = None,
) -> Path:
    """Write the customer's returned form back with a Problems column (replaced atomically); returns the path.

    The sheet is the access form the customer filled, their rows as they typed them, each followed by every
    problem of the row in plain words, so that they can correct them all in one go.

    Raises:
        ExportError: the file cannot be written. NotFound: the customer no longer exists.
    """
    ctx = ctx or Context()
    data = access_form_data(customer_id)
    exported_at = ctx.now()
    day = exported_at.astimezone(tz or datetime.now().astimezone().tzinfo).date().isoformat()
    rows: list[tuple[object, ...]] = [
        (r.full_name, r.email, r.job_title, r.phone, problems_text(r)) for r in sorted(preview.rows, key=_line)
    ]
    rows += [(None, None, None, None, None)] * max(data.allowance - len(rows), 0)
    widths = zip(FORM_COLUMNS, _WIDTHS, strict=True)
    columns = [
        _NUMBER,
        *(Column(title, width=width) for title, width in widths),
        Column("Problems", width=60, wrap=True),
    ]
    found = f"{preview.problem_summary} found on {day}" if preview.problem_count else f"No problems found on {day}"
    lines = [
        *instructions(data, day),
        f"{found}: see the Problems column, correct the rows and return the form.",
    ]
    sheet = SheetSpec(
        title="Access form",
        columns=columns,
        rows=[(number, *row) for number, row in enumerate(rows, 1)],
        header_lines=lines,
        ruled=True,
    )
    props = DocProps(
        title=f"Customer portal access form with problems: {data.customer_name}",
        creator=ctx.actor,
        subject="Customer portal access",
        description=f"The returned access form of {data.customer_name}, with the problems to correct in each row.",
        keywords="tamdesk; access form; portal seats; problems",
        created=exported_at,
    )
    return write_workbook(path, [sheet], properties=props)


def problems_text(row: PreviewRow) -> str:
    """Every problem of the row, one per line: what must be corrected first, then what to check."""
    lines = [f"Must be corrected: {_sentence(m)}" for m in row.errors]
    lines += [f"Please check: {_sentence(m)}" for m in row.warnings]
    return "\n".join(lines)


def _sentence(message: str) -> str:
    return message if message.endswith((".", "?", "!")) else f"{message}."


def _line(row: PreviewRow) -> int:
    return row.line


def instructions(data: AccessFormData, day: str) -> list[str]:
    """The lines above the table, from the support policy's portal section."""
    n = data.allowance
    tam = f"{data.tam} ({data.tam_email})" if data.tam and data.tam_email else data.tam or "your TAM"
    lines = [
        f"Customer portal access form: {data.customer_name}",
        f"Prepared for {data.customer_name} by {tam} on {day}.",
        f"{data.customer_name} has customer-portal access for {_users(n)}: knowledge base, downloads, tickets.",
        f"1. One person per row, at most {n} rows: {n} distinct people, each with their own work email.",
        "2. No alias, shared or role addresses (support@, admin@, info@, team@ …), no +tag variants.",
    ]
    if data.domains:
        lines.append(f"3. Use addresses at {_listed(data.domains)}; tell your TAM if someone needs another.")
    lines += [
        f"{len(lines) - 2}. Filled rows are today's seat holders: keep them; to replace one, tell your TAM.",
        f"{len(lines) - 1}. When access is granted, each user receives a welcome email with the portal link.",
        f"{len(lines)}. Save this file and return it to {data.tam or 'your TAM'}.",
    ]
    return lines


def _users(n: int) -> str:
    return "one designated user" if n == 1 else f"{n} designated users"


def _listed(domains: tuple[str, ...]) -> str:
    shown = [f"@{d}" for d in domains]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


# -- sending the problems back --------------------------------------------------------------------------------

_CONTACT_ORDER = ("technical_lead", "champion", "other", "executive_sponsor", "procurement")


@dataclass(frozen=True)
class ProblemsDraft:
    """The email that sends the problems back, for the TAM to edit before sending."""

    to: str
    subject: str
    body: str


def problems_draft(ctx: Context, customer_id: int, preview: AccessFormPreview) -> ProblemsDraft:
    """A draft to the customer's contact (their technical lead first) asking for the corrected form."""
    data = access_form_data(customer_id)
    contacts = [c for c in list_contacts(customer_id) if c.email]
    contacts.sort(key=lambda c: _CONTACT_ORDER.index(c.role.value) if c.role.value in _CONTACT_ORDER else 9)
    body = (
        f"Hello,\n\nThank you for returning the customer-portal access form of {data.customer_name}. "
        f"We found {preview.problem_summary.lower()}; the attached form lists them in its Problems column, "
        "beside each row. Please correct the rows and return the form, and we will grant access.\n\n"
        f"Kind regards,\n{ctx.actor}"
    )
    subject = f"Customer portal access form — {data.customer_name}: please correct"
    return ProblemsDraft(contacts[0].email if contacts else "", subject, body)


def email_problems(
    path: Path,
    draft: ProblemsDraft,
    settings: SmtpSettings,
    secrets: SecretStore,
    *,
    prompt: SecretPrompt | None = None,
) -> str:
    """Send the form with its problems (saved at ``path``) as ``draft`` says; returns what was done.

    Raises:
        FieldError: no or an invalid recipient; nothing was sent. EmailError: the server refused or is unreachable.
    """
    from tamdesk.services.email import Attachment, OutgoingEmail, send_email  # loaded only when sending

    to = [a.strip() for a in draft.to.replace(";", ",").split(",") if a.strip()]
    if not to:
        raise FieldError("to", "To: enter the customer's email address.")
    attachment = Attachment(path.name, path.read_bytes(), _XLSX)
    send_email(settings, OutgoingEmail(to, draft.subject, draft.body, attachments=[attachment]), secrets, prompt=prompt)
    return f"Problems sent to {', '.join(to)}."
