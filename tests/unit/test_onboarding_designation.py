"""'Five designated users identified' from the seats: distinct people holding the allowance's seats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.onboarding import AutoRule, SeatFact, designation
from tamdesk.domain.states import SeatStatus

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
R, G, A, X = SeatStatus.REQUESTED, SeatStatus.GRANTED, SeatStatus.ACTIVE, SeatStatus.REVOKED


def _seats(*specs: tuple[str, SeatStatus]) -> list[SeatFact]:
    """Seats requested an hour apart, in order."""
    return [SeatFact(key, status, T0 + timedelta(hours=n)) for n, (key, status) in enumerate(specs)]


FIVE = [(f"p{n}@acme.com", A) for n in range(1, 6)]


@pytest.mark.parametrize(
    ("seats", "allowance", "returned", "people", "since", "summary"),
    [
        ([], 5, None, 0, None, "0 of 5 seats held by distinct people"),
        (FIVE, 5, None, 5, T0 + timedelta(hours=4), "5 of 5 seats held by distinct people"),
        (FIVE[:4], 5, None, 4, None, "4 of 5 seats held by distinct people"),
        # requested and granted seats name their holders as much as active ones do
        ([*FIVE[:3], ("p4@acme.com", R), ("p5@acme.com", G)], 5, None, 5, T0 + timedelta(hours=4), None),
        # a revoked seat freed its slot: four people hold seats
        ([*FIVE[:4], ("p5@acme.com", X)], 5, None, 4, None, None),
        # revoked, then re-issued to someone else: five people again, since the sixth request
        ([*FIVE[:4], ("p5@acme.com", X), ("p6@acme.com", R)], 5, None, 5, T0 + timedelta(hours=5), None),
        # two seats of one mailbox are one person
        ([*FIVE[:4], ("p1@acme.com", G)], 5, None, 4, None, None),
        # a contract with three seats
        (FIVE[:3], 3, None, 3, T0 + timedelta(hours=2), "3 of 3 seats held by distinct people"),
        (FIVE[:1], 1, None, 1, T0, "1 of 1 seat held by distinct people"),
        # fewer than the allowance, but the returned access form named everyone
        (FIVE[:3], 5, T0 + timedelta(days=1), 3, T0 + timedelta(days=1),
         "3 of 5 seats held by distinct people, everyone the returned access form names"),
        ([], 5, T0 + timedelta(days=1), 0, None, None),  # a form back with nobody seated proves nothing
    ],
)  # fmt: skip
def test_designation(
    seats: list[tuple[str, SeatStatus]],
    allowance: int,
    returned: datetime | None,
    people: int,
    since: datetime | None,
    summary: str | None,
) -> None:
    found = designation(_seats(*seats), allowance, returned)
    assert (found.people, found.since, found.complete) == (people, since, since is not None)
    if summary is not None:
        assert found.summary == summary


@given(
    st.lists(st.tuples(st.sampled_from([f"p{n}" for n in range(8)]), st.sampled_from(list(SeatStatus))), max_size=12),
    st.integers(min_value=1, max_value=8),
)
def test_complete_exactly_when_enough_distinct_people_hold_seats(
    specs: list[tuple[str, SeatStatus]], allowance: int
) -> None:
    found = designation(_seats(*specs), allowance)
    holders = {key for key, status in specs if status is not SeatStatus.REVOKED}
    assert found.people == len(holders)
    assert found.complete == (len(holders) >= allowance)
    # revoking any one holder's every seat below the allowance reopens it
    if holders and len(holders) == allowance:
        gone = next(iter(holders))
        fewer = [(k, X if k == gone else s) for k, s in specs]
        assert not designation(_seats(*fewer), allowance).complete


@pytest.mark.parametrize("rule", list(AutoRule))
def test_every_automatic_rule_says_when_it_completes_and_what_proved_it(rule: AutoRule) -> None:
    """The template's list, the checklist and the CLI read these for every rule: a new rule needs all three."""
    assert rule.trigger.startswith("when ") and rule.proof and rule.explanation.startswith("Completes itself when")
