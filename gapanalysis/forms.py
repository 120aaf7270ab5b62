"""Analysts' local norms, and the choices of a new analysis run."""

from django import forms

from gapanalysis.models import Norm
from needs.demography.localities import default_scheme
from needs.models import LocalityScheme
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


class RunStartForm(forms.Form):
    """The localities a run gives its figures for (the ambitions and the deprivation adjustment
    are read by the view as before). Without a choice, the default scheme: the districts."""

    scheme = forms.ModelChoiceField(
        label="Localities",
        queryset=LocalityScheme.objects.order_by("pk"),
        required=False,
        empty_label=None,
        help_text="The areas the results are given for: the lookup's districts, MSOAs or wards, "
        "or localities you uploaded.",
        widget=forms.Select(
            attrs={
                "class": "nhsuk-select",
                "id": "run-scheme",
                "aria-describedby": "run-scheme-hint",
            }
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        default = default_scheme()
        self.fields["scheme"].initial = default.pk if default else None

    def clean_scheme(self) -> LocalityScheme | None:
        return self.cleaned_data["scheme"] or default_scheme()


LARGEST_ID = 2**63 - 1


class CompareForm(forms.Form):
    """The two runs of a comparison, each named by its number (either may be missing)."""

    a = forms.IntegerField(required=False, min_value=1, max_value=LARGEST_ID)
    b = forms.IntegerField(required=False, min_value=1, max_value=LARGEST_ID)
