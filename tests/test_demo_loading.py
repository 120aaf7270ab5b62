"""`manage.py load_demo`: the synthetic county, loaded again without duplicates."""

import pytest
from django.core.management import call_command

from gapanalysis.models import Norm
from needs.models import (
    Area,
    Deprivation,
    Locality,
    LocalityArea,
    PopulationEstimate,
    PrevalenceRate,
)
from provision.models import Service

pytestmark = pytest.mark.django_db
MODELS = [
    Area,
    PopulationEstimate,
    Deprivation,
    Locality,
    LocalityArea,
    Service,
    PrevalenceRate,
    Norm,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_the_demo_twice_changes_nothing(capsys):
    before = counts()  # the session fixture has loaded it once already
    call_command("load_demo")
    assert counts() == before
    assert "Synthetic demo data" in capsys.readouterr().out


def test_the_demo_is_a_labelled_synthetic_county_of_about_300_small_areas():
    assert Area.objects.filter(level="lsoa21").count() in range(280, 321)
    assert Area.objects.filter(level="lad").count() == 5
    assert not Area.objects.filter(is_synthetic=False).exists()
    assert not Service.objects.filter(is_synthetic=False).exists()
    assert Service.objects.filter(financial_year="2024/25").count() in range(40, 46)
    assert Service.objects.filter(financial_year="2023/24").exists()


def test_every_published_rate_carries_its_source():
    for rate in PrevalenceRate.objects.all():
        assert rate.source and rate.source_table and rate.source_url.startswith("https://")
    for norm in Norm.objects.all():
        assert norm.source and norm.source_url.startswith("https://")
