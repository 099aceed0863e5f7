"""Importing the exports of Zendesk, Salesforce and Jira Service Management (fixtures: tests/fixtures/exports).

Each fixture follows its tool's documentation, named in tests/fixtures/exports/README.md: Zendesk "Exporting data
to a JSON, CSV, or XML file"; Salesforce CaseMilestone reference and Help 000395083 (IsViolated); Atlassian
"Reporting on SLAs" and "How teams see SLAs" for JSM.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from tamdesk.domain.export_dates import DateOrder
from tamdesk.domain.sources import ImportSource
from tamdesk.models import tables as t
from tamdesk.reports.reconciliation import export_reconciliation
from tamdesk.services.base import Context
from tamdesk.services.customer_match import CustomerChoices
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.import_mappings import delete_mapping, list_mappings, load_mapping, save_mapping
from tamdesk.services.tabular import ImportFailed
from tamdesk.services.ticket_import import TicketImportOptions, import_tickets, inspect_ticket_file
from tamdesk.services.tickets import ticket_detail

EXPORTS = Path(__file__).parent.parent / "fixtures" / "exports"
ZENDESK = EXPORTS / "zendesk_tickets.csv"
SALESFORCE = EXPORTS / "salesforce_cases.csv"
MILESTONES = EXPORTS / "salesforce_case_milestones.xlsx"
JSM = EXPORTS / "jsm_issues.csv"
ACME_INC = CustomerChoices(mapped={"Acme Inc": "Acme Analytics"})


@pytest.fixture
def customers(db_path: Path, ctx: Context) -> dict[str, int]:
    ids = {
        "acme": create_customer(ctx, CustomerInput("Acme Analytics", "Europe/Berlin", "DE", ("acme.example",))),
        "globex": create_customer(ctx, CustomerInput("Globex", "America/New_York", "US", ("globex.example",))),
        "initech": create_customer(ctx, CustomerInput("Initech", "Europe/Berlin", "DE", ("initech.example",))),
    }
    t.CustomerAlias.create(customer=ids["initech"], name="Initech Corp.", name_key="initechcorp")
    return ids


def _ticket(number: str) -> t.Ticket:
    return t.Ticket.get(t.Ticket.number == number)


def _events(number: str) -> list[tuple[datetime, str]]:
    query = t.TicketEvent.select().where(t.TicketEvent.ticket == _ticket(number).id).order_by(t.TicketEvent.at)
    return [(e.at, e.kind) for e in query]


def zendesk(**kw: object) -> TicketImportOptions:
    return TicketImportOptions(tz="Europe/Berlin", customers=kw.pop("customers", ACME_INC), **kw)  # type: ignore[arg-type]


# -- Zendesk --------------------------------------------------------------------------------------------------------


def test_a_zendesk_export_imports_in_one_step(customers: dict[str, int], ctx: Context, fixed_now: datetime) -> None:
    result = import_tickets(ctx, ZENDESK, zendesk())
    assert result.detected == "Detected a Zendesk ticket export."
    assert result.summary == "Imported tickets: 7 created, 0 updated, 9 events recorded."
    urgent = _ticket("1201")
    assert (urgent.customer_id, urgent.severity, urgent.status, urgent.source) == (customers["acme"], 1, "solved",
                                                                                   "zendesk")  # fmt: skip
    # first response = created (09:15 Berlin) + "First reply time in minutes" (42, calendar minutes)
    assert _events("1201") == [(datetime(2026, 3, 2, 8, 57, tzinfo=UTC), "response"),
                               (datetime(2026, 3, 2, 14, 40, tzinfo=UTC), "solved")]  # fmt: skip
    assert ticket_detail(urgent.id, fixed_now).sla.first_response_met is True
    assert urgent.source_first_reply_business_minutes == 42
    assert urgent.source_updated_at == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    statuses = {r.number: (r.status, r.severity, r.customer_id) for r in t.Ticket.select()}
    assert statuses == {
        "1201": ("solved", 1, customers["acme"]),
        "1202": ("waiting_on_customer", 2, customers["globex"]),  # pending
        "1203": ("open", 3, customers["initech"]),  # "Initech Corp." is a name Initech is also known as
        "1204": ("closed", 3, customers["globex"]),  # no organization: the requester's domain
        "1205": ("waiting_on_engineering", 3, customers["acme"]),  # hold; "Acme Inc" mapped to Acme Analytics
        "1206": ("new", 4, customers["acme"]),
        "1207": ("solved", 1, customers["acme"]),
    }
    assert _events("1205") == [(datetime(2026, 3, 5, 10, 30, tzinfo=UTC), "response")]  # reopened: no solve kept
    assert t.CustomerAlias.get(t.CustomerAlias.name == "Acme Inc").customer_id == customers["acme"]
    assert result.aliases_added == ("Acme Analytics: Acme Inc",)


def test_what_zendesk_cannot_tell_is_said_not_invented(customers: dict[str, int], ctx: Context) -> None:
    notes = import_tickets(ctx, ZENDESK, zendesk()).notes
    assert any(n.startswith("1 ticket waits on the customer now; the Zendesk ticket export does not say since when")
               for n in notes)  # fmt: skip
    assert any(n.startswith("1 ticket was reopened; the Zendesk ticket export says how many times but not when")
               for n in notes)  # fmt: skip
    assert not t.TicketEvent.select().where(t.TicketEvent.kind == "waiting_on_customer").exists()


def test_the_same_export_twice_changes_nothing(customers: dict[str, int], ctx: Context) -> None:
    import_tickets(ctx, ZENDESK, zendesk())
    before = [(r.id, r.version) for r in t.Ticket.select().order_by(t.Ticket.id)]
    again = import_tickets(ctx, ZENDESK, zendesk())
    assert again.summary == "Imported tickets: 0 created, 0 updated, 7 unchanged, 0 events recorded."
    assert [(r.id, r.version) for r in t.Ticket.select().order_by(t.Ticket.id)] == before
    assert t.TicketEvent.select().count() == 9
    assert t.CustomerAlias.select().count() == 2  # the remembered alias is not added twice


def test_a_newer_export_updates_and_adds_events_without_duplicating(
    customers: dict[str, int], ctx: Context, tmp_path: Path
) -> None:
    import_tickets(ctx, ZENDESK, zendesk())
    newer = tmp_path / "zendesk_newer.csv"
    text = ZENDESK.read_text()
    text = text.replace(",Pending,High,2026-03-03 14:00,2026-03-04 09:30,,0,",
                        ",Solved,High,2026-03-03 14:00,2026-03-06 09:30,2026-03-06 09:00,0,")  # fmt: skip
    text += "1208,Ana Souza,ana@acme.example,acme.example,Acme Analytics,,Tier 1,New one,Open,High,2026-03-09 10:00,"
    text += "2026-03-09 10:20,,0,20,20,\n"
    newer.write_text(text)
    result = import_tickets(ctx, newer, zendesk())
    assert result.summary == "Imported tickets: 1 created, 1 updated, 6 unchanged, 3 events recorded."
    assert _ticket("1202").status == "solved"
    assert [kind for _, kind in _events("1202")] == ["response", "solved"]
    assert t.TicketEvent.select().count() == 11


def test_an_unknown_organization_is_refused_until_chosen(customers: dict[str, int], ctx: Context) -> None:
    with pytest.raises(ImportFailed) as info:
        import_tickets(ctx, ZENDESK, zendesk(customers=CustomerChoices()))
    assert info.value.problems == [
        "row 6: Organization 'Acme Inc' matches no customer by name, also-known-as name or requester domain; map it "
        '(--map "Acme Inc=CUSTOMER"), create it (--create-customers) or skip its tickets (--skip-unknown)'
    ]
    assert str(info.value).startswith("zendesk_tickets.csv: nothing was imported. Row 6: Organization 'Acme Inc'")
    assert t.Ticket.select().count() == 0
    skipped = import_tickets(ctx, ZENDESK, zendesk(customers=CustomerChoices(skip_all=True)))
    assert (skipped.created, skipped.skipped) == (6, 1)


def test_unknown_organizations_can_be_created(customers: dict[str, int], ctx: Context) -> None:
    result = import_tickets(ctx, ZENDESK, zendesk(customers=CustomerChoices(create_all=True)))
    assert result.customers_created == ("Acme Inc",)
    created = t.Customer.get(t.Customer.name == "Acme Inc")
    assert created.email_domains == "acme-inc.example"
    assert _ticket("1205").customer_id == created.id


def test_the_preview_lists_unmatched_names_and_converted_rows(customers: dict[str, int], fixed_now: datetime) -> None:
    preview = inspect_ticket_file(ZENDESK, zendesk(customers=CustomerChoices()), fixed_now, limit=3)
    assert preview.source is ImportSource.ZENDESK and preview.detected == "Detected a Zendesk ticket export."
    assert [(u.name, u.rows, u.domains) for u in preview.unmatched] == [("Acme Inc", (6,), ("acme-inc.example",))]
    assert preview.mapping["Ticket"] == "Id" and preview.mapping["Opened"] == "Created at"
    first = preview.rows[0]
    assert (first.number, first.customer, first.first_response) == (
        "1201",
        "Acme Analytics",
        datetime(2026, 3, 2, 8, 57, tzinfo=UTC),
    )
    assert len(preview.rows) == 3 and preview.total_rows == 7
    assert preview.problems and not preview.date_order_ambiguous
    assert t.Ticket.select().count() == 0


# -- reconciliation -------------------------------------------------------------------------------------------------


def test_zendesk_figures_are_reconciled_with_reasons(customers: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    found = import_tickets(ctx, ZENDESK, zendesk()).reconciliation
    assert found is not None
    assert found.summary == "4 of 6 agree with Zendesk on first response; 2 disagree."
    reasons = {d.number: d.reason for d in found.disagreements}
    assert reasons.keys() == {"1204", "1207"}
    assert reasons["1204"].startswith("A holiday in the customer's calendar: Washington's Birthday on Mon 16 Feb 2026")
    assert reasons["1207"] == ("Sev1 Urgent runs round the clock under Standard v1; the source counted business "
                               "hours only.")  # fmt: skip
    line = next(d for d in found.disagreements if d.number == "1204")
    assert (line.source_figure, line.source_met, line.tamdesk_met) == ("1,065 business minutes", False, True)
    path = export_reconciliation(ctx, tmp_path / "reconcile.xlsx", found, tz=UTC, file_name=ZENDESK.name)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Disagreements", "Compared"]
    sheet = book["Disagreements"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in values if r and r[0] == "Ticket")
    assert header[-1] == "Reason" and header[7] == "Source: met"
    tickets = [r[0] for r in values[values.index(header) + 1 :] if r[0]]
    assert sorted(tickets) == ["1204", "1207"]


def test_salesforce_milestones_are_first_responses_and_verdicts(
    customers: dict[str, int], ctx: Context, fixed_now: datetime
) -> None:
    result = import_tickets(ctx, MILESTONES, TicketImportOptions(tz="America/New_York"))
    assert result.detected == "Detected a Salesforce case report."
    assert result.summary == "Imported tickets: 3 created, 0 updated, 3 events recorded."
    upgrade = _ticket("00001040")
    assert _events("00001040") == [(datetime(2026, 3, 2, 14, 30, tzinfo=UTC), "response"),
                                   (datetime(2026, 3, 4, 17, 0, tzinfo=UTC), "solved")]  # fmt: skip
    assert (upgrade.source_first_response_breached, upgrade.source_resolution_breached) == (False, True)
    assert (upgrade.severity, upgrade.status) == (2, "closed")
    found = result.reconciliation
    assert found is not None and found.summary == "1 of 2 agree with Salesforce on first response; 1 disagree."
    (line,) = found.disagreements
    assert line.number == "00001041"
    assert line.reason.startswith("Another policy target: the source's milestone was due 2026-03-06 15:00 UTC")
    assert _ticket("00001042").status == "new" and not _events("00001042")


# -- Salesforce and JSM ---------------------------------------------------------------------------------------------


def test_a_salesforce_report_with_us_dates(customers: dict[str, int], ctx: Context) -> None:
    result = import_tickets(ctx, SALESFORCE, TicketImportOptions(tz="America/New_York"))
    assert result.detected == "Detected a Salesforce case report."
    rows = {r.number: (r.severity, r.status, r.customer_id, r.opened_at) for r in t.Ticket.select()}
    assert rows == {
        "00001026": (2, "open", customers["acme"], datetime(2026, 3, 2, 14, 15, tzinfo=UTC)),
        "00001027": (3, "waiting_on_customer", customers["globex"], datetime(2026, 3, 3, 19, 5, tzinfo=UTC)),
        "00001028": (4, "closed", customers["initech"], datetime(2026, 2, 27, 21, 30, tzinfo=UTC)),
        "00001029": (1, "open", customers["acme"], datetime(2026, 3, 10, 3, 45, tzinfo=UTC)),  # EDT
    }
    assert result.reconciliation is None  # a report without milestones states no verdict of its own


def test_ambiguous_dates_are_refused_naming_the_column(customers: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    lines = SALESFORCE.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[1], lines[2]]) + "\n")  # 3/2 and 3/3: both orders read
    with pytest.raises(ImportFailed) as info:
        import_tickets(ctx, path, TicketImportOptions(tz="America/New_York"))
    assert info.value.problems == [
        "the dates in 'Date/Time Opened' and 'Date/Time Closed' read both as day/month and month/day (no day is "
        "above 12); say which with --date-order DMY or --date-order MDY"
    ]
    import_tickets(ctx, path, TicketImportOptions(tz="America/New_York", date_order=DateOrder.DMY))
    assert _ticket("00001026").opened_at == datetime(2026, 2, 3, 14, 15, tzinfo=UTC)


def test_a_jsm_export(customers: dict[str, int], ctx: Context) -> None:
    result = import_tickets(ctx, JSM, TicketImportOptions(tz="Europe/Berlin"))
    assert result.detected == "Detected a Jira Service Management issue export."
    rows = {r.number: (r.severity, r.status, r.customer_id, r.source_first_response_breached)
            for r in t.Ticket.select()}  # fmt: skip
    assert rows == {
        "SUP-101": (1, "waiting_on_customer", customers["acme"], False),  # Highest
        "SUP-102": (4, "solved", customers["globex"], True),  # Lowest folds into Low; reporter's domain
        "SUP-103": (3, "open", customers["initech"], False),  # Waiting for support
        "SUP-104": (4, "waiting_on_engineering", customers["globex"], None),  # Pending
    }
    assert _ticket("SUP-101").source_resolution_breached is True  # "-2h 10m"
    assert _events("SUP-101") == [(datetime(2026, 3, 2, 8, 50, tzinfo=UTC), "response")]
    assert any("tickets have no first response time in the Jira Service Management issue export" in n
               for n in result.notes)  # fmt: skip


def test_an_unknown_priority_lists_the_values_found(customers: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "jsm.csv"
    path.write_text(JSM.read_text().replace(",Medium,", ",Blocker-ish,"))
    with pytest.raises(ImportFailed) as info:
        import_tickets(ctx, path, TicketImportOptions(tz="Europe/Berlin"))
    (problem,) = info.value.problems
    assert problem.startswith("row 4: Priority 'Blocker-ish' is not one of the Jira Service Management issue "
                              "export's priorities tamdesk reads (highest, high, medium, low, lowest")  # fmt: skip
    assert problem.endswith("the file's Priority values are 'Highest', 'Lowest', 'Blocker-ish', 'Low'")
    assert t.Ticket.select().count() == 0


def test_a_header_row_of_no_known_export_names_the_near_misses(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Id,Subject,Status,Created at,Requester email\n1,x,Open,2026-03-02 09:15,a@b.example\n")
    with pytest.raises(ImportFailed) as info:
        import_tickets(ctx, path)
    assert info.value.problems == [
        "the header row matches no ticket export tamdesk reads: it nearly matches a Zendesk ticket export (no "
        "'Priority'); name the source with --source or the columns with --column"
    ]


def test_an_xlsx_without_the_header_on_any_sheet_names_the_sheets(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["Exported by", "Sam", "from Salesforce"])
    book.create_sheet("Chart").append(["a", "b", "c"])
    path = tmp_path / "report.xlsx"
    book.save(path)
    with pytest.raises(ImportFailed) as info:
        import_tickets(ctx, path, TicketImportOptions(source=ImportSource.SALESFORCE))
    assert info.value.problems == ["none of the sheets 'Notes', 'Chart' has a ticket export's header row"]


def test_the_report_sheet_is_found_after_a_cover_sheet(customers: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    shutil.copy(MILESTONES, path)
    book = openpyxl.load_workbook(path)
    book.create_sheet("Report info", 0).append(["Report", "Cases with milestones", "exported"])
    book.save(path)
    assert import_tickets(ctx, path, TicketImportOptions(tz="America/New_York")).created == 3


# -- saved mappings -------------------------------------------------------------------------------------------------


def test_a_mapping_is_saved_and_reused(customers: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "zendesk_renamed.csv"
    path.write_text(ZENDESK.read_text().replace("Organization,", "Company,", 1))
    columns = {"Customer": "Company"}
    save_mapping(ctx, "Zendesk with Company", ImportSource.ZENDESK, columns)
    saved = load_mapping("zendesk with company")
    assert (saved.source, dict(saved.columns)) == (ImportSource.ZENDESK, columns)
    result = import_tickets(ctx, path, zendesk(columns=saved.columns, source=saved.source))
    assert result.created == 7 and result.mapping["Customer"] == "Company"
    assert _ticket("1203").customer_id == customers["initech"]
    assert [m.name for m in list_mappings()] == ["Zendesk with Company"]
    delete_mapping(ctx, "Zendesk with Company")
    assert list_mappings() == []


def test_a_forced_source_names_the_columns_the_file_lacks(db_path: Path, ctx: Context) -> None:
    with pytest.raises(ImportFailed) as info:
        import_tickets(ctx, SALESFORCE, TicketImportOptions(source=ImportSource.ZENDESK))
    assert info.value.problems == [
        "the file is not a Zendesk ticket export: it has no column 'Id', 'Created at', 'Organization or Requester "
        "email'; name the columns that hold them with --column"
    ]


def test_the_preview_asks_for_the_date_order(customers: dict[str, int], tmp_path: Path, fixed_now: datetime) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("\n".join(SALESFORCE.read_text().splitlines()[:3]) + "\n")
    preview = inspect_ticket_file(path, TicketImportOptions(tz="America/New_York"), fixed_now)
    assert preview.date_order_ambiguous and preview.date_columns == ("Date/Time Opened", "Date/Time Closed")
    chosen = inspect_ticket_file(path, TicketImportOptions(tz="America/New_York", date_order=DateOrder.MDY), fixed_now)
    assert not chosen.problems and chosen.rows[0].opened == datetime(2026, 3, 2, 14, 15, tzinfo=UTC)


def test_without_milestones_a_mapped_field_is_the_first_response(
    customers: dict[str, int], ctx: Context, tmp_path: Path
) -> None:
    path = tmp_path / "cases.csv"
    lines = SALESFORCE.read_text().splitlines()
    path.write_text("\n".join([lines[0] + ',"Responded"', lines[1] + ',"3/2/2026 9:40 AM"', *lines[2:]]) + "\n")
    options = TicketImportOptions(tz="America/New_York", columns={"First response": "Responded"})
    assert import_tickets(ctx, path, options).mapping["First response"] == "Responded"
    assert _events("00001026") == [(datetime(2026, 3, 2, 14, 40, tzinfo=UTC), "response")]


def test_the_ticket_dialogs_text_rules_apply(customers: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "jsm.csv"
    text = JSM.read_text().replace("VPN drops every hour", "VPN drops\x07 every hour")
    path.write_text(text.replace("SUP-104", "SUP-\x1b[2J104"))
    with pytest.raises(ImportFailed) as info:
        import_tickets(ctx, path, TicketImportOptions(tz="Europe/Berlin"))
    assert info.value.problems == [
        "row 5: Ticket number 'SUP-\\x1b[2J104' contains a control character (ESC); remove it"
    ]
    path.write_text(text)
    import_tickets(ctx, path, TicketImportOptions(tz="Europe/Berlin"))
    assert _ticket("SUP-101").subject == "VPN drops every hour"
