"""Sending the access form and an escalation by email, off the UI thread, with clear failures."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from tamdesk.secrets import SecretName
from tamdesk.services.base import Context, DomainError
from tamdesk.services.email import SmtpSettings, load_smtp_settings
from tamdesk.views.session import shared_secrets
from tamdesk.views.tasks import TaskControl, TaskRunner
from tamdesk.views.widgets import reserve_space, size_to_content

NOT_SET_UP = "Email is not set up: set the SMTP server and sender in Settings › Email first."


def email_set_up() -> bool:
    """Whether an SMTP server is set, so that the app can send email at all."""
    return bool(load_smtp_settings().host)


def smtp_ready(parent: QWidget) -> tuple[SmtpSettings, str | None] | None:
    """The SMTP settings and, when the server needs a login, the password (asked for here, on the UI thread,
    when the keyring has none). None when email is not set up or the user cancels."""
    settings = load_smtp_settings()
    if not settings.host:
        QMessageBox.information(parent, "Email", "Set up email first: Settings › Email (SMTP server and sender).")
        return None
    if not settings.user:
        return settings, None
    stored = shared_secrets().get(SecretName.SMTP_PASSWORD, settings.account)
    if stored is not None:
        return settings, stored
    typed, ok = QInputDialog.getText(
        parent, "Email", f"SMTP password for {settings.account}:", QLineEdit.EchoMode.Password
    )
    return (settings, typed) if ok else None


def _prompt_with(password: str | None) -> Callable[[SecretName, str], str | None]:
    return lambda name, account: password


class EmailAccessFormDialog(QDialog):
    """Pick the seat holders (and other contacts) who receive the access form, then send it."""

    def __init__(
        self,
        ctx: Context,
        customer_id: int,
        customer_name: str,
        holders: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Email access form — {customer_name}")
        self.ctx, self.customer_id = ctx, customer_id
        self.runner = TaskRunner(self)
        self.result_text = ""
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Send the portal access form to:"))
        self.boxes: list[tuple[QCheckBox, str]] = []
        for name, email in holders:
            box = QCheckBox(f"{name} <{email}>")
            box.setChecked(True)
            self.boxes.append((box, email))
            layout.addWidget(box)
        self.others = QLineEdit()
        self.others.setPlaceholderText("Other addresses, comma-separated (e.g. the customer's project lead)")
        self.others.setAccessibleName("Other addresses")
        layout.addWidget(self.others)
        self.status = reserve_space(QLabel(), 2)  # the buttons stay put when a status or refusal is said
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = buttons.addButton("Send", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.send)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if not email_set_up():
            # said before anything is chosen or typed, not after Send
            self.status.setText(NOT_SET_UP)
            self.send_button.setEnabled(False)
            self.send_button.setToolTip(NOT_SET_UP)
            self.others.setEnabled(False)
            for box, _ in self.boxes:
                box.setEnabled(False)
        self.setMinimumWidth(480)
        size_to_content(self)

    def recipients(self) -> list[str]:
        chosen = [email for box, email in self.boxes if box.isChecked()]
        chosen += [a.strip() for a in self.others.text().replace(";", ",").split(",") if a.strip()]
        return list(dict.fromkeys(chosen))

    def send(self) -> None:
        from tamdesk.reports.mail import email_access_form

        to = self.recipients()
        if not to:
            self.status.setText("Choose at least one recipient.")
            return
        ready = smtp_ready(self)
        if ready is None:
            return
        settings, password = ready
        self.send_button.setEnabled(False)
        self.status.setText(f"Sending to {', '.join(to)}…")

        def work(control: TaskControl) -> str:
            prompt = _prompt_with(password)
            return email_access_form(self.ctx, self.customer_id, to, settings, shared_secrets(), prompt=prompt)

        self.runner.run(work, self._sent, self._failed)

    def _sent(self, summary: object) -> None:
        self.result_text = str(summary)
        self.accept()

    def _failed(self, exc: object, details: str) -> None:
        self.send_button.setEnabled(True)
        if not isinstance(exc, DomainError):
            raise exc  # type: ignore[misc]  # unexpected: the app's error handler shows it
        self.status.setText(str(exc))


def send_escalation_email(parent: QWidget, ctx: Context, escalation_id: int, runner: TaskRunner,
                          done: Callable[[str], None]) -> None:  # fmt: skip
    """Send the drafted escalation after a confirmation; ``done`` gets the summary or the failure message."""
    from tamdesk.reports.mail import email_escalation

    ready = smtp_ready(parent)
    if ready is None:
        return
    settings, password = ready

    def work(control: TaskControl) -> str:
        return email_escalation(
            ctx, escalation_id, ctx.now(), settings, shared_secrets(), prompt=_prompt_with(password)
        )

    def failed(exc: object, details: str) -> None:
        done(str(exc))

    runner.run(work, lambda summary: done(str(summary)), failed)
