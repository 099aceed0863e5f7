"""``tamdesk import tickets`` on a support system's export: detected, mapped, reconciled, one-sentence errors.

Fixtures: tests/fixtures/exports (Zendesk "Exporting data to a JSON, CSV, or XML file"; Salesforce report exports;
Jira Service Management CSV; the README there names the documentation each follows).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tamdesk.__main__ import main

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    path = str(tmp_path / "a.db")
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "Name,Time zone,Country,Email domains\n"
        "Acme Analytics,Europe/Berlin,DE,acme.example\nGlobex,America/New_York,US,globex.example\n"
        "Initech,Europe/Berlin,DE,initech.example\n"
    )
    assert run(capsys, "--db", path, "init")[0] == 0
    assert run(capsys, "--db", path, "import", "customers", str(customers))[0] == 0
    return path


def test_a_zendesk_export_is_detected_and_said(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    zendesk = str(EXPORTS / "zendesk_tickets.csv")
    code, out, err = run(capsys, "--db", db, "import", "tickets", zendesk, "--tz", "Europe/Berlin")
    assert (code, out) == (1, "")
    assert err.startswith(
        "tamdesk import tickets: zendesk_tickets.csv: nothing was imported. Row 6: Organization "
        "'Acme Inc' matches no customer"
    )  # fmt: skip (Initech Corp. matches by its domain)
    assert err.count("\n") == 1
    reconcile = tmp_path / "reconcile.xlsx"
    code, out, err = run(
        capsys, "--db", db, "import", "tickets", zendesk, "--tz", "Europe/Berlin",
        "--map", "Acme Inc=Acme Analytics", "--map", "Initech Corp.=Initech", "--reconcile", str(reconcile),
    )  # fmt: skip
    lines = out.splitlines()
    assert (code, err) == (0, "")
    assert lines[:2] == ["Detected a Zendesk ticket export.",
                         "Imported tickets: 7 created, 0 updated, 9 events recorded."]  # fmt: skip
    assert "4 of 6 agree with Zendesk on first response; 2 disagree." in lines
    assert f"Reconciliation written to {reconcile}." in lines
    assert openpyxl.load_workbook(reconcile).sheetnames == ["Summary", "Disagreements", "Compared"]
    code, out, _ = run(capsys, "--db", db, "import", "tickets", zendesk, "--tz", "Europe/Berlin")
    assert out.splitlines()[1] == "Imported tickets: 0 created, 0 updated, 7 unchanged, 0 events recorded."


def test_a_forced_source_and_a_saved_mapping(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    renamed = tmp_path / "jsm.csv"
    renamed.write_text((EXPORTS / "jsm_issues.csv").read_text().replace("Custom field (Organizations)", "Org", 1))
    code, out, err = run(
        capsys, "--db", db, "import", "tickets", str(renamed), "--source", "jsm", "--column", "Customer=Org",
        "--tz", "Europe/Berlin", "--save-mapping", "JSM with Org",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "Saved the column mapping as 'JSM with Org'." in out
    code, out, err = run(capsys, "--db", db, "import", "tickets", str(renamed), "--mapping", "JSM with Org",
                         "--tz", "Europe/Berlin")  # fmt: skip
    assert (code, err) == (0, "")
    assert "Imported tickets: 0 created, 0 updated, 4 unchanged, 0 events recorded." in out


@pytest.mark.parametrize(
    ("change", "args", "said"),
    [
        (("3/2/2026", "3/2/2026"), ("--date-order", "XYZ"), "invalid choice: 'XYZ'"),
        (None, ("--mapping", "Nope"), "There is no saved mapping 'Nope' (saved mappings: none yet)."),
        (None, ("--map", "Acme Inc"), "--map 'Acme Inc' does not name both sides"),
        (None, ("--map", "Acme Inc=Nobody"), "--map 'Acme Inc': there is no customer 'Nobody'"),
        (("Medium", "Moderate"), (), "Priority 'Moderate' is not one of the Salesforce case report's priorities"),
    ],
)
def test_bad_input_is_one_sentence_and_imports_nothing(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, change: tuple[str, str] | None,
    args: tuple[str, ...], said: str,
) -> None:  # fmt: skip
    path = tmp_path / "cases.csv"
    text = (EXPORTS / "salesforce_cases.csv").read_text()
    path.write_text(text.replace(*change) if change else text)
    try:
        code, out, err = run(capsys, "--db", db, "import", "tickets", str(path), *args)
    except SystemExit as exc:  # argparse refuses a bad choice itself
        code, (out, err) = int(exc.code or 0), capsys.readouterr()
        assert code == 2
    else:
        assert code == 1
    assert out == "" and said in err and "Traceback" not in err
    code, out, _ = run(capsys, "--db", db, "import", "tickets", str(EXPORTS / "salesforce_cases.csv"),
                       "--tz", "America/New_York")  # fmt: skip
    assert "4 created" in out  # nothing was imported before
