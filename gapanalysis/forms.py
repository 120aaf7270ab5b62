"""Analysts' local norms."""

from django import forms

from gapanalysis.models import Norm
from provision.models import SERVICE_TYPES, CapacityUnit


class NormForm(forms.ModelForm):
    service_types = forms.MultipleChoiceField(
        choices=[(code, label) for code, (label, _) in SERVICE_TYPES.items()],
        help_text="The service types whose capacity meets this norm.",
    )
    capacity_unit = forms.ChoiceField(choices=CapacityUnit.choices)
    source_url = forms.URLField(required=False, assume_scheme="https", max_length=500)
    share_percent = forms.DecimalField(
        label="Share of people in need to be reached each year (%)",
        min_value=0,
        max_value=100,
        decimal_places=1,
    )

    class Meta:
        model = Norm
        fields = [
            "code", "name", "condition", "service_types", "capacity_unit", "people_label",
            "capacity_label", "action", "source", "source_url",
        ]  # fmt: skip
        help_texts = {
            "source": "The publication or local decision the norm comes from.",
            "people_label": "Who the norm is about, e.g. 'adults'.",
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            kind = type(field.widget).__name__
            css = "nhsuk-select" if "Select" in kind else "nhsuk-input"
            field.widget.attrs.setdefault("class", css)
