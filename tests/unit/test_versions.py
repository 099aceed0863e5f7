"""The version scheme (docs/versions.md): what parses, how versions order, and whether a fix has reached."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.versions import (
    Environment,
    FixReach,
    Version,
    VersionError,
    fix_reach,
    is_version,
    parse_environment,
    parse_version,
    reached,
)

ASCENDING = ["2", "10", "436", "436.1", "436.5", "436-e", "436-e.1", "436-e.1.1", "436-e.2", "436-e.9", "436-e.10",
             "437", "437.1", "437.1.1", "437.2", "437-e.1", "1000"]  # fmt: skip


@pytest.mark.parametrize(("lower", "higher"), list(pairwise(ASCENDING)))
def test_each_version_comes_before_the_next(lower: str, higher: str) -> None:
    assert parse_version(lower) < parse_version(higher)
    assert not parse_version(higher) < parse_version(lower)


@pytest.mark.parametrize(
    ("left", "right"),
    [("437", "437.0"), ("436-e", "436-e.0"), ("437.02", "437.2"), (" 436-E.9 ", "436-e.9"), ("0437", "437")],
)
def test_spellings_of_one_version_are_equal(left: str, right: str) -> None:
    assert parse_version(left) == parse_version(right)
    assert hash(parse_version(left)) == hash(parse_version(right))


@pytest.mark.parametrize(
    ("text", "shown"), [("437", "437"), (" 436-E.9 ", "436-e.9"), ("437.02", "437.2"), ("436-e", "436-e")]
)
def test_a_version_shows_in_its_plain_form(text: str, shown: str) -> None:
    assert str(parse_version(text)) == shown


@pytest.mark.parametrize("text", ["4.x", "v437", "437-rc1", "437..1", "437.", ".437", "437-e9", "437-f.1", "-437",
                                  "437 .1", "437-e.1-e", "１２３", "4\u200b37", "437\n"])  # fmt: skip
def test_text_outside_the_scheme_is_refused_naming_it_and_the_scheme(text: str) -> None:
    if text == "437\n":  # a trailing newline is surrounding space, not part of the version
        assert parse_version(text) == parse_version("437")
        return
    with pytest.raises(VersionError, match="is not a version: versions look like 437, 437.2 or 436-e.9"):
        parse_version(text)
    assert not is_version(text)


def test_the_message_quotes_the_text() -> None:
    with pytest.raises(VersionError) as info:
        parse_version("4.x")
    assert str(info.value) == (
        "'4.x' is not a version: versions look like 437, 437.2 or 436-e.9 "
        "(a release number, then -e for an enterprise build, then .N for each patch)."
    )


def test_an_empty_version_asks_for_one() -> None:
    with pytest.raises(VersionError, match="A version is needed"):
        parse_version("  ")


numbers = st.integers(min_value=0, max_value=10_000)
versions = st.builds(
    lambda release, enterprise, patches: f"{release}{'-e' if enterprise else ''}{''.join(f'.{p}' for p in patches)}",
    numbers,
    st.booleans(),
    st.lists(numbers, max_size=4),
)


@given(versions, versions)
def test_any_two_versions_are_equal_or_one_comes_first(a: str, b: str) -> None:
    x, y = parse_version(a), parse_version(b)
    assert sum([x < y, x == y, x > y]) == 1
    assert (x <= y) == (not x > y)


@given(versions, versions, versions)
def test_the_order_is_transitive(a: str, b: str, c: str) -> None:
    x, y, z = sorted(parse_version(v) for v in (a, b, c))
    assert x <= y <= z and x <= z


@given(versions)
def test_the_plain_form_parses_to_the_same_version(text: str) -> None:
    version = parse_version(text)
    assert parse_version(str(version)) == version
    assert parse_version(str(version)).text == version.text


@given(numbers, st.booleans(), st.lists(numbers, max_size=3), numbers)
def test_a_higher_release_is_later_whatever_follows(
    release: int, enterprise: bool, patches: list[int], more: int
) -> None:
    text = f"{release}{'-e' if enterprise else ''}{''.join(f'.{p}' for p in patches)}"
    assert parse_version(text) < parse_version(str(release + 1 + more))


@given(versions)
def test_a_patch_is_later_than_what_it_patches(text: str) -> None:
    assert parse_version(text) < parse_version(f"{text}.1")


def test_sorting_mixed_versions() -> None:
    shuffled = ["437", "436-e.10", "436", "436-e.9", "437.1", "436-e.1"]
    assert [str(v) for v in sorted(map(parse_version, shuffled))] == [
        "436", "436-e.1", "436-e.9", "436-e.10", "437", "437.1"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("installed", "fix", "expected"),
    [("437", "436-e.9", True), ("436-e.9", "436-e.9", True), ("436-e.8", "436-e.9", False), ("4.x", "437", None),
     ("437", "hotfix", None)],
)  # fmt: skip
def test_reached(installed: str, fix: str, expected: bool | None) -> None:
    assert reached(installed, fix) is expected


@pytest.mark.parametrize(
    ("fix", "deployed", "installed", "expected"),
    [
        ("", True, "437", FixReach.NOT_DEPLOYED),
        ("437", False, "437", FixReach.NOT_DEPLOYED),
        ("437", True, None, FixReach.UNKNOWN),
        ("437", True, "436-e.9", FixReach.WAITING),
        ("437", True, "437.0", FixReach.REACHED),
        ("437", True, "438", FixReach.REACHED),
        ("next week", True, "437", FixReach.UNKNOWN),
    ],
)
def test_fix_reach(fix: str, deployed: bool, installed: str | None, expected: FixReach) -> None:
    assert fix_reach(fix, deployed, installed) is expected


@pytest.mark.parametrize(
    ("text", "expected"), [("production", Environment.PRODUCTION), (" Staging ", Environment.STAGING)]
)
def test_environments(text: str, expected: Environment) -> None:
    assert parse_environment(text) is expected


def test_an_unknown_environment_is_named() -> None:
    with pytest.raises(ValueError, match="Environment 'prod' is not production or staging."):
        parse_environment("prod")


def test_a_version_is_not_equal_to_its_text() -> None:
    assert parse_version("437") != "437"
    assert isinstance(parse_version("437"), Version)
