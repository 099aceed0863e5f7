"""The tables. Every editable row carries ``version`` for optimistic locking (see services.base)."""

from __future__ import annotations

from typing import Any

import peewee as pw

from tamdesk.models.db import database
from tamdesk.models.fields import DayField, UtcDateTimeField


class BaseModel(pw.Model):
    # Declared (peewee would add the same column) so type checkers know it; foreign-key ``*_id`` columns and
    # backrefs are annotated on each table below for the same reason.
    id = pw.AutoField()

    class Meta:
        database = database
        legacy_table_names = False


class VersionedModel(BaseModel):
    version = pw.IntegerField(default=1)


class SchemaInfo(BaseModel):
    """One row: the schema version this database is at."""

    version = pw.IntegerField()
    app_version = pw.CharField(default="")
    migrated_at = UtcDateTimeField(null=True)


class Setting(VersionedModel):
    """Domain settings (JSON values): role address list, directory defaults, cadences, the user's name."""

    key = pw.CharField(unique=True)
    value = pw.TextField()


class Person(VersionedModel):
    """The people directory: TAMs, support managers, senior directors, the VP of Customer Success."""

    name = pw.CharField(unique=True)
    email = pw.CharField(default="")
    role = pw.CharField(index=True)  # PersonRole
    active = pw.BooleanField(default=True)


class BusinessCalendar(VersionedModel):
    """Weekly business hours; holidays come from the customer's country.

    ``weekly_hours`` is JSON: weekday ("0" = Monday) -> ``["09:00", "18:00"]`` for one interval, or a list of
    intervals ``[["09:00", "12:30"], ["13:30", "18:00"]]``; a closing time of ``"24:00"`` is the end of the day.
    """

    days: Any  # backref: a query of the related rows
    name = pw.CharField(unique=True)
    weekly_hours = pw.TextField()


class CalendarDay(BaseModel):
    """Date-specific hours of a calendar: a half day, or a weekday closed by date; they replace the weekly hours.

    ``hours`` is JSON, a list of intervals as in ``BusinessCalendar.weekly_hours``; ``[]`` means closed.
    """

    calendar_id: int
    calendar = pw.ForeignKeyField(BusinessCalendar, backref="days", on_delete="CASCADE")
    day = DayField()
    hours = pw.TextField(default="[]")
    name = pw.CharField(default="")

    class Meta:
        indexes = ((("calendar", "day"), True),)


class CalendarHoliday(VersionedModel):
    """A custom holiday added to, or a national holiday removed from, a country's calendar."""

    country = pw.CharField(max_length=8, index=True)
    day = DayField()
    name = pw.CharField(default="")
    removed = pw.BooleanField(default=False)

    class Meta:
        indexes = ((("country", "day"), True),)


class SlaPolicy(VersionedModel):
    customers: Any  # backref: a query of the related rows
    revisions: Any  # backref: a query of the related rows
    name = pw.CharField(unique=True)
    description = pw.TextField(default="")
    current_revision = pw.IntegerField(default=1)


class SlaPolicyRevision(BaseModel):
    """An immutable revision of a policy's targets; reports name the revision they applied."""

    policy = pw.ForeignKeyField(SlaPolicy, backref="revisions", on_delete="CASCADE")
    revision = pw.IntegerField()
    targets = pw.TextField()  # JSON: severity -> {first_response_min, update_cadence_min, clock}
    at_risk_fraction = pw.FloatField(default=0.75)
    created_at = UtcDateTimeField()
    created_by = pw.CharField(default="")
    note = pw.TextField(default="")

    class Meta:
        indexes = ((("policy", "revision"), True),)


class OnboardingTemplate(VersionedModel):
    steps: Any  # backref: a query of the related rows
    name = pw.CharField(unique=True)
    is_default = pw.BooleanField(default=False)


