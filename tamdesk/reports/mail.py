"""Sending what tamdesk produces by email: the access form to a customer, an escalation to support management.

Lives beside the workbooks because the access form is one; nothing is recorded as sent unless the SMTP server
accepted the message.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from tamdesk.reports.access_form import export_access_form
from tamdesk.secrets import SecretPrompt, SecretStore
from tamdesk.services.access_form import access_form_data, mark_access_form_sent
from tamdesk.services.base import Context
from tamdesk.services.email import Attachment, OutgoingEmail, SmtpSettings, send_email
from tamdesk.services.escalations import add_note, draft_email

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def email_access_form(
    ctx: Context,
    customer_id: int,
    to: Sequence[str],
    settings: SmtpSettings,
    secrets: SecretStore,
    *,
    prompt: SecretPrompt | None = None,
) -> str:
    """Send the customer's access form to ``to``; on success mark "access form sent" on the checklist."""
    data = access_form_data(customer_id)
    with tempfile.TemporaryDirectory(prefix="tamdesk-mail-") as folder:
        name = f"Portal access form - {data.customer_name}.xlsx".replace("/", "-")
        path = export_access_form(customer_id, Path(folder) / name, ctx=ctx)
        body = (
            f"Hello,\n\nPlease find attached the customer-portal access form for {data.customer_name}. "
            f"List up to {data.allowance} designated users: distinct people with their own mailboxes (no shared "
            "or alias addresses such as support@). Once access is granted, each user receives a welcome email "
            f"with the link to the portal.\n\nKind regards,\n{ctx.actor}"
        )
        message = OutgoingEmail(
            to=list(to),
            subject=f"Customer portal access form — {data.customer_name}",
            body=body,
            attachments=[Attachment(name, path.read_bytes(), XLSX)],
        )
        send_email(settings, message, secrets, prompt=prompt)
    mark_access_form_sent(ctx, customer_id)
    return f"Access form sent to {', '.join(to)}."


def email_escalation(
    ctx: Context,
    escalation_id: int,
    now: datetime,
    settings: SmtpSettings,
    secrets: SecretStore,
    *,
    prompt: SecretPrompt | None = None,
) -> str:
    """Send the drafted escalation to support management; the timeline records who it went to."""
    draft = draft_email(escalation_id, now)
    send_email(settings, OutgoingEmail(draft.to, draft.subject, draft.body, cc=draft.cc), secrets, prompt=prompt)
    recipients = ", ".join((*draft.to, *draft.cc))
    add_note(ctx, escalation_id, f"Escalation emailed to {recipients}.")
    return f"Escalation emailed to {recipients}."
