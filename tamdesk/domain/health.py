"""Customer health: an explainable score from 0 to 100, a band, and the reasons that took points off.

Pure rules, no database. Every customer starts at 100; each *factor* below takes off up to its *weight* in points
(Settings › Health). The score is 100 minus the points of the reasons, never below 0, so a score is always
explained by its reasons ("−20: 2 open escalations").

How much of its weight a factor takes (its share, 0 to 1; points are the weight times the share, rounded):

- open Sev1 tickets, open Sev2 tickets, SLA breaches in the last 90 days, open escalations and overdue defect
  updates: one share per item up to ``FULL_AT`` items (2 open escalations take the whole weight of 20);
- onboarding: overdue takes the whole weight, not started half of it, in progress or complete nothing;
- portal seats: the seats not active out of the allowance, a pending seat (requested or granted, welcome not yet
  confirmed) counting half an unused one;
- last contact on the timeline: nothing up to 30 days, then growing to the whole weight at 90 days; no contact
  on record takes the whole weight;
- renewal: within 60 days (or passed) the whole weight, within 120 days half of it, later or unknown nothing.

Bands: green from 75, amber from 50 to 74, red below 50 (``GREEN_FROM``, ``AMBER_FROM``). A customer's health
*dropped* when its band worsened or its score fell by ``DROP_POINTS`` or more since the week before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from tamdesk.domain.onboarding import OnboardingState

GREEN_FROM = 75
AMBER_FROM = 50
DROP_POINTS = 5
MAX_WEIGHT = 100
CONTACT_GRACE_DAYS = 30
CONTACT_FULL_DAYS = 90
RENEWAL_NEAR_DAYS = 60
RENEWAL_SOON_DAYS = 120
BREACH_WINDOW_DAYS = 90


class Band(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        """0 for green, 1 for amber, 2 for red: higher is worse."""
        return {Band.GREEN: 0, Band.AMBER: 1, Band.RED: 2}[self]


def band_for(score: int) -> Band:
    """The band of a score: green from ``GREEN_FROM``, amber from ``AMBER_FROM``, else red."""
    if score >= GREEN_FROM:
        return Band.GREEN
    return Band.AMBER if score >= AMBER_FROM else Band.RED


class Factor(StrEnum):
    """What health is computed from, in the order Settings lists them."""

    OPEN_SEV1 = "open_sev1"
    OPEN_SEV2 = "open_sev2"
    SLA_BREACHES = "sla_breaches"
    OPEN_ESCALATIONS = "open_escalations"
    OVERDUE_DEFECT_UPDATES = "overdue_defect_updates"
    ONBOARDING = "onboarding"
    SEATS = "seats"
    LAST_CONTACT = "last_contact"
    RENEWAL = "renewal"

    @property
    def label(self) -> str:
        return _FACTOR_LABELS[self]

    @property
    def in_sentence(self) -> str:
        """The label inside a sentence: ``open Sev1 tickets``, ``SLA breaches (last 90 days)``."""
        label = self.label
        return label if label[1:2].isupper() else label[:1].lower() + label[1:]


_FACTOR_LABELS = {
    Factor.OPEN_SEV1: "Open Sev1 tickets",
    Factor.OPEN_SEV2: "Open Sev2 tickets",
    Factor.SLA_BREACHES: f"SLA breaches (last {BREACH_WINDOW_DAYS} days)",
    Factor.OPEN_ESCALATIONS: "Open escalations",
    Factor.OVERDUE_DEFECT_UPDATES: "Overdue defect updates",
    Factor.ONBOARDING: "Onboarding",
    Factor.SEATS: "Portal seats not in use",
    Factor.LAST_CONTACT: "Time since last contact",
    Factor.RENEWAL: "Renewal coming up",
}

FULL_AT: dict[Factor, int] = {
    Factor.OPEN_SEV1: 2,
    Factor.OPEN_SEV2: 5,
    Factor.SLA_BREACHES: 5,
    Factor.OPEN_ESCALATIONS: 2,
    Factor.OVERDUE_DEFECT_UPDATES: 2,
}
"""How many items of a counted factor take its whole weight."""


@dataclass(frozen=True)
class HealthWeights:
    """The most points each factor can take off; the defaults sum to 100.

    Each weight is a whole number of points from 0 to ``MAX_WEIGHT`` (else ``WeightsRefused``); weights that sum to
    0 are refused where weights are taken or saved (``parse_weights``, ``weights_refusal``).
    """

    open_sev1: int = 20
    open_sev2: int = 10
    sla_breaches: int = 15
    open_escalations: int = 20
    overdue_defect_updates: int = 10
    onboarding: int = 5
    seats: int = 5
    last_contact: int = 10
    renewal: int = 5

    def __post_init__(self) -> None:
        for factor in Factor:
            value = getattr(self, factor.value)
            if not isinstance(value, int) or isinstance(value, bool):
                raise WeightsRefused(_not_whole(factor, value), factor)
            _points(factor, value)

    def of(self, factor: Factor) -> int:
        return int(getattr(self, factor.value))

    @property
    def total(self) -> int:
        return sum(self.of(factor) for factor in Factor)

    def as_dict(self) -> dict[str, int]:
        return {factor.value: self.of(factor) for factor in Factor}


class WeightsRefused(ValueError):
    """Weights that cannot be used; the message is one sentence naming the weight and the value."""

    def __init__(self, message: str, factor: Factor | None = None) -> None:
        super().__init__(message)
        self.factor = factor


def parse_weights(values: Mapping[str, object], base: HealthWeights | None = None) -> HealthWeights:
    """Weights from ``values`` (factor name -> whole points); factors not given keep ``base``'s (default ones).

    Raises:
        WeightsRefused: an unknown factor, a value that is not a whole number from 0 to ``MAX_WEIGHT``, or weights
            that sum to 0 (health would always be 100).
    """
    known = {factor.value: factor for factor in Factor}
    chosen = (base or HealthWeights()).as_dict()
    for name, value in values.items():
        factor = known.get(name)
        if factor is None:
            listed = ", ".join(known)
            raise WeightsRefused(f"'{name}' is not a health factor; the factors are {listed}.")
        chosen[name] = _points(factor, value)
    weights = HealthWeights(**chosen)
    if weights.total == 0:
        raise WeightsRefused("The health weights sum to 0: give at least one factor some points.")
    return weights


def _not_whole(factor: Factor, value: object) -> str:
    return f"The weight of {factor.in_sentence} must be a whole number of points, not {value!r}."


def _points(factor: Factor, value: object) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        number = int(value.strip())
    if number is None:
        raise WeightsRefused(_not_whole(factor, value), factor)
    if number < 0:
        raise WeightsRefused(f"The weight of {factor.in_sentence} cannot be negative ({number}).", factor)
    if number > MAX_WEIGHT:
        raise WeightsRefused(
            f"The weight of {factor.in_sentence} must be at most {MAX_WEIGHT} points, not {number}.", factor
        )
    return number


def weights_refusal(weights: HealthWeights) -> str | None:
    """Why ``weights`` cannot be saved (one sentence), or None when they can."""
    try:
        parse_weights(weights.as_dict(), weights)
    except WeightsRefused as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class HealthFacts:
    """What a customer's health is computed from, at one moment."""

    open_sev1: int = 0
    open_sev2: int = 0
    sla_breaches: int = 0  # tickets opened in the last BREACH_WINDOW_DAYS days that breached (not wholly excused)
    open_escalations: int = 0
    overdue_defect_updates: int = 0  # open defects whose update to this customer is overdue
    onboarding: OnboardingState = OnboardingState.COMPLETE
    unused_seats: int = 0  # allowance minus active and pending seats
    pending_seats: int = 0  # requested, or granted with the welcome not yet confirmed
    seat_allowance: int = 5
    days_since_contact: int | None = None  # None: no contact on the timeline
    days_to_renewal: int | None = None  # None: no renewal date; negative: the date passed