class OnboardingTemplateStep(VersionedModel):
    template = pw.ForeignKeyField(OnboardingTemplate, backref="steps", on_delete="CASCADE")
    position = pw.IntegerField()
    title = pw.CharField()
    description = pw.TextField(default="")
    offset_days = pw.IntegerField(default=0)
    auto_rule = pw.CharField(null=True)  # OnboardingAutoRule, for steps the data proves


class Customer(VersionedModel):
    tam_id: int | None
    sla_policy_id: int
    calendar_id: int
    seats: Any  # backref: a query of the related rows
    tickets: Any  # backref: a query of the related rows
    onboarding_steps: Any  # backref: a query of the related rows
    audit: Any  # backref: a query of the related rows
    name = pw.CharField(unique=True)
    time_zone = pw.CharField(default="UTC")
    country = pw.CharField(max_length=8, default="")
    email_domains = pw.TextField(default="")  # comma-separated
    tam = pw.ForeignKeyField(Person, null=True, backref="customers", on_delete="SET NULL")
    sla_policy = pw.ForeignKeyField(SlaPolicy, backref="customers")
    calendar = pw.ForeignKeyField(BusinessCalendar, backref="customers")
    seat_allowance = pw.IntegerField(default=5)
    onboarding_started = DayField(null=True)
    access_form_sent_at = UtcDateTimeField(null=True)
    access_form_returned_at = UtcDateTimeField(null=True)
    archived = pw.BooleanField(default=False, index=True)
    notes = pw.TextField(default="")
    created_at = UtcDateTimeField()


class CustomerAlias(BaseModel):
    """A name a customer is also known as in a support system ("Acme Inc" for "Acme Analytics"); schema v2."""

    customer_id: int
    customer = pw.ForeignKeyField(Customer, backref="aliases", on_delete="CASCADE")
    name = pw.CharField()
    name_key = pw.CharField(unique=True)  # casefolded, accents and punctuation removed: matches once across customers


class ImportMapping(VersionedModel):
    """A column mapping a user edited and saved under a name, reused for the next export of that shape; v2."""

    name = pw.CharField(unique=True)
    source = pw.CharField(default="")  # ImportSource value the mapping was made for
    columns = pw.TextField(default="{}")  # JSON: field label -> file header
    created_by = pw.CharField(default="")
    created_at = UtcDateTimeField()


class OnboardingStep(VersionedModel):
    customer_id: int
    customer = pw.ForeignKeyField(Customer, backref="onboarding_steps", on_delete="CASCADE")
    position = pw.IntegerField()
    title = pw.CharField()
    description = pw.TextField(default="")
    due_date = DayField(null=True)
    done_at = UtcDateTimeField(null=True)
    done_by = pw.CharField(default="")
    note = pw.TextField(default="")
    auto_rule = pw.CharField(null=True)

    class Meta:
        indexes = ((("customer", "position"), False),)


class PortalSeat(VersionedModel):
    customer_id: int
    tickets: Any  # backref: a query of the related rows
    customer = pw.ForeignKeyField(Customer, backref="seats", on_delete="CASCADE")
    seat_no = pw.IntegerField()
    full_name = pw.CharField()
    email = pw.CharField()
    mailbox_key = pw.CharField(index=True)
    job_title = pw.CharField(default="")
    phone = pw.CharField(default="")
    status = pw.CharField(index=True)  # SeatStatus
    requested_at = UtcDateTimeField()
    granted_at = UtcDateTimeField(null=True)
    welcome_confirmed_at = UtcDateTimeField(null=True)
    revoked_at = UtcDateTimeField(null=True)
    revoke_reason = pw.TextField(default="")

    class Meta:
        indexes = ((("customer", "seat_no"), False),)


