"""How the app opens its first database (issue 14, item 1 and 'only creating commands create')."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from tamdesk import app
from tamdesk.models import database_label
from tamdesk.secrets import SecretStore
from tamdesk.services.database import close_database

SECRET = "s3cr3t-Pa55"


def _refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Boxes:
    """Stands in for QMessageBox.exec: records what the user was told and clicks the named button."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, click: str | None) -> None:
        self.shown: list[str] = []
        self.click = click

        def exec_(box: QMessageBox) -> int:
            self.shown.append(f"{box.text()} {box.informativeText()}")
            for button in box.buttons():
                if button.text() == self.click:
                    monkeypatch.setattr(box, "clickedButton", lambda b=button: b)
                    return 0
            monkeypatch.setattr(box, "clickedButton", lambda: None)
            return 0

        monkeypatch.setattr(QMessageBox, "exec", exec_)
        monkeypatch.setattr(QMessageBox, "critical", lambda *a: self.shown.append(str(a[2])))


@pytest.fixture(autouse=True)
def _closed() -> Any:
    yield
    close_database()


def test_a_team_address_is_opened_as_one_and_its_password_never_shown(
    qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    boxes = Boxes(monkeypatch, click=None)
    url = f"postgresql://ana:{SECRET}@127.0.0.1:{_refused_port()}/team"
    assert app._open_first_database(url, SecretStore()) is None
    assert len(boxes.shown) == 1 and "cannot be reached" in boxes.shown[0]
    assert SECRET not in boxes.shown[0]
    assert list(tmp_path.iterdir()) == []


def test_a_missing_file_is_created_only_when_the_user_says_so(
    qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typo = tmp_path / "tamdeks.db"
    boxes = Boxes(monkeypatch, click=None)
    assert app._open_first_database(str(typo), SecretStore()) is None
    assert boxes.shown[0] == (
        f"There is no tamdesk database at {typo}. Create a new database there, open another database file, or quit."
    )
    assert not typo.exists()
    Boxes(monkeypatch, click="Create it")
    opened = app._open_first_database(str(typo), SecretStore())
    assert opened is not None and typo.exists()
    assert database_label() == str(typo)


def test_the_default_database_is_created_on_the_first_start(qapp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    Boxes(monkeypatch, click=None)
    opened = app._open_first_database(None, SecretStore())
    assert opened is not None and opened.from_version == 0
    assert opened.path is not None and opened.path.exists()
