"""One client per support system, each reading the system's documented REST API into ``domain.sync`` objects.

``make_client`` builds the client of a connection; the sync service and the connection test use nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from tamdesk.domain.sync import ConnectionInfo, SourceClient, SourceKind


def make_client(
    info: ConnectionInfo,
    secret: str,
    *,
    start: datetime,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = 30.0,
) -> SourceClient:
    """The client of ``info``'s system, signed in with ``secret``; a first sync reads tickets changed since ``start``.

    ``sleep`` waits between retries (a cancel raises from it); ``timeout`` bounds each request in seconds.
    """
    if info.kind is SourceKind.ZENDESK:
        from tamdesk.services.sources.zendesk import ZendeskClient

        return ZendeskClient(info, secret, start=start, sleep=sleep, timeout=timeout)
    if info.kind is SourceKind.JSM:
        from tamdesk.services.sources.jsm import JsmClient

        return JsmClient(info, secret, start=start, sleep=sleep, timeout=timeout)
    from tamdesk.services.sources.salesforce import SalesforceClient

    return SalesforceClient(info, secret, start=start, sleep=sleep, timeout=timeout)