class Ticket(VersionedModel):
    customer_id: int
    reporter_id: int | None
    events: Any  # backref: a query of the related rows
    escalations: Any  # backref: a query of the related rows
    defect_links: Any  # backref: a query of the related rows
    severity_changes: Any  # backref: a query of the related rows
    exemptions: Any  # backref: a query of the related rows
    number = pw.CharField(unique=True)
    customer = pw.ForeignKeyField(Customer, backref="tickets", on_delete="CASCADE")
    subject = pw.TextField(default="")
    severity = pw.SmallIntegerField()  # Severity
    status = pw.CharField(index=True)  # TicketStatus
    opened_at = UtcDateTimeField(index=True)
    resolved_at = UtcDateTimeField(null=True)
    reporter = pw.ForeignKeyField(PortalSeat, null=True, backref="tickets", on_delete="SET NULL")
    engineer = pw.CharField(default="")
    notes = pw.TextField(default="")
    # What the support system said of this ticket (schema v2). Kept beside tamdesk's own verdict and reconciled
    # against it, never copied over it; empty for tickets typed in tamdesk.
    source = pw.CharField(default="", constraints=[pw.SQL("DEFAULT ''")])  # zendesk, salesforce, jsm; "" = ours
    source_updated_at = UtcDateTimeField(null=True)  # the export's "Updated" time of the ticket
    source_first_reply_business_minutes = pw.IntegerField(null=True)  # Zendesk's business-hours first reply
    source_first_response_breached = pw.BooleanField(null=True)  # JSM SLA / Salesforce milestone violation
    source_resolution_breached = pw.BooleanField(null=True)

    class Meta:
        indexes = ((("customer", "opened_at"), False), (("severity", "opened_at"), False))


class TicketEvent(VersionedModel):
    """One entry of a ticket's history; SLA state is always recomputed from these."""

    ticket_id: int

    ticket = pw.ForeignKeyField(Ticket, backref="events", on_delete="CASCADE")
    at = UtcDateTimeField()
    kind = pw.CharField()  # TicketEventKind
    note = pw.TextField(default="")
    author = pw.CharField(default="")

    class Meta:
        indexes = ((("ticket", "at"), False),)


class TicketSeverityChange(BaseModel):
    """A dated change of a ticket's severity (schema v5); the SLA applies each from its instant on."""

    ticket_id: int

    ticket = pw.ForeignKeyField(Ticket, backref="severity_changes", on_delete="CASCADE")
    at = UtcDateTimeField()
    before = pw.SmallIntegerField()  # Severity
    after = pw.SmallIntegerField()  # Severity
    author = pw.CharField(default="")
    recorded_at = UtcDateTimeField()

    class Meta:
        indexes = ((("ticket", "at"), False),)


class SlaExemption(BaseModel):
    """An SLA breach excused, with the reason (schema v5). The evaluation stays the truth; reports apply these
    on top. ``deadline`` names the missed update (its due instant); None for the first response."""

    ticket_id: int

    ticket = pw.ForeignKeyField(Ticket, backref="exemptions", on_delete="CASCADE")
    clock = pw.CharField()  # ExemptClock: first_response or update
    deadline = UtcDateTimeField(null=True)
    reason = pw.TextField()
    author = pw.CharField(default="")
    excused_at = UtcDateTimeField()

    class Meta:
        indexes = ((("ticket", "clock", "deadline"), False),)


class Escalation(VersionedModel):
    ticket_id: int
    support_manager_id: int | None
    senior_director_id: int | None
    entries: Any  # backref: a query of the related rows
    ticket = pw.ForeignKeyField(Ticket, backref="escalations", on_delete="CASCADE")
    requested_by = pw.CharField()  # "customer" or "tam"
    requester_name = pw.CharField(default="")
    reason = pw.TextField()
    business_impact = pw.TextField(default="")
    desired_outcome = pw.TextField(default="")
    state = pw.CharField(index=True)  # EscalationState
    support_manager = pw.ForeignKeyField(Person, null=True, backref="+", on_delete="SET NULL")
    senior_director = pw.ForeignKeyField(Person, null=True, backref="+", on_delete="SET NULL")
    vp_apprised = pw.BooleanField(default=False)
    vp_apprised_at = UtcDateTimeField(null=True)
    vp_note = pw.TextField(default="")
    decline_reason = pw.TextField(default="")
    opened_at = UtcDateTimeField(index=True)
    closed_at = UtcDateTimeField(null=True)


