"""Customers: create, edit, archive, list and import, with every field validated and every change audited."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache

import holidays
import peewee as pw

from tamdesk.domain.health import Health
from tamdesk.domain.onboarding import OnboardingState, StepStatus, due_on, onboarding_state
from tamdesk.domain.states import PersonRole, SeatStatus, TicketStatus
from tamdesk.domain.text import (
    case_key,
    clean_text,
    identity_problem,
    refusal,
    visible,
)
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import (
    Context,
    FieldError,
    NotFound,
    ValidationFailed,
    record_audit,
    save_versioned,
    tuples,
)
from tamdesk.services.customer_aliases import (
    alias_owner,
    aliases_by_customer,
    aliases_of,
    check_aliases,
    store_aliases,
)
from tamdesk.services.directory import person_named
from tamdesk.services.onboarding import sync_automatic_steps
from tamdesk.services.search import contains_text
from tamdesk.services.sla import customer_calendar

DEFAULT_ALLOWANCE = 5
MAX_ALLOWANCE = 50
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone name, sorted (the dialog's searchable list)."""
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


@cache
def countries() -> dict[str, str]:
    """Two-letter ISO code -> country name, for every country the holiday calendars know, by name."""
    from holidays import registry

    supported = holidays.list_supported_countries()
    names = {}
    for module, (class_name, code, *_rest) in registry.COUNTRIES.items():
        if code in supported:
            names[code] = module.replace("_", " ").title() if "_" in module else class_name
    return dict(sorted(names.items(), key=lambda kv: kv[1]))


def _country_key(name: str) -> str:
    """A country name as compared: no accents or case, ``&`` and ``St.`` spelled out (``Türkiye``, ``St. Lucia``)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()
    plain = re.sub(r"\bst\.", "saint", plain.replace("&", " and "))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def country_code(text: str) -> str | None:
    """The ISO code ``text`` names: a code (``de``), a name (``germany``) or the picker's ``Germany (DE)``; ``""``
    for no country; None when it names no country with a holiday calendar."""
    wanted = " ".join(text.split())
    if not wanted or wanted.upper() in countries():
        return wanted.upper()
    by_name = {_country_key(name): code for code, name in countries().items()}
    listed = re.fullmatch(r"(.*?)\s*\(([A-Za-z]{2})\)", wanted)
    if listed and listed[2].upper() in countries():
        # the picker's own spelling of the name may differ (Türkiye, Turkey): only another country's name is wrong
        named = by_name.get(_country_key(listed[1]))
        return listed[2].upper() if named in (None, listed[2].upper()) else None
    return by_name.get(_country_key(wanted))


@dataclass(frozen=True)
class CustomerInput:
    """What the customer dialog and the import hand to the service."""

    name: str
    time_zone: str = "UTC"
    country: str = ""
    email_domains: Sequence[str] = ()
    tam: str = ""  # a name from the people directory; added as a TAM if new
    sla_policy: str = "Standard"
    seat_allowance: int = DEFAULT_ALLOWANCE
    allowance_reason: str = ""
    onboarding_started: date | None = None
    notes: str = ""
    # other names support systems use ("Acme Inc"), a list or text split by semicolons or commas;
    # None leaves an existing customer's as they are
    aliases: Sequence[str] | str | None = None


@dataclass(frozen=True)
class CustomerRow:
    """One line of the customers list."""

    id: int
    name: str
    tam: str
    time_zone: str
    country: str
    onboarding_done: int
    onboarding_total: int
    onboarding_state: OnboardingState
    seats_used: int
    seat_allowance: int
    open_tickets: int
    archived: bool
    aliases: tuple[str, ...] = ()
    health: Health | None = None  # filled by the list's caller from services.health (computed off the UI thread)


@dataclass(frozen=True)
class CustomerDetail:
    id: int
    version: int
    input: CustomerInput
    archived: bool
    created_at: datetime
    access_form_sent_at: datetime | None
    access_form_returned_at: datetime | None
    email_domains: tuple[str, ...] = field(default=())
    aliases: tuple[str, ...] = field(default=())


def normalize_domains(domains: Sequence[str] | str) -> tuple[str, ...]:
    """Domains from a list or comma/semicolon/space-separated text: lower-case, IDN in ASCII form, unique."""
    # a control or separator is refused before splitting: \s would take NEL or U+2028 for a separator
    for item in [domains] if isinstance(domains, str) else domains:
        if why := refusal(item, address=True):
            raise ValueError(f"'{visible(item.strip())}' {why}; remove it")
    items = re.split(r"[,;\s]+", domains) if isinstance(domains, str) else list(domains)
    result: list[str] = []
    for item in items:
        value = item.strip().lower().lstrip("@").rstrip(".")
        if not value:
            continue
        try:
            value = value.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"'{item.strip()}' is not a valid domain") from None
        if not _DOMAIN_RE.match(value):
            raise ValueError(f"'{item.strip()}' is not a valid domain")
        if value not in result:
            result.append(value)
    return tuple(result)


def customer_named(name: str) -> t.Customer | None:
    """The customer whose name is ``name`` but for case and spacing.

    Compared in Python: SQLite's lower() folds ASCII letters only, and one rule for both engines keeps them alike.
    """
    clean, wanted = " ".join(name.split()), case_key(name)
    rows = tuples(t.Customer.select(t.Customer.id, t.Customer.name).order_by(t.Customer.id))
    # the exact spelling first: two names saved before this rule may differ only in case
    exact = [cid for cid, stored in rows if stored == clean]
    found = exact or [cid for cid, stored in rows if case_key(stored) == wanted]
    return t.Customer.get_by_id(found[0]) if found else None


def _held_seat_numbers(customer: t.Customer) -> list[int]:
    """The numbers of the customer's seats that use a slot (requested, granted or active), in order."""
    query = t.PortalSeat.select(t.PortalSeat.seat_no).where(
        (t.PortalSeat.customer == customer) & (t.PortalSeat.status != SeatStatus.REVOKED.value)
    )
    return sorted(int(no) for (no,) in tuples(query))


