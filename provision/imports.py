"""Services files (CSV or XLSX, see provision.template): check against the database, then write."""

from pathlib import Path

from needs.column_mapping import MappingSupport
from needs.models import Area, AreaLevel, Condition
from needs.plans import ImportOptions, Plan, Progress, from_parsed
from needs.selectors import small_area_at
from provision import importers
from provision.importer_mapping import (
    matches_template,
    service_targets,
    source_header,
    source_values,
)
from provision.models import SERVICE_TYPES, CapacityUnit, ProviderType, Service, ServiceCategory
from provision.services import services_upsert
from provision.template import ServiceChoices


def service_choices() -> ServiceChoices:
    return ServiceChoices(
        provider_types=dict(ProviderType.choices),
        categories=dict(ServiceCategory.choices),
        service_types=SERVICE_TYPES,
        capacity_units=dict(CapacityUnit.choices),
    )


SERVICES_MAPPING = MappingSupport(
    targets=lambda: service_targets(service_choices()),
    header=source_header,
    values=source_values,
    matches_template=matches_template,
)


# A code loaded at several levels (most LSOA and MSOA codes are the same in 2011 and 2021) is
# read as the 2021 area: analyses run on 2021 LSOAs, and an unchanged area covers the same ground.
PREFERRED_LEVELS = [
    AreaLevel.LSOA21, AreaLevel.MSOA21, AreaLevel.WARD, AreaLevel.LAD, AreaLevel.COUNTY,
    AreaLevel.REGION, AreaLevel.LSOA11, AreaLevel.MSOA11,
]  # fmt: skip


def _area_ids(codes: set[str]) -> dict[str, int]:
    """Each code's area id, at the most preferred level it is loaded at."""
    rows = Area.objects.filter(code__in=codes).values_list("code", "level", "id")
    rank = {level: i for i, level in enumerate(PREFERRED_LEVELS)}
    chosen: dict[str, int] = {}
    for code, _, area_id in sorted(rows, key=lambda row: rank.get(row[1], len(rank))):
        chosen.setdefault(code, area_id)
    return chosen


def plan_services(path: Path, *, name: str, options: ImportOptions) -> Plan:
    parsed = importers.parse(
        path,
        name=name,
        choices=service_choices(),
        known_conditions=set(Condition.objects.values_list("code", flat=True)),
        known_areas=set(Area.objects.values_list("code", flat=True)),
        mapping=options.mapping,
    )
    plan = from_parsed("services", name, parsed, "File layout and values")
    if not plan.ok:
        return plan
    frame = parsed.frame.copy()
    outside: list[str] = []
    placed = []
    for row in frame.itertuples(index=False):
        sites = []
        for site_name, postcode, lon, lat, _ in row.sites:
            area = small_area_at(lon=lon, lat=lat)
            if area is None:
                outside.append(f"{row.service_code} {site_name or postcode or (lon, lat)}")
            sites.append((site_name, postcode, lon, lat, area.code if area else None))
        placed.append(tuple(sites))
    frame["sites"] = placed
    if outside:
        plan.warnings.append(
            f"{len(outside)} site(s) lie outside every small area loaded here and are kept "
            f"without an area: {', '.join(outside[:20])}."
        )
    keys = set(zip(frame["service_code"], frame["financial_year"], strict=True))
    held = Service.objects.filter(code__in=frame["service_code"].tolist()).values_list(
        "code", "financial_year"
    )
    existing = len(keys & set(held))
    plan.passed(
        "Sites placed", f"{sum(len(s) for s in placed):,} site(s) placed by point in polygon"
    )
    plan.changes.append(
        f"{len(frame):,} service record(s): {len(frame) - existing:,} new, {existing:,} updated "
        "(matched by service code and financial year); their funding, sites and catchment are "
        "replaced by the file's."
    )
    codes = {code for sites in placed for *_, code in sites if code} | {
        code for codes in frame["catchment_codes"] for code in codes
    }
    area_ids = _area_ids(codes)

    def write(progress: Progress) -> int:
        return services_upsert(services=frame, area_ids=area_ids, is_synthetic=False)

    plan.write = write
    return plan
