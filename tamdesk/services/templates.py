"""Editing the default onboarding template: the steps every new customer's checklist starts with.

A customer's checklist is copied from the template when the customer is created, so edits here affect only
customers created afterwards. Steps with an auto rule (the ones the data proves, such as "Access form sent") can be
renamed, described and moved, but neither deleted nor stripped of their rule, and each rule belongs to one step.

Every edit checks and bumps the template's version (optimistic locking of the whole list: a move or a delete
renumbers other steps), so the ``expected_version`` arguments are the template version the caller read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tamdesk.domain.onboarding import DEFAULT_TEMPLATE, AutoRule, TemplateStep
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, DomainError, NotFound, ValidationFailed, record_audit, save_versioned

DEFAULT_TEMPLATE_NAME = "Standard onboarding"
MAX_TITLE_LENGTH = 200
MAX_OFFSET_DAYS = 365


@dataclass(frozen=True)
class StepInput:
    """What the step form hands to the service."""

    title: str
    description: str = ""
    offset_days: int = 0
    auto_rule: AutoRule | None = None


@dataclass(frozen=True)
class TemplateStepRow:
    """One step of the template; ``position`` counts from 1."""

    id: int
    position: int
    title: str
    description: str
    offset_days: int
    auto_rule: AutoRule | None

    @property
    def deletable(self) -> bool:
        """Steps the data proves stay in the template."""
        return self.auto_rule is None


@dataclass(frozen=True)
class Template:
    """The default template with its version (pass it back with every edit) and its steps in order."""

    id: int
    version: int
    name: str
    steps: tuple[TemplateStepRow, ...]

    def step(self, step_id: int) -> TemplateStepRow:
        """The step with ``step_id``.

        Raises:
            NotFound: it is not in this template.
        """
        for step in self.steps:
            if step.id == step_id:
                return step
        raise NotFound(f"Onboarding step #{step_id} is no longer in the template.")

    @property
    def unused_rules(self) -> tuple[AutoRule, ...]:
        """Auto rules no step carries (normally none: they cannot be removed)."""
        used = {s.auto_rule for s in self.steps}
        return tuple(rule for rule in AutoRule if rule not in used)


# -- reading ---------------------------------------------------------------------------------------------------


def _template_row() -> t.OnboardingTemplate:
    """The default template, created from the domain's default when the database has none."""
    row = t.OnboardingTemplate.get_or_none(t.OnboardingTemplate.is_default) or t.OnboardingTemplate.select().first()
    if row is None:
        with database.atomic():
            row = t.OnboardingTemplate.create(name=DEFAULT_TEMPLATE_NAME, is_default=True)
            _create_default_steps(row)
    return row


def _steps(template: t.OnboardingTemplate) -> tuple[TemplateStepRow, ...]:
    query = t.OnboardingTemplateStep.select().where(t.OnboardingTemplateStep.template == template.id)
    return tuple(
        TemplateStepRow(
            s.id, s.position, s.title, s.description, s.offset_days, AutoRule(s.auto_rule) if s.auto_rule else None
        )
        for s in query.order_by(t.OnboardingTemplateStep.position, t.OnboardingTemplateStep.id)
    )


def default_template() -> Template:
    """The template new customers' checklists are copied from."""
    row = _template_row()
    return Template(row.id, row.version, row.name, _steps(row))


# -- validation ------------------------------------------------------------------------------------------------


def _clean(data: StepInput, template: Template, step: TemplateStepRow | None) -> StepInput:
    """The tidied step.

    Raises:
        ValidationFailed: naming every bad field.
    """
    errors: dict[str, str] = {}
    title = " ".join(data.title.split())
    if not title:
        errors["title"] = "Enter a title for the step."
    elif len(title) > MAX_TITLE_LENGTH:
        errors["title"] = f"A title can have at most {MAX_TITLE_LENGTH} characters (this one has {len(title)})."
    else:
        clash = next((s for s in template.steps if s.title.casefold() == title.casefold() and s != step), None)
        if clash is not None:
            errors["title"] = f"Step {clash.position} is already called '{clash.title}'."
    if not 0 <= data.offset_days <= MAX_OFFSET_DAYS:
        errors["offset_days"] = (
            f"Due days after the start must be between 0 and {MAX_OFFSET_DAYS}, not {data.offset_days}."
        )
    rule_error = _rule_error(data.auto_rule, template, step)
    if rule_error:
        errors["auto_rule"] = rule_error
    if errors:
        raise ValidationFailed(errors)
    return StepInput(title, data.description.strip(), data.offset_days, data.auto_rule)


def _rule_error(rule: AutoRule | None, template: Template, step: TemplateStepRow | None) -> str:
    current = step.auto_rule if step else None
    if rule == current:
        return ""
    if current is not None:
        return f"'{step.title}' completes itself from the data; its rule stays with it."  # type: ignore[union-attr]
    holder = next((s for s in template.steps if s.auto_rule == rule), None)
    if rule is not None and holder is not None:
        return f"Step {holder.position} ('{holder.title}') already completes itself this way."
    return ""


def _fresh(expected_version: int) -> tuple[t.OnboardingTemplate, Template]:
    """The template row, version-checked and bumped, and what it held before this edit.

    Raises:
        StaleEdit: someone changed the template since ``expected_version`` was read.
    """
    row = _template_row()
    before = Template(row.id, row.version, row.name, _steps(row))
    save_versioned(row, expected_version, {})
    return row, before


