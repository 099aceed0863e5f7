"""The Email and Secrets sections: the SMTP server, its password in the keyring, and where secrets are kept."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLineEdit, QPushButton, QSpinBox, QWidget

from tamdesk.secrets import SecretName
from tamdesk.services.base import DomainError, FieldError
from tamdesk.services.email import (
    SmtpSecurity,
    SmtpSettings,
    load_smtp_settings,
    save_smtp_settings,
    send_test_email,
    validate_smtp_settings,
)
from tamdesk.views.pages.settings.helpers import SPIN_WIDTH, text_label
from tamdesk.views.pages.settings.section import Section
from tamdesk.views.tasks import TaskControl
from tamdesk.views.widgets import Debouncer, FieldMessage, Tone, show_failure

_SECURITY_LABELS = {
    SmtpSecurity.STARTTLS: "STARTTLS (usually port 587)",
    SmtpSecurity.SSL: "SSL/TLS (usually port 465)",
    SmtpSecurity.NONE: "None: unencrypted (port 25)",
}


class EmailSection(Section):
    title = "Email"
    intro = (
        "The server tamdesk sends access forms, escalations and test messages through. The password is kept only "
        "in your system's keyring, never in the database or settings files."
    )
    saved_text = "Email settings saved."

    def build(self) -> None:
        form = self.form()
        self.host = QLineEdit()
        self.host.setPlaceholderText("smtp.example.com")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setMaximumWidth(SPIN_WIDTH)
        self.security = QComboBox()
        for security, label in _SECURITY_LABELS.items():
            self.security.addItem(label, security)
        self.user = QLineEdit()
        self.user.setPlaceholderText("Leave empty if the server takes mail without a login")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Type to store a new password")
        self.password_state = text_label("", hint=True)
        self.forget_button = QPushButton("&Forget stored password")
        self.from_address = QLineEdit()
        self.from_address.setPlaceholderText("you@example.com")
        self.display_name = QLineEdit()
        self.display_name.setPlaceholderText("e.g. Ann Tam, Technical Account Manager")
        self.add_field(form, "host", "SMTP &host", self.host)
        self.add_field(form, "port", "&Port", self.port)
        self.add_field(form, "security", "&Security", self.security)
        self.add_field(form, "user", "&User", self.user)
        password_row = QWidget()
        row = QHBoxLayout(password_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.password, 1)
        row.addWidget(self.forget_button)
        self.password.setAccessibleName("Password")
        message = self.add_field(form, "password", "Pass&word", password_row)
        message.parentWidget().layout().addWidget(self.password_state)  # type: ignore[union-attr]
        self.fields["password"] = self.password
        self.add_field(form, "from_address", "&From address", self.from_address)
        self.add_field(form, "display_name", "Display &name", self.display_name)
        self.add_form(form)
        self.body.addLayout(self.save_row())
        self.body.addSpacing(12)
        self.body.addWidget(self._test_group())
        self._security = SmtpSecurity.STARTTLS
        self.security.currentIndexChanged.connect(self._security_changed)
        self.forget_button.clicked.connect(self._forget_password)
        self.track(self.host.textChanged, self.port.valueChanged, self.security.currentIndexChanged,
                   self.user.textChanged, self.password.textChanged, self.from_address.textChanged,
                   self.display_name.textChanged)  # fmt: skip
        # the keyring may be slow (D-Bus) or ask to unlock: look the password up once typing pauses
        self._state_debouncer = Debouncer(400, self._show_password_state, self)
        self.host.textChanged.connect(self._state_debouncer.trigger)
        self.user.textChanged.connect(self._state_debouncer.trigger)

    def _test_group(self) -> QGroupBox:
        group = QGroupBox("Test")
        form = self.form(group)
        self.test_to = QLineEdit()
        self.test_to.setPlaceholderText("the From address")
        self.test_button = QPushButton("Send &test email")
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.test_to, 1)
        line.addWidget(self.test_button)
        self.test_to.setAccessibleName("Send the test email to")
        self.add_field(form, "to", "Send &to", row, "Uses the settings as shown above, saved or not.")
        self.fields["to"] = self.test_to
        self.test_button.clicked.connect(self.send_test)
        return group

    def _security_changed(self) -> None:
        new = self.security.currentData()
        if self.port.value() == self._security.default_port:
            self.port.setValue(new.default_port)
        self._security = new

    def read(self) -> None:
        stored = load_smtp_settings()
        self.host.setText(stored.host)
        self.security.blockSignals(True)
        self.security.setCurrentIndex(self.security.findData(stored.security))
        self.security.blockSignals(False)
        self._security = stored.security
        self.port.setValue(stored.port)
        self.user.setText(stored.user)
        self.password.clear()
        self.from_address.setText(stored.from_address)
        self.display_name.setText(stored.display_name)
        self._state_debouncer.timer.stop()
        self._show_password_state()

    def settings(self) -> SmtpSettings:
        """The settings as the form shows them (not yet validated)."""
        return SmtpSettings(
            host=self.host.text(),
            port=self.port.value(),
            security=self.security.currentData(),
            user=self.user.text().strip(),
            from_address=self.from_address.text(),
            display_name=self.display_name.text(),
        )

    def values(self) -> object:
        return self.settings(), bool(self.password.text())

    def _show_password_state(self) -> None:
        settings = self.settings()
        store = self.page.secrets
        if not settings.user:
            text, stored = "No login: no password is needed.", False
        elif store.get(SecretName.SMTP_PASSWORD, SmtpSettings(host=settings.host.strip(), user=settings.user).account):
            where = "the keyring" if store.available else "memory for this session only (no keyring available)"
            text, stored = f"A password for {settings.user} on {settings.host.strip()} is stored in {where}.", True
        else:
            text, stored = f"No password stored for {settings.user} on {settings.host.strip() or '…'} yet.", False
        self.password_state.setText(text)
        self.forget_button.setEnabled(stored)

    def write(self) -> None:
        typed = self.password.text()
        if typed and not self.user.text().strip():
            raise FieldError("user", "Enter the user name the password belongs to.")
        saved = save_smtp_settings(self.ctx, self.settings())
        if typed:
            self.page.secrets.set(SecretName.SMTP_PASSWORD, saved.account, typed)

    def _forget_password(self) -> None:
        settings = self.settings()
        account = SmtpSettings(host=settings.host.strip(), user=settings.user).account
        self.page.secrets.delete(SecretName.SMTP_PASSWORD, account)
        self._show_password_state()
        self.status.show_message(Tone.OK, f"The password for {settings.user} was removed from the keyring.")

    def send_test(self) -> None:
        """Send a test message off the UI thread with the settings as shown; the outcome appears under Test."""
        self.clear_messages()
        try:
            settings = validate_smtp_settings(self.settings())
        except FieldError as exc:
            self.show_errors({exc.field: str(exc)})
            return
        to = self.test_to.text().strip() or settings.from_address
        typed = self.password.text()
        store = self.page.secrets
        prompt = (lambda _name, _account: typed) if typed else None

        def work(_control: TaskControl) -> str:
            send_test_email(settings, store, to=to, prompt=prompt)
            return to

        self.test_button.setEnabled(False)
        self.test_button.setText("Sending…")
        self.page.runner.run(work, lambda _: self._test_sent(settings, to, typed), self._test_failed)

    def _test_done(self) -> None:
        self.test_button.setEnabled(True)
        self.test_button.setText("Send &test email")

    def _test_sent(self, settings: SmtpSettings, to: str, typed: str) -> None:
        self._test_done()
        if typed and self.page.secrets.get(SecretName.SMTP_PASSWORD, settings.account) == typed:
            self.password.clear()
        self._show_password_state()
        self.messages["to"].show_message(Tone.OK, f"Test email sent to {to} through {settings.server}.")

    def _test_failed(self, exc: BaseException, details: str) -> None:
        self._test_done()
        if isinstance(exc, FieldError):
            self.show_errors({exc.field: str(exc)})
        elif isinstance(exc, DomainError):
            self.messages["to"].set_error(str(exc))
        else:
            show_failure(self, "Send test email", exc, details)


class SecretsSection(Section):
    title = "Secrets"
    intro = (
        "Passwords and tokens (SMTP, team database, engineering tracker) are kept only in your system's keyring: "
        "never in the database, settings files, logs or exports."
    )

    def build(self) -> None:
        form = self.form()
        self.backend = text_label("")
        self.smtp = text_label("")
        form.addRow("Keyring in use", self.backend)
        form.addRow("SMTP password", self.smtp)
        self.add_form(form)
        self.notice = FieldMessage()
        self.body.addWidget(self.notice)
        self.save_button.hide()

    def read(self) -> None:
        store = self.page.secrets
        self.backend.setText(store.backend_description())
        if store.notice:
            self.notice.set_warning(store.notice)
        else:
            self.notice.show_message(Tone.OK, "Secrets are stored in the keyring and survive a restart.")
        smtp = load_smtp_settings()
        if not smtp.user:
            self.smtp.setText("not needed (no SMTP login set up)")
        else:
            held = store.get(SecretName.SMTP_PASSWORD, smtp.account) is not None
            self.smtp.setText(f"{'stored' if held else 'not stored'} for {smtp.account}")
