"""Writes for services: bulk upserts for loaders, and single saves (audited) for the site."""

from decimal import Decimal

import pandas as pd
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from audit.services import audit_record, changes_between
from needs.models import Area
from provision.models import SERVICE_TYPES, Service, ServiceFunding, ServiceSite

FUNDING_TOTAL = Decimal("100")
SHARES_DO_NOT_ADD_UP = "Funding shares add up to {total}%, not 100%: correct the shares."
TYPE_OUTSIDE_CATEGORY = "Service type {type!r} belongs to the category {expected!r}, not {given!r}."
SERVICE_FIELDS = [
    "name",
    "provider",
    "provider_type",
    "category",
    "service_type",
    "conditions",
    "age_min",
    "age_max",
    "capacity",
    "capacity_unit",
    "annual_spend",
    "financial_year",
    "source",
]


class ServiceInvalid(ValueError):
    """A service that cannot be saved; `field` names the field to correct."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


def funding_check(shares: list[tuple[str, Decimal]]) -> None:
    total = sum((Decimal(str(share)) for _, share in shares), Decimal(0))
    if total != FUNDING_TOTAL:
        raise ServiceInvalid("funding", SHARES_DO_NOT_ADD_UP.format(total=f"{total:g}"))


def type_check(*, category: str, service_type: str) -> None:
    expected = SERVICE_TYPES.get(service_type, ("", "other"))[1]
    if service_type != "other" and expected != category:
        message = TYPE_OUTSIDE_CATEGORY.format(type=service_type, expected=expected, given=category)
        raise ServiceInvalid("service_type", message)


@transaction.atomic
def services_upsert(*, services: pd.DataFrame, area_ids: dict[str, int], is_synthetic: bool) -> int:
    """Create or update services by code and financial year, with funding, sites and catchment.

    `services`: service_code, the SERVICE_FIELDS, catchment_codes (area codes), funding
    ((funder, percent), …) and sites ((name, postcode, lon, lat, area_code), …).
    """
    for row in services.itertuples(index=False):
        funding_check(list(row.funding))
        type_check(category=row.category, service_type=row.service_type)
        service, _ = Service.objects.update_or_create(
            code=row.service_code,
            financial_year=row.financial_year,
            defaults=_fields(row) | {"is_synthetic": is_synthetic},
        )
        service.catchment.set([area_ids[code] for code in row.catchment_codes])
        _replace_children(service, list(row.funding), list(row.sites), area_ids)
    return len(services)


def _fields(row: object) -> dict[str, object]:
    fields = {name: getattr(row, name) for name in SERVICE_FIELDS}
    age_max = fields["age_max"]
    fields["age_max"] = None if age_max is None or pd.isna(age_max) else int(age_max)
    fields["age_min"] = int(fields["age_min"])
    fields["conditions"] = list(fields["conditions"])
    fields["capacity"] = float(fields["capacity"])
    fields["annual_spend"] = round(Decimal(str(fields["annual_spend"])), 2)
    return fields


def _replace_children(
    service: Service, funding: list[tuple], sites: list[tuple], area_ids: dict[str, int]
) -> None:
    service.funding.all().delete()
    ServiceFunding.objects.bulk_create(
        ServiceFunding(service=service, funder=funder, share_percent=Decimal(str(share)))
        for funder, share in funding
    )
    service.sites.all().delete()
    ServiceSite.objects.bulk_create(
        ServiceSite(
            service=service,
            name=name,
            postcode=postcode,
            lon=lon,
            lat=lat,
            area_id=area_ids.get(area_code),
        )
        for name, postcode, lon, lat, area_code in sites
    )


@transaction.atomic
def service_save(
    *,
    service: Service,
    funding: list[tuple[str, Decimal]],
    user: AbstractBaseUser | None,
    catchment: list[Area] | None = None,
    site: dict[str, object] | None = None,
    before: dict[str, object] | None = None,
) -> Service:
    """Save a service edited in the site, with its funding, catchment and site; audit it.

    `site`: name, postcode, lon, lat and area (the small area found by point in polygon), or
    None to leave the sites as they are.
    """
    funding_check(funding)
    type_check(category=service.category, service_type=service.service_type)
    created = service.pk is None
    service.save()
    if catchment is not None:
        service.catchment.set(catchment)
    if site is not None:
        service.sites.all().delete()
        ServiceSite.objects.create(service=service, **site)
    service.funding.all().delete()
    ServiceFunding.objects.bulk_create(
        ServiceFunding(service=service, funder=funder, share_percent=share)
        for funder, share in funding
    )
    after = _audited(service, funding)
    audit_record(
        user=user,
        action="created" if created else "changed",
        instance=service,
        changes=changes_between(before or {}, after),
    )
    return service


def service_snapshot(service: Service) -> dict[str, object]:
    """The audited fields as they are now (taken before an edit)."""
    funding = [(f.funder, f.share_percent) for f in service.funding.all()]
    return _audited(service, funding)


def _audited(service: Service, funding: list[tuple[str, Decimal]]) -> dict[str, object]:
    """Field values in one canonical form, so an unchanged value never shows as a change."""
    values = {name: getattr(service, name) for name in SERVICE_FIELDS}
    values["annual_spend"] = f"{Decimal(str(values['annual_spend'])):.2f}"
    values["capacity"] = float(values["capacity"])
    values["funding"] = ", ".join(
        f"{funder} {Decimal(str(share)):.2f}%" for funder, share in sorted(funding)
    )
    return values
