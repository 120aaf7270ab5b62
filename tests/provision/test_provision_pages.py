"""Service mapping, financial mapping and service editing, through the pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from provision.models import Service

pytestmark = pytest.mark.django_db
PAGES = ["provision:service_mapping", "provision:sites_map", "provision:financial_mapping"]


def form_data(**changes: object) -> dict:
    data = {
        "code": "LOCAL-001", "name": "Wellbeing Hub", "provider": "Vale Mind",
        "provider_type": "third_sector", "category": "support", "service_type": "peer_support",
        "age_min": "16", "age_max": "", "capacity": "40", "capacity_unit": "hours_per_week",
        "annual_spend": "52000", "financial_year": "2024/25", "source": "Local contract register",
        "conditions": ["cmd", "any"], "share_nhs": "50", "share_local_authority": "50",
        "share_pooled": "0", "share_other": "0", "site_name": "", "site_postcode": "",
        "site_lon": "", "site_lat": "",
    }  # fmt: skip
    return data | {key: str(value) for key, value in changes.items()}


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for name in PAGES:
        assert "/login/" in client.get(reverse(name))["Location"]


def test_someone_without_a_role_sees_no_provision(client, outsider):
    client.force_login(outsider)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403


def test_the_service_mapping_shows_every_category_across_the_localities(client, commissioner):
    client.force_login(commissioner)
    body = client.get(reverse("provision:service_mapping")).content.decode()
    for label in ("Access", "Accommodation", "Carers", "Clinical", "Community mental health teams",
                  "Continuing care", "Day services", "Home care", "Mentally ill offenders",
                  "Secure", "Support", "Therapy", "Other"):  # fmt: skip
        assert f">{label}<" in body, label
    assert "Add a service" not in body  # commissioners read only


def test_filters_narrow_the_services_listed(client, commissioner):
    client.force_login(commissioner)
    url = reverse("provision:service_mapping") + "?financial_year=2024/25&category=therapy"
    body = client.get(url).content.decode()
    assert "NHS Talking Therapies" in body and "Acute Adult Inpatient Wards" not in body


def test_the_sites_map_loads_only_local_assets(client, commissioner):
    client.force_login(commissioner)
    response = client.get(reverse("provision:sites_map"))
    html = response.content.decode()
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    assert "cdnjs" not in html and "code.jquery" not in html
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_the_financial_mapping_compares_two_years(client, jsna_manager):
    client.force_login(jsna_manager)
    body = client.get(reverse("provision:financial_mapping")).content.decode()
    assert "Spend by category and funder, 2024/25" in body
    assert "Change since 2023/24" in body
    assert "+£" in body and "−£" in body  # investment in some categories, cuts in others
    assert "per resident" in body and "Spend against the need it serves" in body


def test_an_analyst_adds_a_service_and_the_change_is_audited(client, analyst):
    client.force_login(analyst)
    response = client.post(reverse("provision:service_new"), form_data())
    assert response.status_code == 302
    service = Service.objects.get(code="LOCAL-001")
    assert sorted((f.funder, f.share_percent) for f in service.funding.all()) == [
        ("local_authority", Decimal("50.00")), ("nhs", Decimal("50.00"))
    ]  # fmt: skip
    entry = AuditEntry.objects.get(object_id=str(service.pk))
    assert entry.user == analyst and entry.action == "created"
    assert entry.changes["name"] == [None, "Wellbeing Hub"]


def test_an_edit_records_what_changed(client, analyst):
    client.force_login(analyst)
    client.post(reverse("provision:service_new"), form_data())
    service = Service.objects.get(code="LOCAL-001")
    client.post(reverse("provision:service_edit", args=[service.pk]), form_data(capacity=55))
    entry = AuditEntry.objects.filter(action="changed").get()
    assert entry.changes == {"capacity": [40.0, 55.0]}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"share_nhs": "60"}, "share_nhs", "add up to 110%, not 100%"),
        ({"annual_spend": "-5"}, "annual_spend", "greater than or equal to 0"),
        ({"category": "nonsense"}, "category", "Choose the category from the list: one of the 13"),
        (
            {"capacity_unit": "widgets"},
            "capacity_unit",
            "Choose the capacity unit from the list: caseload places, referrals a year, courses",
        ),
        (
            {"conditions": "nonsense"},
            "conditions",
            "Choose the conditions served from the list: one of the",
        ),
        ({"site_lon": "-0.1", "site_lat": "51.5"}, "site_lon", "outside every small area"),
    ],
)
def test_bad_input_is_refused_naming_the_field(client, analyst, changes, field, message):
    client.force_login(analyst)
    response = client.post(reverse("provision:service_new"), form_data(**changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Service.objects.filter(code="LOCAL-001").exists()


def test_a_site_inside_the_county_is_placed_in_its_small_area(client, analyst):
    client.force_login(analyst)
    some_site = Service.objects.filter(sites__area__isnull=False).first().sites.first()
    data = form_data(site_lon=some_site.lon, site_lat=some_site.lat, site_name="Hub")
    client.post(reverse("provision:service_new"), data)
    site = Service.objects.get(code="LOCAL-001").sites.get()
    assert site.area == some_site.area


def test_commissioners_cannot_edit_services(client, commissioner):
    client.force_login(commissioner)
    assert client.post(reverse("provision:service_new"), form_data()).status_code == 403
    assert not AuditEntry.objects.exists()


def test_a_service_that_cannot_be_placed_is_named_on_the_page_not_a_server_error(
    client, commissioner
):
    """Its catchment is a small area where nobody lives: the page says which service and why."""
    from needs.models import Area, AreaLevel

    empty = Area.objects.create(code="E01999990", name="Nobody lives here", level=AreaLevel.LSOA21)
    service = Service.objects.filter(financial_year="2024/25").order_by("code").first()
    service.catchment.set([empty])
    client.force_login(commissioner)
    response = client.get(reverse("provision:service_mapping") + "?financial_year=2024/25")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Provision could not be shared out" in body
    assert f"No population lives in the catchment of service(s) {service.code}" in body
