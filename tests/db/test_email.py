"""Email against a real SMTP server on loopback (aiosmtpd): the message, its attachment, and every way it fails."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tamdesk.models import tables as t
from tamdesk.models.db import is_sqlite
from tamdesk.secrets import SecretName, SecretStore
from tamdesk.services.base import Context, FieldError
from tamdesk.services.email import (
    EmailError,
    OutgoingEmail,
    SmtpSecurity,
    SmtpSettings,
    load_smtp_settings,
    save_smtp_settings,
    send_email,
    send_test_email,
)
from tamdesk.services.settings import get_setting
from tests.conftest import MemoryKeyring

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK = b"PK\x03\x04 not really a workbook \x00\xff" * 50
USER, PASSWORD = "ann@vendor.example", "hunter2-but-longer"
REFUSED_RECIPIENT = "nobody@customer.example"
# aiosmtpd warns when AUTH is allowed without TLS; on loopback in a test that is the point.
AUTH_WITHOUT_TLS = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it receives and refuses one recipient."""

    received: list[tuple[Envelope, EmailMessage]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address == REFUSED_RECIPIENT:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((envelope, message))
        return "250 Message accepted for delivery"


def authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    """A loopback port nobody listens on (bound, read and closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    mailbox: Mailbox
    settings: SmtpSettings


def run_server(**smtp_options: Any) -> Iterator[Server]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **smtp_options)
    controller.start()
    try:
        settings = SmtpSettings(
            host="127.0.0.1",
            port=port,
            security=SmtpSecurity.NONE,
            from_address="tess@vendor.example",
            display_name="Tess Tam",
        )
        yield Server(mailbox, settings)
    finally:
        controller.stop()


@pytest.fixture
def server() -> Iterator[Server]:
    """A plain SMTP server without login."""
    yield from run_server()


@pytest.fixture
def auth_server() -> Iterator[Server]:
    """A server that requires a login (over plain text: loopback only), with ``USER`` as the SMTP user."""
    for running in run_server(auth_required=True, auth_require_tls=False, authenticator=authenticate):
        yield replace(running, settings=replace(running.settings, user=USER))


def access_form_email(**changes: Any) -> OutgoingEmail:
    email = OutgoingEmail(
        to=["ana@customer.example"],
        cc=["bo@customer.example"],
        subject="Portal access form for Acme",
        body="Hello Ana,\n\nplease fill in the attached access form.\n\nTess",
        attachments=[("Acme access form.xlsx", WORKBOOK, XLSX)],
    )
    return replace(email, **changes)


def test_message_and_xlsx_attachment_arrive(server: Server) -> None:
    send_email(server.settings, access_form_email(), SecretStore())

    [(envelope, message)] = server.mailbox.received
    assert envelope.mail_from == "tess@vendor.example"
    assert envelope.rcpt_tos == ["ana@customer.example", "bo@customer.example"]
    assert message["From"] == "Tess Tam <tess@vendor.example>"
    assert (message["To"], message["Cc"]) == ("ana@customer.example", "bo@customer.example")
    assert message["Subject"] == "Portal access form for Acme"
    assert message["Message-ID"].endswith("@vendor.example>")
    body = message.get_body(("plain",))
    assert body is not None
    assert (
        body.get_content().replace("\r\n", "\n").rstrip("\n")
        == "Hello Ana,\n\nplease fill in the attached access form.\n\nTess"
    )
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "Acme access form.xlsx"
    assert attachment.get_content_type() == XLSX
    assert attachment.get_content() == WORKBOOK


def test_test_email_goes_to_the_sender(server: Server) -> None:
    send_test_email(server.settings, SecretStore())
    [(envelope, message)] = server.mailbox.received
    assert envelope.rcpt_tos == ["tess@vendor.example"]
    assert message["Subject"] == "tamdesk test email"


@AUTH_WITHOUT_TLS
def test_login_with_the_password_from_the_keyring(auth_server: Server) -> None:
    secrets = SecretStore()
    secrets.set(SecretName.SMTP_PASSWORD, auth_server.settings.account, PASSWORD)
    send_email(auth_server.settings, access_form_email(), secrets)
    assert len(auth_server.mailbox.received) == 1


@AUTH_WITHOUT_TLS
def test_a_missing_password_is_asked_for_and_kept_once_accepted(
    auth_server: Server, memory_keyring: MemoryKeyring
) -> None:
    with pytest.raises(EmailError, match=r"^No SMTP password is stored for ann@vendor.example on 127.0.0.1: "):
        send_email(auth_server.settings, access_form_email(), SecretStore())
    with pytest.raises(EmailError, match="refused the login"):
        send_email(auth_server.settings, access_form_email(), SecretStore(), prompt=lambda name, account: "typo")
    assert memory_keyring.store == {}  # a refused password is not kept
    asked: list[tuple[SecretName, str]] = []

    def prompt(name: SecretName, account: str) -> str:
        asked.append((name, account))
        return PASSWORD

    send_email(auth_server.settings, access_form_email(), SecretStore(), prompt=prompt)
    assert asked == [(SecretName.SMTP_PASSWORD, "ann@vendor.example@127.0.0.1")]
    assert len(auth_server.mailbox.received) == 1
    assert list(memory_keyring.store.values()) == [PASSWORD]


@AUTH_WITHOUT_TLS
def test_a_refused_login_says_so_and_sends_nothing(
    auth_server: Server, db_path: Path, ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tamdesk")
    save_smtp_settings(ctx, auth_server.settings)
    secrets = SecretStore()
    secrets.set(SecretName.SMTP_PASSWORD, auth_server.settings.account, PASSWORD + "-wrong")

    with pytest.raises(EmailError) as refused:
        send_email(load_smtp_settings(), access_form_email(), secrets)

    assert str(refused.value) == (
        "The SMTP server 127.0.0.1 refused the login for ann@vendor.example: check the user and password."
    )
    assert auth_server.mailbox.received == []
    assert PASSWORD not in repr(refused.value.__cause__) + repr(refused.value.__context__)
    ours = [record.getMessage() for record in caplog.records if record.name.startswith("tamdesk")]
    assert not [text for text in ours if PASSWORD in text]
    assert not [row.key for row in t.Setting.select() if PASSWORD in row.value]
    assert not [row.id for row in t.AuditEntry.select() if PASSWORD in f"{row.summary}{row.before}{row.after}"]
    if is_sqlite():  # the file itself, WAL included
        t.Setting._meta.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        for file in (f for f in Path(db_path).parent.rglob(Path(db_path).name + "*") if f.is_file()):
            assert PASSWORD.encode() not in file.read_bytes(), file


@AUTH_WITHOUT_TLS
def test_a_password_smtp_cannot_carry_is_explained(auth_server: Server) -> None:
    secrets = SecretStore()
    secrets.set(SecretName.SMTP_PASSWORD, auth_server.settings.account, "Passwört")
    with pytest.raises(EmailError, match=r"^The SMTP user or password for ann@vendor.example contains ") as bad:
        send_email(auth_server.settings, access_form_email(), secrets)
    assert "Passwört" not in str(bad.value)
    assert auth_server.mailbox.received == []


def test_a_refused_recipient_stops_the_whole_message(server: Server) -> None:
    email = access_form_email(to=["ana@customer.example", REFUSED_RECIPIENT])
    with pytest.raises(EmailError) as refused:
        send_email(server.settings, email, SecretStore())
    assert str(refused.value) == (
        "The SMTP server 127.0.0.1 refused the recipient(s) nobody@customer.example (550 5.1.1 No such user); "
        "the message was sent to no one."
    )
    assert server.mailbox.received == []


def test_an_unreachable_server_fails_quickly_and_clearly() -> None:
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), security=SmtpSecurity.NONE, from_address="t@v.example")
    started = time.monotonic()
    with pytest.raises(EmailError, match=rf"^The SMTP server 127\.0\.0\.1:{settings.port} refused the connection: "):
        send_email(settings, access_form_email(), SecretStore(), timeout=5)
    assert time.monotonic() - started < 2


def test_a_silent_server_times_out() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        settings = SmtpSettings(host="127.0.0.1", port=port, security=SmtpSecurity.NONE, from_address="t@v.example")
        started = time.monotonic()
        with pytest.raises(EmailError, match=rf"^The SMTP server 127\.0\.0\.1:{port} did not answer within 1 second: "):
            send_email(settings, access_form_email(), SecretStore(), timeout=1)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    ("security", "expected"),
    [
        (SmtpSecurity.SSL, r"^The secure connection to the SMTP server 127\.0\.0\.1:\d+ failed \(.+\): check the "),
        (SmtpSecurity.STARTTLS, r"^The SMTP server 127\.0\.0\.1:\d+ does not offer STARTTLS: "),
    ],
)
def test_tls_against_a_plain_server_says_what_to_check(server: Server, security: SmtpSecurity, expected: str) -> None:
    with pytest.raises(EmailError, match=expected):
        send_email(replace(server.settings, security=security), access_form_email(), SecretStore(), timeout=5)
    assert server.mailbox.received == []


@pytest.mark.parametrize(
    ("changes", "field_name", "message"),
    [
        ({"to": ["ana@"]}, "to", "'ana@' in To is not a valid email address: "),
        ({"to": []}, "to", "Add at least one recipient in To."),
        ({"cc": ["bo at customer"]}, "cc", "'bo at customer' in Cc is not a valid email address: "),
    ],
)
def test_bad_addresses_name_the_field_and_value(
    server: Server, changes: dict[str, Any], field_name: str, message: str
) -> None:
    with pytest.raises(FieldError) as bad:
        send_email(server.settings, access_form_email(**changes), SecretStore())
    assert (bad.value.field, str(bad.value)[: len(message)]) == (field_name, message)
    assert server.mailbox.received == []


def test_settings_are_stored_without_a_password(db_path: Path, ctx: Context) -> None:
    assert load_smtp_settings() == SmtpSettings()
    settings = SmtpSettings(
        host=" mail.vendor.example ", port=465, security=SmtpSecurity.SSL, user=USER, from_address="tess@vendor.example"
    )
    stored = save_smtp_settings(ctx, settings)
    assert stored.host == "mail.vendor.example"
    assert load_smtp_settings() == stored
    assert get_setting("smtp") == {
        "host": "mail.vendor.example",
        "port": 465,
        "security": "ssl",
        "user": USER,
        "from_address": "tess@vendor.example",
        "display_name": "",
    }
    assert t.AuditEntry.select().where(t.AuditEntry.summary == "Setting 'smtp' changed").count() == 1


@pytest.mark.parametrize(
    ("changes", "field_name"),
    [
        ({"host": ""}, "host"),
        ({"host": "mail x"}, "host"),
        ({"port": 0}, "port"),
        ({"from_address": "tess"}, "from_address"),
    ],
)
def test_invalid_settings_are_refused(db_path: Path, ctx: Context, changes: dict[str, Any], field_name: str) -> None:
    settings = replace(SmtpSettings(host="mail.vendor.example", from_address="tess@vendor.example"), **changes)
    with pytest.raises(FieldError) as bad:
        save_smtp_settings(ctx, settings)
    assert bad.value.field == field_name
    assert get_setting("smtp") is None
