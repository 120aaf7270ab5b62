"""Forms: filtering the baseline, and creating or editing a service (analysts)."""

from decimal import Decimal

from django import forms

from needs import selectors as needs_selectors
from needs.choice_messages import name_the_choices
from needs.models import Area, AreaLevel, Condition
from provision import selectors
from provision.models import Funder, ProviderType, Service, ServiceCategory
from provision.services import SHARES_DO_NOT_ADD_UP

ANY = [("", "Any")]
AGE_GROUP_LABELS = {"children": "Children (0 to 17)", "adults": "Adults (18 to 64)",
                    "older_people": "Older people (65 and over)"}  # fmt: skip
FINANCIAL_YEAR = r"^\d{4}/\d{2}$"


class ServiceFilterForm(forms.Form):
    financial_year = forms.ChoiceField(choices=[])
    category = forms.ChoiceField(choices=ANY + ServiceCategory.choices, required=False)
    funder = forms.ChoiceField(choices=ANY + Funder.choices, required=False)
    provider_type = forms.ChoiceField(choices=ANY + ProviderType.choices, required=False)
    condition = forms.ChoiceField(choices=[], required=False)
    age_group = forms.ChoiceField(choices=ANY + list(AGE_GROUP_LABELS.items()), required=False)

    def __init__(self, data: dict | None = None) -> None:
        years = selectors.financial_years()
        data = {"financial_year": years[0] if years else "", **(data or {})}
        super().__init__(data)
        self.fields["financial_year"].choices = [(y, y) for y in years]
        conditions = needs_selectors.conditions_with_rates()
        self.fields["condition"].choices = ANY + [(x.code, x.name) for x in conditions]
        name_the_choices(self)


class SpendingForm(forms.Form):
    financial_year = forms.ChoiceField(choices=[])

    def __init__(self, data: dict | None = None) -> None:
        years = selectors.financial_years()
        defaults = {"financial_year": years[0] if years else ""}
        super().__init__({**defaults, **(data or {})})
        self.fields["financial_year"].choices = [(y, y) for y in years]
        name_the_choices(self)


class AreaChoiceField(forms.ModelMultipleChoiceField):
    """Areas by id. An id too large for the database is refused like any unknown id (the
    database would otherwise fail on it: `__in` lookups have no range check)."""

    def _check_values(self, value: list) -> object:
        for pk in value:
            if not str(pk).isdigit() or len(str(pk)) > 18:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                    params={"pk": str(pk)[:20]},
                )  # fmt: skip
        return super()._check_values(value)


ANY_CONDITION = ("any", "Any mental-health condition (the service is not tied to one)")


def condition_choices(kept: list[str] | None = None) -> list[tuple[str, str]]:
    """Every loaded condition by name, "any" first; and any code a service already holds that
    is not loaded (so editing it keeps it), named as such."""
    known = [(x.code, x.name) for x in Condition.objects.order_by("group", "name")]
    codes = {code for code, _ in known} | {ANY_CONDITION[0]}
    unknown = [(code, f"A condition not loaded here ({code})") for code in kept or []
               if code not in codes]  # fmt: skip
    return [ANY_CONDITION, *known, *unknown]


