"""A customer's contract facts: what a valid contract is, renewal warnings, and whether a day is entitled.

The rules, including the choices the issue leaves open:

- Every fact is optional: a contract can be recorded as it becomes known. When both are known, the entitlement
  end is not before its start, and the renewal date is not before the entitlement start (a renewal after the end
  is allowed: a lapsed contract may renew late).
- ARR is a non-negative amount in a currency's minor units (cents); an ARR needs its currency, an ISO 4217 code of
  three letters (``EUR``). The support tier and the edition are free text of one short line: a tier is often an
  SLA policy's name, but contracts name tiers that tamdesk has no policy for.
- Renewal warnings start 120 days before the renewal date and step up at 90 and 60 days (``RENEWAL_THRESHOLDS``);
  a renewal date in the past keeps warning until the contract is updated.
- A day is within the entitlement when it is on or after the start and on or before the end; a missing bound does
  not limit, and without both bounds nothing can be said (None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from tamdesk.domain.text import visible

RENEWAL_THRESHOLDS = (120, 90, 60)  # days before the renewal date; the warning steps up at each
TEXT_LIMIT = 60
ARR_LIMIT_CENTS = 10**15  # ten trillion: anything above is a typo, and it stays within a 64-bit column
_CURRENCY = re.compile(r"[A-Z]{3}", re.ASCII)
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?", re.ASCII)


@dataclass(frozen=True)
class ContractFacts:
    """A customer's contract as typed: every fact optional."""

    support_tier: str = ""
    entitlement_start: date | None = None
    entitlement_end: date | None = None
    renewal_on: date | None = None
    arr_cents: int | None = None
    currency: str = ""
    edition: str = ""


def day_text(day: date) -> str:
    """``3 Mar 2027``."""
    return f"{day.day} {day:%b %Y}"


def contract_problems(facts: ContractFacts) -> dict[str, str]:
    """What is wrong with ``facts``, by field (empty when the contract can be saved)."""
    problems: dict[str, str] = {}
    start, end, renewal = facts.entitlement_start, facts.entitlement_end, facts.renewal_on
    if start is not None and end is not None and end < start:
        problems["entitlement_end"] = (
            f"Entitlement end {day_text(end)} is before the entitlement start {day_text(start)}."
        )
    if start is not None and renewal is not None and renewal < start:
        problems["renewal_on"] = f"Renewal {day_text(renewal)} is before the entitlement start {day_text(start)}."
    if facts.arr_cents is not None and facts.arr_cents < 0:
        problems["arr"] = "ARR cannot be negative."
    elif facts.arr_cents is not None and facts.arr_cents >= ARR_LIMIT_CENTS:
        problems["arr"] = "ARR is more than ten trillion: check the amount."
    if facts.currency and not _CURRENCY.fullmatch(facts.currency):
        problems["currency"] = f"Currency '{visible(facts.currency)}' is not a three-letter code such as EUR or USD."
    elif facts.arr_cents is not None and not facts.currency:
        problems["currency"] = "Say the currency of the ARR, such as EUR or USD."
    for name, label, value in (
        ("support_tier", "Support tier", facts.support_tier),
        ("edition", "Edition", facts.edition),
    ):
        if len(value) > TEXT_LIMIT:
            problems[name] = f"{label} is longer than {TEXT_LIMIT} characters."
    return problems


def parse_arr(text: str) -> int | None:
    """``"120,000.50"`` as 12000050 cents; empty text is no ARR.

    Thousands separators (``,``, spaces, ``'``, ``_``) are ignored; the decimal point is ``.`` with at most two
    decimals.

    Raises:
        ValueError: the text is not an amount; the message names it.
    """
    cleaned = re.sub(r"[,\s'_]", "", text)
    if not cleaned:
        return None
    if cleaned.startswith("-") and _AMOUNT.fullmatch(cleaned[1:]):
        raise ValueError("ARR cannot be negative.")
    if not _AMOUNT.fullmatch(cleaned):
        raise ValueError(f"ARR '{visible(text.strip())}' is not an amount such as 120000 or 120,000.50.")
    try:
        return int(Decimal(cleaned) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimal numbers
        raise ValueError(f"ARR '{visible(text.strip())}' is not an amount such as 120000 or 120,000.50.") from None


def arr_text(cents: int | None, currency: str) -> str:
    """``EUR 120,000`` or ``EUR 120,000.50``; "" without an ARR."""
    if cents is None:
        return ""
    whole, part = divmod(cents, 100)
    amount = f"{whole:,}" + (f".{part:02d}" if part else "")
    return f"{currency} {amount}".strip()


@dataclass(frozen=True)
class RenewalWarning:
    """A renewal close enough to warn about: ``threshold`` is the step reached (120, 90 or 60; 0 once passed)."""

    renewal_on: date
    days: int  # days from today to the renewal; negative once it passed
    threshold: int

    @property
    def passed(self) -> bool:
        return self.days < 0

    @property
    def text(self) -> str:
        """``Renewal in 88 days (3 Mar 2027)``."""
        when = day_text(self.renewal_on)
        if self.days == 0:
            return f"Renewal today ({when})"
        if self.days == 1:
            return f"Renewal tomorrow ({when})"
        if self.days > 0:
            return f"Renewal in {self.days} days ({when})"
        ago = -self.days
        return f"Renewal date passed {ago} day{'s' if ago != 1 else ''} ago ({when}): update the contract"


def renewal_warning(renewal_on: date | None, today: date) -> RenewalWarning | None:
    """The warning for a renewal on ``renewal_on`` as of ``today``; None when it is more than 120 days away."""
    if renewal_on is None:
        return None
    days = (renewal_on - today).days
    if days > RENEWAL_THRESHOLDS[0]:
        return None
    if days < 0:
        return RenewalWarning(renewal_on, days, 0)
    threshold = min(step for step in RENEWAL_THRESHOLDS if days <= step)
    return RenewalWarning(renewal_on, days, threshold)


def within_entitlement(day: date, start: date | None, end: date | None) -> bool | None:
    """Whether ``day`` is within the entitlement; None when neither bound is known."""
    if start is None and end is None:
        return None
    return (start is None or start <= day) and (end is None or day <= end)


def outside_entitlement_text(day: date, start: date | None, end: date | None) -> str:
    """Why ``day`` is outside the entitlement (``Opened 2 Jan 2026, before the entitlement starts on 1 Feb 2026``);
    "" when it is within or nothing is known."""
    if within_entitlement(day, start, end) is not False:
        return ""
    if start is not None and day < start:
        return f"Opened {day_text(day)}, before the entitlement starts on {day_text(start)}"
    assert end is not None
    return f"Opened {day_text(day)}, after the entitlement ended on {day_text(end)}"
