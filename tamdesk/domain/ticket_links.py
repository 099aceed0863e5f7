"""Where a synced ticket lives in its support system: the address an agent opens it at.

The ticket number is what the source calls the ticket (Zendesk's ticket id, the Jira issue key, Salesforce's case
number; see ``domain.sync``). Zendesk and Jira address a ticket by exactly that; Salesforce addresses a case by its
record id, which is not its case number, so no address can be built for it from the number alone.
"""

from __future__ import annotations

import urllib.parse

from tamdesk.domain.sync import SourceKind


def ticket_url(kind: SourceKind, base_url: str, number: str) -> str | None:
    """The agent's address of ticket ``number`` under ``base_url``; None when ``kind`` cannot be addressed by number.

    ``https://acme.zendesk.com`` and ``4711`` give ``https://acme.zendesk.com/agent/tickets/4711``;
    ``https://acme.atlassian.net`` and ``SUP-12`` give ``https://acme.atlassian.net/browse/SUP-12``.
    """
    base = base_url.strip().rstrip("/")
    key = urllib.parse.quote(number.strip(), safe="")
    if not base or not key:
        return None
    if kind is SourceKind.ZENDESK:
        return f"{base}/agent/tickets/{key}"
    if kind is SourceKind.JSM:
        return f"{base}/browse/{key}"
    return None
