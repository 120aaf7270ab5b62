"""What every page's footer says about the data behind it: synthetic or illustrative only
where such data is loaded."""

from django.http import HttpRequest

from needs import data_generation
from needs.models import Area
from provision.models import Service


def data_labels(request: HttpRequest) -> dict[str, bool]:
    """`synthetic_loaded`: the synthetic demo county is loaded; `illustrative_services`:
    invented services (flagged synthetic) are placed on real areas, as load_county's are.
    Asked once per change of the data, not on every page."""
    return data_generation.cached("data-labels", (), _data_labels)


def _data_labels() -> dict[str, bool]:
    return {
        "synthetic_loaded": Area.objects.filter(is_synthetic=True).exists(),
        "illustrative_services": Service.objects.filter(
            is_synthetic=True, catchment__is_synthetic=False
        ).exists(),
    }