class EscalationEntry(BaseModel):
    """A dated timeline entry: a state change or a note."""

    escalation_id: int

    escalation = pw.ForeignKeyField(Escalation, backref="entries", on_delete="CASCADE")
    at = UtcDateTimeField()
    author = pw.CharField(default="")
    state = pw.CharField(null=True)
    text = pw.TextField(default="")


class Defect(VersionedModel):
    ticket_links: Any  # backref: a query of the related rows
    updates: Any  # backref: a query of the related rows
    title = pw.CharField()
    description = pw.TextField(default="")
    severity = pw.SmallIntegerField()
    state = pw.CharField(index=True)  # DefectState
    reported_at = UtcDateTimeField()
    validated_at = UtcDateTimeField(null=True)
    validated_by = pw.CharField(default="")
    repro_notes = pw.TextField(default="")
    engineering_key = pw.CharField(null=True, index=True)
    engineering_url = pw.CharField(default="")
    escalated_at = UtcDateTimeField(null=True)
    priority = pw.CharField(default="")
    priority_reason = pw.TextField(default="")
    prioritized_at = UtcDateTimeField(null=True)
    fix_started_at = UtcDateTimeField(null=True)
    fix_version = pw.CharField(default="")
    deployed_on = DayField(null=True)
    closed_at = UtcDateTimeField(null=True)
    # the product the fix version belongs to (schema v8); "" = the vendor's one product. Matched against a
    # customer's installed versions to know whether the fix has reached them.
    product = pw.CharField(default="", constraints=[pw.SQL("DEFAULT ''")])


class DefectTicket(BaseModel):
    defect_id: int
    ticket_id: int
    defect = pw.ForeignKeyField(Defect, backref="ticket_links", on_delete="CASCADE")
    ticket = pw.ForeignKeyField(Ticket, backref="defect_links", on_delete="CASCADE")
    # when the ticket (and so its customer) was linked: that customer's update clock starts here at the earliest
    linked_at = UtcDateTimeField(null=True)

    class Meta:
        indexes = ((("defect", "ticket"), True),)


class DefectUpdate(BaseModel):
    """The customer-update log of a defect."""

    defect_id: int
    customer_id: int | None

    defect = pw.ForeignKeyField(Defect, backref="updates", on_delete="CASCADE")
    customer = pw.ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL")
    at = UtcDateTimeField()
    author = pw.CharField(default="")
    text = pw.TextField(default="")

    class Meta:
        indexes = ((("defect", "at"), False),)


class AuditEntry(BaseModel):
    """Who changed what, when, with the values before and after (JSON)."""

    customer_id: int | None

    at = UtcDateTimeField(index=True)
    actor = pw.CharField()
    entity = pw.CharField()
    entity_id = pw.IntegerField(null=True)
    customer = pw.ForeignKeyField(Customer, null=True, backref="audit", on_delete="SET NULL")
    action = pw.CharField()
    summary = pw.TextField(default="")
    before = pw.TextField(null=True)
    after = pw.TextField(null=True)

    class Meta:
        indexes = ((("entity", "entity_id"), False),)


class Connection(VersionedModel):
    """A support system tamdesk syncs tickets from (schema v4). Its token lives in the OS keyring, never here."""

    name = pw.CharField(unique=True)
    kind = pw.CharField()  # domain.sync.SourceKind
    base_url = pw.CharField()
    user = pw.CharField(default="")
    start_at = UtcDateTimeField()  # the first sync reads tickets changed since then
    cursor = pw.TextField(default="")  # where the next sync resumes; written with the page it follows
    last_attempt_at = UtcDateTimeField(null=True)
    last_success_at = UtcDateTimeField(null=True)
    last_failure = pw.CharField(default="")  # domain.sync.Failure of the last attempt, "" when it succeeded
    last_message = pw.TextField(default="")
    created_at = UtcDateTimeField()


