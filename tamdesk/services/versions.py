"""Installed versions: which product version each customer runs where, with its history, and who a fix has reached.

A customer's versions are history rows (product, version, environment, since); the version it runs now in an
environment is the row with the latest ``since`` for that product and environment (the one recorded last, on the
same day). Versions follow the scheme of ``domain.versions`` (docs/versions.md). A defect's fix has reached a
customer when the customer runs the fix version or later in production (``domain.versions.fix_reach``); a customer
with no production version recorded for the defect's product is not known to wait for it (DESIGN §7: only with
installed versions known does the duty run on until the customer runs the fix).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from tamdesk.domain.states import DefectState
from tamdesk.domain.text import clean_line, identity_problem, visible
from tamdesk.domain.versions import (
    Environment,
    FixReach,
    VersionError,
    fix_reach,
    parse_environment,
    parse_version,
)
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, FieldError, NotFound, ValidationFailed, record_audit, tuples

PRODUCT_LIMIT = 60


@dataclass(frozen=True)
class InstalledRow:
    """One recorded version of a customer; ``current`` marks the one running now in its product and environment."""

    id: int
    product: str
    version: str
    environment: Environment
    since: date
    recorded_at: datetime
    recorded_by: str
    current: bool


@dataclass(frozen=True)
class CustomerReach:
    """Where a defect's fix stands at one linked customer."""

    customer_id: int
    customer: str
    installed: str | None  # the production version of the defect's product, None when none is recorded
    reach: FixReach


def product_key(product: str) -> str:
    """How products compare: without case and extra spaces (``""`` is the vendor's one product)."""
    return " ".join(product.split()).casefold()


def _customer(customer_id: int) -> t.Customer:
    customer = t.Customer.get_or_none(t.Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer #{customer_id} no longer exists.")
    return customer


def clean_product(product: str) -> str:
    """The product name as stored; one line of at most 60 characters.

    Raises:
        FieldError: on ``product`` when it holds invisible characters or is too long.
    """
    if refused := identity_problem("Product", product):
        raise FieldError("product", refused)
    clean = " ".join(clean_line(product).split())
    if len(clean) > PRODUCT_LIMIT:
        raise FieldError("product", f"Product '{visible(clean, limit=40)}' is longer than {PRODUCT_LIMIT} characters.")
    return clean


def record_version(ctx: Context, customer_id: int, product: str, version: str, environment: str, since: date) -> int:
    """Record that the customer runs ``version`` of ``product`` in ``environment`` from ``since`` on.

    Earlier rows stay as history. Returns the new row's id.

    Raises:
        ValidationFailed: by field (``product``, ``version``, ``environment``, ``since``); nothing is written.
    """
    errors: dict[str, str] = {}
    try:
        clean = clean_product(product)
    except FieldError as exc:
        errors["product"], clean = str(exc), ""
    try:
        parsed = parse_version(version)
    except VersionError as exc:
        errors["version"] = str(exc)
    try:
        env = parse_environment(environment)
    except ValueError as exc:
        errors["environment"] = str(exc)
    today = ctx.now().astimezone().date()  # the user's day, as every "today" of the app
    if since > today:
        errors["since"] = f"Since {since.isoformat()} is in the future (today is {today.isoformat()})."
    if errors:
        raise ValidationFailed(errors)
    with database.atomic():
        customer = _customer(customer_id)
        if _already_recorded(customer_id, clean, parsed.text, env, since):
            raise ValidationFailed(
                {"version": f"{parsed.text} in {env.value} since {since.isoformat()} is already recorded."}
            )
        row = t.InstalledVersion.create(
            customer=customer, product=clean, version=parsed.text, environment=env.value, since=since,
            recorded_at=ctx.now(), recorded_by=ctx.actor,
        )  # fmt: skip
        record_audit(
            ctx, entity="installed_version", entity_id=row.id, customer=customer, action="record",
            summary=f"{_product_label(clean)} {parsed.text} in {env.value} since {since.isoformat()}",
            after={"product": clean, "version": parsed.text, "environment": env.value, "since": since},
        )  # fmt: skip
        return int(row.id)


def _already_recorded(customer_id: int, product: str, version: str, env: Environment, since: date) -> bool:
    v = t.InstalledVersion
    same = v.select(v.product).where(
        (v.customer == customer_id) & (v.version == version) & (v.environment == env.value) & (v.since == since)
    )
    return any(product_key(row.product) == product_key(product) for row in same)


def _product_label(product: str) -> str:
    return product or "Version"


def installed_versions(customer_id: int) -> list[InstalledRow]:
    """The customer's versions, the current ones of each product and environment first, then history newest first."""
    v = t.InstalledVersion
    rows = tuples(
        v.select(v.id, v.product, v.version, v.environment, v.since, v.recorded_at, v.recorded_by)
        .where(v.customer == customer_id)
        .order_by(v.since.desc(), v.id.desc())
    )
    seen: set[tuple[str, str]] = set()
    found = []
    for rid, product, version, env, since, at, by in rows:
        key = (product_key(product), env)
        found.append(InstalledRow(rid, product, version, Environment(env), since, at, by, key not in seen))
        seen.add(key)
    return sorted(found, key=lambda r: (not r.current, r.environment is not Environment.PRODUCTION))


def production_versions(customer_ids: Collection[int]) -> dict[tuple[int, str], str]:
    """``(customer id, product key) -> version`` each customer runs now in production, read in a few queries."""
    v = t.InstalledVersion
    current: dict[tuple[int, str], str] = {}
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 900):
        query = (
            v.select(v.customer, v.product, v.version)
            .where(v.customer.in_(ids[start : start + 900]) & (v.environment == Environment.PRODUCTION.value))
            .order_by(v.since, v.id)  # the latest row of a product wins
        )
        for cid, product, version in tuples(query):
            current[(cid, product_key(product))] = version
    return current


