"""The need page's question: which condition, which year, which level."""

from django import forms

from needs import data_generation, selectors
from needs.choice_messages import name_the_choices
from needs.models import Condition

LEVELS = [("locality", "Localities"), ("small_area", "Small areas (LSOAs)")]


class NeedQueryForm(forms.Form):
    condition = forms.ModelChoiceField(
        queryset=Condition.objects.none(), to_field_name="code", empty_label=None
    )
    year = forms.TypedChoiceField(coerce=int, choices=[])
    level = forms.ChoiceField(choices=LEVELS, initial="locality")
    adjust_for_deprivation = forms.BooleanField(required=False, label="Adjust for deprivation")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        codes, years = data_generation.cached("need-form", (), _choices)
        self.fields["condition"].queryset = Condition.objects.filter(code__in=codes).order_by(
            "group", "name"
        )
        self.fields["year"].choices = years
        name_the_choices(self)


def _choices() -> tuple[list[str], list[tuple[int, str]]]:
    """The conditions with rates, and the years: the default and the projected ones after it."""
    codes = [condition.code for condition in selectors.conditions_with_rates()]
    scheme = selectors.default_locality_scheme()
    base = selectors.latest_population_year(scheme=scheme) if scheme else None
    years = [base] if base else []
    years += [y for y in selectors.projection_years() if base and y > base]
    return codes, [(y, str(y) + (" (projected)" if y != base else "")) for y in years]


def need_query(data: dict) -> NeedQueryForm:
    """A bound form with defaults for what `data` leaves out, so the page works with no
    parameters at all (or only some): it opens on the headline condition (common mental
    disorder, where its rates are loaded), in the base year, by locality."""
    form = NeedQueryForm()
    first = selectors.headline_condition(form.fields["condition"].queryset)
    year_choices = form.fields["year"].choices
    defaults = {
        "condition": first.code if first else "",
        "year": year_choices[0][0] if year_choices else "",
        "level": "locality",
    }
    given = {key: value for key, value in (data or {}).items() if value != ""}
    return NeedQueryForm(defaults | given)
