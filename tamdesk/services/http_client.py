"""A small JSON-over-HTTPS client for the support systems' REST APIs, on the standard library.

Every failure becomes a :class:`~tamdesk.domain.sync.SyncError` whose sentence names the connection and what went
wrong (a refused token, an unknown host, an untrusted certificate, a missing permission, a busy or broken service)
and never the token. HTTP 429 and 5xx answers and network failures are retried with :func:`domain.sync.backoff`
(the server's Retry-After first) up to ``attempts`` times; the waits go through an injected ``sleep`` so tests and
a cancel button do not wait for real.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tamdesk.domain.sync import Failure, SyncError, backoff, retry_after_seconds

DEFAULT_TIMEOUT = 30.0
DEFAULT_ATTEMPTS = 4
_MAX_BODY = 64 * 1024 * 1024  # an answer larger than this is not a page of tickets


@dataclass
class HttpClient:
    """Requests against one service. ``name`` is how messages call it ("Zendesk (acme)").

    ``headers`` are sent with every request (the Authorization header among them); they are never logged or shown.
    ``sleep`` waits between retries and may raise to stop (a cancel); ``now`` reads the clock for Retry-After dates.
    """

    name: str
    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    attempts: int = DEFAULT_ATTEMPTS
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    context: ssl.SSLContext | None = None
    requests: int = 0  # how many requests were sent (for tests and the sync summary)

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """``path`` (absolute or relative to the base URL) with ``params`` as its query."""
        absolute = path.startswith(("http://", "https://"))
        url = path if absolute else self.base_url.rstrip("/") + "/" + path.lstrip("/")
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params, doseq=True)
        return url

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``path`` and read its JSON body. Raises SyncError."""
        return self._send(urllib.request.Request(self.url(path, params), method="GET"))

    def post_form(self, path: str, form: Mapping[str, str]) -> Any:
        """POST ``form`` urlencoded to ``path`` and read its JSON body (an OAuth token request). Raises SyncError."""
        body = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(self.url(path), data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        return self._send(request)

    # -- sending ----------------------------------------------------------------------------------------------------

    def _send(self, request: urllib.request.Request) -> Any:
        for name, value in self.headers.items():
            request.add_header(name, value)
        request.add_header("Accept", "application/json")
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(request)
            except SyncError as exc:
                if not exc.failure.retry or attempt >= self.attempts:
                    raise
                if exc.retry_after is not None and exc.retry_after > backoff(attempt, exc.retry_after):
                    raise  # the service asks for a longer pause than a sync should hold on for: try next time
                self.sleep(backoff(attempt, exc.retry_after))

    def _once(self, request: urllib.request.Request) -> Any:
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self.context) as response:
                body = response.read(_MAX_BODY + 1)
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc) from None
        except urllib.error.URLError as exc:
            raise self._network_error(exc.reason) from None
        except OSError as exc:  # a timeout, a reset connection
            raise self._network_error(exc) from None
        if len(body) > _MAX_BODY:
            raise SyncError(Failure.MALFORMED, f"{self.name} sent an answer larger than 64 MB; nothing was read.")
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise SyncError(
                Failure.NOT_FOUND if body.lstrip()[:1] == b"<" else Failure.MALFORMED,
                f"{self.name} did not answer with JSON at {_where(request)}: is the base URL the service's address?",
            ) from None

    def _http_error(self, exc: urllib.error.HTTPError) -> SyncError:
        code = exc.code
        detail = _error_detail(exc)
        where = _where(exc)
        if code == 401:
            return SyncError(Failure.AUTH, f"{self.name} refused the sign-in: the user or token is wrong or expired"
                                           f"{detail}.")  # fmt: skip
        if code == 403:
            return SyncError(Failure.PERMISSION, f"{self.name} does not let this user read {where}{detail}.")
        if code == 404:
            return SyncError(Failure.NOT_FOUND, f"{self.name} has nothing at {where}: is the base URL right?")
        if code == 429:
            wait = retry_after_seconds(exc.headers.get("Retry-After"), self.now())
            after = f"; it asks to wait {wait:.0f} s" if wait is not None else ""
            return SyncError(Failure.RATE_LIMITED, f"{self.name} is rate limiting requests{after}.", wait)
        if code >= 500:
            wait = retry_after_seconds(exc.headers.get("Retry-After"), self.now())
            return SyncError(Failure.UNAVAILABLE, f"{self.name} is unavailable (HTTP {code}){detail}.", wait)
        return SyncError(Failure.MALFORMED, f"{self.name} refused the request to {where} (HTTP {code}){detail}.")

    def _network_error(self, reason: object) -> SyncError:
        if isinstance(reason, ssl.SSLCertVerificationError | ssl.SSLError):
            return SyncError(Failure.TLS, f"{self.name}'s certificate cannot be trusted ({_reason(reason)}).")
        if isinstance(reason, socket.gaierror):
            host = urllib.parse.urlsplit(self.base_url).hostname or self.base_url
            return SyncError(Failure.UNREACHABLE, f"{self.name} is unreachable: no host named {host} was found.")
        if isinstance(reason, TimeoutError):
            return SyncError(Failure.UNREACHABLE, f"{self.name} did not answer within {self.timeout:g} s.")
        return SyncError(Failure.UNREACHABLE, f"{self.name} is unreachable ({_reason(reason)}).")


def _where(item: urllib.request.Request | urllib.error.HTTPError) -> str:
    """The request's path, without its query (a query may hold a cursor or a search, never needed in a message)."""
    url = item.full_url if isinstance(item, urllib.request.Request) else (item.url or "")
    return urllib.parse.urlsplit(url).path or "/"


def _reason(reason: object) -> str:
    text = getattr(reason, "reason", None) or getattr(reason, "strerror", None) or str(reason)
    return str(text).strip() or type(reason).__name__


def _error_detail(exc: urllib.error.HTTPError) -> str:
    """The service's own error text from a JSON body, when short: ``: "Couldn't authenticate you"``."""
    try:
        body = json.loads(exc.read(4096) or b"null")
    except (ValueError, OSError):
        return ""
    text = _first_text(body)
    return f': "{text[:200]}"' if text else ""


def _first_text(body: Any) -> str:
    """The first message in the usual error shapes: {"error": ...}, {"errorMessages": [...]}, [{"message": ...}]."""
    if isinstance(body, str):
        return body.strip()
    if isinstance(body, list):
        return next((found for item in body if (found := _first_text(item))), "")
    if isinstance(body, dict):
        for key in ("description", "error_description", "message", "errorMessages", "error", "details"):
            if key in body and (found := _first_text(body[key])):
                return found
    return ""
