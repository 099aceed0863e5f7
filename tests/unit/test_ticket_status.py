"""What a ticket's history says of its status: the rule adding an event by hand and importing a history share."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.domain.ticket_status import derived_status

S = TicketStatus
R, W, C, SOLVED, REOPENED = (k.value for k in (TicketEventKind.RESPONSE, TicketEventKind.WAITING_ON_CUSTOMER,
                                               TicketEventKind.CUSTOMER_REPLIED, TicketEventKind.SOLVED,
                                               TicketEventKind.REOPENED))  # fmt: skip


@pytest.mark.parametrize(
    ("status", "resolved", "events", "expected"),
    [
        (S.NEW, None, [], (S.NEW, None)),
        (S.NEW, None, [(1, R)], (S.OPEN, None)),
        (S.OPEN, None, [(1, R), (2, W)], (S.WAITING_ON_CUSTOMER, None)),
        (S.WAITING_ON_CUSTOMER, None, [(1, W), (2, C)], (S.OPEN, None)),
        (S.OPEN, None, [(1, R), (5, SOLVED)], (S.SOLVED, 5)),
        (S.CLOSED, 3, [(1, R), (5, SOLVED)], (S.CLOSED, 5)),  # closed stays closed, solved at the last solve
        (S.SOLVED, 5, [(1, R), (5, SOLVED), (7, REOPENED)], (S.OPEN, None)),
        (S.SOLVED, 5, [(5, SOLVED), (7, REOPENED), (8, W)], (S.WAITING_ON_CUSTOMER, None)),
        (S.SOLVED, 9, [(1, R)], (S.SOLVED, 9)),  # no solve or reopen: the status set by hand or an import stays
        (S.WAITING_ON_ENGINEERING, None, [(1, R)], (S.WAITING_ON_ENGINEERING, None)),
        (S.OPEN, 4, [(1, R)], (S.OPEN, None)),  # an open ticket has no resolved time
        (S.OPEN, None, [(1, W), (2, SOLVED), (3, REOPENED)], (S.OPEN, None)),  # reopened: no longer waiting
        (S.CLOSED, 5, [(1, R), (2, W), (5, SOLVED)], (S.CLOSED, 5)),
    ],
)
def test_events_decide_what_they_can(
    status: TicketStatus, resolved: int | None, events: list[tuple[int, str]], expected: tuple[TicketStatus, int | None]
) -> None:
    assert derived_status(status, resolved, events) == expected


KINDS = st.sampled_from([R, W, C, SOLVED, REOPENED])


@given(st.sampled_from(list(TicketStatus)), st.lists(st.tuples(st.integers(0, 100), KINDS), max_size=8))
def test_deriving_twice_changes_nothing(status: TicketStatus, events: list[tuple[int, str]]) -> None:
    """A second resync of an unchanged history (an import of the same file again) leaves the ticket as it is."""
    events.sort()
    once = derived_status(status, 50, events)
    assert derived_status(*once, events) == once
    assert once[1] is None or once[0] in (S.SOLVED, S.CLOSED), "only a solved or closed ticket has a resolved time"
