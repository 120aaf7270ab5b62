from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from uploads.kinds import KINDS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=[(key, kind.label) for key, kind in KINDS.items()],
        help_text=(
            "Population, deprivation, boundaries, lookups, rates, services, localities, GP "
            "registers and practices, Talking Therapies or indicators."
        ),
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )
    file = forms.FileField(  # an empty file is refused below, by name
        label="File",
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"class": "nhsuk-file-upload"}),
    )
    year = forms.IntegerField(
        label=(
            "Year of the figures, if the file does not say (population estimates; a QOF year by "
            "its first year, e.g. 2019 for 2019-20)"
        ),
        required=False,
        min_value=1990,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input nhsuk-input--width-4"}),
    )
    only_loaded_areas = forms.BooleanField(
        label="This is a national or regional file: import only the areas loaded here",
        required=False,
        help_text=(
            "Otherwise codes for areas not loaded here are listed as errors, except in a "
            "generic indicator file, where their rows are kept as the comparator group."
        ),
    )

    scheme_name = forms.CharField(
        label="Name of the locality scheme (your own localities only)",
        required=False,
        max_length=200,
        help_text="For example 'PCN neighbourhoods'. Otherwise the file's name is used.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input nhsuk-input--width-20"}),
    )
    allow_incomplete = forms.BooleanField(
        label="Import this population year even if it leaves some small areas out",
        required=False,
        help_text=(
            "Otherwise a year that does not cover every 2021 LSOA of the area is refused. An "
            "incomplete year is marked so on every output and never used by default."
        ),
    )

    def clean(self) -> dict:
        data = super().clean()
        upload, kind = data.get("file"), KINDS.get(data.get("kind", ""))
        if upload is None or kind is None:
            return data
        # Files over the size limit never get here: uploads.handlers stops them as they arrive.
        if upload.size == 0:
            self.add_error("file", f"{upload.name}: is empty (0 bytes); nothing was imported.")
        if not upload.name.lower().endswith(kind.suffixes):
            self.add_error(
                "file",
                f"{upload.name}: {kind.label} must be a {' or '.join(kind.suffixes)} file.",
            )
        return data

    def refuse_too_large(self, name: str) -> None:
        """The upload was stopped as it arrived (uploads.handlers): say why, by name."""
        limit = filesizeformat(settings.UPLOAD_MAX_BYTES)
        self.errors.pop("file", None)
        self.add_error(
            "file",
            f"{name} is larger than the limit of {limit} (set JSNA_UPLOAD_MAX_MB to change it); "
            "it was not kept.",
        )
