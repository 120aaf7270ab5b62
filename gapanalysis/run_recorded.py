"""What a run records about the recorded-activity data when it is made: the rule that places GP
registers in small areas (recorded.comparisons.register_rule: registered patients' home LSOA
where the patients-by-LSOA file is loaded, else the practice's site) and the recorded files'
dataset versions, as the services' attribution rule and the other inputs are pinned."""

from needs.models import DatasetKind
from needs.selectors import active_dataset_versions
from recorded.comparisons import register_rule

RECORDED_KINDS = (
    DatasetKind.QOF,
    DatasetKind.GP_PRACTICES,
    DatasetKind.PRACTICE_LSOA,
    DatasetKind.TALKING_THERAPIES,
    DatasetKind.INDICATORS,
)


def recorded_inputs(*, dataset_versions: list[dict]) -> dict:
    """`register_rule` (one sentence) and `recorded_datasets` (the pinned versions of the
    recorded kinds, as `needs.selectors.active_dataset_versions` lists them)."""
    return {"register_rule": register_rule(), "recorded_datasets": _recorded(dataset_versions)}


def _recorded(dataset_versions: list[dict]) -> list[dict]:
    return [item for item in dataset_versions if item["kind"] in RECORDED_KINDS]


def changed_since(run_inputs: dict) -> str:
    """A sentence when the recorded files in use now are not the ones pinned on the run (the
    Outcomes figures are read from the files in use), else ""."""
    pinned = run_inputs.get("recorded_datasets")
    if pinned is None:
        return ""
    now = _recorded(active_dataset_versions())
    if sorted(item["id"] for item in pinned) == sorted(item["id"] for item in now):
        return ""
    named = "; ".join(f"{item['name']} (dataset version {item['id']})" for item in now)
    return (
        "The recorded-activity files have changed since this run was made, so the figures "
        "below come from the files in use now"
        + (f": {named}" if named else " (none)")
        + ". Make a new run to pin them."
    )
