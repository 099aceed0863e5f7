"""Sample customers: companies, onboarding checklists and portal seats."""

from __future__ import annotations

import random
from collections.abc import Sequence

from tamdesk.domain.mailbox import mailbox_key
from tamdesk.domain.onboarding import AutoRule, due_on
from tamdesk.domain.states import PersonRole
from tamdesk.models import tables as t
from tamdesk.services.demo_plan import BuilderBase, Customer, Policies, Seat, ids_by, insert_all, model_fields
from tamdesk.services.demo_time import DAY, HOUR, MINUTE, days, working_day
from tamdesk.services.demo_words import (
    COUNTRIES,
    CUSTOMER_NOTES,
    GLOBAL_BRANDS,
    JOB_TITLES,
    PREMIUM_SHARE,
    QUALIFIERS,
    REVOKE_REASONS,
    SECTORS,
    SPAN_DAYS,
    Country,
    ascii_folded,
)
from tamdesk.services.onboarding import AUTOMATIC


class CustomersPart(BuilderBase):
    """Plans and writes the customers, their onboarding steps and their portal seats."""

    # -- customers -----------------------------------------------------------------------------------------------------

    def _plan_customers(self, policies: Policies) -> None:
        rng = self.rng
        categories = _categories(self.n_customers)
        rng.shuffle(categories)
        countries = list(COUNTRIES)
        weights = [c.weight for c in countries]
        in_progress = 0
        for index, category in enumerate(categories):
            country = rng.choices(countries, weights)[0]
            name, slug = self._company(country)
            policy_id, slas = policies.premium if rng.random() < PREMIUM_SHARE else policies.standard
            domains = (f"{slug}.{country.tld}",) + (
                (f"{slug}.com",) if country.tld != "com" and rng.random() < 0.2 else ()
            )
            zone = rng.choice(country.zones)
            customer = Customer(
                index=index,
                name=name,
                country=country,
                zone=zone,
                clock=self._clock(zone),
                domains=domains,
                tam=rng.choice(self.staff[PersonRole.TAM]),
                policy_id=policy_id,
                slas=slas,
                allowance=rng.choices((5, 7, 3), (85, 8, 7))[0],
                category=category,
            )
            if category == "in_progress":
                in_progress += 1
            self._plan_onboarding(customer, in_progress)
            self._plan_seats(customer)
            self.customers.append(customer)

    def _company(self, country: Country) -> tuple[str, str]:
        """A unique, plausible company name for ``country`` and its domain slug."""
        rng = self.rng
        for attempt in range(60):
            brand = rng.choice(country.brands if rng.random() < 0.45 else GLOBAL_BRANDS)
            sector = rng.choice(SECTORS)
            base = f"{brand} {sector}" if attempt < 30 else f"{brand} {rng.choice(QUALIFIERS)} {sector}"
            slug = ascii_folded(base)
            if slug not in self._used_slugs:
                break
        else:
            number = 2
            while ascii_folded(f"{base} {number}") in self._used_slugs:
                number += 1
            base, slug = f"{base} {number}", ascii_folded(f"{base} {number}")
        self._used_slugs.add(slug)
        return f"{base} {rng.choice(country.legal_forms)}", slug

    def _write_customers(self) -> None:
        fields = model_fields(
            t.Customer,
            "name, time_zone, country, email_domains, tam, sla_policy, calendar, seat_allowance, onboarding_started,"
            "access_form_sent_at, access_form_returned_at, archived, notes, created_at, version",
        )
        rows = [
            (
                c.name,
                c.zone,
                c.country.code,
                ",".join(c.domains),
                c.tam.id,
                c.policy_id,
                self.calendar_id,
                c.allowance,
                c.started.isoformat() if c.started else None,
                c.milestones.get(AutoRule.ACCESS_FORM_SENT),
                c.milestones.get(AutoRule.ACCESS_FORM_RETURNED),
                False,
                self.rng.choice(CUSTOMER_NOTES),
                c.created_at,
                1,
            )
            for c in self.customers
        ]
        insert_all(fields, rows)
        ids = ids_by(t.Customer.name, [c.name for c in self.customers])
        for c in self.customers:
            c.id = ids[c.name]

    # -- onboarding ----------------------------------------------------------------------------------------------------

    def _plan_onboarding(self, c: Customer, in_progress_seen: int) -> None:
        """Start date, steps done (in order) with their times, and the milestones the data proves."""
        rng = self.rng
        offsets = [s.offset_days for s in self.template]
        if c.category == "not_started":
            c.planned_start = self.today + days(rng.randint(2, 14))
            c.created_at = self.now - rng.randrange(HOUR, 10 * DAY)
            return
        age = _onboarding_age(rng, c.category, in_progress_seen)
        while c.category != "in_progress" and (self.today - days(age)).weekday() >= 5:
            age += 1  # kickoffs happen on working days (in-progress ages are chosen for their seat states)
        c.started = self.today - days(age)
        c.created_at = self._business_moment(c.clock, working_day(c.started - days(rng.randint(1, 20)), c.started))
        past_due = sum(1 for offset in offsets if offset < age)
        if c.category == "complete":
            done = len(offsets)
        elif c.category == "overdue":
            done = rng.randint(max(1, past_due - 5), max(1, past_due - 1))
        else:
            ahead = 1 if in_progress_seen > 2 and rng.random() < 0.3 else 0  # the first two are placed exactly
            done = min(len(offsets), past_due + ahead)
        self._step_times(c, offsets[:done])
        for position, step in enumerate(self.template[:done]):
            if step.auto_rule is not None:
                c.milestones[step.auto_rule] = c.done[position]
        if c.category == "complete":
            for rule in AutoRule:  # a template without the rule's step: the finished onboarding proves it
                c.milestones.setdefault(rule, c.done[-1])

    def _step_times(self, c: Customer, offsets: Sequence[int]) -> None:
        rng = self.rng
        assert c.started is not None
        previous_day, previous = c.started, c.created_at
        for offset in offsets:
            day = c.started + days(offset + rng.choice((-1, 0, 0, 0, 0, 1, 1, 2, 3)))
            day = working_day(min(max(day, previous_day), self.today), self.today)
            at = min(max(self._business_moment(c.clock, day), previous + MINUTE), self.now - rng.randrange(60, HOUR))
            at = max(at, previous + 1)
            c.done.append(at)
            previous_day, previous = day, at

    def _write_onboarding(self) -> None:
        fields = model_fields(
            t.OnboardingStep,
            "customer, position, title, description, due_date, done_at, done_by, note, auto_rule, version",
        )
        rows = []
        for c in self.customers:
            start = c.started or c.planned_start
            for i, step in enumerate(self.template):
                done_at = c.done[i] if i < len(c.done) else None
                # the designated users are named at the kickoff, before the access form brings their seats
                by_hand = step.auto_rule is None or not step.auto_rule.asks_why_by_hand
                done_by = "" if done_at is None else (c.tam.name if by_hand else AUTOMATIC)
                due = due_on(start, step.offset_days).isoformat() if start else None
                rule = step.auto_rule.value if step.auto_rule else None
                rows.append((c.id, step.position, step.title, step.description, due, done_at, done_by, "", rule, 1))
        self.counts.onboarding_steps = insert_all(fields, rows)

    # -- portal seats --------------------------------------------------------------------------------------------------

    def _plan_seats(self, c: Customer) -> None:
        """The seats the access form requested, how far each got, and revoked seats re-issued to someone new."""
        returned = c.milestones.get(AutoRule.ACCESS_FORM_RETURNED)
        if returned is None:
            return
        rng = self.rng
        people = self._seat_people(c, c.allowance + 3)
        granted_ms = c.milestones.get(AutoRule.SEATS_GRANTED)
        welcome_ms = c.milestones.get(AutoRule.WELCOME_CONFIRMED)
        granted = self._spread(c.allowance, returned, granted_ms)
        for slot, when in enumerate(granted, start=1):
            seat = Seat(slot, *people.pop(), requested=returned, granted=when)
            if when is not None:
                seat.welcome = self._spread(1, when, welcome_ms)[0] if welcome_ms else None
            c.seats.append(seat)
        if granted_ms is not None and welcome_ms is None:
            for seat in rng.sample(c.seats, rng.randint(1, c.allowance - 1)):
                assert seat.granted is not None
                seat.welcome = rng.randint(seat.granted, self.now)
        if welcome_ms is not None:
            for seat in rng.sample(c.seats, rng.choices((0, 1, 2), (55, 33, 12))[0]):
                self._revoke_and_reissue(c, seat, people.pop())
        c.active_from = min((s.granted for s in c.seats if s.granted is not None), default=None)

    def _spread(self, n: int, start: int, end: int | None) -> list[int | None]:
        """``n`` times between ``start`` and ``end``, the last one at ``end``; without ``end`` some stay None."""
        rng = self.rng
        if end is not None:
            times: list[int | None] = [rng.randint(start, end) for _ in range(n - 1)]
            times.append(end)
            rng.shuffle(times)
            return times
        some = rng.randint(1, n - 1)
        return [rng.randint(start, self.now) for _ in range(some)] + [None] * (n - some)

    def _revoke_and_reissue(self, c: Customer, seat: Seat, person: tuple[str, str, str, str]) -> None:
        rng = self.rng
        assert seat.welcome is not None
        earliest, latest = seat.welcome + 20 * DAY, self.now - DAY
        if earliest >= latest:
            return
        seat.revoked = rng.randint(earliest, latest)
        seat.reason = rng.choice(REVOKE_REASONS)
        requested = min(seat.revoked + rng.randrange(HOUR, 5 * DAY), self.now - MINUTE)
        new = Seat(seat.seat_no, *person, requested=requested)
        granted = requested + rng.randrange(2 * HOUR, 3 * DAY)
        if granted <= self.now:
            new.granted = granted
            welcome = granted + rng.randrange(HOUR, 5 * DAY)
            new.welcome = welcome if welcome <= self.now else None
        c.seats.append(new)

    def _seat_people(self, c: Customer, n: int) -> list[tuple[str, str, str, str]]:
        """``n`` distinct people of the customer: (full name, email, job title, phone)."""
        rng, country = self.rng, c.country
        # Distinct given and family names: nobody shares a name, and no team looks like one family.
        names = zip(rng.sample(country.first_names, n), rng.sample(country.last_names, n), strict=True)
        people = []
        for given, family in names:
            domain = c.domains[-1] if len(c.domains) > 1 and rng.random() < 0.2 else c.domains[0]
            email = f"{ascii_folded(given)}.{ascii_folded(family)}@{domain}"
            if country.phone_prefix == "+1":  # area code, then 555-01xx, the numbers reserved for fiction
                phone = f"+1 {rng.randint(201, 989)} 555 01{rng.randint(0, 99):02d}"
            else:
                area, block, line = rng.randint(20, 99), rng.randint(100, 999), rng.randint(1000, 9999)
                phone = f"{country.phone_prefix} {area} {block} {line}"
            people.append((f"{given} {family}", email, rng.choice(JOB_TITLES), phone))
        return people

    def _write_seats(self) -> None:
        fields = model_fields(
            t.PortalSeat,
            "customer, seat_no, full_name, email, mailbox_key, job_title, phone, status, requested_at, granted_at,"
            "welcome_confirmed_at, revoked_at, revoke_reason, version",
        )
        rows = [
            (
                c.id,
                s.seat_no,
                s.full_name,
                s.email,
                mailbox_key(s.email),
                s.job_title,
                s.phone,
                s.status.value,
                s.requested,
                s.granted,
                s.welcome,
                s.revoked,
                s.reason,
                1,
            )
            for c in self.customers
            for s in c.seats
        ]
        self.counts.seats = insert_all(fields, rows)
        ids = {
            (customer_id, email): row_id
            for row_id, customer_id, email in t.PortalSeat.select(
                t.PortalSeat.id, t.PortalSeat.customer, t.PortalSeat.email
            )
            .tuples()
            .iterator()
        }
        for c in self.customers:
            for s in c.seats:
                s.id = ids[(c.id, s.email)]


def _categories(n: int) -> list[str]:
    """Onboarding categories: a few not started, some in progress or overdue, the rest complete."""
    if n < 4:
        return ["complete"] * n
    not_started = max(1, round(n * 0.04))
    overdue = max(1, round(n * 0.05))
    in_progress = max(2, round(n * 0.07)) if n >= 10 else 1
    complete = n - not_started - overdue - in_progress
    return (
        ["not_started"] * not_started + ["overdue"] * overdue + ["in_progress"] * in_progress + ["complete"] * complete
    )


def _onboarding_age(rng: random.Random, category: str, in_progress_seen: int) -> int:
    """Days since the kickoff. The first two customers in progress are placed where seats are requested or granted."""
    if category == "complete":
        return rng.randint(35, SPAN_DAYS - 7)
    if category == "overdue":
        return rng.randint(16, 75)
    if in_progress_seen in (1, 2):
        return 11 if in_progress_seen == 1 else 14  # 5 steps done: seats requested; 6 done: seats granted
    return rng.randint(0, 16)