def seat_numbers(numbers: Sequence[int]) -> str:
    """``seat 2``, ``seats 1–3`` or ``seats 1–3, 5 and 7``: runs of consecutive numbers joined by an en dash."""
    runs: list[list[int]] = []
    for no in sorted(set(numbers)):
        if runs and no == runs[-1][-1] + 1:
            runs[-1].append(no)
        else:
            runs.append([no])
    parts = [str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs] or ["none"]
    text = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"seat{'s' if len(set(numbers)) > 1 else ''} {text}"


def _validate(data: CustomerInput, existing: t.Customer | None) -> tuple[CustomerInput, dict[str, str]]:
    errors: dict[str, str] = {}
    name = " ".join(data.name.split())
    if refused := identity_problem("Name", data.name):
        errors["name"] = refused
    elif not name:
        errors["name"] = "Name is required."
    elif len(name) > 200:
        errors["name"] = "Name is longer than 200 characters."
    else:
        clash = customer_named(name)
        owner = alias_owner(name, existing.id if existing else None)
        if clash is not None and (existing is None or clash.id != existing.id):
            errors["name"] = f"A customer named '{visible(clash.name)}' already exists."
        elif owner is not None and (existing is None or existing.name != name):
            errors["name"] = f"'{name}' is already a name of {owner} (in its Also known as)."
    zone = data.time_zone.strip()
    if zone not in time_zones():
        errors["time_zone"] = f"Time zone '{visible(zone)}' is not an IANA time zone such as Europe/Berlin."
    country = country_code(data.country)
    if country is None:
        country = data.country.strip()
        shown = visible(country)
        errors["country"] = f"Country '{shown}' is not an ISO country code or country name with a holiday calendar."
    try:
        domains = normalize_domains(data.email_domains)
    except ValueError as exc:
        errors["email_domains"] = f"Email domains: {exc}."
        domains = ()
    changed = existing is not None and data.seat_allowance != existing.seat_allowance
    # only a change is checked: an allowance already short (saved before this rule) must not block other edits
    held = _held_seat_numbers(existing) if existing is not None and changed else []
    if not 1 <= data.seat_allowance <= MAX_ALLOWANCE:
        errors["seat_allowance"] = f"Seat allowance {data.seat_allowance} must be between 1 and {MAX_ALLOWANCE}."
    elif data.seat_allowance < len(held):
        errors["seat_allowance"] = (
            f"Seat allowance {data.seat_allowance} is below the {len(held)} seats in use ({seat_numbers(held)}); "
            f"revoke {len(held) - data.seat_allowance} first."
        )
    elif existing is not None and changed and not data.allowance_reason.strip():
        errors["allowance_reason"] = (
            f"Changing the seat allowance from {existing.seat_allowance} to {data.seat_allowance} needs a reason."
        )
    if t.SlaPolicy.get_or_none(t.SlaPolicy.name == data.sla_policy) is None:
        errors["sla_policy"] = f"SLA policy '{visible(data.sla_policy)}' does not exist."
    if refused := identity_problem("TAM", data.tam):
        errors["tam"] = refused
    wanted = data.aliases if data.aliases is not None else aliases_of(existing.id) if existing else ()
    # checked before splitting: a line separator or NEL would otherwise split one name in two silently
    refused_alias = next(
        (p for a in ([wanted] if isinstance(wanted, str) else wanted) if (p := identity_problem("Also known as", a))),
        None,
    )
    aliases = check_aliases(wanted, name, existing.id if existing else None)
    if refused_alias:
        errors["aliases"] = refused_alias
    elif aliases.problems:
        errors["aliases"] = aliases.message
    clean = replace(
        data,
        name=name,
        time_zone=zone,
        country=country,
        email_domains=domains,
        tam=" ".join(data.tam.split()),
        notes=clean_text(data.notes),
        allowance_reason=clean_text(data.allowance_reason),
        aliases=aliases.kept,
    )
    return clean, errors


