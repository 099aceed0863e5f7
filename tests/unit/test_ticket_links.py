"""The address of a synced ticket in its support system.

The forms are the agents' own: Zendesk's agent workspace opens a ticket at ``/agent/tickets/<id>`` (as in
https://support.zendesk.com/agent/tickets/1171129, quoted in agnostack/magento_extension pull request 92, which
dropped the old ``/agent/#`` form), Jira opens an issue at ``/browse/<KEY>`` on Server and Cloud alike (GitLab merge
request gitlab-org/gitlab!36549, "Update Jira issue link"). Salesforce's Lightning record page
``/lightning/r/Case/<record id>/view`` needs the record id, not the case number a ticket keeps.
"""

from __future__ import annotations

import pytest

from tamdesk.domain.sync import SourceKind
from tamdesk.domain.ticket_links import ticket_url


@pytest.mark.parametrize(
    ("kind", "base", "number", "url"),
    [
        (SourceKind.ZENDESK, "https://acme.zendesk.com", "4711", "https://acme.zendesk.com/agent/tickets/4711"),
        (SourceKind.ZENDESK, "https://acme.zendesk.com/", " 4711 ", "https://acme.zendesk.com/agent/tickets/4711"),
        (SourceKind.JSM, "https://acme.atlassian.net", "SUP-12", "https://acme.atlassian.net/browse/SUP-12"),
        (SourceKind.JSM, "https://jira.acme.example/jira/", "SUP-12", "https://jira.acme.example/jira/browse/SUP-12"),
        # a number is one path segment, whatever it holds
        (SourceKind.JSM, "https://acme.atlassian.net", "A/B 1", "https://acme.atlassian.net/browse/A%2FB%201"),
        (SourceKind.SALESFORCE, "https://acme.my.salesforce.com", "00001234", None),
        (SourceKind.ZENDESK, "", "4711", None),
        (SourceKind.ZENDESK, "https://acme.zendesk.com", "  ", None),
    ],
)
def test_ticket_url(kind: SourceKind, base: str, number: str, url: str | None) -> None:
    assert ticket_url(kind, base, number) == url
