"""The customer dialog says which support tier the chosen SLA policy is (a tier is a policy)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import ClockKind
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.sla import create_policy, policy, revise_policy
from tamdesk.views.customer_dialog import CustomerDialog


def test_the_dialog_names_the_tier_of_the_chosen_policy(qtbot, db_path: Path, ctx: Context) -> None:
    pid = create_policy(ctx, "Premium")
    targets = dict(policy(pid).targets)
    targets[Severity.HIGH] = replace(targets[Severity.HIGH], clock=ClockKind.TWENTY_FOUR_SEVEN)
    revise_policy(ctx, pid, t.SlaPolicy.get_by_id(pid).version, targets, 0.75)
    dialog = CustomerDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.tier_note.text() == "Support tier: Sev1 24×7; Sev2, Sev3 and Sev4 in business hours."
    dialog.sla_policy.setCurrentText("Premium")
    assert dialog.tier_note.text() == "Support tier: Sev1 and Sev2 24×7; Sev3 and Sev4 in business hours."
    assert dialog.tier_note.isVisible()
