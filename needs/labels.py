"""Labels shown wherever synthetic data appears, so it is never mistaken for a real place."""

SYNTHETIC_LABEL = "Synthetic demo data — not a real place"