class SyncHeld(BaseModel):
    """A source ticket a sync could not take yet (its organization matches no customer, or a value tamdesk does not
    know), kept as the source sent it so that the next sync takes it once the customer is mapped."""

    connection_id: int

    connection = pw.ForeignKeyField(Connection, backref="held", on_delete="CASCADE")
    number = pw.CharField()
    organization = pw.CharField(default="")
    reason = pw.TextField()
    payload = pw.TextField()  # the RemoteTicket as JSON
    held_at = UtcDateTimeField()

    class Meta:
        indexes = ((("connection", "number"), True),)


class Contact(VersionedModel):
    """A person at a customer beyond the portal seats: a stakeholder of the account (schema v7).

    A seat holder is linked to their contact (``seat``), not copied: the seat keeps its own name and address as
    issued, the contact is the person. ``left_at`` marks someone who left the customer; they stay on the timeline.
    """

    customer_id: int
    seat_id: int | None
    customer = pw.ForeignKeyField(Customer, backref="contacts", on_delete="CASCADE")
    full_name = pw.CharField()
    email = pw.CharField(default="")
    mailbox_key = pw.CharField(default="", index=True)  # domain.mailbox key of the address, "" without one
    title = pw.CharField(default="")
    role = pw.CharField(default="other")  # domain.contacts.ContactRole
    influence = pw.CharField(default="")  # domain.contacts.Influence, "" when not judged
    phone = pw.CharField(default="")
    seat = pw.ForeignKeyField(PortalSeat, null=True, backref="contacts", on_delete="SET NULL")
    left_at = UtcDateTimeField(null=True)
    notes = pw.TextField(default="")
    created_at = UtcDateTimeField()

    class Meta:
        indexes = ((("customer", "full_name"), False),)


class TimelineEntry(VersionedModel):
    """A dated entry of an account's timeline written by the TAM: a meeting, call, email or note (schema v7).

    Ticket, escalation, defect, seat and onboarding events are not stored here: the timeline service reads them from
    their own tables, so they can never disagree.
    """

    customer_id: int
    attendees: Any  # backref: a query of the related rows
    links: Any  # backref: a query of the related rows
    follow_ups: Any  # backref: a query of the related rows
    customer = pw.ForeignKeyField(Customer, backref="timeline", on_delete="CASCADE")
    kind = pw.CharField()  # domain.timeline.EntryKind
    at = UtcDateTimeField()
    title = pw.CharField(default="")
    body = pw.TextField(default="")  # plain text with line breaks
    author = pw.CharField(default="")
    recap_sent_at = UtcDateTimeField(null=True)
    created_at = UtcDateTimeField()

    class Meta:
        indexes = ((("customer", "at"), False),)


class TimelineAttendee(BaseModel):
    """Who took part in a timeline entry: a contact of the customer, or a person of our side."""

    entry_id: int
    contact_id: int | None
    person_id: int | None
    entry = pw.ForeignKeyField(TimelineEntry, backref="attendees", on_delete="CASCADE")
    contact = pw.ForeignKeyField(Contact, null=True, backref="attended", on_delete="CASCADE")
    person = pw.ForeignKeyField(Person, null=True, backref="+", on_delete="CASCADE")


class TimelineLink(BaseModel):
    """A ticket, escalation or defect a timeline entry mentions (exactly one of the three is set)."""

    entry_id: int
    ticket_id: int | None
    escalation_id: int | None
    defect_id: int | None
    entry = pw.ForeignKeyField(TimelineEntry, backref="links", on_delete="CASCADE")
    ticket = pw.ForeignKeyField(Ticket, null=True, backref="+", on_delete="CASCADE")
    escalation = pw.ForeignKeyField(Escalation, null=True, backref="+", on_delete="CASCADE")
    defect = pw.ForeignKeyField(Defect, null=True, backref="+", on_delete="CASCADE")


