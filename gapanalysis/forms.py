"""Analysts' local norms, and the choices of a new analysis run."""

from django import forms

from gapanalysis import norm_measures
from gapanalysis.models import Norm, ServiceTurnover
from needs.choice_messages import name_the_choices
from needs.demography.localities import default_scheme
from needs.models import LocalityScheme
from provision.models import SERVICE_TYPES, CapacityUnit


class NormForm(forms.ModelForm):
    service_types = forms.MultipleChoiceField(
        choices=[(code, label) for code, (label, _) in SERVICE_TYPES.items()],
        label="Service types counted",
        help_text="The service types whose capacity meets this norm.",
        widget=forms.CheckboxSelectMultiple,
    )
    capacity_units = forms.MultipleChoiceField(
        choices=CapacityUnit.choices,
        required=False,
        label="Capacity units read as the measure",
        help_text="Courses of treatment a year count as people entering treatment or seen; "
        "referrals a year as assessments; caseload places only as people seen a year, through "
        "the turnover set for the service type. Other units cannot be read as any measure.",
        widget=forms.CheckboxSelectMultiple,
    )
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
            "code", "name", "condition", "measure", "age_min", "age_max", "service_types",
            "capacity_units", "people_label", "capacity_label", "action", "source", "source_url",
            "measure_source",
        ]  # fmt: skip
        labels = {
            "code": "Short code",
            "name": "Name of the ambition",
            "age_min": "Youngest age counted",
            "age_max": "Oldest age counted",
            "people_label": "Who the norm is about",
            "capacity_label": "What the statements call the capacity",
            "action": "What the statements say the people in need would need",
            "source_url": "Web address of the source",
            "measure_source": "Who defined the measure",
        }
        help_texts = {
            "code": "Letters, numbers and hyphens, such as local-crisis-access: it names the "
            "ambition in web addresses and downloaded files.",
            "name": "The sentence the pages show, such as “Crisis care: 10% of adults with a "
            "severe mental illness seen each year”.",
            "source": "The publication or local decision the norm comes from.",
            "people_label": "Such as “adults”.",
            "capacity_label": "Such as “NHS Talking Therapies capacity”.",
            "action": "Such as “would need to be seen”.",
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            kind = type(field.widget).__name__
            css = {"Select": "nhsuk-select", "CheckboxSelectMultiple": "nhsuk-checkboxes__input"}
            field.widget.attrs.setdefault("class", css.get(kind, "nhsuk-input"))
        name_the_choices(self)

    def clean(self) -> dict:
        data = super().clean()
        measure, units = data.get("measure"), data.get("capacity_units") or []
        if measure:
            refused = norm_measures.units_refused(measure=measure, units=units)
            if refused:
                labels = dict(CapacityUnit.choices)
                accepted = norm_measures.accepted_units(measure)
                self.add_error(
                    "capacity_units",
                    f"{', '.join(labels[u] for u in refused)} cannot be read as "
                    f"{norm_measures.MEASURES[measure].label}; it accepts "
                    f"{', '.join(labels[u] for u in accepted) or 'no capacity unit'}.",
                )
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and high < low:
            self.add_error("age_max", "The oldest age counted is below the youngest.")
        return data


class TurnoverForm(forms.ModelForm):
    """People seen a year per caseload place for one service type, with where it comes from."""

    class Meta:
        model = ServiceTurnover
        fields = ["service_type", "people_per_place", "source"]
        widgets = {"service_type": forms.HiddenInput()}
        labels = {"people_per_place": "People seen a year per caseload place"}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people_per_place"].widget.attrs.update(
            {"class": "nhsuk-input nhsuk-input--width-5"}
        )
        self.fields["source"].widget.attrs.update({"class": "nhsuk-input"})

    def clean_service_type(self) -> str:
        service_type = self.cleaned_data["service_type"]
        if service_type not in SERVICE_TYPES:
            raise forms.ValidationError(f"{service_type!r} is not a service type.")
        return service_type

    def validate_unique(self) -> None:  # the service sets or replaces the type's one row
        return None


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
        name_the_choices(self)

    def clean_scheme(self) -> LocalityScheme | None:
        return self.cleaned_data["scheme"] or default_scheme()


LARGEST_ID = 2**63 - 1


class CompareForm(forms.Form):
    """The two runs of a comparison, each named by its number (either may be missing)."""

    a = forms.IntegerField(required=False, min_value=1, max_value=LARGEST_ID)
    b = forms.IntegerField(required=False, min_value=1, max_value=LARGEST_ID)
