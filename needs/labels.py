"""Labels shown wherever synthetic or invented data appears, so it is never mistaken for real."""

SYNTHETIC_LABEL = "Synthetic demo data — not a real place"
# The default county's services (jsna.county_services): real places and sites, invented figures.
ILLUSTRATIVE_LABEL = (
    "Illustrative services — their capacity and spend are invented, not real provision data"
)


def data_label(*, synthetic: bool, illustrative: bool) -> str:
    """What a run's pages, maps and chapter say about its data: empty when all of it is real."""
    if synthetic:
        return SYNTHETIC_LABEL
    return ILLUSTRATIVE_LABEL if illustrative else ""