@dataclass(frozen=True, order=True)
class Reason:
    """Points a factor took off, and why in words."""

    points: int
    text: str
    factor: Factor

    def __str__(self) -> str:
        return f"−{self.points}: {self.text}"


@dataclass(frozen=True)
class Health:
    score: int
    band: Band
    reasons: tuple[Reason, ...]

    def explain(self) -> str:
        """The reasons one a line; a customer with nothing against it says so."""
        return "\n".join(str(r) for r in self.reasons) or "Nothing takes points off."


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _share(count: int, full_at: int) -> float:
    return min(max(count, 0), full_at) / full_at


def _counted(facts: HealthFacts) -> list[tuple[Factor, float, str]]:
    counts = {
        Factor.OPEN_SEV1: (facts.open_sev1, _plural(facts.open_sev1, "open Sev1 ticket")),
        Factor.OPEN_SEV2: (facts.open_sev2, _plural(facts.open_sev2, "open Sev2 ticket")),
        Factor.SLA_BREACHES: (
            facts.sla_breaches,
            f"{_plural(facts.sla_breaches, 'SLA breach', 'SLA breaches')} in the last {BREACH_WINDOW_DAYS} days",
        ),
        Factor.OPEN_ESCALATIONS: (facts.open_escalations, _plural(facts.open_escalations, "open escalation")),
        Factor.OVERDUE_DEFECT_UPDATES: (
            facts.overdue_defect_updates,
            _plural(facts.overdue_defect_updates, "defect update") + " overdue",
        ),
    }
    return [(factor, _share(n, FULL_AT[factor]), text) for factor, (n, text) in counts.items() if n > 0]


