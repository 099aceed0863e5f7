"""The portal access form workbook a customer fills in: the policy's instructions on top, one row per user below.

The reader of returned forms (``services.access_form.read_access_form``) finds the table by its Email header.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path

from tamdesk.reports.xlsx import Column, ColumnKind, DocProps, SheetSpec, write_workbook
from tamdesk.services.access_form import FORM_COLUMNS, AccessFormData, access_form_data
from tamdesk.services.base import Context

_WIDTHS = (30.0, 38.0, 28.0, 20.0)  # wide enough that each instruction line fits above the table when printed
# Numbered rows show the customer, on screen and on paper, how many people the form takes; "0_)" pads the
# number on its right so it never touches the name beside it.
_NUMBER = Column("#", ColumnKind.INT, width=5, number_format="0_)")


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
