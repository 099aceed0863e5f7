"""The Onboarding template section: the checklist every new customer starts with."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QWidget,
)

from tamdesk.domain.onboarding import AutoRule
from tamdesk.services.templates import (
    StepInput,
    Template,
    TemplateStepRow,
    add_step,
    default_template,
    delete_step,
    move_step,
    reset_to_default,
    update_step,
)
from tamdesk.views.pages.settings.helpers import SPIN_WIDTH, text_label
from tamdesk.views.pages.settings.section import RowEditorSection
from tamdesk.views.table_model import Column, RowTableModel
from tamdesk.views.widgets import configure_table


def _arrow_button(arrow: str, name: str) -> QPushButton:
    """A button showing only an arrow character, named for screen readers and tooltips.

    The icon set has no arrows, and the style's arrow pixmaps are not tinted for a dark palette; a text arrow is
    drawn in the button text colour of either scheme and scales with the font.
    """
    button = QPushButton(arrow)
    button.setAccessibleName(name)
    button.setToolTip(name)
    width = button.fontMetrics().horizontalAdvance(arrow) + 24
    button.setFixedWidth(max(width, button.sizeHint().height()))
    return button


def _step_columns() -> list[Column[TemplateStepRow]]:
    return [
        Column[TemplateStepRow]("#", lambda s: str(s.position), align_right=True),
        Column[TemplateStepRow]("Step", lambda s: s.title, tooltip=lambda s: s.description),
        Column[TemplateStepRow]("Due", lambda s: "at the start" if not s.offset_days else f"day {s.offset_days}"),
        Column[TemplateStepRow](
            "Completes itself",
            lambda s: s.auto_rule.trigger if s.auto_rule else "—",
            tooltip=lambda s: s.auto_rule.explanation if s.auto_rule else "",
        ),
    ]


class TemplateSection(RowEditorSection):
    title = "Onboarding template"
    intro = (
        "The checklist every new customer starts with. Changes apply to customers created from now on; existing "
        "customers keep their checklists. Steps the data proves complete themselves: they can be renamed and "
        "moved, but not deleted."
    )
    expanding = True

    def build(self) -> None:
        self._template: Template | None = None
        self._editing: int | None = None
        self.model = RowTableModel[TemplateStepRow](_step_columns(), self)
        self.table = QTableView()
        self.table.setAccessibleName("Template steps")
        configure_table(self.table)
        self.table.setModel(self.model)
        self.table.setMinimumHeight(300)
        for column, width in enumerate((36, 380, 100)):
            self.table.setColumnWidth(column, width)
        self.follow_table()
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&New step")
        self.up_button = _arrow_button("↑", "Move step up")
        self.down_button = _arrow_button("↓", "Move step down")
        self.delete_button = QPushButton("De&lete step")
        self.reset_button = QPushButton("Reset to &default…")
        for widget in (self.add_button, self.up_button, self.down_button, self.delete_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        self.body.addLayout(buttons)
        self.body.addWidget(self.table, 1)
        self.group = QGroupBox("New step")
        form = self.form(self.group)
        self.step_title = QLineEdit()
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(self.fontMetrics().height() * 3 + 14)
        self.offset = QSpinBox()
        self.offset.setRange(0, 365)
        self.offset.setMaximumWidth(SPIN_WIDTH)
        self.offset.setPrefix("day ")
        self.offset.setSuffix(" of onboarding")
        self.rule = QComboBox()
        self.add_field(form, "title", "&Title", self.step_title)
        self.add_field(form, "description", "Des&cription", self.description)
        self.add_field(form, "offset_days", "Due &on", self.offset, "Counted from the customer's onboarding start.")
        self.rule_hint = text_label("", hint=True)
        message = self.add_field(form, "auto_rule", "Completes &itself", self.rule)
        message.parentWidget().layout().addWidget(self.rule_hint)  # type: ignore[union-attr]
        form.addRow(self.save_row())
        self.body.addWidget(self.group)
        self.add_button.clicked.connect(self.start_new)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.delete_button.clicked.connect(self._delete)
        self.reset_button.clicked.connect(self._reset)
        self.track(self.step_title.textChanged, self.description.textChanged, self.offset.valueChanged,
                   self.rule.currentIndexChanged)  # fmt: skip

    def read(self) -> None:
        self._template = default_template()
        self.model.set_rows(self._template.steps)
        match = next((i for i, s in enumerate(self._template.steps) if s.id == self._editing), None)
        if match is None:
            self._fill(None)
        else:
            self.table.selectRow(match)
            self._fill(self._template.steps[match])

    def _fill(self, step: TemplateStepRow | None) -> None:
        self._editing = step.id if step else None
        self.step_title.setText(step.title if step else "")
        self.description.setPlainText(step.description if step else "")
        self.offset.setValue(step.offset_days if step else 0)
        self.rule.clear()
        if step is not None and step.auto_rule is not None:
            self.rule.addItem(step.auto_rule.explanation, step.auto_rule)
            self.rule_hint.setText("A step the data proves keeps its rule; it cannot be deleted.")
        else:
            self.rule.addItem("No: ticked by hand", None)
            for rule in self._template.unused_rules if self._template else ():
                self.rule.addItem(rule.explanation, rule)
            self.rule_hint.setText("")
        self.rule.setEnabled(self.rule.count() > 1)
        self.group.setTitle(f"Edit step {step.position}" if step else "New step (added at the end)")
        self.save_button.setText("Save step" if step else "Add step")
        position = step.position if step else 0
        count = len(self.model.rows())
        self.up_button.setEnabled(step is not None and position > 1)
        self.down_button.setEnabled(step is not None and position < count)
        self.delete_button.setEnabled(step is not None and step.deletable)
        self.delete_button.setToolTip("" if step is None or step.deletable else self.rule_hint.text())

    def _rule(self) -> AutoRule | None:
        data = self.rule.currentData()
        return AutoRule(data) if data else None

    def first_field(self) -> QWidget:
        return self.step_title

    def values(self) -> object:
        return (self.step_title.text().strip(), self.description.toPlainText().strip(), self.offset.value(),
                self._rule())  # fmt: skip

    def write(self) -> None:
        assert self._template is not None
        data = StepInput(self.step_title.text(), self.description.toPlainText(), self.offset.value(),
                         self._rule())  # fmt: skip
        if self._editing is None:
            self._editing = add_step(self.ctx, self._template.version, data)
        else:
            update_step(self.ctx, self._editing, self._template.version, data)

    def _move(self, offset: int) -> None:
        if self._template is not None and self._editing is not None:
            step_id, version = self._editing, self._template.version
            self.attempt(lambda: move_step(self.ctx, step_id, version, offset), "Step moved.")

    def _delete(self) -> None:
        if self._template is None or self._editing is None:
            return
        step = self._template.step(self._editing)
        version = self._template.version
        if self.attempt(lambda: delete_step(self.ctx, step.id, version), f"Step '{step.title}' deleted."):
            self.start_new()

    def _reset(self) -> None:
        answer = QMessageBox.question(
            self, "Reset onboarding template",
            "Replace every step with tamdesk's default checklist? Existing customers keep their checklists.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel,
        )  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes and self._template is not None:
            version = self._template.version
            self._editing = None
            self.attempt(lambda: reset_to_default(self.ctx, version), "The template holds the default steps again.")
