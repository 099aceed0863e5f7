"""``tamdesk connections`` and ``tamdesk sync`` against a Jira Service Management site on loopback (tests/sync/
fake_jsm.py, written from Atlassian's REST API v3 documentation: /rest/api/3/myself, /rest/api/3/field,
/rest/api/3/search/jql with nextPageToken, /rest/api/3/issue/{key}/changelog). The client and the sync are the
real ones; only the server is local. A ticket imported from the JSM CSV export and then synced stays one ticket."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.__main__ import main
from tamdesk.models import tables as t
from tamdesk.secrets import SecretName, SecretStore
from tamdesk.services.database import close_database, open_database
from tamdesk.services.tickets import ticket_detail
from tests.sync.fake_jsm import EMAIL, TOKEN, JsmSite, fake_jsm, jsm_issue, sla_value, status_change
from tests.sync.loopback import Reply, loopback

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
NOW = datetime.now(UTC).replace(second=0, microsecond=0)  # the CLI runs on the real clock


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = "") -> tuple[int, str, str]:
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(list(argv))
    finally:
        sys.stdin = old
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    path = str(tmp_path / "a.db")
    customers = tmp_path / "customers.csv"
    customers.write_text("Name,Time zone,Country,Email domains\nAcme Analytics,Europe/Berlin,DE,acme.example\n"
                         "Globex,America/New_York,US,globex.example\n")  # fmt: skip
    assert run(capsys, "--db", path, "init")[0] == 0
    assert run(capsys, "--db", path, "import", "customers", str(customers))[0] == 0
    return path


def site() -> JsmSite:
    waiting = jsm_issue(
        "SUP-7", created=ago(hours=30), updated=ago(hours=2), priority="Highest", status="Waiting for customer",
        first_response=ago(hours=29, minutes=40),
        histories=[status_change(ago(hours=29, minutes=40), "Waiting for support", "Waiting for customer")],
    )  # fmt: skip
    waiting["fields"]["customfield_10030"] = sla_value("Time to first response", ago(hours=30),
                                                       ago(hours=29, minutes=40), False)  # fmt: skip
    solved = jsm_issue("SUP-8", created=ago(days=3), updated=ago(days=2), priority="Low", status="Resolved",
                       organization="", reporter_email="bo@globex.example", resolved=ago(days=2),
                       histories=[status_change(ago(days=2), "Waiting for support", "Resolved")])  # fmt: skip
    return JsmSite(issues=[waiting, solved], page_size=1)


def test_connect_test_sync_and_sync_again(capsys: pytest.CaptureFixture[str], db: str) -> None:
    jsm = site()
    with loopback(fake_jsm(jsm)) as live:
        code, out, err = run(capsys, "--db", db, "connections", "add", "Acme JSM", "--source", "jsm", "--url",
                             live.url, "--user", EMAIL, stdin=TOKEN + "\n")  # fmt: skip
        assert (code, err) == (0, "") and out.startswith("Added Acme JSM (Jira Service Management, http://127.0.0.1")
        assert SecretStore().get(SecretName.CONNECTION_TOKEN, "Acme JSM") == TOKEN
        code, out, err = run(capsys, "--db", db, "connections", "test", "acme jsm")
        assert (code, out.strip(), err) == (
            0,
            f"Signed in to Jira Service Management (Acme JSM) as Ann Agent <{EMAIL}>.",
            "",
        )
        code, out, err = run(capsys, "--db", db, "sync")
        assert (code, err) == (0, "")
        assert out.strip() == "Acme JSM: 2 created, 0 updated, 0 unchanged, 3 events added."
        code, out, _ = run(capsys, "--db", db, "sync", "--connection", "Acme JSM")
        assert code == 0 and " 0 created, 0 updated" in out and "0 events added" in out
        jsm.issues[0]["fields"]["status"]["name"] = "Waiting for support"
        jsm.issues[0]["fields"]["updated"] = ago(minutes=5).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        jsm.issues[0]["changelog_histories"] = None
        jsm.issues[0].setdefault("histories", []).append(
            status_change(ago(minutes=5), "Waiting for customer", "Waiting for support", history_id=99)
        )
        code, out, _ = run(capsys, "--db", db, "sync")
        assert code == 0 and "0 created, 1 updated" in out, out
        jsm.faults["/rest/api/3/search/jql"] = [Reply(500, {"errorMessages": ["Internal server error"]})] * 4
        code, out, err = run(capsys, "--db", db, "sync")
    assert code == 1 and err.count("\n") == 1 and TOKEN not in err
    assert err.startswith("tamdesk sync: Jira Service Management (Acme JSM) is unavailable (HTTP 500)")
    code, out, _ = run(capsys, "--db", db, "connections", "list")
    assert code == 0 and "Acme JSM\tJira Service Management\thttp://127.0.0.1" in out
    assert out.rstrip().endswith("— unavailable")
    open_database(Path(db))
    try:
        tickets = {tk.number: tk for tk in t.Ticket.select()}
        assert tickets["SUP-7"].status == "open" and tickets["SUP-8"].status == "solved"
        assert tickets["SUP-8"].customer.name == "Globex", "matched by the reporter's email domain"
        kinds = [e.kind for e in tickets["SUP-7"].events.order_by(t.TicketEvent.at)]
        assert kinds == ["response", "waiting_on_customer", "customer_replied"]
        detail = ticket_detail(tickets["SUP-7"].id, NOW)
        assert detail.sla.first_response_met is True, "Sev1 answered in 20 minutes"
    finally:
        close_database()


def test_a_ticket_imported_from_the_export_is_the_one_synced(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, _, err = run(capsys, "--db", db, "import", "tickets", str(EXPORTS / "jsm_issues.csv"), "--tz", "UTC",
                       "--skip-unknown")  # fmt: skip
    assert code == 0, err
    updated = jsm_issue("SUP-101", created=datetime(2026, 3, 2, 9, 15, tzinfo=UTC), updated=ago(hours=1),
                        priority="Highest", status="Resolved", resolved=ago(hours=1),
                        histories=[status_change(ago(hours=1), "Waiting for customer", "Resolved")])  # fmt: skip
    with loopback(fake_jsm(JsmSite(issues=[updated]))) as live:
        assert run(capsys, "--db", db, "connections", "add", "JSM", "--source", "jira", "--url", live.url,
                   "--user", EMAIL, stdin=TOKEN)[0] == 0  # fmt: skip
        code, out, err = run(capsys, "--db", db, "sync")
    assert (code, err) == (0, "") and out.strip().startswith("JSM: 0 created, 1 updated"), out
    open_database(Path(db))
    try:
        assert [tk.status for tk in t.Ticket.select().where(t.Ticket.number == "SUP-101")] == ["solved"]
    finally:
        close_database()


def test_no_token_no_connection_and_bad_input_are_one_sentence(capsys: pytest.CaptureFixture[str], db: str) -> None:
    base = ["--db", db, "connections", "add", "Z", "--source", "zendesk", "--user", "ann@acme.example"]
    for extra, stdin, message in [
        (["--url", "https://acme.zendesk.com"], "", "give the API token on standard input (it is never an "
         "argument); nothing was changed."),
        (["--url", "ftp://acme.zendesk.com"], TOKEN, "The base URL must be the service's https:// address"),
        (["--url", "https://acme.zendesk.com", "--source", "freshdesk"], TOKEN,
         "--source 'freshdesk' is not a source kind; use zendesk, jsm or salesforce"),
    ]:  # fmt: skip
        code, out, err = run(capsys, *base, *extra, stdin=stdin)
        assert (code, out) == (1, "") and err.startswith(f"tamdesk connections add: {message}"), err
        assert err.count("\n") == 1 and TOKEN not in err
    code, _, err = run(capsys, "--db", db, "sync", "--connection", "Nope")
    assert (code, err.strip()) == (1, "tamdesk sync: No connection named 'Nope' (connections: none yet; add one "
                                      "with `tamdesk connections add`).")  # fmt: skip
    code, _, err = run(capsys, "--db", db, "sync")
    assert code == 1 and "there is no connection to sync" in err
