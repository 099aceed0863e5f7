"""Email addresses of seat holders: validation, mailbox identity and role addresses.

Addresses are validated by email-validator (syntax only, never DNS). Domains are kept in their IDNA-normalized
Unicode form (``müller.de``, also for input written as ``xn--mller-kva.de``) and local parts in Unicode NFC, so
``jürgen@müller.de`` reads the way the customer wrote it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

GMAIL_DOMAINS: frozenset[str] = frozenset({"gmail.com", "googlemail.com"})
"""Google's consumer domains: one mailbox namespace in which dots in the local part do not count."""

# Local parts of role and distribution mailboxes: portal seats are for named people. Settings can edit the list.
# fmt: off
DEFAULT_ROLE_LOCAL_PARTS: frozenset[str] = frozenset({
    "abuse", "accounting", "accounts", "admin", "administrator", "alerts", "all", "billing", "careers", "compliance",
    "contact", "customerservice", "dev", "devops", "donotreply", "do-not-reply", "do_not_reply", "engineering",
    "enquiries", "everyone", "feedback", "finance", "help", "helpdesk", "hostmaster", "hr", "info", "inquiries",
    "invoices", "it", "itsupport", "it-support", "jobs", "legal", "mail", "marketing", "noc", "noreply", "no-reply",
    "no_reply", "notifications", "office", "ops", "orders", "postmaster", "press", "privacy", "procurement",
    "purchasing", "root", "sales", "security", "service", "services", "staff", "support", "sysadmin", "team", "tech",
    "techsupport", "webmaster",
})
# fmt: on


class InvalidAddress(ValueError):
    """An email address that email-validator rejects; the message names the value and the reason (without a full
    stop: it ends the sentences of the rules that quote it)."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"'{address}' is not a valid email address: {reason}")
        self.address = address
        self.reason = reason


@dataclass(frozen=True)
class _Parts:
    local: str
    domain: str


def normalize_address(text: str) -> str:
    """Strip and validate an address; return it with its domain normalized (local part keeps its case).

    Raises:
        InvalidAddress: when email-validator rejects the address, with its reason.
    """
    parts = _parse(text)
    return f"{parts.local}@{parts.domain}"


def mailbox_key(address: str) -> str:
    """The identity two addresses share when they reach the same mailbox.

    Case-insensitive (Unicode case folding), without a ``+tag`` sub-address, and for Gmail without dots in the
    local part and with googlemail.com read as gmail.com. ``Ana.Silva+portal@GoogleMail.com`` and
    ``anasilva@gmail.com`` have the key ``anasilva@gmail.com``.

    Raises:
        InvalidAddress: when the address is not valid.
    """
    parts = _parse(address)
    domain = canonical_domain(parts.domain)
    local = _base_local_part(parts.local)
    if domain in GMAIL_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def is_role_address(address: str, role_local_parts: Iterable[str] = DEFAULT_ROLE_LOCAL_PARTS) -> bool:
    """Whether the address is a role or distribution mailbox such as ``support@`` (``+tag`` and case ignored).

    Raises:
        InvalidAddress: when the address is not valid.
    """
    local = _base_local_part(_parse(address).local)
    return local in role_local_part_set(role_local_parts)


def role_local_part_set(role_local_parts: Iterable[str]) -> frozenset[str]:
    """Normalize an edited list of role local parts: ``" Support@ "`` counts as ``support``."""
    return frozenset(_fold(part.strip().partition("@")[0]) for part in role_local_parts)


def domain_of(address: str) -> str:
    """The normalized domain of an address: ``Ana@Müller.DE`` -> ``müller.de``.

    Raises:
        InvalidAddress: when the address is not valid.
    """
    return _parse(address).domain


def normalize_domain(text: str) -> str:
    """Normalize a customer's email domain as it would appear in an address (``@ACME.com`` -> ``acme.com``).

    Raises:
        InvalidAddress: when the text is not a valid email domain.
    """
    domain = text.strip().removeprefix("@")
    try:
        return _parse(f"postmaster@{domain}").domain
    except InvalidAddress as exc:
        raise InvalidAddress(text, exc.reason) from None


def canonical_domain(domain: str) -> str:
    """The domain under which a mailbox is known: googlemail.com is gmail.com, other domains are themselves."""
    return "gmail.com" if domain == "googlemail.com" else domain


def _parse(text: str) -> _Parts:
    stripped = text.strip()
    if not stripped:
        raise InvalidAddress(stripped, "the address is empty")
    try:
        valid = validate_email(stripped, check_deliverability=False)
    except EmailNotValidError as exc:
        # the reason ends a rule's message, which gets its full stop where it is shown: drop the validator's own
        raise InvalidAddress(stripped, str(exc).removesuffix(".")) from None
    return _Parts(local=valid.local_part, domain=valid.domain)


def _base_local_part(local: str) -> str:
    """The case-folded local part without its ``+tag``.

    A ``+`` in first position starts no tag (``+team`` is a mailbox of its own), and dots before the tag are
    dropped because ``ana.+x`` can only be a sub-address of ``ana``; both keep the key itself a valid address.
    """
    tag_at = local.find("+", 1)
    if tag_at > 0:
        local = local[:tag_at].rstrip(".")
    return _fold(local)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text.casefold())