def _tam(name: str) -> t.Person | None:
    if not name:
        return None
    return person_named(name) or t.Person.create(name=name, role=PersonRole.TAM.value)


def _values(data: CustomerInput) -> dict[str, object]:
    return {
        "name": data.name,
        "time_zone": data.time_zone,
        "country": data.country,
        "email_domains": ",".join(data.email_domains),
        "tam": _tam(data.tam),
        "sla_policy": t.SlaPolicy.get(t.SlaPolicy.name == data.sla_policy),
        "seat_allowance": data.seat_allowance,
        "onboarding_started": data.onboarding_started,
        "notes": data.notes,
    }


def _audit_values(values: Mapping[str, object]) -> dict[str, object]:
    shown = dict(values)
    tam, policy = values.get("tam"), values.get("sla_policy")
    shown["tam"] = tam.name if isinstance(tam, t.Person) else ""
    shown["sla_policy"] = policy.name if isinstance(policy, t.SlaPolicy) else ""
    return shown


def create_customer(ctx: Context, data: CustomerInput) -> int:
    """Create a customer with the default onboarding checklist; returns its id.

    Raises:
        ValidationFailed: one message per bad field.
    """
    with database.atomic():
        clean, errors = _validate(data, None)
        if errors:
            raise ValidationFailed(errors)
        values = _values(clean)
        calendar = t.BusinessCalendar.select().order_by(t.BusinessCalendar.id).first()
        customer = t.Customer.create(**values, calendar=calendar, created_at=ctx.now())
        _create_checklist(customer, clean.onboarding_started or ctx.now().date())
        store_aliases(customer.id, _kept(clean))
        record_audit(
            ctx,
            entity="customer",
            entity_id=customer.id,
            customer=customer,
            action="create",
            summary=f"Customer {customer.name} created",
            after={**_audit_values(values), **({"aliases": list(_kept(clean))} if clean.aliases else {})},
        )
        return int(customer.id)


def _create_checklist(customer: t.Customer, start: date) -> None:
    template = (
        t.OnboardingTemplate.get_or_none(t.OnboardingTemplate.is_default) or t.OnboardingTemplate.select().first()
    )
    if template is None:
        return
    steps = template.steps.order_by(t.OnboardingTemplateStep.position)
    calendar = customer_calendar(customer)
    for step in steps:
        t.OnboardingStep.create(
            customer=customer,
            position=step.position,
            title=step.title,
            description=step.description,
            due_date=due_on(start, step.offset_days, calendar),
            auto_rule=step.auto_rule,
        )


