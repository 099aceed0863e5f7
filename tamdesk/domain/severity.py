"""Ticket severity levels as the vendor's support policy defines them."""

from __future__ import annotations

import re
from enum import IntEnum


class Severity(IntEnum):
    """Severity 1 (Urgent) is the most severe; 4 (Low) the least."""

    URGENT = 1
    HIGH = 2
    NORMAL = 3
    LOW = 4

    @property
    def label(self) -> str:
        """Short label, e.g. ``Sev1 Urgent``."""
        return f"Sev{self.value} {self.name.title()}"

    @property
    def definition(self) -> str:
        """The policy's definition of this level, shown wherever a severity is chosen."""
        return DEFINITIONS[self]

    @classmethod
    def parse(cls, text: object) -> Severity:
        """Read a severity as support systems export it: ``1``, ``Sev1``, ``Severity 1``, ``Urgent`` ...

        Raises:
            ValueError: with a message naming the value, when it is none of those.
        """
        raw = str(text).strip()
        key = re.sub(r"[\s_\-()]+", "", raw.lower())
        if key.endswith(".0"):  # spreadsheets hand integers back as floats
            key = key[:-2]
        for prefix in ("severity", "sev", "s", "p"):
            if key.startswith(prefix) and key[len(prefix) :].isdigit():
                key = key[len(prefix) :]
                break
        if key.isdigit() and 1 <= int(key) <= 4:
            return cls(int(key))
        for member in cls:
            if key.startswith(member.name.lower()):
                return member
        raise ValueError(f"Severity '{raw}' is not one of 1-4 (Urgent, High, Normal, Low)")


DEFINITIONS: dict[Severity, str] = {
    Severity.URGENT: (
        "Production / mission-critical functionality is down with no obvious or immediate workaround. "
        "Engages the 24/7 on-call team."
    ),
    Severity.HIGH: (
        "Major loss of functionality, but work can continue in a degraded or restricted capacity. Not viable long term."
    ),
    Severity.NORMAL: (
        "Production issue where minor functionality is impacted, a development issue, or a non-production outage."
    ),
    Severity.LOW: "Non-critical loss of functionality. Request for information or other non-production request.",
}
