"""The access form round trip: export, fill in as a customer would (openpyxl), preview, apply; every bad file."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from tamdesk.__main__ import main
from tamdesk.domain.states import SeatStatus
from tamdesk.models import tables as t
from tamdesk.reports.access_form import export_access_form
from tamdesk.services.access_form import (
    WarningsNotAccepted,
    apply_access_form,
    mark_access_form_sent,
    preview_access_form,
)
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.database import close_database, open_database
from tamdesk.services.onboarding import AUTOMATIC, checklist
from tamdesk.services.seats import SeatInput, request_seat, seat_overview
from tamdesk.services.tabular import ImportFailed

TODAY = date(2026, 3, 10)
Row = Sequence[object]


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(
        ctx, CustomerInput(name="Acme", email_domains=["acme.com"], tam="Tess Tam", onboarding_started=TODAY)
    )


@pytest.fixture
def form(acme: int, ctx: Context, tmp_path: Path) -> Path:
    """A form with Ana already seated: one pre-filled row, four empty ones."""
    request_seat(ctx, acme, SeatInput("Ana Silva", "ana@acme.com", "Data engineer", "+49 30 1234"))
    return export_access_form(acme, tmp_path / "acme-access.xlsx", ctx=ctx)


def header_row(ws) -> int:
    return next(r for r in range(1, 40) if ws.cell(r, 3).value == "Email")


def fill(path: Path, rows: Sequence[Row], *, at: int | None = None) -> Path:
    """Type ``rows`` (Full name, Email, Job title, Phone) under the last filled row, as text like Excel does."""
    book = openpyxl.load_workbook(path)
    ws = book.active
    top = header_row(ws)
    line = at or next(r for r in range(top + 1, top + 60) if ws.cell(r, 2).value is None)
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=2):
            cell = ws.cell(line + offset, column)
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # what Excel stores for text typed with a leading apostrophe
    book.save(path)
    return path


def seats(customer: int) -> list[tuple[int, str, str]]:
    return [(s.seat_no, s.full_name, s.email) for s in seat_overview(customer).seats]


def failed(ctx: Context, customer: int, path: Path, **kwargs: bool) -> ImportFailed:
    before = (t.PortalSeat.select().count(), t.AuditEntry.select().count())
    with pytest.raises(ImportFailed) as info:
        apply_access_form(ctx, customer, path, **kwargs)
    assert (t.PortalSeat.select().count(), t.AuditEntry.select().count()) == before
    assert t.Customer.get_by_id(customer).access_form_returned_at is None
    return info.value


def test_exported_form_has_instructions_holders_and_room_up_to_the_allowance(form: Path) -> None:
    ws = openpyxl.load_workbook(form).active
    top = header_row(ws)
    intro = [ws.cell(r, 1).value for r in range(1, top) if ws.cell(r, 1).value]
    assert intro[0] == "Customer portal access form: Acme"
    text = " ".join(intro)
    for phrase in ("5 designated users", "distinct people", "role addresses", "welcome email", "Tess Tam", "@acme.com"):
        assert phrase in text
    assert [c.value for c in ws[top]] == ["#", "Full name", "Email", "Job title", "Phone"]
    assert [c.value for c in ws[top + 1]] == [1, "Ana Silva", "ana@acme.com", "Data engineer", "+49 30 1234"]
    assert all(c.data_type == "s" for c in ws[top + 1][1:])
    assert [ws.cell(r, 1).value for r in range(top + 2, top + 6)] == [2, 3, 4, 5]
    assert all(ws.cell(r, c).value is None for r in range(top + 2, top + 6) for c in range(2, 6))
    assert ws.cell(top + 6, 1).value is None
    assert ws.freeze_panes == f"A{top + 1}"
    assert ws.auto_filter.ref == f"A{top}:E{top + 5}"


def test_every_row_to_fill_in_is_ruled_for_print(form: Path) -> None:
    ws = openpyxl.load_workbook(form).active
    top = header_row(ws)
    for row in ws.iter_rows(min_row=top + 1, max_row=top + 5, max_col=5):
        for cell in row:
            sides = (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom)
            assert all(side.style == "thin" for side in sides), cell.coordinate
    assert ws.cell(top + 6, 2).border.bottom.style is None  # nothing under the table


def test_round_trip_requests_the_new_seats(form: Path, acme: int, ctx: Context, fixed_now: datetime) -> None:
    fill(form, [("Bruno Costa", "bruno@acme.com", "CTO", None), ("Chen Wei", "chen.wei@acme.com", None, 4930555)])
    preview = preview_access_form(acme, form)
    assert [(r.line, r.outcome, r.seat_no) for r in preview.rows] == [
        (12, "unchanged", 1),
        (13, "new", 2),
        (14, "new", 3),
    ]
    assert preview.summary == "3 rows: 2 new, 1 unchanged, 0 with warnings, 0 with errors."
    result = apply_access_form(ctx, acme, form)
    assert result.summary == "Access form of Acme applied: 2 seats requested, 0 updated, 1 unchanged."
    assert seats(acme) == [
        (1, "Ana Silva", "ana@acme.com"),
        (2, "Bruno Costa", "bruno@acme.com"),
        (3, "Chen Wei", "chen.wei@acme.com"),
    ]
    chen = seat_overview(acme).seats[2]
    assert (chen.status, chen.phone, chen.job_title) == (SeatStatus.REQUESTED, "4930555", "")
    assert t.Customer.get_by_id(acme).access_form_returned_at == fixed_now
    step = next(s for s in checklist(acme, TODAY).steps if s.title == "Access form returned and validated")
    assert (step.done_at, step.done_by) == (fixed_now, AUTOMATIC)
    audit = t.AuditEntry.select().where(t.AuditEntry.action == "request").order_by(t.AuditEntry.id.desc()).get()
    assert (
        audit.summary == "Seat 3 requested for Chen Wei (chen.wei@acme.com) from access form acme-access.xlsx, row 14"
    )


def test_unchanged_form_only_records_the_return(form: Path, acme: int, ctx: Context) -> None:
    result = apply_access_form(ctx, acme, form)
    assert (result.requested, result.updated, result.unchanged) == (0, 0, 1)
    assert t.Customer.get_by_id(acme).access_form_returned_at is not None


def test_same_mailbox_error_names_the_row_and_changes_nothing(form: Path, acme: int, ctx: Context) -> None:
    fill(form, [("Bruno Costa", "bruno@acme.com"), ("Ana Again", "ana+x@acme.com")])
    error = failed(ctx, acme, form, accept_warnings=True)
    assert str(error) == (
        "acme-access.xlsx: nothing was imported. Row 14: Seat 3 (ana+x@acme.com) is the same mailbox as seat 1 "
        "(ana@acme.com)."
    )
    assert seats(acme) == [(1, "Ana Silva", "ana@acme.com")]


def test_a_new_row_above_a_holder_still_clashes(form: Path, acme: int, ctx: Context) -> None:
    ws_path = fill(
        form,
        [("Ana Alias", "ANA+portal@acme.com"), ("Ana Silva", "ana@acme.com", "Data engineer", "+49 30 1234")],
        at=12,
    )
    error = failed(ctx, acme, ws_path, accept_warnings=True)
    assert error.problems == ["row 12: Seat 2 (ANA+portal@acme.com) is the same mailbox as seat 1 (ana@acme.com)"]


def test_every_bad_row_is_listed(form: Path, acme: int, ctx: Context) -> None:
    fill(
        form,
        [
            ("Help Desk", "support@acme.com"),
            ("No Address", None),
            ("Broken", "broken@"),
            (None, "nameless@acme.com"),
        ],
    )
    problems = failed(ctx, acme, form, accept_warnings=True).problems
    assert [p.split(":")[0] for p in problems] == ["row 13", "row 14", "row 15", "row 16"]
    assert "role or distribution address" in problems[0]
    assert "has no email address" in problems[1]
    assert "is not a valid email address" in problems[2]
    assert "has no full name" in problems[3]


def test_seventh_row_for_an_allowance_of_five(acme: int, ctx: Context, tmp_path: Path) -> None:
    path = export_access_form(acme, tmp_path / "form.xlsx", ctx=ctx)
    fill(path, [(f"Person {i}", f"person{i}@acme.com") for i in range(1, 8)])
    preview = preview_access_form(acme, path)
    assert [r.outcome for r in preview.rows] == ["new"] * 5 + ["error"] * 2
    too_many = "The form lists 7 people; Acme's allowance is 5 seats (rows 17–18 are over it)"
    assert preview.form_errors == (too_many,)
    assert preview.rows[5].messages == preview.rows[6].messages == (too_many,)
    assert preview.problems("error") == [too_many]
    assert failed(ctx, acme, path).problems == [too_many]
    assert seats(acme) == []


def test_over_the_allowance_counts_holders_left_off_the_form(acme: int, ctx: Context, tmp_path: Path) -> None:
    for i in range(1, 5):
        request_seat(ctx, acme, SeatInput(f"Holder {i}", f"holder{i}@acme.com"))
    path = export_access_form(acme, tmp_path / "form.xlsx", ctx=ctx)
    fill(path, [(None, None, None, None), ("New One", "new1@acme.com"), ("New Two", "support@acme.com")], at=15)
    preview = preview_access_form(acme, path)
    assert preview.form_errors == (
        "The form lists 5 people, and seat 4 (holder4@acme.com), not on it, still holds a seat; Acme's allowance "
        "is 5 seats (row 17 is over it)",
    )
    assert preview.rows[-1].messages == (
        preview.form_errors[0],
        "New seat (support@acme.com) is a role or distribution address; portal seats are for named people",
    )
    assert preview.problems("error") == [
        preview.form_errors[0],
        "row 17: New seat (support@acme.com) is a role or distribution address; portal seats are for named people",
    ]


def test_warnings_need_accept_warnings(form: Path, acme: int, ctx: Context) -> None:
    fill(form, [("ana silva", "asilva@acme.com"), ("Noor Haddad", "noor@example.org")])
    with pytest.raises(WarningsNotAccepted) as info:
        apply_access_form(ctx, acme, form)
    assert info.value.problems == [
        "row 13: Seat 2 (asilva@acme.com) has the same full name, ana silva, as seat 1 (ana@acme.com)",
        "row 14: Seat 3 (noor@example.org): example.org is not one of the customer's domains (acme.com)",
    ]
    assert len(seats(acme)) == 1
    assert apply_access_form(ctx, acme, form, accept_warnings=True).requested == 2
    assert len(seats(acme)) == 3


def test_changed_details_of_a_holder_are_a_warning_then_an_update(form: Path, acme: int, ctx: Context) -> None:
    fill(form, [("Ana Silva", "ANA@acme.com", "Head of data", "+49 30 1234")], at=12)
    row = preview_access_form(acme, form).rows[0]
    assert row.outcome == "warning"
    assert row.messages == (
        "Seat 1 (ana@acme.com) is held by Ana Silva; the form changes job title 'Data engineer' to 'Head of data'",
    )
    with pytest.raises(WarningsNotAccepted):
        apply_access_form(ctx, acme, form)
    result = apply_access_form(ctx, acme, form, accept_warnings=True)
    assert (result.requested, result.updated) == (0, 1)
    assert seat_overview(acme).seats[0].job_title == "Head of data"


def test_seated_at_another_customer_is_a_warning(form: Path, ctx: Context, tmp_path: Path) -> None:
    globex = create_customer(ctx, CustomerInput(name="Globex"))
    path = fill(export_access_form(globex, tmp_path / "globex.xlsx", ctx=ctx), [("Ana Silva", "ana@acme.com")])
    assert preview_access_form(globex, path).rows[0].messages == (
        "Seat 1 (ana@acme.com) is the same mailbox as seat 1 (ana@acme.com) at Acme",
    )


def test_formula_like_names_are_stored_as_typed_and_exported_as_text(
    form: Path, acme: int, ctx: Context, tmp_path: Path
) -> None:
    names = ['=HYPERLINK("http://x","y")', "+Plus Person", "-Minus Person", "@At Person"]
    fill(form, [(name, f"p{i}@acme.com") for i, name in enumerate(names)])
    apply_access_form(ctx, acme, form)
    assert [s.full_name for s in seat_overview(acme).seats[1:]] == names
    again = openpyxl.load_workbook(export_access_form(acme, tmp_path / "again.xlsx", ctx=ctx)).active
    cells = [again.cell(header_row(again) + 2 + i, 2) for i in range(4)]
    assert [(c.value, c.data_type) for c in cells] == [(n, "s") for n in names]


def test_a_formula_cell_is_refused(form: Path, acme: int, ctx: Context) -> None:
    book = openpyxl.load_workbook(form)
    ws = book.active
    ws["B13"], ws["C13"] = '=UPPER("bruno costa")', "bruno@acme.com"
    book.save(form)
    error = failed(ctx, acme, form)
    assert error.problems == ["row 13: Full name holds a formula; type the value as plain text"]


def test_unicode_names_idn_domains_and_spaces_around_addresses(ctx: Context, db_path: Path, tmp_path: Path) -> None:
    müller = create_customer(ctx, CustomerInput(name="Müller & Söhne", email_domains="müller.de"))
    path = export_access_form(müller, tmp_path / "müller.xlsx", ctx=ctx)
    ws = openpyxl.load_workbook(path).active
    assert "@müller.de" in " ".join(str(ws.cell(r, 1).value) for r in range(1, 12))
    fill(
        path,
        [
            ("  Jürgen   Groß ", "  jürgen@XN--MLLER-KVA.DE  "),
            ("李小龍", "\tli@müller.de "),
            ("Zoë O'Brien", "zoe@müller.de"),
        ],
    )
    apply_access_form(ctx, müller, path)
    assert seats(müller) == [
        (1, "Jürgen Groß", "jürgen@müller.de"),
        (2, "李小龍", "li@müller.de"),
        (3, "Zoë O'Brien", "zoe@müller.de"),
    ]


def test_form_without_email_column(acme: int, ctx: Context, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Full name", "Mail address?", "Phone"])
    book.active.append(["Ana Silva", "ana@acme.com", "1"])
    book.save(tmp_path / "no-email.xlsx")
    error = failed(ctx, acme, tmp_path / "no-email.xlsx")
    assert error.problems == ["no 'Email' column: the table must have the headers Full name, Email, Job title, Phone"]


def test_empty_forms(acme: int, ctx: Context, tmp_path: Path) -> None:
    openpyxl.Workbook().save(tmp_path / "blank.xlsx")
    assert failed(ctx, acme, tmp_path / "blank.xlsx").problems == ["the workbook is empty"]
    untouched = export_access_form(acme, tmp_path / "untouched.xlsx", ctx=ctx)
    assert failed(ctx, acme, untouched).problems == [
        "the form lists nobody: fill in one row per user under the headers"
    ]


def test_a_huge_workbook_picked_by_mistake_is_refused_quickly(acme: int, ctx: Context, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Full name", "Email"])
    for i in range(2000):
        book.active.append([f"Person {i}", f"p{i}@acme.com"])
    book.save(tmp_path / "export.xlsx")
    error = failed(ctx, acme, tmp_path / "export.xlsx")
    assert error.problems == ["the form has more than 500 filled rows; it takes one per seat"]


def test_csv_renamed_xlsx(acme: int, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_text("Full name,Email\nAna Silva,ana@acme.com\n", encoding="utf-8")
    assert failed(ctx, acme, path).problems == [
        "cannot read form.xlsx: it is not an Excel workbook (perhaps a CSV file renamed .xlsx)"
    ]


def test_corrupt_and_password_protected_workbooks(form: Path, acme: int, ctx: Context, tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.xlsx"
    with zipfile.ZipFile(form) as source, zipfile.ZipFile(corrupt, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    assert failed(ctx, acme, corrupt).problems[0].startswith("cannot read corrupt.xlsx: the workbook is damaged")
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(form.read_bytes()[:2000])
    assert "cannot read truncated.xlsx" in failed(ctx, acme, truncated).problems[0]
    protected = tmp_path / "protected.xlsx"
    protected.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert "password-protected" in failed(ctx, acme, protected).problems[0]
    assert "does not exist" in failed(ctx, acme, tmp_path / "missing.xlsx").problems[0]
    other = tmp_path / "form.ods"
    other.write_bytes(b"x")
    assert "'.ods' files are not access forms" in failed(ctx, acme, other).problems[0]


def test_mark_sent_completes_the_step(acme: int, ctx: Context, fixed_now: datetime) -> None:
    mark_access_form_sent(ctx, acme)
    assert t.Customer.get_by_id(acme).access_form_sent_at == fixed_now
    step = next(s for s in checklist(acme, TODAY).steps if s.title == "Access form sent")
    assert (step.done_at, step.done_by) == (fixed_now, AUTOMATIC)


def test_a_holder_missing_from_the_returned_form_is_named_not_revoked(acme: int, ctx: Context, tmp_path: Path) -> None:
    for name, email in [("Ana Silva", "ana@acme.com"), ("Bruno Costa", "bruno@acme.com"), ("Dan Wu", "dan@acme.com")]:
        request_seat(ctx, acme, SeatInput(name, email))
    path = export_access_form(acme, tmp_path / "form.xlsx", ctx=ctx)
    fill(path, [(None, None, None, None)], at=13)  # the customer deleted Bruno's row
    preview = preview_access_form(acme, path)
    assert preview.summary == "2 rows: 0 new, 2 unchanged, 0 with warnings, 0 with errors."
    assert preview.notes == (
        "Seat 2 (bruno@acme.com) is not on the returned form; revoke it if they no longer need access",
    )
    result = apply_access_form(ctx, acme, path)
    assert result.summary == (
        "Access form of Acme applied: 0 seats requested, 0 updated, 2 unchanged. Seat 2 (bruno@acme.com) is not on "
        "the returned form; revoke it if they no longer need access."
    )
    assert [email for _, _, email in seats(acme)] == ["ana@acme.com", "bruno@acme.com", "dan@acme.com"]


def test_a_holder_on_a_row_with_a_too_long_field_is_not_missing(form: Path, acme: int) -> None:
    fill(form, [("Ana Silva", "ana@acme.com", "x" * 300, None)], at=12)
    preview = preview_access_form(acme, form)
    assert preview.rows[0].outcome == "error"
    assert preview.notes == ()


# -- the command line -----------------------------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    out, err = capsys.readouterr()
    open_database(db)  # main closed it; the test goes on reading
    return code, out.strip(), err.strip()


def test_cli_round_trip(
    form: Path, acme: int, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli-form.xlsx"
    assert cli(capsys, db_path, "export", "access-form", "--customer", "acme", "--out", str(out)) == (
        0,
        f"Access form of Acme written to {out}.",
        "",
    )
    fill(out, [("Bruno Costa", "bruno@acme.com"), ("Noor Haddad", "noor@example.org")])
    code, stdout, _ = cli(capsys, db_path, "import", "access-form", "--customer", "Acme", str(out), "--dry-run")
    assert code == 0
    assert stdout.splitlines() == [
        "Dry run, nothing was changed. 3 rows: 1 new, 1 unchanged, 1 with warnings, 0 with errors.",
        "row 14: Seat 3 (noor@example.org): example.org is not one of the customer's domains (acme.com)",
        "Applying it needs --accept-warnings.",
    ]
    fill(out, [(None, None, None, None)], at=12)  # Ana's row deleted
    code, stdout, _ = cli(capsys, db_path, "import", "access-form", "--customer", "Acme", str(out), "--dry-run")
    assert stdout.splitlines()[2:] == [
        "Seat 1 (ana@acme.com) is not on the returned form; revoke it if they no longer need access",
        "Applying it needs --accept-warnings.",
    ]
    fill(out, [("Ana Silva", "ana@acme.com", "Data engineer", "+49 30 1234")], at=12)
    code, _, err = cli(capsys, db_path, "import", "access-form", "--customer", "Acme", str(out))
    assert code == 1
    assert (
        "Row 14: Seat 3 (noor@example.org)" in err
        and "(acme.com). Check them" in err
        and err.endswith("run again with --accept-warnings to apply the form.")
    )
    assert len(seats(acme)) == 1
    code, stdout, _ = cli(capsys, db_path, "import", "access-form", "--customer", "Acme", str(out), "--accept-warnings")
    assert (code, stdout) == (0, "Access form of Acme applied: 2 seats requested, 0 updated, 1 unchanged.")
    close_database()


def test_cli_errors_are_one_sentence(
    form: Path, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(
        capsys, db_path, "export", "access-form", "--customer", "Nobody", "--out", str(tmp_path / "x.xlsx")
    )
    assert (code, err) == (1, "tamdesk export access-form: No customer named 'Nobody'.")
    code, _, err = cli(
        capsys, db_path, "export", "access-form", "--customer", "Acme", "--out", str(tmp_path / "no" / "x.xlsx")
    )
    assert code == 1 and err.startswith("tamdesk export access-form: Cannot write") and "does not exist" in err
    fill(form, [("Ana Again", "ana+x@acme.com")])
    code, _, err = cli(capsys, db_path, "import", "access-form", "--customer", "Acme", str(form), "--dry-run")
    assert code == 1
    assert err == (
        f"tamdesk import access-form: {form} would not apply (2 rows: 0 new, 1 unchanged, 0 with warnings, "
        "1 with errors): row 13: Seat 2 (ana+x@acme.com) is the same mailbox as seat 1 (ana@acme.com)."
    )
    close_database()


# -- every problem of a row, and sending them back --------------------------------------------------------------

OVER = "The form lists 6 people; Acme's allowance is 5 seats (row 17 is over it)"
FOREIGN = "New seat (zoe@gmail.com): gmail.com is not one of the customer's domains (acme.com)"


def over_and_foreign(acme: int, ctx: Context, tmp_path: Path) -> Path:
    """Five people on acme.com, then a sixth on gmail.com: over the allowance and on a foreign domain."""
    path = export_access_form(acme, tmp_path / "form.xlsx", ctx=ctx)
    return fill(path, [*((f"Person {i}", f"person{i}@acme.com") for i in range(1, 6)), ("Zoe Ray", "zoe@gmail.com")])


def test_a_row_over_the_allowance_also_tells_its_foreign_domain(acme: int, ctx: Context, tmp_path: Path) -> None:
    preview = preview_access_form(acme, over_and_foreign(acme, ctx, tmp_path))
    last = preview.rows[-1]
    assert (last.outcome, last.errors, last.warnings) == ("error", (OVER,), (FOREIGN,))
    assert last.messages == (OVER, FOREIGN)
    assert preview.problem_summary == "1 row with 2 problems"
    assert preview.problems("warning") == [f"row 17: {FOREIGN}"]


def test_a_row_tells_every_error_and_warning(acme: int, ctx: Context, tmp_path: Path) -> None:
    path = export_access_form(acme, tmp_path / "form.xlsx", ctx=ctx)
    fill(path, [("Ana Silva", "ana@acme.com"), ("-", "info@gmail.com"), ("Ana Silva", "ana@acme.com")])
    rows = preview_access_form(acme, path).rows
    assert rows[1].errors == (
        "Seat 2 (info@gmail.com) has no full name",
        "Seat 2 (info@gmail.com) is a role or distribution address; portal seats are for named people",
    )
    assert rows[1].warnings == ("Seat 2 (info@gmail.com): gmail.com is not one of the customer's domains (acme.com)",)
    assert rows[2].errors == ("Seat 3 (ana@acme.com) is the same mailbox as seat 1 (ana@acme.com)",)
    assert rows[2].warnings == ("Seat 3 (ana@acme.com) has the same full name, Ana Silva, as seat 1 (ana@acme.com)",)


def problems_column(path: Path) -> dict[str, tuple[object, str | None]]:
    """Email -> (full name cell, Problems cell) of the written form, as the customer opens it."""
    ws = openpyxl.load_workbook(path).active
    top = header_row(ws)
    headers = [c.value for c in ws[top]]
    assert headers == ["#", "Full name", "Email", "Job title", "Phone", "Problems"]
    return {ws.cell(r, 3).value: (ws.cell(r, 2), ws.cell(r, 6).value) for r in range(top + 1, ws.max_row + 1)}


def test_send_back_writes_every_problem_beside_its_row(acme: int, ctx: Context, tmp_path: Path) -> None:
    from tamdesk.reports.access_form import export_returned_form

    preview = preview_access_form(acme, over_and_foreign(acme, ctx, tmp_path))
    out = export_returned_form(acme, preview, tmp_path / "back.xlsx", ctx=ctx)
    cells = problems_column(out)
    assert cells["zoe@gmail.com"][1] == f"Must be corrected: {OVER}.\nPlease check: {FOREIGN}."
    assert cells["person1@acme.com"][1] is None
    ws = openpyxl.load_workbook(out).active
    assert any("1 row with 2 problems found on" in str(ws.cell(r, 1).value) for r in range(1, header_row(ws)))


def test_a_formula_looking_name_goes_back_as_text(acme: int, ctx: Context, tmp_path: Path) -> None:
    from tamdesk.reports.access_form import export_returned_form

    path = export_access_form(acme, tmp_path / "form.xlsx", ctx=ctx)
    fill(path, [('=HYPERLINK("http://x.test","Ana")', "ana@gmail.com")])
    preview = preview_access_form(acme, path)
    cell, problems = problems_column(export_returned_form(acme, preview, tmp_path / "back.xlsx", ctx=ctx))[
        "ana@gmail.com"
    ]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x.test","Ana")'
    assert "gmail.com is not one of the customer's domains" in str(problems)