def update_customer(ctx: Context, customer_id: int, expected_version: int, data: CustomerInput) -> None:
    """Save an edit; a changed seat allowance needs a reason, which is kept in the history.

    Raises:
        ValidationFailed, StaleEdit, NotFound.
    """
    with database.atomic():
        customer = _get(customer_id)
        clean, errors = _validate(data, customer)
        if errors:
            raise ValidationFailed(errors)
        before = {k: getattr(customer, k) for k in _values(clean)}
        values = _values(clean)
        changes = {k: v for k, v in values.items() if before[k] != v}
        old_aliases, new_aliases = aliases_of(customer.id), _kept(clean)
        renamed = set(old_aliases) != set(new_aliases)
        if not changes and not renamed:
            return
        save_versioned(customer, expected_version, changes)
        store_aliases(customer.id, new_aliases)
        summary = f"Customer {customer.name} edited: {', '.join(sorted([*changes, *(['aliases'] * renamed)]))}"
        if "seat_allowance" in changes:
            old, reason = before["seat_allowance"], clean.allowance_reason.strip()
            summary += f". Seat allowance {old} → {clean.seat_allowance}: {reason}"
        aliases_before, aliases_after = (
            ({"aliases": list(old_aliases)}, {"aliases": list(new_aliases)}) if renamed else ({}, {})
        )
        record_audit(
            ctx,
            entity="customer",
            entity_id=customer.id,
            customer=customer,
            action="update",
            summary=summary,
            before={**_audit_values({k: before[k] for k in changes}), **aliases_before},
            after={**_audit_values(changes), **aliases_after},
        )
        if "seat_allowance" in changes:  # the checklist counts the designated users against the allowance
            sync_automatic_steps(ctx, customer.id)


def _kept(clean: CustomerInput) -> tuple[str, ...]:
    """The aliases of a validated input (``_validate`` turns them into a checked tuple)."""
    return tuple(clean.aliases or ())


def add_alias(ctx: Context, customer_id: int, name: str) -> bool:
    """Record that ``customer_id`` is also known as ``name`` (a ticket import mapped that name to it), so the next
    import matches the name by itself. Returns whether it was added: the customer's own name, a name it already
    has or an empty one change nothing.

    Raises:
        FieldError: ``name`` is another customer's name or alias (field ``aliases``), or too long.
        NotFound: the customer is gone.
    """
    with database.atomic():
        customer = _get(customer_id)
        check = check_aliases([name], customer.name, customer.id)
        if check.problems:
            raise FieldError("aliases", check.message)
        current = aliases_of(customer.id)
        if not check.kept or check_aliases([*current, *check.kept], customer.name, customer.id).kept == current:
            return False
        added = check.kept[0]
        save_versioned(customer, customer.version, {})  # a dialog open on the customer must not drop it unseen
        store_aliases(customer.id, (*current, added))
        record_audit(
            ctx,
            entity="customer",
            entity_id=customer.id,
            customer=customer,
            action="update",
            summary=f"Customer {customer.name} is also known as '{added}'",
            before={"aliases": list(current)},
            after={"aliases": [*current, added]},
        )
        return True


def set_archived(ctx: Context, customer_id: int, expected_version: int, archived: bool) -> None:
    with database.atomic():
        customer = _get(customer_id)
        if customer.archived == archived:
            return
        save_versioned(customer, expected_version, {"archived": archived})
        verb = "archived" if archived else "restored"
        record_audit(
            ctx,
            entity="customer",
            entity_id=customer.id,
            customer=customer,
            action=verb,
            summary=f"Customer {customer.name} {verb}",
        )


