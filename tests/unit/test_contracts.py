"""Contract rules: what a valid contract is, the ARR as typed, renewal warnings and the entitlement."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.contracts import (
    ContractFacts,
    arr_text,
    contract_problems,
    outside_entitlement_text,
    parse_arr,
    renewal_warning,
    within_entitlement,
)

START, END = date(2026, 2, 1), date(2027, 1, 31)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (ContractFacts(), {}),
        (ContractFacts("Premium", START, END, date(2027, 1, 31), 12_000_000, "EUR", "Enterprise"), {}),
        (ContractFacts(renewal_on=date(2027, 3, 1), entitlement_end=END, entitlement_start=START), {}),
        (ContractFacts(renewal_on=date(2020, 1, 1)), {}),  # without a start nothing to compare with
        (
            ContractFacts(entitlement_start=START, renewal_on=date(2026, 1, 31)),
            {"renewal_on": "Renewal 31 Jan 2026 is before the entitlement start 1 Feb 2026."},
        ),
        (
            ContractFacts(entitlement_start=START, entitlement_end=date(2026, 1, 1)),
            {"entitlement_end": "Entitlement end 1 Jan 2026 is before the entitlement start 1 Feb 2026."},
        ),
        (ContractFacts(arr_cents=-1, currency="EUR"), {"arr": "ARR cannot be negative."}),
        (ContractFacts(arr_cents=10**15, currency="EUR"), {"arr": "ARR is more than ten trillion: check the amount."}),
        (ContractFacts(arr_cents=0, currency="EUR"), {}),
        (ContractFacts(arr_cents=100), {"currency": "Say the currency of the ARR, such as EUR or USD."}),
        (
            ContractFacts(currency="EURO"),
            {"currency": "Currency 'EURO' is not a three-letter code such as EUR or USD."},
        ),
        (ContractFacts(support_tier="x" * 61), {"support_tier": "Support tier is longer than 60 characters."}),
    ],
)
def test_contract_problems(facts: ContractFacts, expected: dict[str, str]) -> None:
    assert contract_problems(facts) == expected


@pytest.mark.parametrize(
    ("text", "cents"),
    [("", None), ("  ", None), ("120000", 12_000_000), ("120,000.50", 12_000_050), ("120 000", 12_000_000),
     ("1'200.5", 120_050), ("0", 0), ("0.01", 1)],
)  # fmt: skip
def test_parse_arr(text: str, cents: int | None) -> None:
    assert parse_arr(text) == cents


@pytest.mark.parametrize(
    ("text", "message"),
    [("-5", "ARR cannot be negative."), ("12k", "ARR '12k' is not an amount such as 120000 or 120,000.50."),
     ("1.234", "ARR '1.234' is not an amount"), ("1e6", "ARR '1e6' is not an amount")],
)  # fmt: skip
def test_parse_arr_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_arr(text)


@given(st.integers(min_value=0, max_value=10**14))
def test_arr_text_reads_back(cents: int) -> None:
    assert parse_arr(arr_text(cents, "EUR").removeprefix("EUR ")) == cents


def test_arr_text() -> None:
    assert (arr_text(12_000_000, "EUR"), arr_text(12_000_050, "USD"), arr_text(None, "EUR")) == (
        "EUR 120,000", "USD 120,000.50", ""
    )  # fmt: skip


TODAY = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("days", "threshold", "text"),
    [
        (121, None, ""),
        (120, 120, "Renewal in 120 days (4 Apr 2027)"),
        (91, 120, "Renewal in 91 days (6 Mar 2027)"),
        (90, 90, "Renewal in 90 days (5 Mar 2027)"),
        (88, 90, "Renewal in 88 days (3 Mar 2027)"),
        (61, 90, "Renewal in 61 days (4 Feb 2027)"),
        (60, 60, "Renewal in 60 days (3 Feb 2027)"),
        (2, 60, "Renewal in 2 days (7 Dec 2026)"),
        (1, 60, "Renewal tomorrow (6 Dec 2026)"),
        (0, 60, "Renewal today (5 Dec 2026)"),
        (-1, 0, "Renewal date passed 1 day ago (4 Dec 2026): update the contract"),
        (-30, 0, "Renewal date passed 30 days ago (5 Nov 2026): update the contract"),
    ],
)
def test_renewal_warnings_step_up_at_120_90_and_60_days(days: int, threshold: int | None, text: str) -> None:
    warning = renewal_warning(TODAY + timedelta(days=days), TODAY)
    assert (warning.threshold if warning else None) == threshold
    assert (warning.text if warning else "") == text


def test_no_renewal_date_no_warning() -> None:
    assert renewal_warning(None, TODAY) is None


@pytest.mark.parametrize(
    ("day", "start", "end", "inside", "why"),
    [
        (date(2026, 2, 1), START, END, True, ""),
        (date(2027, 1, 31), START, END, True, ""),
        (date(2026, 1, 31), START, END, False, "Opened 31 Jan 2026, before the entitlement starts on 1 Feb 2026"),
        (date(2027, 2, 1), START, END, False, "Opened 1 Feb 2027, after the entitlement ended on 31 Jan 2027"),
        (date(2030, 1, 1), START, None, True, ""),
        (date(2000, 1, 1), None, END, True, ""),
        (date(2000, 1, 1), None, None, None, ""),
    ],
)
def test_within_entitlement(day: date, start: date | None, end: date | None, inside: bool | None, why: str) -> None:
    assert within_entitlement(day, start, end) is inside
    assert outside_entitlement_text(day, start, end) == why
