"""The default onboarding template: editing steps, auto-rule steps kept, locking, audit, reset, new customers only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tamdesk.domain.onboarding import DEFAULT_TEMPLATE, AutoRule
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError, NotFound, StaleEdit, ValidationFailed
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.templates import (
    StepInput,
    add_step,
    default_template,
    delete_step,
    move_step,
    reset_to_default,
    update_step,
)


def _titles() -> list[str]:
    return [s.title for s in default_template().steps]


def _step(title: str) -> int:
    return next(s.id for s in default_template().steps if s.title == title)


def _last_audit() -> str:
    return str(t.AuditEntry.select().order_by(t.AuditEntry.id.desc()).get().summary)


def test_seeded_template_is_the_domain_default(db_path: Path) -> None:
    template = default_template()
    assert _titles() == [s.title for s in DEFAULT_TEMPLATE]
    assert [s.position for s in template.steps] == list(range(1, len(DEFAULT_TEMPLATE) + 1))
    assert template.unused_rules == ()
    assert not template.step(_step("Access form sent")).deletable


def test_add_at_end_and_at_a_position(db_path: Path, ctx: Context) -> None:
    version = default_template().version
    add_step(ctx, version, StepInput("  Quarterly   review ", " QBR ", 30))
    add_step(ctx, version + 1, StepInput("Security questionnaire", "", 3), position=2)
    template = default_template()
    assert template.version == version + 2
    assert _titles()[1] == "Security questionnaire"
    assert template.steps[-1].title == "Quarterly review"
    assert template.steps[-1].description == "QBR"
    assert [s.position for s in template.steps] == list(range(1, len(DEFAULT_TEMPLATE) + 3))
    assert _last_audit() == "Onboarding template: step 2 'Security questionnaire' added"


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        (StepInput(""), "title", "Enter a title"),
        (StepInput("  \t "), "title", "Enter a title"),
        (StepInput("x" * 201), "title", "at most 200"),
        (StepInput("kickoff HELD"), "title", "Step 1 is already called 'Kickoff held'"),
        (StepInput("Late", offset_days=-1), "offset_days", "between 0 and 365"),
        (StepInput("Later", offset_days=366), "offset_days", "between 0 and 365"),
        (StepInput("Form again", auto_rule=AutoRule.ACCESS_FORM_SENT), "auto_rule", "already completes itself"),
    ],
)
def test_bad_steps_are_refused(db_path: Path, ctx: Context, data: StepInput, field: str, fragment: str) -> None:
    before = _titles()
    with pytest.raises(ValidationFailed) as caught:
        add_step(ctx, default_template().version, data)
    assert fragment in caught.value.errors[field]
    assert _titles() == before


def test_edit_renames_an_auto_rule_step_but_keeps_its_rule(db_path: Path, ctx: Context) -> None:
    step_id = _step("Access form sent")
    update_step(ctx, step_id, default_template().version, StepInput("Portal form sent", "By email", 4,
                                                                      AutoRule.ACCESS_FORM_SENT))  # fmt: skip
    step = default_template().step(step_id)
    assert (step.title, step.description, step.offset_days, step.auto_rule) == (
        "Portal form sent",
        "By email",
        4,
        AutoRule.ACCESS_FORM_SENT,
    )
    assert _last_audit() == "Onboarding template: step 4 'Portal form sent' changed"
    with pytest.raises(ValidationFailed) as caught:
        update_step(ctx, step_id, default_template().version, StepInput("Portal form sent"))
    assert "its rule stays with it" in caught.value.errors["auto_rule"]


def test_edit_without_changes_keeps_the_version(db_path: Path, ctx: Context) -> None:
    template = default_template()
    first = template.steps[0]
    update_step(ctx, first.id, template.version, StepInput(first.title, first.description, first.offset_days))
    assert default_template().version == template.version


def test_a_plain_step_can_take_an_unused_rule(db_path: Path, ctx: Context) -> None:
    # an old database may miss a rule step; the rule can then be given to another step
    t.OnboardingTemplateStep.delete().where(t.OnboardingTemplateStep.auto_rule == "welcome_confirmed").execute()
    template = default_template()
    assert template.unused_rules == (AutoRule.WELCOME_CONFIRMED,)
    plain = template.steps[-1]
    update_step(ctx, plain.id, template.version, StepInput(plain.title, "", 21, AutoRule.WELCOME_CONFIRMED))
    assert default_template().step(plain.id).auto_rule is AutoRule.WELCOME_CONFIRMED


def test_move_up_and_down_clamped(db_path: Path, ctx: Context) -> None:
    kickoff = _step("Kickoff held")
    move_step(ctx, kickoff, default_template().version, 2)
    assert _titles()[2] == "Kickoff held"
    move_step(ctx, kickoff, default_template().version, -10)
    assert _titles()[0] == "Kickoff held"
    version = default_template().version
    move_step(ctx, kickoff, version, -1)  # already first: nothing changes
    assert default_template().version == version
    assert _last_audit() == "Onboarding template: 'Kickoff held' moved from step 3 to 1"


def test_delete_renumbers_and_refuses_auto_rule_steps(db_path: Path, ctx: Context) -> None:
    delete_step(ctx, _step("Kickoff held"), default_template().version)
    template = default_template()
    assert "Kickoff held" not in _titles()
    assert [s.position for s in template.steps] == list(range(1, len(DEFAULT_TEMPLATE)))
    with pytest.raises(DomainError, match="stays in the template"):
        delete_step(ctx, _step("Portal access granted"), template.version)
    assert "Portal access granted" in _titles()
    with pytest.raises(NotFound):
        delete_step(ctx, 99999, template.version)


@pytest.mark.parametrize(
    "edit",
    [
        lambda ctx, v: add_step(ctx, v, StepInput("New")),
        lambda ctx, v: update_step(ctx, _step("Kickoff held"), v, StepInput("Kick-off")),
        lambda ctx, v: move_step(ctx, _step("Kickoff held"), v, 1),
        lambda ctx, v: delete_step(ctx, _step("Kickoff held"), v),
        lambda ctx, v: reset_to_default(ctx, v),
    ],
    ids=["add", "update", "move", "delete", "reset"],
)
def test_every_edit_refuses_a_stale_version(db_path: Path, ctx: Context, edit: object) -> None:
    stale = default_template().version
    add_step(ctx, stale, StepInput("Someone else's step"))
    before = _titles()
    with pytest.raises(StaleEdit):
        edit(ctx, stale)  # type: ignore[operator]
    assert _titles() == before


def test_reset_restores_the_default(db_path: Path, ctx: Context) -> None:
    delete_step(ctx, _step("Kickoff held"), default_template().version)
    add_step(ctx, default_template().version, StepInput("Extra"))
    reset_to_default(ctx, default_template().version)
    assert _titles() == [s.title for s in DEFAULT_TEMPLATE]
    assert _last_audit() == "Onboarding template reset to the default steps"


def test_edits_affect_only_customers_created_afterwards(db_path: Path, ctx: Context) -> None:
    before = create_customer(ctx, CustomerInput(name="Before"))
    add_step(ctx, default_template().version, StepInput("Quarterly review", offset_days=30))
    after = create_customer(ctx, CustomerInput(name="After"))

    def titles(customer_id: int) -> list[str]:
        steps = t.OnboardingStep.select().where(t.OnboardingStep.customer == customer_id)
        return [s.title for s in steps.order_by(t.OnboardingStep.position)]

    assert "Quarterly review" not in titles(before)
    assert titles(after)[-1] == "Quarterly review"