class ServiceForm(forms.ModelForm):
    conditions = forms.MultipleChoiceField(
        label="Conditions served",
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick each condition the service is for, or “Any mental-health condition”. "
        "Leave all unticked when it is not tied to a condition.",
    )
    catchment = AreaChoiceField(
        queryset=Area.objects.filter(level__in=[AreaLevel.LAD, AreaLevel.MSOA21, AreaLevel.MSOA11]),
        required=False,
        label="Areas served",
        help_text="Leave empty when the service serves where its site is, or the whole area.",
    )
    share_nhs = forms.DecimalField(label="NHS share (%)", min_value=0, max_value=100, initial=0)
    share_local_authority = forms.DecimalField(
        label="Local authority share (%)", min_value=0, max_value=100, initial=0
    )
    share_pooled = forms.DecimalField(
        label="Pooled budget (section 75) share (%)", min_value=0, max_value=100, initial=0
    )
    share_other = forms.DecimalField(label="Other share (%)", min_value=0, max_value=100, initial=0)
    site_name = forms.CharField(required=False, max_length=300, label="Site name")
    site_postcode = forms.CharField(required=False, max_length=10, label="Site postcode")
    site_lon = forms.FloatField(
        required=False, label="Site longitude", min_value=-180, max_value=180
    )
    site_lat = forms.FloatField(required=False, label="Site latitude", min_value=-90, max_value=90)
    financial_year = forms.RegexField(
        regex=FINANCIAL_YEAR,
        label="Financial year",
        help_text="For example 2024/25",
        error_messages={"invalid": "Write the financial year as four digits, a slash and two "
                        "digits, for example 2024/25."},
    )  # fmt: skip

    class Meta:
        model = Service
        fields = [
            "code", "name", "provider", "provider_type", "category", "service_type", "age_min",
            "age_max", "capacity", "capacity_unit", "annual_spend", "financial_year", "source",
            "catchment",
        ]  # fmt: skip
        labels = {
            "code": "Service code",
            "age_min": "Youngest age served",
            "age_max": "Oldest age served",
            "capacity_unit": "What the capacity counts",
            "annual_spend": "Spend in the financial year (£)",
            "catchment": "Areas served",
        }
        help_texts = {
            "code": "Your own short reference for the service, such as its contract number: one "
            "service per code in each financial year.",
            "age_min": "In whole years; 0 when there is no lower limit.",
            "age_max": "In whole years; leave empty when there is no upper limit.",
            "capacity": "How much the service can deliver, counted in the unit chosen below.",
            "source": "Where these figures come from, such as the contract register.",
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conditions"].choices = condition_choices(self.instance.conditions or [])
        for field in self.fields.values():  # NHS.UK frontend styling for each kind of input
            kind = type(field.widget).__name__
            css = {
                "Select": "nhsuk-select",
                "SelectMultiple": "nhsuk-select",
                "CheckboxSelectMultiple": "nhsuk-checkboxes__input",
            }.get(kind, "nhsuk-input")
            field.widget.attrs.setdefault("class", css)
        name_the_choices(self, nouns={"capacity_unit": "capacity unit"})
        if self.instance.pk:
            self.fields["conditions"].initial = list(self.instance.conditions)
            shares = {f.funder: f.share_percent for f in self.instance.funding.all()}
            for funder in Funder.values:
                self.fields[f"share_{funder}"].initial = shares.get(funder, Decimal(0))
            site = self.instance.sites.first()
            if site:
                for name in ("name", "postcode", "lon", "lat"):
                    self.fields[f"site_{name}"].initial = getattr(site, name)

    def funding(self) -> list[tuple[str, Decimal]]:
        shares = [(f, self.cleaned_data.get(f"share_{f}") or Decimal(0)) for f in Funder.values]
        return [(funder, share) for funder, share in shares if share > 0]

    def clean(self) -> dict:
        data = super().clean()
        total = sum((share for _, share in self.funding()), Decimal(0))
        if total != 100:
            self.add_error("share_nhs", SHARES_DO_NOT_ADD_UP.format(total=f"{total:g}"))
        data["conditions"] = list(data.get("conditions") or [])
        self._clean_site(data)
        return data

    def _clean_site(self, data: dict) -> None:
        lon, lat = data.get("site_lon"), data.get("site_lat")
        if (lon is None) != (lat is None):
            self.add_error("site_lat", "Give both the longitude and the latitude, or neither.")
        elif lon is not None:
            data["site_area"] = needs_selectors.small_area_at(lon=lon, lat=lat)
            if data["site_area"] is None:
                self.add_error("site_lon", "This site lies outside every small area loaded.")
