"""``tamdesk onboarding show|start|done|undo|due``: a customer's onboarding checklist from the command line.

A step is named by its number as ``show`` lists it, or by its title (any case; a unique part of it will do). The
rules (which steps complete themselves, who did what when) live in ``services.onboarding``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from typing import Any

from tamdesk.cli.common import CommandFailed, date_option, local_today
from tamdesk.cli.text import day, moment, plural, table
from tamdesk.services.base import Context
from tamdesk.services.customers import customer_by_name
from tamdesk.services.onboarding import (
    AUTOMATIC,
    Checklist,
    StepRow,
    checklist,
    set_step_done,
    set_step_due,
    start_onboarding,
)

HELP = "show a customer's onboarding checklist, start it, tick and untick steps, move due dates"
STEP_HELP = "the step's number as `onboarding show` lists it, or its title (any case; a unique part will do)"


def register(commands: Any, groups: dict[str, Any]) -> None:
    group = commands.add_parser("onboarding", help=HELP, description=f"{HELP[:1].upper()}{HELP[1:]}.")
    actions = group.add_subparsers(dest="kind", metavar="ACTION", required=True)

    show = actions.add_parser("show", help="the checklist: steps, due dates, who did what when, overdue steps")
    _customer(show)
    show.set_defaults(handler=_show)

    start = actions.add_parser("start", help="set the start date; the open steps' due dates move with it")
    _customer(start)
    start.add_argument("--on", metavar="DATE", help="the first day, YYYY-MM-DD (default: today)")
    start.set_defaults(handler=_start)

    done = actions.add_parser(
        "done",
        help="tick a step: records who and when",
        description="Tick a step of the checklist; tamdesk records who and when. Steps that complete themselves "
        "from the data (access form sent and returned, portal access granted, welcome emails confirmed) are not "
        "ticked by hand.",
    )
    _customer(done)
    _step(done)
    done.add_argument(
        "--note", metavar="TEXT", help="a note kept with the step; to tick a step that completes itself, say why"
    )
    done.set_defaults(handler=_done)

    undo = actions.add_parser("undo", help="untick a step ticked by mistake")
    _customer(undo)
    _step(undo)
    undo.set_defaults(handler=_undo)

    due = actions.add_parser("due", help="move a step's due date")
    _customer(due)
    _step(due)
    due.add_argument("--on", required=True, metavar="DATE", help="the new due date, YYYY-MM-DD")
    due.set_defaults(handler=_due)


def _customer(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--customer", required=True, metavar="NAME")


def _step(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--step", required=True, metavar="STEP", help=STEP_HELP)


# -- show -----------------------------------------------------------------------------------------------------


def _show(args: argparse.Namespace, ctx: Context) -> str:
    today = local_today(ctx)
    steps = checklist(customer_by_name(args.customer).id, today)
    started = f"started {day(steps.started)}" if steps.started else "no start date set"
    tam = f"; TAM {steps.tam}" if steps.tam else ""
    lines = [f"{steps.customer_name}: {_progress(steps)}; {started}{tam}."]
    if not steps.steps:
        return "\n".join([*lines, "It has no checklist."])
    rows = [(str(s.position), "☑" if s.done else "☐", s.title, day(s.due_date), _status(s, today)) for s in steps.steps]
    return "\n".join([*lines, "", *table(("#", "", "Step", "Due", "Status"), rows, right=frozenset({0}))])


def _progress(steps: Checklist) -> str:
    return f"onboarding {steps.state.label.lower()}, {steps.done} of {plural(steps.total, 'step')} done"


def _status(step: StepRow, today: date) -> str:
    if step.done and step.done_by == AUTOMATIC and step.auto_rule is not None:
        text = f"automatic: proven by {step.auto_rule.proof} {moment(step.done_at)}"
    elif step.done:
        text = f"done by {step.done_by or 'someone'}, {moment(step.done_at)}"
    else:
        overdue = ""
        if step.overdue and step.due_date is not None:
            overdue = f"OVERDUE by {plural((today - step.due_date).days, 'day')}"
        rule = step.auto_rule.explanation.rstrip(".") if step.auto_rule else ""
        automatic = f"automatic: {rule[:1].lower()}{rule[1:]}" if rule else ""
        text = "; ".join(p for p in (overdue, automatic) if p) or "open"
    return f"{text}; note: {step.note}" if step.note else text


# -- changes --------------------------------------------------------------------------------------------------


def _start(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    on = date_option("--on", args.on) if args.on is not None else local_today(ctx)
    start_onboarding(ctx, customer.id, on)
    steps = checklist(customer.id, local_today(ctx))
    due = sorted(s.due_date for s in steps.steps if not s.done and s.due_date is not None)
    span = f"; open steps due {day(due[0])} to {day(due[-1])}" if due else ""
    return f"Onboarding of {customer.name} starts {on.isoformat()}{span}."


def _done(args: argparse.Namespace, ctx: Context) -> str:
    return _tick(args, ctx, done=True)


def _undo(args: argparse.Namespace, ctx: Context) -> str:
    return _tick(args, ctx, done=False)


def _tick(args: argparse.Namespace, ctx: Context, *, done: bool) -> str:
    customer = customer_by_name(args.customer)
    step = find_step(checklist(customer.id, local_today(ctx)), args.step)
    note = getattr(args, "note", None)
    set_step_done(ctx, step.id, step.version, done, note=note)
    after = checklist(customer.id, local_today(ctx))
    named = f"Step {step.position} '{step.title}' of {customer.name}"
    if step.done == done and (note is None or note == step.note):
        return f"{named} was already {'done' if done else 'open'}; nothing changed."
    return f"{named} {'done' if done else 'reopened'}; {_progress(after)}."


def _due(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    step = find_step(checklist(customer.id, local_today(ctx)), args.step)
    on = date_option("--on", args.on)
    set_step_due(ctx, step.id, step.version, on)
    return f"Step {step.position} '{step.title}' of {customer.name} is due {on.isoformat()}."


def find_step(steps: Checklist, text: str) -> StepRow:
    """The step ``--step`` names: its number, its title, or the one step whose title contains the text."""
    wanted = " ".join(text.split()).casefold()
    if wanted.isdigit():
        found = [s for s in steps.steps if s.position == int(wanted)]
    else:
        found = [s for s in steps.steps if s.title.casefold() == wanted] or [
            s for s in steps.steps if wanted and wanted in s.title.casefold()
        ]
    if len(found) == 1:
        return found[0]
    if not steps.steps:
        raise CommandFailed(f"{steps.customer_name} has no onboarding checklist.")
    if found:
        raise CommandFailed(
            f"--step '{text}' matches {len(found)} steps ({_choices(found)}); give its number or more of its title."
        )
    raise CommandFailed(
        f"--step '{text}' is not a step of {steps.customer_name}'s checklist; choose one of: {_choices(steps.steps)}."
    )


def _choices(steps: Sequence[StepRow]) -> str:
    return "; ".join(f"{s.position} {s.title}" for s in steps)


# -- what seat commands report --------------------------------------------------------------------------------


def done_steps(customer_id: int, ctx: Context) -> frozenset[int]:
    """The ids of the customer's steps done now, to tell afterwards which ones a change completed."""
    return frozenset(s.id for s in checklist(customer_id, local_today(ctx)).steps if s.done)


def completed_itself(customer_id: int, ctx: Context, before: frozenset[int]) -> str:
    """``; onboarding step 'Portal access granted' completed itself`` for steps done since ``before``, or ``""``."""
    titles = [
        f"'{s.title}'"
        for s in checklist(customer_id, local_today(ctx)).steps
        if s.done and s.id not in before and s.done_by == AUTOMATIC
    ]
    if not titles:
        return ""
    if len(titles) == 1:
        return f"; onboarding step {titles[0]} completed itself"
    return f"; onboarding steps {', '.join(titles[:-1])} and {titles[-1]} completed themselves"