def _onboarding(state: OnboardingState) -> tuple[float, str]:
    if state is OnboardingState.OVERDUE:
        return 1.0, "onboarding overdue"
    if state is OnboardingState.NOT_STARTED:
        return 0.5, "onboarding not started"
    return 0.0, ""


def _seats(facts: HealthFacts) -> tuple[float, str]:
    unused, pending = max(facts.unused_seats, 0), max(facts.pending_seats, 0)
    if facts.seat_allowance <= 0 or not (unused or pending):
        return 0.0, ""
    share = min((unused + pending / 2) / facts.seat_allowance, 1.0)
    parts = [f"{unused} unused"] if unused else []
    parts += [f"{pending} pending"] if pending else []
    return share, f"{' and '.join(parts)} of {_plural(facts.seat_allowance, 'portal seat')}"


def _contact(days: int | None) -> tuple[float, str]:
    if days is None:
        return 1.0, "no contact on the timeline"
    if days <= CONTACT_GRACE_DAYS:
        return 0.0, ""
    share = min((days - CONTACT_GRACE_DAYS) / (CONTACT_FULL_DAYS - CONTACT_GRACE_DAYS), 1.0)
    return share, f"no contact for {_plural(days, 'day')}"


def _renewal(days: int | None) -> tuple[float, str]:
    if days is None or days > RENEWAL_SOON_DAYS:
        return 0.0, ""
    if days < 0:
        text = f"renewal date passed {_plural(-days, 'day')} ago"
    else:
        text = "renewal today" if days == 0 else f"renewal in {_plural(days, 'day')}"
    return (1.0 if days <= RENEWAL_NEAR_DAYS else 0.5), text


def _rounded(weight: int, share: float) -> int:
    """``weight × share`` rounded half up (never down below what a smaller share gives)."""
    return int(weight * share + 0.5 + 1e-9)


def score(facts: HealthFacts, weights: HealthWeights | None = None) -> Health:
    """The customer's health: 100 minus the points of its reasons (at least 0), its band, the reasons by impact."""
    weights = weights or HealthWeights()
    shares = _counted(facts)
    for factor, (share, text) in (
        (Factor.ONBOARDING, _onboarding(facts.onboarding)),
        (Factor.SEATS, _seats(facts)),
        (Factor.LAST_CONTACT, _contact(facts.days_since_contact)),
        (Factor.RENEWAL, _renewal(facts.days_to_renewal)),
    ):
        if share > 0:
            shares.append((factor, share, text))
    order = list(Factor)
    reasons = [Reason(_rounded(weights.of(f), share), text, f) for f, share, text in shares]
    reasons = sorted((r for r in reasons if r.points > 0), key=lambda r: (-r.points, order.index(r.factor)))
    value = max(0, min(100, 100 - sum(r.points for r in reasons)))
    return Health(value, band_for(value), tuple(reasons))


def dropped(before_score: int, before_band: Band, now_score: int, now_band: Band) -> bool:
    """Whether health dropped: the band worsened, or the score fell by ``DROP_POINTS`` or more."""
    return now_band.rank > before_band.rank or before_score - now_score >= DROP_POINTS


def week_of(day: date) -> date:
    """The Monday of ``day``'s week: the key of a weekly snapshot."""
    return day - timedelta(days=day.weekday())


_BARS = "▁▂▃▄▅▆▇█"


def trend_line(scores: Sequence[int]) -> str:
    """Scores (0–100) as a line of bars, oldest first: ``▆▆▅▃``; empty for no scores."""
    return "".join(_BARS[min(max(s, 0), 100) * (len(_BARS) - 1) // 100] for s in scores)
