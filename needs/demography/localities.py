"""Reads about locality schemes and the place: which schemes a run may use, which it uses when
the analyst does not say, and the published name of the whole area."""

from needs.models import Area, AreaLevel, LocalityScheme

# The schemes an LSOA 2021 hierarchy lookup makes (needs.locality_imports.lookup_schemes).
DISTRICTS = "Local authority districts"
MSOAS = "MSOAs (2021)"
WARDS = "Electoral wards"
ALL_AREAS = "All areas"
UNKNOWN_SCHEME = "No locality scheme is called {name!r}. The schemes are: {names}."


class UnknownScheme(LookupError):
    """No scheme has the name asked for; the message lists the schemes there are."""


def locality_schemes() -> list[LocalityScheme]:
    """Every scheme, in the order they were made (the lookup's districts, MSOAs and wards
    first when the lookup was loaded first)."""
    return list(LocalityScheme.objects.order_by("pk"))


def default_scheme() -> LocalityScheme | None:
    """The local authority districts when a lookup has made them, else the first scheme."""
    schemes = LocalityScheme.objects.order_by("pk")
    return schemes.filter(name=DISTRICTS).first() or schemes.first()


def scheme_by_name(*, name: str) -> LocalityScheme:
    scheme = LocalityScheme.objects.filter(name=name).first()
    if scheme is None:
        names = ", ".join(repr(s.name) for s in locality_schemes()) or "none yet"
        raise UnknownScheme(UNKNOWN_SCHEME.format(name=name, names=names))
    return scheme


def place_name(*, scheme: LocalityScheme | None = None) -> str:
    """The published name of the whole area (of a scheme's small areas, or of every LSOA 2021
    area): the county that holds all of their districts; else the district, when there is one;
    else "All areas"."""
    districts = _districts(scheme)
    parents = {parent for _, parent in districts}
    if len(parents) == 1 and None not in parents:
        county = Area.objects.filter(pk=parents.pop(), level=AreaLevel.COUNTY).first()
        if county is not None:
            return county.name
    if len(districts) == 1:
        return districts[0][0]
    return ALL_AREAS


def _districts(scheme: LocalityScheme | None) -> list[tuple[str, int | None]]:
    """(name, parent id) of the districts above the LSOA 2021 areas (through their MSOAs), or
    those of the scheme's; every district loaded when the 2021 hierarchy is not."""
    districts = Area.objects.filter(level=AreaLevel.LAD)
    lsoas = {"children__children__level": AreaLevel.LSOA21}
    if scheme is not None:
        lsoas["children__children__localities__scheme"] = scheme
    above = districts.filter(children__level=AreaLevel.MSOA21, **lsoas).distinct()
    chosen = above if above.exists() or scheme is not None else districts
    return list(chosen.values_list("name", "parent_id"))
