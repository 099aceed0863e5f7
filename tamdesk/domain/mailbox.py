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


# -- look-alike letters ------------------------------------------------------------------------------------------

# Cyrillic and Greek letters that render like a Latin letter in common fonts (after Unicode's confusables.txt,
# kept to the ones that pass for the Latin letter at a glance). Domains are lower-case by the time they are checked;
# local parts keep their case, hence the capitals.
# fmt: off
LATIN_LOOKALIKES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k", "ӏ": "l", "м": "m",
    "н": "h", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "т": "t", "у": "y", "ѵ": "v", "ԝ": "w", "х": "x", "ү": "y",
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M", "О": "O", "Р": "P",
    "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y", "Ԛ": "Q", "Ԝ": "W",
    # Greek
    "α": "a", "ϲ": "c", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "γ": "y", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}
# fmt: on
_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def _script(ch: str) -> str | None:
    """``LATIN``, ``CYRILLIC`` or ``GREEK`` for a letter of those scripts; ``OTHER`` for other letters; None for
    digits, dots, dashes and marks, which belong to every script."""
    if not ch.isalpha():
        return None
    words = unicodedata.name(ch, "").split()[:2]  # "LATIN SMALL …", "FULLWIDTH LATIN …"
    return next((script for script in _SCRIPTS if script in words), "OTHER")


@dataclass(frozen=True)
class LookAlike:
    """An address that mixes Latin with Cyrillic or Greek letters, as a spoofed address does."""

    address: str
    latin: str
    """The address with every look-alike letter replaced by the Latin one it passes for."""
    letters: tuple[str, ...]
    """The Cyrillic and Greek letters of the address, each once, in order."""

    @property
    def description(self) -> str:
        """``looks like ana.lima@acme.com written with a Cyrillic а (U+0430)``, or, when some of its letters pass
        for no Latin one, ``mixes Latin and Cyrillic letters (и U+0438)``; no full stop."""
        if all(ch in LATIN_LOOKALIKES for ch in self.letters):
            return f"looks like {self.latin} written with {_letters_phrase(self.letters)}"
        found = {_script(ch) for ch in self.address}
        scripts = [script.capitalize() for script in _SCRIPTS if script in found]
        listed = ", ".join(f"{ch} U+{ord(ch):04X}" for ch in self.letters)
        return f"mixes {' and '.join(scripts)} letters ({listed})"


def lookalike(address: str) -> LookAlike | None:
    """The look-alike reading of an address whose local part or a domain label mixes Latin, Cyrillic and Greek
    letters (``аna@acme.com``), or whose local part or label is all Cyrillic or Greek look-alikes beside Latin
    ones (``ana@асме.com``); None for an address in one script (``иван@пример.рф``, ``ana@acme.com``)."""
    local, _, domain = address.strip().rpartition("@")
    units = [local, *domain.split(".")] if local else [address.strip()]
    scripts = [{s for ch in unit if (s := _script(ch)) in _SCRIPTS} for unit in units]
    mixed = any(len(found) > 1 for found in scripts)
    latin_elsewhere = any("LATIN" in found for found in scripts)
    disguised = latin_elsewhere and any(
        found and "LATIN" not in found and all(ch in LATIN_LOOKALIKES for ch in unit if _script(ch) is not None)
        for unit, found in zip(units, scripts, strict=True)
    )
    if not (mixed or disguised):
        return None
    letters = tuple(dict.fromkeys(ch for ch in address if _script(ch) in ("CYRILLIC", "GREEK")))
    latin = "".join(LATIN_LOOKALIKES.get(ch, ch) for ch in address.strip())
    return LookAlike(address.strip(), latin, letters)


def _letters_phrase(letters: tuple[str, ...]) -> str:
    """``a Cyrillic а (U+0430)``; ``Cyrillic а (U+0430) and о (U+043E)``; ``a Cyrillic а … and a Greek ο …``."""
    groups: dict[str, list[str]] = {}
    for ch in letters:
        groups.setdefault(str(_script(ch)).capitalize(), []).append(f"{ch} (U+{ord(ch):04X})")
    parts = []
    for script, shown in groups.items():
        listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
        parts.append(f"a {script} {listed}" if len(shown) == 1 else f"{script} {listed}")
    return " and ".join(parts)