class FollowUp(VersionedModel):
    """A task promised on an account, usually out of a timeline entry: what, who, by when (schema v7).

    The owner is a person of our side or a contact of the customer (one of the two); ``due_on`` is a business day
    of the customer's calendar.
    """

    customer_id: int
    entry_id: int | None
    owner_person_id: int | None
    owner_contact_id: int | None
    customer = pw.ForeignKeyField(Customer, backref="follow_ups", on_delete="CASCADE")
    entry = pw.ForeignKeyField(TimelineEntry, null=True, backref="follow_ups", on_delete="SET NULL")
    what = pw.TextField()
    owner_person = pw.ForeignKeyField(Person, null=True, backref="+", on_delete="SET NULL")
    owner_contact = pw.ForeignKeyField(Contact, null=True, backref="+", on_delete="SET NULL")
    due_on = DayField(index=True)
    done_at = UtcDateTimeField(null=True)
    done_by = pw.CharField(default="")
    created_at = UtcDateTimeField()
    created_by = pw.CharField(default="")

    class Meta:
        indexes = ((("customer", "due_on"), False),)


class Contract(VersionedModel):
    """A customer's contract facts (schema v8): support tier, entitlement, renewal, ARR, edition. One per customer."""

    customer_id: int
    customer = pw.ForeignKeyField(Customer, backref="contracts", unique=True, on_delete="CASCADE")
    support_tier = pw.CharField(default="")
    entitlement_start = DayField(null=True)
    entitlement_end = DayField(null=True)
    renewal_on = DayField(null=True, index=True)
    arr_cents = pw.BigIntegerField(null=True)
    currency = pw.CharField(max_length=3, default="")
    edition = pw.CharField(default="")


class InstalledVersion(BaseModel):
    """A product version a customer runs in an environment from a date on (schema v8); the rows are its history,
    the latest ``since`` per product and environment is what runs now."""

    customer_id: int
    customer = pw.ForeignKeyField(Customer, backref="installed_versions", on_delete="CASCADE")
    product = pw.CharField(default="")
    version = pw.CharField()
    environment = pw.CharField()  # production or staging
    since = DayField()
    recorded_at = UtcDateTimeField()
    recorded_by = pw.CharField(default="")

    class Meta:
        indexes = ((("customer", "product", "environment", "since"), False),)


class HealthSnapshot(BaseModel):
    """A customer's health score of one week (schema v8), kept for the trend; reasons are JSON."""

    customer_id: int
    customer = pw.ForeignKeyField(Customer, backref="health_history", on_delete="CASCADE")
    week = DayField()  # the Monday of the week
    score = pw.SmallIntegerField()
    band = pw.CharField()  # green, amber, red
    reasons = pw.TextField(default="[]")
    computed_at = UtcDateTimeField()

    class Meta:
        indexes = ((("customer", "week"), True),)


ALL_TABLES: tuple[type[BaseModel], ...] = (
    SchemaInfo,
    Setting,
    Person,
    BusinessCalendar,
    CalendarDay,
    CalendarHoliday,
    SlaPolicy,
    SlaPolicyRevision,
    OnboardingTemplate,
    OnboardingTemplateStep,
    Customer,
    CustomerAlias,
    ImportMapping,
    OnboardingStep,
    PortalSeat,
    Ticket,
    TicketEvent,
    TicketSeverityChange,
    SlaExemption,
    Escalation,
    EscalationEntry,
    Defect,
    DefectTicket,
    DefectUpdate,
    AuditEntry,
    Connection,
    SyncHeld,
    Contact,
    TimelineEntry,
    TimelineAttendee,
    TimelineLink,
    FollowUp,
    Contract,
    InstalledVersion,
    HealthSnapshot,
)
