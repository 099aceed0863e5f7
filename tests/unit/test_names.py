"""Organization names compare by one key: case, accents, spaces and punctuation do not count."""

from __future__ import annotations

import pytest

from tamdesk.domain.names import name_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Müller AG", "MULLER-ag."),
        ("Acme Inc", "acme, inc"),
        ("Straße", "STRASSE"),
        ("Café Crème", "cafe creme"),
        ("Åsa Berg", "asa berg"),
    ],
)
def test_names_of_one_organization_share_a_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(("a", "b"), [("Acme", "Acme Analytics"), ("Globex", "Globe X Corp")])
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)