def _audit(
    ctx: Context,
    row: t.OnboardingTemplate,
    action: str,
    summary: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    record_audit(
        ctx, entity="onboarding_template", entity_id=row.id, action=action, summary=summary, before=before, after=after
    )


def _step_values(step: StepInput | TemplateStepRow | TemplateStep) -> dict[str, object]:
    return {
        "title": step.title,
        "description": step.description,
        "offset_days": step.offset_days,
        "auto_rule": step.auto_rule.value if step.auto_rule else None,
    }


# -- editing ---------------------------------------------------------------------------------------------------


def add_step(ctx: Context, expected_version: int, data: StepInput, position: int | None = None) -> int:
    """Insert a step at ``position`` (1-based; default: at the end); returns its id.

    Raises:
        ValidationFailed, StaleEdit.
    """
    with database.atomic():
        template = default_template()
        clean = _clean(data, template, None)
        row, before = _fresh(expected_version)
        count = len(before.steps)
        where = count + 1 if position is None else max(1, min(position, count + 1))
        _renumber(row, [s.id for s in before.steps], insert_at=where)
        step = t.OnboardingTemplateStep.create(template=row, position=where, **_step_values(clean))
        _audit(ctx, row, "add_step", f"Onboarding template: step {where} '{clean.title}' added",
               after=_step_values(clean))  # fmt: skip
        return int(step.id)


def update_step(ctx: Context, step_id: int, expected_version: int, data: StepInput) -> None:
    """Save an edit of a step (an auto-rule step keeps its rule).

    Raises:
        ValidationFailed, StaleEdit, NotFound.
    """
    with database.atomic():
        template = default_template()
        step = template.step(step_id)
        clean = _clean(data, template, step)
        before, after = _step_values(step), _step_values(clean)
        changes = {k: v for k, v in after.items() if before[k] != v}
        if not changes:
            return
        row, _ = _fresh(expected_version)
        t.OnboardingTemplateStep.update(changes).where(t.OnboardingTemplateStep.id == step_id).execute()
        _audit(ctx, row, "update_step", f"Onboarding template: step {step.position} '{clean.title}' changed",
               before={k: before[k] for k in changes}, after=changes)  # fmt: skip


def move_step(ctx: Context, step_id: int, expected_version: int, offset: int) -> None:
    """Move a step ``offset`` places down (negative: up), clamped to the list.

    Raises:
        StaleEdit, NotFound.
    """
    with database.atomic():
        template = default_template()
        step = template.step(step_id)
        ids = [s.id for s in template.steps]
        old = ids.index(step_id)
        new = max(0, min(old + offset, len(ids) - 1))
        if new == old:
            return
        row, _ = _fresh(expected_version)
        ids.insert(new, ids.pop(old))
        _renumber(row, ids)
        _audit(ctx, row, "move_step", f"Onboarding template: '{step.title}' moved from step {old + 1} to {new + 1}",
               before={"position": old + 1}, after={"position": new + 1})  # fmt: skip


def delete_step(ctx: Context, step_id: int, expected_version: int) -> None:
    """Remove a step; steps that complete themselves from the data cannot be removed.

    Raises:
        DomainError: the step has an auto rule.
        StaleEdit, NotFound.
    """
    with database.atomic():
        template = default_template()
        step = template.step(step_id)
        if step.auto_rule is not None:
            raise DomainError(
                f"'{step.title}' completes itself from the data ({step.auto_rule.explanation.lower().rstrip('.')}), "
                "so it stays in the template. You can rename or move it."
            )
        row, before = _fresh(expected_version)
        t.OnboardingTemplateStep.delete().where(t.OnboardingTemplateStep.id == step_id).execute()
        _renumber(row, [s.id for s in before.steps if s.id != step_id])
        _audit(ctx, row, "delete_step", f"Onboarding template: step {step.position} '{step.title}' removed",
               before=_step_values(step))  # fmt: skip


def reset_to_default(ctx: Context, expected_version: int) -> None:
    """Replace every step with the built-in default template.

    Raises:
        StaleEdit.
    """
    with database.atomic():
        row, before = _fresh(expected_version)
        t.OnboardingTemplateStep.delete().where(t.OnboardingTemplateStep.template == row.id).execute()
        _create_default_steps(row)
        _audit(ctx, row, "reset", "Onboarding template reset to the default steps",
               before={"steps": [s.title for s in before.steps]},
               after={"steps": [s.title for s in DEFAULT_TEMPLATE]})  # fmt: skip


def _create_default_steps(row: t.OnboardingTemplate) -> None:
    for position, step in enumerate(DEFAULT_TEMPLATE, start=1):
        t.OnboardingTemplateStep.create(template=row, position=position, **_step_values(step))


def _renumber(row: t.OnboardingTemplate, ids: list[int], insert_at: int | None = None) -> None:
    """Number the steps ``ids`` from 1 in that order, leaving a gap at ``insert_at``."""
    for index, step_id in enumerate(ids, start=1):
        position = index + 1 if insert_at is not None and index >= insert_at else index
        t.OnboardingTemplateStep.update(position=position).where(
            (t.OnboardingTemplateStep.id == step_id) & (t.OnboardingTemplateStep.template == row.id)
        ).execute()
