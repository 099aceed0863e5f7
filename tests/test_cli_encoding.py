"""``--encoding`` names the encoding of a CSV file without a byte-order mark (issue 14, CSV read as CSV)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tamdesk.__main__ import main


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "a.db"
    assert main(["--db", str(path), "init"]) == 0
    return path


def test_a_declared_encoding_reads_the_names_right(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "c.csv"
    source.write_bytes("Name,TAM\nŁódź Systems,Łukasz Nowak\n".encode("iso-8859-2"))
    capsys.readouterr()
    assert main(["--db", str(db), "import", "customers", str(source), "--encoding", "iso-8859-2"]) == 0
    assert main(["--db", str(db), "seats", "list", "--customer", "Łódź Systems"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "Łódź Systems" in out


def test_an_unknown_encoding_is_one_sentence(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "t.csv"
    source.write_text("Ticket,Customer,Subject,Severity,Opened\n")
    capsys.readouterr()
    assert main(["--db", str(db), "import", "tickets", str(source), "--encoding", "klingon"]) == 1
    _, err = capsys.readouterr()
    assert err.count("\n") == 1 and "klingon" in err
