"""Project-wide use cases: the shipped catalogues, the synthetic demo area and its login."""

import hashlib
import secrets
from dataclasses import dataclass

import pandas as pd
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction

from audit.services import audit_record, changes_between
from gapanalysis.services import norm_catalogue_load
from jsna.demo_area import DEMO_SEED, DemoArea, generate_demo_area
from jsna.demo_projections import SOURCE as DEMO_PROJECTION_SOURCE
from jsna.demo_projections import district_projections
from jsna.demo_services import demo_service_records
from jsna.roles import ANALYST, COMMISSIONER, JSNA_MANAGER, ROLE_PERMISSIONS, roles_sync
from needs import columns as c
from needs import services as needs_services
from needs.labels import SYNTHETIC_LABEL
from needs.models import DatasetKind
from provision.services import services_upsert

DEMO_SCHEME = "Wyvern Vale districts (synthetic)"
DEMO_IMD_EDITION = "IMD2019 (synthetic)"
DEMO_USERNAME = "demo"
DEMO_LOGIN_REFUSED = "The demo login is for local use only: it is never created with DEBUG off."


@dataclass(frozen=True)
class DemoSummary:
    areas: int
    small_areas: int
    population_rows: int
    population_total: float
    services: int
    localities: int


def catalogue_load() -> tuple[int, int]:
    """Load the published prevalence rates and provision norms shipped in fixtures/."""
    with transaction.atomic():
        return needs_services.rate_catalogue_load(), norm_catalogue_load()


@transaction.atomic
def demo_load(*, seed: int = DEMO_SEED) -> DemoSummary:
    """Load (or reload, without duplicating) the synthetic demo county and its catalogues."""
    demo = generate_demo_area(seed=seed)
    catalogue_load()
    area_ids = needs_services.areas_upsert(areas=demo.areas, is_synthetic=True)
    rows = needs_services.population_replace(population=demo.population, area_ids=area_ids)
    needs_services.deprivation_replace(
        deprivation=demo.deprivation, area_ids=area_ids, edition=DEMO_IMD_EDITION
    )
    membership = demo_district_membership(demo)
    needs_services.locality_scheme_replace(
        name=DEMO_SCHEME,
        description=f"{SYNTHETIC_LABEL}. The five districts of the fictitious county.",
        membership=membership,
        area_ids=area_ids,
        is_synthetic=True,
    )
    services_upsert(
        services=demo_service_records(demo.services, seed=seed, county_code=_county_code(demo)),
        area_ids=area_ids,
        is_synthetic=True,
    )
    needs_services.projections_replace(
        projections=district_projections(demo.areas, demo.population),
        area_ids=area_ids,
        source=DEMO_PROJECTION_SOURCE,
    )
    _record_demo_versions(seed, demo)
    return DemoSummary(
        areas=len(demo.areas),
        small_areas=int((demo.areas["level"] == "lsoa21").sum()),
        population_rows=rows,
        population_total=float(demo.population[c.COUNT].sum()),
        services=len(demo.services),  # each has a record for two financial years
        localities=membership[c.LOCALITY_CODE].nunique(),
    )


def _record_demo_versions(seed: int, demo: DemoArea) -> None:
    """The demo's tables as dataset versions, as an upload would be: runs pin them."""
    tables = {
        DatasetKind.BOUNDARIES: len(demo.areas),
        DatasetKind.POPULATION: len(demo.population),
        DatasetKind.DEPRIVATION: len(demo.deprivation),
        DatasetKind.SERVICES: len(demo.services),
    }
    for kind, rows in tables.items():
        digest = hashlib.sha256(f"synthetic demo area, seed {seed}, {kind}".encode()).hexdigest()
        needs_services.dataset_version_record(
            kind=kind, path=None, name=f"Synthetic demo ({kind}), seed {seed}", rows=rows,
            is_synthetic=True, sha256=digest,
        )  # fmt: skip


def _county_code(demo: DemoArea) -> str:
    return str(demo.areas.loc[demo.areas["level"] == "county", "area_code"].iloc[0])


def demo_district_membership(demo: DemoArea) -> pd.DataFrame:
    """Each small area with its district (LSOA → MSOA → district in the demo hierarchy)."""
    areas = demo.areas.set_index(c.AREA_CODE)
    small = areas[areas["level"] == "lsoa21"]
    district_codes = small["parent_code"].map(areas["parent_code"])
    return pd.DataFrame(
        {
            c.AREA_CODE: small.index.to_numpy(),
            c.LOCALITY_CODE: district_codes.to_numpy(),
            c.LOCALITY_NAME: district_codes.map(areas["name"]).to_numpy(),
        }
    )


def demo_login_create() -> tuple[str, str]:
    """A local login holding all three roles, with a fresh random password each time."""
    if not settings.DEBUG:
        raise ImproperlyConfigured(DEMO_LOGIN_REFUSED)
    user: AbstractUser = get_user_model().objects.get_or_create(username=DEMO_USERNAME)[0]
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.is_staff = True
    user.save()
    user.groups.set(Group.objects.filter(name__in=[ANALYST, COMMISSIONER, JSNA_MANAGER]))
    return DEMO_USERNAME, password


class UserInvalid(ValueError):
    """A user cannot be added or changed as asked; the message says why."""


@dataclass(frozen=True)
class UserSaved:
    username: str
    roles: tuple[str, ...]
    created: bool
    password: str | None  # the password made for the user, to pass on once; None if not made


@transaction.atomic
def user_with_roles_save(
    *,
    username: str,
    roles: list[str],
    email: str = "",
    password: str | None = None,
    update: bool = False,
    staff: bool = False,
) -> UserSaved:
    """Add a user holding these roles (or, with `update`, give an existing user exactly these
    roles). Without a password one is made. Written to the audit log."""
    unknown = sorted(set(roles) - set(ROLE_PERMISSIONS))
    if unknown or not roles:
        problem = f"Unknown role {', '.join(unknown)}." if unknown else "Give at least one role."
        raise UserInvalid(f"{problem} The roles are {', '.join(ROLE_PERMISSIONS)}.")
    model = get_user_model()
    try:
        if not username or len(username) > 150:
            raise ValidationError("A username has 1 to 150 characters.")
        model.username_validator(username)
    except ValidationError as error:
        raise UserInvalid(" ".join(error.messages)) from error
    user = model.objects.filter(username=username).first()
    if user is not None and not update:
        raise UserInvalid(f"A user named {username!r} already exists: add --update to change it.")
    created = user is None
    user = user or model(username=username)
    before = {} if created else _user_state(user)
    made = None
    if password is None and created:
        password = made = secrets.token_urlsafe(12)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise UserInvalid(" ".join(error.messages)) from error
        user.set_password(password)
    user.email = email or user.email
    user.is_staff = staff or (user.is_staff and not created)
    user.save()
    roles_sync()  # the groups exist even before the first migrate's signal has run
    user.groups.set(Group.objects.filter(name__in=roles))
    after = _user_state(user)
    audit_record(
        user=None,
        action="created" if created else "changed",
        instance=user,
        changes=changes_between(before, after),
    )
    return UserSaved(username, tuple(sorted(roles)), created, made)


def _user_state(user: AbstractUser) -> dict[str, object]:
    roles = ", ".join(sorted(user.groups.values_list("name", flat=True))) if user.pk else ""
    return {"email": user.email, "is_staff": user.is_staff, "roles": roles}
