from __future__ import annotations

import pytest

from tamdesk.domain.severity import Severity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", Severity.URGENT), (1, Severity.URGENT), (2.0, Severity.HIGH), ("Sev2", Severity.HIGH),
        ("sev 3", Severity.NORMAL), ("Severity 4", Severity.LOW), ("Urgent", Severity.URGENT),
        ("HIGH", Severity.HIGH), ("Urgent (Severity 1)", Severity.URGENT), ("S3", Severity.NORMAL),
        ("P4 - Low", Severity.LOW), ("  normal ", Severity.NORMAL),
    ],
)  # fmt: skip
def test_parse(text: object, expected: Severity) -> None:
    assert Severity.parse(text) is expected


@pytest.mark.parametrize("text", ["urgentish", "5", "0", "", "Sev1 Low", "critical", "1.5"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=f"Severity '{text.strip()}' is not one of 1-4"):
        Severity.parse(text)


def test_labels_and_definitions() -> None:
    assert Severity.URGENT.label == "Sev1 Urgent"
    assert "24/7" in Severity.URGENT.definition
    assert all(s.definition for s in Severity)
