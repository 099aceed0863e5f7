"""Customer health rules: points per factor, bands, weights refused, and the score's invariants."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.health import (
    Band,
    Factor,
    HealthFacts,
    HealthWeights,
    WeightsRefused,
    band_for,
    dropped,
    parse_weights,
    score,
    trend_line,
    week_of,
    weights_refusal,
)
from tamdesk.domain.onboarding import OnboardingState

CALM = HealthFacts(days_since_contact=3)  # nothing takes points off


@pytest.mark.parametrize(
    ("value", "band"),
    [(100, Band.GREEN), (75, Band.GREEN), (74, Band.AMBER), (50, Band.AMBER), (49, Band.RED), (0, Band.RED)],
)
def test_band_thresholds(value: int, band: Band) -> None:
    assert band_for(value) is band


@pytest.mark.parametrize(
    ("change", "reasons"),
    [
        ({}, []),
        ({"open_escalations": 2}, ["−20: 2 open escalations"]),
        ({"open_escalations": 1}, ["−10: 1 open escalation"]),
        ({"open_escalations": 7}, ["−20: 7 open escalations"]),  # full weight at 2
        ({"open_sev1": 1}, ["−10: 1 open Sev1 ticket"]),
        ({"open_sev2": 3}, ["−6: 3 open Sev2 tickets"]),
        ({"sla_breaches": 1}, ["−3: 1 SLA breach in the last 90 days"]),
        ({"sla_breaches": 4}, ["−12: 4 SLA breaches in the last 90 days"]),
        ({"overdue_defect_updates": 1}, ["−5: 1 defect update overdue"]),
        ({"onboarding": OnboardingState.OVERDUE}, ["−5: onboarding overdue"]),
        ({"onboarding": OnboardingState.NOT_STARTED}, ["−3: onboarding not started"]),
        ({"onboarding": OnboardingState.IN_PROGRESS}, []),
        ({"unused_seats": 2, "pending_seats": 1}, ["−3: 2 unused and 1 pending of 5 portal seats"]),
        ({"unused_seats": 5}, ["−5: 5 unused of 5 portal seats"]),
        ({"days_since_contact": None}, ["−10: no contact on the timeline"]),
        ({"days_since_contact": 30}, []),
        ({"days_since_contact": 60}, ["−5: no contact for 60 days"]),
        ({"days_since_contact": 400}, ["−10: no contact for 400 days"]),
        ({"days_to_renewal": 121}, []),
        ({"days_to_renewal": 100}, ["−3: renewal in 100 days"]),
        ({"days_to_renewal": 45}, ["−5: renewal in 45 days"]),
        ({"days_to_renewal": 0}, ["−5: renewal today"]),
        ({"days_to_renewal": -1}, ["−5: renewal date passed 1 day ago"]),
    ],
)
def test_each_factor_says_what_it_took(change: dict[str, object], reasons: list[str]) -> None:
    health = score(replace(CALM, **change))  # type: ignore[arg-type]
    assert [str(r) for r in health.reasons] == reasons
    assert health.score == 100 - sum(r.points for r in health.reasons)


def test_reasons_sorted_by_impact_and_band_follows() -> None:
    facts = replace(CALM, open_escalations=2, sla_breaches=1, open_sev1=2, days_since_contact=None, open_sev2=5)
    health = score(facts)
    assert [r.points for r in health.reasons] == [20, 20, 10, 10, 3]
    assert [r.factor for r in health.reasons[:2]] == [Factor.OPEN_SEV1, Factor.OPEN_ESCALATIONS]
    assert (health.score, health.band) == (37, Band.RED)


def test_score_never_below_zero_with_heavy_weights() -> None:
    weights = HealthWeights(**{f.value: 100 for f in Factor})
    health = score(replace(CALM, open_sev1=5, open_escalations=5), weights)
    assert health.score == 0
    assert health.band is Band.RED


def test_a_zero_weight_takes_nothing_and_is_not_listed() -> None:
    health = score(replace(CALM, open_escalations=3), replace(HealthWeights(), open_escalations=0))
    assert health.reasons == ()
    assert health.score == 100


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({f.value: 0 for f in Factor}, "The health weights sum to 0: give at least one factor some points."),
        ({"open_escalations": -5}, "The weight of open escalations cannot be negative (-5)."),
        ({"renewal": 101}, "The weight of renewal coming up must be at most 100 points, not 101."),
        ({"seats": "many"}, "The weight of portal seats not in use must be a whole number of points, not 'many'."),
        ({"seats": 2.5}, "The weight of portal seats not in use must be a whole number of points, not 2.5."),
        ({"mood": 3}, "'mood' is not a health factor; the factors are open_sev1, open_sev2, sla_breaches, "
                      "open_escalations, overdue_defect_updates, onboarding, seats, last_contact, renewal."),
    ],
)  # fmt: skip
def test_bad_weights_are_refused_in_one_sentence(values: dict[str, object], message: str) -> None:
    with pytest.raises(WeightsRefused) as caught:
        parse_weights(values)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"open_escalations": -1}, "The weight of open escalations cannot be negative (-1)."),
        ({"seats": 2.5}, "The weight of portal seats not in use must be a whole number of points, not 2.5."),
        ({"renewal": True}, "The weight of renewal coming up must be a whole number of points, not True."),
    ],
)
def test_weights_hold_whole_points_only(values: dict[str, object], message: str) -> None:
    with pytest.raises(WeightsRefused) as caught:
        HealthWeights(**values)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_weights_parse_from_text_and_keep_the_rest() -> None:
    weights = parse_weights({"open_sev1": "30"})
    assert weights.open_sev1 == 30
    assert weights.open_escalations == HealthWeights().open_escalations
    assert HealthWeights().total == 100
    assert weights_refusal(HealthWeights()) is None
    assert weights_refusal(HealthWeights(**{f.value: 0 for f in Factor})) is not None


@pytest.mark.parametrize(
    ("before", "now", "expected"),
    [
        ((80, Band.GREEN), (76, Band.GREEN), False),
        ((80, Band.GREEN), (75, Band.GREEN), True),  # 5 points
        ((76, Band.GREEN), (74, Band.AMBER), True),  # band worsened by 2 points
        ((60, Band.AMBER), (90, Band.GREEN), False),
        ((40, Band.RED), (39, Band.RED), False),
    ],
)
def test_dropped(before: tuple[int, Band], now: tuple[int, Band], expected: bool) -> None:
    assert dropped(*before, *now) is expected


def test_week_and_trend() -> None:
    assert week_of(date(2026, 12, 7)) == date(2026, 12, 7)  # a Monday
    assert week_of(date(2026, 12, 13)) == date(2026, 12, 7)
    assert trend_line([0, 50, 100]) == "▁▄█"
    assert trend_line([]) == ""


states = st.sampled_from(list(OnboardingState))
maybe_days = st.one_of(st.none(), st.integers(-400, 800))
facts_strategy = st.builds(
    HealthFacts,
    open_sev1=st.integers(0, 20),
    open_sev2=st.integers(0, 20),
    sla_breaches=st.integers(0, 50),
    open_escalations=st.integers(0, 10),
    overdue_defect_updates=st.integers(0, 10),
    onboarding=states,
    unused_seats=st.integers(0, 10),
    pending_seats=st.integers(0, 10),
    seat_allowance=st.integers(0, 10),
    days_since_contact=maybe_days,
    days_to_renewal=maybe_days,
)
weights_strategy = st.builds(HealthWeights, **{f.value: st.integers(0, 100) for f in Factor})


@given(facts_strategy, weights_strategy)
def test_score_is_100_minus_the_reasons(facts: HealthFacts, weights: HealthWeights) -> None:
    health = score(facts, weights)
    assert health.score == max(0, 100 - sum(r.points for r in health.reasons))
    assert 0 <= health.score <= 100
    assert health.band is band_for(health.score)
    assert all(r.points > 0 for r in health.reasons)
    assert [r.points for r in health.reasons] == sorted((r.points for r in health.reasons), reverse=True)
    for reason in health.reasons:
        assert reason.points <= weights.of(reason.factor)


@given(facts_strategy, weights_strategy, st.integers(1, 20))
def test_more_breaches_never_raise_the_score(facts: HealthFacts, weights: HealthWeights, more: int) -> None:
    worse = replace(facts, sla_breaches=facts.sla_breaches + more)
    assert score(worse, weights).score <= score(facts, weights).score


@given(facts_strategy, weights_strategy, st.integers(1, 5))
def test_more_trouble_never_raises_the_score(facts: HealthFacts, weights: HealthWeights, more: int) -> None:
    base = score(facts, weights).score
    for field in ("open_sev1", "open_sev2", "open_escalations", "overdue_defect_updates", "unused_seats"):
        worse = replace(facts, **{field: getattr(facts, field) + more})
        assert score(worse, weights).score <= base, field
    if facts.days_since_contact is not None:
        assert score(replace(facts, days_since_contact=facts.days_since_contact + more), weights).score <= base
    if facts.days_to_renewal is not None:
        assert score(replace(facts, days_to_renewal=facts.days_to_renewal - more), weights).score <= base
