"""The two plain forms of matching an upload to its template: columns, then values.

Fields are named by the template's column (and a value's place in its list), never by the
analyst's text, which appears only as escaped labels and option values.
"""

from django import forms

from needs.column_mapping import Target

NOT_IN_FILE = "Not in my file"
NO_VALUE = "No value for every row"
NO_MATCH = "No match (reported as an error)"
REQUIRED = (
    "{label} ({column}) is required: choose the column of your file that holds it, or give one "
    "value for every row."
)
REQUIRED_COLUMN = "{label} ({column}) is required: choose the column of your file that holds it."
BOTH = "{label} ({column}): choose a column of your file or one value for every row, not both."
SELECT = {"class": "nhsuk-select"}


class ColumnsForm(forms.Form):
    """Per template column: the analyst's column holding it, or one value for every row."""

    def __init__(
        self, *args: object, targets: list[Target], sources: list[str], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        for target in targets:
            self.fields[f"column__{target.column}"] = forms.ChoiceField(
                label=f"Your column for {target.label}",
                required=False,
                choices=[("", NOT_IN_FILE), *((source, source) for source in sources)],
                widget=forms.Select(attrs=SELECT),
            )
            if not target.fixable:
                continue
            if target.choices:
                fixed = forms.ChoiceField(
                    choices=[("", NO_VALUE), *target.choices], widget=forms.Select(attrs=SELECT)
                )
            else:
                fixed = forms.CharField(
                    max_length=300,
                    widget=forms.TextInput(attrs={"class": "nhsuk-input nhsuk-input--width-10"}),
                )
            fixed.required = False
            fixed.label = f"One value for every row of {target.label}"
            self.fields[f"fixed__{target.column}"] = fixed

    def rows(self) -> list[tuple[Target, forms.BoundField, forms.BoundField | None]]:
        return [
            (
                target,
                self[f"column__{target.column}"],
                self[f"fixed__{target.column}"] if target.fixable else None,
            )
            for target in self.targets
        ]

    def clean(self) -> dict:
        data = super().clean()
        for target in self.targets:
            column = data.get(f"column__{target.column}")
            fixed = (data.get(f"fixed__{target.column}") or "").strip()
            field = f"column__{target.column}"
            if column and fixed:
                self.add_error(field, BOTH.format(label=target.label, column=target.column))
            elif target.required and not column and not fixed:
                message = REQUIRED if target.fixable else REQUIRED_COLUMN
                self.add_error(field, message.format(label=target.label, column=target.column))
        return data

    def columns(self) -> dict[str, str]:
        return {
            target.column: self.cleaned_data[f"column__{target.column}"]
            for target in self.targets
            if self.cleaned_data.get(f"column__{target.column}")
        }

    def fixed(self) -> dict[str, str]:
        return {
            target.column: value.strip()
            for target in self.targets
            if (value := self.cleaned_data.get(f"fixed__{target.column}") or "").strip()
        }


class ValuesForm(forms.Form):
    """Per value found in a matched column with a fixed set: the template's value it means."""

    def __init__(
        self,
        *args: object,
        targets: list[Target],
        questions: dict[str, list[str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.targets = [target for target in targets if target.column in questions]
        self.questions = questions
        for target in self.targets:
            for number, value in enumerate(questions[target.column]):
                self.fields[f"value__{target.column}__{number}"] = forms.ChoiceField(
                    label=value,
                    required=False,
                    choices=[("", NO_MATCH), *target.choices],
                    widget=forms.Select(attrs=SELECT),
                )

    def groups(self) -> list[tuple[Target, list[forms.BoundField]]]:
        return [
            (
                target,
                [
                    self[f"value__{target.column}__{number}"]
                    for number in range(len(self.questions[target.column]))
                ],
            )
            for target in self.targets
        ]

    def values(self) -> dict[str, dict[str, str]]:
        return {
            target.column: {
                value: self.cleaned_data.get(f"value__{target.column}__{number}") or ""
                for number, value in enumerate(self.questions[target.column])
            }
            for target in self.targets
        }


def values_form_initial(initial: dict[str, dict[str, str]]) -> dict[str, str]:
    """The form's initial data from target → {value: code}, in the questions' order."""
    return {
        f"value__{column}__{number}": code
        for column, table in initial.items()
        for number, code in enumerate(table.values())
    }
