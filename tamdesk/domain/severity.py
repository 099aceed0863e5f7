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
        lowered = raw.lower()
        if re.fullmatch(r"\d+\.0", lowered):  # spreadsheets hand integers back as floats
            lowered = lowered[:-2]
        tokens = re.findall(r"[a-z]+|\d+", re.sub(r"\b(sev|s|p)(?=\d)", r"\1 ", lowered))
        names = {m.name.lower(): m for m in cls}
        found: set[Severity] = set()
        for token in tokens:
            if token.isdigit() and 1 <= int(token) <= 4:
                found.add(cls(int(token)))
            elif token in names:
                found.add(names[token])
            elif token not in _FILLER_WORDS:
                found = set()
                break
        if len(found) == 1:
            return found.pop()
        raise ValueError(f"Severity '{raw}' is not one of 1-4 (Urgent, High, Normal, Low)")


_FILLER_WORDS = frozenset({"sev", "severity", "s", "p", "priority", "level"})

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
