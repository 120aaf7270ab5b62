"""Map pages stay light: every map document of the demo run fits the payload budget."""

import pytest
from django.urls import reverse

from gapanalysis.models import RunMap
from gapanalysis.services import analysis_claim, analysis_execute, analysis_start

pytestmark = pytest.mark.django_db
# Budget per map document, HTML and data together (Leaflet itself is cached from static/):
# locality maps with simplified outlines, and a small-area map of the whole county.
LOCALITY_MAP_BUDGET = 100 * 1024
SMALL_AREA_MAP_BUDGET = 600 * 1024


def test_every_run_map_fits_its_budget(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        run = analysis_start(user=None)
    analysis_claim(run_id=run.pk)
    analysis_execute(run_id=run.pk)
    sizes = {(m.norm_code, m.kind): len(m.html.encode()) for m in RunMap.objects.filter(run=run)}
    assert sizes and max(sizes.values()) <= LOCALITY_MAP_BUDGET, sizes


def test_the_small_area_need_map_fits_its_budget(client, commissioner):
    client.force_login(commissioner)
    url = reverse("needs:need_map") + "?condition=cmd&year=2023&level=small_area"
    size = len(client.get(url).content)
    assert size <= SMALL_AREA_MAP_BUDGET, size
