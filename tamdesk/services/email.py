"""Sending email over SMTP: the server settings (in the database) and one message at a time.

The SMTP password is never part of the settings: it lives in the keyring (:class:`~tamdesk.secrets.SecretStore`)
under the account ``user@host``. Every failure becomes an :class:`EmailError` whose message names the server and
never contains the password. A message reaches all its recipients or none: if the server refuses any recipient,
the transaction is reset before the message is transmitted.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from enum import Enum
from typing import Any, NamedTuple

from email_validator import EmailNotValidError, validate_email

from tamdesk.secrets import SecretName, SecretPrompt, SecretStore
from tamdesk.services.base import Context, DomainError, FieldError
from tamdesk.services.settings import get_setting, set_setting

log = logging.getLogger(__name__)

SETTING_KEY = "smtp"


class EmailError(DomainError):
    """Sending failed; the message names the server and says what to check."""


class SmtpSecurity(Enum):
    """How the connection to the SMTP server is protected."""

    STARTTLS = "starttls"
    SSL = "ssl"
    NONE = "none"

    @property
    def default_port(self) -> int:
        """The usual port for this security: 587 (submission), 465 (implicit TLS) or 25."""
        return {SmtpSecurity.STARTTLS: 587, SmtpSecurity.SSL: 465, SmtpSecurity.NONE: 25}[self]


@dataclass(frozen=True)
class SmtpSettings:
    """Where and as whom tamdesk sends email; an empty ``user`` means the server takes mail without a login."""

    host: str = ""
    port: int = 587
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    user: str = ""
    from_address: str = ""
    display_name: str = ""

    @property
    def account(self) -> str:
        """The keyring account of the SMTP password: ``user@host``."""
        return f"{self.user}@{self.host}"

    @property
    def server(self) -> str:
        """``host:port`` for messages."""
        return f"{self.host}:{self.port}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored under the "smtp" setting."""
        return {**asdict(self), "security": self.security.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SmtpSettings:
        """Read the stored JSON form; missing or unknown values fall back to the defaults."""
        known = {name: data[name] for name in ("host", "user", "from_address", "display_name") if name in data}
        try:
            security = SmtpSecurity(data.get("security", SmtpSecurity.STARTTLS.value))
        except ValueError:
            security = SmtpSecurity.STARTTLS
        port = data.get("port")
        return cls(**known, security=security, port=port if isinstance(port, int) else security.default_port)


class Attachment(NamedTuple):
    """A file sent with a message; a plain ``(filename, bytes, mimetype)`` tuple works too."""

    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


@dataclass(frozen=True)
class OutgoingEmail:
    """One message to send; addresses are plain ``name@domain`` strings."""

    to: Sequence[str]
    subject: str
    body: str
    cc: Sequence[str] = ()
    attachments: Sequence[Attachment | tuple[str, bytes, str]] = ()


def load_smtp_settings() -> SmtpSettings:
    """The stored SMTP settings, or the defaults when they were never saved."""
    return SmtpSettings.from_dict(get_setting(SETTING_KEY, {}) or {})


def save_smtp_settings(ctx: Context, settings: SmtpSettings) -> SmtpSettings:
    """Validate and store the SMTP settings (never the password) with an audit entry; return what was stored.

    Raises:
        FieldError: a setting is missing or invalid.
    """
    settings = validate_smtp_settings(settings)
    set_setting(ctx, SETTING_KEY, settings.to_dict())
    return settings


def validate_smtp_settings(settings: SmtpSettings) -> SmtpSettings:
    """The settings with host, user and sender tidied up.

    Raises:
        FieldError: no host, a port outside 1–65535, or an invalid sender address.
    """
    host = settings.host.strip()
    if not host or any(char.isspace() for char in host):
        raise FieldError("host", f"Enter the SMTP server's host name (not '{settings.host}').")
    if not 1 <= settings.port <= 65535:
        raise FieldError("port", f"The SMTP port must be between 1 and 65535, not {settings.port}.")
    from_address = normalize_address("from_address", "From", settings.from_address)
    return replace(
        settings,
        host=host,
        user=settings.user.strip(),
        from_address=from_address,
        display_name=" ".join(settings.display_name.split()),
    )


def normalize_address(field_name: str, label: str, address: str) -> str:
    """A valid address in its normalized form (syntax only, no DNS).

    Raises:
        FieldError: naming the field and the value.
    """
    if not address.strip():
        raise FieldError(field_name, f"Enter an email address in {label}.")
    try:
        valid = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise FieldError(field_name, f"'{address}' in {label} is not a valid email address: {exc}") from None
    return valid.ascii_email or valid.normalized


def _addresses(field_name: str, label: str, addresses: Iterable[str]) -> list[str]:
    return [normalize_address(field_name, label, address) for address in addresses]


def build_message(settings: SmtpSettings, message: OutgoingEmail) -> EmailMessage:
    """The MIME message for ``message`` from the configured sender.

    Raises:
        FieldError: no recipient, or an invalid address in To or Cc.
    """
    to = _addresses("to", "To", message.to)
    cc = _addresses("cc", "Cc", message.cc)
    if not to:
        raise FieldError("to", "Add at least one recipient in To.")
    mime = EmailMessage()
    mime["From"] = Address(display_name=settings.display_name, addr_spec=settings.from_address)
    mime["To"] = ", ".join(to)
    if cc:
        mime["Cc"] = ", ".join(cc)
    mime["Subject"] = " ".join(message.subject.split())  # a line break would end the header
    mime["Date"] = formatdate(localtime=True)
    mime["Message-ID"] = make_msgid(domain=settings.from_address.rpartition("@")[2])
    mime.set_content(message.body)
    for filename, content, mimetype in message.attachments:
        maintype, _, subtype = mimetype.partition("/")
        if not maintype or not subtype:
            maintype, subtype = "application", "octet-stream"
        mime.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return mime


def send_email(
    settings: SmtpSettings,
    message: OutgoingEmail,
    secrets: SecretStore,
    *,
    timeout: float = 15,
    prompt: SecretPrompt | None = None,
) -> None:
    """Send ``message`` through the SMTP server; it reaches every recipient or none.

    Args:
        settings: the SMTP server and sender.
        message: what to send and to whom.
        secrets: where the SMTP password of ``settings.account`` is kept.
        timeout: seconds to wait for each answer of the server.
        prompt: asks the user for the password when it is not stored; what they type is kept (keyring or
            session) once the server accepts the login.

    Raises:
        FieldError: invalid settings or addresses; nothing was sent.
        EmailError: no password, or the server could not be reached or refused the login, a recipient or the message.
    """
    settings = validate_smtp_settings(settings)
    mime = build_message(settings, message)
    password, typed = _password(settings, secrets, prompt) if settings.user else (None, False)

    def remember() -> None:
        if password is not None and typed:
            secrets.set(SecretName.SMTP_PASSWORD, settings.account, password)

    try:
        _deliver(settings, mime, password, timeout, on_login=remember)
    except EmailError:
        raise
    except (OSError, smtplib.SMTPException) as exc:
        raise EmailError(explain(exc, settings, timeout)) from exc
    log.info("Sent email %r to %d recipient(s) via %s", mime["Subject"], _recipient_count(mime), settings.server)


def send_test_email(
    settings: SmtpSettings,
    secrets: SecretStore,
    *,
    to: str | None = None,
    timeout: float = 15,
    prompt: SecretPrompt | None = None,
) -> None:
    """Send a short test message to ``to`` (by default the sender itself), as "Send test email" in Settings does.

    Raises:
        FieldError: invalid settings or address.
        EmailError: as :func:`send_email`.
    """
    body = (
        "This is a test message from tamdesk.\n\n"
        f"It was sent through {settings.host}:{settings.port} ({settings.security.value}), "
        "so the email settings work.\n"
    )
    message = OutgoingEmail(to=[to or settings.from_address], subject="tamdesk test email", body=body)
    send_email(settings, message, secrets, timeout=timeout, prompt=prompt)


def _password(settings: SmtpSettings, secrets: SecretStore, prompt: SecretPrompt | None) -> tuple[str, bool]:
    """The SMTP password, and whether the user just typed it: then it is stored only once the server accepts it."""
    stored = secrets.get(SecretName.SMTP_PASSWORD, settings.account)
    if stored is not None:
        return stored, False
    typed = prompt(SecretName.SMTP_PASSWORD, settings.account) if prompt is not None else None
    if not typed:
        raise EmailError(
            f"No SMTP password is stored for {settings.user} on {settings.host}: enter it in Settings > Email."
        )
    return typed, True


def _recipient_count(message: EmailMessage) -> int:
    return sum(len(str(message[header]).split(",")) for header in ("To", "Cc") if message[header])


class _AllOrNothingSMTP(smtplib.SMTP):
    """An SMTP client that resets the transaction instead of sending when any recipient was refused.

    ``sendmail`` alone transmits the message to the accepted recipients and only reports the refused ones.
    """

    refused: dict[str, tuple[int, bytes]]

    def mail(self, sender: str, options: Sequence[str] = ()) -> tuple[int, bytes]:
        self.refused = {}
        return super().mail(sender, options)

    def rcpt(self, recip: str, options: Sequence[str] = ()) -> tuple[int, bytes]:
        code, reply = super().rcpt(recip, options)
        if code not in (250, 251):
            self.refused[recip] = (code, reply)
        return code, reply

    def data(self, msg: Any) -> tuple[int, bytes]:
        if self.refused:
            self.rset()
            raise smtplib.SMTPRecipientsRefused(self.refused)
        return super().data(msg)


class _AllOrNothingSMTPSSL(_AllOrNothingSMTP, smtplib.SMTP_SSL):
    """:class:`_AllOrNothingSMTP` over implicit TLS."""


def _deliver(
    settings: SmtpSettings, mime: EmailMessage, password: str | None, timeout: float, on_login: Callable[[], None]
) -> None:
    smtp = _connect(settings, timeout)
    try:
        if settings.security is SmtpSecurity.STARTTLS:
            _start_tls(smtp, settings)
        if password is not None:
            _login(smtp, settings, password)
            on_login()
        smtp.send_message(mime)
        _quit_quietly(smtp)
    finally:
        smtp.close()


def _connect(settings: SmtpSettings, timeout: float) -> smtplib.SMTP:
    if settings.security is SmtpSecurity.SSL:
        context = ssl.create_default_context()
        return _AllOrNothingSMTPSSL(settings.host, settings.port, timeout=timeout, context=context)
    return _AllOrNothingSMTP(settings.host, settings.port, timeout=timeout)


def _start_tls(smtp: smtplib.SMTP, settings: SmtpSettings) -> None:
    try:
        smtp.starttls(context=ssl.create_default_context())
    except smtplib.SMTPNotSupportedError:
        raise EmailError(
            f"The SMTP server {settings.server} does not offer STARTTLS: choose SSL or no encryption, or another port."
        ) from None


def _login(smtp: smtplib.SMTP, settings: SmtpSettings, password: str) -> None:
    # No exception chaining here: a server's reply to AUTH may quote what the client sent.
    try:
        smtp.login(settings.user, password)
    except smtplib.SMTPAuthenticationError:
        raise EmailError(
            f"The SMTP server {settings.host} refused the login for {settings.user}: check the user and password."
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise EmailError(
            f"The SMTP server {settings.server} does not offer a login: clear the user, or choose STARTTLS or SSL."
        ) from None
    except UnicodeEncodeError:  # smtplib sends the user and password as ASCII only
        raise EmailError(
            f"The SMTP user or password for {settings.user} contains letters an SMTP login cannot carry "
            "(only ASCII): check them in Settings > Email."
        ) from None
    except smtplib.SMTPException as exc:
        if type(exc) is not smtplib.SMTPException:  # a disconnect or an unexpected reply: explained by the caller
            raise
        # smtplib found no mechanism it shares with the server
        raise EmailError(
            f"The SMTP server {settings.server} offers no login method tamdesk supports (CRAM-MD5, PLAIN, LOGIN)."
        ) from None


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    """Say goodbye; the message was already accepted, so a failure here changes nothing."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        log.debug("The SMTP server did not answer QUIT cleanly", exc_info=True)


def explain(exc: BaseException, settings: SmtpSettings, timeout: float) -> str:
    """One sentence for a TAM about why talking to the SMTP server failed."""
    if isinstance(exc, smtplib.SMTPException):
        return _explain_smtp(exc, settings, timeout)
    return _explain_network(exc, settings, timeout)


def _explain_smtp(exc: smtplib.SMTPException, settings: SmtpSettings, timeout: float) -> str:
    host, server = settings.host, settings.server
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(f"{address} ({_reply(*answer)})" for address, answer in exc.recipients.items())
        return f"The SMTP server {host} refused the recipient(s) {refused}; the message was sent to no one."
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"The SMTP server {host} refused the sender {exc.sender} ({_reply(exc.smtp_code, exc.smtp_error)})."
    if isinstance(exc, smtplib.SMTPConnectError):
        return f"The SMTP server {server} refused the connection ({_reply(exc.smtp_code, exc.smtp_error)})."
    if isinstance(exc, smtplib.SMTPDataError):
        return f"The SMTP server {host} rejected the message ({_reply(exc.smtp_code, exc.smtp_error)})."
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The SMTP server {host} answered with an error ({_reply(exc.smtp_code, exc.smtp_error)})."
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        if isinstance(exc.__context__, TimeoutError):
            return _timed_out(server, timeout)
        return f"The SMTP server {server} closed the connection unexpectedly: check the port and security setting."
    return f"Sending through the SMTP server {server} failed: {exc}."


def _explain_network(exc: BaseException, settings: SmtpSettings, timeout: float) -> str:
    server = settings.server
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"The certificate of the SMTP server {server} could not be verified: {exc.verify_message}."
    if isinstance(exc, ssl.SSLError):
        return (
            f"The secure connection to the SMTP server {server} failed ({exc.reason or exc}): "
            "check the security setting (STARTTLS or SSL) and the port."
        )
    if isinstance(exc, TimeoutError):
        return _timed_out(server, timeout)
    if isinstance(exc, ConnectionRefusedError):
        return f"The SMTP server {server} refused the connection: check the host and port, and that the server runs."
    if isinstance(exc, socket.gaierror):
        return f"The SMTP server {settings.host} was not found: check the host name and the network connection."
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"The SMTP server {server} could not be reached ({reason}): check the host, port and network connection."


def _timed_out(server: str, timeout: float) -> str:
    unit = "second" if timeout == 1 else "seconds"
    return f"The SMTP server {server} did not answer within {timeout:g} {unit}: check the host, port and security."


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"{code} {' '.join(text.split())}".strip()
