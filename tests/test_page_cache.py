"""Pages compute what they show once per change of the data (needs.data_generation): a second
view reads nothing heavy, and any write (an upload, the service form, raw SQL) shows at once."""

import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gapanalysis.models import Norm
from needs import data_generation
from needs.models import DataGeneration, Deprivation
from provision.models import Service
from tests.uploads.conftest import confirm, plain_http_media_and_tasks, upload_file  # noqa: F401
from uploads.models import UploadStatus

pytestmark = pytest.mark.django_db
HEAVY_PAGES = ["provision:service_mapping", "provision:financial_mapping", "needs:need"]
POPULATION = "needs_populationestimate"


def touch() -> None:
    """A write that changes no figure: the pages must still compute afresh after it (so a
    result cached by an earlier test on the same data is not what these tests see)."""
    service = Service.objects.order_by("pk").first()
    Service.objects.filter(pk=service.pk).update(name=service.name)


def view(client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    page = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())
    return page, [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("name", HEAVY_PAGES)
def test_a_second_view_reads_no_population_and_shows_the_same(client, commissioner, name):
    client.force_login(commissioner)
    touch()
    first, first_queries = view(client, reverse(name))
    second, second_queries = view(client, reverse(name))
    assert any(POPULATION in sql for sql in first_queries)  # computed: population read
    assert not any(POPULATION in sql for sql in second_queries)  # not computed again
    assert len(second_queries) < len(first_queries) / 2
    assert second == first


def test_the_run_pages_render_their_figures_once(client, commissioner, finished_run):
    client.force_login(commissioner)
    shown = finished_run.results.filter(level="locality").first()  # a computed ambition's row
    locality = shown.unit_code
    for url in (
        reverse("gapanalysis:latest_map"),
        reverse("gapanalysis:locality", args=[finished_run.pk, locality]),
    ):
        first, first_queries = view(client, url)
        second, second_queries = view(client, url)
        small_areas = [sql for sql in second_queries if "small_area" in sql]
        assert second == first and small_areas == [], url
        assert len(second_queries) < len(first_queries), url


def test_every_watched_table_has_the_trigger():
    tables = data_generation.watched_tables()
    assert {"needs_populationestimate", "provision_service", "provision_service_catchment",
            "provision_servicefunding", "gapanalysis_norm"} <= set(tables)  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s",
                [data_generation.TRIGGER],
            )
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [data_generation.TRIGGER + "%"],
            )
        triggered = {row[0] for row in cursor.fetchall()}
    assert set(tables) <= triggered


def test_any_write_changes_the_token_and_a_rolled_back_one_leaves_it():
    before = data_generation.current()
    with connection.cursor() as cursor:  # not through our code: straight SQL
        cursor.execute("UPDATE provision_servicefunding SET share_percent = share_percent")
    after = data_generation.current()
    assert after != before
    with pytest.raises(RuntimeError), transaction.atomic():
        Service.objects.update(annual_spend=1)
        assert data_generation.current() != after
        raise RuntimeError
    assert data_generation.current() == after
    assert DataGeneration.objects.count() == 1


def test_an_edited_service_shows_at_once(client, analyst):
    client.force_login(analyst)
    url = reverse("provision:service_mapping")
    view(client, url)
    service = Service.objects.filter(financial_year="2024/25").order_by("pk").first()
    Service.objects.filter(pk=service.pk).update(name="Renamed after the first view")
    assert "Renamed after the first view" in view(client, url)[0]


def test_a_services_upload_changes_what_the_pages_show(client, analyst, tmp_path):
    client.force_login(analyst)
    services, spending = (
        reverse("provision:service_mapping"),
        reverse("provision:financial_mapping"),
    )
    assert "Northshire Talking Therapies" not in view(client, services)[0]
    total_before = client.get(spending).context["total"]
    client.get(spending)  # cached now

    path = tmp_path / "services-template.csv"
    path.write_bytes(client.get(reverse("uploads:services_template", args=["csv"])).content)
    upload = upload_file(client, kind="services", path=path)
    confirm(client, upload)
    assert upload.status == UploadStatus.IMPORTED, upload.error

    assert "Northshire Talking Therapies" in view(client, services)[0]
    total_after = client.get(spending).context["total"]
    assert Decimal(str(total_after)) - Decimal(str(total_before)) == Decimal("1250000")


def test_the_run_pages_show_a_change_of_the_data_they_are_read_beside(
    client, commissioner, finished_run
):
    """A run's stored results never change, but its pages also show the norms' names: a rename
    shows at once. Need by deprivation fifth is stored with the run (as every figure of it is,
    traceable to the data it used), so a later change to the deciles leaves it as it was."""
    client.force_login(commissioner)
    shown = finished_run.results.filter(level="locality").first()  # a computed ambition's row
    locality = shown.unit_code
    maps = reverse("gapanalysis:latest_map")
    page = reverse("gapanalysis:locality", args=[finished_run.pk, locality])
    assert "Second fifth" in view(client, maps)[0]
    view(client, page)
    norm = Norm.objects.get(code=shown.norm_code)
    Norm.objects.filter(pk=norm.pk).update(name="An ambition renamed after the first view")
    assert "An ambition renamed after the first view" in view(client, page)[0]
    Deprivation.objects.update(decile=1)  # every small area in the most deprived fifth
    body = view(client, maps)[0]
    assert "Second fifth" in body  # the run's own figures, not today's deciles
