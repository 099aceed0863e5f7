"""The monthly pack's rules: which days a period covers, how its files are named, who may receive it, and the
message that carries it.

The workbooks themselves are built in ``reports.pack`` (services never import reports); this module holds what
needs no workbook, so the CLI, the dialog and the tests share one reading of ``last-month`` or ``--email``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from tamdesk.services.base import DomainError, FieldError
from tamdesk.services.email import Attachment, OutgoingEmail, normalize_address

PERIOD_NAMES = ("last-month", "this-month", "last-quarter")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PackError(DomainError):
    """The pack was not written or not sent; the message says why in one sentence."""


@dataclass(frozen=True)
class PackPeriod:
    """Days ``start`` ≤ day < ``end``; ``tag`` names the files (``2026-11``, ``2026-Q3``, ``2026-11-03_2026-11-20``)."""

    start: date
    end: date
    tag: str
    title: str

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise PackError(f"The period must end after it starts: {self.start} is not before {self.end}.")

    @property
    def last(self) -> date:
        """The last day included."""
        return self.end - timedelta(days=1)

    def file_name(self, kind: str) -> str:
        """``tamdesk-sla-2026-11.xlsx``."""
        return f"tamdesk-{kind}-{self.tag}.xlsx"


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _month(first: date) -> PackPeriod:
    end = _month_start(first, -1)
    return PackPeriod(first, end, f"{first:%Y-%m}", f"{first:%B %Y}")


def named_period(name: str, today: date) -> PackPeriod:
    """``last-month``, ``this-month`` (so far, to its last day) or ``last-quarter``, as of ``today``.

    Raises:
        PackError: an unknown name, listing the known ones.
    """
    if name == "last-month":
        return _month(_month_start(today, 1))
    if name == "this-month":
        return _month(_month_start(today))
    if name == "last-quarter":
        this_quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        first = _month_start(this_quarter, 3)
        quarter = (first.month - 1) // 3 + 1
        return PackPeriod(first, this_quarter, f"{first.year}-Q{quarter}", f"Q{quarter} {first.year}")
    raise PackError(f"The period '{name}' is not one of {', '.join(PERIOD_NAMES)} (or use --from and --to).")


def custom_period(first: date, last: date) -> PackPeriod:
    """The days ``first`` to ``last``, both included; a whole calendar month is named like ``last-month``'s.

    Raises:
        PackError: ``first`` is after ``last``.
    """
    if first > last:
        raise PackError(f"The period must not end before it starts: {first} is after {last}.")
    end = last + timedelta(days=1)
    if first.day == 1 and end == _month_start(first, -1):
        return _month(first)
    return PackPeriod(first, end, f"{first}_{last}", f"{first:%d %b %Y} to {last:%d %b %Y}")


def parse_recipients(values: Iterable[str]) -> list[str]:
    """The addresses in ``values`` (each may hold several, comma- or semicolon-separated), normalized, each once.

    Raises:
        PackError: naming the first address that is not valid.
    """
    found: list[str] = []
    for value in values:
        for part in value.replace(";", ",").split(","):
            if not part.strip():
                continue
            try:
                address = normalize_address("to", "To", part)
            except FieldError:
                raise PackError(
                    f"'{part.strip()}' is not a valid email address; nothing was written or sent."
                ) from None
            if address.casefold() not in {a.casefold() for a in found}:
                found.append(address)
    return found


def pack_email(period: PackPeriod, files: Sequence[Path], to: Sequence[str], sender: str) -> OutgoingEmail:
    """The message that carries the pack's workbooks."""
    listed = "\n".join(f"- {path.name}" for path in files)
    body = (
        f"Hello,\n\nattached are the tamdesk reports for {period.title} ({period.start} to {period.last}):\n\n"
        f"{listed}\n\nEach workbook opens on its Summary sheet; the header of every sheet says what it covers, "
        f"when it was exported and which SLA policy applied.\n\nKind regards,\n{sender}"
    )
    return OutgoingEmail(
        to=list(to),
        subject=f"tamdesk reports — {period.title}",
        body=body,
        attachments=[Attachment(path.name, path.read_bytes(), XLSX) for path in files],
    )