def _get(customer_id: int) -> t.Customer:
    customer = t.Customer.get_or_none(t.Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer #{customer_id} no longer exists.")
    return customer


def customer_by_name(name: str) -> t.Customer:
    """The customer a person means by ``name``: its name but for case and spacing, else the one customer whose name
    (or a word of it) starts so: ``kestrel`` finds Kestrel Logistics GmbH.

    Raises:
        NotFound: no customer matches, or several do (they are named, to write more of the one meant).
    """
    customer = customer_named(name)
    if customer is not None:
        return customer
    wanted = case_key(name)
    if not wanted:
        raise NotFound("Name a customer.")
    rows = tuples(t.Customer.select(t.Customer.id, t.Customer.name).order_by(t.Customer.name))
    found = [(cid, stored) for cid, stored in rows if case_key(stored).startswith(wanted)]
    if not found:
        found = [(cid, stored) for cid, stored in rows if any(w.startswith(wanted) for w in case_key(stored).split())]
    if len(found) == 1:
        return t.Customer.get_by_id(found[0][0])
    if not found:
        raise NotFound(f"No customer named '{visible(name)}'.")
    names = ", ".join(stored for _, stored in found[:8]) + (f" and {len(found) - 8} more" if len(found) > 8 else "")
    raise NotFound(f"'{visible(name)}' could be {names}: write more of the name.")


def get_customer(customer_id: int) -> CustomerDetail:
    c = _get(customer_id)
    domains = tuple(d for d in c.email_domains.split(",") if d)
    aliases = aliases_of(c.id)
    data = CustomerInput(
        name=c.name,
        time_zone=c.time_zone,
        country=c.country,
        email_domains=domains,
        tam=c.tam.name if c.tam else "",
        sla_policy=c.sla_policy.name,
        seat_allowance=c.seat_allowance,
        onboarding_started=c.onboarding_started,
        notes=c.notes,
        aliases=aliases,
    )
    return CustomerDetail(
        c.id,
        c.version,
        data,
        c.archived,
        c.created_at,
        c.access_form_sent_at,
        c.access_form_returned_at,
        domains,
        aliases,
    )


def list_customers(today: date, search: str = "", include_archived: bool = False) -> list[CustomerRow]:
    """Customers with onboarding progress, seats used and open tickets, in three queries whatever their number."""
    query = t.Customer.select(t.Customer, t.Person.name.alias("tam_name")).join(
        t.Person, pw.JOIN.LEFT_OUTER, on=(t.Customer.tam == t.Person.id)
    )
    if not include_archived:
        query = query.where(~t.Customer.archived)
    if search.strip():
        text = search.strip()
        known_as = t.CustomerAlias.select(t.CustomerAlias.customer).where(contains_text(text, t.CustomerAlias.name))
        query = query.where(
            contains_text(text, t.Customer.name, t.Person.name, t.Customer.email_domains) | t.Customer.id.in_(known_as)
        )
    customers = list(query.order_by(pw.fn.lower(t.Customer.name)).objects())
    ids = [c.id for c in customers]
    aliases = aliases_by_customer(ids)
    steps: dict[int, list[StepStatus]] = {i: [] for i in ids}
    for cid, due, done in tuples(
        t.OnboardingStep.select(t.OnboardingStep.customer, t.OnboardingStep.due_date, t.OnboardingStep.done_at)
    ):
        if cid in steps:
            steps[cid].append(StepStatus(_as_date(due), done))
    seats: dict[int, int] = dict(
        tuples(
            t.PortalSeat.select(t.PortalSeat.customer, pw.fn.count(t.PortalSeat.id))
            .where(t.PortalSeat.status != SeatStatus.REVOKED.value)
            .group_by(t.PortalSeat.customer)
        )
    )
    closed = [TicketStatus.SOLVED.value, TicketStatus.CLOSED.value]
    tickets: dict[int, int] = dict(
        tuples(
            t.Ticket.select(t.Ticket.customer, pw.fn.count(t.Ticket.id))
            .where(t.Ticket.status.not_in(closed))
            .group_by(t.Ticket.customer)
        )
    )
    rows = []
    for c in customers:
        checklist = steps[c.id]
        rows.append(
            CustomerRow(
                id=c.id,
                name=c.name,
                tam=getattr(c, "tam_name", None) or "",
                time_zone=c.time_zone,
                country=c.country,
                onboarding_done=sum(1 for s in checklist if s.done_at is not None),
                onboarding_total=len(checklist),
                onboarding_state=onboarding_state(checklist, c.onboarding_started, today),
                seats_used=seats.get(c.id, 0),
                seat_allowance=c.seat_allowance,
                open_tickets=tickets.get(c.id, 0),
                archived=c.archived,
                aliases=aliases.get(c.id, ()),
            )
        )
    return rows


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
