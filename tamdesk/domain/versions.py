"""The product's version scheme: what a version looks like and how two versions compare (docs/versions.md).

A version is a release number, then optionally ``-e`` (an enterprise build of that release), then any number of
dot-separated patch numbers: ``437``, ``437.2``, ``436-e``, ``436-e.9``. Every number is a run of decimal digits
compared by value (``436-e.10`` is after ``436-e.9``; ``437.02`` is ``437.2``); ``-e`` may be written ``-E``, and
spaces around the whole are ignored. Nothing else is a version (``4.x``, ``v437``, ``437-rc1``, ``437..1``).
Two versions compare by release number first; within one release the open release comes before its enterprise
builds (``436.5`` < ``436-e``); then the patch numbers compare one by one, a missing one counting as 0, so
``437`` and ``437.0`` are the same version and ``436-e`` < ``436-e.1`` < ``436-e.9`` < ``436-e.10`` < ``437`` <
``437.1``. The order is total: any two versions are equal or one is before the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import total_ordering

from tamdesk.domain.text import visible

VERSION_SHAPE = "versions look like 437, 437.2 or 436-e.9"
VERSION_SCHEME = "a release number, then -e for an enterprise build, then .N for each patch"
_GRAMMAR = re.compile(r"(?P<release>[0-9]+)(?P<enterprise>-[eE])?(?P<patches>(?:\.[0-9]+)*)", re.ASCII)
_LONGEST = 60  # a version is short: anything longer is a paste gone wrong


class VersionError(ValueError):
    """Text that is not a version under the product's scheme; the message names the text and the scheme."""


@total_ordering
@dataclass(frozen=True, eq=False)
class Version:
    """A parsed version; compares and hashes by its place in the order; ``text`` is its plain form (``437.2``)."""

    text: str
    release: int
    enterprise: bool
    patches: tuple[int, ...]

    @property
    def key(self) -> tuple[int, bool, tuple[int, ...]]:
        """The sort key: release, enterprise build, patch numbers without trailing zeros."""
        patches = list(self.patches)
        while patches and patches[-1] == 0:
            patches.pop()
        return (self.release, self.enterprise, tuple(patches))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self.key == other.key

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self.key < other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __str__(self) -> str:
        return self.text


def parse_version(text: str) -> Version:
    """``text`` as a Version.

    Raises:
        VersionError: ``text`` does not follow the scheme; the message says what a version looks like.
    """
    trimmed = text.strip()
    match = _GRAMMAR.fullmatch(trimmed) if len(trimmed) <= _LONGEST else None
    if match is None:
        if not trimmed:
            raise VersionError(f"A version is needed: {VERSION_SHAPE} ({VERSION_SCHEME}).")
        raise VersionError(
            f"'{visible(trimmed, limit=_LONGEST)}' is not a version: {VERSION_SHAPE} ({VERSION_SCHEME})."
        )
    patches = tuple(int(part) for part in match["patches"].split(".")[1:])
    enterprise = match["enterprise"] is not None
    canonical = f"{int(match['release'])}{'-e' if enterprise else ''}{''.join(f'.{p}' for p in patches)}"
    return Version(canonical, int(match["release"]), enterprise, patches)


def is_version(text: str) -> bool:
    """Whether ``text`` follows the version scheme."""
    try:
        parse_version(text)
    except VersionError:
        return False
    return True


def reached(installed: str, fix: str) -> bool | None:
    """Whether ``installed`` is ``fix`` or later; None when either does not follow the scheme (nobody can tell)."""
    try:
        return parse_version(installed) >= parse_version(fix)
    except VersionError:
        return None


class Environment(StrEnum):
    """Where a customer runs a version; only production decides whether a fix has reached the customer."""

    PRODUCTION = "production"
    STAGING = "staging"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def parse_environment(text: str) -> Environment:
    """``production`` or ``staging`` (any case).

    Raises:
        ValueError: anything else; the message names the text.
    """
    try:
        return Environment(text.strip().lower())
    except ValueError:
        raise ValueError(f"Environment '{visible(text.strip())}' is not production or staging.") from None


class FixReach(StrEnum):
    """Whether a defect's fix has reached one customer."""

    NOT_DEPLOYED = "not_deployed"  # no fix deployed yet: every customer still runs the defect
    REACHED = "reached"  # the customer runs the fix version or later in production
    WAITING = "waiting"  # the fix is deployed and the customer runs an older version in production
    UNKNOWN = "unknown"  # deployed, but no production version is recorded or the fix version is not in the scheme

    @property
    def label(self) -> str:
        return _REACH_LABELS[self]


_REACH_LABELS = {
    FixReach.NOT_DEPLOYED: "No fix deployed yet",
    FixReach.REACHED: "Runs the fix",
    FixReach.WAITING: "Waiting for the fix",
    FixReach.UNKNOWN: "Not known",
}


def fix_reach(fix_version: str, deployed: bool, installed: str | None) -> FixReach:
    """Where the fix ``fix_version`` stands at a customer running ``installed`` in production (None: not recorded)."""
    if not deployed or not fix_version.strip():
        return FixReach.NOT_DEPLOYED
    if installed is None:
        return FixReach.UNKNOWN
    verdict = reached(installed, fix_version)
    if verdict is None:
        return FixReach.UNKNOWN
    return FixReach.REACHED if verdict else FixReach.WAITING