def fix_reached(customer_id: int, defect: t.Defect) -> bool:
    """Whether the defect's fix has reached the customer: True once deployed (or closed with a fix version) when
    the customer runs the fix version or later in production, or when nothing says otherwise (no production
    version recorded for the defect's product, or a fix version outside the scheme). False before deployment."""
    installed = production_versions([customer_id]).get((customer_id, product_key(defect.product)))
    reach = fix_reach(defect.fix_version, _deployed(defect), installed)
    return reach in (FixReach.REACHED, FixReach.UNKNOWN)


def _deployed(defect: t.Defect) -> bool:
    return DefectState(defect.state) in (DefectState.FIX_DEPLOYED, DefectState.CLOSED) and bool(defect.fix_version)


def reach_by_customer(defect: t.Defect, customer_ids: Iterable[int]) -> dict[int, FixReach]:
    """Where the defect's fix stands at each of ``customer_ids``."""
    ids = list(customer_ids)
    installed = production_versions(ids)
    deployed = _deployed(defect)
    key = product_key(defect.product)
    return {cid: fix_reach(defect.fix_version, deployed, installed.get((cid, key))) for cid in ids}


def _linked_customers(defect_id: int) -> list[tuple[int, str]]:
    query = (
        t.Customer.select(t.Customer.id, t.Customer.name)
        .join(t.Ticket)
        .join(t.DefectTicket)
        .where(t.DefectTicket.defect == defect_id)
        .distinct()
    )
    return sorted(tuples(query), key=lambda r: str(r[1]).casefold())


def defect_reach(defect_id: int) -> list[CustomerReach]:
    """Every customer linked to the defect, with its production version and where the fix stands there."""
    defect = t.Defect.get_or_none(t.Defect.id == defect_id)
    if defect is None:
        raise NotFound(f"Defect #{defect_id} no longer exists.")
    linked = _linked_customers(defect_id)
    installed = production_versions([cid for cid, _ in linked])
    key, deployed = product_key(defect.product), _deployed(defect)
    return [
        CustomerReach(
            cid, name, installed.get((cid, key)), fix_reach(defect.fix_version, deployed, installed.get((cid, key)))
        )
        for cid, name in linked
    ]


def still_affected(defect_id: int) -> list[CustomerReach]:
    """Linked customers still on an affected version: before deployment every linked customer; after it, those
    running an older version than the fix in production."""
    return [r for r in defect_reach(defect_id) if r.reach in (FixReach.NOT_DEPLOYED, FixReach.WAITING)]


@dataclass(frozen=True)
class WaitingForFix:
    """A customer running an older version in production than a deployed fix it waits for."""

    customer_id: int
    customer: str
    defect_id: int
    title: str
    product: str
    installed: str
    fix_version: str
    deployed_on: date | None

    @property
    def target(self) -> tuple[str, int]:
        return ("defect", self.defect_id)


def waiting_for_fixes(customer_ids: Collection[int] | None = None) -> list[WaitingForFix]:
    """Customers (all, or ``customer_ids``) linked to a deployed, not closed defect whose fix they do not run yet,
    the longest deployed first."""
    query = (
        t.Defect.select(t.Defect.id, t.Defect.title, t.Defect.product, t.Defect.fix_version, t.Defect.deployed_on,
                        t.Customer.id, t.Customer.name)
        .join(t.DefectTicket).join(t.Ticket).join(t.Customer)
        .where((t.Defect.state == DefectState.FIX_DEPLOYED.value) & (t.Defect.fix_version != "") & ~t.Customer.archived)
        .distinct()
    )  # fmt: skip
    if customer_ids is not None:
        query = query.where(t.Customer.id.in_(sorted(customer_ids) or [-1]))
    rows = tuples(query)
    installed = production_versions([r[5] for r in rows])
    found = []
    for did, title, product, fix, deployed_on, cid, name in rows:
        running = installed.get((cid, product_key(product)))
        if fix_reach(fix, True, running) is FixReach.WAITING:
            assert running is not None
            found.append(WaitingForFix(cid, name, did, title, product, running, fix, deployed_on))
    return sorted(found, key=lambda w: (w.deployed_on or date.min, w.customer.casefold(), w.defect_id))
